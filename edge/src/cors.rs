//! CORS: echo back the one allowed origin, never a list (browsers reject
//! lists, workers-rs issue #554), and always say `Vary: Origin`.

use upfront_shared::merchant::MerchantConfig;
use upfront_shared::routes::{Access, Route};
use worker::{Env, Request, Response, web_sys};

use upfront_shared::keys::KeyKind;

use crate::auth::{grant as key_grant, presented_key};
use crate::error::ApiError;
use crate::http::RequestUrl;

/// Adds the grant for `origin` when `merchant` allows it.
pub fn grant(
    headers: &web_sys::Headers,
    origin: Option<&str>,
    merchant: Option<&MerchantConfig>,
) -> worker::Result<()> {
    headers.append("Vary", "Origin")?;
    if let (Some(origin), Some(merchant)) = (origin, merchant)
        && merchant.allows_origin(origin)
    {
        headers.set("Access-Control-Allow-Origin", origin)?;
        headers.set("Access-Control-Expose-Headers", "ETag, Retry-After")?;
    }
    Ok(())
}

/// Answers an `OPTIONS` preflight. A preflight carries no `Authorization`
/// header, so the merchant is known only from `?key=`; without it, for an
/// origin the merchant does not list, or for a secret-key route, the answer
/// grants nothing.
pub async fn preflight(req: &Request, env: &Env) -> Result<Response, ApiError> {
    let response = Response::empty()?.with_status(204);
    let headers = response.headers();
    let origin = req.headers().get("Origin")?;
    let url = RequestUrl::of(req);
    // Only public routes are granted: a secret key's request from a page
    // fails at the preflight, loudly.
    if Route::at(url.path()).is_some_and(|route| route.access() == Access::Public) {
        let publishable = match presented_key(req, &url.query())? {
            Some(key) => key_grant(env, &key)
                .await?
                .filter(|grant| grant.kind == KeyKind::Publishable),
            None => None,
        };
        grant(
            &headers.0,
            origin.as_deref(),
            publishable.as_ref().map(|g| &g.merchant),
        )?;
        if headers.has("Access-Control-Allow-Origin")? {
            headers.set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")?;
            headers.set(
                "Access-Control-Allow-Headers",
                "Authorization, Content-Type, If-None-Match",
            )?;
            headers.set("Access-Control-Max-Age", "86400")?;
        }
    }
    Ok(response)
}
