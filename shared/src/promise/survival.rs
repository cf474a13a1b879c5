//! Whole-day durations, some finished and some still running, turned into
//! quantiles with the Kaplan–Meier estimator.
//!
//! Learning only from finished deliveries under-estimates during a surge:
//! the slow parcels of the surge are exactly the ones not yet delivered. A
//! parcel still in flight after `c` days is a *censored* observation — it
//! says "at least `c` days" — and Kaplan–Meier uses it for every day it has
//! survived, so the curve bends as soon as parcels start running late.

/// Durations longer than this count as this long; nothing real ships slower.
pub const MAX_DAYS: usize = 180;

/// Weighted event and censoring counts per whole day.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationCounts {
    /// Weight of durations that finished after exactly `d` days.
    finished: Vec<f64>,
    /// Weight of durations still running after `d` days (so `≥ d`).
    running: Vec<f64>,
    finished_weight: f64,
}

impl Default for DurationCounts {
    fn default() -> Self {
        Self {
            finished: vec![0.0; MAX_DAYS + 1],
            running: vec![0.0; MAX_DAYS + 1],
            finished_weight: 0.0,
        }
    }
}

impl DurationCounts {
    /// A duration that finished after `days` whole days.
    pub fn add_finished(&mut self, days: i64, weight: f64) {
        self.finished[clamp_days(days)] += weight;
        self.finished_weight += weight;
    }

    /// A duration that has run `days` whole days and has not finished.
    pub fn add_running(&mut self, days: i64, weight: f64) {
        self.running[clamp_days(days)] += weight;
    }

    /// The weight of finished durations: how much evidence the curve has.
    pub fn finished_weight(&self) -> f64 {
        self.finished_weight
    }

    /// The Kaplan–Meier distribution of these durations.
    pub fn distribution(&self) -> Distribution {
        Distribution::from_hazards(&self.hazards(None, 0.0))
    }

    /// The daily hazards: of the parcels still out on day `d`, the share
    /// delivered that day. With a `prior` (a coarser lane's hazards), each
    /// day is shrunk toward it as if `strength` more parcels had been at risk
    /// and behaved like the prior — so a thin lane borrows its tail from its
    /// region instead of trusting five parcels.
    pub fn hazards(&self, prior: Option<&[f64]>, strength: f64) -> Vec<f64> {
        // At risk on day d: everything that finished on day d or later, plus
        // everything still running that has reached day d (it may still
        // finish that day).
        let mut at_risk = 0.0;
        let mut hazards = vec![0.0; MAX_DAYS + 1];
        for day in (0..=MAX_DAYS).rev() {
            at_risk += self.finished[day] + self.running[day];
            // Without a prior, whatever is still out at the longest duration
            // seen arrives then (Efron's tail): parcels already out 20 days
            // make the curve reach at least 20 days, never "unknown".
            let prior_hazard = prior.map_or(if at_risk > 0.0 { 0.0 } else { 1.0 }, |p| p[day]);
            let pseudo = if prior.is_some() { strength } else { 0.0 };
            let denominator = at_risk + pseudo;
            hazards[day] = if denominator > 0.0 {
                (self.finished[day] + pseudo * prior_hazard) / denominator
            } else {
                prior_hazard
            };
        }
        if prior.is_none()
            && let Some(horizon) = (0..=MAX_DAYS)
                .rev()
                .find(|&d| self.finished[d] + self.running[d] > 0.0)
        {
            hazards[horizon] = 1.0;
        }
        hazards
    }
}

fn clamp_days(days: i64) -> usize {
    usize::try_from(days.max(0)).map_or(MAX_DAYS, |d| d.min(MAX_DAYS))
}

/// A distribution of whole days: `cdf[d] = P(duration ≤ d)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    cdf: Vec<f64>,
}

impl Distribution {
    /// The distribution whose daily hazards these are.
    pub fn from_hazards(hazards: &[f64]) -> Self {
        let mut surviving = 1.0;
        let cdf = hazards
            .iter()
            .map(|h| {
                surviving *= 1.0 - h.clamp(0.0, 1.0);
                1.0 - surviving
            })
            .collect();
        Self { cdf }
    }

    /// The smallest day count `d` with `P(duration ≤ d) ≥ p`; `None` only for
    /// a curve with no data.
    ///
    /// ```
    /// use upfront_shared::promise::survival::DurationCounts;
    /// let mut counts = DurationCounts::default();
    /// for days in [2, 3, 3, 4, 9] { counts.add_finished(days, 1.0); }
    /// let dist = counts.distribution();
    /// assert_eq!(dist.quantile(0.5), Some(3));
    /// assert_eq!(dist.quantile(0.95), Some(9));
    /// ```
    pub fn quantile(&self, p: f64) -> Option<u32> {
        // A hair of tolerance: sums of weights are not exact.
        let target = p - 1e-9;
        self.cdf
            .iter()
            .position(|&f| f >= target)
            .and_then(|d| u32::try_from(d).ok())
    }

