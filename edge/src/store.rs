//! The `Store` Durable Object: one per merchant, holding its stock in
//! SQLite. The Worker talks to it with `StoreCommand`s posted as JSON.
//!
//! Every command runs its SQL without an `await` in between, so the
//! runtime commits it atomically and no other request interleaves.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use upfront_shared::answer::StockSnapshot;
use upfront_shared::api::{InventoryItem, UpsertResult};
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::hold::{Hold, HoldState, holds_to_release};
use upfront_shared::ingest::{MAX_QUANTITY, apply};
use upfront_shared::promise::config::DeliveryConfig;
use upfront_shared::promise::shipments::{
    RecordResult, ShipmentEvent, ShipmentTally, postal_prefix,
};
use upfront_shared::push::StockUpdate;
use upfront_shared::shopify::{self, WebhookOutcome, WebhookResult};
use upfront_shared::stock::{OutOfStockPolicy, SkuPolicy, Stock, StockLevel};
use upfront_shared::subscription::can_wait_for;
use worker::{
    DurableObject, Env, Error, Method, Request, RequestInit, Response, Result, ScheduledTime,
    SqlStorage, SqlStorageValue, State, Storage, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object,
};

use worker::js_sys::{Function, Reflect};
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::{JsCast, JsValue};

use crate::auth::{DEMO_MERCHANT, demo_store_enabled};
use crate::demo;
use crate::idempotency::{Keyed, Once, once};
use crate::stream::{CLIENT_HEADER, MERCHANT_HEADER, STORE_STREAM_PATH};

/// Live sockets one client address may hold: a shopper's tabs, or a small
/// office behind one address. Past it the handshake gets 429.
const SOCKETS_PER_CLIENT: usize = 32;
/// Live sockets one store holds at most (hibernated sockets cost no CPU,
/// but each push walks them all).
const SOCKETS_PER_MERCHANT: usize = 20_000;
/// A refused socket's `Retry-After`: about the widget's own backoff.
const SOCKET_RETRY_AFTER_SECONDS: u32 = 30;

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
        keyed: Option<Keyed>,
    },
    CreateHold {
        merchant: String,
        sku: String,
        qty: i64,
        ttl_seconds: u32,
        now_ms: i64,
        keyed: Option<Keyed>,
    },
    CommitHold {
        merchant: String,
        id: String,
        now_ms: i64,
    },
    ReleaseHold {
        merchant: String,
        id: String,
        now_ms: i64,
    },
    /// Replaces the delivery configuration (already validated).
    PutDeliveryConfig {
        merchant: String,
        config: DeliveryConfig,
    },
    GetDeliveryConfig {
        merchant: String,
    },
    /// Inserts or updates shipments by id (already validated).
    RecordShipments {
        merchant: String,
        items: Vec<ShipmentEvent>,
    },
    /// Shipments handed off on or after `since_day` (UTC days since 1970),
    /// counted by route, handoff day and outcome.
    ShipmentTallies {
        merchant: String,
        since_day: i64,
    },
    /// A back-in-stock subscription (already validated).
    Subscribe {
        merchant: String,
        sku: String,
        email: String,
        locale: Option<String>,
        now_ms: i64,
    },
    /// One Shopify inventory level (signature already verified).
    ShopifyLevel {
        merchant: String,
        event_id: String,
        inventory_item_id: String,
        location_id: String,
        available: i64,
        version_ms: i64,
        now_ms: i64,
    },
}

impl StoreCommand {
    fn merchant(&self) -> &str {
        match self {
            Self::Read { merchant, .. }
            | Self::Upsert { merchant, .. }
            | Self::CreateHold { merchant, .. }
            | Self::CommitHold { merchant, .. }
            | Self::ReleaseHold { merchant, .. }
            | Self::PutDeliveryConfig { merchant, .. }
            | Self::GetDeliveryConfig { merchant }
            | Self::RecordShipments { merchant, .. }
            | Self::ShipmentTallies { merchant, .. }
            | Self::Subscribe { merchant, .. }
            | Self::ShopifyLevel { merchant, .. } => merchant,
        }
    }
}

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

