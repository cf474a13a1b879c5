//! Orders, the Worker's half: `POST /v1/orders`, reading them back, the
//! merchant's steps (ship, cancel, refund), and the buyer's page and
//! answers at `/v1/order-status/{token}`. Everything is decided in the
//! merchant's store (`store/orders.rs`); these handlers check input and
//! map outcomes to answers.

use upfront_shared::email::Language;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::order::page::{OrderPage, Outcome};
use upfront_shared::order::{
    BuyerAnswer, Order, OrderList, OrderRequest, OrderShipment, OrderStatus, token_merchant,
    validate_order, validate_shipment,
};
use upfront_shared::readback::PageQuery;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, Query, json_reply, link_page, parse_json, raw_json_body};
use crate::store::{self, OrderOutcome, OrderStep, StoreCommand};

const MAX_BODY_BYTES: usize = 64 * 1024;
/// A form post of the order page: two short fields.
const MAX_FORM_BYTES: usize = 1024;

/// `POST /v1/orders`: 201 with the new order, 200 with the stored one
/// when the same order comes again.
pub async fn create(req: &mut Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let body = raw_json_body(req, MAX_BODY_BYTES).await?;
    let request: OrderRequest = parse_json(&body)?;
    let request = validate_order(request)?;
    let fingerprint = upfront_shared::keys::hash(
        &serde_json::to_string(&request).map_err(|e| worker::Error::RustError(e.to_string()))?,
    );
    let command = StoreCommand::CreateOrder {
        request,
        fingerprint,
        skip_unknown_skus: false,
        now_ms: now()?.as_millisecond(),
    };
    answer(req, store::call(env, merchant, &command).await?)
}

/// `GET /v1/orders?status=&limit=&cursor=`.
pub async fn list(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let mut status = None;
    let mut rest = Vec::new();
    for (name, value) in query.iter() {
        if name == "status" {
            status = Some(parse_status(value)?);
        } else {
            rest.push((name.clone(), value.clone()));
        }
    }
    let page = PageQuery::parse(&rest, false)?;
    let before = page
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ErrorBody::new(ErrorCode::InvalidParameter, "not a cursor of this list")
                    .with_param("cursor")
            })
        })
        .transpose()?;
    let command = StoreCommand::ListOrders {
        status,
        limit: page.limit,
        before,
    };
    let list: OrderList = store::call(env, merchant, &command).await?;
    json_reply(req, &list, Freshness::NoStore)
}

fn parse_status(value: &str) -> Result<OrderStatus, ApiError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|_| {
        ErrorBody::new(
            ErrorCode::InvalidParameter,
            "status is awaiting_shipment, awaiting_answer, delayed, shipped, delivered, refund_due or refunded",
        )
        .with_param("status")
        .into()
    })
}

/// `GET /v1/orders/{id}` with the merchant's key.
pub async fn get(req: &Request, env: &Env, merchant: &str, id: &str) -> Result<Response, ApiError> {
    check_order_id(id)?;
    let command = StoreCommand::GetOrder { id: id.to_owned() };
    let order: Option<Order> = store::call(env, merchant, &command).await?;
    let order = order.ok_or_else(no_such_order)?;
    json_reply(req, &order, Freshness::NoStore)
}

/// `GET /v1/orders/{id}` with the buyer's token (`Authorization: Bearer
/// ot_…`): the order as its page shows it, for apps.
pub async fn get_as_buyer(
    req: &Request,
    env: &Env,
    token: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let order = buyer_order(env, token).await?;
    if order.id != id {
        return Err(no_such_order());
    }
    json_reply(req, &order, Freshness::NoStore)
}

