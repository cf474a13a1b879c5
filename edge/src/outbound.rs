//! Webhooks to merchants, the Worker's half: the `/v1/webhook-*` routes,
//! and the `OUTBOX` queue's producer and consumer (which also takes emails,
//! `em_…`, for `crate::email`). The merchant's store
//! keeps every delivery's state (`store/outbox.rs`); a queue message only
//! says "attempt this delivery now", so the queue's own at-least-once
//! redelivery can never send one twice.

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::keys::Mode;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::outbound::{
    CreatedEndpoint, Delivery, DeliveryList, EndpointList, EndpointRequest, RETRY_WINDOW_SECONDS,
    RollSecret, sign_with,
};
use worker::js_sys::{Function, Reflect, global};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{
    AbortSignal, Env, Fetch, Headers, MessageBatch, MessageBuilder, MessageExt, Method,
    QueueRetryOptionsBuilder, Request, RequestInit, Response,
};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, check_store_id, json_reply, parse_json, raw_json_body};
use crate::store::{self, AttemptOutcome, DeliveryJob, RetryPolicy, StoreCommand};

const MAX_BODY_BYTES: usize = 16 * 1024;
/// An endpoint must answer within this, or the attempt counts as failed.
const ATTEMPT_TIMEOUT_MS: u32 = 10_000;
/// The first retry's wait (doubling after); `OUTBOX_BACKOFF_SECONDS`
/// shortens it for tests, on the same code path.
const DEFAULT_BACKOFF_SECONDS: i64 = 30;

/// What the queue carries: one webhook delivery (`wd_…`) or email
/// (`em_…`) to attempt.
#[derive(Debug, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub merchant: String,
    pub delivery: String,
}

/// Sends `deliveries` of `merchant` to the `OUTBOX` queue.
pub async fn enqueue(env: &Env, merchant: &str, deliveries: Vec<String>) -> worker::Result<()> {
    let queue = env.queue("OUTBOX")?;
    // A batch holds at most 100 messages.
    for chunk in deliveries.chunks(100) {
        let messages: Vec<_> = chunk
            .iter()
            .map(|delivery| {
                MessageBuilder::new(OutboxMessage {
                    merchant: merchant.to_owned(),
                    delivery: delivery.clone(),
                })
                .build()
            })
            .collect();
        queue.send_batch(messages).await?;
    }
    Ok(())
}

/// The queue consumer: one attempt per message. A 2xx or a settled
/// delivery acknowledges the message; a failure asks the queue to bring it
/// back after the store's backoff.
pub async fn consume(batch: MessageBatch<OutboxMessage>, env: &Env) -> worker::Result<()> {
    let var = |name: &str, default: i64| {
        env.var(name)
            .ok()
            .and_then(|v| v.to_string().parse().ok())
            .unwrap_or(default)
    };
    let retry = RetryPolicy {
        backoff_base_seconds: var("OUTBOX_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS),
        window_seconds: var("OUTBOX_RETRY_WINDOW_SECONDS", RETRY_WINDOW_SECONDS),
    };
    // Merchants' messages are attempted together: one merchant's slow
    // endpoint holds up its own attempts (10 s at most), not the others'.
    // A merchant's webhooks go one after another, in the order their
    // events happened (a guard's throttle before its stop); emails, whose
    // order no one sees, go at once.
    let messages = batch.messages()?;
    let mut lanes: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let OutboxMessage { merchant, delivery } = message.body();
        let lane = if delivery.starts_with("em_") {
            None
        } else {
            lanes.iter().position(|(m, _)| *m == merchant.as_str())
        };
        match lane {
            Some(at) => lanes[at].1.push(i),
            None => lanes.push((merchant.as_str(), vec![i])),
        }
    }
    let messages = &messages;
    let attempted = join_all(lanes.iter().map(|(_, indices)| async move {
        let mut outcomes = Vec::new();
        for &i in indices {
            let OutboxMessage { merchant, delivery } = messages[i].body();
            // One queue for both kinds of message, told apart by the id.
            let outcome = if delivery.starts_with("em_") {
                crate::email::attempt(env, merchant, delivery, retry).await
            } else {
                attempt(env, merchant, delivery, retry).await
            };
            outcomes.push((i, outcome));
        }
        outcomes
    }))
    .await;
    let mut outcomes: Vec<_> = attempted.into_iter().flatten().collect();
    outcomes.sort_by_key(|(i, _)| *i);
    for (message, (_, outcome)) in messages.iter().zip(outcomes) {
        match outcome {
            Ok(Some(delay_seconds)) => message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(delay_seconds)
                    .build(),
            ),
            Ok(None) => message.ack(),
            Err(err) => {
                let OutboxMessage { merchant, delivery } = message.body();
                worker::console_error!("delivery {delivery} of {merchant}: {err}");
                message.retry();
            }
        }
    }
    Ok(())
}

