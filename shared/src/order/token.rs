//! The promise a shopper saw, made provable: each delivery option of an
//! availability answer carries a token of its terms (SKU, quantity,
//! destination, ship-by date, window, when it was issued and until when it
//! holds), signed with a key only the merchant's store and the edge hold.
//! An order that brings it back gets exactly those terms, and nobody (the
//! shopper, a script, a bug in a checkout) can make a later or earlier
//! promise out of it.
//!
//! Format: `base64url(terms) "." base64url(HMAC-SHA256(key, terms))`, the
//! terms as `|`-separated fields (text fields with `%` and `|`
//! percent-escaped). Not JSON: serde_json would cost the widget, which
//! shares this crate, some 65 bytes of wasm for nothing it uses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What a delivery option promised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PromiseTerms {
    pub sku: String,
    pub qty: u32,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The shipping method's id.
    pub method: String,
    /// The last day it ships, as the answer said.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub ship_by: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub earliest: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub latest: Date,
    /// Issued, to the minute (so answers keep one ETag for a minute).
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub issued: Timestamp,
    /// The option's `order_by`: an order after it was never promised this.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub expires: Timestamp,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token, or not signed with this store's key: tampered.
    Invalid,
    /// Past `expires`.
    Expired,
}

fn mac(key: &str, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(payload);
    mac
}

impl PromiseTerms {
    fn payload(&self) -> String {
        let text = |s: &str| s.replace('%', "%25").replace('|', "%7C");
        [
            text(&self.sku),
            self.qty.to_string(),
            text(&self.country),
            self.postal_code.as_deref().map(text).unwrap_or_default(),
            text(&self.method),
            self.ship_by.to_string(),
            self.earliest.to_string(),
            self.latest.to_string(),
            self.issued.as_second().to_string(),
            self.expires.as_second().to_string(),
        ]
        .join("|")
    }

    fn parse(payload: &str) -> Option<Self> {
        let text = |s: &str| s.replace("%7C", "|").replace("%25", "%");
        let fields: Vec<&str> = payload.split('|').collect();
        let [
            sku,
            qty,
            country,
            postal,
            method,
            ship_by,
            earliest,
            latest,
            issued,
            expires,
        ] = fields.as_slice()
        else {
            return None;
        };
        let instant = |s: &str| Timestamp::from_second(s.parse().ok()?).ok();
        Some(Self {
            sku: text(sku),
            qty: qty.parse().ok()?,
            country: text(country),
            postal_code: (!postal.is_empty()).then(|| text(postal)),
            method: text(method),
            ship_by: ship_by.parse().ok()?,
            earliest: earliest.parse().ok()?,
            latest: latest.parse().ok()?,
            issued: instant(issued)?,
            expires: instant(expires)?,
        })
    }

    /// The signed token.
    pub fn sign(&self, key: &str) -> String {
        let payload = self.payload();
        let tag = mac(key, payload.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The terms of `token` if `key` signed it and it still holds at `now`.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::order::token::{PromiseTerms, TokenError};
    /// let terms = PromiseTerms {
    ///     sku: "MUG".into(), qty: 1, country: "US".into(), postal_code: None, method: "std|x%".into(),
    ///     ship_by: date(2026, 12, 2), earliest: date(2026, 12, 4), latest: date(2026, 12, 7),
    ///     issued: "2026-12-01T10:00:00Z".parse().unwrap(), expires: "2026-12-01T17:00:00Z".parse().unwrap(),
    /// };
    /// let token = terms.sign("k");
    /// let at = |t: &str| t.parse().unwrap();
    /// assert_eq!(PromiseTerms::verify(&token, "k", at("2026-12-01T12:00:00Z")), Ok(terms.clone()));
    /// assert_eq!(PromiseTerms::verify(&token, "k", at("2026-12-01T17:00:01Z")), Err(TokenError::Expired));
    /// assert_eq!(PromiseTerms::verify(&token, "other", at("2026-12-01T12:00:00Z")), Err(TokenError::Invalid));
    /// ```
    pub fn verify(token: &str, key: &str, now: Timestamp) -> Result<Self, TokenError> {
        let (payload, tag) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Invalid)?;
        mac(key, &payload)
            .verify_slice(&tag)
            .map_err(|_| TokenError::Invalid)?;
        let terms = std::str::from_utf8(&payload)
            .ok()
            .and_then(Self::parse)
            .ok_or(TokenError::Invalid)?;
        if now > terms.expires {
            return Err(TokenError::Expired);
        }
        Ok(terms)
    }
}

impl PromiseTerms {
    /// Whether these terms cover an order line of `qty` units of `sku`,
    /// going to `destination` (when the order names one).
    pub fn covers(
        &self,
        sku: &str,
        qty: u32,
        destination: Option<&super::OrderDestination>,
    ) -> bool {
        self.sku == sku
            && qty <= self.qty
            && destination.is_none_or(|d| {
                d.country == self.country
                    && (self.postal_code.is_none() || d.postal_code == self.postal_code)
            })
    }
}

/// `now` to the minute below.
pub fn issued_at(now: Timestamp) -> Timestamp {
    let seconds = now.as_second();
    Timestamp::from_second(seconds - seconds.rem_euclid(60)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn terms() -> PromiseTerms {
        PromiseTerms {
            sku: "MUG".into(),
            qty: 2,
            country: "DE".into(),
            postal_code: Some("10115".into()),
            method: "standard".into(),
            ship_by: date(2026, 12, 2),
            earliest: date(2026, 12, 4),
            latest: date(2026, 12, 8),
            issued: "2026-12-01T10:00:00Z".parse().expect("ts"),
            expires: "2026-12-01T15:00:00Z".parse().expect("ts"),
        }
    }

    proptest! {
        /// Any terms come back whole from their token.
        #[test]
        fn terms_round_trip(sku in "[A-Za-z0-9._-]{1,64}", method in "\\PC{1,20}", qty in 1u32..10_000) {
            let original = PromiseTerms { sku, method, qty, ..terms() };
            let now = "2026-12-01T12:00:00Z".parse().expect("ts");
            prop_assert_eq!(PromiseTerms::verify(&original.sign("k"), "k", now), Ok(original));
        }

        /// Changing any one byte of a token never yields valid terms.
        #[test]
        fn no_altered_token_verifies(at in 0usize..400, byte in any::<u8>()) {
            let token = terms().sign("store-key");
            let mut bytes = token.clone().into_bytes();
            let at = at % bytes.len();
            prop_assume!(bytes[at] != byte);
            bytes[at] = byte;
            let altered = String::from_utf8_lossy(&bytes).into_owned();
            let now = "2026-12-01T12:00:00Z".parse().expect("ts");
            // Base64's last character may carry unused bits: a change there
            // decodes to the same bytes, and must give the same terms.
            match PromiseTerms::verify(&altered, "store-key", now) {
                Ok(got) => prop_assert_eq!(got, terms()),
                Err(e) => prop_assert_eq!(e, TokenError::Invalid),
            }
        }
    }
}