/// The merchant's steps: ship (with carrier and tracking), cancel, refund.
pub async fn step(
    req: &mut Request,
    env: &Env,
    merchant: &str,
    id: &str,
    kind: MerchantStep,
) -> Result<Response, ApiError> {
    check_order_id(id)?;
    let step = match kind {
        MerchantStep::Ship => {
            let body = raw_json_body(req, MAX_BODY_BYTES).await?;
            let shipment: OrderShipment = parse_json(&body)?;
            validate_shipment(&shipment, now()?)?;
            OrderStep::Ship { shipment }
        }
        MerchantStep::Cancel => OrderStep::Cancel,
        MerchantStep::Refund => OrderStep::Refund,
    };
    let shipped = matches!(step, OrderStep::Ship { .. });
    let command = StoreCommand::StepOrder {
        id: id.to_owned(),
        by_token: false,
        step,
        now_ms: now()?.as_millisecond(),
    };
    let outcome = store::call(env, merchant, &command).await?;
    if shipped {
        // A new shipment for the learned lanes, as `POST /v1/shipments`.
        crate::shipments::forget_model(merchant);
    }
    answer(req, outcome)
}

#[derive(Clone, Copy)]
pub enum MerchantStep {
    Ship,
    Cancel,
    Refund,
}

/// `GET /v1/order-status/{token}`: the buyer's page. Opening it changes
/// nothing.
pub async fn page(env: &Env, token: &str) -> Result<Response, ApiError> {
    let order = buyer_order(env, token).await?;
    let merchant = token_merchant(token).unwrap_or_default();
    render(env, merchant, &order, None, 200).await
}

/// `POST /v1/order-status/{token}`: the buyer's answer, from the page's
/// form (`answer=consent|cancel&notice=N`, answered with the page) or from
/// an app (the same as JSON, answered with the order).
pub async fn answer_notice(
    req: &mut Request,
    env: &Env,
    token: &str,
) -> Result<Response, ApiError> {
    let merchant = token_merchant(token).ok_or_else(no_such_order)?;
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let from_form = content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded");
    let (answer, notice) = if from_form {
        let body = req.bytes().await?;
        if body.len() > MAX_FORM_BYTES {
            return Err(ApiError::new(
                ErrorCode::BodyTooLarge,
                "the form is at most 1 KiB",
            ));
        }
        parse_form(&body)?
    } else {
        let body = raw_json_body(req, MAX_FORM_BYTES).await?;
        let answer: NoticeAnswer = parse_json(&body)?;
        (answer.answer, answer.notice)
    };
    let command = StoreCommand::StepOrder {
        id: token.to_owned(),
        by_token: true,
        step: OrderStep::Answer { answer, notice },
        now_ms: now()?.as_millisecond(),
    };
    let outcome: Option<OrderOutcome> = store::call_existing(env, merchant, &command).await?;
    let outcome = outcome.ok_or_else(no_such_order)?;
    if !from_form {
        return answer_json(req, outcome);
    }
    let (order, shown, status) = match outcome {
        OrderOutcome::Done { order, .. } => {
            let shown = match answer {
                BuyerAnswer::Consent => Outcome::Consented,
                BuyerAnswer::Cancel => Outcome::Cancelled,
            };
            (order, Some(shown), 200)
        }
        OrderOutcome::Superseded { order } => (order, Some(Outcome::Superseded), 409),
        // Already answered, or the rule ended it: the page says where it stands.
        OrderOutcome::NotOpen { order } => (order, None, 409),
        _ => return Err(no_such_order()),
    };
    render(env, merchant, &order, shown, status).await
}

/// The JSON form of a buyer's answer.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeAnswer {
    answer: BuyerAnswer,
    notice: u32,
}

fn parse_form(body: &[u8]) -> Result<(BuyerAnswer, u32), ApiError> {
    let bad = |param: &str| {
        ApiError::from(
            ErrorBody::new(
                ErrorCode::InvalidRequest,
                "answer is consent or cancel, with the notice's number",
            )
            .with_param(param),
        )
    };
    let mut answer = None;
    let mut notice = None;
    // Both fields are plain ASCII words and digits: nothing to decode.
    let body = std::str::from_utf8(body).map_err(|_| bad("answer"))?;
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "answer" => {
                answer = Some(match value {
                    "consent" => BuyerAnswer::Consent,
                    "cancel" => BuyerAnswer::Cancel,
                    _ => return Err(bad("answer")),
                })
            }
            "notice" => notice = Some(value.parse::<u32>().map_err(|_| bad("notice"))?),
            _ => return Err(bad("answer")),
        }
    }
    Ok((
        answer.ok_or_else(|| bad("answer"))?,
        notice.ok_or_else(|| bad("notice"))?,
    ))
}

