//! Checkout holds and what follows the sale, decided inside the merchant's
//! store: `POST /v1/holds`, `/commit`, `/release`, `/cancel`,
//! `POST /v1/fulfilments`, and `GET /v1/holds` (the open ones).

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::hold::HoldRequest;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::readback::{FulfilmentRequest, HoldList, PageQuery, is_store_id};
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, Query, check_store_id, json_reply, parse_json, raw_json_body};
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
        sku: request.sku.clone(),
        qty,
        ttl_seconds,
        now_ms: now()?.as_millisecond(),
        keyed,
    };
    let once: Once<HoldOutcome> = store::call(env, &merchant.id, &command).await?;
    read_cache::forget(&merchant.id, std::iter::once(request.sku));
    idempotency::reply(once, |outcome| answer(req, outcome, 201))
}

/// What a hold route does to an existing hold.
#[derive(Clone, Copy)]
pub enum Step {
    Commit,
    Release,
    /// A paid, unshipped sale called off.
    Cancel,
}

/// Commits or releases an open hold, or cancels a committed one.
pub async fn finish(
    req: &Request,
    env: &Env,
    merchant: &MerchantConfig,
    id: &str,
    step: Step,
) -> Result<Response, ApiError> {
    check_store_id(id, "hold_", "hold_id")?;
    let (id, now_ms) = (id.to_string(), now()?.as_millisecond());
    let command = match step {
        Step::Commit => StoreCommand::CommitHold { id, now_ms },
        Step::Release => StoreCommand::ReleaseHold { id, now_ms },
        Step::Cancel => StoreCommand::CancelSale { id, now_ms },
    };
    let outcome = store::call(env, &merchant.id, &command).await?;
    if let HoldOutcome::Done { hold } = &outcome {
        read_cache::forget(&merchant.id, std::iter::once(hold.sku.clone()));
    }
    answer(req, outcome, 200)
}

/// `POST /v1/fulfilments`: a committed sale shipped.
pub async fn fulfil(
    req: &mut Request,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let request: FulfilmentRequest = parse_json(&body)?;
    if !is_store_id(&request.hold_id, "hold_") {
        return Err(
            ErrorBody::new(ErrorCode::InvalidRequest, "not a hold id (hold_…)")
                .with_param("hold_id")
                .into(),
        );
    }
    let command = StoreCommand::Fulfil {
        id: request.hold_id,
        now_ms: now()?.as_millisecond(),
    };
    let outcome = store::call(env, &merchant.id, &command).await?;
    if let HoldOutcome::Done { hold } = &outcome {
        read_cache::forget(&merchant.id, std::iter::once(hold.sku.clone()));
    }
    answer(req, outcome, 200)
}

/// `GET /v1/holds`: open holds, oldest first.
pub async fn list(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, false)?;
    let holds: HoldList = store::call(env, merchant, &StoreCommand::ListHolds { page }).await?;
    json_reply(req, &holds, Freshness::NoStore)
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
        HoldOutcome::NotCommitted { hold } => Err(ApiError::new(
            ErrorCode::HoldNotCommitted,
            [
                "the hold is ",
                hold.state.as_str(),
                ": only a paid, unshipped sale can be shipped or cancelled",
            ]
            .concat(),
        )),
    }
}
