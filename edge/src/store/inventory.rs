//! Stock rows: reads, merchant writes (all items or none), the read-back
//! listing, and the demo catalogue.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use upfront_shared::answer::StockSnapshot;
use upfront_shared::api::{InventoryItem, UpsertResult};
use upfront_shared::hold::holds_to_release;
use upfront_shared::ingest::apply;
use upfront_shared::readback::{PageQuery, SkuDetail, SkuList};
use upfront_shared::stock::{OutOfStockPolicy, SkuPolicy, StockLevel};
use worker::{Result, SqlStorage};

use super::holds::{HoldRow, close_hold};
use super::{Store, timestamp};
use crate::demo;
use crate::idempotency::{Keyed, Once, once};
use upfront_shared::hold::HoldState;

/// Rows one SKU-list page may examine: a filter for a rare state answers
/// a short page with a cursor rather than scanning the whole catalogue.
const MAX_SCANNED_PER_PAGE: usize = 1000;

/// One SKU's row as stored. `locations` and `inbound` are JSON arrays: only
/// this SKU's answer ever reads them, so a page of SKUs stays one query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkuRecord {
    pub sku: String,
    pub on_hand: i64,
    pub held: i64,
    pub committed: i64,
    pub low_stock_threshold: i64,
    pub discontinued: i64,
    pub policy: String,
    pub updated_at_ms: i64,
    pub locations: String,
    pub inbound: String,
    pub preorder_release: Option<String>,
    pub version: Option<i64>,
    /// See `StockSnapshot::levels_set_at_ms`.
    #[serde(default)]
    pub levels_set_at_ms: Option<i64>,
}

impl SkuRecord {
    fn level(&self) -> StockLevel {
        StockLevel {
            on_hand: self.on_hand,
            held: self.held,
            committed: self.committed,
        }
    }

    pub fn snapshot(self) -> Result<StockSnapshot> {
        let corrupt = |e: &dyn std::fmt::Display| worker::Error::RustError(e.to_string());
        Ok(StockSnapshot {
            level: self.level(),
            policy: SkuPolicy {
                low_stock_threshold: self.low_stock_threshold,
                discontinued: self.discontinued != 0,
                out_of_stock: OutOfStockPolicy::parse(&self.policy).unwrap_or_default(),
                preorder_release: self
                    .preorder_release
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|e| corrupt(&e))?,
            },
            locations: serde_json::from_str(&self.locations).map_err(|e| corrupt(&e))?,
            inbound: serde_json::from_str(&self.inbound).map_err(|e| corrupt(&e))?,
            version: self.version,
            levels_set_at_ms: self.levels_set_at_ms,
            updated_at: Timestamp::from_millisecond(self.updated_at_ms).map_err(|e| corrupt(&e))?,
            sku: self.sku,
        })
    }
}

impl Store {
    /// One query for any number of SKUs: a page of 100 costs one call.
    pub(super) fn read(&self, skus: &[String]) -> Result<Vec<SkuRecord>> {
        read(&self.sql, skus)
    }

    /// Writes every item or, on any error, none, and remembers the answer
    /// under its idempotency key in the same transaction.
    pub(super) fn upsert(
        &self,
        items: Vec<InventoryItem>,
        now_ms: i64,
        keyed: Option<Keyed>,
    ) -> Result<Once<UpsertResult>> {
        let sql = self.sql.clone();
        let default_threshold = self.settings()?.low_stock_threshold;
        self.atomically(move || {
            once(&sql, keyed.as_ref(), now_ms, || {
                write_items(&sql, &items, now_ms, default_threshold)
            })
        })
    }

