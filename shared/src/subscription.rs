//! Back-in-stock subscriptions: a shopper leaves an email on an out-of-stock
//! or backordered product page, and hears once when it is back
//! ([`is_back`]; the email itself is `crate::email`).

use serde::{Deserialize, Serialize};

use crate::email::templates::{MAX_PAGE_URL, MAX_PRODUCT_NAME};
use crate::error::{ErrorBody, ErrorCode};
use crate::merchant::MerchantConfig;
use crate::query::parse_locale;
use crate::sku::is_valid_sku;
use crate::stock::StockStatus;

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
    /// The product's name for the email (the page's title will do); the
    /// SKU is used without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 200)))]
    pub product_name: Option<String>,
    /// The product page the email links back to; it must be on one of the
    /// merchant's allowed origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "uri", "maxLength" = 2048)))]
    pub page_url: Option<String>,
}

/// Answer of `POST /v1/subscriptions`: `202` whether the address is new or
/// already waits for this SKU (then nothing changes), so the answer never
/// tells anyone whether an address is subscribed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubscriptionResult {
    pub sku: String,
    pub subscribed: bool,
}

/// A request that passed [`validate_subscription`]: the email normalized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub sku: String,
    pub email: String,
    pub locale: Option<String>,
    pub product_name: Option<String>,
    pub page_url: Option<String>,
}

/// Checks a subscription and normalizes its email: trimmed and in lower
/// case, local part included. RFC 5321 lets a mailbox treat its local part's
/// case as significant, but no major provider does, and two subscriptions
/// differing only in case would mail one person twice.
///
/// ```
/// use upfront_shared::subscription::{SubscriptionRequest, validate_subscription};
/// # use upfront_shared::{merchant::MerchantConfig, keys::Mode};
/// let mut shop = MerchantConfig::new("acme".into(), Mode::Live, "Acme".into());
/// shop.allowed_origins = vec!["https://shop.example".into()];
/// let mut request = SubscriptionRequest {
///     sku: "LAMP-1".into(), email: " Ada@Example.COM ".into(), locale: Some("de-AT".into()),
///     product_name: Some("Desk lamp".into()), page_url: Some("https://shop.example/lamp".into()),
/// };
/// assert_eq!(validate_subscription(request.clone(), &shop).unwrap().email, "ada@example.com");
/// request.page_url = Some("https://evil.example/lamp".into());
/// assert!(validate_subscription(request, &shop).is_err());
/// ```
pub fn validate_subscription(
    request: SubscriptionRequest,
    merchant: &MerchantConfig,
) -> Result<Subscription, ErrorBody> {
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
    let product_name = request
        .product_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    if let Some(name) = &product_name
        && (name.chars().count() > MAX_PRODUCT_NAME || name.chars().any(char::is_control))
    {
        return Err(invalid(
            "product_name is at most 200 characters, no control characters",
            "product_name",
        ));
    }
    if let Some(url) = &request.page_url
        && !is_page_of(url, merchant)
    {
        return Err(invalid(
            "page_url is an http(s) URL of at most 2048 bytes on one of the store's allowed origins",
            "page_url",
        ));
    }
    Ok(Subscription {
        sku: request.sku,
        email,
        locale: request.locale,
        product_name,
        page_url: request.page_url,
    })
}

/// Whether `url` is a page on one of the merchant's allowed origins, in
/// characters a link can carry as they are.
fn is_page_of(url: &str, merchant: &MerchantConfig) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= MAX_PAGE_URL
        && (scheme == "https" || scheme == "http")
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
        && merchant.allows_origin(&format!("{scheme}://{authority}"))
}

/// Whether a shopper may wait for a SKU in `status`: only where the widget
/// offers it, out of stock or backordered. In stock, low stock and preorder
/// can be ordered now (`sku_in_stock`); a discontinued SKU will not be back
/// (`sku_discontinued`).
pub fn can_wait_for(status: StockStatus) -> Result<(), ErrorCode> {
    match status {
        StockStatus::OutOfStock | StockStatus::Backorder => Ok(()),
        StockStatus::InStock | StockStatus::LowStock | StockStatus::Preorder => {
            Err(ErrorCode::SkuInStock)
        }
        StockStatus::Discontinued => Err(ErrorCode::SkuDiscontinued),
    }
}

/// Whether a SKU that went from `before` to `after` is back for the
/// shoppers waiting on it: it could be waited for, and now it can be
/// ordered (a backorder that is in stock again counts: it ships now).
///
/// ```
/// use upfront_shared::subscription::is_back;
/// use upfront_shared::stock::StockStatus::*;
/// assert!(is_back(OutOfStock, LowStock));
/// assert!(is_back(Backorder, InStock));
/// assert!(!is_back(InStock, LowStock));
/// assert!(!is_back(OutOfStock, Discontinued));
/// ```
pub fn is_back(before: StockStatus, after: StockStatus) -> bool {
    can_wait_for(before).is_ok() && can_wait_for(after) == Err(ErrorCode::SkuInStock)
}

