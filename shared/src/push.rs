//! Live stock pushed to subscribers: what `GET /v1/stream` accepts and what
//! each WebSocket message carries.
//!
//! A subscriber gets the current state of every SKU it names as soon as it
//! connects, then one message per change. Reconnecting therefore resumes
//! without missing the latest state, whatever happened while it was away.

use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::answer::StockSnapshot;
use crate::error::{ErrorBody, ErrorCode};
use crate::sku::is_valid_sku;
use crate::stock::{Stock, StockStatus};

/// The most SKUs one connection may follow: a collection page's worth.
pub const MAX_SKUS: usize = 100;

/// One SKU's stock as pushed: the status for one unit, as the availability
/// answer without `qty` would say it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StockUpdate {
    pub sku: String,
    pub status: StockStatus,
    pub available: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub availability_date: Option<Date>,
    /// The stored stock's `as_of`: a client that already shows this one has
    /// nothing to fetch.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub as_of: Timestamp,
}

impl StockUpdate {
    /// The update for a stored SKU at `now` (UTC dates: the store has no
    /// merchant zone at hand, and a day's difference only moves a date the
    /// client then fetches in full).
    pub fn of(snapshot: &StockSnapshot, now: Timestamp) -> Self {
        let inbound = snapshot.arrivals();
        let derived = Stock {
            level: snapshot.level,
            policy: snapshot.policy,
            inbound: &inbound,
        }
        .derive(1, now.to_zoned_datetime(TimeZone::UTC).date());
        Self {
            sku: snapshot.sku.clone(),
            status: derived.status,
            available: snapshot.level.sellable(),
            availability_date: derived.availability_date,
            as_of: snapshot.updated_at,
        }
    }
}

/// Parses the `skus` parameter: a comma-separated list of 1 to 100 SKUs;
/// repeats are folded.
///
/// ```
/// use upfront_shared::push::parse_skus;
/// assert_eq!(parse_skus("MUG,TEE,MUG").unwrap(), vec!["MUG", "TEE"]);
/// assert!(parse_skus("").is_err());
/// assert!(parse_skus("a b").is_err());
/// ```
pub fn parse_skus(value: &str) -> Result<Vec<String>, ErrorBody> {
    let invalid = |message: &str| {
        Err(ErrorBody::new(ErrorCode::InvalidParameter, message).with_param("skus"))
    };
    let mut skus: Vec<String> = Vec::new();
    for sku in value.split(',') {
        if !is_valid_sku(sku) {
            return invalid("skus must be a comma-separated list of SKUs");
        }
        if !skus.iter().any(|s| s == sku) {
            skus.push(sku.to_owned());
        }
    }
    if skus.len() > MAX_SKUS {
        return invalid("at most 100 skus per connection");
    }
    Ok(skus)
}

/// Parses the query of `GET /v1/stream`: `key` (left to authentication)
/// and `skus`, nothing else.
pub fn parse_stream_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<String>, ErrorBody> {
    let mut skus = None;
    for (name, value) in pairs {
        match name {
            "key" => {}
            "skus" if skus.is_none() => skus = Some(parse_skus(value)?),
            "skus" => {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidParameter,
                    "this parameter was given more than once",
                )
                .with_param(name));
            }
            other => {
                return Err(
                    ErrorBody::new(ErrorCode::InvalidParameter, "unknown parameter")
                        .with_param(other),
                );
            }
        }
    }
    skus.ok_or_else(|| {
        ErrorBody::new(ErrorCode::InvalidParameter, "skus is required").with_param("skus")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::{SkuPolicy, StockLevel};
    use proptest::prelude::*;

    #[test]
    fn the_query_is_strict() {
        assert_eq!(
            parse_stream_query([("key", "pk"), ("skus", "A,B")]),
            Ok(vec!["A".to_owned(), "B".to_owned()])
        );
        for bad in [
            vec![("key", "pk")],
            vec![("skus", "A"), ("skus", "B")],
            vec![("skus", "A"), ("qty", "1")],
            vec![("skus", "A,,B")],
        ] {
            assert!(parse_stream_query(bad.clone()).is_err(), "{bad:?}");
        }
        let many = (0..=MAX_SKUS)
            .map(|i| format!("S{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_skus(&many).is_err());
    }

    #[test]
    fn an_update_says_what_the_answer_for_one_unit_says() {
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().expect("ts");
        let snapshot = StockSnapshot {
            sku: "MUG".into(),
            level: StockLevel {
                on_hand: 5,
                held: 2,
                committed: 0,
            },
            policy: SkuPolicy::default(),
            locations: Vec::new(),
            inbound: Vec::new(),
            version: None,
            levels_set_at_ms: None,
            updated_at: now,
        };
        let update = StockUpdate::of(&snapshot, now);
        assert_eq!(
            (update.status, update.available),
            (StockStatus::LowStock, 3)
        );
        assert_eq!(
            serde_json::to_value(&update).expect("json"),
            serde_json::json!({"sku": "MUG", "status": "low_stock", "available": 3, "as_of": "2026-11-24T10:00:00Z"})
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_keeps_valid_skus(value in "[A-Za-z0-9,._ -]{0,200}") {
            if let Ok(skus) = parse_skus(&value) {
                prop_assert!(!skus.is_empty() && skus.len() <= MAX_SKUS);
                prop_assert!(skus.iter().all(|s| is_valid_sku(s)));
            }
        }
    }
}
