//! How fast a SKU sells: an exponentially weighted rate of committed sales.
//!
//! Each sale adds its units to a weight that halves every
//! [`HALF_LIFE_HOURS`]; the rate is that weight × ln 2 ÷ half-life, which
//! for a steady stream of sales converges on the true units per hour. The
//! half-life is one hour: a promotion's burst shows within minutes (every
//! sale counts in full at once), and a quiet morning is forgotten by the
//! afternoon. Two numbers per SKU, updated in O(1) per sale.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The weight halves every hour.
pub const HALF_LIFE_HOURS: f64 = 1.0;

/// A rate resting on less recent weight than this many units is not
/// trusted: one sale of a slow seller must not project a sell-out.
pub const MIN_EVIDENCE_UNITS: f64 = 3.0;

const MS_PER_HOUR: f64 = 3_600_000.0;

/// The decayed weight of a SKU's sales, as of `at_ms`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SalesRate {
    /// Units sold, each weighted by ½^(its age in half-lives) at `at_ms`.
    pub weight: f64,
    /// Milliseconds since 1970 of the last sale recorded.
    pub at_ms: i64,
}

impl SalesRate {
    /// The weight as of `now` (a clock that went backwards decays nothing).
    pub fn weight_at(&self, now: Timestamp) -> f64 {
        let hours = (now.as_millisecond() - self.at_ms).max(0) as f64 / MS_PER_HOUR;
        self.weight * 0.5f64.powf(hours / HALF_LIFE_HOURS)
    }

    /// The rate after `qty` more units sold at `now`.
    ///
    /// ```
    /// use upfront_shared::guard::rate::SalesRate;
    /// let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    /// let rate = SalesRate::default().record(4, now);
    /// assert_eq!(rate.weight_at(now), 4.0);
    /// let later = now + jiff::SignedDuration::from_hours(1);
    /// assert_eq!(rate.weight_at(later), 2.0);
    /// ```
    pub fn record(self, qty: i64, now: Timestamp) -> Self {
        Self {
            weight: self.weight_at(now) + qty.max(0) as f64,
            at_ms: now.as_millisecond().max(self.at_ms),
        }
    }

    /// Units per hour at `now`.
    pub fn per_hour(&self, now: Timestamp) -> f64 {
        self.weight_at(now) * std::f64::consts::LN_2 / HALF_LIFE_HOURS
    }

    /// Whether enough recent sales back the rate to project from it.
    pub fn trusted(&self, now: Timestamp) -> bool {
        self.weight_at(now) >= MIN_EVIDENCE_UNITS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("an instant")
            + SignedDuration::from_mins(minutes)
    }

    #[test]
    fn a_steady_stream_converges_on_its_rate() {
        // 12 units an hour, one every 5 minutes, for 8 hours.
        let mut rate = SalesRate::default();
        for i in 0..96 {
            rate = rate.record(1, at(i * 5));
        }
        let measured = rate.per_hour(at(95 * 5 + 2));
        assert!((measured - 12.0).abs() < 1.0, "{measured}");
    }

    #[test]
    fn one_sale_is_not_evidence() {
        let rate = SalesRate::default().record(1, at(0));
        assert!(!rate.trusted(at(0)));
        assert!(rate.record(2, at(0)).trusted(at(0)));
        assert!(!rate.record(2, at(0)).trusted(at(60)));
    }
}
