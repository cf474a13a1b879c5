//! `POST /v1/webhooks/shopify/{merchant}`: Shopify's `inventory_levels/update`.
//!
//! The signature is checked over the raw bytes before anything is parsed;
//! deduplication and version order are the store's (see `store.rs`).

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::keys::is_merchant_id;
use upfront_shared::shopify::{InventoryLevel, WebhookOutcome, WebhookResult, verify};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply, parse_json, raw_json_body};
use crate::read_cache;
use crate::store::{self, StoreCommand};

/// An inventory level is under 1 KiB; Shopify's largest payloads are far
/// below this.
const MAX_BODY_BYTES: usize = 64 * 1024;

const TOPIC: &str = "inventory_levels/update";

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
    if req.headers().get("X-Shopify-Topic")?.as_deref() != Some(TOPIC) {
        let ignored = WebhookResult {
            outcome: WebhookOutcome::IgnoredTopic,
            sku: None,
        };
        return json_reply(req, &ignored, Freshness::NoStore);
    }
    let event_id = req
        .headers()
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
        })?;
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
