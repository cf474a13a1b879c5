//! Merchant inventory writes: validation before anything is stored, and how
//! one item changes a stored SKU.

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::answer::StockSnapshot;
use crate::api::{InventoryItem, InventoryUpsert};
use crate::error::{ErrorBody, ErrorCode};
use crate::promise::config::check_id;
use crate::sku::is_valid_sku;
use crate::stock::{SkuPolicy, StockLevel};

/// The most items one `POST /v1/inventory` may carry.
pub const MAX_ITEMS_PER_UPSERT: usize = 1000;

/// The largest stock count we store. Far above any real shelf, and well
/// inside the integers JavaScript (and so the Workers runtime) holds exactly.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// The largest `version`: JavaScript's largest exact integer, so a version
/// survives every hop between the merchant, the Worker and SQLite.
pub const MAX_VERSION: i64 = (1 << 53) - 1;

pub const MAX_LOCATIONS: usize = 64;
pub const MAX_INBOUND: usize = 100;

/// Arrival dates outside this range are typos, not purchase orders.
const DATES: (Date, Date) = (date(2000, 1, 1), date(2100, 12, 31));

/// Checks a whole upsert. The first problem found is reported with the JSON
/// path of the offending field, so a merchant can fix their feed.
///
/// ```
/// use upfront_shared::api::{InventoryItem, InventoryUpsert};
/// use upfront_shared::ingest::validate_upsert;
/// let bad = InventoryUpsert { items: vec![InventoryItem {
///     sku: "MUG".into(), on_hand: Some(-1), ..InventoryItem::default() }] };
/// assert_eq!(validate_upsert(&bad).unwrap_err().error.param.as_deref(), Some("items[0].on_hand"));
/// ```
/// A Shopify inventory item id exactly as webhooks carry it: the decimal
/// form of a u64, so `"007"` or `"+1"` (which `u64::from_str` takes) can
/// never be stored and then silently match no webhook.
///
/// ```
/// use upfront_shared::ingest::is_canonical_item_id;
/// assert!(is_canonical_item_id("271878346596884015"));
/// for bad in ["007", "+1", "0", "-5", " 12", "18446744073709551616"] {
///     assert!(!is_canonical_item_id(bad), "{bad}");
/// }
/// ```
pub fn is_canonical_item_id(id: &str) -> bool {
    id.parse::<u64>()
        .is_ok_and(|n| n > 0 && n.to_string() == id)
}

pub fn validate_upsert(upsert: &InventoryUpsert) -> Result<(), ErrorBody> {
    let invalid = |message: &str, param: String| {
        Err(ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param))
    };
    if upsert.items.is_empty() {
        return invalid("items must not be empty", "items".into());
    }
    if upsert.items.len() > MAX_ITEMS_PER_UPSERT {
        return invalid("at most 1000 items per request", "items".into());
    }
    let mut seen = HashSet::with_capacity(upsert.items.len());
    for (i, item) in upsert.items.iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        if !is_valid_sku(&item.sku) {
            return invalid(
                "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
                at("sku"),
            );
        }
        if !seen.insert(item.sku.as_str()) {
            return invalid("each sku may appear once", at("sku"));
        }
        let quantity = |q: i64| (0..=MAX_QUANTITY).contains(&q);
        if item.on_hand.is_some_and(|q| !quantity(q)) {
            return invalid("on_hand must be from 0 to 1000000000", at("on_hand"));
        }
        if item.low_stock_threshold.is_some_and(|q| !quantity(q)) {
            return invalid(
                "low_stock_threshold must be from 0 to 1000000000",
                at("low_stock_threshold"),
            );
        }
        if item
            .version
            .is_some_and(|v| !(0..=MAX_VERSION).contains(&v))
        {
            return invalid("version must be from 0 to 9007199254740991", at("version"));
        }
        if item
            .shopify_inventory_item_id
            .as_deref()
            .is_some_and(|id| !is_canonical_item_id(id))
        {
            return invalid(
                "shopify_inventory_item_id must be the item's numeric id as Shopify writes it: digits, no sign, no leading zero",
                at("shopify_inventory_item_id"),
            );
        }
        if let Some(locations) = &item.locations {
            if item.on_hand.is_some() {
                return invalid("give on_hand or locations, not both", at("locations"));
            }
            if locations.len() > MAX_LOCATIONS {
                return invalid("at most 64 locations", at("locations"));
            }
            let mut warehouses = HashSet::new();
            for (j, location) in locations.iter().enumerate() {
                let at = |field: &str| format!("items[{i}].locations[{j}].{field}");
                if let Err(message) = check_id(&location.warehouse) {
                    return invalid(message, at("warehouse"));
                }
                if !warehouses.insert(location.warehouse.as_str()) {
                    return invalid("each warehouse may appear once", at("warehouse"));
                }
                if !quantity(location.on_hand) {
                    return invalid("on_hand must be from 0 to 1000000000", at("on_hand"));
                }
                if location
                    .version
                    .is_some_and(|v| !(0..=MAX_VERSION).contains(&v))
                {
                    return invalid("version must be from 0 to 9007199254740991", at("version"));
                }
            }
            // Each count is capped, so their sum fits an i64; the total too.
            if locations.iter().map(|l| l.on_hand).sum::<i64>() > MAX_QUANTITY {
                return invalid(
                    "the locations' on_hand must add up to at most 1000000000",
                    at("locations"),
                );
            }
        }
        if let Some(inbound) = &item.inbound {
            if inbound.len() > MAX_INBOUND {
                return invalid("at most 100 inbound orders", at("inbound"));
            }
            for (j, order) in inbound.iter().enumerate() {
                let at = |field: &str| format!("items[{i}].inbound[{j}].{field}");
                if let Some(Err(message)) = order.warehouse.as_deref().map(check_id) {
                    return invalid(message, at("warehouse"));
                }
                if !(1..=MAX_QUANTITY).contains(&order.qty) {
                    return invalid("qty must be from 1 to 1000000000", at("qty"));
                }
                if !(DATES.0..=DATES.1).contains(&order.arrives) {
                    return invalid("arrives must be a date from 2000 to 2100", at("arrives"));
                }
            }
        }
        if let Some(Some(release)) = item.preorder_release
            && !(DATES.0..=DATES.1).contains(&release)
        {
            return invalid(
                "preorder_release must be a date from 2000 to 2100",
                at("preorder_release"),
            );
        }
    }
    Ok(())
}

