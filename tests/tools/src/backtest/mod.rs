//! The walk-forward backtest, on the code path the edge runs.
//!
//! The history is one merchant: a warehouse per seller state, one shipping
//! method, a compiled delivery configuration. The walk goes day by day. At
//! the start of each day it hands the shared forecast what a store would
//! hold then: every shipment handed off before that instant (delivered or
//! still out), every order still waiting for its hand-off, and the curves of
//! recent promises. It builds the forecast with the edge's own
//! [`Forecast::from_inputs`], and asks the edge's engine for each order
//! bought that day. A shipment handed off that day keeps the curve the
//! forecast gives it, as the store keeps it when the shipment is recorded.
//! Nothing later than the day's start is read.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use upfront_shared::promise::calibration::PromiseCurve;
use upfront_shared::promise::config::{
    Compiled, DayRange, DeliveryConfig, LaneConfig, MethodConfig, WarehouseConfig, WeekdayName,
};
use upfront_shared::promise::engine::{Destination, PromiseRequest, StockSource, promise};
use upfront_shared::promise::forecast::{
    Forecast, ForecastInputs, ForecastSettings, RecentPromise,
};
use upfront_shared::promise::learn::days_between;
use upfront_shared::promise::shipments::{
    RecordedShipment, WaitingOrder, local_day, postal_prefix, tally,
};

use crate::deliveries::Delivery;

mod quarters;
mod tune;

pub use quarters::{QuarterRow, quarters};
pub use tune::{Trial, tune};

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
pub const CALIBRATION_TARGETS: [f64; 3] = [0.80, 0.90, 0.95];

/// The days the warehouses and the carrier do not work, for the compiled
/// configuration. Learned durations are calendar days either way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Closures {
    pub holidays: Vec<Date>,
    pub closed_weekdays: Vec<WeekdayName>,
}

/// The model's hyper-parameters: what the edge ships by default, or a
/// candidate `tune` tries.
pub type Params = ForecastSettings;

/// The only shipping method of the history.
const METHOD: &str = "standard";
const COUNTRY: &str = "BR";

/// Runs the backtest at `target` and at the calibration targets for orders
/// bought on or after `split`.
pub fn run(
    deliveries: &[Delivery],
    zone: &TimeZone,
    closures: &Closures,
    split: Date,
    target: f64,
) -> Report {
    let mut targets = CALIBRATION_TARGETS.to_vec();
    targets.push(target);
    let mut outcomes = walk(
        deliveries,
        zone,
        closures,
        split,
        &targets,
        &Params::default(),
    );
    let ours = outcomes.pop().unwrap_or_default();
    let calibration = CALIBRATION_TARGETS
        .iter()
        .zip(&outcomes)
        .map(|(level, o)| (format!("{level:.2}"), figures(o).on_time_latest))
        .collect();
    Report {
        ours: figures(&ours),
        target,
        split,
        merchant: figures(&merchant_outcomes(deliveries, zone, split)),
        calibration,
    }
}

/// Every window promised at `target` for a delivered order bought on or
/// after `split`, with the order's position in `deliveries`.
pub fn promises(
    deliveries: &[Delivery],
    zone: &TimeZone,
    closures: &Closures,
    split: Date,
    target: f64,
) -> Vec<(usize, Window)> {
    walk(
        deliveries,
        zone,
        closures,
        split,
        &[target],
        &Params::default(),
    )
    .into_iter()
    .flatten()
    .map(|o| (o.order, o.window))
    .collect()
}

/// The merchant's own `estimated_date` for every delivered order bought on
/// or after `from`, as a one-day window.
fn merchant_outcomes(deliveries: &[Delivery], zone: &TimeZone, from: Date) -> Vec<Outcome> {
    deliveries
        .iter()
        .enumerate()
        .filter_map(|(order, d)| {
            let estimated = d.estimated?;
            let delivered = local_date(d.delivered?, zone);
            (local_date(d.purchased, zone) >= from).then_some(Outcome {
                order,
                window: Window {
                    earliest: estimated,
                    most_likely: estimated,
                    latest: estimated,
                },
                delivered,
            })
        })
        .collect()
}

