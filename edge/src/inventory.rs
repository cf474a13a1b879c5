//! `POST /v1/inventory`: the merchant's bulk stock write.

use upfront_shared::api::{InventoryUpsert, UpsertResult};
use upfront_shared::ingest::validate_upsert;
use upfront_shared::merchant::MerchantConfig;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply, parse_json, raw_json_body};
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
        merchant: merchant.id.clone(),
        items: upsert.items,
        now_ms: now()?.as_millisecond(),
        keyed,
    };
    let once: Once<UpsertResult> = store::call(env, &command).await?;
    idempotency::reply(once, |result| json_reply(req, &result, Freshness::NoStore))
}
