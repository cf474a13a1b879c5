//! Shipments the merchant reports — handed to the carrier, and later
//! delivered — and the learned transit model built from them.
//!
//! A shipment is reported at handoff (no `delivered_at`) and again when it
//! arrives. Parcels still out are censored observations, so reporting them
//! lets the model bend as soon as a carrier slows down.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::engine::normalize_postal;
use crate::error::{ErrorBody, ErrorCode};

/// The most shipments one `POST /v1/shipments` may carry.
pub const MAX_EVENTS: usize = 1000;

/// One parcel's journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentEvent {
    /// The merchant's id; reporting it again updates the shipment.
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[A-Za-z0-9._:-]{1,64}$")))]
    pub shipment_id: String,
    pub warehouse: String,
    pub method: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::COUNTRY_PATTERN)))]
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::POSTAL_CODE_PATTERN)))]
    pub postal_code: Option<String>,
    /// When the shopper ordered it: with it, Upfront learns each
    /// warehouse's handling time (order to carrier) too, not only transit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub ordered_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub handed_off_at: Timestamp,
    /// Absent while the parcel is on its way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub delivered_at: Option<Timestamp>,
}

/// Body of `POST /v1/shipments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentEvents {
    #[cfg_attr(feature = "openapi", schemars(extend("minItems" = 1, "maxItems" = 1000)))]
    pub items: Vec<ShipmentEvent>,
}

/// Answer of `POST /v1/shipments`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecordResult {
    pub recorded: usize,
}

