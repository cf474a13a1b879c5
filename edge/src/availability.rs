//! `GET /v1/availability/{sku}`: the public read.

use jiff::Timestamp;
use upfront_shared::api::Availability;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::placeholder;
use upfront_shared::sku::is_valid_sku;
use upfront_shared::stock::StockStatus;
use worker::{Env, Request, Response};

use crate::auth::{KeyKind, authenticate};
use crate::error::ApiError;
use crate::store::{self, SkuRecord, StoreCommand};

pub async fn get(req: Request, env: &Env, sku: &str) -> Result<Response, ApiError> {
    let merchant = authenticate(&req, env, KeyKind::Publishable)?;
    if !is_valid_sku(sku) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidRequest,
            "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
        )
        .with_param("sku")
        .into());
    }
    let command = StoreCommand::Read {
        merchant: merchant.id.to_string(),
        skus: vec![sku.to_string()],
    };
    let records: Vec<SkuRecord> = store::call(env, &command).await?;
    let record = records
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this store has no such sku"))?;
    let now = now()?;
    let answer = Availability {
        status: StockStatus::derive(&record.level(), &record.policy()),
        available: record.level().sellable(),
        as_of: Timestamp::from_millisecond(record.updated_at_ms)
            .map_err(|e| worker::Error::RustError(e.to_string()))?,
        delivery: placeholder::delivery_window(now),
        sku: record.sku,
    };
    let mut response = Response::from_json(&answer)?;
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

pub fn now() -> Result<Timestamp, ApiError> {
    Timestamp::from_millisecond(worker::Date::now().as_millis() as i64)
        .map_err(|e| worker::Error::RustError(e.to_string()).into())
}
