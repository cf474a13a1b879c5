//! Webhooks to merchants: which events there are, what an endpoint may
//! look like, how a delivery is signed, and when a failed one is retried.
//!
//! Signatures follow Stripe's scheme: `Upfront-Signature: t=<unix>,v1=<hex
//! HMAC-SHA256 of "t.body">`, so a receiver checks the body and the time
//! (replays older than its tolerance are refused).

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{ErrorBody, ErrorCode};
use crate::push::StockUpdate;
use crate::stock::StockStatus;

/// What a merchant can subscribe an endpoint to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum EventType {
    /// A SKU fell to its low-stock threshold: slow the promotion down.
    #[serde(rename = "sku.low_stock")]
    SkuLowStock,
    /// A SKU can no longer be bought: stop the ads.
    #[serde(rename = "sku.out_of_stock")]
    SkuOutOfStock,
    /// A SKU that could not be bought can be again.
    #[serde(rename = "sku.back_in_stock")]
    SkuBackInStock,
    /// An order cannot ship by its date: an option notice went to the buyer.
    #[serde(rename = "order.delayed")]
    OrderDelayed,
    /// The buyer agreed to a delay (or, for a first delay of at most 30
    /// days, did not answer by the original date).
    #[serde(rename = "order.consented")]
    OrderConsented,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    /// A cancelled order must be refunded by `obligation.refund_by`.
    #[serde(rename = "order.refund_due")]
    OrderRefundDue,
    #[serde(rename = "order.shipped")]
    OrderShipped,
    /// A promotion guard says slow down: cover or stock fell to the rule's
    /// throttle threshold (or came back up from a stop).
    #[serde(rename = "guard.throttle")]
    GuardThrottle,
    /// A promotion guard says stop: the feeds pause the SKU's ads.
    #[serde(rename = "guard.stop")]
    GuardStop,
    /// The SKU is clear of its guard's thresholds again.
    #[serde(rename = "guard.clear")]
    GuardClear,
    /// A stop has lasted the 14 days Merchant Center lets ads pause: the
    /// feed no longer pauses them. End the campaign or restock.
    #[serde(rename = "guard.pause_expired")]
    GuardPauseExpired,
}

impl EventType {
    pub const ALL: [EventType; 12] = [
        Self::SkuLowStock,
        Self::SkuOutOfStock,
        Self::SkuBackInStock,
        Self::OrderDelayed,
        Self::OrderConsented,
        Self::OrderCancelled,
        Self::OrderRefundDue,
        Self::OrderShipped,
        Self::GuardThrottle,
        Self::GuardStop,
        Self::GuardClear,
        Self::GuardPauseExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SkuLowStock => "sku.low_stock",
            Self::SkuOutOfStock => "sku.out_of_stock",
            Self::SkuBackInStock => "sku.back_in_stock",
            Self::OrderDelayed => "order.delayed",
            Self::OrderConsented => "order.consented",
            Self::OrderCancelled => "order.cancelled",
            Self::OrderRefundDue => "order.refund_due",
            Self::OrderShipped => "order.shipped",
            Self::GuardThrottle => "guard.throttle",
            Self::GuardStop => "guard.stop",
            Self::GuardClear => "guard.clear",
            Self::GuardPauseExpired => "guard.pause_expired",
        }
    }

    /// The event a status change is, if any: entering low stock, becoming
    /// unbuyable (out of stock or discontinued), or buyable again.
    ///
    /// ```
    /// use upfront_shared::outbound::EventType;
    /// use upfront_shared::stock::StockStatus::*;
    /// assert_eq!(EventType::of_change(InStock, LowStock), Some(EventType::SkuLowStock));
    /// assert_eq!(EventType::of_change(LowStock, OutOfStock), Some(EventType::SkuOutOfStock));
    /// assert_eq!(EventType::of_change(OutOfStock, InStock), Some(EventType::SkuBackInStock));
    /// assert_eq!(EventType::of_change(LowStock, LowStock), None);
    /// ```
    pub fn of_change(before: StockStatus, after: StockStatus) -> Option<Self> {
        let buyable =
            |s: StockStatus| !matches!(s, StockStatus::OutOfStock | StockStatus::Discontinued);
        match (buyable(before), buyable(after)) {
            (true, false) => Some(Self::SkuOutOfStock),
            (false, true) => Some(Self::SkuBackInStock),
            (true, true) if after == StockStatus::LowStock && before != StockStatus::LowStock => {
                Some(Self::SkuLowStock)
            }
            _ => None,
        }
    }
}

