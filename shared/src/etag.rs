//! Strong entity tags for API answers.

/// A strong `ETag` for a response body: FNV-1a (64 bit) of the exact bytes,
/// quoted. Same bytes, same tag; any changed byte changes it (collisions are
/// a 2⁻⁶⁴ event, and a collision only delays an update until `max-age`).
///
/// ```
/// use upfront_shared::etag::etag;
/// assert_eq!(etag(b"{}"), etag(b"{}"));
/// assert_ne!(etag(b"{\"a\":1}"), etag(b"{\"a\":2}"));
/// assert!(etag(b"").starts_with('"'));
/// ```
pub fn etag(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut tag = String::with_capacity(18);
    tag.push('"');
    for shift in (0..16).rev() {
        let nibble = ((hash >> (shift * 4)) & 0xf) as u8;
        tag.push(char::from(if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        }));
    }
    tag.push('"');
    tag
}

/// Whether an `If-None-Match` header value matches `tag` (RFC 9110: a list
/// of tags or `*`; weak comparison, so `W/` prefixes are ignored).
///
/// ```
/// use upfront_shared::etag::if_none_match_hits;
/// assert!(if_none_match_hits("\"a\", W/\"b\"", "\"b\""));
/// assert!(if_none_match_hits("*", "\"x\""));
/// assert!(!if_none_match_hits("\"a\"", "\"b\""));
/// ```
pub fn if_none_match_hits(header: &str, tag: &str) -> bool {
    header
        .split(',')
        .map(|t| t.trim())
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tag_is_quoted_hex(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let tag = etag(&body);
            prop_assert_eq!(tag.len(), 18);
            prop_assert!(tag[1..17].bytes().all(|b| b.is_ascii_hexdigit()));
            prop_assert!(if_none_match_hits(&tag, &tag));
        }
    }
}
