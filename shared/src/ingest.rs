//! Validation of merchant inventory writes, before anything is stored.

use std::collections::HashSet;

use crate::api::InventoryUpsert;
use crate::error::{ErrorBody, ErrorCode};
use crate::sku::is_valid_sku;

/// The most items one `POST /v1/inventory` may carry.
pub const MAX_ITEMS_PER_UPSERT: usize = 1000;

/// The largest stock count we store. Far above any real shelf, and well
/// inside the integers JavaScript (and so the Workers runtime) holds exactly.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// Checks a whole upsert. The first problem found is reported with the JSON
/// path of the offending field, so a merchant can fix their feed.
///
/// ```
/// use upfront_shared::api::{InventoryItem, InventoryUpsert};
/// use upfront_shared::ingest::validate_upsert;
/// let bad = InventoryUpsert { items: vec![InventoryItem {
///     sku: "MUG".into(), on_hand: -1, low_stock_threshold: None, discontinued: None, out_of_stock_policy: None }] };
/// assert_eq!(validate_upsert(&bad).unwrap_err().error.param.as_deref(), Some("items[0].on_hand"));
/// ```
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
        if !is_valid_sku(&item.sku) {
            return invalid(
                "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
                format!("items[{i}].sku"),
            );
        }
        if !seen.insert(item.sku.as_str()) {
            return invalid("each sku may appear once", format!("items[{i}].sku"));
        }
        if !(0..=MAX_QUANTITY).contains(&item.on_hand) {
            return invalid(
                "on_hand must be from 0 to 1000000000",
                format!("items[{i}].on_hand"),
            );
        }
        if item
            .low_stock_threshold
            .is_some_and(|t| !(0..=MAX_QUANTITY).contains(&t))
        {
            return invalid(
                "low_stock_threshold must be from 0 to 1000000000",
                format!("items[{i}].low_stock_threshold"),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::InventoryItem;

    fn item(sku: &str, on_hand: i64) -> InventoryItem {
        InventoryItem {
            sku: sku.into(),
            on_hand,
            low_stock_threshold: None,
            discontinued: None,
            out_of_stock_policy: None,
        }
    }

    fn param(items: Vec<InventoryItem>) -> Option<String> {
        validate_upsert(&InventoryUpsert { items })
            .err()
            .and_then(|e| e.error.param)
    }

    #[test]
    fn table() {
        assert_eq!(param(vec![item("A", 1), item("B", 0)]), None);
        assert_eq!(param(vec![]).as_deref(), Some("items"));
        assert_eq!(
            param(vec![item("A", 1), item("a b", 1)]).as_deref(),
            Some("items[1].sku")
        );
        assert_eq!(
            param(vec![item("A", 1), item("A", 2)]).as_deref(),
            Some("items[1].sku")
        );
        assert_eq!(
            param(vec![item("A", -5)]).as_deref(),
            Some("items[0].on_hand")
        );
        assert_eq!(param(vec![item("A", MAX_QUANTITY)]), None);
        assert_eq!(
            param(vec![item("A", i64::MAX)]).as_deref(),
            Some("items[0].on_hand")
        );
        let too_many = (0..=MAX_ITEMS_PER_UPSERT)
            .map(|i| item(&format!("S{i}"), 1))
            .collect();
        assert_eq!(param(too_many).as_deref(), Some("items"));
    }
}
