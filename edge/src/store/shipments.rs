//! Shipment records (what the transit model learns from) and the delivery
//! configuration behind every promise.

use upfront_shared::promise::config::DeliveryConfig;
use upfront_shared::promise::shipments::{
    RecordResult, ShipmentEvent, ShipmentTally, postal_prefix,
};
use worker::{Error, Result};

use super::Store;

impl Store {
    /// All items or none, like inventory writes.
    pub(super) fn record_shipments(&self, items: Vec<ShipmentEvent>) -> Result<RecordResult> {
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

    pub(super) fn shipment_tallies(&self, since_day: i64) -> Result<Vec<ShipmentTally>> {
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

    pub(super) fn put_delivery_config(&self, config: &DeliveryConfig) -> Result<()> {
        let json = serde_json::to_string(config).map_err(|e| Error::RustError(e.to_string()))?;
        self.set_meta("delivery_config", &json)
    }

    pub(super) fn delivery_config(&self) -> Result<Option<DeliveryConfig>> {
        self.meta("delivery_config")?
            .map(|json| serde_json::from_str(&json).map_err(|e| Error::RustError(e.to_string())))
            .transpose()
    }
}
