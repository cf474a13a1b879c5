//! Shipment records (what the forecast learns from), the promise curve
//! each keeps for recalibration, and the delivery configuration behind
//! every promise.

use std::collections::HashSet;
use std::rc::Rc;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use upfront_shared::promise::calibration::PromiseCurve;
use upfront_shared::promise::config::{
    Compiled, DeliveryConfig, merchant_today, merchant_zone, on_time_target,
};
use upfront_shared::promise::forecast::{
    Forecast, ForecastInputs, ForecastSettings, RecentPromise,
};
use upfront_shared::promise::shipments::{
    RecordResult, RecordedShipment, ShipmentEvent, WaitingOrder, local_day, postal_prefix, tally,
};
use worker::{Error, Result};

use super::Store;

/// The store's forecast is refit at most this often: a recorded
/// shipment's curve from a forecast minutes old is as good as a fresh one.
const FORECAST_TTL_MS: i64 = 5 * 60 * 1000;

/// Each warehouse's zone: the primary warehouse's for one the
/// configuration no longer has; UTC without a configuration.
pub(super) struct Zones {
    config: Option<Compiled>,
    primary: TimeZone,
}

impl Zones {
    fn of(&self, warehouse: &str) -> &TimeZone {
        self.config
            .as_ref()
            .and_then(|c| c.warehouses.iter().find(|w| w.id == warehouse))
            .map_or(&self.primary, |w| &w.zone)
    }
}

impl Store {
    /// All items or none, like inventory writes. A shipment reported with
    /// its order time keeps, from its first report, the curve the forecast
    /// promised for its route: how it turns out recalibrates the promise.
    pub(super) fn record_shipments(
        &self,
        items: Vec<ShipmentEvent>,
        now_ms: i64,
    ) -> Result<RecordResult> {
        // Only a first report gets a curve (a re-report keeps its own), so
        // a batch of deliveries builds no forecast.
        let ordered: Vec<&str> = items
            .iter()
            .filter(|e| e.ordered_at.is_some())
            .map(|e| e.shipment_id.as_str())
            .collect();
        #[derive(Deserialize)]
        struct Curved {
            id: String,
        }
        let curved: HashSet<String> = if ordered.is_empty() {
            HashSet::new()
        } else {
            self.sql
                .exec(
                    "SELECT id FROM shipments WHERE promise_curve IS NOT NULL \
                     AND id IN (SELECT value FROM json_each(?))",
                    vec![serde_json::to_string(&ordered)?.into()],
                )?
                .to_array::<Curved>()?
                .into_iter()
                .map(|row| row.id)
                .collect()
        };
        let needs_curve =
            |e: &ShipmentEvent| e.ordered_at.is_some() && !curved.contains(&e.shipment_id);
        let zones = self.zones()?;
        let forecast = if items.iter().any(needs_curve) {
            Some(self.store_forecast(now_ms, &zones)?)
        } else {
            None
        };
        let curves = items
            .iter()
            .map(|e| {
                let (Some(forecast), Some(ordered), true) =
                    (&forecast, e.ordered_at, needs_curve(e))
                else {
                    return Ok(None);
                };
                let ordered_on = ordered
                    .to_zoned_datetime(zones.of(&e.warehouse).clone())
                    .date();
                forecast
                    .curve(
                        &e.warehouse,
                        &e.method,
                        &e.country,
                        e.postal_code.as_deref(),
                        ordered_on,
                    )
                    .map(|c| serde_json::to_string(&c))
                    .transpose()
            })
            .collect::<serde_json::Result<Vec<Option<String>>>>()?;
        let sql = self.sql.clone();
        let result = self.atomically(move || {
            for (e, curve) in items.iter().zip(curves) {
                let postal = e.postal_code.as_deref().map(postal_prefix).unwrap_or_default();
                sql.exec(
                    "INSERT INTO shipments (id, warehouse, method, country, postal_prefix, ordered_ms, \
                     handed_off_ms, delivered_ms, promise_curve) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (id) DO UPDATE SET warehouse = excluded.warehouse, method = excluded.method, \
                     country = excluded.country, postal_prefix = excluded.postal_prefix, \
                     ordered_ms = excluded.ordered_ms, handed_off_ms = excluded.handed_off_ms, \
                     delivered_ms = excluded.delivered_ms, \
                     promise_curve = COALESCE(shipments.promise_curve, excluded.promise_curve)",
                    vec![
                        e.shipment_id.clone().into(),
                        e.warehouse.clone().into(),
                        e.method.clone().into(),
                        e.country.clone().into(),
                        postal.into(),
                        e.ordered_at.map(|t| t.as_millisecond() as f64).into(),
                        (e.handed_off_at.as_millisecond() as f64).into(),
                        e.delivered_at.map(|d| d.as_millisecond() as f64).into(),
                        curve.into(),
                    ],
                )?;
            }
            Ok(RecordResult { recorded: items.len() })
        })?;
        // The next curve comes from a forecast that knows these.
        *self.forecast.borrow_mut() = None;
        Ok(result)
    }