/// A hold's row as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct HoldRow {
    id: String,
    sku: String,
    qty: i64,
    state: String,
    expires_at_ms: i64,
}

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
            expires_at: Timestamp::from_millisecond(self.expires_at_ms)
                .map_err(|e| worker::Error::RustError(e.to_string()))?,
        })
    }
}

/// The store's answer to a subscription.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SubscribeOutcome {
    Created,
    AlreadySubscribed,
    UnknownSku,
    /// The SKU can be bought now, or never again: nothing to wait for.
    Refused {
        code: ErrorCode,
    },
}

/// The store's answer to a hold command.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HoldOutcome {
    Done { hold: Hold },
    UnknownSku,
    UnknownHold,
    Insufficient { available: i64 },
    NotOpen { hold: Hold },
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

#[durable_object]
pub struct Store {
    state: State,
    sql: SqlStorage,
    storage: Storage,
    env: Env,
    initialized: Cell<bool>,
}

impl DurableObject for Store {
    fn new(state: State, env: Env) -> Self {
        let storage = state.storage();
        Self {
            sql: storage.sql(),
            storage,
            state,
            env,
            initialized: Cell::new(false),
        }
    }

    /// Expires every open hold past its time, then waits for the next one.
    /// Idempotent: a hold changes state only from `open`, so a second
    /// firing finds nothing to do.
    async fn alarm(&self) -> Result<Response> {
        self.ensure_schema()?;
        let now_ms = worker::Date::now().as_millis() as i64;
        let due: Vec<HoldRow> = self
            .sql
            .exec(
                "SELECT id, sku, qty, state, expires_at_ms FROM holds WHERE state = 'open' AND expires_at_ms <= ?",
                vec![now_ms.into()],
            )?
            .to_array()?;
        for hold in &due {
            close_hold(&self.sql, hold, HoldState::Expired)?;
        }
        self.push(due.iter().map(|h| h.sku.clone()).collect())?;
        self.schedule_next_expiry().await?;
        Response::ok("expired")
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.path() == STORE_STREAM_PATH {
            return self.subscribe(&req);
        }
        let command: StoreCommand = req.json().await?;
        self.ensure_initialized(command.merchant())?;
        let changed = self.skus_touched_by(&command)?;
        let response = self.run(command).await?;
        self.push(changed)?;
        Ok(response)
    }

    /// The stream is one-way: a subscriber that sends anything is closed
    /// (1008, policy violation), so no client can make the store work.
    async fn websocket_message(
        &self,
        ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let _ = ws.close(Some(1008), Some("this stream is one-way: send nothing"));
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        // Complete the closing handshake; 1005/1006 may not be sent back.
        let code = u16::try_from(code)
            .ok()
            .filter(|c| (1000..=4999).contains(c) && *c != 1005 && *c != 1006);
        let _ = ws.close(code.or(Some(1000)), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: Error) -> Result<()> {
        Ok(())
    }
}

impl Store {
    /// The SKUs whose stock `command` may change, for live push.
    fn skus_touched_by(&self, command: &StoreCommand) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Sku {
            sku: String,
        }
        let lookup = |query: &str, id: &str| -> Result<Vec<String>> {
            Ok(self
                .sql
                .exec(query, vec![id.into()])?
                .to_array::<Sku>()?
                .into_iter()
                .map(|row| row.sku)
                .collect())
        };
        match command {
            StoreCommand::Upsert { items, .. } => Ok(items.iter().map(|i| i.sku.clone()).collect()),
            StoreCommand::CreateHold { sku, .. } => Ok(vec![sku.clone()]),
            StoreCommand::ReleaseHold { id, .. } | StoreCommand::CommitHold { id, .. } => {
                lookup("SELECT sku FROM holds WHERE id = ?", id)
            }
            StoreCommand::ShopifyLevel {
                inventory_item_id, ..
            } => lookup(
                "SELECT sku FROM shopify_items WHERE item_id = ?",
                inventory_item_id,
            ),
            _ => Ok(Vec::new()),
        }
    }

