//! The backtest on synthetic histories (no peeking, surges) and on the real
//! Olist deliveries beside the project (`../shared/data/olist/`).

use std::collections::BTreeSet;

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use upfront_tools::backtest::{self, Closures, Params, promises};
use upfront_tools::deliveries::{self, Delivery};

fn utc(day: Date, hour: i8) -> Timestamp {
    day.at(hour, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("in range")
        .timestamp()
}

/// One order a day from `start`, each handed off a day later and delivered
/// `transit(i)` days after that.
fn history(start: Date, days: i64, transit: impl Fn(i64) -> i64) -> Vec<Delivery> {
    (0..days)
        .map(|i| {
            let bought = start.saturating_add(i.days());
            let handed = bought.saturating_add(1.days());
            Delivery {
                purchased: utc(bought, 10),
                handed_off: Some(utc(handed, 15)),
                delivered: Some(utc(handed.saturating_add(transit(i).days()), 12)),
                estimated: Some(bought.saturating_add(20.days())),
                customer_zip: "01310".into(),
                customer_state: "SP".into(),
                seller_zip: "13000".into(),
                seller_state: "SP".into(),
            }
        })
        .collect()
}

/// The usual leak: deliveries that happened after an order was bought,
/// of orders bought before it (on either side of the split), seeping into
/// its promise. Altering every hand-off and delivery after an order's
/// purchase instant must leave that order's promise as it was.
/// (Checked once against a walk without the `known` filter: it fails.)
#[test]
fn no_later_event_changes_a_promise() {
    let split = date(2017, 6, 1);
    let steady = history(date(2017, 1, 1), 240, |i| 3 + i % 4);
    let windows =
        |list: &[Delivery]| promises(list, &TimeZone::UTC, &Closures::default(), split, 0.95);
    let before = windows(&steady);
    assert!(before.len() > 60, "orders after the split are promised");
    for (j, window) in before.iter().step_by(7) {
        let bought = steady[*j].purchased;
        let later = |t: Option<Timestamp>| {
            t.map(|t| {
                if t > bought {
                    t + jiff::SignedDuration::from_hours(17 * 24)
                } else {
                    t
                }
            })
        };
        let altered: Vec<Delivery> = steady
            .iter()
            .map(|d| Delivery {
                handed_off: later(d.handed_off),
                delivered: later(d.delivered),
                ..d.clone()
            })
            .collect();
        // Orders bought before the split were still in transit at `bought`:
        // their deliveries changed too.
        let moved = steady
            .iter()
            .filter(|d| d.purchased < utc(split, 0) && d.delivered.is_some_and(|t| t > bought))
            .count();
        let after = windows(&altered);
        let again = after.iter().find(|(k, _)| k == j).map(|(_, w)| w);
        assert_eq!(
            again,
            Some(window),
            "order {j} (with {moved} earlier orders' deliveries moved)"
        );
    }
}

#[test]
fn parcels_still_out_widen_the_window_before_they_arrive() {
    // Steady 3-day transit; from day 150 every parcel takes 20 days.
    let orders = history(date(2017, 1, 1), 200, |i| if i >= 150 { 20 } else { 3 });
    let windows = promises(
        &orders,
        &TimeZone::UTC,
        &Closures::default(),
        date(2017, 5, 1),
        0.95,
    );
    let latest_days = |order: usize| {
        let (_, w) = windows.iter().find(|(i, _)| *i == order).expect("promised");
        orders[order]
            .purchased
            .to_zoned_datetime(TimeZone::UTC)
            .date()
            .until(w.latest)
            .expect("span")
            .get_days()
    };
    // Ten days into the slowdown none of the slow parcels has arrived yet,
    // but they are overdue: the promise already stretches.
    assert!(
        latest_days(160) > latest_days(140) + 3,
        "{} vs {}",
        latest_days(160),
        latest_days(140)
    );
}

/// The shared Olist deliveries, in their own zone.
fn olist() -> (TimeZone, deliveries::Parsed) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/olist/deliveries-2016-2017.csv"
    );
    let text = std::fs::read_to_string(path).expect("the shared Olist data beside the project");
    let zone = TimeZone::get("America/Sao_Paulo").expect("zone");
    let parsed = deliveries::parse(&text, &zone).expect("csv");
    (zone, parsed)
}

/// The walk-forward quarters on the shared Olist file, with the
/// hyper-parameters frozen on 2017-H1: every quarter from 2017-Q3 on keeps
/// its most-likely date within half the merchant's error, and 2017-Q3 keeps
/// the merchant's target within two points at 0.90 and 0.95.
///
/// 2017-Q4 holds Black Friday: orders of the week of 2017-11-20 took 1.5×
/// the usual transit, and nothing known before that week foretold it. The
/// quarter is gated at five points below target so it cannot get worse
/// unseen; README.md states the miss.
#[test]
fn walk_forward_quarters_hold_their_targets() {
    let (zone, parsed) = olist();
    let rows = backtest::quarters(
        &parsed.deliveries,
        &zone,
        &Closures::default(),
        date(2017, 1, 1),
        &[0.80, 0.90, 0.95],
        &Params::default(),
    );
    assert_eq!(rows.len(), 12, "four quarters of 2017, three targets");
    for row in &rows {
        assert_eq!(
            row.ours.n, row.merchant.n,
            "every order gets a promise: {row:?}"
        );
        if row.quarter.as_str() < "2017-Q3" {
            continue;
        }
        assert!(
            row.ours.mae_most_likely_days <= row.merchant.mae_most_likely_days / 2.0,
            "{row:?}"
        );
        let miss = row.ours.on_time_latest - row.target;
        match (row.quarter.as_str(), row.target) {
            ("2017-Q4", _) => assert!(miss >= -0.05, "{row:?}"),
            (_, 0.90 | 0.95) => assert!(miss.abs() <= 0.02, "{row:?}"),
            _ => {}
        }
    }
    for quarter in rows.chunks(3) {
        assert!(
            quarter
                .windows(2)
                .all(|w| w[0].ours.on_time_latest < w[1].ours.on_time_latest),
            "higher targets are more often on time: {quarter:?}"
        );
    }
}

#[test]
fn with_a_holiday_calendar_no_date_lands_on_a_holiday() {
    let (zone, parsed) = olist();
    let ics = include_str!("../data/br-national-holidays-2016-2018.ics");
    let holidays: BTreeSet<Date> =
        upfront_shared::promise::ics::holidays(ics, date(2016, 1, 1), date(2018, 12, 31))
            .expect("the calendar parses")
            .into_iter()
            .collect();
    assert!(holidays.contains(&date(2017, 11, 15)) && holidays.contains(&date(2017, 2, 28)));
    let closures = Closures {
        holidays: holidays.iter().copied().collect(),
        closed_weekdays: Vec::new(),
    };
    let windows = promises(&parsed.deliveries, &zone, &closures, date(2017, 7, 1), 0.95);
    assert!(windows.len() > 10_000);
    for (_, w) in &windows {
        for day in [w.earliest, w.most_likely, w.latest] {
            assert!(!holidays.contains(&day), "{w:?} lands on a holiday");
        }
        assert!(
            w.earliest <= w.most_likely && w.most_likely <= w.latest,
            "{w:?}"
        );
    }
}