    /// `P(duration < days)`: the share of the curve strictly before `days`.
    pub fn before(&self, days: i64) -> f64 {
        match usize::try_from(days) {
            Ok(0) | Err(_) => 0.0,
            Ok(d) => self.cdf[(d - 1).min(MAX_DAYS)],
        }
    }

    /// `P(duration ≤ days)`.
    pub fn cdf(&self, days: usize) -> f64 {
        self.cdf[days.min(MAX_DAYS)]
    }

    /// The distribution of the sum of two independent durations.
    pub fn plus(&self, other: &Distribution) -> Distribution {
        let mass = |cdf: &[f64], d: usize| cdf[d] - if d == 0 { 0.0 } else { cdf[d - 1] };
        // Only days that carry mass: a read sums a few of these per option.
        let support = |cdf: &[f64]| -> Vec<(usize, f64)> {
            (0..=MAX_DAYS)
                .map(|d| (d, mass(cdf, d)))
                .filter(|&(_, m)| m > 0.0)
                .collect()
        };
        let theirs = support(&other.cdf);
        let mut pmf = vec![0.0; MAX_DAYS + 1];
        for (a, pa) in support(&self.cdf) {
            for &(b, pb) in &theirs {
                pmf[(a + b).min(MAX_DAYS)] += pa * pb;
            }
        }
        let mut total = 0.0;
        let cdf = pmf
            .into_iter()
            .map(|p| {
                total += p;
                total
            })
            .collect();
        Distribution { cdf }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn running_parcels_push_the_quantiles_up() {
        // Ten delivered in 3 days; ten more have already run 6 days.
        let mut finished_only = DurationCounts::default();
        let mut with_running = DurationCounts::default();
        for _ in 0..10 {
            finished_only.add_finished(3, 1.0);
            with_running.add_finished(3, 1.0);
            with_running.add_running(6, 1.0);
        }
        assert_eq!(finished_only.distribution().quantile(0.9), Some(3));
        // Half the parcels are still out after 6 days: the 90th percentile
        // is at least 6, not a confident 3.
        assert_eq!(with_running.distribution().quantile(0.9), Some(6));
        assert_eq!(with_running.distribution().quantile(0.5), Some(3));
    }

    #[test]
    fn weights_count_as_repetitions() {
        let mut weighted = DurationCounts::default();
        weighted.add_finished(2, 3.0);
        weighted.add_finished(5, 1.0);
        let mut repeated = DurationCounts::default();
        for days in [2, 2, 2, 5] {
            repeated.add_finished(days, 1.0);
        }
        assert_eq!(weighted.distribution(), repeated.distribution());
    }

    #[test]
    fn sum_of_fixed_durations() {
        let mut a = DurationCounts::default();
        a.add_finished(2, 1.0);
        let mut b = DurationCounts::default();
        b.add_finished(3, 1.0);
        b.add_finished(5, 1.0);
        let sum = a.distribution().plus(&b.distribution());
        assert_eq!(sum.quantile(0.5), Some(5));
        assert_eq!(sum.quantile(1.0), Some(7));
    }

    proptest! {
        #[test]
        fn without_censoring_quantiles_are_empirical(mut days in prop::collection::vec(0i64..60, 1..200), p in 0.01f64..1.0) {
            let mut counts = DurationCounts::default();
            for &d in &days { counts.add_finished(d, 1.0); }
            days.sort_unstable();
            let rank = ((p * days.len() as f64).ceil() as usize).clamp(1, days.len());
            prop_assert_eq!(counts.distribution().quantile(p), Some(days[rank - 1] as u32));
        }

        #[test]
        fn cdf_is_monotone_and_bounded(finished in prop::collection::vec(0i64..200, 0..100), running in prop::collection::vec(0i64..200, 0..100)) {
            let mut counts = DurationCounts::default();
            for d in finished { counts.add_finished(d, 1.0); }
            for d in running { counts.add_running(d, 0.5); }
            let dist = counts.distribution();
            let mut last = 0.0;
            for d in 0..=MAX_DAYS {
                let f = dist.cdf(d);
                prop_assert!(f >= last - 1e-12 && f <= 1.0 + 1e-12);
                last = f;
            }
        }

        #[test]
        fn quantiles_never_decrease_in_p(days in prop::collection::vec(0i64..60, 1..50), p in 0.0f64..1.0, q in 0.0f64..1.0) {
            let mut counts = DurationCounts::default();
            for d in days { counts.add_finished(d, 1.0); }
            let dist = counts.distribution();
            let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
            prop_assert!(dist.quantile(lo) <= dist.quantile(hi));
        }
    }
}
