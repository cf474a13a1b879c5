//! Request bodies in, JSON answers out: the checks and headers every
//! handler shares.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::etag::{etag, if_none_match_hits};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
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
        let message = in_api_words(&e.to_string());
        ErrorBody::new(
            ErrorCode::InvalidJson,
            format!("invalid JSON body: {message}"),
        )
        .into()
    })
}

/// serde's message in the API's words: JSON's types, not Rust's
/// (`expected struct BatchRequest` → `expected an object`, `u32` → `a whole
/// number`). Field names and positions are the API's already and stay.
fn in_api_words(message: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut words = message.split(' ');
    while let Some(word) = words.next() {
        // Keep the punctuation a type name carries ("BatchRequest,").
        let (bare, tail) = word.split_at(word.trim_end_matches([',', '.', ':']).len());
        let replaced = match bare {
            "tuple" | "struct" | "enum" => {
                let mut name = words.next().unwrap_or_default();
                if bare == "tuple" {
                    name = words.next().unwrap_or_default(); // "tuple struct X"
                }
                let tail = &name[name.trim_end_matches([',', '.', ':']).len()..];
                let what = if bare == "enum" {
                    "one of the documented values"
                } else {
                    "an object"
                };
                out.push([what, tail].concat());
                continue;
            }
            "sequence" => "array",
            "map" => "object",
            "unit" => "null",
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
            | "i128" | "isize" => "a whole number",
            "f32" | "f64" => "a number",
            other => other,
        };
        // "a sequence" → "an array".
        if replaced.starts_with(['a', 'o']) && out.last().is_some_and(|w| w == "a") {
            out.pop();
            out.push("an".into());
        }
        out.push([replaced, tail].concat());
    }
    out.join(" ")
}

/// The exact bytes of a JSON body of at most `limit` bytes, unparsed: for
/// signatures and idempotency fingerprints, which cover the raw body.
///
/// A body without `Content-Length` (chunked) is read as a stream and
/// counted: past `limit` reading stops and the request is refused, so it is
/// never held whole before its size is known.
pub async fn raw_json_body(req: &mut Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    if !is_json_media_type(&content_type) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send Content-Type: application/json",
        ));
    }
    let declared: Option<usize> = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse().ok());
    match declared {
        Some(n) if n > limit => return Err(too_large(limit)),
        // HTTP framing holds a body to its declared length: read it whole,
        // in one call (the batch read's hot path).
        Some(_) => return Ok(req.bytes().await?),
        None => {}
    }
    let Some(stream) = req.inner().body() else {
        return Ok(Vec::new());
    };
    let reader = BodyReader::new(&stream).map_err(worker::Error::from)?;
    let mut body = Vec::new();
    while let Some(chunk) = reader.next().await.map_err(worker::Error::from)? {
        if body.len() + chunk.length() as usize > limit {
            // Stop reading: the rest is never pulled. The stream is not
            // cancelled, which local dev's proxy reports as a 503 instead
            // of this answer; the runtime discards what is left.
            reader.release();
            return Err(too_large(limit));
        }
        let at = body.len();
        body.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut body[at..]);
    }
    Ok(body)
}

/// A request body's default reader, driven through JS calls (web-sys'
/// stream types are not among the features the worker crate enables).
struct BodyReader {
    reader: JsValue,
    read: Function,
}

impl BodyReader {
    fn new(stream: &web_sys::ReadableStream) -> Result<Self, JsValue> {
        let get_reader: Function = Reflect::get(stream, &"getReader".into())?.dyn_into()?;
        let reader = get_reader.call0(stream)?;
        let read = Reflect::get(&reader, &"read".into())?.dyn_into()?;
        Ok(Self { reader, read })
    }

    /// The next chunk, or `None` at the end.
    async fn next(&self) -> Result<Option<Uint8Array>, JsValue> {
        let pending: Promise = self.read.call0(&self.reader)?.dyn_into()?;
        let result = JsFuture::from(pending).await?;
        if Reflect::get(&result, &"done".into())?.is_truthy() {
            return Ok(None);
        }
        Ok(Some(Reflect::get(&result, &"value".into())?.dyn_into()?))
    }

    fn release(&self) {
        if let Ok(Ok(release)) =
            Reflect::get(&self.reader, &"releaseLock".into()).map(JsCast::dyn_into::<Function>)
        {
            let _ = release.call0(&self.reader);
        }
    }
}

/// `application/json`, in any case, with or without parameters
/// (`; charset=utf-8`), and nothing else: the media type is parsed, not
/// matched by prefix.
fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
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

/// On every answer: a browser must never guess another type for a body.
/// Set where each answer is made (here, `PreparedReply`, `ApiError`), so the
/// answer cache's hits carry it without a per-request header write.
pub const NOSNIFF: (&str, &str) = ("X-Content-Type-Options", "nosniff");

/// A page a link in an email opens (the unsubscribe and order pages): never
/// cached, no script, no framing, no referrer, forms only to itself.
pub fn link_page(html: String, status: u16) -> worker::Result<Response> {
    let response = Response::from_html(html)?.with_status(status);
    let headers = response.headers();
    headers.set("Cache-Control", "no-store")?;
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )?;
    headers.set("Referrer-Policy", "no-referrer")?;
    Ok(response)
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
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
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
            headers.set(NOSNIFF.0, NOSNIFF.1)?;
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

/// A path id the store made (`prefix` and 24 lower-case hex digits), or
/// `400 invalid_parameter` naming `param`.
pub fn check_store_id(id: &str, prefix: &str, param: &str) -> Result<(), ApiError> {
    if upfront_shared::readback::is_store_id(id, prefix) {
        Ok(())
    } else {
        Err(ErrorBody::new(
            ErrorCode::InvalidParameter,
            ["not an id of this kind (", prefix, "…)"].concat(),
        )
        .with_param(param)
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_parsed_not_prefixed() {
        for ok in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/json ;x=y",
        ] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for bad in [
            "application/jsonpwned",
            "text/json",
            "application/json-patch+json",
            "",
        ] {
            assert!(!is_json_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn parse_errors_name_json_types_not_rust_ones() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct BatchRequest {
            items: Vec<u32>,
        }
        let cases = [
            (
                r#""x""#,
                "invalid type: string \"x\", expected an object at line 1 column 3",
            ),
            (
                r#"{"items": ["x"]}"#,
                "invalid type: string \"x\", expected a whole number at line 1 column 14",
            ),
            (
                r#"{"items": {}}"#,
                "invalid type: object, expected an array at line 1 column 10",
            ),
        ];
        for (body, want) in cases {
            let got = serde_json::from_str::<BatchRequest>(body).expect_err("refused");
            assert_eq!(in_api_words(&got.to_string()), want, "{body}");
        }
    }
}
