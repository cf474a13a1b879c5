//! The promise for `(sku, qty, destination, now)`: for each shipping method,
//! which warehouse ships, on which day, and the delivery window.
//!
//! Zones: "today", cutoffs, handling and ship dates are the warehouse's
//! local calendar; `order_by` is a UTC instant; delivery dates are calendar
//! dates at the destination. Dates carry no zone, so adding carrier days to a
//! ship date never mixes zones up.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::calendar::Closure;
use super::config::{Compiled, LaneConfig, Method, Warehouse};
use super::forecast::Forecast;
use super::survival::Distribution;
use crate::api::{DeliveryOption, Reason, ShipmentPlan};

/// Stock in one warehouse, and what is on its way there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockSource {
    pub warehouse: String,
    pub available: i64,
    pub inbound: Vec<Inbound>,
}

pub use crate::stock::Inbound;

/// Where the shopper wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    pub postal_code: Option<String>,
}

/// One question to the engine.
#[derive(Clone, Debug)]
pub struct PromiseRequest<'a> {
    pub sku: &'a str,
    pub qty: u32,
    pub destination: &'a Destination,
    pub now: Timestamp,
    pub stock: &'a [StockSource],
    /// A preorder ships no earlier than this date.
    pub preorder_release: Option<Date>,
}

/// Every method that can deliver the whole quantity to the destination,
/// soonest `latest` first. Empty when none can: no lane serves the address,
/// or the stock and inbound arrivals together fall short.
///
/// A `forecast`'s learned transit replaces a lane's configured range once
/// the lane has enough delivered parcels, and its learned handling replaces
/// the warehouse's configured handling once the warehouse has enough; its
/// recalibrated levels pick the dates (see [`Forecast`]).
pub fn promise(
    config: &Compiled,
    request: &PromiseRequest<'_>,
    forecast: Option<&Forecast>,
) -> Vec<DeliveryOption> {
    let mut options: Vec<DeliveryOption> = config
        .methods
        .iter()
        .filter_map(|method| {
            let lane = find_lane(method, request.destination)?;
            best_option(config, method, lane, request, forecast)
        })
        .collect();
    options.sort_by_key(|o| (o.latest, o.most_likely));
    options
}

/// The single warehouse that delivers soonest, else a split.
fn best_option(
    config: &Compiled,
    method: &Method,
    lane: &LaneConfig,
    request: &PromiseRequest<'_>,
    forecast: Option<&Forecast>,
) -> Option<DeliveryOption> {
    let qty = i64::from(request.qty);
    let single = config
        .warehouses
        .iter()
        .filter_map(|wh| {
            let source = request.stock.iter().find(|s| s.warehouse == wh.id)?;
            let ready = ready_date(source, qty)?;
            Some(plan(
                config,
                wh,
                method,
                lane,
                request,
                ready,
                request.qty,
                forecast,
            ))
        })
        .min_by_key(|o| (o.latest, o.most_likely));
    if single.is_some() {
        return single;
    }
    split(config, method, lane, request, forecast)
}

/// Ships from several warehouses, soonest first, each sending what it has.
fn split(
    config: &Compiled,
    method: &Method,
    lane: &LaneConfig,
    request: &PromiseRequest<'_>,
    forecast: Option<&Forecast>,
) -> Option<DeliveryOption> {
    let mut parts: Vec<DeliveryOption> = config
        .warehouses
        .iter()
        .filter_map(|wh| {
            let source = request.stock.iter().find(|s| s.warehouse == wh.id)?;
            let units = u32::try_from(source.available.clamp(0, i64::from(request.qty))).ok()?;
            (units > 0).then(|| {
                plan(
                    config,
                    wh,
                    method,
                    lane,
                    request,
                    Ready::Now,
                    units,
                    forecast,
                )
            })
        })
        .collect();
    parts.sort_by_key(|o| (o.latest, o.most_likely));
    let mut left = request.qty;
    let mut chosen: Vec<DeliveryOption> = Vec::new();
    for mut part in parts {
        if left == 0 {
            break;
        }
        let take = part.shipments[0].qty.min(left);
        part.shipments[0].qty = take;
        left -= take;
        chosen.push(part);
    }
    if left > 0 || chosen.len() < 2 {
        return None;
    }
    let mut combined = chosen.pop()?;
    for part in chosen {
        combined.shipments.insert(0, part.shipments[0].clone());
        combined.ship_date = combined.ship_date.max(part.ship_date);
        combined.earliest = combined.earliest.max(part.earliest);
        combined.most_likely = combined.most_likely.max(part.most_likely);
        combined.latest = combined.latest.max(part.latest);
        combined.order_by = combined.order_by.min(part.order_by);
        for reason in part.reasons {
            push_reason(&mut combined.reasons, reason);
        }
    }
    push_reason(&mut combined.reasons, Reason::Split);
    Some(combined)
}