    /// A page of SKUs in SKU order, optionally only those in one state.
    pub(super) fn list_skus(&self, page: &PageQuery, now_ms: i64) -> Result<SkuList> {
        let now = timestamp(now_ms)?;
        let mut after = page.cursor.clone().unwrap_or_default();
        let mut data = Vec::new();
        let mut scanned = 0;
        loop {
            let batch: Vec<SkuRecord> = self
                .sql
                .exec(
                    "SELECT * FROM sku WHERE sku > ? ORDER BY sku LIMIT ?",
                    vec![after.as_str().into(), (page.limit as f64).into()],
                )?
                .to_array()?;
            let exhausted = batch.len() < page.limit as usize;
            for record in batch {
                scanned += 1;
                after = record.sku.clone();
                let detail = SkuDetail::of(record.snapshot()?, None, now);
                if page.status.is_none_or(|s| s == detail.status) {
                    data.push(detail);
                    if data.len() == page.limit as usize {
                        break;
                    }
                }
            }
            if exhausted {
                let more = data.len() == page.limit as usize && self.any_sku_after(&after)?;
                return self.with_item_ids(data, more.then_some(after));
            }
            if data.len() == page.limit as usize || scanned >= MAX_SCANNED_PER_PAGE {
                let more = self.any_sku_after(&after)?;
                return self.with_item_ids(data, more.then_some(after));
            }
        }
    }

    fn any_sku_after(&self, sku: &str) -> Result<bool> {
        super::any_row(
            &self.sql,
            "SELECT 1 FROM sku WHERE sku > ? LIMIT 1",
            vec![sku.into()],
        )
    }

    /// Fills in each SKU's Shopify inventory item id.
    fn with_item_ids(
        &self,
        mut data: Vec<SkuDetail>,
        next_cursor: Option<String>,
    ) -> Result<SkuList> {
        #[derive(Deserialize)]
        struct Mapped {
            item_id: String,
            sku: String,
        }
        let skus: Vec<&str> = data.iter().map(|d| d.sku.as_str()).collect();
        let mapped: Vec<Mapped> = self
            .sql
            .exec(
                "SELECT item_id, sku FROM shopify_items WHERE sku IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(&skus)?.into()],
            )?
            .to_array()?;
        for detail in &mut data {
            detail.shopify_inventory_item_id = mapped
                .iter()
                .find(|m| m.sku == detail.sku)
                .map(|m| m.item_id.clone());
        }
        Ok(SkuList { data, next_cursor })
    }

    /// One SKU in full; `None` for an unknown one.
    pub(super) fn sku_detail(&self, sku: &str, now_ms: i64) -> Result<Option<SkuDetail>> {
        let Some(record) = self.read(&[sku.to_owned()])?.into_iter().next() else {
            return Ok(None);
        };
        let detail = SkuDetail::of(record.snapshot()?, None, timestamp(now_ms)?);
        Ok(self.with_item_ids(vec![detail], None)?.data.pop())
    }

    /// The demo catalogue and delivery configuration, once per store.
    pub(super) fn seed_demo_catalogue(&self, now_ms: i64) -> Result<()> {
        if super::any_row(
            &self.sql,
            "SELECT 1 FROM meta WHERE key = 'seeded'",
            Vec::new(),
        )? {
            return Ok(());
        }
        let today = timestamp(now_ms)?
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        self.upsert(demo::inventory(today), now_ms, None)?;
        self.put_delivery_config(&demo::delivery_config())?;
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES ('seeded', 'demo')",
            None,
        )?;
        Ok(())
    }
}

/// One query for any number of SKUs.
pub(super) fn read(sql: &SqlStorage, skus: &[String]) -> Result<Vec<SkuRecord>> {
    if let [sku] = skus {
        return sql
            .exec("SELECT * FROM sku WHERE sku = ?", vec![sku.as_str().into()])?
            .to_array();
    }
    sql.exec(
        "SELECT * FROM sku WHERE sku IN (SELECT value FROM json_each(?))",
        vec![serde_json::to_string(skus)?.into()],
    )?
    .to_array()
}

/// The stored snapshot of `sku`, if it exists.
pub(super) fn snapshot_of(sql: &SqlStorage, sku: &str) -> Result<Option<StockSnapshot>> {
    read(sql, &[sku.to_owned()])?
        .into_iter()
        .next()
        .map(SkuRecord::snapshot)
        .transpose()
}

