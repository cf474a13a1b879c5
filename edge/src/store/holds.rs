//! Checkout holds and what follows a sale: commit, release, expiry,
//! fulfilment and cancellation. Units move only through the shared ledger
//! (`shared::hold`, `shared::ledger`), and only when a conditional update
//! of the hold's state wrote a row, so a repeated call changes nothing.

use serde::{Deserialize, Serialize};
use upfront_shared::hold::{Hold, HoldState};
use upfront_shared::readback::{HoldList, PageQuery};
use upfront_shared::stock::Stock;
use worker::{Result, ScheduledTime, SqlStorage};

use super::inventory::snapshot_of;
use super::{Store, random_hex, timestamp};
use crate::idempotency::{Keyed, Once, once};

/// A hold's row as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct HoldRow {
    pub id: String,
    pub sku: String,
    pub qty: i64,
    pub state: String,
    pub expires_at_ms: i64,
    /// 1 once a Shopify level has netted this sale out (see `shopify.rs`).
    #[serde(default)]
    pub absorbed: i64,
}

const HOLD_COLUMNS: &str = "id, sku, qty, state, expires_at_ms, absorbed";

impl HoldRow {
    fn state(&self) -> HoldState {
        HoldState::parse(&self.state).unwrap_or(HoldState::Expired)
    }

    fn public(&self) -> Result<Hold> {
        Ok(Hold {
            id: self.id.clone(),
            sku: self.sku.clone(),
            qty: self.qty,
            state: self.state(),
            expires_at: timestamp(self.expires_at_ms)?,
        })
    }
}

/// The store's answer to a hold command.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HoldOutcome {
    Done {
        hold: Hold,
    },
    UnknownSku,
    UnknownHold,
    Insufficient {
        available: i64,
    },
    NotOpen {
        hold: Hold,
    },
    /// Fulfilment or cancellation of a hold that is not a paid, unshipped sale.
    NotCommitted {
        hold: Hold,
    },
}

impl Store {
    /// Decides with the shared rules and writes the hold, its units and its
    /// idempotency record in one transaction: no other request runs between
    /// the read and the write, so concurrent holds never oversell a `deny`
    /// SKU, and a retry never finds a hold without its record.
    pub(super) fn create_hold(
        &self,
        sku: String,
        qty: i64,
        ttl_seconds: u32,
        now_ms: i64,
        keyed: Option<Keyed>,
    ) -> Result<Once<HoldOutcome>> {
        let sql = self.sql.clone();
        self.atomically(move || {
            once(&sql, keyed.as_ref(), now_ms, || {
                place_hold(&sql, &sku, qty, ttl_seconds, now_ms)
            })
        })
    }

    pub(super) fn commit_hold(&self, id: &str, now_ms: i64) -> Result<HoldOutcome> {
        self.finish_hold(id, HoldState::Committed, now_ms)
    }

    pub(super) fn release_hold(&self, id: &str, now_ms: i64) -> Result<HoldOutcome> {
        self.finish_hold(id, HoldState::Released, now_ms)
    }

    /// Commits or releases an open hold. A hold past its expiry is expired
    /// here and now, even if the alarm has not fired yet.
    fn finish_hold(&self, id: &str, to: HoldState, now_ms: i64) -> Result<HoldOutcome> {
        let Some(mut hold) = self.hold(id)? else {
            return Ok(HoldOutcome::UnknownHold);
        };
        if hold.state() == HoldState::Open && hold.expires_at_ms <= now_ms {
            close_hold(&self.sql, &hold, HoldState::Expired, now_ms)?;
            hold.state = HoldState::Expired.as_str().to_string();
        }
        if hold.state() != HoldState::Open {
            return Ok(HoldOutcome::NotOpen {
                hold: hold.public()?,
            });
        }
        close_hold(&self.sql, &hold, to, now_ms)?;
        hold.state = to.as_str().to_string();
        Ok(HoldOutcome::Done {
            hold: hold.public()?,
        })
    }

    /// A paid sale shipped: its units leave `on_hand` and `committed`.
    /// Shipping it again answers the same and changes nothing.
    pub(super) fn fulfil(&self, id: &str, now_ms: i64) -> Result<HoldOutcome> {
        self.settle(id, HoldState::Fulfilled, now_ms)
    }

    /// A paid, unshipped sale called off: its units are back on sale.
    pub(super) fn cancel_sale(&self, id: &str, now_ms: i64) -> Result<HoldOutcome> {
        self.settle(id, HoldState::Cancelled, now_ms)
    }

