//! Request bodies in, JSON answers out: the checks and headers every
//! handler shares.

use serde::Serialize;
use serde::de::DeserializeOwned;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::etag::{etag, if_none_match_hits};
use worker::{Request, Response, Url};

use crate::error::ApiError;

/// Reads a JSON body of at most `limit` bytes. Checks the media type and
/// size before parsing, and reports parse errors as `invalid_json`.
pub async fn json_body<T: DeserializeOwned>(
    req: &mut Request,
    limit: usize,
) -> Result<T, ApiError> {
    let body = raw_json_body(req, limit).await?;
    parse_json(&body)
}

/// Parses a body already read, reporting errors as `invalid_json`.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ErrorBody::new(ErrorCode::InvalidJson, format!("invalid JSON body: {e}")).into()
    })
}

/// The exact bytes of a JSON body of at most `limit` bytes, unparsed: for
/// signatures and idempotency fingerprints, which cover the raw body.
pub async fn raw_json_body(req: &mut Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    let content_type = req
        .headers()
        .get("Content-Type")?
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send Content-Type: application/json",
        ));
    }
    let declared: Option<usize> = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let body = req.bytes().await?;
    if body.len() > limit {
        return Err(too_large(limit));
    }
    Ok(body)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::BodyTooLarge,
        format!("the body is larger than {limit} bytes"),
    )
}

/// The decoded query parameters, parsed once per request.
pub type Query = Vec<(String, String)>;

pub fn query_pairs(url: &Url) -> Query {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// How long clients and caches may reuse an answer.
#[derive(Clone, Copy)]
pub enum Freshness {
    /// Stock answers: revalidated at once, or served stale for at most 1 s
    /// while revalidating. With the edge's 1-s read cache a stock change
    /// shows within 2 s.
    Live,
    NoStore,
    /// Documents that change only with a deploy.
    Static,
}

/// A JSON answer with a strong `ETag`; `304` when `If-None-Match` matches.
pub fn json_reply<T: Serialize>(
    req: &Request,
    value: &T,
    freshness: Freshness,
) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let tag = etag(&body);
    bytes_reply(req, body, &tag, freshness)
}

/// A serialized JSON answer with its `ETag`; `304` when `If-None-Match` matches.
pub fn bytes_reply(
    req: &Request,
    body: Vec<u8>,
    tag: &str,
    freshness: Freshness,
) -> Result<Response, ApiError> {
    let not_modified = req
        .headers()
        .get("If-None-Match")?
        .is_some_and(|h| if_none_match_hits(&h, tag));
    let response = if not_modified {
        Response::empty()?.with_status(304)
    } else {
        let response = Response::from_bytes(body)?;
        response.headers().set("Content-Type", "application/json")?;
        response
    };
    let headers = response.headers();
    headers.set("ETag", tag)?;
    headers.set(
        "Cache-Control",
        match freshness {
            Freshness::Live => "public, max-age=0, stale-while-revalidate=1",
            Freshness::NoStore => "no-store",
            Freshness::Static => "public, max-age=300",
        },
    )?;
    Ok(response)
}
