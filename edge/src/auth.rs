//! API keys: which merchant a request speaks for, and with what rights.
//!
//! A key names its merchant (`shared::keys`), and only that merchant's
//! Durable Object knows its hash: no global object sees every request.
//! What a key grants is cached per isolate for `GRANT_TTL_MS`, so a
//! revoked key, a rolled key past its grace, or a settings change is live
//! everywhere within that time (plus one request's flight).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use upfront_shared::error::ErrorCode;
use upfront_shared::keys::{self, KeyKind};
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::routes::{Access, Route};
use worker::{Env, Request};

use crate::error::ApiError;
use crate::http::Query;
use crate::store::{self, KeyGrant, StoreCommand};

/// How long an isolate trusts what it learned about a key: the bound on
/// revocation (documented as 5 s; one request's flight fits in the rest).
const GRANT_TTL_MS: f64 = 4_000.0;
/// Past this many cached keys the cache starts over: random keys from a
/// scraper must not grow an isolate's memory without bound.
const MAX_CACHED_KEYS: usize = 10_000;

struct Cached {
    fetched_ms: f64,
    /// `None` remembers that the key does not work. Shared, so a hit
    /// copies a pointer, not the merchant's settings.
    grant: Option<Rc<KeyGrant>>,
}

thread_local! {
    static GRANTS: RefCell<HashMap<String, Cached>> = RefCell::new(HashMap::new());
}

/// An authenticated caller: what its key grants.
pub struct Caller(pub Rc<KeyGrant>);

impl Caller {
    pub fn merchant(&self) -> &MerchantConfig {
        &self.0.merchant
    }

    /// The key's id: the rate limiter's per-key bucket.
    pub fn key_id(&self) -> &str {
        &self.0.key_id
    }
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

/// What `key` grants now: from the isolate's cache when it is fresh, else
/// from the merchant's store. `None` for a key that does not work.
pub async fn grant(env: &Env, key: &str) -> Result<Option<Rc<KeyGrant>>, ApiError> {
    let Some(parsed) = keys::parse(key) else {
        return Ok(None);
    };
    let now_ms = worker::Date::now().as_millis() as f64;
    let cached = GRANTS.with_borrow(|cache| {
        cache
            .get(key)
            .filter(|c| now_ms - c.fetched_ms < GRANT_TTL_MS)
            .map(|c| c.grant.clone())
    });
    let grant = match cached {
        Some(grant) => grant,
        None => {
            let command = StoreCommand::Authenticate {
                key_hash: keys::hash(key),
                now_ms: now_ms as i64,
            };
            let grant: Option<Rc<KeyGrant>> = store::call_existing(env, parsed.merchant, &command)
                .await?
                .flatten()
                .map(Rc::new);
            GRANTS.with_borrow_mut(|cache| {
                if cache.len() >= MAX_CACHED_KEYS {
                    cache.clear();
                }
                cache.insert(
                    key.to_owned(),
                    Cached {
                        fetched_ms: now_ms,
                        grant: grant.clone(),
                    },
                );
            });
            grant
        }
    };
    // A rolled key's grace ends on time, whatever the cache says.
    Ok(grant.filter(|g| g.expires_at_ms.is_none_or(|at| (now_ms as i64) < at)))
}

/// After a change to `merchant`'s keys or settings, this isolate forgets
/// what it cached about them at once (the others within `GRANT_TTL_MS`).
pub fn forget_merchant(merchant: &str) {
    GRANTS.with_borrow_mut(|cache| {
        cache.retain(|_, cached| {
            cached
                .grant
                .as_ref()
                .is_none_or(|g| g.merchant.id != merchant)
        });
    });
}

/// Resolves the request's key and checks it may call `route`: public
/// routes take publishable keys only; secret routes take the secret key,
/// or a restricted key holding the route's scope.
pub async fn authenticate(
    req: &Request,
    query: &Query,
    env: &Env,
    route: Route<'_>,
) -> Result<Caller, ApiError> {
    let key = presented_key(req, query)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingKey,
            "pass an API key as `Authorization: Bearer …` or `?key=`",
        )
    })?;
    // A URL ends up in logs, proxies and browser history: a secret key there
    // is refused even where it would be valid, so the leak is noticed.
    if (key.starts_with("sk_") || key.starts_with("rk_"))
        && req.headers().get("Authorization")?.is_none()
    {
        return Err(ApiError::new(
            ErrorCode::SecretKeyInUrl,
            "secret and restricted keys go in the Authorization header, never in a URL; roll this key",
        ));
    }
    let grant = grant(env, &key).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidKey, "unknown, revoked or expired API key")
    })?;
    let allowed = match (route.access(), grant.kind) {
        (Access::Public, KeyKind::Publishable) => Ok(()),
        // A secret key on a public read route is about to leak into a page
        // or an app: refuse it loudly.
        (Access::Public, _) => Err(ApiError::new(
            ErrorCode::WrongKeyType,
            "use the publishable key (pk_…) here; secret and restricted keys must never reach a browser or app",
        )),
        (_, KeyKind::Publishable) => Err(ApiError::new(
            ErrorCode::WrongKeyType,
            "this route needs a secret key (sk_…) or a restricted key (rk_…) with its scope",
        )),
        (_, KeyKind::Secret) => Ok(()),
        (_, KeyKind::Restricted) => match route.scope() {
            Some(scope) if grant.scopes.contains(&scope) => Ok(()),
            Some(scope) => Err(ApiError::new(
                ErrorCode::InsufficientScope,
                [
                    "this restricted key lacks the `",
                    serde_json::to_value(scope)
                        .ok()
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .unwrap_or_default(),
                    "` scope",
                ]
                .concat(),
            )),
            None => Err(ApiError::new(
                ErrorCode::InsufficientScope,
                "only the secret key may manage keys and settings",
            )),
        },
    };
    allowed.map(|()| Caller(grant))
}
