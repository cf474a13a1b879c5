//! API keys, after Stripe: what a key looks like, what it may do, and the
//! hash that is all the edge ever stores of it.
//!
//! A key reads `{kind}_{mode}_{merchant}_{secret}`: `pk_live_acme_3f…`.
//! The kind and mode prefixes let secret scanners match leaked keys; the
//! merchant names the Durable Object that holds the key's hash, so a key
//! lookup never funnels through one global object (see ARCHITECTURE.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// `pk_…`: public reads; safe in pages and apps.
    Publishable,
    /// `sk_…`: everything server-side.
    Secret,
    /// `rk_…`: server-side, only within its scopes.
    Restricted,
}

impl KeyKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Publishable => "pk",
            Self::Secret => "sk",
            Self::Restricted => "rk",
        }
    }

    fn from_prefix(prefix: &str) -> Option<Self> {
        [Self::Publishable, Self::Secret, Self::Restricted]
            .into_iter()
            .find(|kind| kind.prefix() == prefix)
    }
}

/// Live merchants sell; test merchants (the demo store, staging shops) do
/// not. The mode is part of every key, so a test key in production code is
/// visible at a glance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Live,
    Test,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Live, Self::Test]
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// What a restricted key may do. A secret key may do all of it, and
/// manage keys and settings besides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum Scope {
    /// The SKU list and one SKU in full.
    #[serde(rename = "inventory:read")]
    InventoryRead,
    /// Stock levels, fulfilments and the Shopify mapping.
    #[serde(rename = "inventory:write")]
    InventoryWrite,
    /// Open holds.
    #[serde(rename = "holds:read")]
    HoldsRead,
    /// Create, commit, release and cancel holds: a checkout backend.
    #[serde(rename = "holds:write")]
    HoldsWrite,
    /// The delivery configuration, read.
    #[serde(rename = "config:read")]
    ConfigRead,
    /// The delivery configuration and shipment records, written.
    #[serde(rename = "config:write")]
    ConfigWrite,
    /// Back-in-stock counts and the export.
    #[serde(rename = "subscriptions:read")]
    SubscriptionsRead,
    /// Erasing a shopper's address.
    #[serde(rename = "subscriptions:write")]
    SubscriptionsWrite,
    /// Orders, read.
    #[serde(rename = "orders:read")]
    OrdersRead,
    /// Orders created, shipped, cancelled and refunded: a checkout or
    /// fulfilment backend.
    #[serde(rename = "orders:write")]
    OrdersWrite,
}

impl Scope {
    pub const ALL: [Scope; 10] = [
        Self::InventoryRead,
        Self::InventoryWrite,
        Self::HoldsRead,
        Self::HoldsWrite,
        Self::ConfigRead,
        Self::ConfigWrite,
        Self::SubscriptionsRead,
        Self::SubscriptionsWrite,
        Self::OrdersRead,
        Self::OrdersWrite,
    ];
}

/// A key taken apart. Parsing says nothing about whether it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    pub kind: KeyKind,
    pub mode: Mode,
    pub merchant: &'a str,
}

/// The length of the random part the edge generates: 32 hex digits, 128 bits.
pub const SECRET_HEX_LEN: usize = 32;
/// An imported key (local development only) needs at least this much text
/// after the merchant.
const MIN_SECRET_LEN: usize = 16;
const MAX_SECRET_LEN: usize = 64;

/// Takes a key apart; `None` for anything that is not a well-formed key.
///
/// ```
/// use upfront_shared::keys::{parse, KeyKind, Mode};
/// let key = parse("rk_live_acme-shop_0123456789abcdef0123456789abcdef").unwrap();
/// assert_eq!((key.kind, key.mode, key.merchant), (KeyKind::Restricted, Mode::Live, "acme-shop"));
/// assert!(parse("sk_live_acme").is_none());
/// assert!(parse("pk_prod_acme_0123456789abcdef").is_none());
/// ```
pub fn parse(key: &str) -> Option<ParsedKey<'_>> {
    let mut parts = key.splitn(4, '_');
    let kind = KeyKind::from_prefix(parts.next()?)?;
    let mode = Mode::parse(parts.next()?)?;
    let merchant = parts.next()?;
    let secret = parts.next()?;
    (is_merchant_id(merchant)
        && (MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric()))
    .then_some(ParsedKey {
        kind,
        mode,
        merchant,
    })
}

/// A new key for `merchant` around `random` (hex from a CSPRNG).
pub fn compose(kind: KeyKind, mode: Mode, merchant: &str, random: &str) -> String {
    format!("{}_{}_{merchant}_{random}", kind.prefix(), mode.as_str())
}

/// What is stored of a key: its SHA-256, hex. Keys carry 128 random bits,
/// so a fast hash is enough; a slow one would only slow every request.
pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a listing shows of a key: its kind-mode-merchant prefix.
pub fn display_prefix(key: &str) -> String {
    key.rsplit_once('_')
        .map(|(prefix, _)| prefix.to_owned())
        .unwrap_or_default()
}

/// A key's last four characters, for telling keys apart in a listing.
pub fn last4(key: &str) -> String {
    key.get(key.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_owned()
}

/// Merchant ids: 2 to 32 of `a-z`, `0-9` and `-`, starting with a letter.
/// They name a Durable Object and appear inside keys, so no `_`.
///
/// ```
/// use upfront_shared::keys::is_merchant_id;
/// assert!(is_merchant_id("acme-shop2"));
/// assert!(!is_merchant_id("Acme") && !is_merchant_id("a_b") && !is_merchant_id("9lives"));
/// ```
pub fn is_merchant_id(id: &str) -> bool {
    (2..=32).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn compose_then_parse() {
        let random = "0123456789abcdef0123456789abcdef";
        for kind in [KeyKind::Publishable, KeyKind::Secret, KeyKind::Restricted] {
            for mode in [Mode::Live, Mode::Test] {
                let key = compose(kind, mode, "shop-1", random);
                let parsed = parse(&key).expect("parses");
                assert_eq!(
                    (parsed.kind, parsed.mode, parsed.merchant),
                    (kind, mode, "shop-1")
                );
                assert_eq!(
                    display_prefix(&key),
                    format!("{}_{}_shop-1", kind.prefix(), mode.as_str())
                );
                assert_eq!(last4(&key), "cdef");
            }
        }
    }

    #[test]
    fn refuses_malformed_keys() {
        for bad in [
            "",
            "pk",
            "pk_live",
            "pk_live_acme",
            "pk_live_acme_short",
            "xk_live_acme_0123456789abcdef",
            "pk_live_Acme_0123456789abcdef",
            "pk_live_acme_0123456789abcdef!",
            "pk_live_acme_0123456789abcdef_more",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn scopes_have_their_wire_names() {
        let names: Vec<String> = Scope::ALL
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .expect("ser")
                    .as_str()
                    .expect("str")
                    .to_owned()
            })
            .collect();
        assert!(names.contains(&"inventory:write".to_owned()));
        assert!(names.iter().all(|n| n.contains(':')));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,80}") {
            let _ = parse(&text);
        }

        #[test]
        fn constant_time_eq_is_eq(a in proptest::collection::vec(any::<u8>(), 0..8),
                                  b in proptest::collection::vec(any::<u8>(), 0..8)) {
            prop_assert_eq!(constant_time_eq(&a, &b), a == b);
        }
    }
}
