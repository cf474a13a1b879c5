//! API keys: which merchant a request speaks for, and with what rights.
//!
//! Publishable keys (`pk_…`) may only read. Secret keys (`sk_…`) may only
//! write. The registry holds the local test merchants, switched on by the
//! `DEMO_STORE = "on"` variable that local runs set and deploys do not.

use jiff::SignedDuration;
use upfront_shared::error::ErrorCode;
use upfront_shared::merchant::MerchantConfig;
use worker::{Env, Request};

use crate::error::ApiError;
use crate::http::Query;

/// The demo store: seeded with a catalogue, its page served at `/demo/`.
pub const DEMO_MERCHANT: &str = "demo";

struct KeyPair {
    merchant: &'static str,
    publishable: &'static str,
    secret: &'static str,
    origins: &'static [&'static str],
    /// Shopify webhook secrets: the current one and, during a rotation,
    /// the previous one.
    shopify_secrets: &'static [&'static str],
}

/// Local-only test merchants. The second one exists so tests can prove
/// that one merchant's keys never reach another's data.
const TEST_MERCHANTS: [KeyPair; 2] = [
    KeyPair {
        merchant: DEMO_MERCHANT,
        publishable: "pk_test_upfront_demo_local",
        secret: "sk_test_upfront_demo_local",
        origins: &[
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://127.0.0.1:8788",
            "http://localhost:8788",
            "https://shop.example",
        ],
        shopify_secrets: &[
            "shpss_test_demo_current_local",
            "shpss_test_demo_previous_local",
        ],
    },
    KeyPair {
        merchant: "acme",
        publishable: "pk_test_acme_local",
        secret: "sk_test_acme_local",
        origins: &["https://acme.example"],
        shopify_secrets: &[],
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Publishable,
    Secret,
}

/// An authenticated caller.
pub struct Caller {
    pub merchant: MerchantConfig,
    /// The key itself, the rate limiter's bucket.
    pub key: String,
}

/// Finds the key in `Authorization: Bearer …` or in the `key` query
/// parameter (so a plain GET needs no CORS preflight).
pub fn presented_key(req: &Request, query: &Query) -> Result<Option<String>, ApiError> {
    if let Some(header) = req.headers().get("Authorization")? {
        return Ok(header.strip_prefix("Bearer ").map(|k| k.trim().to_string()));
    }
    Ok(query
        .iter()
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.clone()))
}

thread_local! {
    static DEMO_STORE_ON: std::cell::OnceCell<bool> = const { std::cell::OnceCell::new() };
}

pub fn demo_store_enabled(env: &Env) -> bool {
    // A binding never changes within an isolate: read it once, not per request.
    DEMO_STORE_ON.with(|on| {
        *on.get_or_init(|| {
            env.var("DEMO_STORE")
                .map(|v| v.to_string() == "on")
                .unwrap_or(false)
        })
    })
}

/// The merchant behind `key`, and the key's kind.
pub fn lookup(env: &Env, key: &str) -> Option<(MerchantConfig, KeyKind)> {
    if !demo_store_enabled(env) {
        return None;
    }
    TEST_MERCHANTS.iter().find_map(|m| {
        let kind = if key == m.publishable {
            KeyKind::Publishable
        } else if key == m.secret {
            KeyKind::Secret
        } else {
            return None;
        };
        let config = MerchantConfig {
            id: m.merchant.to_string(),
            allowed_origins: m.origins.iter().map(|o| o.to_string()).collect(),
            freshness_limit: SignedDuration::from_hours(24 * 30),
            allow_loopback: true,
        };
        Some((config, kind))
    })
}

/// Resolves the request's key; it must be of kind `needed`.
pub fn authenticate(
    req: &Request,
    query: &Query,
    env: &Env,
    needed: KeyKind,
) -> Result<Caller, ApiError> {
    let key = presented_key(req, query)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingKey,
            "pass an API key as `Authorization: Bearer …` or `?key=`",
        )
    })?;
    // A URL ends up in logs, proxies and browser history: a secret key there
    // is refused even where it would be valid, so the leak is noticed.
    if key.starts_with("sk_") && req.headers().get("Authorization")?.is_none() {
        return Err(ApiError::new(
            ErrorCode::SecretKeyInUrl,
            "secret keys go in the Authorization header, never in a URL; roll this key",
        ));
    }
    let (merchant, kind) =
        lookup(env, &key).ok_or_else(|| ApiError::new(ErrorCode::InvalidKey, "unknown API key"))?;
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
        _ => Ok(Caller { merchant, key }),
    }
}

/// The Shopify webhook secrets of `merchant`; `None` for an unknown one.
pub fn shopify_secrets(env: &Env, merchant: &str) -> Option<&'static [&'static str]> {
    if !demo_store_enabled(env) {
        return None;
    }
    TEST_MERCHANTS
        .iter()
        .find(|m| m.merchant == merchant)
        .map(|m| m.shopify_secrets)
}