    /// The store's own forecast, for the curves of recorded shipments.
    fn store_forecast(&self, now_ms: i64, zones: &Zones) -> Result<Rc<Forecast>> {
        if let Some((built_ms, forecast)) = self.forecast.borrow().as_ref()
            && (0..FORECAST_TTL_MS).contains(&(now_ms - built_ms))
        {
            return Ok(Rc::clone(forecast));
        }
        let config = zones.config.as_ref();
        let now =
            Timestamp::from_millisecond(now_ms).map_err(|e| Error::RustError(e.to_string()))?;
        let today = merchant_today(config, now);
        let forecast = Rc::new(Forecast::from_inputs(
            &self.forecast_inputs(today, zones)?,
            today,
            on_time_target(config),
            &ForecastSettings::default(),
        ));
        *self.forecast.borrow_mut() = Some((now_ms, Rc::clone(&forecast)));
        Ok(forecast)
    }

    /// Each warehouse's zone, from the configuration in force.
    pub(super) fn zones(&self) -> Result<Zones> {
        let config = self.compiled_config()?;
        Ok(Zones {
            primary: merchant_zone(config.as_ref()),
            config,
        })
    }

    /// What the forecast learns from on the merchant's day `today`:
    /// shipments handed off (and orders placed) within the learning window,
    /// orders still waiting for a carrier, and the curves of shipments
    /// ordered within the calibration window. Days are counted on each
    /// warehouse's calendar (the primary warehouse's for one the
    /// configuration no longer has, or a waiting order's; UTC without a
    /// configuration).
    pub(super) fn forecast_inputs(&self, today: Date, zones: &Zones) -> Result<ForecastInputs> {
        #[derive(Deserialize)]
        struct Row {
            warehouse: String,
            method: String,
            country: String,
            postal_prefix: String,
            ordered_ms: Option<f64>,
            handed_off_ms: f64,
            delivered_ms: Option<f64>,
            promise_curve: Option<String>,
        }
        #[derive(Deserialize)]
        struct Waiting {
            created_at_ms: f64,
        }
        let settings = ForecastSettings::default();
        let today_day = i64::from((today - jiff::civil::date(1970, 1, 1)).get_days());
        let since_day = today_day - settings.learn.window_days;
        let promises_since = today_day - settings.calibration.window_days;
        // A day early: a local day may begin up to 14 hours before UTC's.
        let since_ms = ((since_day.min(promises_since) - 1) * 86_400_000) as f64;
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT warehouse, method, country, postal_prefix, ordered_ms, handed_off_ms, \
                 delivered_ms, promise_curve FROM shipments WHERE handed_off_ms >= ?",
                // A shipment leaves after its order: one ordered in the
                // windows was handed off in them too (and the index serves).
                vec![since_ms.into()],
            )?
            .to_array()?;
        let waiting: Vec<Waiting> = self
            .sql
            .exec(
                "SELECT created_at_ms FROM orders WHERE open = 1 AND created_at_ms >= ?",
                vec![since_ms.into()],
            )?
            .to_array()?;
        let zone_of = |warehouse: &str| zones.of(warehouse);
        let instant = |ms: f64| {
            Timestamp::from_millisecond(ms as i64).map_err(|e| Error::RustError(e.to_string()))
        };
        let mut promises = Vec::new();
        let mut shipments = Vec::with_capacity(rows.len());
        for r in rows {
            let ordered_at = r.ordered_ms.map(instant).transpose()?;
            let delivered_at = r.delivered_ms.map(instant).transpose()?;
            if let (Some(curve), Some(ordered_at)) = (&r.promise_curve, ordered_at) {
                let zone = zone_of(&r.warehouse);
                let ordered_day = local_day(ordered_at, zone);
                if ordered_day >= promises_since {
                    promises.push(RecentPromise {
                        curve: serde_json::from_str::<PromiseCurve>(curve)?,
                        ordered_day,
                        delivered_day: delivered_at.map(|t| local_day(t, zone)),
                    });
                }
            }
            shipments.push(RecordedShipment {
                ordered_at,
                handed_off_at: instant(r.handed_off_ms)?,
                delivered_at,
                warehouse: r.warehouse,
                method: r.method,
                country: r.country,
                postal_prefix: r.postal_prefix,
            });
        }
        // An order not shipped yet waits at the primary warehouse: which
        // one will ship it is not known before it does.
        let primary = zones
            .config
            .as_ref()
            .and_then(|c| c.warehouses.first())
            .map(|w| w.id.clone());
        let waiting = primary
            .map(|warehouse| {
                waiting
                    .iter()
                    .map(|w| {
                        Ok(WaitingOrder {
                            warehouse: warehouse.clone(),
                            ordered_at: instant(w.created_at_ms)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(ForecastInputs::gather(
            tally(shipments, waiting, since_day, zone_of),
            promises,
            today,
            &settings.calibration,
        ))
    }

    pub(super) fn put_delivery_config(&self, config: &DeliveryConfig) -> Result<()> {
        let json = serde_json::to_string(config).map_err(|e| Error::RustError(e.to_string()))?;
        *self.forecast.borrow_mut() = None;
        self.set_meta("delivery_config", &json)
    }

    pub(super) fn delivery_config(&self) -> Result<Option<DeliveryConfig>> {
        self.meta("delivery_config")?
            .map(|json| serde_json::from_str(&json).map_err(|e| Error::RustError(e.to_string())))
            .transpose()
    }
}
