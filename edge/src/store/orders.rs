//! Orders, the store's half: each order is a row holding its record (the
//! `Order` JSON: obligation, notices, shipments), and the promise watcher
//! re-checks the open ones in the same turn as every write that may move
//! them: the shelf and inbound arrivals (stock writes, Shopify levels,
//! fulfilments), the delivery configuration, and the daily alarm. What `shared::order::ftc` decides is carried out in
//! that turn too: the notice email and the webhook events are rows written
//! with the order (`mail`, `outbox`), so none is lost or sent twice.
//!
//! The workflow's clock is real time plus a test offset that only a store
//! run with `DEMO_STORE = "on"` can set (`POST /v1/test/clock`); deploys
//! refuse it, so the FTC dates always run on real days there.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use upfront_shared::answer::StockSnapshot;
use upfront_shared::order::ftc::{Action, Event, Obligation, Refusal, Stage};
use upfront_shared::order::token::{PromiseTerms, TokenError};
use upfront_shared::order::watch::earliest_ship;
use upfront_shared::order::{
    BuyerAnswer, DelayReason, Order, OrderList, OrderRequest, OrderShipment, OrderStatus,
    PromiseSource, SentNotice, buyer_token,
};
use upfront_shared::outbound::{EventData, EventType};
use upfront_shared::promise::calendar::BusinessCalendar;
use upfront_shared::promise::config::Compiled;
use upfront_shared::promise::config::merchant_today;
use upfront_shared::promise::shipments::ShipmentEvent;
use worker::Result;

use super::watcher::{destination_of, line_stock};
use super::{Store, random_hex, timestamp};

/// What an order command came to.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OrderOutcome {
    Done {
        order: Box<Order>,
        /// A new order (201), not a repeat of a stored one.
        created: bool,
    },
    NotFound,
    /// The id is taken by a different order.
    Exists,
    /// `lines[index].sku` is not a SKU of this store.
    UnknownSku {
        index: usize,
    },
    /// `lines[index].promise_token` is refused: altered, not this store's,
    /// not for this line, or (`expired`) past its `order_by`.
    BadToken {
        index: usize,
        expired: bool,
    },
    /// The order's stage does not allow the step.
    NotOpen {
        order: Box<Order>,
    },
    /// An answer to a notice a later one replaced.
    Superseded {
        order: Box<Order>,
    },
}

/// What the merchant or the buyer does to an order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum OrderStep {
    Ship {
        shipment: OrderShipment,
    },
    Cancel,
    Refund,
    /// The buyer's answer to notice `notice` (the number it showed).
    Answer {
        answer: BuyerAnswer,
        notice: u32,
    },
}

#[derive(Deserialize)]
struct OrderRow {
    record: String,
    token: String,
}

/// Refunds count Monday to Friday as working days.
fn working_days() -> BusinessCalendar {
    BusinessCalendar::weekdays()
}

impl Store {
    /// Now on the order workflow's clock.
    pub(super) fn order_clock(&self, now_ms: i64) -> Result<i64> {
        let offset = self
            .meta("test_clock_offset_ms")?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        Ok(now_ms + offset)
    }

    /// Moves the workflow's clock `seconds` further (tests only: the
    /// Worker refuses the route unless `DEMO_STORE = "on"`), then lets the
    /// watcher look, as the daily alarm would have.
    pub(super) fn advance_test_clock(&self, seconds: i64, now_ms: i64) -> Result<Vec<String>> {
        let offset = self.order_clock(now_ms)? - now_ms + seconds * 1000;
        self.set_meta("test_clock_offset_ms", &offset.to_string())?;
        self.recheck_orders(None, now_ms)
    }

    /// The key promise tokens are signed with.
    pub(super) fn promise_key(&self) -> Result<String> {
        self.meta_secret("promise_key")
    }

    pub(super) fn compiled_config(&self) -> Result<Option<Compiled>> {
        Ok(self.delivery_config()?.and_then(|c| c.compile().ok()))
    }

