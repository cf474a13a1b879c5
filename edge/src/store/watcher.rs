//! The promise watcher: which open orders to look at after a change, each
//! against the units the older open orders of its SKUs take first, and the
//! daily look at all of them, in pages of `LOOK_PAGE` orders per turn (one
//! page per alarm), so the store never stops answering for long.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use upfront_shared::answer::StockSnapshot;
use upfront_shared::order::ftc::Event;
use upfront_shared::order::watch::{LineStock, earliest_ship};
use upfront_shared::order::{DelayReason, Order, OrderLine};
use upfront_shared::promise::config::Compiled;
use upfront_shared::promise::config::merchant_today;
use upfront_shared::promise::engine::Destination;
use upfront_shared::stock::{SkuPolicy, StockLevel};
use worker::Result;

use super::{Store, any_row, timestamp};

/// Orders one turn of the full look reads (~25 ms of the store's time at
/// 10,000 open orders in the benchmark); the next page follows by alarm at
/// once.
const LOOK_PAGE: usize = 1_000;

impl Store {
    /// Whether any order is open (the watcher has nothing to do without).
    pub(super) fn has_open_orders(&self) -> Result<bool> {
        any_row(&self.sql, "SELECT 1 FROM orders WHERE open = 1", Vec::new())
    }

    /// The promise watcher: re-checks the open orders holding any of
    /// `touched`, or for `None` (the daily look, a new delivery
    /// configuration, the test clock) the next page of every open order.
    /// Returns the messages to hand to the queue.
    pub(super) fn recheck_orders(
        &self,
        touched: Option<&[String]>,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            order_id: String,
        }
        let Some(skus) = touched else {
            return self.look_at_all(now_ms);
        };
        let ids = self
            .sql
            .exec(
                "SELECT DISTINCT order_id FROM order_lines WHERE open = 1 \
                 AND sku IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(skus)?.into()],
            )?
            .to_array::<Id>()?
            .into_iter()
            .map(|row| row.order_id)
            .collect();
        self.recheck(ids, now_ms)
    }

    /// One page of the look at every open order, oldest first, from where
    /// the last page stopped (`orders_look_after` in `meta`); the look is
    /// done, and the next one due a day later, when a page comes up short.
    fn look_at_all(&self, now_ms: i64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Key {
            id: String,
            created_at_ms: i64,
            position: i64,
        }
        let (after_ms, after_row) = self.look_cursor()?.unwrap_or((i64::MIN, 0));
        let page: Vec<Key> = self
            .sql
            .exec(
                "SELECT id, created_at_ms, rowid AS position FROM orders WHERE open = 1 \
                 AND (created_at_ms > ?1 OR (created_at_ms = ?1 AND rowid > ?2)) \
                 ORDER BY created_at_ms, rowid LIMIT ?3",
                vec![
                    (after_ms as f64).into(),
                    (after_row as f64).into(),
                    ((LOOK_PAGE + 1) as f64).into(),
                ],
            )?
            .to_array()?;
        let more = page.len() > LOOK_PAGE;
        let page = &page[..page.len().min(LOOK_PAGE)];
        let queued = self.recheck(page.iter().map(|k| k.id.clone()).collect(), now_ms)?;
        match (more, page.last()) {
            (true, Some(last)) => self.set_meta(
                "orders_look_after",
                &format!("{}:{}", last.created_at_ms, last.position),
            )?,
            _ => {
                self.sql
                    .exec("DELETE FROM meta WHERE key = 'orders_look_after'", None)?;
                self.set_meta("orders_checked_ms", &now_ms.to_string())?;
            }
        }
        Ok(queued)
    }

    /// Where an unfinished look stopped: the last order's `(created_at_ms, rowid)`.
    fn look_cursor(&self) -> Result<Option<(i64, i64)>> {
        Ok(self.meta("orders_look_after")?.and_then(|v| {
            let (ms, row) = v.split_once(':')?;
            Some((ms.parse().ok()?, row.parse().ok()?))
        }))
    }

    /// Re-checks the open orders `ids`.
    pub(super) fn recheck(&self, ids: Vec<String>, now_ms: i64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Line {
            order_id: String,
            sku: String,
            ahead: i64,
        }
        #[derive(Deserialize)]
        struct Row {
            record: String,
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids_json = serde_json::to_string(&ids)?;
        let orders: Vec<Order> = self
            .sql
            .exec(
                "SELECT record FROM orders WHERE open = 1 AND id IN \
                 (SELECT value FROM json_each(?)) ORDER BY created_at_ms, rowid",
                vec![ids_json.as_str().into()],
            )?
            .to_array::<Row>()?
            .iter()
            .map(|row| serde_json::from_str(&row.record))
            .collect::<std::result::Result<_, _>>()?;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let mut skus: Vec<String> = orders
            .iter()
            .flat_map(|o| o.lines.iter().map(|l| l.sku.clone()))
            .collect();
        skus.sort();
        skus.dedup();
        // The units of each of these orders' SKUs that older open orders
        // take first: a running sum in SQLite, so only these orders' lines
        // come back, however many lines the SKUs have.
        let lines: Vec<Line> = self
            .sql
            .exec(
                "SELECT order_id, sku, ahead FROM (SELECT order_id, sku, COALESCE(SUM(qty) OVER \
                 (PARTITION BY sku ORDER BY created_at_ms, rowid ROWS BETWEEN UNBOUNDED PRECEDING \
                 AND 1 PRECEDING), 0) AS ahead FROM order_lines WHERE open = 1 \
                 AND sku IN (SELECT value FROM json_each(?1))) \
                 WHERE order_id IN (SELECT value FROM json_each(?2))",
                vec![
                    serde_json::to_string(&skus)?.into(),
                    ids_json.as_str().into(),
                ],
            )?
            .to_array()?;
        let mut before: HashMap<(&str, &str), i64> = HashMap::new();
        for line in &lines {
            before
                .entry((line.order_id.as_str(), line.sku.as_str()))
                .or_insert(line.ahead);
        }
        let snapshots = self.snapshots(&skus)?;
        let clock = self.order_clock(now_ms)?;
        let now = timestamp(clock)?;
        let config = self.compiled_config()?;
        let today = merchant_today(config.as_ref(), now);
        let mut queued = Vec::new();
        for mut order in orders {
            let ahead: HashMap<String, i64> = order
                .lines
                .iter()
                .map(|l| {
                    let units = before
                        .get(&(order.id.as_str(), l.sku.as_str()))
                        .copied()
                        .unwrap_or(0);
                    (l.sku.clone(), units)
                })
                .collect();
            let lines = line_stock(&order.lines, &snapshots, &ahead);
            let destination = destination_of(&order.destination, config.as_ref());
            let can_ship = earliest_ship(&lines, config.as_ref(), destination.as_ref(), now);
            // No date: the stock cannot cover it (shelf and arrivals), or
            // else no method serves the destination.
            let reason = can_ship.is_none().then(|| {
                let short = lines.iter().any(|l| {
                    let coming: i64 = l.stock.inbound.iter().map(|i| i.qty).sum();
                    l.stock.level.on_hand + coming - l.ahead < i64::from(l.qty)
                });
                if short {
                    DelayReason::OutOfStock
                } else {
                    DelayReason::NoDelivery
                }
            });
            if let Ok(more) = self.apply(
                &mut order,
                Event::Check { can_ship },
                today,
                (clock, now_ms),
                reason,
            )? {
                queued.extend(more);
            }
        }
        Ok(queued)
    }

    /// When the watcher must look next on its own: a day after its last
    /// look, while any order is open.
    pub(super) fn next_order_check_ms(&self) -> Result<Option<i64>> {
        if !self.has_open_orders()? {
            return Ok(None);
        }
        // An unfinished look goes on at once.
        if self.look_cursor()?.is_some() {
            return Ok(Some(worker::Date::now().as_millis() as i64));
        }
        let last = self
            .meta("orders_checked_ms")?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        Ok(Some(last + 24 * 3600 * 1000))
    }

    /// Whether the daily look is due.
    pub(super) fn order_check_due(&self, now_ms: i64) -> Result<bool> {
        Ok(self.next_order_check_ms()?.is_some_and(|at| at <= now_ms))
    }
}

