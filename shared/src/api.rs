//! The JSON the edge answers with, shared by the edge, the widget and apps.
//!
//! Field names are part of the public contract: add fields, never rename.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::ErrorDetail;
use crate::stock::StockStatus;

/// `GET /v1/availability/{sku}`: one SKU's stock and delivery promise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Availability {
    pub sku: String,
    pub status: StockStatus,
    /// Units a shopper can buy now.
    pub available: i64,
    /// The count to show shoppers ("only 3 left"), present only when the
    /// stock is low or short of the requested quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_count: Option<i64>,
    /// The quantity asked about (`qty`, default 1).
    pub requested_qty: u32,
    /// Whether `requested_qty` can be sold now.
    pub fulfillable: bool,
    /// When the stock figure was last written by the merchant.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub as_of: Timestamp,
    /// True when `as_of` is older than the merchant's freshness limit:
    /// show "confirming availability", not "in stock".
    pub stale: bool,
    /// With `backorder`: when the requested quantity is covered by inbound
    /// stock. With `preorder`: the release date. With `out_of_stock`: the
    /// restock date, when a purchase order is on its way. Merchant Center's
    /// `availability_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<String>", extend("format" = "date"))
    )]
    pub availability_date: Option<Date>,
    /// Merchant delay notices in force for this SKU, in the asked `locale`.
    pub notices: Vec<Notice>,
    /// The soonest option's window; absent when no date can be promised
    /// (out of stock with nothing inbound, or no method serves the address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryWindow>,
    /// Every shipping method that serves the destination, soonest first.
    pub delivery_options: Vec<DeliveryOption>,
}

/// A merchant's announced delay, shown before the shopper pays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Notice {
    pub id: String,
    /// In the asked locale when the merchant wrote one, else the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Business days it adds to ship dates.
    pub extra_days: u32,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub ends_at: Timestamp,
}

/// A delivery promise as calendar dates in the shopper's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeliveryWindow {
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub earliest: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub most_likely: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub latest: Date,
}

/// One shipping method's promise for the requested quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeliveryOption {
    pub method: String,
    /// The method's label, e.g. "Standard".
    pub label: String,
    /// Where the parcels leave from: one entry, or several for a split.
    pub shipments: Vec<ShipmentPlan>,
    /// The day the last parcel leaves the warehouse, in its zone.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub ship_date: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub earliest: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub most_likely: Date,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub latest: Date,
    /// Order before this instant to get this window (format it in the
    /// shopper's zone; it is a UTC instant).
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub order_by: Timestamp,
    /// Everything that moved these dates.
    pub reasons: Vec<Reason>,
    /// These terms, signed by the store (`POST /v1/orders` takes it back
    /// per line, as proof of what the shopper was promised). Valid until
    /// `order_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShipmentPlan {
    pub warehouse: String,
    pub qty: u32,
}

/// Why a promise is what it is. Clients switch on `code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Ordered after today's cutoff: processed the next business day.
    AfterCutoff,
    /// A closed weekday (usually the weekend) was skipped.
    Weekend,
    /// A warehouse or carrier holiday was skipped.
    Holiday,
    /// Waits for an inbound arrival expected on `date`.
    Backorder {
        #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
        date: Date,
    },
    /// Ships no earlier than the release date.
    Preorder {
        #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
        date: Date,
    },
    /// A merchant-announced delay adds `extra_days` business days.
    DelayNotice {
        id: String,
        extra_days: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Transit learned from recent deliveries on this lane.
    LearnedLane { lane: String },
    /// No single warehouse holds the whole quantity.
    Split,
}

/// `POST /v1/availability/batch`: up to 100 SKUs for one destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    #[cfg_attr(feature = "openapi", schemars(extend("minItems" = 1, "maxItems" = 100)))]
    pub items: Vec<BatchItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::COUNTRY_PATTERN)))]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::POSTAL_CODE_PATTERN)))]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::LOCALE_PATTERN, "maxLength" = 35)))]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::CURRENCY_PATTERN)))]
    pub currency: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    pub sku: String,
    /// Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qty: Option<i64>,
}

/// The batch answer: one result per requested item, in request order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

