//! Who may not be written to, and what was written: the one-click
//! unsubscribe link (RFC 8058), the merchant's suppression list, and the
//! email log.

use upfront_shared::email::records::{EmailLog, Suppression, SuppressionList, SuppressionRequest};
use upfront_shared::email::unsubscribe::Token;
use upfront_shared::error::ErrorCode;
use upfront_shared::readback::PageQuery;
use upfront_shared::subscription::erasure_email;
use worker::{Env, Request, Response};

use crate::availability::now;
use crate::error::ApiError;
use crate::http::{Freshness, Query, json_body, json_reply, link_page};
use crate::store::{self, StoreCommand};

const MAX_BODY_BYTES: usize = 4 << 10;

/// `GET /v1/unsubscribe/{token}`: a page with one button. Opening a link
/// must change nothing: mail scanners follow every link in a message.
pub fn page(token: &str) -> Result<Response, ApiError> {
    Token::parse(token).ok_or_else(not_ours)?;
    html(
        "Unsubscribe",
        "<h1>Unsubscribe</h1><p>Stop this shop's stock alerts to this address?</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Unsubscribe</button></form>",
    )
}

/// `POST /v1/unsubscribe/{token}`: the one-click unsubscribe, from the mail
/// client (RFC 8058) or the page's button. No login; effective at once.
pub async fn unsubscribe(env: &Env, token: &str) -> Result<Response, ApiError> {
    let parsed = Token::parse(token).ok_or_else(not_ours)?;
    let command = StoreCommand::Unsubscribe {
        token: token.to_owned(),
        now_ms: now()?.as_millisecond(),
    };
    let done: Option<bool> = store::call_existing(env, parsed.merchant, &command).await?;
    if done != Some(true) {
        return Err(not_ours());
    }
    html(
        "Unsubscribed",
        "<h1>Unsubscribed</h1><p>This address gets no more stock alerts from this shop.</p>",
    )
}

fn not_ours() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "not an unsubscribe link Upfront made")
}

fn html(title: &str, body: &str) -> Result<Response, ApiError> {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\">\
         {body}</body></html>"
    );
    Ok(link_page(page, 200)?)
}

/// `GET /v1/suppressions`.
pub async fn list(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, false)?;
    let list: SuppressionList =
        store::call(env, merchant, &StoreCommand::ListSuppressions { page }).await?;
    json_reply(req, &list, Freshness::NoStore)
}

/// `POST /v1/suppressions`: a bounce, a complaint or an unsubscribe the
/// merchant learned of elsewhere.
pub async fn add(req: &mut Request, env: &Env, merchant: &str) -> Result<Response, ApiError> {
    let request: SuppressionRequest = json_body(req, MAX_BODY_BYTES).await?;
    let command = StoreCommand::AddSuppression {
        email: erasure_email(&request.email)?,
        reason: request.reason,
        now_ms: now()?.as_millisecond(),
    };
    let suppression: Suppression = store::call(env, merchant, &command).await?;
    json_reply(req, &suppression, Freshness::NoStore)
}

/// `GET /v1/emails`.
pub async fn log(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &str,
) -> Result<Response, ApiError> {
    let page = PageQuery::parse(query, false)?;
    let log: EmailLog = store::call(env, merchant, &StoreCommand::EmailLog { page }).await?;
    json_reply(req, &log, Freshness::NoStore)
}
