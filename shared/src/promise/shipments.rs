//! Shipments the merchant reports — handed to the carrier, and later
//! delivered — and the learned transit model built from them.
//!
//! A shipment is reported at handoff (no `delivered_at`) and again when it
//! arrives. Parcels still out are censored observations, so reporting them
//! lets the model bend as soon as a carrier slows down.

use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use super::engine::normalize_postal;
use super::learn::{LaneModel, LearnSettings, Span};
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

/// The learned-lane keys of a route, finest first: postal prefix, country
/// from this warehouse, country from any warehouse.
///
/// ```
/// use upfront_shared::promise::shipments::learned_keys;
/// assert_eq!(learned_keys("reno", "ground", "US", Some("94107")),
///     ["reno>ground>US/941", "reno>ground>US", "*>ground>US"]);
/// ```
pub fn learned_keys(
    warehouse: &str,
    method: &str,
    country: &str,
    postal_code: Option<&str>,
) -> Vec<String> {
    let mut keys = Vec::with_capacity(3);
    if let Some(code) = postal_code.filter(|c| !c.is_empty()) {
        keys.push(format!(
            "{warehouse}>{method}>{country}/{}",
            postal_prefix(code)
        ));
    }
    keys.push(format!("{warehouse}>{method}>{country}"));
    keys.push(format!("*>{method}>{country}"));
    keys
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

/// The transit model as it stands at `now`.
pub fn learn(tallies: &[ShipmentTally], now: Timestamp, settings: &LearnSettings) -> LaneModel {
    let epoch = date(1970, 1, 1);
    let day = |n: i64| epoch.saturating_add(n.days());
    let today: Date = day(now.as_second().div_euclid(86_400));
    let keyed: Vec<(Vec<String>, &ShipmentTally)> = tallies
        .iter()
        .map(|t| {
            let postal = (!t.postal_prefix.is_empty()).then_some(t.postal_prefix.as_str());
            (learned_keys(&t.warehouse, &t.method, &t.country, postal), t)
        })
        .collect();
    LaneModel::fit(
        keyed.iter().map(|(keys, t)| Span {
            keys,
            start: day(t.handed_off_day),
            end: t.days.map(|d| day(t.handed_off_day + d.max(0))),
            count: f64::from(t.count),
        }),
        today,
        settings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, off: &str, on: Option<&str>) -> ShipmentEvent {
        ShipmentEvent {
            shipment_id: id.into(),
            warehouse: "reno".into(),
            method: "ground".into(),
            country: "US".into(),
            postal_code: Some("94107".into()),
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
        let model = learn(&tallies, now, &LearnSettings::default());
        let keys = learned_keys("reno", "ground", "US", Some("94110"));
        let learned = model.distribution(&keys).expect("learned");
        assert!(learned.trusted);
        assert_eq!(learned.key, "reno>ground>US/941");
        assert_eq!(learned.distribution.quantile(0.5), Some(6));
        // Another warehouse's route to the US borrows the country-wide curve.
        let other = learned_keys("austin", "ground", "US", None);
        assert_eq!(
            model.distribution(&other).map(|l| l.key),
            Some("*>ground>US")
        );
    }
}
