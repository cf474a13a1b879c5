//! The learned forecast behind every promise that rests on data: each
//! warehouse's handling time, each lane's transit time, and the quantile
//! levels recalibrated from how recent promises turned out.
//!
//! The edge builds it from the merchant's stored shipments, waiting orders
//! and recent orders' promise curves; the backtest builds it the same way
//! from the Olist history as it stood each day. One function, so a figure
//! from the backtest is a figure of the product.

use jiff::civil::Date;

use serde::{Deserialize, Serialize};

use super::calibration::{
    CalibrationSettings, PromiseCurve, Rank, RecentRanks, calibrated_level, order_rank,
};
use super::learn::{LaneModel, LearnSettings, Span};
use super::shipments::{Tallies, handling_keys, learned_keys};
use super::survival::Distribution;

/// What the store hands over to build a forecast: the tallies, and how
/// recent promises stand.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ForecastInputs {
    pub tallies: Tallies,
    pub recent: RecentRanks,
}

impl ForecastInputs {
    /// The inputs on `today`: each recent promise becomes its
    /// censoring-aware rank (see [`order_rank`]), gathered.
    pub fn gather(
        tallies: Tallies,
        promises: impl IntoIterator<Item = RecentPromise>,
        today: Date,
        settings: &CalibrationSettings,
    ) -> Self {
        let ranks = promises.into_iter().filter_map(|p| {
            order_rank(
                &p.curve,
                day(p.ordered_day),
                p.delivered_day.map(day),
                today,
                settings,
            )
        });
        Self {
            tallies,
            recent: RecentRanks::gather(ranks),
        }
    }
}

/// A shipment's promise as it was made, and its outcome so far. Days are
/// counted since 1970-01-01 on the shipping warehouse's calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentPromise {
    pub curve: PromiseCurve,
    pub ordered_day: i64,
    pub delivered_day: Option<i64>,
}

/// Answer of `GET /v1/delivery-forecast`: what the merchant's promises
/// rest on now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ForecastSummary {
    /// The configuration's `on_time_target`.
    pub on_time_target: f64,
    /// The quantile of the learned curves each date of a learned promise is
    /// read at. `latest` moves away from the target when recent promises
    /// came true more or less often than it; `earliest` aims at 5 % of
    /// parcels arriving before the window, `most_likely` at half.
    pub levels: Levels,
    /// Recent promises (the last 45 days) the levels were set from.
    pub recent_promises: u32,
    /// Of those, the ones delivered; the others count as censored (still
    /// out after so many days).
    pub recent_delivered: u32,
    /// Each configured warehouse's handling: learned, or configured until it
    /// has enough orders of its own.
    pub warehouses: Vec<WarehouseHandling>,
}

/// One warehouse's handling time, order day to carrier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WarehouseHandling {
    pub warehouse: String,
    /// Whether promises use the learned handling (else the configured
    /// `handling_days`).
    pub learned: bool,
    /// Median days, when learned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_days: Option<u32>,
    /// Days by which the `latest` level of orders are handed off, when
    /// learned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_days: Option<u32>,
}

/// The forecast's hyper-parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ForecastSettings {
    pub learn: LearnSettings,
    pub calibration: CalibrationSettings,
}

/// The quantile levels a promise reads its dates at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Levels {
    pub earliest: f64,
    pub most_likely: f64,
    pub latest: f64,
}

impl Levels {
    /// The levels that would have made recent promises come true as often
    /// as asked: 5 % before `earliest`, half before `most_likely`, and
    /// `target` by `latest`. With too little evidence, those very levels.
    pub fn calibrated(ranks: &[Rank], target: f64) -> Self {
        Self {
            earliest: calibrated_level(ranks, EARLIEST),
            most_likely: calibrated_level(ranks, 0.5),
            latest: calibrated_level(ranks, target),
        }
    }
}

/// The share of parcels allowed to arrive before the window opens.
const EARLIEST: f64 = 0.05;

/// The date `n` days after 1970-01-01, as tallies count days.
pub fn day(n: i64) -> Date {
    jiff::civil::date(1970, 1, 1).saturating_add(jiff::Span::new().days(n))
}

/// Fits tallied durations: each is `(lane keys, start day, whole days
/// taken or `None` while running, how many)`, days counted since 1970.
fn fit_days<'k>(
    tallies: impl Iterator<Item = (&'k [String], i64, Option<i64>, u32)>,
    today: Date,
    settings: &LearnSettings,
) -> LaneModel {
    LaneModel::fit(
        tallies.map(|(keys, start, days, count)| Span {
            keys,
            start: day(start),
            end: days.map(|d| day(start + d.max(0))),
            count: f64::from(count),
        }),
        today,
        settings,
    )
}

/// Learned handling and transit, and the levels to read them at.
#[derive(Clone, Debug)]
pub struct Forecast {
    handling: LaneModel,
    transit: LaneModel,
    /// How recent promises turned out, to aim at another target.
    recent: RecentRanks,
    pub levels: Levels,
}

