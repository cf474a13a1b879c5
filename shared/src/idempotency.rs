//! `Idempotency-Key` with Stripe's semantics: the same key and the same
//! request replay the stored answer; the same key with a different request
//! is refused. Keys live 24 hours, per merchant and route.

use sha2::{Digest, Sha256};

use crate::error::{ErrorBody, ErrorCode};

/// How long a key is remembered, as Stripe does.
pub const KEY_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

pub const MAX_KEY_LEN: usize = 255;

/// Checks the header value: 1–255 visible ASCII characters.
///
/// ```
/// use upfront_shared::idempotency::validate_key;
/// assert!(validate_key("order-1042-stock").is_ok());
/// assert!(validate_key("").is_err());
/// ```
pub fn validate_key(key: &str) -> Result<(), ErrorBody> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidParameter,
            "Idempotency-Key must be 1-255 visible ASCII characters",
        )
        .with_param("Idempotency-Key"));
    }
    Ok(())
}

/// What identifies "the same request": the route and the exact body bytes.
///
/// ```
/// use upfront_shared::idempotency::fingerprint;
/// assert_eq!(fingerprint("inventory", b"{}"), fingerprint("inventory", b"{}"));
/// assert_ne!(fingerprint("inventory", b"{}"), fingerprint("holds", b"{}"));
/// ```
pub fn fingerprint(route: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(DIGITS[usize::from(byte & 15)]));
            hex
        })
}

/// A remembered request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remembered<'a> {
    pub fingerprint: &'a str,
    pub created_at_ms: i64,
}

/// What to do with a request that carries a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// First use (or the old use expired): run it and remember the answer.
    Run,
    /// The same request again: answer what was answered.
    Replay,
    /// Another request under a used key.
    Reused,
}

/// Decides from what the store remembers under the key.
///
/// ```
/// use upfront_shared::idempotency::{decide, Decision, Remembered};
/// let seen = Remembered { fingerprint: "ab", created_at_ms: 0 };
/// assert_eq!(decide(Some(&seen), "ab", 1000), Decision::Replay);
/// assert_eq!(decide(Some(&seen), "cd", 1000), Decision::Reused);
/// assert_eq!(decide(None, "cd", 1000), Decision::Run);
/// ```
pub fn decide(remembered: Option<&Remembered<'_>>, fingerprint: &str, now_ms: i64) -> Decision {
    match remembered {
        Some(r) if now_ms - r.created_at_ms < KEY_LIFETIME_MS => {
            if r.fingerprint == fingerprint {
                Decision::Replay
            } else {
                Decision::Reused
            }
        }
        _ => Decision::Run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_expire_after_a_day() {
        let seen = Remembered {
            fingerprint: "ab",
            created_at_ms: 0,
        };
        assert_eq!(
            decide(Some(&seen), "cd", KEY_LIFETIME_MS - 1),
            Decision::Reused
        );
        assert_eq!(decide(Some(&seen), "cd", KEY_LIFETIME_MS), Decision::Run);
    }

    #[test]
    fn fingerprint_is_sha256_hex() {
        // `printf 'a\0b' | sha256sum`
        assert_eq!(
            fingerprint("a", b"b"),
            "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138"
        );
    }

    proptest! {
        #[test]
        fn bad_keys_are_refused(key in "\\PC{0,300}") {
            let ok = !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
            prop_assert_eq!(validate_key(&key).is_ok(), ok);
        }

        #[test]
        fn different_bodies_differ(a in proptest::collection::vec(any::<u8>(), 0..64), b in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(fingerprint("r", &a) == fingerprint("r", &b), a == b);
        }
    }
}
