//! Back-in-stock subscriptions: a shopper leaves an email on an out-of-stock
//! or backordered product page. Sending the emails comes later; storing a
//! clean, deduplicated list comes now.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};
use crate::query::parse_locale;
use crate::sku::is_valid_sku;

/// Body of `POST /v1/subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequest {
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::sku::SKU_PATTERN)))]
    pub sku: String,
    /// The shopper's address; stored, never returned by any endpoint.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "email", "maxLength" = 254)))]
    pub email: String,
    /// The language the notification should be written in (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::LOCALE_PATTERN)))]
    pub locale: Option<String>,
}

/// Answer of `POST /v1/subscriptions`: `201` the first time, `200` when the
/// address already waits for this SKU (nothing changes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubscriptionResult {
    pub sku: String,
    pub subscribed: bool,
}

/// A request that passed [`validate_subscription`]: the email normalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub sku: String,
    pub email: String,
    pub locale: Option<String>,
}

/// Checks a subscription and normalizes its email: trimmed, with the
/// domain in lower case (the local part is the mailbox owner's to define).
///
/// ```
/// use upfront_shared::subscription::{SubscriptionRequest, validate_subscription};
/// let ok = validate_subscription(SubscriptionRequest {
///     sku: "LAMP-1".into(), email: " Ada@Example.COM ".into(), locale: Some("de-AT".into()),
/// }).unwrap();
/// assert_eq!(ok.email, "Ada@example.com");
/// ```
pub fn validate_subscription(request: SubscriptionRequest) -> Result<Subscription, ErrorBody> {
    let invalid = |message: &str, param: &str| {
        ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
    };
    if !is_valid_sku(&request.sku) {
        return Err(invalid("not a SKU", "sku"));
    }
    let email =
        normalize_email(&request.email).ok_or_else(|| invalid("not an email address", "email"))?;
    if let Some(locale) = &request.locale
        && parse_locale(locale).is_none()
    {
        return Err(invalid("not a BCP 47 language tag", "locale"));
    }
    Ok(Subscription {
        sku: request.sku,
        email,
        locale: request.locale,
    })
}

/// A pragmatic address check (not RFC 5322's full grammar, which no real
/// mailbox needs): one `@`, a local part of visible characters, and a
/// domain of at least two dot-separated labels of letters, digits and `-`.
fn normalize_email(input: &str) -> Option<String> {
    let email = input.trim();
    let (local, domain) = email.split_once('@')?;
    let local_ok = (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '@')
        && !local.starts_with('.')
        && !local.ends_with('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (local_ok && domain_ok && email.len() <= 254)
        .then(|| [local, "@", &domain.to_ascii_lowercase()].concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn request(email: &str) -> SubscriptionRequest {
        SubscriptionRequest {
            sku: "LAMP-1".into(),
            email: email.into(),
            locale: None,
        }
    }

    #[test]
    fn addresses() {
        for good in [
            "a@b.co",
            "first.last+tag@shop.example.com",
            "ü@xn--mnchen-3ya.de",
        ] {
            assert!(validate_subscription(request(good)).is_ok(), "{good}");
        }
        for bad in [
            "", "plain", "@b.co", "a@", "a@b", "a@@b.co", "a b@c.co", "a@-b.co", "a@b..co",
            ".a@b.co", "a@b_c.co",
        ] {
            let err = validate_subscription(request(bad)).expect_err(bad);
            assert_eq!(err.error.param.as_deref(), Some("email"), "{bad}");
        }
    }

    #[test]
    fn bad_sku_and_locale_name_their_param() {
        let mut bad_sku = request("a@b.co");
        bad_sku.sku = "no spaces allowed".into();
        assert_eq!(
            validate_subscription(bad_sku)
                .expect_err("sku")
                .error
                .param
                .as_deref(),
            Some("sku")
        );
        let mut bad_locale = request("a@b.co");
        bad_locale.locale = Some("not a tag!".into());
        assert_eq!(
            validate_subscription(bad_locale)
                .expect_err("locale")
                .error
                .param
                .as_deref(),
            Some("locale")
        );
    }

    proptest! {
        /// Normalizing is idempotent: a stored address normalizes to itself,
        /// so the same shopper can never be stored twice under two spellings.
        #[test]
        fn normalizing_twice_changes_nothing(input in "[ -~]{0,40}") {
            if let Some(once) = normalize_email(&input) {
                prop_assert_eq!(normalize_email(&once), Some(once.clone()));
            }
        }
    }
}
