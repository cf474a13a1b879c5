//! SKU identifiers: what the API accepts, so every layer agrees.

/// The longest SKU we accept. Shopify allows 255, but URL paths and cache
/// keys stay small; merchants with longer codes map them on ingest.
pub const MAX_SKU_LEN: usize = 64;

/// [`is_valid_sku`] as a JSON Schema pattern.
pub const SKU_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

/// Checks that `sku` is 1–64 characters of `A–Z a–z 0–9 . _ -`.
///
/// The alphabet is URL-path safe, so a SKU never needs escaping.
///
/// ```
/// use upfront_shared::sku::is_valid_sku;
/// assert!(is_valid_sku("TEE-CLASSIC_M.2"));
/// assert!(!is_valid_sku("a/b"));
/// assert!(!is_valid_sku(""));
/// ```
pub fn is_valid_sku(sku: &str) -> bool {
    !sku.is_empty()
        && sku.len() <= MAX_SKU_LEN
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_pattern_says_the_same_length() {
        assert!(SKU_PATTERN.contains(&["{1,", &MAX_SKU_LEN.to_string(), "}"].concat()));
    }

    #[test]
    fn boundaries() {
        assert!(is_valid_sku(&"A".repeat(MAX_SKU_LEN)));
        assert!(!is_valid_sku(&"A".repeat(MAX_SKU_LEN + 1)));
        for bad in ["a b", "ä", "a%20", "<img>", "a?b"] {
            assert!(!is_valid_sku(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn valid_skus_need_no_url_escaping(sku in "[A-Za-z0-9._-]{1,64}") {
            prop_assert!(is_valid_sku(&sku));
        }
    }
}
