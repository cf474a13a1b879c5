//! The query parameters of `GET /v1/availability/{sku}`, checked strictly:
//! an unknown or malformed parameter is an error naming it, never ignored.

use crate::error::{ErrorBody, ErrorCode};

/// The largest quantity one request may ask about.
pub const MAX_QTY: u32 = 10_000;

// The same rules as regular expressions, for the OpenAPI document.
pub const COUNTRY_PATTERN: &str = "^[A-Z]{2}$";
pub const POSTAL_CODE_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$";
pub const LOCALE_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";
pub const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// Where the shopper wants it delivered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Destination {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityQuery {
    pub qty: u32,
    pub destination: Destination,
    pub locale: Option<String>,
    pub currency: Option<String>,
}

impl Default for AvailabilityQuery {
    fn default() -> Self {
        Self {
            qty: 1,
            destination: Destination::default(),
            locale: None,
            currency: None,
        }
    }
}

fn invalid(param: &str, message: &str) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidParameter, message).with_param(param)
}

/// Parses decoded `(name, value)` pairs. `key` is accepted and left to the
/// authentication layer.
///
/// ```
/// use upfront_shared::query::parse_availability_query;
/// let q = parse_availability_query([("qty", "2"), ("country", "DE"), ("postal_code", "10115")]).unwrap();
/// assert_eq!(q.qty, 2);
/// assert!(parse_availability_query([("qty", "0")]).is_err());
/// assert!(parse_availability_query([("colour", "red")]).is_err());
/// ```
pub fn parse_availability_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<AvailabilityQuery, ErrorBody> {
    let mut query = AvailabilityQuery::default();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name) {
            return Err(invalid(name, "this parameter was given more than once"));
        }
        seen.push(name);
        match name {
            "key" => {}
            "qty" => query.qty = parse_qty(value).ok_or_else(|| invalid(name, "qty must be an integer from 1 to 10000"))?,
            "country" => {
                query.destination.country =
                    Some(parse_country(value).ok_or_else(|| invalid(name, "country must be an ISO 3166-1 alpha-2 code such as DE"))?)
            }
            "postal_code" => {
                query.destination.postal_code = Some(
                    parse_postal_code(value)
                        .ok_or_else(|| invalid(name, "postal_code must be 1-12 letters, digits, spaces or hyphens, starting with a letter or digit"))?,
                )
            }
            "locale" => {
                query.locale =
                    Some(parse_locale(value).ok_or_else(|| invalid(name, "locale must be a BCP 47 tag such as de-DE"))?)
            }
            "currency" => {
                query.currency =
                    Some(parse_currency(value).ok_or_else(|| invalid(name, "currency must be an ISO 4217 code such as EUR"))?)
            }
            _ => return Err(invalid(name, "unknown parameter")),
        }
    }
    if query.destination.postal_code.is_some() && query.destination.country.is_none() {
        return Err(invalid("country", "postal_code needs a country"));
    }
    Ok(query)
}

/// `1..=MAX_QTY`, digits only (no sign, no spaces).
pub fn parse_qty(value: &str) -> Option<u32> {
    if value.is_empty() || value.len() > 5 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|q| (1..=MAX_QTY).contains(q))
}

pub fn parse_country(value: &str) -> Option<String> {
    (value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())).then(|| value.to_string())
}

pub fn parse_postal_code(value: &str) -> Option<String> {
    let ok = (1..=12).contains(&value.len())
        && value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-');
    ok.then(|| value.to_string())
}

/// A pragmatic BCP 47 check: subtags of 1–8 ASCII alphanumerics joined by
/// `-`, starting with a 2–3 letter language. The browser's `Intl` does the
/// real negotiation.
pub fn parse_locale(value: &str) -> Option<String> {
    let mut subtags = value.split('-');
    let language = subtags.next()?;
    let ok = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && value.len() <= 35
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then(|| value.to_string())
}

pub fn parse_currency(value: &str) -> Option<String> {
    (value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase())).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn param_of(pairs: &[(&str, &str)]) -> Option<String> {
        parse_availability_query(pairs.iter().copied())
            .err()
            .and_then(|e| e.error.param)
    }

    #[test]
    fn table() {
        assert_eq!(param_of(&[("qty", "1"), ("key", "pk_x")]), None);
        assert_eq!(param_of(&[("qty", "10000")]), None);
        assert_eq!(param_of(&[("qty", "10001")]).as_deref(), Some("qty"));
        assert_eq!(param_of(&[("qty", "-1")]).as_deref(), Some("qty"));
        assert_eq!(param_of(&[("qty", "1.5")]).as_deref(), Some("qty"));
        assert_eq!(
            param_of(&[("qty", "1"), ("qty", "2")]).as_deref(),
            Some("qty")
        );
        assert_eq!(param_of(&[("country", "de")]).as_deref(), Some("country"));
        assert_eq!(
            param_of(&[("postal_code", "10115")]).as_deref(),
            Some("country")
        );
        assert_eq!(
            param_of(&[("country", "GB"), ("postal_code", "SW1A 1AA")]),
            None
        );
        assert_eq!(
            param_of(&[("country", "GB"), ("postal_code", "<b>")]).as_deref(),
            Some("postal_code")
        );
        assert_eq!(param_of(&[("locale", "zh-Hans-CN")]), None);
        assert_eq!(param_of(&[("locale", "x")]).as_deref(), Some("locale"));
        assert_eq!(
            param_of(&[("currency", "eur")]).as_deref(),
            Some("currency")
        );
        assert_eq!(
            param_of(&[("utm_source", "ad")]).as_deref(),
            Some("utm_source")
        );
    }

    proptest! {
        #[test]
        fn never_panics(name in "[a-z_]{0,12}", value in ".{0,40}") {
            let _ = parse_availability_query([(name.as_str(), value.as_str())]);
        }

        #[test]
        fn every_valid_qty_round_trips(qty in 1u32..=MAX_QTY) {
            prop_assert_eq!(parse_qty(&qty.to_string()), Some(qty));
        }
    }
}