/// When a warehouse can start on the whole quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ready {
    Now,
    /// Waits for the inbound arrival on this date.
    On(Date),
}

fn ready_date(source: &StockSource, qty: i64) -> Option<Ready> {
    if source.available >= qty {
        return Some(Ready::Now);
    }
    let mut arrivals = source.inbound.clone();
    arrivals.sort_by_key(|a| a.arrives);
    let mut have = source.available.max(0);
    arrivals.into_iter().find_map(|a| {
        have = have.saturating_add(a.qty.max(0));
        (have >= qty).then_some(Ready::On(a.arrives))
    })
}

#[allow(clippy::too_many_arguments)]
fn plan(
    config: &Compiled,
    wh: &Warehouse,
    method: &Method,
    lane: &LaneConfig,
    request: &PromiseRequest<'_>,
    ready: Ready,
    qty: u32,
    forecast: Option<&Forecast>,
) -> DeliveryOption {
    let mut reasons = Vec::new();
    let today = request.now.to_zoned_datetime(wh.zone.clone()).date();
    let mut day = today;
    if let Ready::On(arrives) = ready {
        push_reason(&mut reasons, Reason::Backorder { date: arrives });
        day = day.max(arrives);
    }
    if let Some(release) = request.preorder_release.filter(|&r| r > today) {
        push_reason(&mut reasons, Reason::Preorder { date: release });
        day = day.max(release);
    }
    // The first open day whose cutoff is still ahead of `now`. Comparing
    // instants, not wall times, keeps DST folds and gaps honest.
    let (processing, order_by) = loop {
        let (open, skipped) = wh.calendar.next_open(day);
        note_closures(&mut reasons, &skipped);
        let cutoff = cutoff_instant(wh, open);
        if cutoff > request.now {
            break (open, cutoff);
        }
        push_reason(&mut reasons, Reason::AfterCutoff);
        day = open.tomorrow().unwrap_or(open);
    };
    let extra: u32 = config
        .delay_notices
        .iter()
        .filter(|n| n.starts_at <= request.now && request.now < n.ends_at)
        .filter(|n| n.skus.is_empty() || n.skus.iter().any(|s| s == request.sku))
        .filter(|n| n.warehouses.is_empty() || n.warehouses.contains(&wh.id))
        .map(|n| {
            push_reason(
                &mut reasons,
                Reason::DelayNotice {
                    id: n.id.clone(),
                    extra_days: n.extra_days,
                    message: n.message.clone(),
                },
            );
            n.extra_days
        })
        .sum();
    let learned = forecast.and_then(|f| {
        let route = f.route(
            &wh.id,
            &method.id,
            &lane.country,
            request.destination.postal_code.as_deref(),
            day,
        )?;
        Some((route, f.levels))
    });
    let carrier = &method.carrier;
    let (ship_last, earliest, most_likely, latest) = match learned {
        Some((route, levels)) => {
            push_reason(
                &mut reasons,
                Reason::LearnedLane {
                    lane: route.lane.clone(),
                },
            );
            let delivered =
                |from: Date, curve: &Distribution, p: f64, reasons: &mut Vec<Reason>| {
                    let days = i64::from(curve.quantile(p).unwrap_or(0));
                    let (date, skipped) = carrier.next_open(from.saturating_add(days.days()));
                    note_closures(reasons, &skipped);
                    date
                };
            match route.total() {
                // Learned handling counts from the day the order can start
                // (today, or the day stock arrives or the release), as the
                // shipments it learned from did.
                Some(total) => {
                    let (start, skipped) = wh.calendar.add(day, extra);
                    note_closures(&mut reasons, &skipped);
                    let handling = route
                        .handling
                        .as_ref()
                        .and_then(|h| h.quantile(levels.latest));
                    let (ship_last, skipped) = wh
                        .calendar
                        .next_open(start.saturating_add(i64::from(handling.unwrap_or(0)).days()));
                    note_closures(&mut reasons, &skipped);
                    (
                        ship_last.max(processing),
                        delivered(start, &total, levels.earliest, &mut reasons),
                        delivered(start, &total, levels.most_likely, &mut reasons),
                        delivered(start, &total, levels.latest, &mut reasons),
                    )
                }
                None => {
                    let [ship_first, ship_likely, ship_last] =
                        configured_ship_dates(wh, processing, extra, &mut reasons);
                    (
                        ship_last,
                        delivered(ship_first, &route.transit, levels.earliest, &mut reasons),
                        delivered(
                            ship_likely,
                            &route.transit,
                            levels.most_likely,
                            &mut reasons,
                        ),
                        delivered(ship_last, &route.transit, levels.latest, &mut reasons),
                    )
                }
            }
        }
        None => {
            let [ship_first, ship_likely, ship_last] =
                configured_ship_dates(wh, processing, extra, &mut reasons);
            let transit = lane.transit_days;
            let at = |from: Date, days: u32, reasons: &mut Vec<Reason>| {
                let (date, skipped) = carrier.add(from, days);
                note_closures(reasons, &skipped);
                date
            };
            (
                ship_last,
                at(ship_first, transit.min, &mut reasons),
                at(ship_likely, transit.min.midpoint(transit.max), &mut reasons),
                at(ship_last, transit.max, &mut reasons),
            )
        }
    };
    DeliveryOption {
        method: method.id.clone(),
        label: method.label.clone(),
        shipments: vec![ShipmentPlan {
            warehouse: wh.id.clone(),
            qty,
        }],
        ship_date: ship_last,
        earliest,
        most_likely: most_likely.clamp(earliest, latest.max(earliest)),
        latest: latest.max(earliest),
        order_by,
        reasons,
        promise_token: None,
    }
}

