//! `PUT` and `GET /v1/guard-rules`, `GET /v1/guards`: the promotion guard's
//! rules and where every guarded SKU stands. The rules are
//! `upfront_shared::guard`; the levels move in the merchant's store.

use upfront_shared::guard::GuardList;
use upfront_shared::guard::rules::GuardRules;
use upfront_shared::merchant::MerchantConfig;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_body, json_reply};
use crate::store::{self, StoreCommand};

/// 100 rules of 1,000 SKUs at ~70 bytes each, with room to spare.
const MAX_BODY_BYTES: usize = 8 << 20;

/// Validates the whole set, stores it, and moves every guarded SKU's level
/// at once (webhooks for each move).
pub async fn put_rules(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let rules: GuardRules = json_body(req, MAX_BODY_BYTES).await?;
    rules.validate()?;
    let now_ms = now()?.as_millisecond();
    let stored: GuardRules = store::call(
        env,
        &merchant.id,
        &StoreCommand::PutGuardRules { rules, now_ms },
    )
    .await?;
    json_reply(req, &stored, Freshness::NoStore)
}

pub async fn get_rules(req: &Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let rules: GuardRules = store::call(env, merchant, &StoreCommand::GetGuardRules).await?;
    json_reply(req, &rules, Freshness::NoStore)
}

pub async fn list(req: &Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let now_ms = now()?.as_millisecond();
    let list: GuardList = store::call(env, merchant, &StoreCommand::ListGuards { now_ms }).await?;
    json_reply(req, &list, Freshness::NoStore)
}
