//! Abuse control with the Workers rate-limiting binding, for publishable
//! keys: per key, route and client address (an IPv6 client by its /64,
//! `shared::client`), so one busy shop never throttles its other shoppers;
//! and a ceiling per key and route, whatever the address.
//! The binding counts per location and is eventually consistent: it guards
//! against floods, it is not an accounting tool.

use upfront_shared::client::client_bucket;
use upfront_shared::error::ErrorCode;
use upfront_shared::routes::Route;
use worker::{Env, Request};

use crate::error::ApiError;

/// The binding's period in seconds (wrangler.toml), sent as `Retry-After`.
const PERIOD_SECONDS: u32 = 10;

/// Checks the per-client bucket, then the key's ceiling: one scraper on
/// many addresses hits the ceiling for that key and route, so it cannot
/// drive the merchant's store past it (checkout, on secret keys, is never
/// limited here).
pub async fn check(
    env: &Env,
    req: &Request,
    key_id: &str,
    route: Route<'_>,
) -> Result<(), ApiError> {
    // workerd run directly (the benchmarks) has no such bindings.
    let Ok(per_client) = env.rate_limiter("RATE_LIMITER") else {
        return Ok(());
    };
    let Ok(per_key) = env.rate_limiter("RATE_LIMITER_PER_KEY") else {
        return Ok(());
    };
    let client = client_of(req)?;
    let bucket = [key_id, route.template(), &client].join("|");
    let ceiling = [key_id, route.template()].join("|");
    if per_client.limit(bucket).await?.success && per_key.limit(ceiling).await?.success {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many requests; retry after the Retry-After header's seconds",
        )
        .retry_after(PERIOD_SECONDS))
    }
}

/// The caller's bucket for abuse limits (`shared::client`): its address, or
/// an IPv6 caller's /64. Rate limits and the live-socket cap share it.
pub fn client_of(req: &Request) -> worker::Result<String> {
    let address = req.headers().get("CF-Connecting-IP")?.unwrap_or_default();
    Ok(client_bucket(&address))
}