/// One attempt; `Some(delay)` when the queue should bring it back.
async fn attempt(
    env: &Env,
    merchant: &str,
    delivery: &str,
    retry: RetryPolicy,
) -> worker::Result<Option<u32>> {
    let start = StoreCommand::StartAttempt {
        id: delivery.to_owned(),
        now_ms: now_ms(),
    };
    let Some(job): Option<DeliveryJob> =
        store::call_existing(env, merchant, &start).await?.flatten()
    else {
        // Delivered, failed, deleted, or another attempt holds it.
        return Ok(None);
    };
    let status = post(&job).await;
    let finish = StoreCommand::FinishAttempt {
        id: delivery.to_owned(),
        status,
        retry,
        now_ms: now_ms(),
    };
    let outcome: AttemptOutcome = store::call(env, merchant, &finish).await?;
    Ok(outcome.retry_delay())
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// POSTs the signed event; the status, or `None` on a timeout or a
/// connection failure.
async fn post(job: &DeliveryJob) -> Option<u16> {
    let t = (worker::Date::now().as_millis() / 1000) as i64;
    let headers = Headers::new();
    headers.set("Content-Type", "application/json").ok()?;
    headers.set("User-Agent", "Upfront-Webhooks/1").ok()?;
    headers
        .set(
            "Upfront-Signature",
            &sign_with(
                &job.secrets.iter().map(String::as_str).collect::<Vec<_>>(),
                t,
                job.body.as_bytes(),
            ),
        )
        .ok()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(&job.body)));
    let request = Request::new_with_init(&job.url, &init).ok()?;
    let response = Fetch::Request(request)
        .send_with_signal(&timeout_signal(ATTEMPT_TIMEOUT_MS)?)
        .await
        .ok()?;
    Some(response.status_code())
}

/// `AbortSignal.timeout(ms)`.
fn timeout_signal(ms: u32) -> Option<AbortSignal> {
    let class = Reflect::get(&global(), &JsValue::from_str("AbortSignal")).ok()?;
    let timeout: Function = Reflect::get(&class, &JsValue::from_str("timeout"))
        .ok()?
        .dyn_into()
        .ok()?;
    let signal = timeout.call1(&class, &JsValue::from(ms)).ok()?;
    Some(AbortSignal::from(
        signal.unchecked_into::<worker::web_sys::AbortSignal>(),
    ))
}

pub async fn create_endpoint(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let request: EndpointRequest = parse_json(&raw_json_body(req, MAX_BODY_BYTES).await?)?;
    request.validate(merchant.mode == Mode::Test)?;
    let command = StoreCommand::CreateEndpoint {
        request,
        now_ms: now()?.as_millisecond(),
    };
    let created: CreatedEndpoint = store::call(env, &merchant.id, &command).await?;
    Ok(json_reply(req, &created, Freshness::NoStore)?.with_status(201))
}

pub async fn list_endpoints(
    req: &Request,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let list: EndpointList = store::call(env, merchant, &StoreCommand::ListEndpoints).await?;
    json_reply(req, &list, Freshness::NoStore)
}

/// A new signing secret, shown once; the old one also signs for
/// `grace_seconds` (0–86400), so the merchant can switch without a gap.
pub async fn roll_secret(
    req: &mut Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "we_", "endpoint_id")?;
    let request: RollSecret = parse_json(&raw_json_body(req, MAX_BODY_BYTES).await?)?;
    if !(0..=upfront_shared::accounts::MAX_GRACE_SECONDS).contains(&request.grace_seconds) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidRequest,
            "grace_seconds is 0 to 86400 (24 h)",
        )
        .with_param("grace_seconds")
        .into());
    }
    let command = StoreCommand::RollEndpointSecret {
        id: id.to_owned(),
        grace_seconds: request.grace_seconds,
        now_ms: now()?.as_millisecond(),
    };
    let rolled: Option<CreatedEndpoint> = store::call(env, merchant, &command).await?;
    let rolled =
        rolled.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such webhook endpoint"))?;
    json_reply(req, &rolled, Freshness::NoStore)
}

pub async fn delete_endpoint(
    req: &Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "we_", "endpoint_id")?;
    let command = StoreCommand::DeleteEndpoint { id: id.to_owned() };
    if !store::call::<bool>(env, merchant, &command).await? {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no such webhook endpoint",
        ));
    }
    json_reply(
        req,
        &serde_json::json!({ "id": id, "deleted": true }),
        Freshness::NoStore,
    )
}

pub async fn list_deliveries(
    req: &Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "we_", "endpoint_id")?;
    let command = StoreCommand::ListDeliveries {
        endpoint_id: id.to_owned(),
    };
    let list: Option<DeliveryList> = store::call(env, merchant, &command).await?;
    let list =
        list.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such webhook endpoint"))?;
    json_reply(req, &list, Freshness::NoStore)
}

pub async fn redeliver(
    req: &Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "wd_", "delivery_id")?;
    let command = StoreCommand::Redeliver {
        id: id.to_owned(),
        now_ms: now()?.as_millisecond(),
    };
    let delivery: Option<Delivery> = store::call(env, merchant, &command).await?;
    let delivery =
        delivery.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such delivery"))?;
    Ok(json_reply(req, &delivery, Freshness::NoStore)?.with_status(202))
}