    /// Creates an order (validated), or answers the stored one when the
    /// same order comes again. Its ship-by date: the one stated, else the
    /// earliest it can ship now, else the rule's default.
    pub(super) fn create_order(
        &self,
        mut request: OrderRequest,
        fingerprint: &str,
        skip_unknown_skus: bool,
        now_ms: i64,
    ) -> Result<(OrderOutcome, Vec<String>)> {
        #[derive(Deserialize)]
        struct Existing {
            fingerprint: String,
        }
        let existing: Vec<Existing> = self
            .sql
            .exec(
                "SELECT fingerprint FROM orders WHERE id = ?",
                vec![request.id.as_str().into()],
            )?
            .to_array()?;
        if let Some(existing) = existing.first() {
            if existing.fingerprint != fingerprint {
                return Ok((OrderOutcome::Exists, Vec::new()));
            }
            let order = self.order(&request.id)?;
            return Ok((
                order.map_or(OrderOutcome::NotFound, |order| OrderOutcome::Done {
                    order: Box::new(order),
                    created: false,
                }),
                Vec::new(),
            ));
        }
        let asked: Vec<String> = request.lines.iter().map(|l| l.sku.clone()).collect();
        let known: Vec<String> = self.read(&asked)?.into_iter().map(|r| r.sku).collect();
        if skip_unknown_skus {
            request.lines.retain(|l| known.contains(&l.sku));
            if request.lines.is_empty() {
                return Ok((OrderOutcome::UnknownSku { index: 0 }, Vec::new()));
            }
        } else if let Some(index) = asked.iter().position(|sku| !known.contains(sku)) {
            return Ok((OrderOutcome::UnknownSku { index }, Vec::new()));
        }
        let skus: Vec<String> = request.lines.iter().map(|l| l.sku.clone()).collect();
        let clock = self.order_clock(now_ms)?;
        let now = timestamp(clock)?;
        let config = self.compiled_config()?;
        let today = merchant_today(config.as_ref(), now);
        // The promise tokens the lines brought: the terms the shopper saw.
        let mut promised = Vec::new();
        if request.lines.iter().any(|l| l.promise_token.is_some()) {
            let key = self.promise_key()?;
            for (index, line) in request.lines.iter().enumerate() {
                let Some(token) = &line.promise_token else {
                    continue;
                };
                match PromiseTerms::verify(token, &key, now) {
                    Ok(terms)
                        if terms.covers(&line.sku, line.qty, request.destination.as_ref()) =>
                    {
                        promised.push(terms)
                    }
                    refused => {
                        let expired = refused == Err(TokenError::Expired);
                        let bad = OrderOutcome::BadToken { index, expired };
                        return Ok((bad, Vec::new()));
                    }
                }
            }
        }
        let token_ship_by = promised.iter().map(|t| t.ship_by).max();
        let (ship_by, source) = match (token_ship_by, request.ship_by) {
            (Some(date), _) => (date, PromiseSource::Token),
            (None, Some(date)) => (date, PromiseSource::Stated),
            (None, None) => {
                let ahead = self.units_ahead(&skus)?;
                let snapshots = self.snapshots(&skus)?;
                let lines = line_stock(&request.lines, &snapshots, &ahead);
                let destination = destination_of(&request.destination, config.as_ref());
                match earliest_ship(&lines, config.as_ref(), destination.as_ref(), now) {
                    Some(date) => (date, PromiseSource::Computed),
                    None => (request.payment.default_ship_by(today), PromiseSource::Rule),
                }
            }
        };
        let token = buyer_token(&self.settings()?.id, &random_hex(&self.sql, 16)?);
        let order = Order {
            id: request.id.clone(),
            status: OrderStatus::AwaitingShipment,
            lines: request.lines,
            destination: request.destination,
            email: request.email,
            locale: request.locale,
            promise_source: source,
            promised,
            obligation: Obligation::new(ship_by, request.payment),
            notices: Vec::new(),
            shipments: Vec::new(),
            delay_discount_code: request.delay_discount_code,
            created: now,
            status_url: String::new(),
        };
        self.sql.exec(
            "INSERT INTO orders (id, token, fingerprint, open, record, created_at_ms) \
             VALUES (?, ?, ?, 1, ?, ?)",
            vec![
                order.id.as_str().into(),
                token.as_str().into(),
                fingerprint.into(),
                serde_json::to_string(&order)?.into(),
                (clock as f64).into(),
            ],
        )?;
        for line in &order.lines {
            // A line with a hold was counted when the hold was committed.
            if line.hold_id.is_none() {
                super::guards::record_sale(&self.sql, &line.sku, i64::from(line.qty), now_ms)?;
            }
            self.sql.exec(
                "INSERT INTO order_lines (order_id, sku, qty, created_at_ms, open) \
                 VALUES (?, ?, ?, ?, 1)",
                vec![
                    order.id.as_str().into(),
                    line.sku.as_str().into(),
                    i64::from(line.qty).into(),
                    (clock as f64).into(),
                ],
            )?;
        }
        // A stated date may already be out of reach: the watcher says so
        // now. Only this order: a new order stands behind every other.
        let queued = self.recheck(vec![order.id.clone()], now_ms)?;
        let order = self.order(&order.id)?;
        Ok((
            order.map_or(OrderOutcome::NotFound, |order| OrderOutcome::Done {
                order: Box::new(order),
                created: true,
            }),
            queued,
        ))
    }

