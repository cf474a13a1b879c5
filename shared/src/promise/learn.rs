//! Learned durations per lane, backing off from the finest lane to coarser
//! ones when a lane has too little evidence.
//!
//! A lane is named by keys from the most specific to the least, e.g.
//! `["wh-sp>BR/010", "wh-sp>BR/SP", "wh-sp>BR", "*>BR"]`. Each key gets its
//! own Kaplan–Meier curve from the shipments that carry it; a lookup takes
//! the first key whose curve rests on at least `min_samples` of finished
//! weight and reaches the asked quantile.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::survival::{Distribution, DurationCounts};

/// How much history counts, and how much is enough.
///
/// The defaults were frozen on the first half of 2017 of the shared Olist
/// deliveries (the backtest's `--tune 2017-01-01..2017-07-01`), before any
/// later quarter was looked at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnSettings {
    /// Finished weight a lane needs before its own curve is trusted.
    pub min_samples: f64,
    /// Shipments this many days old count half as much as today's, so the
    /// model follows a season change within weeks, not months.
    pub half_life_days: f64,
    /// Shipments started longer ago than this are ignored.
    pub window_days: i64,
}

impl Default for LearnSettings {
    fn default() -> Self {
        Self {
            min_samples: 15.0,
            half_life_days: 30.0,
            window_days: 365,
        }
    }
}

/// One duration: started on `start`, finished on `end` (or still running).
/// Dates are in the zone the durations are counted in.
#[derive(Clone, Debug, PartialEq)]
pub struct Span<'a> {
    pub keys: &'a [String],
    pub start: Date,
    pub end: Option<Date>,
    /// How many identical spans this one stands for.
    pub count: f64,
}

/// Duration counts per lane key, as they stood at one instant.
#[derive(Clone, Debug, Default)]
pub struct LaneModel {
    lanes: HashMap<String, DurationCounts>,
    min_samples: f64,
}

/// A lane's learned distribution and the finest key with enough evidence of
/// its own, for the `learned lane` reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Learned<'k> {
    pub key: &'k str,
    /// Whether `key` has `min_samples` of its own; otherwise the curve is the
    /// coarsest key's thin data and a configured range should win.
    pub trusted: bool,
    pub distribution: Distribution,
}

impl LaneModel {
    /// Counts every lane key of `spans` as they stood on `today`: a span
    /// without an end, or ending after `today`, is still running.
    pub fn fit<'a>(
        spans: impl IntoIterator<Item = Span<'a>>,
        today: Date,
        settings: &LearnSettings,
    ) -> Self {
        let mut lanes: HashMap<String, DurationCounts> = HashMap::new();
        let decay = std::f64::consts::LN_2 / settings.half_life_days.max(1.0);
        for span in spans {
            let age = days_between(span.start, today);
            if age < 0 || age > settings.window_days {
                continue;
            }
            let weight = span.count * (-decay * age as f64).exp();
            for key in span.keys {
                if !lanes.contains_key(key) {
                    lanes.insert(key.clone(), DurationCounts::default());
                }
                let Some(lane) = lanes.get_mut(key) else {
                    continue;
                };
                match span.end.filter(|&end| end <= today) {
                    Some(end) => lane.add_finished(days_between(span.start, end), weight),
                    None => lane.add_running(age, weight),
                }
            }
        }
        Self {
            lanes,
            min_samples: settings.min_samples,
        }
    }

    /// The distribution for a lane named by `keys`, finest first. Each key's
    /// curve is shrunk toward the next coarser one with the strength of
    /// `min_samples` parcels, so a lane with little data mostly repeats its
    /// region and a lane with much data speaks for itself. `None` when no key
    /// has a single finished duration.
    pub fn distribution<'k>(&self, keys: &'k [String]) -> Option<Learned<'k>> {
        let mut hazards: Option<Vec<f64>> = None;
        let mut finest = None;
        let mut trusted = false;
        for key in keys.iter().rev() {
            let Some(counts) = self.lanes.get(key) else {
                continue;
            };
            if hazards.is_none() && counts.finished_weight() <= 0.0 {
                continue;
            }
            hazards = Some(counts.hazards(hazards.as_deref(), self.min_samples));
            let enough = counts.finished_weight() >= self.min_samples;
            if finest.is_none() || enough {
                finest = Some(key.as_str());
                trusted |= enough;
            }
        }
        Some(Learned {
            key: finest?,
            trusted,
            distribution: Distribution::from_hazards(&hazards?),
        })
    }
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_hours() / 24
}
