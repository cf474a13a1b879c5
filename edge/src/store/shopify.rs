//! Shopify inventory levels: deduplicated by event id, applied in version
//! order, and reconciled with our own sales.
//!
//! Shopify's `available` is its shelf less the orders Shopify knows about.
//! A sale committed through an Upfront hold is also one of those orders
//! (the checkout is Shopify's), so once every location has reported a
//! level stamped after the sale, the sale is *absorbed*: it leaves our
//! `committed` (marked on the hold), or it would be subtracted twice.
//! Until then it stays in `committed` and keeps its units from being sold
//! again. An absorbed sale's shipment or cancellation changes nothing here:
//! Shopify's next level carries it.

use serde::Deserialize;
use upfront_shared::ingest::MAX_QUANTITY;
use upfront_shared::shopify::{self, WebhookOutcome, WebhookResult, netted_out_until};
use worker::{Result, SqlStorage};

use super::inventory::{snapshot_of, store_snapshot};
use super::{Store, any_row, timestamp};

/// Shopify retries for up to 48 hours; event ids are kept a week.
const WEBHOOK_EVENT_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// A verified Shopify level, its location already mapped to a warehouse.
struct ShopifyLevel {
    event_id: String,
    inventory_item_id: String,
    warehouse: String,
    available: Option<i64>,
    version_ms: i64,
}

impl Store {
    pub(super) fn shopify_level(
        &self,
        event_id: String,
        inventory_item_id: String,
        location_id: &str,
        available: Option<i64>,
        version_ms: i64,
        now_ms: i64,
    ) -> Result<WebhookResult> {
        let warehouse = self
            .delivery_config()?
            .and_then(|c| {
                c.warehouses
                    .into_iter()
                    .find(|w| w.shopify_location_id.as_deref() == Some(location_id))
            })
            .map(|w| w.id)
            .unwrap_or_else(|| shopify::default_warehouse(location_id.parse().unwrap_or_default()));
        let level = ShopifyLevel {
            event_id,
            inventory_item_id,
            warehouse,
            available: available.map(|a| a.clamp(-MAX_QUANTITY, MAX_QUANTITY)),
            version_ms,
        };
        let sql = self.sql.clone();
        self.atomically(move || apply_shopify_level(&sql, &level, now_ms))
    }
}

/// Deduplicates on the event id, finds the SKU, and lands the level unless
/// a newer one for that location is stored; called inside `atomically`.
fn apply_shopify_level(
    sql: &SqlStorage,
    level: &ShopifyLevel,
    now_ms: i64,
) -> Result<WebhookResult> {
    let result = |outcome, sku: Option<&str>| WebhookResult {
        outcome,
        sku: sku.map(str::to_owned),
        order_id: None,
    };
    sql.exec(
        "DELETE FROM webhook_events WHERE received_at_ms < ?",
        vec![((now_ms - WEBHOOK_EVENT_LIFETIME_MS) as f64).into()],
    )?;
    // `rows_written` also counts index writes, so ask before inserting.
    if any_row(
        sql,
        "SELECT 1 FROM webhook_events WHERE id = ?",
        vec![level.event_id.as_str().into()],
    )? {
        return Ok(result(WebhookOutcome::Duplicate, None));
    }
    sql.exec(
        "INSERT INTO webhook_events (id, received_at_ms) VALUES (?, ?)",
        vec![level.event_id.as_str().into(), (now_ms as f64).into()],
    )?;
    #[derive(Deserialize)]
    struct Mapped {
        sku: String,
    }
    let mapped: Vec<Mapped> = sql
        .exec(
            "SELECT sku FROM shopify_items WHERE item_id = ?",
            vec![level.inventory_item_id.as_str().into()],
        )?
        .to_array()?;
    let Some(Mapped { sku }) = mapped.into_iter().next() else {
        return Ok(result(WebhookOutcome::UnknownItem, None));
    };
    let Some(stored) = snapshot_of(sql, &sku)? else {
        return Ok(result(WebhookOutcome::UnknownItem, None));
    };
    // Untracked: Shopify sells it regardless and counts nothing; a `deny`
    // SKU must not read that as zero on the shelf.
    let Some(available) = level.available else {
        return Ok(result(WebhookOutcome::Untracked, Some(&sku)));
    };
    let now = timestamp(now_ms)?;
    let Some(mut next) = shopify::land(&stored, &level.warehouse, available, level.version_ms, now)
    else {
        return Ok(result(WebhookOutcome::Stale, Some(&sku)));
    };
    if let Some(until) = netted_out_until(&next) {
        next.level = next.level.absorb(absorb_sales(sql, &sku, until)?);
        sql.exec(
            "UPDATE sku SET committed = ? WHERE sku = ?",
            vec![next.level.committed.into(), sku.as_str().into()],
        )?;
    }
    store_snapshot(sql, &next, now_ms)?;
    Ok(result(WebhookOutcome::Applied, Some(&sku)))
}

/// Marks the committed sales of `sku` up to `until_ms` as netted out by
/// Shopify and returns their units.
fn absorb_sales(sql: &SqlStorage, sku: &str, until_ms: i64) -> Result<i64> {
    #[derive(Deserialize)]
    struct Sum {
        units: Option<i64>,
    }
    let filter = "sku = ? AND state = 'committed' AND absorbed = 0 AND committed_at_ms <= ?";
    let params = || vec![sku.into(), (until_ms as f64).into()];
    let sum: Sum = sql
        .exec(
            &format!("SELECT SUM(qty) AS units FROM holds WHERE {filter}"),
            params(),
        )?
        .one()?;
    sql.exec(
        &format!("UPDATE holds SET absorbed = 1 WHERE {filter}"),
        params(),
    )?;
    Ok(sum.units.unwrap_or(0))
}