    /// One order, with its page's URL.
    pub(super) fn order(&self, id: &str) -> Result<Option<Order>> {
        let rows: Vec<OrderRow> = self
            .sql
            .exec(
                "SELECT record, token FROM orders WHERE id = ?",
                vec![id.into()],
            )?
            .to_array()?;
        rows.first().map(|row| self.public(row)).transpose()
    }

    /// The order a buyer's token opens.
    pub(super) fn order_by_token(&self, token: &str) -> Result<Option<Order>> {
        let rows: Vec<OrderRow> = self
            .sql
            .exec(
                "SELECT record, token FROM orders WHERE token = ?",
                vec![token.into()],
            )?
            .to_array()?;
        rows.first().map(|row| self.public(row)).transpose()
    }

    fn public(&self, row: &OrderRow) -> Result<Order> {
        let mut order: Order = serde_json::from_str(&row.record)?;
        order.status_url = self.status_url(&row.token)?;
        Ok(order)
    }

    fn status_url(&self, token: &str) -> Result<String> {
        let public_url = self.env.var("PUBLIC_URL")?.to_string();
        Ok(format!(
            "{}/v1/order-status/{token}",
            public_url.trim_end_matches('/')
        ))
    }

    /// Orders newest first, optionally only those in `status`.
    pub(super) fn list_orders(
        &self,
        status: Option<OrderStatus>,
        limit: u32,
        before_rowid: Option<i64>,
    ) -> Result<OrderList> {
        #[derive(Deserialize)]
        struct Row {
            #[serde(flatten)]
            order: OrderRow,
            position: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT record, token, rowid AS position FROM orders \
                 WHERE rowid < ? AND (? IS NULL OR status = ?) ORDER BY rowid DESC LIMIT ?",
                vec![
                    (before_rowid.unwrap_or(i64::MAX) as f64).into(),
                    status.map(OrderStatus::as_str).into(),
                    status.map(OrderStatus::as_str).into(),
                    (f64::from(limit) + 1.0).into(),
                ],
            )?
            .to_array()?;
        let more = rows.len() > limit as usize;
        let rows = &rows[..rows.len().min(limit as usize)];
        Ok(OrderList {
            data: rows
                .iter()
                .map(|r| self.public(&r.order))
                .collect::<Result<_>>()?,
            next_cursor: more
                .then(|| rows.last().map(|r| r.position.to_string()))
                .flatten(),
        })
    }

