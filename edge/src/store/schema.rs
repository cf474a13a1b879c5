//! The store's tables, created with the merchant and upgraded in place.

use worker::Result;

use super::{Store, any_row};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS merchant (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    shopify_secrets TEXT NOT NULL DEFAULT '[]',
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    prefix TEXT NOT NULL,
    last4 TEXT NOT NULL,
    name TEXT,
    created_at_ms INTEGER NOT NULL,
    last_used_ms INTEGER,
    expires_at_ms INTEGER
);
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
    created_at_ms INTEGER NOT NULL,
    committed_at_ms INTEGER,
    absorbed INTEGER NOT NULL DEFAULT 0
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
CREATE INDEX IF NOT EXISTS subscriptions_by_email ON subscriptions (email);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until_ms INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    failed_in_a_row INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_at_ms INTEGER NOT NULL,
    next_at_ms INTEGER NOT NULL,
    leased_until_ms INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_at_ms INTEGER,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_pending ON webhook_deliveries (next_at_ms) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, first_at_ms);
CREATE TABLE IF NOT EXISTS emails (
    id TEXT PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    sku TEXT,
    locale TEXT,
    vars TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_at_ms INTEGER NOT NULL,
    next_at_ms INTEGER NOT NULL,
    leased_until_ms INTEGER NOT NULL DEFAULT 0,
    sent_at_ms INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS emails_pending ON emails (next_at_ms) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS emails_by_address ON emails (email, sent_at_ms);
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    open INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'awaiting_shipment',
    record TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_open ON orders (created_at_ms) WHERE open = 1;
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status);
CREATE TABLE IF NOT EXISTS order_lines (
    order_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    open INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS order_lines_open_by_sku ON order_lines (sku, created_at_ms) WHERE open = 1;
CREATE INDEX IF NOT EXISTS order_lines_by_order ON order_lines (order_id);
CREATE TABLE IF NOT EXISTS sales_rate (
    sku TEXT PRIMARY KEY,
    weight REAL NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS guard_state (
    rule TEXT NOT NULL,
    sku TEXT NOT NULL,
    level TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    told_expired INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule, sku)
);
CREATE TABLE IF NOT EXISTS suppressions (
    address_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
";

/// Columns added after a table first shipped: stores created before gain
/// them here; adding one twice fails harmlessly.
const ADDED_COLUMNS: [(&str, &str); 14] = [
    ("sku", "policy TEXT NOT NULL DEFAULT 'deny'"),
    ("sku", "locations TEXT NOT NULL DEFAULT '[]'"),
    ("sku", "inbound TEXT NOT NULL DEFAULT '[]'"),
    ("sku", "preorder_release TEXT"),
    ("sku", "version INTEGER"),
    ("sku", "levels_set_at_ms INTEGER"),
    ("holds", "committed_at_ms INTEGER"),
    ("holds", "absorbed INTEGER NOT NULL DEFAULT 0"),
    ("webhook_endpoints", "previous_secret TEXT"),
    ("webhook_endpoints", "previous_until_ms INTEGER"),
    ("subscriptions", "product_name TEXT"),
    ("subscriptions", "page_url TEXT"),
    ("shipments", "ordered_ms INTEGER"),
    ("shipments", "promise_curve TEXT"),
];

impl Store {
    /// Creates or upgrades the tables.
    pub(super) fn ensure_schema(&self) -> Result<()> {
        self.sql.exec(SCHEMA, None)?;
        for (table, column) in ADDED_COLUMNS {
            let _ = self
                .sql
                .exec(&format!("ALTER TABLE {table} ADD COLUMN {column}"), None);
        }
        Ok(())
    }

    /// Whether the operator created this store's merchant. Reads only, so
    /// asking a store that was never created leaves no trace; the first
    /// `true` also upgrades the schema of a store made by an older build.
    pub(super) fn merchant_exists(&self) -> Result<bool> {
        if self.exists.get() {
            return Ok(true);
        }
        let exists = any_row(
            &self.sql,
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'merchant'",
            Vec::new(),
        )? && any_row(&self.sql, "SELECT 1 FROM merchant", Vec::new())?;
        if exists {
            self.ensure_schema()?;
            self.exists.set(true);
        }
        Ok(exists)
    }
}
