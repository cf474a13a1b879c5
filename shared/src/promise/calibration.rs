//! Recalibrating a quantile level from how recent promises turned out.
//!
//! A model that learns from the past lags when delivery times shift. Each
//! past promise leaves a *rank*: the share of its predicted distribution that
//! lay strictly before the day the parcel actually arrived. A promise made at
//! level `p` was on time exactly when its rank was below `p`. So the level
//! that would have kept `target` of recent promises is the `target` quantile
//! of their ranks. Parcels still in flight give a lower bound on their rank
//! (censored), and Kaplan–Meier uses it, so a surge raises the level while
//! the late parcels are still on the road — not weeks later.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::learn::days_between;
use super::survival::{Distribution, MAX_DAYS};

/// How one recent promise turned out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rank {
    /// Delivered: the rank itself. In flight: what it has already exceeded.
    pub value: f64,
    pub weight: f64,
    pub delivered: bool,
}

/// Below this much weight of delivered promises the target is used as is.
pub const MIN_EVIDENCE: f64 = 30.0;

/// Which recent promises steer the level, and how much each counts.
///
/// Frozen on the first half of 2017 of the shared Olist deliveries (the
/// backtest's `--tune`), before any later quarter was looked at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationSettings {
    /// A promise this many days old counts half as much as today's.
    pub half_life_days: f64,
    /// Promises older than this no longer count.
    pub window_days: i64,
}

impl Default for CalibrationSettings {
    fn default() -> Self {
        Self {
            half_life_days: 60.0,
            window_days: 45,
        }
    }
}

impl CalibrationSettings {
    /// The weight of a promise made `age_days` ago; `None` outside the window.
    pub fn weight(&self, age_days: i64) -> Option<f64> {
        (0..=self.window_days).contains(&age_days).then(|| {
            (-std::f64::consts::LN_2 / self.half_life_days.max(1.0) * age_days as f64).exp()
        })
    }
}

/// The quantile level that would have made `target` of these promises on
/// time, kept within `[target − 0.2, 0.999]` so one odd month cannot wreck
/// the promise. Returns `target` when there is too little evidence.
///
/// ```
/// use upfront_shared::promise::calibration::{calibrated_level, Rank};
/// // Recent parcels arrived later than predicted: ranks bunch up high.
/// let ranks: Vec<Rank> = (0..100)
///     .map(|i| Rank { value: 0.5 + f64::from(i) / 200.0, weight: 1.0, delivered: true })
///     .collect();
/// assert!(calibrated_level(&ranks, 0.9) > 0.9);
/// ```
pub fn calibrated_level(ranks: &[Rank], target: f64) -> f64 {
    let evidence: f64 = ranks.iter().filter(|r| r.delivered).map(|r| r.weight).sum();
    if evidence < MIN_EVIDENCE {
        return target;
    }
    let mut sorted: Vec<Rank> = ranks.to_vec();
    sorted.sort_by(|a, b| a.value.total_cmp(&b.value));
    let mut at_risk: f64 = sorted.iter().map(|r| r.weight).sum();
    let mut surviving = 1.0;
    let mut i = 0;
    while i < sorted.len() {
        let value = sorted[i].value;
        let (mut delivered, mut leaving) = (0.0, 0.0);
        while i < sorted.len() && sorted[i].value == value {
            leaving += sorted[i].weight;
            if sorted[i].delivered {
                delivered += sorted[i].weight;
            }
            i += 1;
        }
        if at_risk > 0.0 {
            surviving *= 1.0 - delivered / at_risk;
        }
        at_risk -= leaving;
        if 1.0 - surviving >= target {
            // On time means rank < level: step just past this rank.
            return (value + 1e-9).clamp(target - 0.2, 0.999);
        }
    }
    0.999
}

/// A promise's distribution of whole days from the order's day to its
/// delivery day, as kept with the order: `P(duration ≤ d)` for each day `d`
/// in 1/65535ths, up to the day it reaches 0.9995. About 40 numbers, so a
/// store can keep one for every recent order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PromiseCurve(Vec<u16>);

