//! A merchant's settings: who may embed its widget, how old stock may get,
//! and its defaults. Stored in the merchant's Durable Object, read and
//! written through `/v1/settings` with the secret key.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::email::caps::FrequencyCaps;
use crate::error::{ErrorBody, ErrorCode};
use crate::ingest::MAX_QUANTITY;
use crate::keys::Mode;
use crate::subscription::normalize_email;

/// What the edge needs to know about a merchant to answer its requests.
/// Cached per isolate with the key that led to it (see `edge/src/auth.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantConfig {
    pub id: String,
    pub mode: Mode,
    pub display_name: String,
    /// Exact origins (`https://shop.example`) and subdomain patterns
    /// (`https://*.shop.example`) allowed to read from a browser.
    pub allowed_origins: Vec<String>,
    /// Stock older than this is answered with `stale: true`.
    pub freshness_limit_seconds: i64,
    /// The low-stock threshold of a SKU written without one.
    pub low_stock_threshold: i64,
    /// Where shoppers' replies to Upfront's emails go.
    #[serde(default)]
    pub email_reply_to: Option<String>,
    /// Where Upfront writes to the merchant (a disabled webhook endpoint).
    #[serde(default)]
    pub notification_email: Option<String>,
    #[serde(default)]
    pub email_caps: FrequencyCaps,
}

/// A new merchant's freshness limit: a day without a stock write.
pub const DEFAULT_FRESHNESS_SECONDS: i64 = 24 * 60 * 60;
/// A new merchant's low-stock threshold.
pub const DEFAULT_LOW_STOCK_THRESHOLD: i64 = 5;
const MAX_FRESHNESS_SECONDS: i64 = 90 * 24 * 60 * 60;
const MAX_ORIGINS: usize = 50;
const MAX_SHOPIFY_SECRETS: usize = 2;

impl MerchantConfig {
    /// A merchant as created, before any setting is changed.
    pub fn new(id: String, mode: Mode, display_name: String) -> Self {
        Self {
            id,
            mode,
            display_name,
            allowed_origins: Vec::new(),
            freshness_limit_seconds: DEFAULT_FRESHNESS_SECONDS,
            low_stock_threshold: DEFAULT_LOW_STOCK_THRESHOLD,
            email_reply_to: None,
            notification_email: None,
            email_caps: FrequencyCaps::default(),
        }
    }

    pub fn freshness_limit(&self) -> SignedDuration {
        SignedDuration::from_secs(self.freshness_limit_seconds)
    }

    /// Whether a browser at `origin` may read this merchant's answers.
    /// Scheme, host and port must match; a `*.` pattern matches any
    /// subdomain, never the bare domain nor a look-alike.
    ///
    /// ```
    /// # use upfront_shared::merchant::MerchantConfig;
    /// # use upfront_shared::keys::Mode;
    /// let mut m = MerchantConfig::new("m".into(), Mode::Live, "M".into());
    /// m.allowed_origins = vec!["https://shop.example".into(), "https://*.brand.example".into()];
    /// assert!(m.allows_origin("https://SHOP.example"));
    /// assert!(m.allows_origin("https://eu.brand.example"));
    /// assert!(!m.allows_origin("https://brand.example"));
    /// assert!(!m.allows_origin("https://evilbrand.example"));
    /// assert!(!m.allows_origin("https://shop.example.evil.test"));
    /// assert!(!m.allows_origin("http://shop.example"));
    /// ```
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        self.allowed_origins
            .iter()
            .any(|allowed| origin_matches(allowed, &origin))
    }
}

/// `origin` (lower-cased) against one allowed entry, which
/// [`check_origin`] already holds to lower case.
fn origin_matches(allowed: &str, origin: &str) -> bool {
    let Some((scheme, host)) = allowed.split_once("://*.") else {
        return allowed == origin;
    };
    let Some(rest) = origin
        .strip_prefix(scheme)
        .and_then(|r| r.strip_prefix("://"))
    else {
        return false;
    };
    rest.strip_suffix(host)
        .and_then(|sub| sub.strip_suffix('.'))
        .is_some_and(|sub| !sub.is_empty() && sub.split('.').all(is_dns_label))
}

fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks one allowed-origin entry: `http(s)://host[:port]`, lower case,
/// no path; a pattern puts `*.` before a domain of at least two labels.
///
/// ```
/// use upfront_shared::merchant::check_origin;
/// assert!(check_origin("https://shop.example").is_ok());
/// assert!(check_origin("https://*.shop.example:8443").is_ok());
/// assert!(check_origin("http://127.0.0.1:8790").is_ok());
/// for bad in ["https://*.example", "https://shop.example/", "ftp://shop.example", "https://*", "https://a.*.b.example", "https://Shop.example"] {
///     assert!(check_origin(bad).is_err(), "{bad}");
/// }
/// ```
pub fn check_origin(entry: &str) -> Result<(), &'static str> {
    let (scheme, authority) = entry
        .split_once("://")
        .ok_or("an origin is scheme://host[:port]")?;
    if scheme != "https" && scheme != "http" {
        return Err("an origin's scheme is https or http");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0 && port.len() <= 5)
    {
        return Err("an origin's port is 1 to 65535");
    }
    let (wildcard, domain) = match host.strip_prefix("*.") {
        Some(domain) => (true, domain),
        None => (false, host),
    };
    let labels: Vec<&str> = domain.split('.').collect();
    if !labels.iter().all(|label| is_dns_label(label)) {
        return Err(
            "an origin is lower-case scheme://host[:port] with no path; a pattern is https://*.example.com",
        );
    }
    if wildcard && labels.len() < 2 {
        return Err("a pattern needs a domain of at least two labels after `*.`");
    }
    Ok(())
}

/// A partial update of the settings; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// Shown to shoppers in messages; 1 to 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// At most 50 origins (`https://shop.example`) or subdomain patterns
    /// (`https://*.shop.example`); replaces the whole list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// 60 s to 90 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness_limit_seconds: Option<i64>,
    /// 0 to 10⁹.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i64>,
    /// Current first, then the previous one during a rotation (at most two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify_webhook_secrets: Option<Vec<String>>,
    /// Where shoppers' replies go; `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 254)))]
    pub email_reply_to: Option<String>,
    /// Where Upfront writes to the merchant; `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 254)))]
    pub notification_email: Option<String>,
    /// Lower than the defaults only (1 per SKU, 3 in all, per 7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_caps: Option<FrequencyCaps>,
}

/// `Some(None)` for `""` (remove), `Some(Some(address))` normalized.
fn optional_address(value: &Option<String>) -> Option<Option<String>> {
    let value = value.as_deref()?;
    if value.is_empty() {
        return Some(None);
    }
    normalize_email(value).map(Some)
}

