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
}

impl MerchantConfig {
    /// Whether a browser at `origin` may read this merchant's answers.
    /// Exact match only (scheme and host compared case-insensitively): no
    /// wildcards, so a look-alike domain never gets a grant.
    ///
    /// ```
    /// # use upfront_shared::merchant::MerchantConfig;
    /// let m = MerchantConfig { id: "m".into(), allowed_origins: vec!["https://shop.example".into()],
    ///     freshness_limit: jiff::SignedDuration::from_hours(24) };
    /// assert!(m.allows_origin("https://SHOP.example"));
    /// assert!(!m.allows_origin("https://shop.example.evil.test"));
    /// assert!(!m.allows_origin("http://shop.example"));
    /// ```
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin))
    }
}
