//! Who is asking, for abuse limits: the client's address as one bucket.
//!
//! An IPv4 address is one host. An IPv6 host is usually given a whole /64
//! and picks addresses in it at will, so one bucket per address would let
//! it rotate past any limit: IPv6 clients are bucketed by their /64.

use std::net::{IpAddr, Ipv6Addr};

/// The bucket of the client at `address` (the `CF-Connecting-IP` header):
/// the IPv4 address itself, or the IPv6 /64 (`2001:db8:1:2::/64`). Anything
/// unparsable, or no address at all, is one shared bucket, `unknown`.
///
/// ```
/// use upfront_shared::client::client_bucket;
/// assert_eq!(client_bucket("203.0.113.7"), "203.0.113.7");
/// assert_eq!(client_bucket("2001:db8:1:2:aaaa::1"), client_bucket("2001:db8:1:2:ffff::9"));
/// assert_ne!(client_bucket("2001:db8:1:2::1"), client_bucket("2001:db8:1:3::1"));
/// ```
pub fn client_bucket(address: &str) -> String {
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        // An IPv4 client seen through IPv6 is that IPv4 host.
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
        Err(_) => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        assert_eq!(client_bucket("2001:db8::1"), "2001:db8::/64");
        assert_eq!(client_bucket("::ffff:198.51.100.4"), "198.51.100.4");
        assert_eq!(client_bucket(""), "unknown");
        assert_eq!(client_bucket("not-an-ip"), "unknown");
    }

    proptest! {
        /// Every address of one /64 lands in the same bucket, whatever its
        /// lower 64 bits: rotating through a prefix gains nothing.
        #[test]
        fn one_bucket_per_slash_64(prefix: u64, a: u64, b: u64) {
            prop_assume!(prefix != 0); // ::/64 holds the IPv4-mapped addresses
            let addr = |low: u64| Ipv6Addr::from((u128::from(prefix) << 64) | u128::from(low)).to_string();
            prop_assert_eq!(client_bucket(&addr(a)), client_bucket(&addr(b)));
        }
    }
}
