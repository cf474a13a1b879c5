//! The walk-forward backtest: every order purchased on or after the split is
//! predicted from what was known when the day it was bought began — the
//! deliveries finished by then, and the orders still in flight, as censored
//! observations. Nothing later is read.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use upfront_shared::promise::calibration::{Rank, calibrated_level};
use upfront_shared::promise::learn::{LaneModel, LearnSettings, Span, days_between};
use upfront_shared::promise::survival::Distribution;

use crate::business_days::BusinessDays;
use crate::deliveries::Delivery;

/// The figures the shared data's README defines, over one set of windows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    pub n: usize,
    pub on_time_latest: f64,
    pub mae_most_likely_days: f64,
    pub mean_window_days: f64,
    pub mean_days_early_latest: f64,
}

/// What the backtest prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub ours: Figures,
    pub target: f64,
    pub split: Date,
    /// The merchant's own `estimated_date` on the same orders.
    pub merchant: Figures,
    /// Measured `on_time_latest` when `latest` aims at 0.80, 0.90 and 0.95.
    pub calibration: BTreeMap<String, f64>,
}

/// A predicted window as calendar dates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub earliest: Date,
    pub most_likely: Date,
    pub latest: Date,
}

/// One prediction next to what happened.
struct Outcome {
    /// The order's position in the input.
    order: usize,
    window: Window,
    delivered: Date,
}

/// The levels `calibration` reports.
const CALIBRATION_TARGETS: [f64; 3] = [0.80, 0.90, 0.95];

/// Promises made this many days before the split only warm the calibration up.
const WARM_UP_DAYS: i64 = 120;

/// Runs the backtest at `target` and at the calibration targets, counting
/// durations on `clock` (calendar days, or business days without holidays).
pub fn run(
    deliveries: &[Delivery],
    zone: &TimeZone,
    clock: &BusinessDays,
    split: Date,
    target: f64,
) -> Report {
    let mut targets = CALIBRATION_TARGETS.to_vec();
    targets.push(target);
    let mut outcomes = predict_all(deliveries, zone, clock, split, &targets);
    let ours = outcomes.pop().unwrap_or_default();
    let calibration = CALIBRATION_TARGETS
        .iter()
        .zip(&outcomes)
        .map(|(level, o)| (format!("{level:.2}"), figures(o).on_time_latest))
        .collect();
    let merchant: Vec<Outcome> = deliveries
        .iter()
        .enumerate()
        .filter_map(|(order, d)| {
            let estimated = d.estimated?;
            let delivered = local_date(d.delivered?, zone);
            (local_date(d.purchased, zone) >= split).then_some(Outcome {
                order,
                window: Window {
                    earliest: estimated,
                    most_likely: estimated,
                    latest: estimated,
                },
                delivered,
            })
        })
        .collect();
    Report {
        ours: figures(&ours),
        target,
        split,
        merchant: figures(&merchant),
        calibration,
    }
}

/// Every window promised at `target` for a delivered order bought on or
/// after `split`, with the order's position in `deliveries`.
pub fn promises(
    deliveries: &[Delivery],
    zone: &TimeZone,
    clock: &BusinessDays,
    split: Date,
    target: f64,
) -> Vec<(usize, Window)> {
    predict_all(deliveries, zone, clock, split, &[target])
        .into_iter()
        .flatten()
        .map(|o| (o.order, o.window))
        .collect()
}

/// Lane keys of one order, finest first.
struct Keys {
    handling: Vec<String>,
    transit: Vec<String>,
}

impl Keys {
    fn of(d: &Delivery) -> Self {
        let zip3 = d.customer_zip.get(..3).unwrap_or(&d.customer_zip);
        Self {
            handling: vec![
                format!("seller {}", d.seller_zip),
                format!("from {}", d.seller_state),
                "*".to_owned(),
            ],
            transit: vec![
                format!("{}>{}/{}", d.seller_state, d.customer_state, zip3),
                format!("{}>{}", d.seller_state, d.customer_state),
                format!("*>{}", d.customer_state),
                "*".to_owned(),
            ],
        }
    }
}

/// One order as the walk sees it: its dates and the promise made for it.
/// `purchased` and `delivered_on` are positions on the walk's clock.
struct Walked {
    purchased_on: Date,
    purchased: Date,
    handed_off: Option<Timestamp>,
    delivered: Option<Timestamp>,
    delivered_on: Option<Date>,
    promise: Option<Distribution>,
}