/// One event, as every delivery of it carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Event {
    /// `evt_…`: the same in every delivery and retry; deduplicate on it.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created: Timestamp,
    /// The SKU's stock after the change (`sku.*`), the order after it
    /// (`order.*`), or the guarded SKU's new level and figures (`guard.*`).
    pub data: EventData,
}

/// What an event is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum EventData {
    Sku(StockUpdate),
    Order(Box<crate::order::Order>),
    Guard(Box<crate::guard::GuardState>),
}

/// `POST /v1/webhook-endpoints`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EndpointRequest {
    /// `https://…` (test merchants may also use `http://127.0.0.1` and
    /// `http://localhost`), at most 2,048 characters.
    pub url: String,
    /// At least one event type.
    pub events: Vec<EventType>,
}

/// An endpoint as the merchant sees it: never its signing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Endpoint {
    /// `we_…`.
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    /// False once deliveries kept failing for 3 days; re-register to resume.
    pub enabled: bool,
    /// The signing secret's last four characters.
    pub secret_last4: String,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: Timestamp,
}

/// A new endpoint and its signing secret (`whsec_…`), shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedEndpoint {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// `GET /v1/webhook-endpoints`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EndpointList {
    pub data: Vec<Endpoint>,
}

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// An attempt got a 2xx.
    Delivered,
    /// Three days of retries without a 2xx.
    Failed,
}

/// One event to one endpoint, as the delivery log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Delivery {
    /// `wd_…`: what `POST /v1/webhook-deliveries/{id}/redeliver` takes.
    pub id: String,
    pub event_id: String,
    pub event_type: EventType,
    pub state: DeliveryState,
    pub attempts: i64,
    /// The last attempt's HTTP status; absent before the first or after a
    /// timeout or connection failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<i64>,
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub last_attempt_at: Option<Timestamp>,
    /// When a pending delivery is tried next.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub next_attempt_at: Option<Timestamp>,
}

/// `GET /v1/webhook-endpoints/{id}/deliveries`: the newest 100.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeliveryList {
    pub data: Vec<Delivery>,
}

/// `POST /v1/webhook-endpoints/{id}/roll-secret`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RollSecret {
    /// How long deliveries are also signed with the old secret: 0 to 86400.
    #[serde(default)]
    pub grace_seconds: i64,
}

/// The longest endpoint URL.
const MAX_URL_LEN: usize = 2048;

impl EndpointRequest {
    /// Checks the URL and events; `test_merchant` allows loopback over HTTP.
    pub fn validate(&self, test_merchant: bool) -> Result<(), ErrorBody> {
        let bad = |message: &str, param: &str| {
            ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
        };
        if !is_endpoint_url(&self.url, test_merchant) {
            return Err(bad(
                if test_merchant {
                    "url is https://… (or http://127.0.0.1 or http://localhost for a test merchant), with no credentials or fragment"
                } else {
                    "url is https://…, with no credentials or fragment"
                },
                "url",
            ));
        }
        if self.events.is_empty() {
            return Err(bad("events lists at least one event type", "events"));
        }
        Ok(())
    }
}

/// An endpoint URL: HTTPS with a host, no userinfo, no fragment, no
/// whitespace; loopback over HTTP only when `loopback` (test merchants).
///
/// ```
/// use upfront_shared::outbound::is_endpoint_url;
/// assert!(is_endpoint_url("https://hooks.shop.example/upfront?x=1", false));
/// assert!(!is_endpoint_url("http://hooks.shop.example/", false));
/// assert!(is_endpoint_url("http://127.0.0.1:9000/hook", true));
/// assert!(!is_endpoint_url("http://127.0.0.1:9000/hook", false));
/// assert!(!is_endpoint_url("https://user:pw@hooks.example/", false));
/// assert!(!is_endpoint_url("https://hooks.example/#x", false));
/// ```
pub fn is_endpoint_url(url: &str, loopback: bool) -> bool {
    if url.len() > MAX_URL_LEN || url.contains('#') || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (_, Some(rest)) => (false, rest),
        _ => return false,
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return false;
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    let is_loopback = host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost");
    secure || (loopback && is_loopback)
}

/// The `Upfront-Signature` header for `body` sent at `t` (Unix seconds).
///
/// ```
/// use upfront_shared::outbound::{sign, verify};
/// let header = sign("whsec_test", 1_700_000_000, br#"{"id":"evt_1"}"#);
/// assert!(header.starts_with("t=1700000000,v1="));
/// assert!(verify(&header, "whsec_test", br#"{"id":"evt_1"}"#, 1_700_000_100, 300));
/// assert!(!verify(&header, "whsec_test", br#"{"id":"evt_2"}"#, 1_700_000_100, 300));
/// assert!(!verify(&header, "whsec_test", br#"{"id":"evt_1"}"#, 1_700_000_400, 300));
/// ```
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    sign_with(&[secret], t, body)
}

