//! `GET /v1/availability/{sku}`, `POST /v1/availability/batch` and its
//! `GET /v1/availability?skus=…` form: the public reads. One Durable Object stock read per request, whatever the
//! count; the delivery configuration and learned forecast come from
//! per-isolate caches and cost a call only when those expire.

use std::rc::Rc;

use jiff::Timestamp;
use upfront_shared::answer::{DeliveryContext, StockSnapshot, availability};
use upfront_shared::api::{BatchRequest, BatchResponse, BatchResult};
use upfront_shared::batch::{batch_from_query, item_qty, validate_batch};
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::offer::ProductJsonLd;
use upfront_shared::promise::config::{Compiled, merchant_today};
use upfront_shared::promise::engine::Destination;
use upfront_shared::promise::forecast::Forecast;
use upfront_shared::query::Destination as QueryDestination;
use upfront_shared::query::{AvailabilityQuery, parse_availability_query};
use upfront_shared::sku::is_valid_sku;
use worker::{Env, Request, web_sys};

use crate::answer_cache::{Lookup, Question};
use crate::delivery_config;
use crate::error::ApiError;
use crate::http::{Freshness, PreparedReply, Query, parse_json, raw_json_body};
use crate::read_cache;
use crate::shipments;
use crate::store::KeyGrant;
use crate::store::{self, SkuRecord, StoreCommand};

/// Batches are small: 100 items of short SKUs fit in a few KiB.
const MAX_BATCH_BODY_BYTES: usize = 64 * 1024;

pub async fn get(
    req: &Request,
    url: &str,
    query: &Query,
    env: &Env,
    grant: &KeyGrant,
    sku: &str,
) -> Result<web_sys::Response, ApiError> {
    // A cached answer was made for this very URL, which was valid then and
    // is now: the hot path skips parsing and validation.
    let question = Question::new(env, &grant.merchant.id, url.as_bytes());
    let fresh = match question.lookup() {
        Lookup::Hit(hit) => return hit.send(req),
        Lookup::Miss => false,
        Lookup::Renew => true,
    };
    let query = parse_availability_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let answer = answer_one(env, grant, &query, sku, fresh).await?;
    remembered_reply(req, question, &answer)
}

/// `GET /v1/availability/{sku}/offer`: the same answer as schema.org JSON-LD,
/// for a merchant's backend to put in its own product page's HTML.
pub async fn offer(
    req: &Request,
    url: &str,
    query: &Query,
    env: &Env,
    grant: &KeyGrant,
    sku: &str,
) -> Result<web_sys::Response, ApiError> {
    let question = Question::new(env, &grant.merchant.id, url.as_bytes());
    let fresh = match question.lookup() {
        Lookup::Hit(hit) => return hit.send(req),
        Lookup::Miss => false,
        Lookup::Renew => true,
    };
    let asked = parse_availability_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let answer = answer_one(env, grant, &asked, sku, fresh).await?;
    let (config, _) = promise_inputs(env, &grant.merchant).await?;
    let today = merchant_today(config.as_deref(), now()?);
    let country = answer.delivery_options.first().and(
        asked
            .destination
            .country
            .as_deref()
            .or(config.as_deref().map(|c| c.default_country.as_str())),
    );
    let ld = ProductJsonLd::of(
        &answer,
        today,
        country,
        asked.destination.postal_code.as_deref(),
    );
    remembered_reply(req, question, &ld)
}

/// One SKU's answer, as `GET /v1/availability/{sku}` gives it.
pub(crate) async fn answer_one(
    env: &Env,
    grant: &KeyGrant,
    query: &AvailabilityQuery,
    sku: &str,
    fresh: bool,
) -> Result<upfront_shared::api::Availability, ApiError> {
    let (merchant, promise_key) = (&grant.merchant, grant.promise_key.as_str());
    if !is_valid_sku(sku) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidParameter,
            "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
        )
        .with_param("sku")
        .into());
    }
    let snapshot = read(env, merchant, vec![sku.to_string()], fresh)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this store has no such sku"))?;
    let (config, forecast) = promise_inputs(env, merchant).await?;
    let destination = destination(config.as_deref(), &query.destination);
    let context = delivery_context(
        config.as_deref(),
        &destination,
        forecast.as_deref(),
        query.locale.as_deref(),
        promise_key,
    );
    Ok(availability(
        &snapshot,
        query.qty,
        now()?,
        merchant.freshness_limit(),
        context,
    ))
}

/// Serializes `answer`, keeps it for the next identical question, replies.
fn remembered_reply<T: serde::Serialize>(
    req: &Request,
    question: Question<'_>,
    answer: &T,
) -> Result<web_sys::Response, ApiError> {
    let body = serde_json::to_vec(answer).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let reply = Rc::new(PreparedReply::new(&body, Freshness::Live)?);
    let response = reply.send(req);
    question.remember(reply);
    response
}

pub async fn batch(
    req: &mut Request,
    env: &Env,
    grant: &KeyGrant,
) -> Result<web_sys::Response, ApiError> {
    let merchant = &grant.merchant;
    let body = raw_json_body(req, MAX_BATCH_BODY_BYTES).await?;
    // As for single reads: a cached answer was made for this very body, which
    // parsed and validated then, so a hit skips both.
    let question = Question::new(env, &merchant.id, body.as_slice());
    let fresh = match question.lookup() {
        Lookup::Hit(hit) => return hit.send(req),
        Lookup::Miss => false,
        Lookup::Renew => true,
    };
    let request: BatchRequest = parse_json(&body)?;
    validate_batch(&request)?;
    answer_batch(req, env, grant, question, fresh, request).await
}