/// Walks day by day from the warm-up start; returns the scored outcomes of
/// orders bought on or after `split`, one list per target.
fn predict_all(
    deliveries: &[Delivery],
    zone: &TimeZone,
    clock: &BusinessDays,
    split: Date,
    targets: &[f64],
) -> Vec<Vec<Outcome>> {
    let position = |t: Timestamp| clock.to_business(local_date(t, zone));
    let settings = LearnSettings::default();
    let keys: Vec<Keys> = deliveries.iter().map(Keys::of).collect();
    let mut walked: Vec<Walked> = deliveries
        .iter()
        .map(|d| Walked {
            purchased_on: local_date(d.purchased, zone),
            purchased: position(d.purchased),
            handed_off: d.handed_off,
            delivered: d.delivered,
            delivered_on: d.delivered.map(position),
            promise: None,
        })
        .collect();
    let warm_up = split.saturating_sub(WARM_UP_DAYS.days());
    let mut outcomes: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
    let mut i = walked.partition_point(|w| w.purchased_on < warm_up);
    while i < walked.len() {
        let calendar_today = walked[i].purchased_on;
        let today = walked[i].purchased;
        let day_end = walked[i..]
            .iter()
            .position(|w| w.purchased_on != calendar_today)
            .map_or(walked.len(), |n| i + n);
        let known_at = start_of_day(calendar_today, zone);
        let known = |t: Option<Timestamp>| t.filter(|&t| t < known_at).map(position);
        let history = walked[..i].iter().zip(&keys);
        let handling = LaneModel::fit(
            history.clone().map(|(w, k)| Span {
                keys: &k.handling,
                start: w.purchased,
                end: known(w.handed_off),
                count: 1.0,
            }),
            today,
            &settings,
        );
        let transit = LaneModel::fit(
            history.filter_map(|(w, k)| {
                Some(Span {
                    keys: &k.transit,
                    start: known(w.handed_off)?,
                    end: known(w.delivered),
                    count: 1.0,
                })
            }),
            today,
            &settings,
        );
        let ranks = recent_ranks(&walked[..i], today, known_at, &settings);
        let levels: Vec<f64> = targets
            .iter()
            .map(|&t| calibrated_level(&ranks, t))
            .collect();
        let median_level = calibrated_level(&ranks, 0.5);
        for j in i..day_end {
            let promise = total(&handling, &transit, &keys[j]);
            if let (Some(promise), Some(delivered), true) = (
                &promise,
                deliveries[j].delivered.map(|t| local_date(t, zone)),
                calendar_today >= split,
            ) {
                for (level, scored) in levels.iter().zip(&mut outcomes) {
                    let at = |p: f64| {
                        let days = i64::from(promise.quantile(p).unwrap_or(0));
                        clock.to_calendar(today.saturating_add(days.days()))
                    };
                    scored.push(Outcome {
                        order: j,
                        window: Window {
                            earliest: at(0.05),
                            most_likely: at(median_level),
                            latest: at(*level),
                        },
                        delivered,
                    });
                }
            }
            walked[j].promise = promise;
        }
        i = day_end;
    }
    outcomes
}

/// Handling plus transit, from the finest lanes with enough evidence.
fn total(handling: &LaneModel, transit: &LaneModel, keys: &Keys) -> Option<Distribution> {
    let handling = handling.distribution(&keys.handling)?;
    let transit = transit.distribution(&keys.transit)?;
    Some(handling.distribution.plus(&transit.distribution))
}

/// How the promises of orders bought in the last `window_days` before `today`
/// stand at the start of `today`.
fn recent_ranks(
    walked: &[Walked],
    today: Date,
    known_at: Timestamp,
    settings: &LearnSettings,
) -> Vec<Rank> {
    let decay = std::f64::consts::LN_2 / settings.half_life_days;
    let oldest = today.saturating_sub(CALIBRATION_WINDOW_DAYS.days());
    let first = walked.partition_point(|w| w.purchased < oldest);
    walked[first..]
        .iter()
        .filter_map(|w| {
            let promise = w.promise.as_ref()?;
            let weight = (-decay * days_between(w.purchased, today) as f64).exp();
            Some(
                match (w.delivered.filter(|&t| t < known_at), w.delivered_on) {
                    (Some(_), Some(on)) => Rank {
                        value: promise.before(days_between(w.purchased, on)),
                        weight,
                        delivered: true,
                    },
                    _ => Rank {
                        value: promise.before(days_between(w.purchased, today)),
                        weight,
                        delivered: false,
                    },
                },
            )
        })
        .collect()
}

/// Promises older than this no longer steer the calibration.
const CALIBRATION_WINDOW_DAYS: i64 = 90;

fn figures(outcomes: &[Outcome]) -> Figures {
    let n = outcomes.len();
    if n == 0 {
        return Figures::default();
    }
    let mean = |f: &dyn Fn(&Outcome) -> f64| outcomes.iter().map(f).sum::<f64>() / n as f64;
    Figures {
        n,
        on_time_latest: mean(&|o| f64::from(u8::from(o.delivered <= o.window.latest))),
        mae_most_likely_days: mean(&|o| {
            days_between(o.window.most_likely, o.delivered).abs() as f64
        }),
        mean_window_days: mean(&|o| (days_between(o.window.earliest, o.window.latest) + 1) as f64),
        mean_days_early_latest: mean(&|o| days_between(o.delivered, o.window.latest) as f64),
    }
}

fn local_date(t: Timestamp, zone: &TimeZone) -> Date {
    t.to_zoned_datetime(zone.clone()).date()
}

fn start_of_day(date: Date, zone: &TimeZone) -> Timestamp {
    date.to_zoned_datetime(zone.clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}
