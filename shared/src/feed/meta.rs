//! Meta's catalog feed (CSV): `id`, `availability` (`in stock`, `out of
//! stock`, `preorder`, `available for order`, `discontinued`),
//! `availability_date` (preorders and backorders) and
//! `quantity_to_sell_on_facebook`.

use super::{FeedItem, iso_instant};
use crate::stock::StockStatus;

pub const CSV_HEADER: &str = "id,availability,availability_date,quantity_to_sell_on_facebook\r\n";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub id: &'a str,
    pub availability: &'static str,
    pub availability_date: Option<String>,
    pub quantity: i64,
}

impl<'a> Entry<'a> {
    pub fn of(item: &'a FeedItem) -> Self {
        let availability = match item.status {
            StockStatus::InStock | StockStatus::LowStock => "in stock",
            StockStatus::OutOfStock => "out of stock",
            StockStatus::Preorder => "preorder",
            StockStatus::Backorder => "available for order",
            StockStatus::Discontinued => "discontinued",
        };
        let dated = matches!(item.status, StockStatus::Preorder | StockStatus::Backorder);
        Self {
            id: &item.sku,
            availability,
            availability_date: item.availability_date.filter(|_| dated).map(iso_instant),
            quantity: item.available.max(0),
        }
    }
}

/// An RFC 4180 field: quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn csv_row(entry: &Entry<'_>) -> String {
    format!(
        "{},{},{},{}\r\n",
        csv_field(entry.id),
        entry.availability,
        entry.availability_date.as_deref().unwrap_or(""),
        entry.quantity
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_meta_value() {
        let allowed = [
            "in stock",
            "out of stock",
            "preorder",
            "available for order",
            "discontinued",
        ];
        for status in StockStatus::ALL {
            let item = FeedItem {
                sku: "A".into(),
                status,
                available: -2,
                availability_date: None,
                pause_ads: false,
            };
            let entry = Entry::of(&item);
            assert!(allowed.contains(&entry.availability));
            assert_eq!(entry.quantity, 0);
        }
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
