//! Frequency caps on every message that is not strictly transactional.
//!
//! One of Upfront's founding stories is a shop that emailed a discount every
//! week until its customer unsubscribed and never bought again. So the caps
//! are enforced here, for every merchant, over a rolling seven days: at most
//! one message about the same SKU and three in all per shopper address. A
//! merchant may lower either cap (to zero: no such email at all), never raise
//! it above [`FrequencyCaps::CEILING`].

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};

/// The window both caps count over.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Per shopper address, per merchant, over [`WINDOW`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FrequencyCaps {
    /// Messages about one SKU: 0 or 1.
    pub per_sku: u32,
    /// Messages in all: 0 to 3.
    pub total: u32,
}

impl Default for FrequencyCaps {
    fn default() -> Self {
        Self::CEILING
    }
}

/// Why a message may not go now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapHit {
    SameSku,
    Total,
}

impl FrequencyCaps {
    /// The most any merchant may send; also the default.
    pub const CEILING: Self = Self {
        per_sku: 1,
        total: 3,
    };

    pub fn validate(&self) -> Result<(), ErrorBody> {
        if self.per_sku > Self::CEILING.per_sku || self.total > Self::CEILING.total {
            return Err(ErrorBody::new(
                ErrorCode::InvalidRequest,
                "email caps can be lowered, not raised: per_sku is 0 or 1, total 0 to 3 (per 7 days)",
            )
            .with_param("email_caps"));
        }
        Ok(())
    }

    /// Whether one more message about `sku` may go to an address at `now`,
    /// given what it was already sent: `(sku, sent_at)` of its
    /// non-transactional messages (older ones are ignored).
    ///
    /// ```
    /// use upfront_shared::email::caps::{CapHit, FrequencyCaps};
    /// let now: jiff::Timestamp = "2026-12-08T00:00:00Z".parse().unwrap();
    /// let day = |d: i64| now - jiff::SignedDuration::from_hours(24 * d);
    /// let caps = FrequencyCaps::default();
    /// let sent = [("A".to_string(), day(1)), ("B".to_string(), day(2)), ("C".to_string(), day(3))];
    /// assert_eq!(caps.check(&sent, "D", now), Err(CapHit::Total));
    /// assert_eq!(caps.check(&sent[..2], "A", now), Err(CapHit::SameSku));
    /// assert_eq!(caps.check(&sent[..2], "D", now), Ok(()));
    /// // A week on, the window has moved past all three.
    /// assert_eq!(caps.check(&sent, "A", now + jiff::SignedDuration::from_hours(24 * 7)), Ok(()));
    /// ```
    pub fn check(
        &self,
        sent: &[(String, Timestamp)],
        sku: &str,
        now: Timestamp,
    ) -> Result<(), CapHit> {
        let since = now - WINDOW;
        let recent = sent.iter().filter(|(_, at)| *at > since);
        let (mut same, mut all) = (0u32, 0u32);
        for (s, _) in recent {
            all += 1;
            same += u32::from(s == sku);
        }
        if same >= self.per_sku {
            return Err(CapHit::SameSku);
        }
        if all >= self.total {
            return Err(CapHit::Total);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn caps_above_the_ceiling_are_refused() {
        assert!(
            FrequencyCaps {
                per_sku: 2,
                total: 3
            }
            .validate()
            .is_err()
        );
        assert!(
            FrequencyCaps {
                per_sku: 1,
                total: 4
            }
            .validate()
            .is_err()
        );
        assert!(
            FrequencyCaps {
                per_sku: 0,
                total: 0
            }
            .validate()
            .is_ok()
        );
    }

    proptest! {
        /// Whatever was sent, following `check` never puts more than the
        /// caps in any seven-day window.
        #[test]
        fn no_window_ever_holds_more_than_the_caps(
            attempts in proptest::collection::vec((0u8..4, 0i64..(30 * 24)), 1..80),
            per_sku in 0u32..=1, total in 0u32..=3,
        ) {
            let caps = FrequencyCaps { per_sku, total };
            let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("a test value");
            let mut attempts = attempts;
            attempts.sort_by_key(|(_, hour)| *hour);
            let mut sent: Vec<(String, Timestamp)> = Vec::new();
            for (sku, hour) in attempts {
                let now = start + SignedDuration::from_hours(hour);
                let sku = format!("S{sku}");
                if caps.check(&sent, &sku, now).is_ok() {
                    sent.push((sku, now));
                }
            }
            for (_, at) in &sent {
                let window: Vec<_> = sent.iter().filter(|(_, t)| *t <= *at && *t > *at - WINDOW).collect();
                prop_assert!(window.len() as u32 <= total);
                for (sku, _) in &window {
                    prop_assert!(window.iter().filter(|(s, _)| s == sku).count() as u32 <= per_sku);
                }
            }
        }
    }
}