/// The history as one merchant's delivery configuration: a warehouse per
/// seller state, open every day but the closures, one method to all of
/// Brazil. The configured ranges only speak until a lane has learned.
pub fn merchant_config(deliveries: &[Delivery], zone: &TimeZone, closures: &Closures) -> Compiled {
    let mut states: Vec<&str> = deliveries.iter().map(|d| d.seller_state.as_str()).collect();
    states.sort_unstable();
    states.dedup();
    let closed = (!closures.closed_weekdays.is_empty()).then(|| closures.closed_weekdays.clone());
    let config = DeliveryConfig {
        default_country: COUNTRY.into(),
        warehouses: states
            .iter()
            .map(|state| WarehouseConfig {
                id: warehouse_id(state),
                time_zone: zone.iana_name().unwrap_or("UTC").into(),
                cutoff: "23:59".into(),
                cutoff_by_weekday: BTreeMap::new(),
                handling_days: DayRange { min: 1, max: 5 },
                closed_weekdays: closed.clone(),
                holidays: closures.holidays.clone(),
                shopify_location_id: None,
            })
            .collect(),
        methods: vec![MethodConfig {
            id: METHOD.into(),
            label: "Standard".into(),
            carrier_closed_weekdays: closed,
            carrier_holidays: closures.holidays.clone(),
            lanes: vec![LaneConfig {
                country: COUNTRY.into(),
                postal_prefix: None,
                postal_range: None,
                transit_days: DayRange { min: 3, max: 25 },
            }],
        }],
        delay_notices: Vec::new(),
        on_time_target: None,
    };
    config
        .compile()
        .unwrap_or_else(|e| panic!("the history's configuration: {e:?}"))
}

/// The history's warehouse of a seller's state.
pub fn warehouse_id(seller_state: &str) -> String {
    if seller_state.is_empty() {
        "seller-unknown".into()
    } else {
        format!("seller-{}", seller_state.to_ascii_lowercase())
    }
}

/// One order as the walk sees it.
struct Walked {
    purchased_on: Date,
    warehouse: String,
    postal_prefix: String,
    /// The curve kept when its shipment was recorded.
    curve: Option<PromiseCurve>,
}

fn walked(deliveries: &[Delivery], zone: &TimeZone) -> Vec<Walked> {
    deliveries
        .iter()
        .map(|d| Walked {
            purchased_on: local_date(d.purchased, zone),
            warehouse: warehouse_id(&d.seller_state),
            postal_prefix: postal_prefix(&d.customer_zip),
            curve: None,
        })
        .collect()
}

/// The history's configuration and the forecast as it stands at the start
/// of `today`, learned from every shipment and waiting order known then
/// (without recent promises: the levels are the target's own), for
/// benchmarks of the learned path.
pub fn trained(deliveries: &[Delivery], zone: &TimeZone, today: Date) -> (Compiled, Forecast) {
    let params = Params::default();
    let inputs = inputs_known_at(
        deliveries,
        &walked(deliveries, zone),
        start_of_day(today, zone),
        zone,
        &params,
    );
    let compiled = merchant_config(deliveries, zone, &Closures::default());
    let forecast = Forecast::from_inputs(&inputs, today, compiled.on_time_target, &params);
    (compiled, forecast)
}