    fn settle(&self, id: &str, to: HoldState, now_ms: i64) -> Result<HoldOutcome> {
        let Some(mut hold) = self.hold(id)? else {
            return Ok(HoldOutcome::UnknownHold);
        };
        match hold.state() {
            HoldState::Committed => {}
            state if state == to => {
                return Ok(HoldOutcome::Done {
                    hold: hold.public()?,
                });
            }
            _ => {
                return Ok(HoldOutcome::NotCommitted {
                    hold: hold.public()?,
                });
            }
        }
        let sql = self.sql.clone();
        let row = hold.clone();
        self.atomically(move || settle_sale(&sql, &row, to, now_ms))?;
        hold.state = to.as_str().to_owned();
        Ok(HoldOutcome::Done {
            hold: hold.public()?,
        })
    }

    /// Open holds, oldest first; the cursor is the last hold's row number.
    pub(super) fn list_open_holds(&self, page: &PageQuery) -> Result<HoldList> {
        #[derive(Deserialize)]
        struct Row {
            #[serde(flatten)]
            hold: HoldRow,
            position: i64,
        }
        let after = page.after_rowid();
        let rows: Vec<Row> = self
            .sql
            .exec(
                &format!(
                    "SELECT {HOLD_COLUMNS}, rowid AS position FROM holds \
                     WHERE state = 'open' AND rowid > ? ORDER BY rowid LIMIT ?"
                ),
                vec![(after as f64).into(), (f64::from(page.limit) + 1.0).into()],
            )?
            .to_array()?;
        let more = rows.len() > page.limit as usize;
        let rows = &rows[..rows.len().min(page.limit as usize)];
        Ok(HoldList {
            data: rows
                .iter()
                .map(|r| r.hold.public())
                .collect::<Result<_>>()?,
            next_cursor: more
                .then(|| rows.last().map(|r| r.position.to_string()))
                .flatten(),
        })
    }

    /// Expires every open hold past its time; returns their SKUs.
    pub(super) fn expire_due_holds(&self, now_ms: i64) -> Result<Vec<String>> {
        let due: Vec<HoldRow> = self
            .sql
            .exec(
                &format!(
                    "SELECT {HOLD_COLUMNS} FROM holds WHERE state = 'open' AND expires_at_ms <= ?"
                ),
                vec![now_ms.into()],
            )?
            .to_array()?;
        for hold in &due {
            close_hold(&self.sql, hold, HoldState::Expired, now_ms)?;
        }
        Ok(due.into_iter().map(|h| h.sku).collect())
    }

    /// Sets the alarm for the next hold expiry or overdue webhook delivery,
    /// unless an earlier alarm is already set.
    pub(super) async fn schedule_next_alarm(&self) -> Result<()> {
        #[derive(Deserialize)]
        struct Next {
            next: Option<i64>,
        }
        let next: Next = self
            .sql
            .exec(
                "SELECT MIN(expires_at_ms) AS next FROM holds WHERE state = 'open'",
                None,
            )?
            .one()?;
        let next = [
            next.next,
            self.next_sweep_ms()?,
            self.next_order_check_ms()?,
            self.next_guard_look_ms()?,
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at_ms) = next {
            let current = self.storage.get_alarm().await?;
            if current.is_none_or(|c| c > at_ms) {
                // An integer would be an offset from now: pass the instant.
                let at = worker::js_sys::Date::new(&(at_ms as f64).into());
                self.storage.set_alarm(ScheduledTime::new(at)).await?;
                self.alarm_at.set(Some(at_ms));
            } else {
                self.alarm_at.set(current);
            }
        }
        Ok(())
    }

    /// Makes sure the alarm fires by `at_ms`. Free when this instance
    /// knows it is set that early already (a burst of holds sets it once);
    /// otherwise schedules from everything due.
    pub(super) async fn ensure_alarm_by(&self, at_ms: i64) -> Result<()> {
        if self.alarm_at.get().is_some_and(|set| set <= at_ms) {
            return Ok(());
        }
        self.schedule_next_alarm().await
    }

    /// The SKUs of open holds due to expire, to compare their statuses.
    pub(super) fn due_hold_skus(&self, now_ms: i64) -> Result<Vec<String>> {
        super::skus_of(
            &self.sql,
            "SELECT DISTINCT sku FROM holds WHERE state = 'open' AND expires_at_ms <= ?",
            vec![now_ms.into()],
        )
    }