impl PromiseCurve {
    /// The curve of `distribution`.
    ///
    /// ```
    /// use upfront_shared::promise::calibration::PromiseCurve;
    /// use upfront_shared::promise::survival::DurationCounts;
    /// let mut counts = DurationCounts::default();
    /// for days in [2, 3, 3, 5] { counts.add_finished(days, 1.0); }
    /// let curve = PromiseCurve::of(&counts.distribution());
    /// // A quarter arrived in under 3 days (to 1/65535).
    /// assert!((curve.rank(3) - 0.25).abs() < 1e-4);
    /// assert_eq!(curve.rank(0), 0.0);
    /// assert_eq!(curve.rank(9), 1.0);
    /// ```
    pub fn of(distribution: &Distribution) -> Self {
        let mut cdf = Vec::new();
        for day in 0..=MAX_DAYS {
            let f = distribution.cdf(day).clamp(0.0, 1.0);
            cdf.push((f * f64::from(u16::MAX)).round() as u16);
            if f >= 0.9995 {
                break;
            }
        }
        Self(cdf)
    }

    /// `P(duration < days)`: the rank of a delivery after `days` days.
    pub fn rank(&self, days: i64) -> f64 {
        let Ok(days) = usize::try_from(days) else {
            return 0.0;
        };
        match days.checked_sub(1) {
            None => 0.0,
            // Past the curve's last day the curve has (all but) reached 1.
            Some(d) => self
                .0
                .get(d)
                .map_or(1.0, |&v| f64::from(v) / f64::from(u16::MAX)),
        }
    }
}

/// How a promise made on `ordered` stands on `today`: delivered on
/// `delivered`, its rank; still out, the rank it has already passed.
/// `None` once it is older than the settings' window.
pub fn order_rank(
    curve: &PromiseCurve,
    ordered: Date,
    delivered: Option<Date>,
    today: Date,
    settings: &CalibrationSettings,
) -> Option<Rank> {
    let weight = settings.weight(days_between(ordered, today))?;
    Some(match delivered.filter(|&d| d < today) {
        Some(on) => Rank {
            value: curve.rank(days_between(ordered, on)),
            weight,
            delivered: true,
        },
        None => Rank {
            value: curve.rank(days_between(ordered, today)),
            weight,
            delivered: false,
        },
    })
}

/// Recent promises' ranks, gathered into thousandths: a store's answer
/// stays a few thousand numbers however many orders it shipped. Every rank
/// rounds up: a delivery counts a little later, and a parcel still out
/// stays at risk a little longer, so gathering never lowers the level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecentRanks {
    pub ranks: Vec<Rank>,
    /// How many promises they gather, and how many of those were delivered.
    pub promises: u32,
    pub delivered: u32,
}

