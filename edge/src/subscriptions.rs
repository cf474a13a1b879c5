//! `POST /v1/subscriptions`: a shopper asks to hear once when a SKU is back.
//! The merchant's side: counts per SKU, the export, and erasure.

use upfront_shared::error::ErrorCode;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::readback::{
    EraseRequest, EraseResult, PageQuery, SubscriptionCounts, SubscriptionExport,
};
use upfront_shared::subscription::{
    SubscriptionRequest, SubscriptionResult, erasure_email, validate_subscription,
};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, Query, json_body, json_reply};
use crate::store::{self, StoreCommand, SubscribeOutcome};

/// An email, a SKU, a locale, a product name and a page URL fit in less.
const MAX_BODY_BYTES: usize = 4 << 10;

pub async fn subscribe(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let request: SubscriptionRequest = json_body(req, MAX_BODY_BYTES).await?;
    let subscription = validate_subscription(request, merchant)?;
    let sku = subscription.sku.clone();
    let outcome: SubscribeOutcome = store::call(
        env,
        &merchant.id,
        &StoreCommand::Subscribe {
            subscription,
            now_ms: now()?.as_millisecond(),
        },
    )
    .await?;
    match outcome {
        // One answer for both: it must not tell whether an address waits.
        SubscribeOutcome::Created | SubscribeOutcome::AlreadySubscribed => {}
        SubscribeOutcome::UnknownSku => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "this store has no such sku",
            ));
        }
        SubscribeOutcome::Refused { code } => {
            let message = if code == ErrorCode::SkuDiscontinued {
                "this sku is discontinued: it will not be back"
            } else {
                "this sku can be ordered now: there is nothing to wait for"
            };
            return Err(ApiError::new(code, message));
        }
    }
    let result = SubscriptionResult {
        sku,
        subscribed: true,
    };
    Ok(json_reply(req, &result, Freshness::NoStore)?.with_status(202))
}

/// `GET /v1/subscriptions`: how many addresses wait for each SKU.
pub async fn counts(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, false)?;
    let counts: SubscriptionCounts =
        store::call(env, merchant, &StoreCommand::SubscriptionCounts { page }).await?;
    json_reply(req, &counts, Freshness::NoStore)
}

/// `GET /v1/subscriptions/export`: every waiting address, a page at a time.
pub async fn export(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, false)?;
    let export: SubscriptionExport =
        store::call(env, merchant, &StoreCommand::SubscriptionExport { page }).await?;
    json_reply(req, &export, Freshness::NoStore)
}

/// `POST /v1/subscriptions/erase`: a shopper's erasure request.
pub async fn erase(req: &mut Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let request: EraseRequest = json_body(req, MAX_BODY_BYTES).await?;
    let email = erasure_email(&request.email)?;
    let result: EraseResult = store::call(
        env,
        merchant,
        &StoreCommand::EraseSubscriber {
            email,
            now_ms: now()?.as_millisecond(),
        },
    )
    .await?;
    json_reply(req, &result, Freshness::NoStore)
}
