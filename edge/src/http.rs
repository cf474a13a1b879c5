//! Request bodies in, JSON answers out: the checks and headers every
//! handler shares.

use std::rc::Rc;

use js_sys::Uint8Array;
use serde::Serialize;
use serde::de::DeserializeOwned;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::etag::{etag, if_none_match_hits};
use worker::wasm_bindgen::JsValue;
use worker::web_sys::{self, ResponseInit};
use worker::{Request, Response};

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

/// The request URL as the runtime serialized it. It is already normalized,
/// so the path and query are split out without a second parse (a full
/// `Url` parse was a tenth of a cached read's CPU time).
pub struct RequestUrl(String);

impl RequestUrl {
    pub fn of(req: &Request) -> Self {
        Self(req.inner().url())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The percent-encoded path: from the first `/` after the host up to `?`.
    pub fn path(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        let rest = &self.0[after_scheme..];
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        path.split(['?', '#']).next().unwrap_or("/")
    }

    pub fn query(&self) -> Query {
        let Some((_, query)) = self.0.split_once('?') else {
            return Vec::new();
        };
        let query = query.split('#').next().unwrap_or_default();
        worker::url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
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

impl Freshness {
    fn cache_control(self) -> &'static str {
        match self {
            Self::Live => "public, max-age=0, stale-while-revalidate=1",
            Self::NoStore => "no-store",
            Self::Static => "public, max-age=300",
        }
    }
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
fn bytes_reply(
    req: &Request,
    body: Vec<u8>,
    tag: &str,
    freshness: Freshness,
) -> Result<Response, ApiError> {
    let response = if not_modified(req, tag)? {
        Response::empty()?.with_status(304)
    } else {
        let response = Response::from_bytes(body)?;
        response.headers().set("Content-Type", "application/json")?;
        response
    };
    let headers = response.headers();
    headers.set("ETag", tag)?;
    headers.set("Cache-Control", freshness.cache_control())?;
    Ok(response)
}

fn not_modified(req: &Request, tag: &str) -> Result<bool, ApiError> {
    Ok(req
        .headers()
        .get("If-None-Match")?
        .is_some_and(|h| if_none_match_hits(&h, tag)))
}

/// A JSON answer made to be sent many times (the answer cache holds these):
/// its bytes and headers already live on the JavaScript side, so each
/// sending is one constructor call instead of a dozen boundary crossings
/// and two copies of the body.
pub struct PreparedReply {
    body: Uint8Array,
    etag: Rc<str>,
    full: ResponseInit,
    not_modified: ResponseInit,
}

impl PreparedReply {
    pub fn new(body: &[u8], freshness: Freshness) -> Result<Self, ApiError> {
        let tag = etag(body);
        let init = |status: u16, content_type: bool| -> Result<ResponseInit, JsValue> {
            let headers = web_sys::Headers::new()?;
            if content_type {
                headers.set("Content-Type", "application/json")?;
            }
            headers.set("ETag", &tag)?;
            headers.set("Cache-Control", freshness.cache_control())?;
            let init = ResponseInit::new();
            init.set_status(status);
            init.set_headers(&headers);
            Ok(init)
        };
        Ok(Self {
            body: Uint8Array::from(body),
            full: init(200, true).map_err(worker::Error::from)?,
            not_modified: init(304, false).map_err(worker::Error::from)?,
            etag: tag.as_str().into(),
        })
    }

    pub fn body_len(&self) -> usize {
        self.body.length() as usize
    }

    /// The answer, or `304` when the request's `If-None-Match` matches.
    pub fn send(&self, req: &Request) -> Result<web_sys::Response, ApiError> {
        // The constructor copies both the bytes and the headers, so the
        // prepared ones stay untouched by what happens to this response.
        let response = if not_modified(req, &self.etag)? {
            web_sys::Response::new_with_opt_buffer_source_and_init(None, &self.not_modified)
        } else {
            web_sys::Response::new_with_opt_buffer_source_and_init(Some(&self.body), &self.full)
        };
        Ok(response.map_err(worker::Error::from)?)
    }
}