impl SettingsPatch {
    /// Checks every field, naming the first one that breaks a rule.
    pub fn validate(&self) -> Result<(), ErrorBody> {
        let bad = |message: &str, param: &str| {
            ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
        };
        if let Some(name) = &self.display_name
            && (name.trim().is_empty()
                || name.chars().count() > 100
                || name.chars().any(char::is_control))
        {
            return Err(bad(
                "display_name is 1 to 100 characters, no control characters",
                "display_name",
            ));
        }
        if let Some(origins) = &self.allowed_origins {
            if origins.len() > MAX_ORIGINS {
                return Err(bad("at most 50 allowed origins", "allowed_origins"));
            }
            for (i, origin) in origins.iter().enumerate() {
                check_origin(origin).map_err(|m| bad(m, &format!("allowed_origins[{i}]")))?;
            }
        }
        if self
            .freshness_limit_seconds
            .is_some_and(|s| !(60..=MAX_FRESHNESS_SECONDS).contains(&s))
        {
            return Err(bad(
                "freshness_limit_seconds is 60 to 7776000 (90 days)",
                "freshness_limit_seconds",
            ));
        }
        if self
            .low_stock_threshold
            .is_some_and(|t| !(0..=MAX_QUANTITY).contains(&t))
        {
            return Err(bad(
                "low_stock_threshold is 0 to 1000000000",
                "low_stock_threshold",
            ));
        }
        for (value, param) in [
            (&self.email_reply_to, "email_reply_to"),
            (&self.notification_email, "notification_email"),
        ] {
            if value.is_some() && optional_address(value).is_none() {
                return Err(bad("not an email address (\"\" removes it)", param));
            }
        }
        if let Some(caps) = &self.email_caps {
            caps.validate()?;
        }
        if let Some(secrets) = &self.shopify_webhook_secrets {
            if secrets.len() > MAX_SHOPIFY_SECRETS {
                return Err(bad(
                    "at most two Shopify secrets: the current one, then the previous one",
                    "shopify_webhook_secrets",
                ));
            }
            for (i, secret) in secrets.iter().enumerate() {
                if !(16..=256).contains(&secret.len())
                    || !secret.bytes().all(|b| b.is_ascii_graphic())
                {
                    return Err(bad(
                        "a Shopify secret is 16 to 256 printable ASCII characters",
                        &format!("shopify_webhook_secrets[{i}]"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `config` with this patch applied (already validated).
    pub fn apply_to(&self, config: &mut MerchantConfig) {
        if let Some(name) = &self.display_name {
            config.display_name = name.trim().to_owned();
        }
        if let Some(origins) = &self.allowed_origins {
            config.allowed_origins = origins.clone();
        }
        if let Some(seconds) = self.freshness_limit_seconds {
            config.freshness_limit_seconds = seconds;
        }
        if let Some(threshold) = self.low_stock_threshold {
            config.low_stock_threshold = threshold;
        }
        if let Some(address) = optional_address(&self.email_reply_to) {
            config.email_reply_to = address;
        }
        if let Some(address) = optional_address(&self.notification_email) {
            config.notification_email = address;
        }
        if let Some(caps) = self.email_caps {
            config.email_caps = caps;
        }
    }
}

/// The settings as `GET /v1/settings` shows them: Shopify secrets by
/// their last four characters only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Settings {
    pub id: String,
    pub mode: Mode,
    pub display_name: String,
    pub allowed_origins: Vec<String>,
    pub freshness_limit_seconds: i64,
    pub low_stock_threshold: i64,
    /// The last four characters of each Shopify secret, current first.
    pub shopify_webhook_secrets: Vec<String>,
    pub email_reply_to: Option<String>,
    pub notification_email: Option<String>,
    pub email_caps: FrequencyCaps,
}

impl Settings {
    pub fn of(config: &MerchantConfig, shopify_secrets: &[String]) -> Self {
        Self {
            id: config.id.clone(),
            mode: config.mode,
            display_name: config.display_name.clone(),
            allowed_origins: config.allowed_origins.clone(),
            freshness_limit_seconds: config.freshness_limit_seconds,
            low_stock_threshold: config.low_stock_threshold,
            shopify_webhook_secrets: shopify_secrets
                .iter()
                .map(|s| format!("…{}", crate::keys::last4(s)))
                .collect(),
            email_reply_to: config.email_reply_to.clone(),
            notification_email: config.notification_email.clone(),
            email_caps: config.email_caps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merchant(origins: &[&str]) -> MerchantConfig {
        let mut m = MerchantConfig::new("m".into(), Mode::Live, "M".into());
        m.allowed_origins = origins.iter().map(|o| (*o).to_owned()).collect();
        m
    }

    #[test]
    fn patterns_match_subdomains_only() {
        let m = merchant(&["https://*.brand.example", "http://127.0.0.1:8789"]);
        for ok in [
            "https://eu.brand.example",
            "https://a.b.brand.example",
            "https://EU.Brand.Example",
            "http://127.0.0.1:8789",
        ] {
            assert!(m.allows_origin(ok), "{ok}");
        }
        for bad in [
            "https://brand.example",
            "https://.brand.example",
            "https://evilbrand.example",
            "http://eu.brand.example",
            "https://eu.brand.example:8443",
            "https://eu.brand.example.evil.test",
            "https://a_b.brand.example",
            "http://127.0.0.1:8790",
            "http://127.0.0.2:8789",
            "null",
        ] {
            assert!(!m.allows_origin(bad), "{bad}");
        }
    }

    #[test]
    fn patch_validation_names_the_field() {
        let patch = SettingsPatch {
            allowed_origins: Some(vec![
                "https://ok.example".into(),
                "https://bad.example/path".into(),
            ]),
            ..SettingsPatch::default()
        };
        let err = patch.validate().expect_err("refused");
        assert_eq!(err.error.param.as_deref(), Some("allowed_origins[1]"));
        let patch = SettingsPatch {
            freshness_limit_seconds: Some(59),
            ..SettingsPatch::default()
        };
        assert!(patch.validate().is_err());
        let patch = SettingsPatch {
            shopify_webhook_secrets: Some(vec!["a".repeat(16), "b".repeat(16), "c".repeat(16)]),
            ..SettingsPatch::default()
        };
        assert!(patch.validate().is_err());
    }

    #[test]
    fn settings_never_show_a_whole_secret() {
        let shown = Settings::of(&merchant(&[]), &["shpss_0123456789abcdef".into()]);
        assert_eq!(shown.shopify_webhook_secrets, vec!["…cdef".to_owned()]);
    }
}
