//! A merchant's public-API settings.

use jiff::SignedDuration;

/// What the edge needs to know about a merchant to answer public reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantConfig {
    pub id: String,
    /// Web origins (`scheme://host[:port]`) allowed to read from a browser.
    pub allowed_origins: Vec<String>,
    /// Stock older than this is answered with `stale: true`.
    pub freshness_limit: SignedDuration,
    /// Also allow `http://127.0.0.1:<port>` and `http://localhost:<port>`:
    /// only local test merchants, whose demo runs on whatever port is free.
    pub allow_loopback: bool,
}

impl MerchantConfig {
    /// Whether a browser at `origin` may read this merchant's answers.
    /// Exact match only (scheme and host compared case-insensitively): no
    /// wildcards, so a look-alike domain never gets a grant.
    ///
    /// ```
    /// # use upfront_shared::merchant::MerchantConfig;
    /// let m = MerchantConfig { id: "m".into(), allowed_origins: vec!["https://shop.example".into()],
    ///     freshness_limit: jiff::SignedDuration::from_hours(24), allow_loopback: false };
    /// assert!(m.allows_origin("https://SHOP.example"));
    /// assert!(!m.allows_origin("https://shop.example.evil.test"));
    /// assert!(!m.allows_origin("http://shop.example"));
    /// ```
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin))
            || (self.allow_loopback && is_loopback(origin))
    }
}

/// `http://127.0.0.1:<port>` or `http://localhost:<port>`, nothing more.
fn is_loopback(origin: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|host| {
            origin.strip_prefix(host).is_some_and(|port| {
                (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_when_asked_and_only_loopback() {
        let mut m = MerchantConfig {
            id: "m".into(),
            allowed_origins: Vec::new(),
            freshness_limit: SignedDuration::from_hours(1),
            allow_loopback: false,
        };
        assert!(!m.allows_origin("http://127.0.0.1:8795"));
        m.allow_loopback = true;
        for ok in ["http://127.0.0.1:8795", "http://localhost:3000"] {
            assert!(m.allows_origin(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.evil.test:80",
            "http://localhost:80@evil.test",
            "https://localhost:443x",
            "http://127.0.0.1:",
            "http://127.0.0.2:8787",
        ] {
            assert!(!m.allows_origin(bad), "{bad}");
        }
    }
}
