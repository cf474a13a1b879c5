//! `POST /v1/subscriptions`: a shopper asks to hear once when a SKU is back.

use upfront_shared::error::ErrorCode;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::subscription::{
    SubscriptionRequest, SubscriptionResult, validate_subscription,
};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_body, json_reply};
use crate::store::{self, StoreCommand, SubscribeOutcome};

/// An email, a SKU and a locale fit in far less.
const MAX_BODY_BYTES: usize = 4 << 10;

pub async fn subscribe(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let request: SubscriptionRequest = json_body(req, MAX_BODY_BYTES).await?;
    let subscription = validate_subscription(request)?;
    let outcome: SubscribeOutcome = store::call(
        env,
        &StoreCommand::Subscribe {
            merchant: merchant.id.clone(),
            sku: subscription.sku.clone(),
            email: subscription.email,
            locale: subscription.locale,
            now_ms: now()?.as_millisecond(),
        },
    )
    .await?;
    let status = match outcome {
        SubscribeOutcome::Created => 201,
        SubscribeOutcome::AlreadySubscribed => 200,
        SubscribeOutcome::UnknownSku => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "this store has no such sku",
            ));
        }
    };
    let result = SubscriptionResult {
        sku: subscription.sku,
        subscribed: true,
    };
    Ok(json_reply(req, &result, Freshness::NoStore)?.with_status(status))
}