    fn hold(&self, id: &str) -> Result<Option<HoldRow>> {
        Ok(self
            .sql
            .exec(
                &format!("SELECT {HOLD_COLUMNS} FROM holds WHERE id = ?"),
                vec![id.into()],
            )?
            .to_array::<HoldRow>()?
            .into_iter()
            .next())
    }
}

fn place_hold(
    sql: &SqlStorage,
    sku: &str,
    qty: i64,
    ttl_seconds: u32,
    now_ms: i64,
) -> Result<HoldOutcome> {
    let Some(snapshot) = snapshot_of(sql, sku)? else {
        return Ok(HoldOutcome::UnknownSku);
    };
    let inbound = snapshot.arrivals();
    let stock = Stock {
        level: snapshot.level,
        policy: snapshot.policy,
        inbound: &inbound,
    };
    let next = match stock.try_hold(qty) {
        Ok(next) => next,
        Err(short) => {
            return Ok(HoldOutcome::Insufficient {
                available: short.available,
            });
        }
    };
    let hold = HoldRow {
        id: format!("hold_{}", random_hex(sql, 12)?),
        sku: sku.to_string(),
        qty,
        state: HoldState::Open.as_str().to_string(),
        expires_at_ms: now_ms + i64::from(ttl_seconds) * 1000,
        absorbed: 0,
    };
    sql.exec(
        "UPDATE sku SET held = ? WHERE sku = ?",
        vec![next.held.into(), sku.into()],
    )?;
    sql.exec(
        "INSERT INTO holds (id, sku, qty, state, expires_at_ms, created_at_ms) VALUES (?, ?, ?, 'open', ?, ?)",
        vec![
            hold.id.as_str().into(),
            sku.into(),
            qty.into(),
            hold.expires_at_ms.into(),
            now_ms.into(),
        ],
    )?;
    Ok(HoldOutcome::Done {
        hold: hold.public()?,
    })
}

/// Moves an open hold to `to` and its units out of `held` (into
/// `committed` for a sale). Does nothing for a hold that is no longer
/// open, which makes repeats harmless.
pub(super) fn close_hold(
    sql: &SqlStorage,
    hold: &HoldRow,
    to: HoldState,
    now_ms: i64,
) -> Result<()> {
    let changed = sql
        .exec(
            "UPDATE holds SET state = ?, committed_at_ms = ? WHERE id = ? AND state = 'open'",
            vec![
                to.as_str().into(),
                (to == HoldState::Committed).then_some(now_ms as f64).into(),
                hold.id.as_str().into(),
            ],
        )?
        .rows_written();
    if changed == 0 {
        return Ok(());
    }
    let Some(snapshot) = snapshot_of(sql, &hold.sku)? else {
        return Ok(());
    };
    let level = if to == HoldState::Committed {
        super::guards::record_sale(sql, &hold.sku, hold.qty, now_ms)?;
        snapshot.level.commit_hold(hold.qty)
    } else {
        snapshot.level.drop_hold(hold.qty)
    };
    sql.exec(
        "UPDATE sku SET held = ?, committed = ? WHERE sku = ?",
        vec![
            level.held.into(),
            level.committed.into(),
            hold.sku.as_str().into(),
        ],
    )?;
    Ok(())
}

/// Ships or cancels a committed sale; called inside `atomically`. A sale a
/// Shopify level already netted out (`absorbed`) left `committed` then,
/// and Shopify's next level carries the shipment or the restock.
fn settle_sale(sql: &SqlStorage, hold: &HoldRow, to: HoldState, now_ms: i64) -> Result<()> {
    let changed = sql
        .exec(
            "UPDATE holds SET state = ? WHERE id = ? AND state = 'committed'",
            vec![to.as_str().into(), hold.id.as_str().into()],
        )?
        .rows_written();
    if changed == 0 || hold.absorbed != 0 {
        return Ok(());
    }
    let Some(mut snapshot) = snapshot_of(sql, &hold.sku)? else {
        return Ok(());
    };
    if to == HoldState::Fulfilled {
        snapshot.ship(hold.qty);
    } else {
        snapshot.level = snapshot.level.cancel_sale(hold.qty);
    }
    sql.exec(
        "UPDATE sku SET on_hand = ?, committed = ?, locations = ?, updated_at_ms = ? WHERE sku = ?",
        vec![
            snapshot.level.on_hand.into(),
            snapshot.level.committed.into(),
            serde_json::to_string(&snapshot.locations)?.into(),
            now_ms.into(),
            hold.sku.as_str().into(),
        ],
    )?;
    Ok(())
}
