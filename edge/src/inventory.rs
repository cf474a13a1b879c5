//! `POST /v1/inventory`: the merchant's bulk stock write; `GET /v1/skus`
//! and `GET /v1/skus/{sku}`: reading it back.

use upfront_shared::api::{InventoryUpsert, UpsertResult};
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::ingest::validate_upsert;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::readback::{PageQuery, SkuDetail, SkuList};
use upfront_shared::sku::is_valid_sku;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, Query, json_reply, parse_json, raw_json_body};
use crate::idempotency::{self, Once};
use crate::read_cache;
use crate::store::{self, StoreCommand};

/// 1,000 items of a few hundred bytes each fit well inside this.
const MAX_BODY_BYTES: usize = 1 << 20;

pub async fn upsert(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let upsert: InventoryUpsert = parse_json(&body)?;
    validate_upsert(&upsert)?;
    let keyed = idempotency::keyed(req, "inventory", &body)?;
    read_cache::forget(&merchant.id, upsert.items.iter().map(|i| i.sku.clone()));
    let command = StoreCommand::Upsert {
        items: upsert.items,
        now_ms: now()?.as_millisecond(),
        keyed,
    };
    let once: Once<UpsertResult> = store::call(env, &merchant.id, &command).await?;
    idempotency::reply(once, |result| json_reply(req, &result, Freshness::NoStore))
}

/// A page of SKUs in full, optionally only those in one state.
pub async fn list(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, true)?;
    page.sku_cursor()?;
    let command = StoreCommand::ListSkus {
        page,
        now_ms: now()?.as_millisecond(),
    };
    let list: SkuList = store::call(env, merchant, &command).await?;
    json_reply(req, &list, Freshness::NoStore)
}

/// One SKU in full: levels, policy, inbound, locations, version.
pub async fn get(
    req: &Request,
    env: &Env,
    merchant: &str,
    sku: &str,
) -> Result<Response, ApiError> {
    if !is_valid_sku(sku) {
        return Err(ErrorBody::new(ErrorCode::InvalidParameter, "not a SKU")
            .with_param("sku")
            .into());
    }
    let command = StoreCommand::GetSku {
        sku: sku.to_owned(),
        now_ms: now()?.as_millisecond(),
    };
    let detail: Option<SkuDetail> = store::call(env, merchant, &command).await?;
    let detail =
        detail.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this store has no such sku"))?;
    json_reply(req, &detail, Freshness::NoStore)
}