    /// Ships, cancels, refunds or answers a notice; by the order's id, or
    /// (`by_token`) by the buyer's token.
    pub(super) fn order_step(
        &self,
        id: &str,
        by_token: bool,
        step: OrderStep,
        now_ms: i64,
    ) -> Result<(OrderOutcome, Vec<String>)> {
        let Some(mut order) = (if by_token {
            self.order_by_token(id)?
        } else {
            self.order(id)?
        }) else {
            return Ok((OrderOutcome::NotFound, Vec::new()));
        };
        let clock = self.order_clock(now_ms)?;
        let today = merchant_today(self.compiled_config()?.as_ref(), timestamp(clock)?);
        // Dates that passed take effect first: a buyer cannot consent to a
        // notice whose order the rule already cancelled.
        let mut queued = self
            .apply(&mut order, Event::Tick, today, (clock, now_ms), None)?
            .unwrap_or_default();
        let event = match &step {
            OrderStep::Ship { shipment } => {
                let mut shipment = shipment.clone();
                shipment.handed_off_at.get_or_insert(timestamp(now_ms)?);
                let known = order
                    .shipments
                    .iter()
                    .position(|s| s.tracking == shipment.tracking);
                if order.obligation.stage == Stage::Shipped {
                    // Another parcel of a shipped order, or news of one.
                    self.record_lane(&order, &shipment, now_ms)?;
                    match known {
                        Some(i) => order.shipments[i] = shipment,
                        None => order.shipments.push(shipment),
                    }
                    self.save(&mut order)?;
                    return Ok((
                        OrderOutcome::Done {
                            order: Box::new(order),
                            created: false,
                        },
                        queued,
                    ));
                }
                order.shipments.push(shipment);
                Event::Shipped
            }
            OrderStep::Cancel => Event::MerchantCancels,
            OrderStep::Refund => Event::Refunded,
            OrderStep::Answer { answer, notice } => {
                if *notice != order.obligation.notices {
                    return Ok((
                        OrderOutcome::Superseded {
                            order: Box::new(order),
                        },
                        queued,
                    ));
                }
                match answer {
                    BuyerAnswer::Consent => Event::Consent,
                    BuyerAnswer::Cancel => Event::BuyerCancels,
                }
            }
        };
        match self.apply(&mut order, event, today, (clock, now_ms), None)? {
            Ok(more) => queued.extend(more),
            Err(_) => {
                let order = self.order(&order.id)?.unwrap_or(order);
                return Ok((
                    OrderOutcome::NotOpen {
                        order: Box::new(order),
                    },
                    queued,
                ));
            }
        }
        if let OrderStep::Ship { .. } = step {
            if let Some(shipment) = order.shipments.last() {
                self.record_lane(&order, shipment, now_ms)?;
            }
            // The shipment's stock change may free units for orders behind it.
            let skus: Vec<String> = order.lines.iter().map(|l| l.sku.clone()).collect();
            queued.extend(self.recheck_orders(Some(&skus), now_ms)?);
        }
        Ok((
            OrderOutcome::Done {
                order: Box::new(order),
                created: false,
            },
            queued,
        ))
    }