/// The header signed with each of `secrets`: during a secret's roll, the
/// new one and the old one, so receivers holding either accept it.
///
/// ```
/// use upfront_shared::outbound::{sign_with, verify};
/// let header = sign_with(&["whsec_new", "whsec_old"], 1000, b"{}");
/// assert!(verify(&header, "whsec_new", b"{}", 1000, 300));
/// assert!(verify(&header, "whsec_old", b"{}", 1000, 300));
/// ```
pub fn sign_with(secrets: &[&str], t: i64, body: &[u8]) -> String {
    let mut header = ["t=", &t.to_string()].concat();
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex(&mac(secret, t, body)));
    }
    header
}

/// Checks a signature header as a receiver should: the HMAC over
/// `"t.body"` in constant time, and `t` within `tolerance` seconds of `now`.
pub fn verify(header: &str, secret: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let Some(t) = t.filter(|t| (now - t).abs() <= tolerance) else {
        return false;
    };
    let expected = hex(&mac(secret, t, body));
    signatures
        .iter()
        .any(|s| crate::keys::constant_time_eq(s.as_bytes(), expected.as_bytes()))
}

fn mac(secret: &str, t: i64, body: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a delivery is retried: 3 days from its first attempt.
pub const RETRY_WINDOW_SECONDS: i64 = 3 * 24 * 60 * 60;

/// The wait before attempt `attempt + 1` (the first retry is `attempt` 1):
/// `base` doubled per attempt, capped at 6 hours, times a jitter factor in
/// 0.5..1.5 from `random` (uniform in 0..1) so retries of one outage do
/// not arrive together. `base` is 30 s in production; tests shorten it by
/// configuration, the code path staying the same.
///
/// ```
/// use upfront_shared::outbound::backoff_seconds;
/// assert_eq!(backoff_seconds(1, 30, 0.5), 30);
/// assert_eq!(backoff_seconds(3, 30, 0.5), 120);
/// assert_eq!(backoff_seconds(30, 30, 0.5), 6 * 3600);
/// assert_eq!(backoff_seconds(1, 30, 0.0), 15);
/// ```
pub fn backoff_seconds(attempt: u32, base: i64, random: f64) -> i64 {
    let doubled = base.saturating_mul(1 << attempt.saturating_sub(1).min(20));
    let capped = doubled.min(6 * 60 * 60);
    ((capped as f64) * (0.5 + random.clamp(0.0, 1.0)))
        .round()
        .max(1.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn endpoint_requests() {
        let request = |url: &str, events: Vec<EventType>| EndpointRequest {
            url: url.into(),
            events,
        };
        assert!(
            request("https://x.example/h", vec![EventType::SkuLowStock])
                .validate(false)
                .is_ok()
        );
        let err = request("http://x.example/h", vec![EventType::SkuLowStock])
            .validate(false)
            .expect_err("plain http");
        assert_eq!(err.error.param.as_deref(), Some("url"));
        let err = request("https://x.example/h", vec![])
            .validate(false)
            .expect_err("no events");
        assert_eq!(err.error.param.as_deref(), Some("events"));
        assert!(
            serde_json::from_str::<EndpointRequest>(
                r#"{"url":"https://x.example","events":["order.created"]}"#
            )
            .is_err()
        );
    }

    proptest! {
        /// A retry never waits past the cap, and the waits grow.
        #[test]
        fn backoff_grows_within_bounds(attempt in 1u32..60, random in 0.0f64..1.0) {
            let wait = backoff_seconds(attempt, 30, random);
            prop_assert!((1..=9 * 3600).contains(&wait));
            prop_assert!(backoff_seconds(attempt + 1, 30, 0.5) >= backoff_seconds(attempt, 30, 0.5));
        }

        #[test]
        fn a_signature_verifies_only_its_own_body(body in proptest::collection::vec(any::<u8>(), 0..64), other in any::<u8>()) {
            let header = sign("whsec_x", 1000, &body);
            prop_assert!(verify(&header, "whsec_x", &body, 1000, 300));
            let mut changed = body.clone();
            changed.push(other);
            prop_assert!(!verify(&header, "whsec_x", &changed, 1000, 300));
            prop_assert!(!verify(&header, "whsec_y", &body, 1000, 300));
        }
    }
}
