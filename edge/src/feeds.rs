//! The ad-channel feeds: `GET /v1/feed-urls` (and `POST …/roll`) for the
//! merchant, and `GET /v1/feeds/{token}/{file}` for Merchant Center's and
//! Meta's scheduled fetches. The token in the URL is the credential.
//!
//! A feed streams: the store answers 1,000 SKUs a call and each page is
//! written out as it comes, so a catalogue of 50,000 never sits in memory.
//! The weak `ETag` names the store's last feed-changing write and the hour
//! (dates in a feed move with the calendar even when nothing is written),
//! so a channel's repeated fetch within the hour costs one small call.

use futures_util::stream;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::etag::if_none_match_hits;
use upfront_shared::feed::{FeedFormat, FeedUrls, shipping, token_merchant};
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::promise::config::merchant_today;
use worker::{Env, Headers, Request, Response};

use crate::availability::now;
use crate::delivery_config;
use crate::error::ApiError;
use crate::http::{Freshness, json_reply};
use crate::store::{self, FeedHead, FeedPage, StoreCommand};

/// SKUs per store call.
const PAGE: u32 = 1_000;
const HOUR_MS: i64 = 3_600_000;

/// `GET /v1/feed-urls`, or with `roll`, `POST /v1/feed-urls/roll`: the
/// URLs to paste into Merchant Center and Commerce Manager.
pub async fn urls(
    req: &Request,
    env: &Env,
    merchant: &str,
    roll: bool,
) -> Result<Response, ApiError> {
    let now_ms = now()?.as_millisecond();
    let token: String =
        store::call(env, merchant, &StoreCommand::FeedToken { roll, now_ms }).await?;
    let base = req.url()?.origin().ascii_serialization();
    json_reply(req, &FeedUrls::of(&base, &token), Freshness::NoStore)
}

fn no_such_feed() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such feed (the URL may have been rolled)",
    )
}

/// An HTTP date (RFC 9110 `IMF-fixdate`).
fn http_date(ms: i64) -> Result<String, ApiError> {
    let at =
        Timestamp::from_millisecond(ms).map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(at
        .to_zoned_datetime(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string())
}

fn parse_http_date(value: &str) -> Option<i64> {
    jiff::fmt::strtime::parse("%a, %d %b %Y %H:%M:%S GMT", value)
        .ok()?
        .to_datetime()
        .ok()
        .and_then(|dt| TimeZone::UTC.to_timestamp(dt).ok())
        .map(|at| at.as_millisecond())
}

pub async fn serve(
    req: &Request,
    env: &Env,
    token: &str,
    file: &str,
) -> Result<Response, ApiError> {
    let format = FeedFormat::from_file_name(file).ok_or_else(no_such_feed)?;
    let merchant = token_merchant(token).ok_or_else(no_such_feed)?;
    let head: FeedHead = store::call_existing(
        env,
        merchant,
        &StoreCommand::FeedHead {
            token: token.to_string(),
        },
    )
    .await?
    .ok_or_else(no_such_feed)?;
    let now = now()?;
    let now_ms = now.as_millisecond();
    let hour_ms = now_ms - now_ms.rem_euclid(HOUR_MS);
    let tag = format!(
        "\"{}-{}-{}\"",
        format.file_name(),
        head.changed_ms,
        hour_ms / HOUR_MS
    );
    let modified_ms = head.changed_ms.max(hour_ms) / 1000 * 1000;
    let headers = Headers::new();
    headers.set("ETag", &format!("W/{tag}"))?;
    headers.set("Last-Modified", &http_date(modified_ms)?)?;
    // Channels revalidate every fetch; nothing between keeps a secret URL's body.
    headers.set("Cache-Control", "private, no-cache")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    let unchanged = match req.headers().get("If-None-Match")? {
        Some(asked) => if_none_match_hits(&asked, &tag),
        None => req
            .headers()
            .get("If-Modified-Since")?
            .and_then(|v| parse_http_date(&v))
            .is_some_and(|since| since >= modified_ms),
    };
    if unchanged {
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    headers.set("Content-Type", format.content_type())?;
    let settings: MerchantConfig = head.settings;
    let config = delivery_config::load(env, &settings).await?;
    let today = merchant_today(config.as_deref(), now);
    // One feed per target country, as the channels take them: the
    // configuration's default country unless `?country=` names another.
    let asked = req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == "country")
        .map(|(_, v)| v.into_owned());
    if let Some(country) = &asked
        && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ApiError::from(
            ErrorBody::new(
                ErrorCode::InvalidParameter,
                "country is ISO 3166-1 alpha-2, upper case",
            )
            .with_param("country"),
        ));
    }
    let shipping = config
        .as_deref()
        .map(|c| shipping(c, asked.as_deref().unwrap_or(&c.default_country)))
        .unwrap_or_default();
    let link = settings
        .allowed_origins
        .iter()
        .find(|o| !o.contains('*'))
        .cloned()
        .unwrap_or_default();
    let first = format.head(&settings.display_name, &link);
    // Each step: one page from the store, rendered; `None` after the tail.
    let state = (
        Some(String::new()),
        env.clone(),
        token.to_string(),
        merchant.to_string(),
    );
    let pages = stream::try_unfold(state, move |(after, env, token, merchant)| {
        let shipping = shipping.clone();
        async move {
            let Some(after) = after else {
                return Ok::<_, worker::Error>(None);
            };
            let page: FeedPage = store::call_existing(
                &env,
                &merchant,
                &StoreCommand::FeedPage {
                    token: token.clone(),
                    after,
                    limit: PAGE,
                    now_ms,
                },
            )
            .await?
            .ok_or_else(|| worker::Error::RustError("the feed's URL was rolled".into()))?;
            let mut bytes = String::with_capacity(page.items.len() * 160);
            for item in &page.items {
                bytes.push_str(&format.row(item, &shipping, today));
            }
            if page.next.is_none() {
                bytes.push_str(format.tail());
            }
            Ok(Some((
                bytes.into_bytes(),
                (page.next, env, token, merchant),
            )))
        }
    });
    let body = futures_util::StreamExt::chain(
        stream::once(async move { Ok::<_, worker::Error>(first.into_bytes()) }),
        pages,
    );
    Ok(Response::from_stream(body)?.with_headers(headers))
}