/// Checks every event before anything is stored; `now` refuses reports
/// from the future.
pub fn validate_events(events: &ShipmentEvents, now: Timestamp) -> Result<(), ErrorBody> {
    let invalid = |message: &str, param: String| {
        Err(ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param))
    };
    if events.items.is_empty() || events.items.len() > MAX_EVENTS {
        return invalid("give 1 to 1000 items", "items".into());
    }
    let id_ok = |id: &str, max: usize| {
        !id.is_empty()
            && id.len() <= max
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    };
    let postal_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 12
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    };
    // A minute of clock skew between the merchant's servers and ours.
    let latest = now + jiff::SignedDuration::from_mins(1);
    for (i, e) in events.items.iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        if !id_ok(&e.shipment_id, 64) {
            return invalid("1-64 characters of A-Z a-z 0-9 . _ : -", at("shipment_id"));
        }
        if !id_ok(&e.warehouse, 40) {
            return invalid("a warehouse id", at("warehouse"));
        }
        if !id_ok(&e.method, 40) {
            return invalid("a shipping method id", at("method"));
        }
        if e.country.len() != 2 || !e.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return invalid("an ISO 3166-1 alpha-2 code in upper case", at("country"));
        }
        if e.postal_code.as_deref().is_some_and(|p| !postal_ok(p)) {
            return invalid("1-12 letters, digits, spaces or dashes", at("postal_code"));
        }
        if e.handed_off_at > latest {
            return invalid("must not be in the future", at("handed_off_at"));
        }
        if e.ordered_at.is_some_and(|o| o > e.handed_off_at) {
            return invalid("must not be after handed_off_at", at("ordered_at"));
        }
        match e.delivered_at {
            Some(d) if d > latest => {
                return invalid("must not be in the future", at("delivered_at"));
            }
            Some(d) if d < e.handed_off_at => {
                return invalid("must not be before handed_off_at", at("delivered_at"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first three characters of a normalized postal code: fine enough to
/// tell regions apart, coarse enough to gather parcels.
pub fn postal_prefix(code: &str) -> String {
    normalize_postal(code).chars().take(3).collect()
}

/// The learned-lane keys of a route, finest first: the postal prefix's
/// first three, two and one characters (a district, a region, a part of the
/// country in most postal systems), the country from this warehouse, and
/// the country from any warehouse. Each key's curve leans on the next one
/// while its own data is thin.
///
/// ```
/// use upfront_shared::promise::shipments::learned_keys;
/// assert_eq!(learned_keys("reno", "ground", "US", Some("94107")),
///     ["reno>ground>US/941", "reno>ground>US/94", "reno>ground>US/9", "reno>ground>US", "*>ground>US"]);
/// assert_eq!(learned_keys("reno", "ground", "US", None), ["reno>ground>US", "*>ground>US"]);
/// ```
pub fn learned_keys(
    warehouse: &str,
    method: &str,
    country: &str,
    postal_code: Option<&str>,
) -> Vec<String> {
    let mut keys = Vec::with_capacity(5);
    if let Some(code) = postal_code.filter(|c| !c.is_empty()) {
        let prefix = postal_prefix(code);
        for len in (1..=prefix.chars().count()).rev() {
            let region: String = prefix.chars().take(len).collect();
            keys.push(format!("{warehouse}>{method}>{country}/{region}"));
        }
    }
    keys.push(format!("{warehouse}>{method}>{country}"));
    keys.push(format!("*>{method}>{country}"));
    keys
}

/// The learned handling keys of an order at a warehouse, finest first:
/// the warehouse on the order's weekday (a Friday order waits out the
/// weekend), the warehouse, every warehouse.
///
/// ```
/// use upfront_shared::promise::shipments::handling_keys;
/// let friday = jiff::civil::date(2026, 11, 27);
/// assert_eq!(handling_keys("reno", friday), ["reno@fri", "reno", "*"]);
/// ```
pub fn handling_keys(warehouse: &str, ordered_on: Date) -> [String; 3] {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let weekday = DAYS[usize::from(ordered_on.weekday().to_monday_zero_offset().unsigned_abs())];
    [
        format!("{warehouse}@{weekday}"),
        warehouse.to_owned(),
        "*".to_owned(),
    ]
}

/// Shipments sharing a route, a handoff day and an outcome, as the store
/// counts them. Days are UTC calendar days since 1970-01-01.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentTally {
    pub warehouse: String,
    pub method: String,
    pub country: String,
    /// `""` when the shipments had no postal code.
    pub postal_prefix: String,
    pub handed_off_day: i64,
    /// Calendar days from handoff to delivery; `None` while on the way.
    pub days: Option<i64>,
    pub count: u32,
}

/// Orders sharing a warehouse, an order day and a handling time, as the
/// store counts them: order day to carrier hand-off, on the warehouse's
/// calendar. `days` is `None` for orders not handed off yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingTally {
    pub warehouse: String,
    pub ordered_day: i64,
    pub days: Option<i64>,
    pub count: u32,
}

/// Everything the forecast learns from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tallies {
    pub transit: Vec<ShipmentTally>,
    pub handling: Vec<HandlingTally>,
}

/// The day of `at` on `zone`'s calendar, as days since 1970-01-01: the
/// engine counts every date in the merchant's zone, so learned transit
/// does too (a parcel handed off at 23:00 in Berlin and delivered at 09:00
/// the next day took one day, whatever UTC says).
///
/// ```
/// use upfront_shared::promise::shipments::local_day;
/// let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
/// let at: jiff::Timestamp = "2026-11-23T23:30:00Z".parse().unwrap();
/// assert_eq!(local_day(at, &jiff::tz::TimeZone::UTC), 20_780);
/// assert_eq!(local_day(at, &berlin), 20_781);
/// ```
pub fn local_day(at: Timestamp, zone: &TimeZone) -> i64 {
    let day = at.to_zoned_datetime(zone.clone()).date();
    i64::from((day - date(1970, 1, 1)).get_days())
}

/// Counts each shipment handed off since `since_day` (on its warehouse's
/// calendar) into transit tallies by lane, hand-off day and whole days on
/// the way; and each shipment or order still waiting, ordered since
/// `since_day`, into handling tallies. `zone_of` names each warehouse's zone.
pub fn tally<'a>(
    shipments: impl IntoIterator<Item = RecordedShipment>,
    waiting: impl IntoIterator<Item = WaitingOrder>,
    since_day: i64,
    zone_of: impl Fn(&str) -> &'a TimeZone,
) -> Tallies {
    let mut transit: Vec<ShipmentTally> = Vec::new();
    let mut at: HashMap<TallyKey, usize> = HashMap::new();
    let mut handling = HandlingCounter::default();
    for s in shipments {
        let zone = zone_of(&s.warehouse);
        let handed_off_day = local_day(s.handed_off_at, zone);
        if let Some(ordered) = s.ordered_at {
            let ordered_day = local_day(ordered, zone);
            handling.add(
                &s.warehouse,
                ordered_day,
                Some(handed_off_day - ordered_day),
                since_day,
            );
        }
        if handed_off_day < since_day {
            continue;
        }
        let days = s.delivered_at.map(|d| local_day(d, zone) - handed_off_day);
        let key = (
            s.warehouse,
            s.method,
            s.country,
            s.postal_prefix,
            handed_off_day,
            days,
        );
        match at.get(&key) {
            Some(&i) => transit[i].count += 1,
            None => {
                at.insert(key.clone(), transit.len());
                transit.push(ShipmentTally {
                    warehouse: key.0,
                    method: key.1,
                    country: key.2,
                    postal_prefix: key.3,
                    handed_off_day,
                    days,
                    count: 1,
                });
            }
        }
    }
    for w in waiting {
        let ordered_day = local_day(w.ordered_at, zone_of(&w.warehouse));
        handling.add(&w.warehouse, ordered_day, None, since_day);
    }
    Tallies {
        transit,
        handling: handling.tallies,
    }
}