/// An erasure request's address, normalized as sign-ups store it, so the
/// same address in any case finds every row.
pub fn erasure_email(input: &str) -> Result<String, ErrorBody> {
    normalize_email(input).ok_or_else(|| {
        ErrorBody::new(ErrorCode::InvalidRequest, "not an email address").with_param("email")
    })
}

/// What an email provider will deliver to, by the bar browsers use: the
/// WHATWG `input[type=email]` grammar (ASCII only, so no bidi overrides or
/// zero-width characters; no quotes, `;` or `@` in the local part; no IP
/// literal), plus a dotted domain whose top-level label is not all digits
/// (`user@localhost` and `user@127.0.0.1` reach nobody's inbox).
pub(crate) fn normalize_email(input: &str) -> Option<String> {
    let email = input.trim().to_ascii_lowercase();
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b))
        // WHATWG allows these; SMTP's dot-atom does not, so no mail would come.
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
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()));
    (local_ok && domain_ok && email.len() <= 254).then_some(email)
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
            product_name: None,
            page_url: None,
        }
    }

    fn shop() -> MerchantConfig {
        let mut shop = MerchantConfig::new("acme".into(), crate::keys::Mode::Test, "Acme".into());
        shop.allowed_origins = vec![
            "https://shop.example".into(),
            "http://127.0.0.1:8790".into(),
        ];
        shop
    }

    fn check(request: SubscriptionRequest) -> Result<Subscription, ErrorBody> {
        validate_subscription(request, &shop())
    }

    #[test]
    fn template_variables_are_bounded_and_links_stay_on_the_shop() {
        let mut long = request("a@b.co");
        long.product_name = Some("x".repeat(201));
        assert_eq!(
            check(long).expect_err("too long").error.param.as_deref(),
            Some("product_name")
        );
        let mut fits = request("a@b.co");
        fits.product_name = Some("ж".repeat(200));
        assert!(check(fits).is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://shop.example.evil.test/x",
            "https://evil.example/?https://shop.example/",
            "https://shop.example/a b",
            "https://shop.example/\"><b>",
            &format!("https://shop.example/{}", "a".repeat(2048)),
        ] {
            let mut r = request("a@b.co");
            r.page_url = Some(bad.into());
            assert_eq!(
                check(r).expect_err(bad).error.param.as_deref(),
                Some("page_url"),
                "{bad}"
            );
        }
        for good in [
            "https://shop.example/lamp?v=2#top",
            "http://127.0.0.1:8790/product.html",
        ] {
            let mut r = request("a@b.co");
            r.page_url = Some(good.into());
            assert!(check(r).is_ok(), "{good}");
        }
    }

    #[test]
    fn addresses() {
        for good in ["a@b.co", "first.last+tag@shop.example.com"] {
            assert!(check(request(good)).is_ok(), "{good}");
        }
        // A non-ASCII local part: refused now, as input[type=email] refuses it
        // (the WHATWG grammar is ASCII only, which is what keeps bidi and
        // zero-width characters out).
        for bad in [
            "",
            "plain",
            "@b.co",
            "a@",
            "a@b",
            "a@@b.co",
            "a b@c.co",
            "a@-b.co",
            "a@b..co",
            ".a@b.co",
            "a.@b.co",
            "a@b_c.co",
            "ü@xn--mnchen-3ya.de",
        ] {
            let err = check(request(bad)).expect_err(bad);
            assert_eq!(err.error.param.as_deref(), Some("email"), "{bad}");
        }
    }

    #[test]
    fn bad_sku_and_locale_name_their_param() {
        let mut bad_sku = request("a@b.co");
        bad_sku.sku = "no spaces allowed".into();
        assert_eq!(
            check(bad_sku).expect_err("sku").error.param.as_deref(),
            Some("sku")
        );
        let mut bad_locale = request("a@b.co");
        bad_locale.locale = Some("not a tag!".into());
        assert_eq!(
            check(bad_locale)
                .expect_err("locale")
                .error
                .param
                .as_deref(),
            Some("locale")
        );
    }

    #[test]
    fn addresses_an_email_provider_delivers_to() {
        for (input, want) in [
            ("SEC-A@Example.com", "sec-a@example.com"),
            (
                " o'brien+shop@mail.example.co.uk ",
                "o'brien+shop@mail.example.co.uk",
            ),
            ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        ] {
            assert_eq!(normalize_email(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "\"quoted\"@example.com",
            "a;b@example.com",
            "evil\u{202E}@example.com",
            "zero\u{200B}width@example.com",
            "user@[127.0.0.1]",
            "user@127.0.0.1",
            "user@localhost",
            "a@b@example.com",
            "@example.com",
            "user@-example.com",
            "user@example..com",
            "us er@example.com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_what_can_come_back_can_be_waited_for() {
        assert_eq!(can_wait_for(StockStatus::OutOfStock), Ok(()));
        assert_eq!(can_wait_for(StockStatus::Backorder), Ok(()));
        assert_eq!(
            can_wait_for(StockStatus::InStock),
            Err(ErrorCode::SkuInStock)
        );
        assert_eq!(
            can_wait_for(StockStatus::Discontinued),
            Err(ErrorCode::SkuDiscontinued)
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
