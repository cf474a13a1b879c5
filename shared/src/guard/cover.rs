//! How long a SKU's stock lasts at its current rate of sale: the cover, and
//! the instant it projects to sell out, arrivals included.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::rate::SalesRate;
use crate::stock::Inbound;

/// Cover past ten years is no projection at all.
const HORIZON_HOURS: f64 = 10.0 * 365.0 * 24.0;

/// What the guard decides from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Outlook {
    /// Units a shopper can buy now.
    pub available: i64,
    /// Committed sales per hour, exponentially weighted (half-life 1 h).
    pub velocity_per_hour: f64,
    /// Hours until the projected sell-out; absent when the rate does not
    /// rest on at least 3 recent units, or nothing is selling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_hours: Option<f64>,
    /// The projected sell-out, arrivals included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<String>", extend("format" = "date-time"))
    )]
    pub sells_out_at: Option<Timestamp>,
}

impl Outlook {
    /// The outlook of `available` units selling at `rate`, with `arrivals`
    /// landing at the start of their day (UTC; one already late lands now).
    ///
    /// ```
    /// use jiff::{SignedDuration, Timestamp};
    /// use upfront_shared::guard::{cover::Outlook, rate::SalesRate};
    /// let now = Timestamp::from_second(1_800_000_000).unwrap();
    /// // 10 units sold just now: ~6.9 an hour; 20 left last ~2.9 hours.
    /// let rate = SalesRate::default().record(10, now);
    /// let outlook = Outlook::of(20, &rate, &[], now);
    /// assert!((outlook.cover_hours.expect("a projection") - 2.885).abs() < 0.01);
    /// ```
    pub fn of(available: i64, rate: &SalesRate, arrivals: &[Inbound], now: Timestamp) -> Self {
        let per_hour = rate.per_hour(now);
        let mut outlook = Self {
            available,
            velocity_per_hour: (per_hour * 1000.0).round() / 1000.0,
            cover_hours: None,
            sells_out_at: None,
        };
        if !rate.trusted(now) || per_hour <= 0.0 {
            return outlook;
        }
        let mut arrivals: Vec<(Timestamp, i64)> = arrivals
            .iter()
            .filter_map(|a| {
                let at = TimeZone::UTC
                    .to_timestamp(a.arrives.to_datetime(jiff::civil::Time::midnight()))
                    .ok()?;
                Some((at.max(now), a.qty))
            })
            .collect();
        arrivals.sort();
        let hours_between =
            |a: Timestamp, b: Timestamp| b.duration_since(a).as_secs_f64() / 3_600.0;
        let mut stock = available.max(0) as f64;
        let mut clock = now;
        for (at, qty) in arrivals {
            let until = hours_between(clock, at);
            if stock / per_hour <= until {
                break;
            }
            stock += qty as f64 - per_hour * until;
            clock = at;
        }
        let total = hours_between(now, clock) + stock / per_hour;
        if total <= HORIZON_HOURS {
            outlook.cover_hours = Some((total * 100.0).round() / 100.0);
            outlook.sells_out_at =
                Some(now + SignedDuration::from_secs_f64((total * 3_600.0).round()));
        }
        outlook
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn now() -> Timestamp {
        "2026-12-01T00:00:00Z".parse().expect("an instant")
    }

    fn selling(units: i64) -> SalesRate {
        SalesRate::default().record(units, now())
    }

    #[test]
    fn an_arrival_before_the_sell_out_extends_the_cover() {
        let rate = selling(10); // ~6.93 an hour
        let alone = Outlook::of(20, &rate, &[], now())
            .cover_hours
            .expect("a projection");
        let soon = [Inbound {
            arrives: date(2026, 12, 1),
            qty: 70,
        }];
        let with = Outlook::of(20, &rate, &soon, now())
            .cover_hours
            .expect("a projection");
        assert!(
            (with - (alone + 70.0 / 6.931)).abs() < 0.05,
            "{alone} {with}"
        );
    }

    #[test]
    fn an_arrival_after_the_sell_out_does_not() {
        let rate = selling(10);
        let late = [Inbound {
            arrives: date(2026, 12, 5),
            qty: 1_000,
        }];
        let alone = Outlook::of(20, &rate, &[], now());
        assert_eq!(Outlook::of(20, &rate, &late, now()), alone);
    }

    #[test]
    fn nothing_left_is_sold_out_now() {
        let outlook = Outlook::of(0, &selling(5), &[], now());
        assert_eq!(outlook.cover_hours, Some(0.0));
        assert_eq!(outlook.sells_out_at, Some(now()));
    }

    #[test]
    fn no_trusted_rate_no_projection() {
        assert_eq!(Outlook::of(3, &selling(1), &[], now()).cover_hours, None);
    }
}