/// The first, likely and last ship dates of the warehouse's configured
/// handling, from the processing day, plus any delay notice's days.
fn configured_ship_dates(
    wh: &Warehouse,
    processing: Date,
    extra: u32,
    reasons: &mut Vec<Reason>,
) -> [Date; 3] {
    let handling = wh.handling;
    [
        handling.min,
        handling.min.midpoint(handling.max),
        handling.max,
    ]
    .map(|days| {
        let (date, skipped) = wh.calendar.add(processing, days.saturating_add(extra));
        note_closures(reasons, &skipped);
        date
    })
}

/// The cutoff on `date` as an instant. A cutoff inside a DST gap moves
/// forward with the clocks; in a fold it is the first occurrence.
fn cutoff_instant(wh: &Warehouse, date: Date) -> Timestamp {
    date.to_datetime(wh.cutoff(date.weekday()))
        .to_zoned_datetime(wh.zone.clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// The most specific lane for the destination: the longest matching postal
/// prefix, then a matching range, then the country's wildcard.
fn find_lane<'m>(method: &'m Method, destination: &Destination) -> Option<&'m LaneConfig> {
    let postal = destination.postal_code.as_deref().map(normalize_postal);
    let in_country = method
        .lanes
        .iter()
        .filter(|l| l.country == destination.country);
    let by_prefix = postal.as_deref().and_then(|code| {
        in_country
            .clone()
            .filter(|l| {
                l.postal_prefix
                    .as_deref()
                    .is_some_and(|p| code.starts_with(&normalize_postal(p)))
            })
            .max_by_key(|l| l.postal_prefix.as_ref().map_or(0, String::len))
    });
    let by_range = || {
        postal.as_deref().and_then(|code| {
            in_country.clone().find(|l| {
                l.postal_range.as_ref().is_some_and(|r| {
                    let code = code.get(..r.from.len()).unwrap_or(code);
                    code.len() == r.from.len() && r.from.as_str() <= code && code <= r.to.as_str()
                })
            })
        })
    };
    let wildcard = || {
        in_country
            .clone()
            .find(|l| l.postal_prefix.is_none() && l.postal_range.is_none())
    };
    by_prefix.or_else(by_range).or_else(wildcard)
}