/// Order lines against stock and the units older open orders take first.
pub(super) fn line_stock<'a>(
    lines: &[OrderLine],
    snapshots: &'a HashMap<String, StockSnapshot>,
    ahead: &HashMap<String, i64>,
) -> Vec<LineStock<'a>> {
    lines
        .iter()
        .map(|line| LineStock {
            qty: line.qty,
            stock: snapshots.get(&line.sku).unwrap_or(&EMPTY),
            ahead: ahead.get(&line.sku).copied().unwrap_or(0),
        })
        .collect()
}

/// A SKU the store no longer has: nothing on the shelf, nothing coming.
static EMPTY: StockSnapshot = StockSnapshot {
    sku: String::new(),
    level: StockLevel {
        on_hand: 0,
        held: 0,
        committed: 0,
    },
    policy: SkuPolicy {
        low_stock_threshold: 0,
        discontinued: true,
        out_of_stock: upfront_shared::stock::OutOfStockPolicy::Deny,
        preorder_release: None,
    },
    locations: Vec::new(),
    inbound: Vec::new(),
    version: None,
    levels_set_at_ms: None,
    updated_at: Timestamp::UNIX_EPOCH,
};

/// The engine's destination: the order's, else the store's home country.
pub(super) fn destination_of(
    destination: &Option<upfront_shared::order::OrderDestination>,
    config: Option<&Compiled>,
) -> Option<Destination> {
    match destination {
        Some(d) => Some(Destination {
            country: d.country.clone(),
            postal_code: d.postal_code.clone(),
        }),
        None => config.map(|c| Destination {
            country: c.default_country.clone(),
            postal_code: None,
        }),
    }
}
