//! Addresses as hashes, and the one-click unsubscribe link.
//!
//! The suppression list holds SHA-256 hashes of normalized addresses, not
//! the addresses: it must outlive an erasure request (an erased shopper is
//! never written to again), and a hash lets it without keeping the address.
//!
//! A link is `{merchant}.{address hash}.{tag}`, the tag a truncated
//! HMAC-SHA256 under a key only the merchant's store holds. It needs no
//! login and no stored row, so it works for as long as the merchant exists,
//! and nobody can unsubscribe an address they did not receive mail at.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::mime::hex;
use crate::keys::is_merchant_id;

/// The SHA-256 of an address already normalized (trimmed, lower case).
///
/// ```
/// use upfront_shared::email::unsubscribe::address_hash;
/// assert_eq!(address_hash("ada@example.com").len(), 64);
/// ```
pub fn address_hash(email: &str) -> String {
    hex(&Sha256::digest(email.as_bytes()))
}

/// The link token for `address_hash` of `merchant`, under the store's `key`.
///
/// ```
/// use upfront_shared::email::unsubscribe::{address_hash, token, Token};
/// let hash = address_hash("ada@example.com");
/// let t = token("acme", &hash, "k3y");
/// let parsed = Token::parse(&t).unwrap();
/// assert_eq!((parsed.merchant, parsed.address_hash), ("acme", hash.as_str()));
/// assert!(parsed.verify("k3y"));
/// assert!(!parsed.verify("other"));
/// ```
pub fn token(merchant: &str, address_hash: &str, key: &str) -> String {
    format!(
        "{merchant}.{address_hash}.{}",
        hex(&tag(key, merchant, address_hash)[..16])
    )
}

/// A token as a link carries it, before its tag is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub merchant: &'a str,
    pub address_hash: &'a str,
    tag: &'a str,
}

impl<'a> Token<'a> {
    /// `None` for anything not shaped like a token.
    pub fn parse(token: &'a str) -> Option<Self> {
        let mut parts = token.split('.');
        let (merchant, address_hash, tag) = (parts.next()?, parts.next()?, parts.next()?);
        let lower_hex = |s: &str, len: usize| {
            s.len() == len
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        (parts.next().is_none()
            && is_merchant_id(merchant)
            && lower_hex(address_hash, 64)
            && lower_hex(tag, 32))
        .then_some(Self {
            merchant,
            address_hash,
            tag,
        })
    }

    /// Whether the tag is the store key's, compared in constant time.
    pub fn verify(&self, key: &str) -> bool {
        let expected = hex(&tag(key, self.merchant, self.address_hash)[..16]);
        crate::keys::constant_time_eq(expected.as_bytes(), self.tag.as_bytes())
    }
}

fn tag(key: &str, merchant: &str, address_hash: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return vec![0; 32];
    };
    mac.update(merchant.as_bytes());
    mac.update(b".");
    mac.update(address_hash.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_bound_to_its_merchant_and_address() {
        let hash = address_hash("ada@example.com");
        let t = token("acme", &hash, "key");
        let other = address_hash("bob@example.com");
        let swapped = t.replace(&hash, &other);
        assert!(!Token::parse(&swapped).expect("a test value").verify("key"));
        let moved = t.replacen("acme", "demo", 1);
        assert!(!Token::parse(&moved).expect("a test value").verify("key"));
        for bad in [
            "",
            "acme",
            "acme.x.y",
            &format!("{t}.extra"),
            &t.to_uppercase(),
        ] {
            assert!(Token::parse(bad).is_none(), "{bad}");
        }
    }
}
