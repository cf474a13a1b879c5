//! `/v1/keys` and `/v1/settings`: a merchant manages its own keys and
//! settings with its secret key. Changes are live in this isolate at once
//! and everywhere within the key cache's life (`auth.rs`).

use upfront_shared::accounts::{NewKey, RollKey};
use upfront_shared::error::ErrorCode;
use upfront_shared::merchant::{Settings, SettingsPatch};
use worker::{Env, Request, Response};

use crate::auth;
use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, check_store_id, json_reply, parse_json, raw_json_body};
use crate::store::{self, KeyOutcome, StoreCommand};

const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_SETTINGS_BYTES: usize = 64 * 1024;

pub async fn settings(req: &Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let settings: Settings = store::call(env, merchant, &StoreCommand::GetSettings).await?;
    json_reply(req, &settings, Freshness::NoStore)
}

pub async fn update_settings(
    req: &mut Request,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_SETTINGS_BYTES).await?;
    let patch: SettingsPatch = parse_json(&body)?;
    patch.validate()?;
    let settings: Settings =
        store::call(env, merchant, &StoreCommand::UpdateSettings { patch }).await?;
    auth::forget_merchant(merchant);
    json_reply(req, &settings, Freshness::NoStore)
}

pub async fn list(req: &Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let now_ms = now()?.as_millisecond();
    let keys: upfront_shared::accounts::KeyList =
        store::call(env, merchant, &StoreCommand::ListKeys { now_ms }).await?;
    json_reply(req, &keys, Freshness::NoStore)
}

pub async fn create(req: &mut Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let request: NewKey = parse_json(&body)?;
    request.validate()?;
    let command = StoreCommand::CreateKey {
        request,
        now_ms: now()?.as_millisecond(),
    };
    answer(req, store::call(env, merchant, &command).await?)
}

/// An empty body rolls with no grace period.
pub async fn roll(
    req: &mut Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "key_", "key_id")?;
    // No body at all (`curl -X POST …/roll`) means the defaults, like Stripe's.
    let headers = req.headers();
    let bodiless = headers.get("Content-Type")?.is_none()
        && headers
            .get("Content-Length")?
            .is_none_or(|length| length.trim() == "0")
        && headers.get("Transfer-Encoding")?.is_none();
    let request: RollKey = if bodiless {
        RollKey::default()
    } else {
        parse_json(&raw_json_body(req, MAX_BODY_BYTES).await?)?
    };
    request.validate()?;
    let command = StoreCommand::RollKey {
        id: id.to_owned(),
        grace_seconds: request.grace_seconds,
        now_ms: now()?.as_millisecond(),
    };
    let outcome = store::call(env, merchant, &command).await?;
    auth::forget_merchant(merchant);
    answer(req, outcome)
}

pub async fn revoke(
    req: &Request,
    env: &Env,
    merchant: &str,
    id: &str,
) -> Result<Response, ApiError> {
    check_store_id(id, "key_", "key_id")?;
    let command = StoreCommand::RevokeKey {
        id: id.to_owned(),
        now_ms: now()?.as_millisecond(),
    };
    let outcome = store::call(env, merchant, &command).await?;
    auth::forget_merchant(merchant);
    answer(req, outcome)
}

fn answer(req: &Request, outcome: KeyOutcome) -> Result<Response, ApiError> {
    match outcome {
        KeyOutcome::Issued { issued } => {
            Ok(json_reply(req, &issued, Freshness::NoStore)?.with_status(201))
        }
        KeyOutcome::Revoked { key } => json_reply(req, &key, Freshness::NoStore),
        KeyOutcome::UnknownKey => Err(ApiError::new(ErrorCode::NotFound, "no such working key")),
        KeyOutcome::SecretKeyNotRevocable => Err(ApiError::new(
            ErrorCode::SecretKeyNotRevocable,
            "the secret key is rolled, never revoked: POST /v1/keys/{key_id}/roll",
        )),
    }
}
