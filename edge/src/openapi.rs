//! `GET /v1/openapi.json`: generated once per isolate from the shared types.

use std::sync::OnceLock;

use worker::{Request, Response};

use crate::error::ApiError;
use crate::http::{Freshness, json_reply};

static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();

pub fn serve(req: &Request) -> Result<Response, ApiError> {
    let mut response = json_reply(
        req,
        DOCUMENT.get_or_init(upfront_shared::openapi::document),
        Freshness::Static,
    )?;
    // A public document: any origin may read it.
    response
        .headers_mut()
        .set("Access-Control-Allow-Origin", "*")?;
    Ok(response)
}