/// Writes `next` over the SKU's row (held and committed stay as stored),
/// then releases the newest holds a `deny` SKU can no longer cover.
pub(super) fn store_snapshot(sql: &SqlStorage, next: &StockSnapshot, now_ms: i64) -> Result<()> {
    sql.exec(
        "INSERT INTO sku (sku, on_hand, low_stock_threshold, discontinued, policy, updated_at_ms,
                          locations, inbound, preorder_release, version, levels_set_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET
            on_hand = excluded.on_hand,
            low_stock_threshold = excluded.low_stock_threshold,
            discontinued = excluded.discontinued,
            policy = excluded.policy,
            updated_at_ms = excluded.updated_at_ms,
            locations = excluded.locations,
            inbound = excluded.inbound,
            preorder_release = excluded.preorder_release,
            version = excluded.version,
            levels_set_at_ms = excluded.levels_set_at_ms",
        vec![
            next.sku.as_str().into(),
            next.level.on_hand.into(),
            next.policy.low_stock_threshold.into(),
            i64::from(next.policy.discontinued).into(),
            next.policy.out_of_stock.as_str().into(),
            now_ms.into(),
            serde_json::to_string(&next.locations)?.into(),
            serde_json::to_string(&next.inbound)?.into(),
            next.policy.preorder_release.map(|d| d.to_string()).into(),
            next.version.map(|v| v as f64).into(),
            next.levels_set_at_ms.map(|ms| ms as f64).into(),
        ],
    )?;
    if next.policy.out_of_stock == OutOfStockPolicy::Deny && next.level.net() < 0 {
        release_newest_holds(sql, next.level, &next.sku)?;
    }
    Ok(())
}

/// Merges each item into its stored SKU (see `ingest::apply`); called
/// inside `Store::atomically`. Holds and paid units are never overwritten:
/// a recount sets `on_hand` and leaves `committed` as it is.
fn write_items(
    sql: &SqlStorage,
    items: &[InventoryItem],
    now_ms: i64,
    default_threshold: i64,
) -> Result<UpsertResult> {
    let now = timestamp(now_ms)?;
    let mut stale = Vec::new();
    for item in items {
        let current = snapshot_of(sql, &item.sku)?;
        let Some(mut next) = apply(current.as_ref(), item, now) else {
            stale.push(item.sku.clone());
            continue;
        };
        if current.is_none() && item.low_stock_threshold.is_none() {
            next.policy.low_stock_threshold = default_threshold;
        }
        store_snapshot(sql, &next, now_ms)?;
        if let Some(item_id) = &item.shopify_inventory_item_id {
            sql.exec(
                "DELETE FROM shopify_items WHERE sku = ?",
                vec![item.sku.as_str().into()],
            )?;
            sql.exec(
                "INSERT OR REPLACE INTO shopify_items (item_id, sku) VALUES (?, ?)",
                vec![item_id.as_str().into(), item.sku.as_str().into()],
            )?;
        }
    }
    Ok(UpsertResult {
        applied: items.len() - stale.len(),
        stale,
    })
}

/// A recount below what a `deny` SKU holds: the newest holds give way.
fn release_newest_holds(sql: &SqlStorage, level: StockLevel, sku: &str) -> Result<()> {
    let open: Vec<HoldRow> = sql
        .exec(
            "SELECT id, sku, qty, state, expires_at_ms, absorbed FROM holds \
             WHERE sku = ? AND state = 'open' ORDER BY created_at_ms DESC, rowid DESC",
            vec![sku.into()],
        )?
        .to_array()?;
    let qtys: Vec<i64> = open.iter().map(|h| h.qty).collect();
    for hold in &open[..holds_to_release(level, &qtys)] {
        close_hold(sql, hold, HoldState::Released, 0)?;
    }
    Ok(())
}
