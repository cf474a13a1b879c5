//! Choosing the hyper-parameters on a tuning period only.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use upfront_shared::promise::calibration::CalibrationSettings;
use upfront_shared::promise::learn::LearnSettings;

use super::{CALIBRATION_TARGETS, Closures, Params, local_date, quarters};
use crate::deliveries::Delivery;

/// The candidates `tune` tries.
fn candidates() -> Vec<Params> {
    let mut all = Vec::new();
    for half_life_days in [30.0, 60.0] {
        for min_samples in [15.0, 30.0] {
            for calibration_half_life in [7.0, 14.0, 30.0, 60.0] {
                for window_days in [45, 90] {
                    all.push(Params {
                        learn: LearnSettings {
                            half_life_days,
                            min_samples,
                            ..LearnSettings::default()
                        },
                        calibration: CalibrationSettings {
                            half_life_days: calibration_half_life,
                            window_days,
                        },
                    });
                }
            }
        }
    }
    all
}

/// How one candidate did on the tuning period.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub params: Params,
    /// The largest `|on_time − target|` over the period's quarters and the
    /// calibration targets.
    pub worst_miss: f64,
    /// Mean days early at 0.95 over those quarters: the padding paid.
    pub days_early: f64,
}

/// Chooses the hyper-parameters on orders bought from `from` to before
/// `until` only (the walk still reads the history before `from`; nothing
/// from `until` on exists for it): the candidate whose worst quarter is
/// closest to its targets, and among those within half a point of it, the
/// one that pads the least.
pub fn tune(
    deliveries: &[Delivery],
    zone: &TimeZone,
    closures: &Closures,
    from: Date,
    until: Date,
) -> (Params, Vec<Trial>) {
    let seen: Vec<Delivery> = deliveries
        .iter()
        .filter(|d| local_date(d.purchased, zone) < until)
        .cloned()
        .collect();
    let trials: Vec<Trial> = candidates()
        .into_iter()
        .map(|params| {
            let rows = quarters(&seen, zone, closures, from, &CALIBRATION_TARGETS, &params);
            let worst_miss = rows
                .iter()
                .map(|r| (r.ours.on_time_latest - r.target).abs())
                .fold(0.0, f64::max);
            let padded: Vec<f64> = rows
                .iter()
                .filter(|r| r.target == 0.95)
                .map(|r| r.ours.mean_days_early_latest)
                .collect();
            Trial {
                params,
                worst_miss,
                days_early: padded.iter().sum::<f64>() / padded.len().max(1) as f64,
            }
        })
        .collect();
    let best_miss = trials
        .iter()
        .map(|t| t.worst_miss)
        .fold(f64::INFINITY, f64::min);
    let chosen = trials
        .iter()
        .filter(|t| t.worst_miss <= best_miss + 0.005)
        .min_by(|a, b| a.days_early.total_cmp(&b.days_early))
        .map_or_else(Params::default, |t| t.params);
    (chosen, trials)
}