    /// Accepts a subscriber's WebSocket (hibernatable) and sends it the
    /// current state of each SKU it follows.
    fn subscribe(&self, req: &Request) -> Result<Response> {
        let merchant = req.headers().get(MERCHANT_HEADER)?.unwrap_or_default();
        self.ensure_initialized(&merchant)?;
        let skus: Vec<String> = req
            .url()?
            .query_pairs()
            .find(|(name, _)| name == "skus")
            .map(|(_, value)| value.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let client = req.headers().get(CLIENT_HEADER)?.unwrap_or_default();
        // Over a cap the handshake is refused with 429 `rate_limited` (a
        // socket accepted and closed at once never showed its close code to
        // clients), so the widget's backoff retries later.
        let full = if self.state.get_websockets_with_tag(&client).len() >= SOCKETS_PER_CLIENT {
            Some("too many live connections from this address")
        } else if self.state.get_websockets().len() >= SOCKETS_PER_MERCHANT {
            Some("too many live connections to this store")
        } else {
            None
        };
        if let Some(reason) = full {
            let refused = Response::from_json(&ErrorBody::new(ErrorCode::RateLimited, reason))?
                .with_status(429);
            refused
                .headers()
                .set("Retry-After", &SOCKET_RETRY_AFTER_SECONDS.to_string())?;
            return Ok(refused);
        }
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[&client]);
        pair.server.serialize_attachment(&skus)?;
        let now = now_timestamp()?;
        for record in self.read(&skus)? {
            pair.server
                .send_with_str(serde_json::to_string(&StockUpdate::of(
                    &record.snapshot()?,
                    now,
                ))?)?;
        }
        Response::from_websocket(pair.client)
    }

    /// Sends the new state of `skus` to every subscriber following them.
    /// A subscriber that cannot be written to is left for its close event.
    fn push(&self, mut skus: Vec<String>) -> Result<()> {
        if skus.is_empty() {
            return Ok(());
        }
        let sockets = self.state.get_websockets();
        if sockets.is_empty() {
            return Ok(());
        }
        skus.sort();
        skus.dedup();
        let now = now_timestamp()?;
        let mut messages = std::collections::HashMap::new();
        for record in self.read(&skus)? {
            let update = StockUpdate::of(&record.snapshot()?, now);
            messages.insert(update.sku.clone(), serde_json::to_string(&update)?);
        }
        for socket in sockets {
            let followed: Vec<String> = socket.deserialize_attachment()?.unwrap_or_default();
            for sku in followed {
                if let Some(message) = messages.get(&sku) {
                    let _ = socket.send_with_str(message);
                }
            }
        }
        Ok(())
    }

