//! `POST /v1/webhooks/shopify/{merchant}`: Shopify's `inventory_levels/update`
//! and `orders/create` (which feeds `POST /v1/orders`' path).
//!
//! The signature is checked over the raw bytes before anything is parsed;
//! deduplication and version order are the store's (see `store.rs`).

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::keys::is_merchant_id;
use upfront_shared::order::{OrderRequest, validate_order};
use upfront_shared::shopify::{
    InventoryLevel, ShopifyOrder, WebhookOutcome, WebhookResult, verify,
};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply, parse_json, raw_json_body};
use crate::read_cache;
use crate::store::{self, OrderOutcome, StoreCommand};

/// An inventory level is under 1 KiB; Shopify's largest payloads are far
/// below this.
const MAX_BODY_BYTES: usize = 64 * 1024;

const TOPIC: &str = "inventory_levels/update";
const ORDER_TOPIC: &str = "orders/create";

pub async fn shopify(req: &mut Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such merchant");
    if !is_merchant_id(merchant) {
        return Err(not_found());
    }
    // The body first: it is bounded, and a stream left unread while the
    // store answers would stall the upload.
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let secrets: Vec<String> = store::call_existing(env, merchant, &StoreCommand::ShopifySecrets)
        .await?
        .ok_or_else(not_found)?;
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = req
        .headers()
        .get("X-Shopify-Hmac-Sha256")?
        .unwrap_or_default();
    if !verify(&secrets, &body, &signature) {
        return Err(ApiError::new(
            ErrorCode::InvalidSignature,
            "X-Shopify-Hmac-Sha256 does not match the body",
        ));
    }
    let topic = req.headers().get("X-Shopify-Topic")?;
    if topic.as_deref() == Some(ORDER_TOPIC) {
        require_event_id(req)?;
        return order_created(req, env, merchant, &body).await;
    }
    if topic.as_deref() != Some(TOPIC) {
        let ignored = WebhookResult {
            outcome: WebhookOutcome::IgnoredTopic,
            sku: None,
            order_id: None,
        };
        return json_reply(req, &ignored, Freshness::NoStore);
    }
    let event_id = require_event_id(req)?;
    let level: InventoryLevel = parse_json(&body)?;
    let command = StoreCommand::ShopifyLevel {
        event_id,
        inventory_item_id: level.inventory_item_id.to_string(),
        location_id: level.location_id.to_string(),
        available: level.available,
        version_ms: level.updated_at.as_millisecond(),
        now_ms: now()?.as_millisecond(),
    };
    let result: WebhookResult = store::call(env, merchant, &command).await?;
    if let Some(sku) = &result.sku {
        read_cache::forget(merchant, std::iter::once(sku.clone()));
    }
    json_reply(req, &result, Freshness::NoStore)
}

/// Shopify's delivery id: every topic carries one.
fn require_event_id(req: &Request) -> Result<String, ApiError> {
    req.headers()
        .get("X-Shopify-Event-Id")?
        .filter(|id| !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::from(
                ErrorBody::new(
                    ErrorCode::InvalidParameter,
                    "X-Shopify-Event-Id is required",
                )
                .with_param("X-Shopify-Event-Id"),
            )
        })
}

/// `orders/create`: the order, as `POST /v1/orders` would record it, with
/// the lines of SKUs this store does not have left out. Shopify retries a
/// delivery until it gets a 2xx, so an order Upfront cannot watch (no
/// email, no known SKU) is answered 200 `order_ignored`, not refused.
async fn order_created(
    req: &Request,
    env: &Env,
    merchant: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let order: ShopifyOrder = parse_json(body)?;
    let ignored = |order_id: Option<String>| WebhookResult {
        outcome: WebhookOutcome::OrderIgnored,
        sku: None,
        order_id,
    };
    let Some(request) = order.to_order_request() else {
        return json_reply(
            req,
            &ignored(Some(order.id.to_string())),
            Freshness::NoStore,
        );
    };
    // A postal code or locale the rules refuse must not lose the order:
    // without them, it is watched for the store's home country.
    let request = match validate_order(request.clone()) {
        Ok(valid) => valid,
        Err(_) => match validate_order(OrderRequest {
            destination: None,
            locale: None,
            ..request
        }) {
            Ok(valid) => valid,
            Err(_) => {
                return json_reply(
                    req,
                    &ignored(Some(order.id.to_string())),
                    Freshness::NoStore,
                );
            }
        },
    };
    let fingerprint = upfront_shared::keys::hash(
        &serde_json::to_string(&request).map_err(|e| worker::Error::RustError(e.to_string()))?,
    );
    let command = StoreCommand::CreateOrder {
        request,
        fingerprint,
        skip_unknown_skus: true,
        now_ms: now()?.as_millisecond(),
    };
    let outcome: OrderOutcome = store::call(env, merchant, &command).await?;
    let result = match outcome {
        OrderOutcome::Done { order, .. } => WebhookResult {
            outcome: WebhookOutcome::OrderRecorded,
            sku: None,
            order_id: Some(order.id),
        },
        _ => ignored(Some(order.id.to_string())),
    };
    json_reply(req, &result, Freshness::NoStore)
}