pub(crate) fn normalize_postal(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn note_closures(reasons: &mut Vec<Reason>, skipped: &[Closure]) {
    for closure in skipped {
        push_reason(
            reasons,
            match closure {
                Closure::ClosedWeekday => Reason::Weekend,
                Closure::Holiday => Reason::Holiday,
            },
        );
    }
}

fn push_reason(reasons: &mut Vec<Reason>, reason: Reason) {
    if !reasons.contains(&reason) {
        reasons.push(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promise::config::{
        DayRange, DelayNotice, DeliveryConfig, LaneConfig, MethodConfig, WarehouseConfig,
        WeekdayName,
    };
    use jiff::civil::date;
    use proptest::prelude::*;

    fn warehouse(id: &str, zone: &str, cutoff: &str, holidays: Vec<Date>) -> WarehouseConfig {
        WarehouseConfig {
            id: id.into(),
            time_zone: zone.into(),
            cutoff: cutoff.into(),
            cutoff_by_weekday: Default::default(),
            handling_days: DayRange { min: 1, max: 1 },
            closed_weekdays: None,
            holidays,
            shopify_location_id: None,
        }
    }

    fn standard(country: &str, carrier_holidays: Vec<Date>) -> MethodConfig {
        MethodConfig {
            id: "standard".into(),
            label: "Standard".into(),
            carrier_closed_weekdays: None,
            carrier_holidays,
            lanes: vec![LaneConfig {
                country: country.into(),
                postal_prefix: None,
                postal_range: None,
                transit_days: DayRange { min: 2, max: 4 },
            }],
        }
    }

    fn config(warehouses: Vec<WarehouseConfig>, methods: Vec<MethodConfig>) -> DeliveryConfig {
        DeliveryConfig {
            default_country: "DE".into(),
            warehouses,
            methods,
            delay_notices: Vec::new(),
            on_time_target: None,
        }
    }

    fn berlin() -> DeliveryConfig {
        config(
            vec![warehouse("berlin", "Europe/Berlin", "14:00", vec![])],
            vec![standard("DE", vec![])],
        )
    }

    fn stock(warehouse: &str, available: i64) -> StockSource {
        StockSource {
            warehouse: warehouse.into(),
            available,
            inbound: Vec::new(),
        }
    }

    fn ask(
        config: &DeliveryConfig,
        now: &str,
        stock: &[StockSource],
        qty: u32,
        country: &str,
    ) -> Vec<DeliveryOption> {
        let compiled = config.compile().expect("valid config");
        let destination = Destination {
            country: country.into(),
            postal_code: Some("10115".into()),
        };
        promise(
            &compiled,
            &PromiseRequest {
                sku: "MUG",
                qty,
                destination: &destination,
                now: now.parse().expect("instant"),
                stock,
                preorder_release: None,
            },
            None,
        )
    }

    fn one(config: &DeliveryConfig, now: &str) -> DeliveryOption {
        let mut options = ask(
            config,
            now,
            &[stock("berlin", 10), stock("tokyo", 10), stock("ny", 10)],
            1,
            "DE",
        );
        assert_eq!(options.len(), 1, "{options:?}");
        options.remove(0)
    }

    /// (case, config, now, ship date, earliest, latest, order_by, a reason it must give)
    type Case<'a> = (
        &'a str,
        &'a DeliveryConfig,
        &'a str,
        Date,
        Date,
        Date,
        &'a str,
        Option<Reason>,
    );

    #[test]
    fn named_cases_in_berlin() {
        let holiday_eve = config(
            vec![warehouse(
                "berlin",
                "Europe/Berlin",
                "14:00",
                vec![date(2026, 12, 24), date(2026, 12, 25)],
            )],
            vec![standard("DE", vec![])],
        );
        let new_year = config(
            vec![WarehouseConfig {
                handling_days: DayRange { min: 0, max: 0 },
                ..warehouse("berlin", "Europe/Berlin", "14:00", vec![])
            }],
            vec![MethodConfig {
                lanes: vec![LaneConfig {
                    transit_days: DayRange { min: 1, max: 1 },
                    ..standard("DE", vec![]).lanes[0].clone()
                }],
                ..standard("DE", vec![date(2027, 1, 1)])
            }],
        );
        let cases: [Case<'_>; 5] = [
            (
                "one minute before the cutoff",
                &berlin(),
                "2026-11-23T12:59:00Z",
                date(2026, 11, 24),
                date(2026, 11, 26),
                date(2026, 11, 30),
                "2026-11-23T13:00:00Z",
                None,
            ),
            (
                "one minute after the cutoff",
                &berlin(),
                "2026-11-23T13:01:00Z",
                date(2026, 11, 25),
                date(2026, 11, 27),
                date(2026, 12, 1),
                "2026-11-24T13:00:00Z",
                Some(Reason::AfterCutoff),
            ),
            (
                "Friday evening",
                &berlin(),
                "2026-11-27T17:00:00Z",
                date(2026, 12, 1),
                date(2026, 12, 3),
                date(2026, 12, 7),
                "2026-11-30T13:00:00Z",
                Some(Reason::Weekend),
            ),
            (
                "holiday on the cutoff day",
                &holiday_eve,
                "2026-12-24T09:00:00Z",
                date(2026, 12, 29),
                date(2026, 12, 31),
                date(2027, 1, 4),
                "2026-12-28T13:00:00Z",
                Some(Reason::Holiday),
            ),
            (
                "December 31 to January 2 and beyond",
                &new_year,
                "2026-12-31T09:00:00Z",
                date(2026, 12, 31),
                date(2027, 1, 4),
                date(2027, 1, 4),
                "2026-12-31T13:00:00Z",
                Some(Reason::Holiday),
            ),
        ];
        for (name, config, now, ship, earliest, latest, order_by, reason) in cases {
            let option = one(config, now);
            assert_eq!(
                (option.ship_date, option.earliest, option.latest),
                (ship, earliest, latest),
                "{name}"
            );
            assert_eq!(option.order_by.to_string(), order_by, "{name}");
            if let Some(reason) = reason {
                assert!(
                    option.reasons.contains(&reason),
                    "{name}: {:?}",
                    option.reasons
                );
            }
        }
    }

    #[test]
    fn dst_switch_days() {
        // New York springs forward on 8 March 2026: a 02:30 cutoff does not
        // exist that night and moves to 03:30 EDT (07:30Z).
        let ny = config(
            vec![WarehouseConfig {
                closed_weekdays: Some(vec![]),
                ..warehouse("ny", "America/New_York", "02:30", vec![])
            }],
            vec![standard("DE", vec![])],
        );
        let option = one(&ny, "2026-03-08T06:59:00Z");
        assert_eq!(option.order_by.to_string(), "2026-03-08T07:30:00Z");
        // A 14:00 cutoff is 19:00Z the day before and 18:00Z on the day.
        let ny_afternoon = config(
            vec![WarehouseConfig {
                closed_weekdays: Some(vec![]),
                ..warehouse("ny", "America/New_York", "14:00", vec![])
            }],
            vec![standard("DE", vec![])],
        );
        assert_eq!(
            one(&ny_afternoon, "2026-03-07T12:00:00Z")
                .order_by
                .to_string(),
            "2026-03-07T19:00:00Z"
        );
        assert_eq!(
            one(&ny_afternoon, "2026-03-08T12:00:00Z")
                .order_by
                .to_string(),
            "2026-03-08T18:00:00Z"
        );
        // Berlin falls back on 25 October 2026: 02:30 happens twice. At 02:45
        // CEST (00:45Z) the first 02:30 has passed; the promise must not
        // offer an `order_by` in the past.
        let berlin_night = config(
            vec![WarehouseConfig {
                closed_weekdays: Some(vec![]),
                ..warehouse("berlin", "Europe/Berlin", "02:30", vec![])
            }],
            vec![standard("DE", vec![])],
        );
        let option = one(&berlin_night, "2026-10-25T00:45:00Z");
        assert!(option.order_by > "2026-10-25T00:45:00Z".parse().expect("instant"));
        assert_eq!(option.order_by.to_string(), "2026-10-26T01:30:00Z");
    }

    #[test]
    fn tokyo_warehouse_shipping_to_los_angeles() {
        let tokyo = config(
            vec![warehouse("tokyo", "Asia/Tokyo", "14:00", vec![])],
            vec![standard("US", vec![date(2026, 11, 26)])],
        );
        // Monday 08:00 in Los Angeles is already Tuesday 01:00 in Tokyo: the
        // warehouse's Tuesday cutoff applies, not the shopper's Monday.
        let options = ask(
            &tokyo,
            "2026-11-23T16:00:00Z",
            &[stock("tokyo", 3)],
            1,
            "US",
        );
        let option = &options[0];
        assert_eq!(option.order_by.to_string(), "2026-11-24T05:00:00Z");
        assert_eq!(option.ship_date, date(2026, 11, 25));
        // Thanksgiving (26th) is a carrier holiday: 2 days = Fri 27, Mon 30.
        assert_eq!(option.earliest, date(2026, 11, 30));
        assert!(option.reasons.contains(&Reason::Holiday));
    }

    #[test]
    fn backorder_waits_for_the_inbound_arrival() {
        let mut source = stock("berlin", 1);
        source.inbound = vec![Inbound {
            arrives: date(2026, 12, 3),
            qty: 10,
        }];
        let options = ask(&berlin(), "2026-11-23T09:00:00Z", &[source], 5, "DE");
        let option = &options[0];
        assert_eq!(option.ship_date, date(2026, 12, 4));
        assert!(option.reasons.contains(&Reason::Backorder {
            date: date(2026, 12, 3)
        }));
        // Without the arrival nothing can be promised.
        assert!(
            ask(
                &berlin(),
                "2026-11-23T09:00:00Z",
                &[stock("berlin", 1)],
                5,
                "DE"
            )
            .is_empty()
        );
    }

    #[test]
    fn preorder_ships_after_release() {
        let compiled = berlin().compile().expect("valid");
        let destination = Destination {
            country: "DE".into(),
            postal_code: None,
        };
        let options = promise(
            &compiled,
            &PromiseRequest {
                sku: "GAME",
                qty: 1,
                destination: &destination,
                now: "2026-11-23T09:00:00Z".parse().expect("instant"),
                stock: &[stock("berlin", 100)],
                preorder_release: Some(date(2027, 1, 15)),
            },
            None,
        );
        assert_eq!(options[0].ship_date, date(2027, 1, 18));
        assert!(options[0].reasons.contains(&Reason::Preorder {
            date: date(2027, 1, 15)
        }));
    }

    #[test]
    fn a_delay_notice_adds_business_days_while_active() {
        let mut delayed = berlin();
        delayed.delay_notices = vec![DelayNotice {
            id: "storm".into(),
            extra_days: 2,
            starts_at: "2026-11-20T00:00:00Z".parse().expect("instant"),
            ends_at: "2026-11-25T00:00:00Z".parse().expect("instant"),
            skus: vec!["MUG".into()],
            warehouses: vec![],
            message: Some("Storm".into()),
            messages: Default::default(),
        }];
        let during = one(&delayed, "2026-11-23T09:00:00Z");
        assert_eq!(during.ship_date, date(2026, 11, 26));
        assert!(matches!(
            &during.reasons[..],
            [Reason::DelayNotice { extra_days: 2, .. }, ..]
        ));
        let after = one(&delayed, "2026-11-25T09:00:00Z");
        assert_eq!(after.ship_date, date(2026, 11, 26));
        assert!(
            !after
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::DelayNotice { .. }))
        );
    }

    #[test]
    fn a_split_is_stated_plainly() {
        let two = config(
            vec![
                warehouse("berlin", "Europe/Berlin", "14:00", vec![]),
                warehouse("paris", "Europe/Paris", "12:00", vec![]),
            ],
            vec![standard("DE", vec![])],
        );
        let options = ask(
            &two,
            "2026-11-23T09:00:00Z",
            &[stock("berlin", 3), stock("paris", 3)],
            5,
            "DE",
        );
        let option = &options[0];
        assert_eq!(option.shipments.iter().map(|s| s.qty).sum::<u32>(), 5);
        assert_eq!(option.shipments.len(), 2);
        assert!(option.reasons.contains(&Reason::Split));
        // Paris's earlier cutoff bounds the whole order.
        assert_eq!(option.order_by.to_string(), "2026-11-23T11:00:00Z");
    }

    #[test]
    fn the_most_specific_lane_wins_and_unserved_addresses_get_nothing() {
        let mut c = berlin();
        c.methods[0].lanes.push(LaneConfig {
            country: "DE".into(),
            postal_prefix: Some("10".into()),
            postal_range: None,
            transit_days: DayRange { min: 1, max: 1 },
        });
        let option = &ask(&c, "2026-11-23T09:00:00Z", &[stock("berlin", 1)], 1, "DE")[0];
        assert_eq!(option.latest, date(2026, 11, 25));
        assert!(ask(&c, "2026-11-23T09:00:00Z", &[stock("berlin", 1)], 1, "FR").is_empty());
    }

    const ZONES: [&str; 6] = [
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "America/Los_Angeles",
        "Australia/Lord_Howe",
        "UTC",
    ];
    const DAYS: [WeekdayName; 7] = [
        WeekdayName::Mon,
        WeekdayName::Tue,
        WeekdayName::Wed,
        WeekdayName::Thu,
        WeekdayName::Fri,
        WeekdayName::Sat,
        WeekdayName::Sun,
    ];

    prop_compose! {
        fn arbitrary_config()(
            zone in 0..ZONES.len(),
            hour in 0i8..24, minute in 0i8..60,
            handling in (0u32..5, 0u32..5),
            transit in (0u32..10, 0u32..10),
            closed in prop::collection::btree_set(0..7usize, 0..6),
            carrier_closed in prop::collection::btree_set(0..7usize, 0..6),
            holidays in prop::collection::vec(0i64..800, 0..40),
        ) -> DeliveryConfig {
            let day = |n: i64| date(2026, 1, 1).saturating_add(n.days());
            let names = |set: std::collections::BTreeSet<usize>| Some(set.into_iter().map(|i| DAYS[i]).collect());
            let mut wh = warehouse("w", ZONES[zone], &format!("{hour:02}:{minute:02}"), holidays.iter().map(|&n| day(n)).collect());
            wh.handling_days = DayRange { min: handling.0.min(handling.1), max: handling.0.max(handling.1) };
            wh.closed_weekdays = names(closed);
            let mut method = standard("DE", holidays.iter().map(|&n| day(n + 3)).collect());
            method.carrier_closed_weekdays = names(carrier_closed);
            method.lanes[0].transit_days = DayRange { min: transit.0.min(transit.1), max: transit.0.max(transit.1) };
            config(vec![wh], vec![method])
        }
    }

    proptest! {
        #[test]
        fn promises_are_well_formed_and_never_move_earlier(
            config in arbitrary_config(),
            start in 0i64..(2 * 365 * 24 * 60),
            later in 0i64..(20 * 24 * 60),
            available in -2i64..5,
            qty in 1u32..4,
        ) {
            let compiled = config.compile().expect("generated configs are valid");
            let destination = Destination { country: "DE".into(), postal_code: None };
            let sources = [StockSource { warehouse: "w".into(), available, inbound: vec![Inbound { arrives: date(2026, 6, 1), qty: 3 }] }];
            let at = |minutes: i64| Timestamp::from_second(1_767_225_600 + minutes * 60).expect("in range");
            let ask = |now: Timestamp| promise(&compiled, &PromiseRequest { sku: "S", qty, destination: &destination, now, stock: &sources, preorder_release: None }, None);
            let (now, then) = (at(start), at(start + later));
            let (first, second) = (ask(now), ask(then));
            for o in &first {
                prop_assert!(o.earliest <= o.most_likely && o.most_likely <= o.latest, "{o:?}");
                prop_assert!(o.order_by > now);
                prop_assert!(compiled.warehouses[0].calendar.closure(o.ship_date).is_none(), "ship {o:?}");
                for d in [o.earliest, o.most_likely, o.latest] {
                    prop_assert!(compiled.methods[0].carrier.closure(d).is_none(), "delivery {d} {o:?}");
                }
            }
            if let (Some(a), Some(b)) = (first.first(), second.first()) {
                prop_assert!(b.earliest >= a.earliest && b.latest >= a.latest && b.ship_date >= a.ship_date);
            }
        }

        #[test]
        fn any_config_json_compiles_or_names_the_bad_value(text in "\\PC{0,200}") {
            if let Ok(config) = serde_json::from_str::<DeliveryConfig>(&text)
                && let Err(error) = config.compile()
            {
                prop_assert!(!error.param.is_empty());
            }
        }
    }
}