    async fn run(&self, command: StoreCommand) -> Result<Response> {
        match command {
            StoreCommand::Read { skus, .. } => Response::from_json(&self.read(&skus)?),
            StoreCommand::Upsert {
                items,
                now_ms,
                keyed,
                ..
            } => Response::from_json(&self.upsert(items, now_ms, keyed)?),
            StoreCommand::CreateHold {
                sku,
                qty,
                ttl_seconds,
                now_ms,
                keyed,
                ..
            } => {
                let once = once(&self.sql, keyed.as_ref(), now_ms, || {
                    self.create_hold(&sku, qty, ttl_seconds, now_ms)
                })?;
                if let Once::Fresh {
                    answer: HoldOutcome::Done { .. },
                } = &once
                {
                    self.schedule_next_expiry().await?;
                }
                Response::from_json(&once)
            }
            StoreCommand::CommitHold { id, now_ms, .. } => {
                Response::from_json(&self.finish_hold(&id, HoldState::Committed, now_ms)?)
            }
            StoreCommand::ReleaseHold { id, now_ms, .. } => {
                Response::from_json(&self.finish_hold(&id, HoldState::Released, now_ms)?)
            }
            StoreCommand::PutDeliveryConfig { config, .. } => {
                self.put_delivery_config(&config)?;
                Response::from_json(&config)
            }
            StoreCommand::GetDeliveryConfig { .. } => Response::from_json(&self.delivery_config()?),
            StoreCommand::RecordShipments { items, .. } => {
                Response::from_json(&self.record_shipments(items)?)
            }
            StoreCommand::ShipmentTallies { since_day, .. } => {
                Response::from_json(&self.shipment_tallies(since_day)?)
            }
            StoreCommand::Subscribe {
                sku,
                email,
                locale,
                now_ms,
                ..
            } => Response::from_json(&self.subscribe_back_in_stock(&sku, &email, locale, now_ms)?),
            StoreCommand::ShopifyLevel {
                event_id,
                inventory_item_id,
                location_id,
                available,
                version_ms,
                now_ms,
                ..
            } => {
                let warehouse = self
                    .delivery_config()?
                    .and_then(|c| {
                        c.warehouses
                            .into_iter()
                            .find(|w| w.shopify_location_id.as_deref() == Some(&location_id))
                    })
                    .map(|w| w.id)
                    .unwrap_or_else(|| {
                        shopify::default_warehouse(location_id.parse().unwrap_or_default())
                    });
                let level = ShopifyLevel {
                    event_id,
                    inventory_item_id,
                    warehouse,
                    available: available.clamp(0, MAX_QUANTITY),
                    version_ms,
                };
                let sql = self.sql.clone();
                let result = self.atomically(move || apply_shopify_level(&sql, &level, now_ms))?;
                Response::from_json(&result)
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
    policy TEXT NOT NULL DEFAULT 'deny',
    updated_at_ms INTEGER NOT NULL,
    locations TEXT NOT NULL DEFAULT '[]',
    inbound TEXT NOT NULL DEFAULT '[]',
    levels_set_at_ms INTEGER,
    preorder_release TEXT,
    version INTEGER
);
CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL,
    state TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS holds_open_by_expiry ON holds (expires_at_ms) WHERE state = 'open';
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_at_ms);
CREATE TABLE IF NOT EXISTS shopify_items (item_id TEXT PRIMARY KEY, sku TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shopify_items_by_sku ON shopify_items (sku);
CREATE TABLE IF NOT EXISTS webhook_events (id TEXT PRIMARY KEY, received_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_events_by_age ON webhook_events (received_at_ms);
CREATE TABLE IF NOT EXISTS shipments (
    id TEXT PRIMARY KEY,
    warehouse TEXT NOT NULL,
    method TEXT NOT NULL,
    country TEXT NOT NULL,
    postal_prefix TEXT NOT NULL,
    handed_off_ms INTEGER NOT NULL,
    delivered_ms INTEGER
);
CREATE INDEX IF NOT EXISTS shipments_by_handoff ON shipments (handed_off_ms);
CREATE TABLE IF NOT EXISTS subscriptions (
    sku TEXT NOT NULL,
    email TEXT NOT NULL,
    locale TEXT,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (sku, email)
);
";

impl Store {
    /// Creates the schema once per instance, and seeds the demo store the
    /// first time it is ever opened.
    fn ensure_initialized(&self, merchant: &str) -> Result<()> {
        if self.initialized.get() {
            return Ok(());
        }
        self.ensure_schema()?;
        let seeded = self
            .sql
            .exec("SELECT value FROM meta WHERE key = 'seeded'", None)?
            .to_array::<serde_json::Value>()?;
        if seeded.is_empty() && merchant == DEMO_MERCHANT && demo_store_enabled(&self.env) {
            let now_ms = worker::Date::now().as_millis() as i64;
            let today = Timestamp::from_millisecond(now_ms)
                .map_err(|e| Error::RustError(e.to_string()))?
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            self.upsert(demo::inventory(today), now_ms, None)?;
            self.sql.exec(
                "INSERT INTO meta (key, value) VALUES ('seeded', 'demo')",
                None,
            )?;
        }
        // Demo stores seeded before delivery promises existed get them too.
        if merchant == DEMO_MERCHANT
            && demo_store_enabled(&self.env)
            && self.delivery_config()?.is_none()
        {
            self.put_delivery_config(&demo::delivery_config())?;
        }
        self.initialized.set(true);
        Ok(())
    }

    /// All items or none, like inventory writes.
    fn record_shipments(&self, items: Vec<ShipmentEvent>) -> Result<RecordResult> {
        let sql = self.sql.clone();
        self.atomically(move || {
            for e in &items {
                let postal = e.postal_code.as_deref().map(postal_prefix).unwrap_or_default();
                sql.exec(
                    "INSERT INTO shipments (id, warehouse, method, country, postal_prefix, handed_off_ms, delivered_ms) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (id) DO UPDATE SET warehouse = excluded.warehouse, method = excluded.method, \
                     country = excluded.country, postal_prefix = excluded.postal_prefix, \
                     handed_off_ms = excluded.handed_off_ms, delivered_ms = excluded.delivered_ms",
                    vec![
                        e.shipment_id.clone().into(),
                        e.warehouse.clone().into(),
                        e.method.clone().into(),
                        e.country.clone().into(),
                        postal.into(),
                        (e.handed_off_at.as_millisecond() as f64).into(),
                        e.delivered_at.map(|d| d.as_millisecond() as f64).into(),
                    ],
                )?;
            }
            Ok(RecordResult { recorded: items.len() })
        })
    }

    fn shipment_tallies(&self, since_day: i64) -> Result<Vec<ShipmentTally>> {
        let since_ms = (since_day * 86_400_000) as f64;
        self.sql
            .exec(
                "SELECT warehouse, method, country, postal_prefix, \
                        handed_off_ms / 86400000 AS handed_off_day, \
                        delivered_ms / 86400000 - handed_off_ms / 86400000 AS days, \
                        COUNT(*) AS count \
                 FROM shipments WHERE handed_off_ms >= ? \
                 GROUP BY 1, 2, 3, 4, 5, 6",
                vec![since_ms.into()],
            )?
            .to_array()
    }

    fn put_delivery_config(&self, config: &DeliveryConfig) -> Result<()> {
        let json = serde_json::to_string(config).map_err(|e| Error::RustError(e.to_string()))?;
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES ('delivery_config', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![json.into()],
        )?;
        Ok(())
    }

    fn delivery_config(&self) -> Result<Option<DeliveryConfig>> {
        #[derive(Deserialize)]
        struct Row {
            value: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = 'delivery_config'", None)?
            .to_array()?;
        rows.first()
            .map(|row| {
                serde_json::from_str(&row.value).map_err(|e| Error::RustError(e.to_string()))
            })
            .transpose()
    }

    /// Creates or upgrades the tables. Stores created before a column
    /// existed gain it here; adding one twice fails harmlessly.
    fn ensure_schema(&self) -> Result<()> {
        self.sql.exec(SCHEMA, None)?;
        for column in [
            "policy TEXT NOT NULL DEFAULT 'deny'",
            "locations TEXT NOT NULL DEFAULT '[]'",
            "inbound TEXT NOT NULL DEFAULT '[]'",
            "preorder_release TEXT",
            "version INTEGER",
            "levels_set_at_ms INTEGER",
        ] {
            let _ = self
                .sql
                .exec(&format!("ALTER TABLE sku ADD COLUMN {column}"), None);
        }
        Ok(())
    }

    /// Decides with the shared rules and writes the result, all without an
    /// `await`: no other request can run between the read and the write,
    /// so concurrent holds can never oversell a `deny` SKU.
    fn create_hold(
        &self,
        sku: &str,
        qty: i64,
        ttl_seconds: u32,
        now_ms: i64,
    ) -> Result<HoldOutcome> {
        let Some(record) = self.read(&[sku.to_string()])?.into_iter().next() else {
            return Ok(HoldOutcome::UnknownSku);
        };
        let snapshot = record.snapshot()?;
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
            id: format!("hold_{}", self.random_hex()?),
            sku: sku.to_string(),
            qty,
            state: HoldState::Open.as_str().to_string(),
            expires_at_ms: now_ms + i64::from(ttl_seconds) * 1000,
        };
        self.sql.exec(
            "UPDATE sku SET held = ? WHERE sku = ?",
            vec![next.held.into(), sku.into()],
        )?;
        self.sql.exec(
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

    /// Commits or releases an open hold. A hold past its expiry is expired
    /// here and now, even if the alarm has not fired yet.
    /// Stores `email` for `sku` once. Read first, then insert: a unique
    /// index would count as a written row even when nothing changed.
    fn subscribe_back_in_stock(
        &self,
        sku: &str,
        email: &str,
        locale: Option<String>,
        now_ms: i64,
    ) -> Result<SubscribeOutcome> {
        let Some(record) = self.read(&[sku.to_owned()])?.into_iter().next() else {
            return Ok(SubscribeOutcome::UnknownSku);
        };
        let now = timestamp(now_ms)?;
        if let Err(code) = can_wait_for(StockUpdate::of(&record.snapshot()?, now).status) {
            return Ok(SubscribeOutcome::Refused { code });
        }
        if any_row(
            &self.sql,
            "SELECT 1 FROM subscriptions WHERE sku = ? AND email = ?",
            vec![sku.into(), email.into()],
        )? {
            return Ok(SubscribeOutcome::AlreadySubscribed);
        }
        self.sql.exec(
            "INSERT INTO subscriptions (sku, email, locale, created_at_ms) VALUES (?, ?, ?, ?)",
            vec![sku.into(), email.into(), locale.into(), now_ms.into()],
        )?;
        Ok(SubscribeOutcome::Created)
    }

    fn finish_hold(&self, id: &str, to: HoldState, now_ms: i64) -> Result<HoldOutcome> {
        let rows: Vec<HoldRow> = self
            .sql
            .exec(
                "SELECT id, sku, qty, state, expires_at_ms FROM holds WHERE id = ?",
                vec![id.into()],
            )?
            .to_array()?;
        let Some(mut hold) = rows.into_iter().next() else {
            return Ok(HoldOutcome::UnknownHold);
        };
        if hold.state() == HoldState::Open && hold.expires_at_ms <= now_ms {
            close_hold(&self.sql, &hold, HoldState::Expired)?;
            hold.state = HoldState::Expired.as_str().to_string();
        }
        if hold.state() != HoldState::Open {
            return Ok(HoldOutcome::NotOpen {
                hold: hold.public()?,
            });
        }
        close_hold(&self.sql, &hold, to)?;
        hold.state = to.as_str().to_string();
        Ok(HoldOutcome::Done {
            hold: hold.public()?,
        })
    }

    async fn schedule_next_expiry(&self) -> Result<()> {
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
        if let Some(at_ms) = next.next {
            let current = self.storage.get_alarm().await?;
            if current.is_none_or(|c| c > at_ms) {
                // An integer would be an offset from now: pass the instant.
                let at = worker::js_sys::Date::new(&(at_ms as f64).into());
                self.storage.set_alarm(ScheduledTime::new(at)).await?;
            }
        }
        Ok(())
    }

    /// 96 random bits from SQLite's CSPRNG, as hex: unguessable hold ids.
    fn random_hex(&self) -> Result<String> {
        #[derive(Deserialize)]
        struct Random {
            id: String,
        }
        let random: Random = self
            .sql
            .exec("SELECT lower(hex(randomblob(12))) AS id", None)?
            .one()?;
        Ok(random.id)
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

    /// Writes every item or, on any error, none. Statements with no `await`
    /// between them are never interleaved, but only `transactionSync` rolls
    /// back the ones before a failing statement.
    fn upsert(
        &self,
        items: Vec<InventoryItem>,
        now_ms: i64,
        keyed: Option<Keyed>,
    ) -> Result<Once<UpsertResult>> {
        let sql = self.sql.clone();
        self.atomically(move || {
            once(&sql, keyed.as_ref(), now_ms, || {
                write_items(&sql, &items, now_ms)
            })
        })
    }

    /// Runs `body` inside the storage's `transactionSync`, which workers-rs
    /// does not wrap: an `Err` from `body` rolls back everything it wrote.
    fn atomically<T: 'static>(&self, body: impl FnOnce() -> Result<T> + 'static) -> Result<T> {
        let storage: &JsValue = self.storage.as_raw().as_ref();
        let transaction: Function = Reflect::get(storage, &JsValue::from_str("transactionSync"))?
            .dyn_into()
            .map_err(|_| worker::Error::RustError("no transactionSync".into()))?;
        let outcome: Rc<RefCell<Option<Result<T>>>> = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&outcome);
        let callback = Closure::once_into_js(move || -> std::result::Result<(), JsValue> {
            let result = body();
            let failed = result.is_err();
            *slot.borrow_mut() = Some(result);
            // Throwing is what makes transactionSync roll back.
            if failed {
                Err(JsValue::from_str("rolled back"))
            } else {
                Ok(())
            }
        });
        let thrown = transaction.call1(storage, &callback).err();
        let result = outcome.borrow_mut().take();
        match (result, thrown) {
            (Some(result), _) => result,
            (None, thrown) => Err(worker::Error::RustError(format!(
                "transaction failed: {thrown:?}"
            ))),
        }
    }
}

/// Whether `query` finds at least one row (for "ask before inserting").
fn any_row(sql: &SqlStorage, query: &str, params: Vec<SqlStorageValue>) -> Result<bool> {
    Ok(sql.exec(query, params)?.raw().next().is_some())
}

/// Moves an open hold to `to` and its units out of `held`. Does nothing
/// for a hold that is no longer open, which makes repeats harmless.
fn close_hold(sql: &SqlStorage, hold: &HoldRow, to: HoldState) -> Result<()> {
    let changed = sql
        .exec(
            "UPDATE holds SET state = ? WHERE id = ? AND state = 'open'",
            vec![to.as_str().into(), hold.id.as_str().into()],
        )?
        .rows_written();
    if changed > 0 {
        let committed = if to == HoldState::Committed {
            hold.qty
        } else {
            0
        };
        sql.exec(
            "UPDATE sku SET held = held - ?, committed = committed + ? WHERE sku = ?",
            vec![hold.qty.into(), committed.into(), hold.sku.as_str().into()],
        )?;
    }
    Ok(())
}

/// Writes `next` over the SKU's row (held and committed stay as stored),
/// then releases the newest holds a `deny` SKU can no longer cover.
fn store_snapshot(sql: &SqlStorage, next: &StockSnapshot, now_ms: i64) -> Result<()> {
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
/// inside `Store::atomically`. Holds and paid units are never overwritten.
fn write_items(sql: &SqlStorage, items: &[InventoryItem], now_ms: i64) -> Result<UpsertResult> {
    let now = timestamp(now_ms)?;
    let mut stale = Vec::new();
    for item in items {
        let current = sql
            .exec(
                "SELECT * FROM sku WHERE sku = ?",
                vec![item.sku.as_str().into()],
            )?
            .to_array::<SkuRecord>()?
            .into_iter()
            .next()
            .map(SkuRecord::snapshot)
            .transpose()?;
        let Some(next) = apply(current.as_ref(), item, now) else {
            stale.push(item.sku.clone());
            continue;
        };
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
            "SELECT id, sku, qty, state, expires_at_ms FROM holds \
             WHERE sku = ? AND state = 'open' ORDER BY created_at_ms DESC, rowid DESC",
            vec![sku.into()],
        )?
        .to_array()?;
    let qtys: Vec<i64> = open.iter().map(|h| h.qty).collect();
    for hold in &open[..holds_to_release(level, &qtys)] {
        close_hold(sql, hold, HoldState::Released)?;
    }
    Ok(())
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

/// A verified Shopify level, its location already mapped to a warehouse.
struct ShopifyLevel {
    event_id: String,
    inventory_item_id: String,
    warehouse: String,
    available: i64,
    version_ms: i64,
}

/// Shopify retries for up to 48 hours; event ids are kept a week.
const WEBHOOK_EVENT_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

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
    let stored = sql
        .exec("SELECT * FROM sku WHERE sku = ?", vec![sku.as_str().into()])?
        .to_array::<SkuRecord>()?
        .into_iter()
        .next()
        .map(SkuRecord::snapshot)
        .transpose()?;
    let Some(stored) = stored else {
        return Ok(result(WebhookOutcome::UnknownItem, None));
    };
    let now = timestamp(now_ms)?;
    let Some(next) = shopify::land(
        &stored,
        &level.warehouse,
        level.available,
        level.version_ms,
        now,
    ) else {
        return Ok(result(WebhookOutcome::Stale, Some(&sku)));
    };
    store_snapshot(sql, &next, now_ms)?;
    Ok(result(WebhookOutcome::Applied, Some(&sku)))
}

fn now_timestamp() -> Result<Timestamp> {
    timestamp(worker::Date::now().as_millis() as i64)
}

/// The instant `ms` milliseconds after 1970, as commands carry it.
fn timestamp(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| Error::RustError(e.to_string()))
}
