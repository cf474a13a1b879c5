//! The JSON the edge answers with, shared by the edge, the widget and apps.
//!
//! Field names are part of the public contract: add fields, never rename.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::stock::StockStatus;

/// `GET /v1/availability/{sku}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub sku: String,
    pub status: StockStatus,
    /// Units a shopper can buy now.
    pub available: i64,
    /// When the stock figure was last written by the merchant.
    pub as_of: Timestamp,
    pub delivery: DeliveryWindow,
}

/// A delivery promise as calendar dates in the shopper's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWindow {
    pub earliest: Date,
    pub most_likely: Date,
    pub latest: Date,
}

/// One inventory write in `POST /v1/inventory`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryItem {
    pub sku: String,
    pub on_hand: i64,
    #[serde(default)]
    pub low_stock_threshold: Option<i64>,
    #[serde(default)]
    pub discontinued: Option<bool>,
}

/// Body of `POST /v1/inventory`: applied all together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryUpsert {
    pub items: Vec<InventoryItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_wire_format_is_stable() {
        let answer = Availability {
            sku: "MUG-1".into(),
            status: StockStatus::LowStock,
            available: 3,
            as_of: "2026-11-23T10:00:00Z".parse().expect("timestamp"),
            delivery: DeliveryWindow {
                earliest: jiff::civil::date(2026, 11, 26),
                most_likely: jiff::civil::date(2026, 11, 27),
                latest: jiff::civil::date(2026, 11, 30),
            },
        };
        let json = serde_json::to_value(&answer).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "sku": "MUG-1",
                "status": "low_stock",
                "available": 3,
                "as_of": "2026-11-23T10:00:00Z",
                "delivery": {"earliest": "2026-11-26", "most_likely": "2026-11-27", "latest": "2026-11-30"}
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