    /// Steps `order` and carries out what the rule asks, in this turn:
    /// notices (email and `order.delayed`), the other `order.*` events,
    /// the holds' stock. The row is written only when something changed.
    /// `Err(refusal)` when the stage does not allow `event`.
    /// `clock` is the workflow's time (dates, `sent_at`); `now_ms` real time,
    /// which the outbox's rows are due by.
    pub(super) fn apply(
        &self,
        order: &mut Order,
        event: Event,
        today: Date,
        (clock, now_ms): (i64, i64),
        reason: Option<DelayReason>,
    ) -> Result<std::result::Result<Vec<String>, Refusal>> {
        let (next, actions) = match order.obligation.step(event, today, &working_days()) {
            Ok(stepped) => stepped,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if next == order.obligation && actions.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        let was_due = order.obligation.due().unwrap_or(order.obligation.ship_by);
        order.obligation = next;
        let now = timestamp(clock)?;
        let mut queued = Vec::new();
        let mut events = Vec::new();
        for action in &actions {
            match action {
                Action::Notify(notice) => {
                    let number = order.obligation.notices;
                    order.notices.push(SentNotice {
                        number,
                        sent_at: now,
                        was_due,
                        notice: notice.clone(),
                        reason: notice.revised.is_none().then_some(reason).flatten(),
                    });
                    queued.extend(self.queue_order_notice(order, number, now_ms)?);
                    events.push(EventType::OrderDelayed);
                }
                Action::Consented { .. } => events.push(EventType::OrderConsented),
                Action::Cancelled(_) => {
                    self.settle_holds(order, false, now_ms)?;
                    events.extend([EventType::OrderCancelled, EventType::OrderRefundDue]);
                }
                Action::Shipped => {
                    self.settle_holds(order, true, now_ms)?;
                    events.push(EventType::OrderShipped);
                }
                // Listed for the merchant (`GET /v1/orders?status=refund_due`
                // shows `refund_by`); the record keeps that it was reported.
                Action::RefundOverdue { .. } => {}
            }
        }
        self.save(order)?;
        if !events.is_empty() {
            let mut public = order.clone();
            public.status_url.clear();
            for kind in events {
                let event_id = format!("evt_{}", random_hex(&self.sql, 12)?);
                queued.extend(self.record_event(
                    event_id,
                    kind,
                    EventData::Order(Box::new(public.clone())),
                    now_ms,
                )?);
            }
        }
        Ok(Ok(queued))
    }

    /// A buyer's erasure: `email` leaves every order's record. The orders
    /// stay (the merchant's records, refunds it owes); their notices can
    /// no longer be sent, and the buyer's page still opens by its link.
    pub(super) fn anonymize_orders(&self, email: &str) -> Result<i64> {
        #[derive(Deserialize)]
        struct Row {
            record: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT record FROM orders WHERE json_extract(record, '$.email') = ?",
                vec![email.into()],
            )?
            .to_array()?;
        for row in &rows {
            let mut order: Order = serde_json::from_str(&row.record)?;
            order.email.clear();
            self.save(&mut order)?;
        }
        Ok(rows.len() as i64)
    }

    /// Writes the order's record and status as they are.
    fn save(&self, order: &mut Order) -> Result<()> {
        order.status = OrderStatus::of_order(order);
        let mut order = order.clone();
        order.status_url.clear();
        self.sql.exec(
            "UPDATE order_lines SET open = ? WHERE order_id = ?",
            vec![
                i64::from(order.status.open()).into(),
                order.id.as_str().into(),
            ],
        )?;
        self.sql.exec(
            "UPDATE orders SET record = ?, open = ?, status = ? WHERE id = ?",
            vec![
                serde_json::to_string(&order)?.into(),
                i64::from(order.status.open()).into(),
                order.status.as_str().into(),
                order.id.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// A parcel of an order is a shipment for the learned delivery lanes
    /// and the warehouse's learned handling (from the order's time), as
    /// `POST /v1/shipments` records them: from the warehouse and by the
    /// method it went (else the primary warehouse, the promised method, the
    /// first method), to the order's destination. Nothing without a
    /// delivery configuration: there are no lanes to learn.
    fn record_lane(&self, order: &Order, shipment: &OrderShipment, now_ms: i64) -> Result<()> {
        let Some(config) = self.delivery_config()? else {
            return Ok(());
        };
        let warehouse = shipment
            .warehouse
            .clone()
            .or_else(|| config.warehouses.first().map(|w| w.id.clone()));
        let method = shipment
            .method
            .clone()
            .or_else(|| order.promised.first().map(|t| t.method.clone()))
            .or_else(|| config.methods.first().map(|m| m.id.clone()));
        let (Some(warehouse), Some(method), Some(handed_off_at)) =
            (warehouse, method, shipment.handed_off_at)
        else {
            return Ok(());
        };
        let (country, postal_code) = match &order.destination {
            Some(d) => (d.country.clone(), d.postal_code.clone()),
            None => (config.default_country.clone(), None),
        };
        self.record_shipments(
            vec![ShipmentEvent {
                shipment_id: format!("order:{}:{}", order.id, shipment.tracking),
                warehouse,
                method,
                country,
                postal_code,
                ordered_at: Some(order.created),
                handed_off_at,
                delivered_at: shipment.delivered_at,
            }],
            now_ms,
        )?;
        Ok(())
    }

    /// A shipped order's committed holds are fulfilled (their units leave
    /// the shelf); a cancelled one's are cancelled (back on sale). Lines
    /// without a hold move no stock: the merchant's own feed counts them.
    fn settle_holds(&self, order: &Order, shipped: bool, now_ms: i64) -> Result<()> {
        for hold in order.lines.iter().filter_map(|l| l.hold_id.as_deref()) {
            // Not a committed sale (never committed, already settled): nothing to move.
            let _ = if shipped {
                self.fulfil(hold, now_ms)?
            } else {
                self.cancel_sale(hold, now_ms)?
            };
        }
        Ok(())
    }

    /// Units of `skus` the open orders need (for a new order, all of
    /// them stand before it).
    fn units_ahead(&self, skus: &[String]) -> Result<HashMap<String, i64>> {
        #[derive(Deserialize)]
        struct Sum {
            sku: String,
            qty: i64,
        }
        let sums: Vec<Sum> = self
            .sql
            .exec(
                "SELECT sku, SUM(qty) AS qty FROM order_lines WHERE open = 1 \
                 AND sku IN (SELECT value FROM json_each(?)) GROUP BY sku",
                vec![serde_json::to_string(skus)?.into()],
            )?
            .to_array()?;
        Ok(sums.into_iter().map(|s| (s.sku, s.qty)).collect())
    }

    pub(super) fn snapshots(&self, skus: &[String]) -> Result<HashMap<String, StockSnapshot>> {
        let mut unique = skus.to_vec();
        unique.sort();
        unique.dedup();
        self.read(&unique)?
            .into_iter()
            .map(|record| {
                let snapshot = record.snapshot()?;
                Ok((snapshot.sku.clone(), snapshot))
            })
            .collect()
    }
}
