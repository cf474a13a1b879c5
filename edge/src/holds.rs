//! `POST /v1/holds`, `/v1/holds/{id}/commit` and `/v1/holds/{id}/release`:
//! checkout holds, with a secret key, decided inside the merchant's store.

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::hold::HoldRequest;
use upfront_shared::merchant::MerchantConfig;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply, parse_json, raw_json_body};
use crate::idempotency::{self, Once};
use crate::read_cache;
use crate::store::{self, HoldOutcome, StoreCommand};

const MAX_BODY_BYTES: usize = 16 * 1024;

pub async fn create(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let request: HoldRequest = parse_json(&body)?;
    let (qty, ttl_seconds) = request.validate()?;
    let keyed = idempotency::keyed(req, "holds", &body)?;
    let command = StoreCommand::CreateHold {
        merchant: merchant.id.clone(),
        sku: request.sku.clone(),
        qty,
        ttl_seconds,
        now_ms: now()?.as_millisecond(),
        keyed,
    };
    let once: Once<HoldOutcome> = store::call(env, &command).await?;
    read_cache::forget(&merchant.id, std::iter::once(request.sku));
    idempotency::reply(once, |outcome| answer(req, outcome, 201))
}

/// Commits (`commit = true`) or releases an open hold.
pub async fn finish(
    req: &Request,
    env: &Env,
    merchant: &MerchantConfig,
    id: &str,
    commit: bool,
) -> Result<Response, ApiError> {
    if !is_hold_id(id) {
        return Err(ErrorBody::new(ErrorCode::InvalidParameter, "not a hold id")
            .with_param("hold_id")
            .into());
    }
    let (merchant_id, id, now_ms) = (merchant.id.clone(), id.to_string(), now()?.as_millisecond());
    let command = if commit {
        StoreCommand::CommitHold {
            merchant: merchant_id,
            id,
            now_ms,
        }
    } else {
        StoreCommand::ReleaseHold {
            merchant: merchant_id,
            id,
            now_ms,
        }
    };
    let outcome = store::call(env, &command).await?;
    if let HoldOutcome::Done { hold } = &outcome {
        read_cache::forget(&merchant.id, std::iter::once(hold.sku.clone()));
    }
    answer(req, outcome, 200)
}

fn answer(req: &Request, outcome: HoldOutcome, success: u16) -> Result<Response, ApiError> {
    match outcome {
        HoldOutcome::Done { hold } => {
            Ok(json_reply(req, &hold, Freshness::NoStore)?.with_status(success))
        }
        HoldOutcome::UnknownSku => Err(ApiError::new(
            ErrorCode::NotFound,
            "this store has no such sku",
        )),
        HoldOutcome::UnknownHold => Err(ApiError::new(ErrorCode::NotFound, "no such hold")),
        HoldOutcome::Insufficient { available } => {
            let mut body = ErrorBody::new(
                ErrorCode::InsufficientStock,
                "not enough stock to hold that many",
            )
            .with_param("qty");
            body.error.available = Some(available);
            Err(body.into())
        }
        HoldOutcome::NotOpen { hold } => Err(ApiError::new(
            ErrorCode::HoldNotOpen,
            ["the hold is already ", hold.state.as_str()].concat(),
        )),
    }
}

/// `hold_` and 24 lower-case hex digits, as the store makes them.
fn is_hold_id(id: &str) -> bool {
    id.strip_prefix("hold_").is_some_and(|hex| {
        hex.len() == 24 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}
