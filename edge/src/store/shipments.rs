//! Shipment records (what the transit model learns from) and the delivery
//! configuration behind every promise.

use std::collections::HashMap;
use upfront_shared::promise::config::{DeliveryConfig, merchant_zone};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use upfront_shared::promise::shipments::{
    RecordResult, RecordedShipment, ShipmentEvent, ShipmentTally, postal_prefix, tally,
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

    /// Shipments handed off since `since_day`, tallied in days of each
    /// warehouse's calendar (the primary warehouse's for one the
    /// configuration no longer has; UTC without a configuration).
    pub(super) fn shipment_tallies(&self, since_day: i64) -> Result<Vec<ShipmentTally>> {
        #[derive(Deserialize)]
        struct Row {
            warehouse: String,
            method: String,
            country: String,
            postal_prefix: String,
            handed_off_ms: f64,
            delivered_ms: Option<f64>,
        }
        // A day early: a local day may begin up to 14 hours before UTC's.
        let since_ms = ((since_day - 1) * 86_400_000) as f64;
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT warehouse, method, country, postal_prefix, handed_off_ms, delivered_ms \
                 FROM shipments WHERE handed_off_ms >= ?",
                vec![since_ms.into()],
            )?
            .to_array()?;
        let config = self.compiled_config()?;
        let zones: HashMap<&str, &TimeZone> = config
            .iter()
            .flat_map(|c| c.warehouses.iter().map(|w| (w.id.as_str(), &w.zone)))
            .collect();
        let primary = merchant_zone(config.as_ref());
        let instant = |ms: f64| {
            Timestamp::from_millisecond(ms as i64).map_err(|e| Error::RustError(e.to_string()))
        };
        let shipments = rows
            .into_iter()
            .map(|r| {
                Ok(RecordedShipment {
                    handed_off_at: instant(r.handed_off_ms)?,
                    delivered_at: r.delivered_ms.map(instant).transpose()?,
                    warehouse: r.warehouse,
                    method: r.method,
                    country: r.country,
                    postal_prefix: r.postal_prefix,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(tally(shipments, since_day, |warehouse| {
            zones.get(warehouse).copied().unwrap_or(&primary)
        }))
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
