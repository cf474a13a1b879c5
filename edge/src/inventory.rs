//! `POST /v1/inventory`: the merchant's bulk stock write.

use upfront_shared::api::{InventoryUpsert, UpsertResult};
use upfront_shared::ingest::validate_upsert;
use upfront_shared::merchant::MerchantConfig;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_body, json_reply};
use crate::read_cache;
use crate::store::{self, StoreCommand};

/// 1,000 items of a few hundred bytes each fit well inside this.
const MAX_BODY_BYTES: usize = 1 << 20;

pub async fn upsert(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let upsert: InventoryUpsert = json_body(req, MAX_BODY_BYTES).await?;
    validate_upsert(&upsert)?;
    read_cache::forget(&merchant.id, upsert.items.iter().map(|i| i.sku.clone()));
    let command = StoreCommand::Upsert {
        merchant: merchant.id.clone(),
        items: upsert.items,
        now_ms: now()?.as_millisecond(),
    };
    let result: UpsertResult = store::call(env, &command).await?;
    json_reply(req, &result, Freshness::NoStore)
}
