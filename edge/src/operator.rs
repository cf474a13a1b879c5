//! `POST /v1/operator/merchants`: onboarding, for whoever deploys the
//! Worker. The credential is the Worker secret `OPERATOR_TOKEN` (locally,
//! `edge/.dev.vars`, which the demo and test scripts write).

use upfront_shared::accounts::CreateMerchant;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::keys::constant_time_eq;
use worker::js_sys::{Function, Reflect, global};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply, parse_json, raw_json_body};
use crate::store::{self, CreateOutcome, StoreCommand};

const MAX_BODY_BYTES: usize = 16 * 1024;

thread_local! {
    static DEMO_STORE_ON: std::cell::OnceCell<bool> = const { std::cell::OnceCell::new() };
}

/// Local development (`DEMO_STORE = "on"`): the operator may import the
/// demo's documented keys and seed its catalogue. Deploys set `off`, so
/// every key there is generated.
pub fn demo_store_enabled(env: &Env) -> bool {
    // A binding never changes within an isolate: read it once, not per request.
    DEMO_STORE_ON.with(|on| {
        *on.get_or_init(|| {
            env.var("DEMO_STORE")
                .map(|v| v.to_string() == "on")
                .unwrap_or(false)
        })
    })
}

pub async fn create_merchant(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    check_operator(req, env)?;
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let request: CreateMerchant = parse_json(&body)?;
    let id = match &request.id {
        Some(id) => id.clone(),
        None => generated_id()?,
    };
    request.validate(&id)?;
    if !demo_store_enabled(env) {
        for (present, param) in [
            (request.import_keys.is_some(), "import_keys"),
            (request.catalogue.is_some(), "catalogue"),
        ] {
            if present {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidRequest,
                    "local development only (DEMO_STORE=on): deployed keys are always generated",
                )
                .with_param(param)
                .into());
            }
        }
    }
    let command = StoreCommand::CreateMerchant {
        id: id.clone(),
        request,
        now_ms: now()?.as_millisecond(),
    };
    match store::call(env, &id, &command).await? {
        CreateOutcome::Created { created } => {
            Ok(json_reply(req, &created, Freshness::NoStore)?.with_status(201))
        }
        CreateOutcome::Exists => Err(ErrorBody::new(
            ErrorCode::MerchantExists,
            "a merchant with this id exists",
        )
        .with_param("id")
        .into()),
    }
}

/// The bearer token must equal `OPERATOR_TOKEN`, compared in constant time.
/// Without the secret the operator API is closed.
fn check_operator(req: &Request, env: &Env) -> Result<(), ApiError> {
    let refused = |message: &str| ApiError::new(ErrorCode::InvalidOperatorToken, message);
    let expected = env
        .secret("OPERATOR_TOKEN")
        .map(|s| s.to_string())
        .or_else(|_| env.var("OPERATOR_TOKEN").map(|v| v.to_string()))
        .ok()
        .filter(|token| token.len() >= 16)
        .ok_or_else(|| {
            refused("the operator API is closed: set the OPERATOR_TOKEN secret (16+ characters)")
        })?;
    let presented = req
        .headers()
        .get("Authorization")?
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned))
        .ok_or_else(|| refused("pass the operator token as `Authorization: Bearer …`"))?;
    if constant_time_eq(presented.trim().as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(refused("wrong operator token"))
    }
}

/// `m` and 12 random hex digits, from the runtime's `crypto.randomUUID`.
fn generated_id() -> Result<String, ApiError> {
    let crypto = Reflect::get(&global(), &JsValue::from_str("crypto"))
        .map_err(|_| worker::Error::RustError("no crypto".into()))?;
    let random_uuid: Function = Reflect::get(&crypto, &JsValue::from_str("randomUUID"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| worker::Error::RustError("no crypto.randomUUID".into()))?;
    let uuid = random_uuid
        .call0(&crypto)
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| worker::Error::RustError("randomUUID failed".into()))?;
    let hex: String = uuid
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    Ok(["m", &hex].concat())
}

/// Where tests move the order workflow's clock (`DEMO_STORE = "on"` only;
/// not in the OpenAPI document, and a 404 on deploys).
pub const TEST_CLOCK_PATH: &str = "/v1/test/clock";

/// `GET /v1/test/cache-stats`: this isolate's answer-cache lookups, for the
/// benchmark's hit rates. Local runs only, like the test clock.
pub const CACHE_STATS_PATH: &str = "/v1/test/cache-stats";

pub fn cache_stats() -> Result<Response, ApiError> {
    let [hits, misses, renewals] = crate::answer_cache::stats();
    Ok(Response::from_json(&serde_json::json!({
        "hits": hits, "misses": misses, "renewals": renewals,
    }))?)
}

/// `POST /v1/test/clock {"merchant", "advance_seconds"}` with the operator
/// token: the merchant's order clock moves forward, and the watcher looks
/// at every open order as its daily alarm would.
pub async fn advance_clock(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Advance {
        merchant: String,
        advance_seconds: i64,
    }
    check_operator(req, env)?;
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let advance: Advance = parse_json(&body)?;
    if !(0..=400 * 86_400).contains(&advance.advance_seconds) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidRequest,
            "advance_seconds is 0 to 400 days",
        )
        .with_param("advance_seconds")
        .into());
    }
    let command = StoreCommand::AdvanceTestClock {
        seconds: advance.advance_seconds,
        now_ms: now()?.as_millisecond(),
    };
    let done: Option<bool> = store::call_existing(env, &advance.merchant, &command).await?;
    if done.is_none() {
        return Err(ApiError::new(ErrorCode::NotFound, "no such merchant"));
    }
    json_reply(
        req,
        &serde_json::json!({ "advanced_seconds": advance.advance_seconds }),
        Freshness::NoStore,
    )
}
