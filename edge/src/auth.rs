//! API keys: which merchant a request speaks for, and with what rights.
//!
//! Publishable keys (`pk_…`) may only read. Secret keys (`sk_…`) may write.
//! Only the demo store exists so far; it is switched on by the
//! `DEMO_STORE = "on"` variable, which local runs set and deploys do not.

use upfront_shared::error::ErrorCode;
use worker::{Env, Request};

use crate::error::ApiError;

pub const DEMO_MERCHANT: &str = "demo";
pub const DEMO_PUBLISHABLE_KEY: &str = "pk_test_upfront_demo_local";
pub const DEMO_SECRET_KEY: &str = "sk_test_upfront_demo_local";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Publishable,
    Secret,
}

pub struct Merchant {
    pub id: &'static str,
}

/// Finds the key in `Authorization: Bearer …` or in the `key` query
/// parameter (so a plain GET needs no CORS preflight).
fn presented_key(req: &Request) -> Result<Option<String>, ApiError> {
    if let Some(header) = req.headers().get("Authorization")? {
        return Ok(header.strip_prefix("Bearer ").map(|k| k.trim().to_string()));
    }
    let url = req.url()?;
    Ok(url
        .query_pairs()
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.into_owned()))
}

pub fn demo_store_enabled(env: &Env) -> bool {
    env.var("DEMO_STORE")
        .map(|v| v.to_string() == "on")
        .unwrap_or(false)
}

/// Resolves the request's key to a merchant; the key must be of kind `needed`.
pub fn authenticate(req: &Request, env: &Env, needed: KeyKind) -> Result<Merchant, ApiError> {
    let key = presented_key(req)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingKey,
            "pass an API key as `Authorization: Bearer …` or `?key=`",
        )
    })?;
    let kind = match key.as_str() {
        k if demo_store_enabled(env) && k == DEMO_PUBLISHABLE_KEY => KeyKind::Publishable,
        k if demo_store_enabled(env) && k == DEMO_SECRET_KEY => KeyKind::Secret,
        _ => return Err(ApiError::new(ErrorCode::InvalidKey, "unknown API key")),
    };
    // Exact match both ways: a secret key on a public read route means it
    // is about to leak into a page or an app, so refuse it loudly.
    match (needed, kind) {
        (KeyKind::Secret, KeyKind::Publishable) => Err(ApiError::new(
            ErrorCode::WrongKeyType,
            "this route needs a secret key (sk_…)",
        )),
        (KeyKind::Publishable, KeyKind::Secret) => Err(ApiError::new(
            ErrorCode::WrongKeyType,
            "use the publishable key (pk_…) here; secret keys must never reach a browser or app",
        )),
        _ => Ok(Merchant { id: DEMO_MERCHANT }),
    }
}