/// What the forecast knows of one route.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnedRoute {
    /// The finest transit lane with enough evidence of its own.
    pub lane: String,
    pub transit: Distribution,
    /// The warehouse's own handling time, once it has enough evidence.
    pub handling: Option<Distribution>,
}

impl LearnedRoute {
    /// Days from the order's day to delivery: handling, then transit.
    pub fn total(&self) -> Option<Distribution> {
        self.handling.as_ref().map(|h| h.plus(&self.transit))
    }
}

impl Forecast {
    /// The forecast as it stands on `today` (the merchant's day): durations
    /// from `tallies`, levels from the `recent` ranks aiming at `target`.
    pub fn build(
        tallies: &Tallies,
        recent: RecentRanks,
        today: Date,
        target: f64,
        settings: &ForecastSettings,
    ) -> Self {
        let transit_keys: Vec<Vec<String>> = tallies
            .transit
            .iter()
            .map(|t| {
                let postal = (!t.postal_prefix.is_empty()).then_some(t.postal_prefix.as_str());
                learned_keys(&t.warehouse, &t.method, &t.country, postal)
            })
            .collect();
        let transit = fit_days(
            tallies
                .transit
                .iter()
                .zip(&transit_keys)
                .map(|(t, keys)| (keys.as_slice(), t.handed_off_day, t.days, t.count)),
            today,
            &settings.learn,
        );
        let warehouse_keys: Vec<[String; 3]> = tallies
            .handling
            .iter()
            .map(|t| handling_keys(&t.warehouse, day(t.ordered_day)))
            .collect();
        let handling = fit_days(
            tallies
                .handling
                .iter()
                .zip(&warehouse_keys)
                .map(|(t, keys)| (keys.as_slice(), t.ordered_day, t.days, t.count)),
            today,
            &settings.learn,
        );
        Self {
            handling,
            transit,
            levels: Levels::calibrated(&recent.ranks, target),
            recent,
        }
    }

    /// Recalibrates the levels for another on-time target.
    pub fn aim_at(&mut self, target: f64) {
        self.levels = Levels::calibrated(&self.recent.ranks, target);
    }

    /// The forecast on `today` from what a store handed over.
    pub fn from_inputs(
        inputs: &ForecastInputs,
        today: Date,
        target: f64,
        settings: &ForecastSettings,
    ) -> Self {
        Self::build(
            &inputs.tallies,
            inputs.recent.clone(),
            today,
            target,
            settings,
        )
    }

    /// The learned route from `warehouse` by `method` to a destination, for
    /// an order that can start on `start` (the warehouse's date), when its
    /// transit lane has enough evidence to be trusted.
    pub fn route(
        &self,
        warehouse: &str,
        method: &str,
        country: &str,
        postal_code: Option<&str>,
        start: Date,
    ) -> Option<LearnedRoute> {
        let keys = learned_keys(warehouse, method, country, postal_code);
        let transit = self.transit.distribution(&keys).filter(|l| l.trusted)?;
        Some(LearnedRoute {
            lane: transit.key.to_owned(),
            transit: transit.distribution,
            handling: self.own_handling(warehouse, start),
        })
    }

    /// The warehouse's learned handling for an order of `start`, once it
    /// rests on enough orders of its own: another warehouse's never stands
    /// in for it.
    fn own_handling(&self, warehouse: &str, start: Date) -> Option<Distribution> {
        self.handling
            .distribution(&handling_keys(warehouse, start))
            .filter(|l| l.trusted && l.key != "*")
            .map(|l| l.distribution)
    }

    /// What the merchant sees of the forecast on `today`, for its
    /// `warehouses`.
    pub fn summary<'w>(
        &self,
        target: f64,
        today: Date,
        warehouses: impl IntoIterator<Item = &'w str>,
    ) -> ForecastSummary {
        ForecastSummary {
            on_time_target: target,
            levels: self.levels,
            recent_promises: self.recent.promises,
            recent_delivered: self.recent.delivered,
            warehouses: warehouses
                .into_iter()
                .map(|warehouse| {
                    let learned = self.own_handling(warehouse, today);
                    WarehouseHandling {
                        warehouse: warehouse.to_owned(),
                        learned: learned.is_some(),
                        median_days: learned.as_ref().and_then(|d| d.quantile(0.5)),
                        latest_days: learned
                            .as_ref()
                            .and_then(|d| d.quantile(self.levels.latest)),
                    }
                })
                .collect(),
        }
    }

    /// The curve an order placed now keeps for recalibration: its days to
    /// delivery as promised. `None` unless both handling and transit are
    /// learned for the route.
    pub fn curve(
        &self,
        warehouse: &str,
        method: &str,
        country: &str,
        postal_code: Option<&str>,
        ordered_on: Date,
    ) -> Option<PromiseCurve> {
        let total = self
            .route(warehouse, method, country, postal_code, ordered_on)?
            .total()?;
        Some(PromiseCurve::of(&total))
    }
}