/// `GET /v1/availability?skus=…`: the batch a page's widgets need, in one
/// request without a preflight, cached by its URL like a single read.
pub async fn batch_get(
    req: &Request,
    url: &str,
    query: &Query,
    env: &Env,
    grant: &KeyGrant,
) -> Result<web_sys::Response, ApiError> {
    let question = Question::new(env, &grant.merchant.id, url.as_bytes());
    let fresh = match question.lookup() {
        Lookup::Hit(hit) => return hit.send(req),
        Lookup::Miss => false,
        Lookup::Renew => true,
    };
    let request = batch_from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    answer_batch(req, env, grant, question, fresh, request).await
}

/// Answers a validated batch, each item on its own.
async fn answer_batch(
    req: &Request,
    env: &Env,
    grant: &KeyGrant,
    question: Question<'_>,
    fresh: bool,
    request: BatchRequest,
) -> Result<web_sys::Response, ApiError> {
    let (merchant, promise_key) = (&grant.merchant, grant.promise_key.as_str());
    let valid_skus: Vec<String> = request
        .items
        .iter()
        .filter(|item| item_qty(item).is_ok())
        .map(|item| item.sku.clone())
        .collect();
    let snapshots = if valid_skus.is_empty() {
        Vec::new()
    } else {
        read(env, merchant, valid_skus, fresh).await?
    };
    let now = now()?;
    let (config, forecast) = promise_inputs(env, merchant).await?;
    let destination = destination(
        config.as_deref(),
        &QueryDestination {
            country: request.country.clone(),
            postal_code: request.postal_code.clone(),
        },
    );
    let context = delivery_context(
        config.as_deref(),
        &destination,
        forecast.as_deref(),
        request.locale.as_deref(),
        promise_key,
    );
    let results = request
        .items
        .iter()
        .map(|item| {
            let outcome = item_qty(item).and_then(|qty| {
                let snapshot = snapshots
                    .iter()
                    .find(|s| s.sku == item.sku)
                    .ok_or_else(|| {
                        ErrorBody::new(ErrorCode::NotFound, "this store has no such sku")
                            .with_param("sku")
                            .error
                    })?;
                Ok(availability(
                    snapshot,
                    qty,
                    now,
                    merchant.freshness_limit(),
                    context,
                ))
            });
            match outcome {
                Ok(answer) => BatchResult {
                    sku: item.sku.clone(),
                    availability: Some(answer),
                    error: None,
                },
                Err(error) => BatchResult {
                    sku: item.sku.clone(),
                    availability: None,
                    error: Some(error),
                },
            }
        })
        .collect();
    remembered_reply(req, question, &BatchResponse { results })
}

/// The shopper's destination, or the merchant's home country when the
/// request names none.
fn destination(config: Option<&Compiled>, asked: &QueryDestination) -> Destination {
    Destination {
        country: asked
            .country
            .clone()
            .or_else(|| config.map(|c| c.default_country.clone()))
            .unwrap_or_default(),
        postal_code: asked.postal_code.clone(),
    }
}

fn delivery_context<'a>(
    config: Option<&'a Compiled>,
    destination: &'a Destination,
    forecast: Option<&'a Forecast>,
    locale: Option<&'a str>,
    promise_key: &'a str,
) -> Option<DeliveryContext<'a>> {
    config.map(|config| DeliveryContext {
        config,
        destination,
        forecast,
        locale,
        promise_key: Some(promise_key),
    })
}

/// The merchant's delivery configuration and, when it has one, the
/// forecast learned from its reported shipments.
async fn promise_inputs(
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<(Option<Rc<Compiled>>, Option<Rc<Forecast>>), ApiError> {
    let Some(config) = delivery_config::load(env, merchant).await? else {
        return Ok((None, None));
    };
    let forecast = shipments::model(env, merchant).await?;
    Ok((Some(config), Some(forecast)))
}

/// Reads through the isolate's micro-cache: one Durable Object call for
/// whatever it does not hold, none when it holds everything. `fresh` skips
/// the cache (and refills it).
async fn read(
    env: &Env,
    merchant: &MerchantConfig,
    skus: Vec<String>,
    fresh: bool,
) -> Result<Vec<StockSnapshot>, ApiError> {
    let now_ms = worker::Date::now().as_millis() as f64;
    let (mut records, misses) = if fresh {
        (Vec::new(), skus)
    } else {
        read_cache::lookup(&merchant.id, skus, now_ms, read_cache::ttl_ms(env))
    };
    if !misses.is_empty() {
        let stored: Vec<SkuRecord> = store::call(
            env,
            &merchant.id,
            &StoreCommand::Read {
                skus: misses.clone(),
            },
        )
        .await?;
        read_cache::store(&merchant.id, &misses, &stored, now_ms);
        records.extend(stored);
    }
    records
        .into_iter()
        .map(|r| r.snapshot().map_err(ApiError::from))
        .collect()
}

pub fn now() -> Result<Timestamp, ApiError> {
    Timestamp::from_millisecond(worker::Date::now().as_millis() as i64)
        .map_err(|e| worker::Error::RustError(e.to_string()).into())
}
