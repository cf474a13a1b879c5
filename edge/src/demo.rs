//! The demo store's catalogue, seeded the first time its Durable Object opens.

use upfront_shared::api::InventoryItem;
use upfront_shared::promise::config::DeliveryConfig;

const DEMO_STORE_JSON: &str = include_str!("../demo-store.json");
const DEMO_DELIVERY_JSON: &str = include_str!("../demo-delivery.json");

pub fn inventory() -> Vec<InventoryItem> {
    serde_json::from_str(DEMO_STORE_JSON).expect("demo-store.json is checked by a unit test")
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
    use upfront_shared::ingest::validate_upsert;
    use upfront_shared::stock::{SkuPolicy, StockLevel, StockStatus};

    #[test]
    fn demo_delivery_config_compiles() {
        let compiled = delivery_config().compile().expect("valid");
        assert_eq!(compiled.methods.len(), 2);
    }

    #[test]
    fn demo_store_is_valid_and_covers_every_state() {
        let items = inventory();
        assert!(items.len() >= 6);
        validate_upsert(&InventoryUpsert {
            items: items.clone(),
        })
        .expect("valid");
        let statuses: Vec<StockStatus> = items
            .iter()
            .map(|i| {
                let level = StockLevel {
                    on_hand: i.on_hand,
                    held: 0,
                    committed: 0,
                };
                let policy = SkuPolicy {
                    low_stock_threshold: i.low_stock_threshold.unwrap_or(5),
                    discontinued: i.discontinued.unwrap_or(false),
                };
                StockStatus::derive(&level, &policy)
            })
            .collect();
        for want in [
            StockStatus::InStock,
            StockStatus::LowStock,
            StockStatus::OutOfStock,
        ] {
            assert!(statuses.contains(&want), "{want:?} missing");
        }
        let low_with_three = items
            .iter()
            .zip(&statuses)
            .any(|(i, s)| i.on_hand == 3 && *s == StockStatus::LowStock);
        assert!(low_with_three, "a low-stock SKU with 3 left");
        assert!(
            items.iter().any(|i| i.on_hand >= 10_000),
            "one large quantity"
        );
    }
}
