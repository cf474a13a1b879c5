//! `POST /v1/inventory`: the merchant's bulk stock write.

use upfront_shared::api::InventoryUpsert;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::ingest::validate_upsert;
use worker::{Env, Request, Response};

use crate::auth::{KeyKind, authenticate};
use crate::availability::now;
use crate::error::ApiError;
use crate::store::{self, StoreCommand, UpsertResult};

/// 1,000 items of a few hundred bytes each fit well inside this.
const MAX_BODY_BYTES: usize = 1 << 20;

pub async fn upsert(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let merchant = authenticate(&req, env, KeyKind::Secret)?;
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send Content-Type: application/json",
        ));
    }
    let body = req.bytes().await?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            ErrorCode::BodyTooLarge,
            "the body is larger than 1 MiB",
        ));
    }
    let upsert: InventoryUpsert = serde_json::from_slice(&body)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidJson, format!("invalid JSON body: {e}")))?;
    validate_upsert(&upsert)?;
    let command = StoreCommand::Upsert {
        merchant: merchant.id.to_string(),
        items: upsert.items,
        now_ms: now()?.as_millisecond(),
    };
    let result: UpsertResult = store::call(env, &command).await?;
    Ok(Response::from_json(&result)?)
}
