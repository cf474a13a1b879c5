//! `GET /v1/stream?skus=…`: live stock over a WebSocket, terminated by the
//! merchant's store with the hibernation API, so an idle page costs nothing.

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::push::parse_stream_query;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

use crate::error::ApiError;
use crate::http::Query;
use crate::ratelimit::client_of;

/// The store's path for subscriptions; its other requests are commands.
pub const STORE_STREAM_PATH: &str = "/stream";
/// The client's address bucket (`shared::client`), for the store's
/// per-address cap on sockets.
pub const CLIENT_HEADER: &str = "X-Upfront-Client";

pub async fn subscribe(
    req: &Request,
    query: &Query,
    env: &Env,
    merchant: &MerchantConfig,
) -> Result<Response, ApiError> {
    let skus = parse_stream_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let upgrade = req.headers().get("Upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::new(
            ErrorCode::UpgradeRequired,
            "open this route as a WebSocket",
        ));
    }
    // WebSockets are not covered by CORS: the origin check is ours to make.
    if let Some(origin) = req.headers().get("Origin")?
        && !merchant.allows_origin(&origin)
    {
        return Err(ErrorBody::new(
            ErrorCode::OriginNotAllowed,
            "this page's origin is not on the merchant's list",
        )
        .with_param("Origin")
        .into());
    }
    let headers = Headers::new();
    headers.set("Upgrade", "websocket")?;
    headers.set(CLIENT_HEADER, &client_of(req)?)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let url = [
        "https://store",
        STORE_STREAM_PATH,
        "?skus=",
        &skus.join(","),
    ]
    .concat();
    let stub = env.durable_object("STORE")?.get_by_name(&merchant.id)?;
    Ok(stub
        .fetch_with_request(Request::new_with_init(&url, &init)?)
        .await?)
}