/// Walks day by day from the first order; returns the scored outcomes of
/// orders bought on or after `from`, one list per target.
fn walk(
    deliveries: &[Delivery],
    zone: &TimeZone,
    closures: &Closures,
    from: Date,
    targets: &[f64],
    params: &Params,
) -> Vec<Vec<Outcome>> {
    let mut compiled = merchant_config(deliveries, zone, closures);
    let mut walked = walked(deliveries, zone);
    // Hand-offs in time order, to give each its curve on its day.
    let mut handoffs: Vec<(Timestamp, usize)> = deliveries
        .iter()
        .enumerate()
        .filter_map(|(j, d)| Some((d.handed_off?, j)))
        .collect();
    handoffs.sort_unstable();
    let mut next_handoff = 0;
    let mut outcomes: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
    let mut i = 0;
    while i < walked.len() {
        let today = walked[i].purchased_on;
        let day_end = walked[i..]
            .iter()
            .position(|w| w.purchased_on != today)
            .map_or(walked.len(), |n| i + n);
        let known_at = start_of_day(today, zone);
        let inputs = inputs_known_at(deliveries, &walked, known_at, zone, params);
        let mut forecast = Forecast::from_inputs(&inputs, today, targets[0], params);
        // Shipments handed off since the last walked day are recorded now,
        // each keeping the curve of the forecast as it stood.
        let tomorrow = start_of_day(today.tomorrow().unwrap_or(today), zone);
        while next_handoff < handoffs.len() && handoffs[next_handoff].0 < tomorrow {
            let j = handoffs[next_handoff].1;
            let w = &walked[j];
            walked[j].curve = forecast.curve(
                &w.warehouse,
                METHOD,
                COUNTRY,
                Some(&w.postal_prefix),
                w.purchased_on,
            );
            next_handoff += 1;
        }
        if today >= from {
            for (&target, scored) in targets.iter().zip(&mut outcomes) {
                compiled.on_time_target = target;
                forecast.aim_at(target);
                for j in i..day_end {
                    let Some(delivered) = deliveries[j].delivered.map(|t| local_date(t, zone))
                    else {
                        continue;
                    };
                    if let Some(window) = promised(&compiled, &forecast, &deliveries[j], &walked[j])
                    {
                        scored.push(Outcome {
                            order: j,
                            window,
                            delivered,
                        });
                    }
                }
            }
        }
        i = day_end;
    }
    outcomes
}

/// What a store would hand over at `known_at`: shipments handed off before
/// it (delivered only if before it too), orders bought before it and not
/// handed off by then, and the curves of recent shipments.
fn inputs_known_at(
    deliveries: &[Delivery],
    walked: &[Walked],
    known_at: Timestamp,
    zone: &TimeZone,
    params: &Params,
) -> ForecastInputs {
    let known = |t: Option<Timestamp>| t.filter(|&t| t < known_at);
    let today = local_date(known_at, zone);
    let bought = deliveries.partition_point(|d| d.purchased < known_at);
    let since_day = local_day(known_at, zone) - params.learn.window_days;
    let oldest_promise = local_day(known_at, zone) - params.calibration.window_days;
    let mut shipments = Vec::new();
    let mut waiting = Vec::new();
    let mut promises = Vec::new();
    for (d, w) in deliveries[..bought].iter().zip(walked) {
        let ordered_day = local_day(d.purchased, zone);
        if ordered_day < since_day.min(oldest_promise) && known(d.delivered).is_some() {
            continue;
        }
        match known(d.handed_off) {
            Some(handed_off_at) => {
                let delivered_at = known(d.delivered);
                if let (Some(curve), true) = (&w.curve, ordered_day >= oldest_promise) {
                    promises.push(RecentPromise {
                        curve: curve.clone(),
                        ordered_day,
                        delivered_day: delivered_at.map(|t| local_day(t, zone)),
                    });
                }
                shipments.push(RecordedShipment {
                    warehouse: w.warehouse.clone(),
                    method: METHOD.into(),
                    country: COUNTRY.into(),
                    postal_prefix: w.postal_prefix.clone(),
                    ordered_at: Some(d.purchased),
                    handed_off_at,
                    delivered_at,
                });
            }
            None => waiting.push(WaitingOrder {
                warehouse: w.warehouse.clone(),
                ordered_at: d.purchased,
            }),
        }
    }
    ForecastInputs::gather(
        tally(shipments, waiting, since_day, |_| zone),
        promises,
        today,
        &params.calibration,
    )
}

/// The engine's window for one order, bought with its seller's stock.
fn promised(
    compiled: &Compiled,
    forecast: &Forecast,
    delivery: &Delivery,
    walked: &Walked,
) -> Option<Window> {
    let destination = Destination {
        country: COUNTRY.into(),
        postal_code: Some(delivery.customer_zip.clone()),
    };
    let stock = [StockSource {
        warehouse: walked.warehouse.clone(),
        available: 1,
        inbound: Vec::new(),
    }];
    let request = PromiseRequest {
        sku: "ORDER",
        qty: 1,
        destination: &destination,
        now: delivery.purchased,
        stock: &stock,
        preorder_release: None,
    };
    let option = promise(compiled, &request, Some(forecast))
        .into_iter()
        .next()?;
    Some(Window {
        earliest: option.earliest,
        most_likely: option.most_likely,
        latest: option.latest,
    })
}

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
