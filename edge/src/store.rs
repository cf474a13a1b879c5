//! The `Store` Durable Object: one per merchant, holding its stock in
//! SQLite. The Worker talks to it with `StoreCommand`s posted as JSON.
//!
//! Every command runs its SQL without an `await` in between, so the
//! runtime commits it atomically and no other request interleaves.

use std::cell::Cell;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use upfront_shared::answer::StockSnapshot;
use upfront_shared::api::{InventoryItem, UpsertResult};
use upfront_shared::stock::{SkuPolicy, StockLevel};
use worker::{
    DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorage, State,
    durable_object,
};

use crate::auth::{DEMO_MERCHANT, demo_store_enabled};
use crate::demo;

/// What the Worker asks of a merchant's store.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StoreCommand {
    Read {
        merchant: String,
        skus: Vec<String>,
    },
    Upsert {
        merchant: String,
        items: Vec<InventoryItem>,
        now_ms: i64,
    },
}

impl StoreCommand {
    fn merchant(&self) -> &str {
        match self {
            Self::Read { merchant, .. } | Self::Upsert { merchant, .. } => merchant,
        }
    }
}

/// One SKU's row as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkuRecord {
    pub sku: String,
    pub on_hand: i64,
    pub held: i64,
    pub committed: i64,
    pub low_stock_threshold: i64,
    pub discontinued: i64,
    pub updated_at_ms: i64,
}

impl SkuRecord {
    pub fn snapshot(self) -> Result<StockSnapshot> {
        Ok(StockSnapshot {
            level: StockLevel {
                on_hand: self.on_hand,
                held: self.held,
                committed: self.committed,
            },
            policy: SkuPolicy {
                low_stock_threshold: self.low_stock_threshold,
                discontinued: self.discontinued != 0,
            },
            updated_at: Timestamp::from_millisecond(self.updated_at_ms)
                .map_err(|e| worker::Error::RustError(e.to_string()))?,
            sku: self.sku,
        })
    }
}

#[durable_object]
pub struct Store {
    sql: SqlStorage,
    env: Env,
    initialized: Cell<bool>,
}

impl DurableObject for Store {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        Self {
            sql,
            env,
            initialized: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: StoreCommand = req.json().await?;
        self.ensure_initialized(command.merchant())?;
        match command {
            StoreCommand::Read { skus, .. } => Response::from_json(&self.read(&skus)?),
            StoreCommand::Upsert { items, now_ms, .. } => {
                Response::from_json(&self.upsert(&items, now_ms)?)
            }
        }
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sku (
    sku TEXT PRIMARY KEY,
    on_hand INTEGER NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    committed INTEGER NOT NULL DEFAULT 0,
    low_stock_threshold INTEGER NOT NULL DEFAULT 5,
    discontinued INTEGER NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

impl Store {
    /// Creates the schema once per instance, and seeds the demo store the
    /// first time it is ever opened.
    fn ensure_initialized(&self, merchant: &str) -> Result<()> {
        if self.initialized.get() {
            return Ok(());
        }
        self.sql.exec(SCHEMA, None)?;
        let seeded = self
            .sql
            .exec("SELECT value FROM meta WHERE key = 'seeded'", None)?
            .to_array::<serde_json::Value>()?;
        if seeded.is_empty() && merchant == DEMO_MERCHANT && demo_store_enabled(&self.env) {
            self.upsert(&demo::inventory(), worker::Date::now().as_millis() as i64)?;
            self.sql.exec(
                "INSERT INTO meta (key, value) VALUES ('seeded', 'demo')",
                None,
            )?;
        }
        self.initialized.set(true);
        Ok(())
    }

    /// One query for any number of SKUs: a page of 100 costs one call.
    fn read(&self, skus: &[String]) -> Result<Vec<SkuRecord>> {
        if let [sku] = skus {
            return self
                .sql
                .exec("SELECT * FROM sku WHERE sku = ?", vec![sku.as_str().into()])?
                .to_array();
        }
        self.sql
            .exec(
                "SELECT * FROM sku WHERE sku IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(skus)?.into()],
            )?
            .to_array()
    }

    /// Writes every item or, on any error, none: the statements run with no
    /// `await` between them, so they commit as one implicit transaction.
    fn upsert(&self, items: &[InventoryItem], now_ms: i64) -> Result<UpsertResult> {
        for item in items {
            self.sql.exec(
                "INSERT INTO sku (sku, on_hand, low_stock_threshold, discontinued, updated_at_ms)
                 VALUES (?1, ?2, COALESCE(?3, 5), COALESCE(?4, 0), ?5)
                 ON CONFLICT (sku) DO UPDATE SET
                    on_hand = excluded.on_hand,
                    low_stock_threshold = COALESCE(?3, low_stock_threshold),
                    discontinued = COALESCE(?4, discontinued),
                    updated_at_ms = excluded.updated_at_ms",
                vec![
                    item.sku.as_str().into(),
                    item.on_hand.into(),
                    item.low_stock_threshold.into(),
                    item.discontinued.map(i64::from).into(),
                    now_ms.into(),
                ],
            )?;
        }
        Ok(UpsertResult {
            applied: items.len(),
        })
    }
}

/// Sends one command to the merchant's store and decodes its answer.
pub async fn call<T: for<'de> Deserialize<'de>>(env: &Env, command: &StoreCommand) -> Result<T> {
    let stub = env
        .durable_object("STORE")?
        .get_by_name(command.merchant())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let mut answer = stub
        .fetch_with_request(Request::new_with_init("https://store/", &init)?)
        .await?;
    if answer.status_code() != 200 {
        return Err(worker::Error::RustError(format!(
            "store answered {}: {}",
            answer.status_code(),
            answer.text().await.unwrap_or_default()
        )));
    }
    answer.json().await
}
