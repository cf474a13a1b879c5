//! The demo store's catalogue, seeded the first time its Durable Object opens.

use jiff::civil::{Date, date};
use upfront_shared::api::InventoryItem;
use upfront_shared::promise::config::DeliveryConfig;

const DEMO_STORE_JSON: &str = include_str!("../demo-store.json");
const DEMO_DELIVERY_JSON: &str = include_str!("../demo-delivery.json");

/// Dates in `demo-store.json` count from 2026-01-01, the seeding day, so a
/// demo opened any day has its restock in 14 days and its release in 51.
const DEMO_DAY_ZERO: Date = date(2026, 1, 1);

/// The catalogue as seeded on `today`: in stock, low, out with a restock
/// date, backorder, preorder, discontinued, and a large quantity.
pub fn inventory(today: Date) -> Vec<InventoryItem> {
    let mut items: Vec<InventoryItem> =
        serde_json::from_str(DEMO_STORE_JSON).expect("demo-store.json is checked by a unit test");
    let rebase = |day: Date| today.saturating_add(day - DEMO_DAY_ZERO);
    for item in &mut items {
        for order in item.inbound.iter_mut().flatten() {
            order.arrives = rebase(order.arrives);
        }
        if let Some(Some(release)) = &mut item.preorder_release {
            *release = rebase(*release);
        }
    }
    items
}

/// A Berlin warehouse shipping to Germany, Austria, France, the Netherlands
/// and the United States, with German holidays.
pub fn delivery_config() -> DeliveryConfig {
    serde_json::from_str(DEMO_DELIVERY_JSON).expect("demo-delivery.json is checked by a unit test")
}

#[cfg(test)]
mod tests {
    use super::*;
    use upfront_shared::api::InventoryUpsert;
    use upfront_shared::ingest::apply;
    use upfront_shared::ingest::validate_upsert;
    use upfront_shared::stock::{Derived, Stock, StockStatus};

    #[test]
    fn demo_delivery_config_compiles() {
        let compiled = delivery_config().compile().expect("valid");
        assert_eq!(compiled.methods.len(), 2);
    }

    #[test]
    fn demo_store_is_valid_and_covers_every_state() {
        let today = date(2026, 11, 24);
        let items = inventory(today);
        validate_upsert(&InventoryUpsert {
            items: items.clone(),
        })
        .expect("valid");
        let derived: Vec<Derived> = items
            .iter()
            .map(|item| {
                let stored = apply(None, item, "2026-11-24T10:00:00Z".parse().expect("ts"))
                    .expect("a new sku");
                let inbound = stored.arrivals();
                Stock {
                    level: stored.level,
                    policy: stored.policy,
                    inbound: &inbound,
                }
                .derive(1, today)
            })
            .collect();
        let statuses: Vec<StockStatus> = derived.iter().map(|d| d.status).collect();
        for want in [
            StockStatus::InStock,
            StockStatus::LowStock,
            StockStatus::OutOfStock,
            StockStatus::Backorder,
            StockStatus::Preorder,
            StockStatus::Discontinued,
        ] {
            assert!(statuses.contains(&want), "{want:?} missing");
        }
        let restock = derived
            .iter()
            .find(|d| d.status == StockStatus::OutOfStock)
            .and_then(|d| d.availability_date);
        assert_eq!(restock, Some(date(2026, 12, 8)), "restocks in 14 days");
        let low_with_three = items
            .iter()
            .zip(&statuses)
            .any(|(i, s)| i.on_hand == Some(3) && *s == StockStatus::LowStock);
        assert!(low_with_three, "a low-stock SKU with 3 left");
        assert!(
            items.iter().any(|i| i.on_hand >= Some(10_000)),
            "one large quantity"
        );
    }
}