/// The SKU after a validated `item` is written at `now`, or `None` when the
/// item's `version` is not above the stored one (a late or repeated
/// delivery). Holds and paid units are the store's, never the merchant's.
///
/// ```
/// use upfront_shared::api::InventoryItem;
/// use upfront_shared::ingest::apply;
/// let now = "2026-11-24T10:00:00Z".parse().unwrap();
/// let item = |on_hand, version| InventoryItem {
///     sku: "MUG".into(), on_hand: Some(on_hand), version: Some(version), ..InventoryItem::default() };
/// let first = apply(None, &item(5, 2), now).unwrap();
/// assert!(apply(Some(&first), &item(9, 1), now).is_none());
/// assert_eq!(apply(Some(&first), &item(9, 3), now).unwrap().level.on_hand, 9);
/// ```
pub fn apply(
    current: Option<&StockSnapshot>,
    item: &InventoryItem,
    now: Timestamp,
) -> Option<StockSnapshot> {
    if let (Some(stored), Some(version)) = (current.and_then(|c| c.version), item.version)
        && version <= stored
    {
        return None;
    }
    let mut next = current.cloned().unwrap_or_else(|| StockSnapshot {
        sku: item.sku.clone(),
        level: StockLevel::default(),
        policy: SkuPolicy::default(),
        locations: Vec::new(),
        inbound: Vec::new(),
        version: None,
        levels_set_at_ms: None,
        updated_at: now,
    });
    if let Some(on_hand) = item.on_hand {
        next.level.on_hand = on_hand;
        next.locations.clear();
    }
    if let Some(locations) = &item.locations {
        next.level.on_hand = locations.iter().map(|l| l.on_hand).sum();
        next.locations = locations.clone();
    }
    if item.on_hand.is_some() || item.locations.is_some() {
        // The per-location versions just went: this instant replaces them
        // as the floor below which a Shopify level is stale.
        next.levels_set_at_ms = Some(now.as_millisecond());
    }
    if let Some(inbound) = &item.inbound {
        next.inbound = inbound.clone();
    }
    let policy = &mut next.policy;
    policy.low_stock_threshold = item
        .low_stock_threshold
        .unwrap_or(policy.low_stock_threshold);
    policy.discontinued = item.discontinued.unwrap_or(policy.discontinued);
    policy.out_of_stock = item.out_of_stock_policy.unwrap_or(policy.out_of_stock);
    if let Some(release) = item.preorder_release {
        policy.preorder_release = release;
    }
    next.version = item.version.or(next.version);
    next.updated_at = now;
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{InboundOrder, LocationStock};
    use crate::stock::OutOfStockPolicy;

    fn item(sku: &str, on_hand: i64) -> InventoryItem {
        InventoryItem {
            sku: sku.into(),
            on_hand: Some(on_hand),
            ..InventoryItem::default()
        }
    }

    fn param(items: Vec<InventoryItem>) -> Option<String> {
        validate_upsert(&InventoryUpsert { items })
            .err()
            .and_then(|e| e.error.param)
    }

    fn location(warehouse: &str, on_hand: i64) -> LocationStock {
        LocationStock {
            warehouse: warehouse.into(),
            on_hand,
            version: None,
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert_eq!(param(vec![item("A", 1), item("B", 0)]), None);
        assert_eq!(param(vec![]).as_deref(), Some("items"));
        let cases: Vec<(InventoryItem, &str)> = vec![
            (item("a b", 1), "items[0].sku"),
            (item("A", -5), "items[0].on_hand"),
            (item("A", i64::MAX), "items[0].on_hand"),
            (
                InventoryItem {
                    locations: Some(vec![location("berlin", 1)]),
                    ..item("A", 1)
                },
                "items[0].locations",
            ),
            (
                InventoryItem {
                    on_hand: None,
                    locations: Some(vec![location("berlin", 1), location("berlin", 2)]),
                    ..item("A", 1)
                },
                "items[0].locations[1].warehouse",
            ),
            (
                InventoryItem {
                    on_hand: None,
                    locations: Some(vec![location("a/b", 1)]),
                    ..item("A", 1)
                },
                "items[0].locations[0].warehouse",
            ),
            (
                InventoryItem {
                    inbound: Some(vec![InboundOrder {
                        warehouse: None,
                        qty: 0,
                        arrives: date(2026, 12, 1),
                    }]),
                    ..item("A", 1)
                },
                "items[0].inbound[0].qty",
            ),
            (
                InventoryItem {
                    inbound: Some(vec![InboundOrder {
                        warehouse: None,
                        qty: 5,
                        arrives: date(1999, 12, 1),
                    }]),
                    ..item("A", 1)
                },
                "items[0].inbound[0].arrives",
            ),
            (
                InventoryItem {
                    version: Some(-1),
                    ..item("A", 1)
                },
                "items[0].version",
            ),
            (
                InventoryItem {
                    preorder_release: Some(Some(date(2200, 1, 1))),
                    ..item("A", 1)
                },
                "items[0].preorder_release",
            ),
        ];
        for (bad, at) in cases {
            assert_eq!(param(vec![bad.clone()]).as_deref(), Some(at), "{bad:?}");
        }
        assert_eq!(
            param(vec![item("A", 1), item("A", 2)]).as_deref(),
            Some("items[1].sku")
        );
        assert_eq!(param(vec![item("A", MAX_QUANTITY)]), None);
        let too_many = (0..=MAX_ITEMS_PER_UPSERT)
            .map(|i| item(&format!("S{i}"), 1))
            .collect();
        assert_eq!(param(too_many).as_deref(), Some("items"));
        let three_full_shelves = InventoryItem {
            sku: "LOC".into(),
            locations: Some(vec![
                location("a", MAX_QUANTITY),
                location("b", MAX_QUANTITY),
                location("c", MAX_QUANTITY),
            ]),
            ..InventoryItem::default()
        };
        assert_eq!(
            param(vec![three_full_shelves]).as_deref(),
            Some("items[0].locations")
        );
    }

    #[test]
    fn apply_keeps_what_the_item_leaves_out() {
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().expect("ts");
        let first = InventoryItem {
            on_hand: None,
            locations: Some(vec![location("berlin", 3), location("paris", 4)]),
            out_of_stock_policy: Some(OutOfStockPolicy::Backorder),
            preorder_release: Some(Some(date(2027, 1, 15))),
            ..item("A", 0)
        };
        let mut stored = apply(None, &first, now).expect("new");
        assert_eq!(stored.level.on_hand, 7);
        stored.level.held = 2;
        let settings_only = InventoryItem {
            on_hand: None,
            low_stock_threshold: Some(1),
            ..item("A", 0)
        };
        let next = apply(Some(&stored), &settings_only, now).expect("applied");
        assert_eq!((next.level.on_hand, next.level.held), (7, 2));
        assert_eq!(next.locations.len(), 2);
        assert_eq!(next.policy.out_of_stock, OutOfStockPolicy::Backorder);
        assert_eq!(next.policy.low_stock_threshold, 1);
        let cleared = InventoryItem {
            preorder_release: Some(None),
            ..item("A", 5)
        };
        let next = apply(Some(&next), &cleared, now).expect("applied");
        assert_eq!(next.policy.preorder_release, None);
        assert!(
            next.locations.is_empty(),
            "a plain on_hand replaces the warehouse counts"
        );
    }

    #[test]
    fn versions_only_move_forward() {
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().expect("ts");
        let v = |on_hand, version| InventoryItem {
            version,
            ..item("A", on_hand)
        };
        let stored = apply(None, &v(5, Some(10)), now).expect("new");
        assert!(
            apply(Some(&stored), &v(1, Some(10)), now).is_none(),
            "a repeat"
        );
        assert!(
            apply(Some(&stored), &v(1, Some(9)), now).is_none(),
            "a late one"
        );
        let unversioned = apply(Some(&stored), &v(2, None), now).expect("no version");
        assert_eq!(unversioned.version, Some(10));
        assert_eq!(
            apply(Some(&stored), &v(3, Some(11)), now).map(|s| s.level.on_hand),
            Some(3)
        );
    }
}