/// Either `availability` or `error` is present, never both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BatchResult {
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// One inventory write in `POST /v1/inventory`. Fields left out keep their
/// stored value; a new SKU starts with nothing on hand and the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InventoryItem {
    pub sku: String,
    /// Units on the shelf, for a merchant who does not count per warehouse.
    /// Give this or `locations`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_hand: Option<i64>,
    /// Units per warehouse; replaces every count of the SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<LocationStock>>,
    /// Purchase orders on their way; replaces the SKU's list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound: Option<Vec<InboundOrder>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discontinued: Option<bool>,
    /// What happens when stock runs out; `deny` for new SKUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_stock_policy: Option<crate::stock::OutOfStockPolicy>,
    /// The SKU is a preorder until this date; `null` ends the preorder.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<String>", extend("format" = "date"))
    )]
    pub preorder_release: Option<Option<Date>>,
    /// Rises with every change at the source (an `updated_at` in
    /// milliseconds will do). An item whose version is not above the stored
    /// one is acknowledged and skipped, so late or repeated deliveries
    /// never roll stock back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// The Shopify inventory item this SKU is, so `inventory_levels/update`
    /// webhooks find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[0-9]{1,20}$")))]
    pub shopify_inventory_item_id: Option<String>,
}

/// Tells a field set to `null` (`Some(None)`) from one left out (`None`).
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Units in one warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationStock {
    /// A warehouse id of the delivery configuration.
    pub warehouse: String,
    pub on_hand: i64,
    /// Set by webhooks that version each location (Shopify's `updated_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A purchase order expected at a warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundOrder {
    /// Left out: the first warehouse of the delivery configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    pub qty: i64,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub arrives: Date,
}

/// Body of `POST /v1/inventory`: applied all together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InventoryUpsert {
    pub items: Vec<InventoryItem>,
}

/// Answer of `POST /v1/inventory`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UpsertResult {
    pub applied: usize,
    /// SKUs whose `version` was not above the stored one: acknowledged,
    /// left as they were.
    pub stale: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preorder_release_tells_null_from_absent() {
        let item = |json: &str| -> InventoryItem { serde_json::from_str(json).expect("item") };
        assert_eq!(item(r#"{"sku":"A"}"#).preorder_release, None);
        assert_eq!(
            item(r#"{"sku":"A","preorder_release":null}"#).preorder_release,
            Some(None)
        );
        assert_eq!(
            item(r#"{"sku":"A","preorder_release":"2027-01-15"}"#).preorder_release,
            Some(Some(jiff::civil::date(2027, 1, 15)))
        );
        assert!(serde_json::from_str::<InventoryItem>(r#"{"sku":"A","onhand":1}"#).is_err());
    }

    #[test]
    fn availability_wire_format_is_stable() {
        let answer = Availability {
            sku: "MUG-1".into(),
            status: StockStatus::LowStock,
            available: 3,
            display_count: Some(3),
            requested_qty: 1,
            fulfillable: true,
            as_of: "2026-11-23T10:00:00Z".parse().expect("timestamp"),
            stale: false,
            availability_date: None,
            notices: Vec::new(),
            delivery: Some(DeliveryWindow {
                earliest: jiff::civil::date(2026, 11, 26),
                most_likely: jiff::civil::date(2026, 11, 27),
                latest: jiff::civil::date(2026, 11, 30),
            }),
            delivery_options: vec![DeliveryOption {
                method: "standard".into(),
                label: "Standard".into(),
                shipments: vec![ShipmentPlan {
                    warehouse: "berlin".into(),
                    qty: 1,
                }],
                ship_date: jiff::civil::date(2026, 11, 24),
                earliest: jiff::civil::date(2026, 11, 26),
                most_likely: jiff::civil::date(2026, 11, 27),
                latest: jiff::civil::date(2026, 11, 30),
                order_by: "2026-11-23T13:00:00Z".parse().expect("timestamp"),
                reasons: vec![
                    Reason::AfterCutoff,
                    Reason::DelayNotice {
                        id: "storm".into(),
                        extra_days: 1,
                        message: None,
                    },
                ],
                promise_token: None,
            }],
        };
        let json = serde_json::to_value(&answer).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "sku": "MUG-1",
                "status": "low_stock",
                "available": 3,
                "display_count": 3,
                "requested_qty": 1,
                "fulfillable": true,
                "as_of": "2026-11-23T10:00:00Z",
                "stale": false,
                "notices": [],
                "delivery": {"earliest": "2026-11-26", "most_likely": "2026-11-27", "latest": "2026-11-30"},
                "delivery_options": [{
                    "method": "standard", "label": "Standard",
                    "shipments": [{"warehouse": "berlin", "qty": 1}],
                    "ship_date": "2026-11-24", "earliest": "2026-11-26", "most_likely": "2026-11-27",
                    "latest": "2026-11-30", "order_by": "2026-11-23T13:00:00Z",
                    "reasons": [{"code": "after_cutoff"}, {"code": "delay_notice", "id": "storm", "extra_days": 1}]
                }]
            })
        );
        let back: Availability = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, answer);
    }

    #[test]
    fn inventory_upsert_rejects_unknown_fields() {
        let err = serde_json::from_str::<InventoryUpsert>(
            r#"{"items":[{"sku":"A","on_hand":1,"onhand":2}]}"#,
        )
        .expect_err("unknown field must fail");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