impl RecentRanks {
    /// Gathers `ranks` (see [`order_rank`]).
    pub fn gather(ranks: impl IntoIterator<Item = Rank>) -> Self {
        let mut bins: std::collections::BTreeMap<(u16, bool), f64> = Default::default();
        let (mut promises, mut delivered) = (0u32, 0u32);
        for r in ranks {
            promises = promises.saturating_add(1);
            delivered = delivered.saturating_add(u32::from(r.delivered));
            let scaled = r.value.clamp(0.0, 1.0) * 1000.0;
            let bin = scaled.ceil() as u16;
            *bins.entry((bin, r.delivered)).or_default() += r.weight;
        }
        Self {
            ranks: bins
                .into_iter()
                .map(|((bin, delivered), weight)| Rank {
                    value: f64::from(bin) / 1000.0,
                    weight,
                    delivered,
                })
                .collect(),
            promises,
            delivered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn delivered(value: f64) -> Rank {
        Rank {
            value,
            weight: 1.0,
            delivered: true,
        }
    }

    #[test]
    fn a_calibrated_model_keeps_its_level() {
        let ranks: Vec<Rank> = (0..1000)
            .map(|i| delivered(f64::from(i) / 1000.0))
            .collect();
        let level = calibrated_level(&ranks, 0.9);
        assert!((level - 0.9).abs() < 0.002, "{level}");
    }

    #[test]
    fn parcels_still_out_raise_the_level() {
        let mut ranks: Vec<Rank> = (0..100).map(|i| delivered(f64::from(i) / 200.0)).collect();
        let before = calibrated_level(&ranks, 0.9);
        // Forty more are late already, past 0.6 of their predicted curve.
        ranks.extend((0..40).map(|_| Rank {
            value: 0.6,
            weight: 1.0,
            delivered: false,
        }));
        assert!(calibrated_level(&ranks, 0.9) > before);
    }

    #[test]
    fn thin_evidence_keeps_the_target() {
        let ranks: Vec<Rank> = (0..10).map(|_| delivered(0.99)).collect();
        assert_eq!(calibrated_level(&ranks, 0.95), 0.95);
    }

    #[test]
    fn an_order_still_out_is_censored_at_its_age() {
        let mut counts = crate::promise::survival::DurationCounts::default();
        for days in 1..=10 {
            counts.add_finished(days, 1.0);
        }
        let curve = PromiseCurve::of(&counts.distribution());
        let settings = CalibrationSettings::default();
        let day = |d: i8| jiff::civil::date(2026, 11, d);
        let out = order_rank(&curve, day(1), None, day(5), &settings).expect("recent");
        assert!(!out.delivered && (out.value - 0.3).abs() < 1e-4, "{out:?}");
        // Delivered after `today` is not known yet: still out.
        let later = order_rank(&curve, day(1), Some(day(9)), day(5), &settings).expect("recent");
        assert_eq!(later, out);
        let done = order_rank(&curve, day(1), Some(day(4)), day(5), &settings).expect("recent");
        assert!(
            done.delivered && (done.value - 0.2).abs() < 1e-4,
            "{done:?}"
        );
        let too_old = day(1).saturating_add(jiff::Span::new().days(settings.window_days + 1));
        assert_eq!(order_rank(&curve, day(1), None, too_old, &settings), None);
    }

    proptest! {
        #[test]
        fn gathering_never_lowers_the_level(values in prop::collection::vec((0.0f64..1.0, any::<bool>()), 30..300), target in 0.5f64..0.99) {
            let ranks: Vec<Rank> = values.iter().map(|&(value, delivered)| Rank { value, weight: 1.0, delivered }).collect();
            let exact = calibrated_level(&ranks, target);
            let gathered = RecentRanks::gather(ranks.iter().copied());
            prop_assert_eq!(gathered.promises as usize, ranks.len());
            prop_assert!(gathered.ranks.len() <= 2002);
            let level = calibrated_level(&gathered.ranks, target);
            prop_assert!(level >= exact - 1e-9, "{exact} → {level}");
        }

        #[test]
        fn a_kept_curve_ranks_as_its_distribution(days in prop::collection::vec(0i64..90, 1..100), at in 0i64..200) {
            let mut counts = crate::promise::survival::DurationCounts::default();
            for &d in &days { counts.add_finished(d, 1.0); }
            let distribution = counts.distribution();
            let kept = PromiseCurve::of(&distribution).rank(at);
            let exact = distribution.before(at);
            // Past the kept days the curve has reached 0.9995.
            prop_assert!((kept - exact).abs() <= 5e-4 + 1e-9, "{kept} vs {exact}");
        }

        #[test]
        fn level_stays_in_bounds(values in prop::collection::vec((0.0f64..1.0, any::<bool>()), 0..300), target in 0.5f64..0.99) {
            let ranks: Vec<Rank> = values.iter().map(|&(value, delivered)| Rank { value, weight: 1.0, delivered }).collect();
            let level = calibrated_level(&ranks, target);
            prop_assert!(level >= target - 0.2 - 1e-12 && level <= 0.999);
        }
    }
}