async fn buyer_order(env: &Env, token: &str) -> Result<Order, ApiError> {
    let merchant = token_merchant(token).ok_or_else(no_such_order)?;
    let command = StoreCommand::OrderByToken {
        token: token.to_owned(),
    };
    let order: Option<Option<Order>> = store::call_existing(env, merchant, &command).await?;
    order.flatten().ok_or_else(no_such_order)
}

async fn render(
    env: &Env,
    merchant: &str,
    order: &Order,
    outcome: Option<Outcome>,
    status: u16,
) -> Result<Response, ApiError> {
    let settings: upfront_shared::merchant::Settings =
        store::call(env, merchant, &StoreCommand::GetSettings).await?;
    let html = OrderPage {
        shop: &settings.display_name,
        order,
        language: Language::of(order.locale.as_deref()),
        outcome,
    }
    .render();
    Ok(link_page(html, status)?)
}

fn answer(req: &Request, outcome: OrderOutcome) -> Result<Response, ApiError> {
    match outcome {
        OrderOutcome::Done { order, created } => Ok(json_reply(req, &order, Freshness::NoStore)?
            .with_status(if created { 201 } else { 200 })),
        other => answer_json(req, other),
    }
}

fn answer_json(req: &Request, outcome: OrderOutcome) -> Result<Response, ApiError> {
    match outcome {
        OrderOutcome::Done { order, .. } => json_reply(req, &order, Freshness::NoStore),
        OrderOutcome::NotFound => Err(no_such_order()),
        OrderOutcome::Exists => Err(ErrorBody::new(
            ErrorCode::OrderExists,
            "an order with this id exists with different content",
        )
        .with_param("id")
        .into()),
        OrderOutcome::UnknownSku { index } => Err(ErrorBody::new(
            ErrorCode::InvalidRequest,
            "this store has no such sku",
        )
        .with_param(format!("lines[{index}].sku"))
        .into()),
        OrderOutcome::BadToken { index, expired } => Err(if expired {
            ErrorBody::new(
                ErrorCode::PromiseTokenExpired,
                "this promise held for orders until its order_by: ask for availability again",
            )
        } else {
            ErrorBody::new(
                ErrorCode::InvalidPromiseToken,
                "not a promise this store made for this line (SKU, a quantity at least the line's, the order's destination)",
            )
        }
        .with_param(format!("lines[{index}].promise_token"))
        .into()),
        OrderOutcome::NotOpen { order } => Err(ApiError::new(
            ErrorCode::OrderNotOpen,
            [
                "the order is ",
                order.status.as_str(),
                ": this step does not apply",
            ]
            .concat(),
        )),
        OrderOutcome::Superseded { order } => Err(ApiError::new(
            ErrorCode::NoticeSuperseded,
            format!(
                "notice {} replaced the one answered: answer that one",
                order.obligation.notices
            ),
        )),
    }
}

/// The buyer's token, when the `Authorization` header carries one.
pub fn buyer_bearer(req: &Request) -> Option<String> {
    let header = req.headers().get("Authorization").ok()??;
    let token = header.strip_prefix("Bearer ")?.trim();
    token_merchant(token).is_some().then(|| token.to_owned())
}

fn check_order_id(id: &str) -> Result<(), ApiError> {
    if upfront_shared::sku::is_valid_sku(id) {
        Ok(())
    } else {
        Err(
            ErrorBody::new(ErrorCode::InvalidParameter, "not an order id")
                .with_param("order_id")
                .into(),
        )
    }
}

fn no_such_order() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such order")
}
