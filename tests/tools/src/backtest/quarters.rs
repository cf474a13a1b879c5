//! The walk-forward table: every calendar quarter at each target, ours
//! beside the merchant's own estimate.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use upfront_shared::promise::learn::days_between;

use super::{Closures, Figures, Outcome, Params, figures, local_date, merchant_outcomes, walk};
use crate::deliveries::Delivery;

/// One calendar quarter at one target: ours beside the merchant's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterRow {
    /// `2017-Q3`.
    pub quarter: String,
    pub target: f64,
    pub ours: Figures,
    /// The merchant's `estimated_date` on the same orders (target-free).
    pub merchant: Figures,
    /// `latest − earliest + 1` at the median and the 90th percentile of
    /// orders: how wide the promise is in practice.
    pub window_days_p50: i64,
    pub window_days_p90: i64,
}

/// The walk-forward figures of every calendar quarter from `from` on, at
/// each of `targets`.
pub fn quarters(
    deliveries: &[Delivery],
    zone: &TimeZone,
    closures: &Closures,
    from: Date,
    targets: &[f64],
    params: &Params,
) -> Vec<QuarterRow> {
    let quarter_of = |order: usize| {
        let d = local_date(deliveries[order].purchased, zone);
        format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
    };
    let group = |outcomes: Vec<Outcome>| {
        let mut by: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
        for o in outcomes {
            by.entry(quarter_of(o.order)).or_default().push(o);
        }
        by
    };
    let merchant = group(merchant_outcomes(deliveries, zone, from));
    let mut rows = Vec::new();
    for (&target, scored) in targets
        .iter()
        .zip(walk(deliveries, zone, closures, from, targets, params))
    {
        for (quarter, ours) in group(scored) {
            let mut widths: Vec<i64> = ours
                .iter()
                .map(|o| days_between(o.window.earliest, o.window.latest) + 1)
                .collect();
            widths.sort_unstable();
            let percentile = |p: f64| {
                let at = ((p * widths.len() as f64).ceil() as usize).clamp(1, widths.len());
                widths[at - 1]
            };
            rows.push(QuarterRow {
                target,
                ours: figures(&ours),
                merchant: merchant
                    .get(&quarter)
                    .map(|m| figures(m))
                    .unwrap_or_default(),
                window_days_p50: percentile(0.5),
                window_days_p90: percentile(0.9),
                quarter,
            });
        }
    }
    rows.sort_by(|a, b| {
        a.quarter
            .cmp(&b.quarter)
            .then(a.target.total_cmp(&b.target))
    });
    rows
}