/// Lane, hand-off day and days on the way: what a tally counts under.
type TallyKey = (String, String, String, String, i64, Option<i64>);

#[derive(Default)]
struct HandlingCounter {
    tallies: Vec<HandlingTally>,
    at: HashMap<(String, i64, Option<i64>), usize>,
}

impl HandlingCounter {
    fn add(&mut self, warehouse: &str, ordered_day: i64, days: Option<i64>, since_day: i64) {
        if ordered_day < since_day {
            return;
        }
        // A few parcels leave before the order is recorded (a clock or an
        // import quirk): they took no handling time.
        let days = days.map(|d| d.max(0));
        let key = (warehouse.to_owned(), ordered_day, days);
        match self.at.get(&key) {
            Some(&i) => self.tallies[i].count += 1,
            None => {
                self.at.insert(key, self.tallies.len());
                self.tallies.push(HandlingTally {
                    warehouse: warehouse.to_owned(),
                    ordered_day,
                    days,
                    count: 1,
                });
            }
        }
    }
}

/// One stored shipment, as `tally` counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedShipment {
    pub warehouse: String,
    pub method: String,
    pub country: String,
    pub postal_prefix: String,
    pub ordered_at: Option<Timestamp>,
    pub handed_off_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// An order not handed to a carrier yet: its handling is still running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingOrder {
    pub warehouse: String,
    pub ordered_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promise::calibration::RecentRanks;
    use crate::promise::forecast::{Forecast, ForecastSettings};

    fn event(id: &str, off: &str, on: Option<&str>) -> ShipmentEvent {
        ShipmentEvent {
            shipment_id: id.into(),
            warehouse: "reno".into(),
            method: "ground".into(),
            country: "US".into(),
            postal_code: Some("94107".into()),
            ordered_at: None,
            handed_off_at: off.parse().expect("instant"),
            delivered_at: on.map(|t| t.parse().expect("instant")),
        }
    }

    #[test]
    fn validation_names_the_field() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("instant");
        let ok = ShipmentEvents {
            items: vec![event(
                "s1",
                "2026-11-20T10:00:00Z",
                Some("2026-11-23T10:00:00Z"),
            )],
        };
        assert_eq!(validate_events(&ok, now), Ok(()));
        let cases = [
            (
                event("s 1", "2026-11-20T10:00:00Z", None),
                "items[0].shipment_id",
            ),
            (
                event("s1", "2026-11-25T10:00:00Z", None),
                "items[0].handed_off_at",
            ),
            (
                event("s1", "2026-11-20T10:00:00Z", Some("2026-11-19T10:00:00Z")),
                "items[0].delivered_at",
            ),
        ];
        for (bad, param) in cases {
            let error =
                validate_events(&ShipmentEvents { items: vec![bad] }, now).expect_err(param);
            assert_eq!(error.error.param.as_deref(), Some(param));
        }
    }

    #[test]
    fn transit_counts_the_warehouse_calendar_days() {
        let berlin = TimeZone::get("Europe/Berlin").expect("zone");
        let at = |t: &str| t.parse::<Timestamp>().expect("instant");
        let shipment = |off: &str, on: &str| RecordedShipment {
            warehouse: "berlin".into(),
            method: "standard".into(),
            country: "DE".into(),
            postal_prefix: "101".into(),
            ordered_at: None,
            handed_off_at: at(off),
            delivered_at: Some(at(on)),
        };
        // Handed off 23:30 Berlin (22:30 UTC), delivered 08:00 Berlin the
        // next day (07:00 UTC): one day in Berlin, one in UTC too; handed
        // off 00:30 Berlin (23:30 UTC the day before) and delivered 23:00
        // Berlin the same day: 0 days in Berlin, 1 in UTC.
        let tallies = tally(
            [
                shipment("2026-11-23T22:30:00Z", "2026-11-24T07:00:00Z"),
                shipment("2026-11-24T23:30:00Z", "2026-11-25T22:00:00Z"),
            ],
            [],
            0,
            |_| &berlin,
        )
        .transit;
        assert_eq!(
            tallies.iter().map(|t| t.days).collect::<Vec<_>>(),
            [Some(1), Some(0)]
        );
        let utc = TimeZone::UTC;
        let tallies = tally(
            [shipment("2026-11-24T23:30:00Z", "2026-11-25T22:00:00Z")],
            [],
            0,
            |_| &utc,
        )
        .transit;
        assert_eq!(tallies[0].days, Some(1));
    }

    #[test]
    fn tallies_become_a_trusted_lane() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("instant");
        let today = now.as_second().div_euclid(86_400);
        let tallies: Vec<ShipmentTally> = (1..=40)
            .map(|back| ShipmentTally {
                warehouse: "reno".into(),
                method: "ground".into(),
                country: "US".into(),
                postal_prefix: "941".into(),
                handed_off_day: today - 10 - back,
                days: Some(6),
                count: 2,
            })
            .collect();
        let tallies = Tallies {
            transit: tallies,
            handling: Vec::new(),
        };
        let model = Forecast::build(
            &tallies,
            RecentRanks::default(),
            now.to_zoned_datetime(TimeZone::UTC).date(),
            0.95,
            &ForecastSettings::default(),
        );
        let learned = model
            .route("reno", "ground", "US", Some("94110"), date(2026, 11, 24))
            .expect("learned");
        assert_eq!(learned.lane, "reno>ground>US/941");
        assert_eq!(learned.transit.quantile(0.5), Some(6));
        assert_eq!(learned.handling, None, "no order times were reported");
        // Another warehouse's route to the US borrows the country-wide curve.
        assert_eq!(
            model
                .route("austin", "ground", "US", None, date(2026, 11, 24))
                .map(|l| l.lane),
            Some("*>ground>US".to_owned())
        );
    }

    #[test]
    fn order_times_teach_each_warehouse_its_handling() {
        let at = |t: &str| t.parse::<Timestamp>().expect("instant");
        let utc = TimeZone::UTC;
        // Reno hands off 2 days after the order, 40 times; 5 orders are
        // still waiting after 6 days.
        let shipments = (0..40).map(|i| RecordedShipment {
            warehouse: "reno".into(),
            method: "ground".into(),
            country: "US".into(),
            postal_prefix: "941".into(),
            ordered_at: Some(at("2026-10-01T10:00:00Z") + jiff::SignedDuration::from_hours(24 * i)),
            handed_off_at: at("2026-10-03T10:00:00Z") + jiff::SignedDuration::from_hours(24 * i),
            delivered_at: Some(
                at("2026-10-06T10:00:00Z") + jiff::SignedDuration::from_hours(24 * i),
            ),
        });
        let waiting = (0..5).map(|_| WaitingOrder {
            warehouse: "reno".into(),
            ordered_at: at("2026-11-18T10:00:00Z"),
        });
        let tallies = tally(shipments, waiting, 0, |_| &utc);
        assert_eq!(tallies.handling.iter().map(|t| t.count).sum::<u32>(), 45);
        let model = Forecast::build(
            &tallies,
            RecentRanks::default(),
            jiff::civil::date(2026, 11, 24),
            0.95,
            &ForecastSettings::default(),
        );
        let route = model
            .route("reno", "ground", "US", Some("94107"), date(2026, 11, 24))
            .expect("learned");
        let handling = route.handling.as_ref().expect("reno's own handling");
        assert_eq!(handling.quantile(0.5), Some(2));
        // The waiting orders, 6 days in, stretch the tail past 2 days.
        assert!(
            handling.quantile(0.95) >= Some(6),
            "{:?}",
            handling.quantile(0.95)
        );
        assert_eq!(route.total().and_then(|t| t.quantile(0.5)), Some(5));
        // Another warehouse has no handling of its own.
        assert!(
            model
                .route("austin", "ground", "US", None, date(2026, 11, 24))
                .is_some_and(|r| r.handling.is_none())
        );
    }
}
