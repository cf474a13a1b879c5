//! `PUT` and `GET /v1/delivery-config`, and the per-isolate cache of each merchant's
//! compiled configuration that every availability read uses.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::promise::config::{Compiled, DeliveryConfig};
use worker::{Env, Request, Response};

use crate::error::ApiError;
use crate::http::{Freshness, json_body, json_reply};
use crate::store::{self, StoreCommand};

/// 10 methods of 2,000 lanes at ~80 bytes each, with room to spare.
const MAX_BODY_BYTES: usize = 2 << 20;

/// How old a compiled configuration another isolate may answer with: the
/// read cache's default bound, kept apart from `READ_CACHE_MS` so turning
/// the stock cache off (as the benchmark's uncached target does) leaves
/// configuration reads as deployed.
const CONFIG_CACHE_MS: f64 = 1_000.0;

struct Entry {
    fetched_ms: f64,
    compiled: Option<Rc<Compiled>>,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

/// Validates the whole configuration, then stores it: nothing is stored
/// when any value breaks a rule.
pub async fn put(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let config: DeliveryConfig = json_body(req, MAX_BODY_BYTES).await?;
    let compiled = config.compile().map_err(|e| {
        ApiError::from(ErrorBody::new(ErrorCode::InvalidRequest, e.message).with_param(e.param))
    })?;
    let stored: DeliveryConfig = store::call(
        env,
        &merchant.id,
        &StoreCommand::PutDeliveryConfig { config },
    )
    .await?;
    remember(&merchant.id, Some(Rc::new(compiled)), now_ms());
    crate::answer_cache::forget_merchant(&merchant.id);
    json_reply(req, &stored, Freshness::NoStore)
}

/// `GET /v1/delivery-config`: the configuration as written.
pub async fn get(req: &Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let stored: Option<DeliveryConfig> =
        store::call(env, merchant, &StoreCommand::GetDeliveryConfig).await?;
    let stored = stored.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "no delivery configuration was written yet",
        )
    })?;
    json_reply(req, &stored, Freshness::NoStore)
}

/// The merchant's compiled configuration, at most `CONFIG_CACHE_MS` old;
/// `None` when the merchant has configured no delivery yet.
pub async fn load(env: &Env, merchant: &MerchantConfig) -> Result<Option<Rc<Compiled>>, ApiError> {
    let now = now_ms();
    let ttl = CONFIG_CACHE_MS;
    let cached = CACHE.with_borrow(|cache| {
        cache
            .get(&merchant.id)
            .filter(|entry| now - entry.fetched_ms < ttl)
            .map(|entry| entry.compiled.clone())
    });
    if let Some(compiled) = cached {
        return Ok(compiled);
    }
    let stored: Option<DeliveryConfig> =
        store::call(env, &merchant.id, &StoreCommand::GetDeliveryConfig).await?;
    // A stored configuration was valid when written; if a newer build's
    // rules refuse it, serving no promise beats serving a wrong one.
    let compiled = stored.and_then(|c| c.compile().ok()).map(Rc::new);
    remember(&merchant.id, compiled.clone(), now);
    Ok(compiled)
}

fn remember(merchant: &str, compiled: Option<Rc<Compiled>>, fetched_ms: f64) {
    CACHE.with_borrow_mut(|cache| {
        cache.insert(
            merchant.to_owned(),
            Entry {
                fetched_ms,
                compiled,
            },
        );
    });
}

fn now_ms() -> f64 {
    worker::Date::now().as_millis() as f64
}
