//! The promotion guard: how fast each SKU sells, how long its stock lasts,
//! and whether its promotion should run, slow down or stop.
//!
//! - `rate.rs` — the exponentially weighted rate of committed sales.
//! - `cover.rs` — cover and the projected sell-out, arrivals included.
//! - `rules.rs` — the merchant's rules, per SKU or per campaign.
//! - `level.rs` — clear, throttle, stop, with hysteresis.
//!
//! The edge keeps each guarded SKU's level in the merchant's store, moves
//! it after every write and on a quarter-hourly look, sends
//! `guard.throttle`, `guard.stop` and `guard.clear` through the signed
//! webhooks, and pauses a stopped SKU's ads in the Merchant Center feed.

pub mod cover;
pub mod level;
pub mod rate;
pub mod rules;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use cover::Outlook;
use level::GuardLevel;

/// Merchant Center pauses an item's ads for at most 14 days.
pub const MAX_PAUSE: SignedDuration = SignedDuration::from_hours(14 * 24);

/// One guarded SKU, as `GET /v1/guards` and every `guard.*` webhook show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GuardState {
    /// The rule (campaign) that guards it.
    pub rule: String,
    pub sku: String,
    pub level: GuardLevel,
    /// When it entered this level.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub since: Timestamp,
    /// The figures behind the level, at `as_of`.
    pub outlook: Outlook,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub as_of: Timestamp,
    /// While stopped: the end of the 14 days Merchant Center lets ads
    /// pause. Past it the feed no longer pauses the SKU (Google would
    /// disapprove it): end the campaign yourself, or restock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<String>", extend("format" = "date-time"))
    )]
    pub ads_paused_until: Option<Timestamp>,
}

impl GuardState {
    /// Whether the feed pauses the SKU's ads at `now`.
    pub fn pauses_ads(&self, now: Timestamp) -> bool {
        self.level == GuardLevel::Stop && now < self.since + MAX_PAUSE
    }
}

/// `GET /v1/guards`: every guarded SKU, throttled and stopped first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GuardList {
    pub data: Vec<GuardState>,
}

#[cfg(test)]
mod tests {
    //! The guard on synthetic demand: what a merchant's promotion meets.
    use super::rate::SalesRate;
    use super::rules::{GuardRule, Thresholds};
    use super::*;
    use crate::stock::Inbound;
    use jiff::civil::date;

    fn rule() -> GuardRule {
        GuardRule {
            id: "winter-sale".into(),
            skus: vec!["COAT".into()],
            throttle: Thresholds {
                cover_hours: Some(24.0),
                available: Some(20),
            },
            stop: Thresholds {
                cover_hours: Some(4.0),
                available: Some(5),
            },
            clear_margin: None,
        }
    }

    fn start() -> Timestamp {
        "2026-12-01T08:00:00Z".parse().expect("an instant")
    }

    /// Sells `per_hour` units an hour in whole units for `hours`, from
    /// `stock`, restocking by `arrivals` (minute → units); the levels seen,
    /// in order, each once.
    fn run(
        stock: i64,
        per_hour: f64,
        hours: i64,
        arrivals: &[(i64, i64)],
        inbound: &[Inbound],
    ) -> Vec<GuardLevel> {
        let rule = rule();
        let mut rate = SalesRate::default();
        let mut level = GuardLevel::Clear;
        let mut available = stock;
        let mut seen = vec![level];
        let mut owed = 0.0;
        for minute in 0..hours * 60 {
            let now = start() + SignedDuration::from_mins(minute);
            for &(at, units) in arrivals {
                if at == minute {
                    available += units;
                }
            }
            owed += per_hour / 60.0;
            let sold = (owed.floor() as i64).min(available);
            if sold > 0 {
                owed -= sold as f64;
                available -= sold;
                rate = rate.record(sold, now);
            }
            level = level.next(&rule, &Outlook::of(available, &rate, inbound, now));
            if seen.last() != Some(&level) {
                seen.push(level);
            }
        }
        seen
    }

    use GuardLevel::{Clear, Stop, Throttle};

    #[test]
    fn a_steady_drain_throttles_then_stops() {
        // 10 an hour from 200: 24 h of cover at ~hour 0 is 240 > 200, so
        // it throttles once the rate is trusted, and stops near 4 h left.
        assert_eq!(run(200, 10.0, 24, &[], &[]), vec![Clear, Throttle, Stop]);
    }

    #[test]
    fn a_flash_spike_is_caught_before_the_floor() {
        // 600 units; a campaign goes live at 300 an hour.
        let levels = run(600, 300.0, 3, &[], &[]);
        assert_eq!(levels, vec![Clear, Throttle, Stop]);
    }

    #[test]
    fn a_restock_clears_it() {
        // 30 an hour drains 60 units to a stop; at hour 3, 1,000 land:
        // 33 h of cover, past the 24-h throttle by its 25 % margin.
        let levels = run(60, 30.0, 6, &[(180, 1_000)], &[]);
        assert_eq!(levels, vec![Clear, Throttle, Stop, Clear]);
    }

    #[test]
    fn a_slow_seller_never_triggers() {
        // One sale every 5 hours from 40 units for four days.
        assert_eq!(run(40, 0.2, 96, &[], &[]), vec![Clear]);
        // An order of two every 8 hours: each alone projects 23 h of cover
        // from 32 units, under the throttle's 24 h, but two units are not
        // evidence of a rate.
        let rule = rule();
        let (mut available, mut rate, mut level) = (34, SalesRate::default(), Clear);
        for sale in 0..5 {
            let now = start() + SignedDuration::from_hours(8 * sale);
            available -= 2;
            rate = rate.record(2, now);
            level = level.next(&rule, &Outlook::of(available, &rate, &[], now));
            assert_eq!(level, Clear, "after sale {sale}");
        }
    }

    #[test]
    fn an_arrival_in_time_keeps_a_fast_seller_running() {
        // 20 an hour with 300 left is 15 h of cover, under the 24-h
        // throttle; 1,000 units arriving tomorrow carry it past that.
        let tomorrow = [Inbound {
            arrives: date(2026, 12, 2),
            qty: 1_000,
        }];
        assert_eq!(run(300, 20.0, 2, &[], &[]), vec![Clear, Throttle]);
        assert_eq!(run(300, 20.0, 2, &[], &tomorrow), vec![Clear]);
    }

    #[test]
    fn a_unit_back_and_forth_does_not_flap() {
        let rule = rule();
        let at = |available| Outlook {
            available,
            velocity_per_hour: 0.0,
            cover_hours: None,
            sells_out_at: None,
        };
        let mut level = GuardLevel::Clear;
        let mut changes = 0;
        for available in [5, 6, 5, 6, 7, 6, 5, 6] {
            let next = level.next(&rule, &at(available));
            changes += usize::from(next != level);
            level = next;
        }
        assert_eq!(changes, 1, "stopped once, and stayed stopped");
    }

    #[test]
    fn the_pause_lasts_fourteen_days_at_most() {
        let state = GuardState {
            rule: "r".into(),
            sku: "A".into(),
            level: GuardLevel::Stop,
            since: start(),
            outlook: Outlook::of(0, &SalesRate::default(), &[], start()),
            as_of: start(),
            ads_paused_until: Some(start() + MAX_PAUSE),
        };
        assert!(state.pauses_ads(start() + SignedDuration::from_hours(13 * 24)));
        assert!(!state.pauses_ads(start() + MAX_PAUSE));
    }
}
