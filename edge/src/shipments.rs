//! `POST /v1/shipments`, and the per-isolate cache of each merchant's
//! learned forecast (handling, transit, recalibrated levels) that
//! availability reads use.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use upfront_shared::merchant::MerchantConfig;
use upfront_shared::promise::config::{merchant_today, on_time_target};
use upfront_shared::promise::forecast::{Forecast, ForecastInputs, ForecastSettings};
use upfront_shared::promise::shipments::{RecordResult, ShipmentEvents, validate_events};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::delivery_config;
use crate::error::ApiError;
use crate::http::{Freshness, json_body, json_reply};
use crate::store::{self, StoreCommand};

/// 1,000 events of a few hundred bytes each.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Transit moves over days, not seconds: a model refit every five minutes
/// per isolate is fresh enough and keeps the store's work tiny.
const MODEL_TTL_MS: f64 = 5.0 * 60.0 * 1000.0;

struct Entry {
    fitted_ms: f64,
    model: Rc<Forecast>,
}

thread_local! {
    static MODELS: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

pub async fn record(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let events: ShipmentEvents = json_body(req, MAX_BODY_BYTES).await?;
    let now = now()?;
    validate_events(&events, now)?;
    let result: RecordResult = store::call(
        env,
        &merchant.id,
        &StoreCommand::RecordShipments {
            items: events.items,
            now_ms: now.as_millisecond(),
        },
    )
    .await?;
    forget_model(&merchant.id);
    json_reply(req, &result, Freshness::NoStore)
}

/// `GET /v1/delivery-forecast`: what the merchant's learned promises rest
/// on now, from the same forecast the reads use.
pub async fn summary(
    req: &Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let config = delivery_config::load(env, merchant).await?;
    let forecast = model(env, merchant).await?;
    let today = merchant_today(config.as_deref(), now()?);
    let target = on_time_target(config.as_deref());
    let warehouses = config
        .as_deref()
        .map(|c| {
            c.warehouses
                .iter()
                .map(|w| w.id.as_str())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    json_reply(
        req,
        &forecast.summary(target, today, warehouses),
        Freshness::NoStore,
    )
}

/// Drops this isolate's learned model of `merchant` and the answers made
/// with it: the next read refits from the shipments stored.
pub fn forget_model(merchant: &str) {
    MODELS.with_borrow_mut(|models| models.remove(merchant));
    crate::answer_cache::forget_merchant(merchant);
}

/// The merchant's learned forecast, refit at most every five minutes.
pub async fn model(env: &Env, merchant: &MerchantConfig) -> Result<Rc<Forecast>, ApiError> {
    let now = now()?;
    let now_ms = now.as_millisecond() as f64;
    let cached = MODELS.with_borrow(|models| {
        models
            .get(&merchant.id)
            .filter(|e| now_ms - e.fitted_ms < MODEL_TTL_MS)
            .map(|e| Rc::clone(&e.model))
    });
    if let Some(model) = cached {
        return Ok(model);
    }
    // The merchant's day, as the store counts its days.
    let config = delivery_config::load(env, merchant).await?;
    let today = merchant_today(config.as_deref(), now);
    let target = on_time_target(config.as_deref());
    let inputs: ForecastInputs =
        store::call(env, &merchant.id, &StoreCommand::ForecastInputs { today }).await?;
    let model = Rc::new(Forecast::from_inputs(
        &inputs,
        today,
        target,
        &ForecastSettings::default(),
    ));
    MODELS.with_borrow_mut(|models| {
        models.insert(
            merchant.id.clone(),
            Entry {
                fitted_ms: now_ms,
                model: Rc::clone(&model),
            },
        );
    });
    Ok(model)
}
