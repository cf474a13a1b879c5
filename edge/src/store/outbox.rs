//! Webhooks to the merchant: endpoints, the events a write causes, and each
//! delivery's state. The store is the record; the `OUTBOX` queue only
//! carries "deliver this now" (see `crate::outbound`), so a lost or repeated
//! queue message can neither lose a delivery nor send one twice:
//! - every delivery is a row, written in the same turn as the write that
//!   caused it (no `await` between), so the answer waits for both;
//! - an attempt takes a 30-s lease on its row first, and a delivered or
//!   leased row is never handed out again;
//! - the alarm re-sends any pending delivery the queue should have taken a
//!   minute ago.

use serde::{Deserialize, Serialize};
use upfront_shared::outbound::{
    CreatedEndpoint, Delivery, DeliveryList, DeliveryState, Endpoint, EndpointList,
    EndpointRequest, Event, EventData, EventType, backoff_seconds,
};
use upfront_shared::push::StockUpdate;
use upfront_shared::stock::StockStatus;
use upfront_shared::subscription::is_back;
use worker::Result;

use super::{Store, now_timestamp, random_hex, timestamp};

/// An attempt holds its delivery this long: past it, a crashed consumer's
/// delivery is handed out again.
const LEASE_MS: i64 = 30_000;
/// A pending delivery the queue has not taken this long after it was due
/// is sent to the queue again by the alarm.
pub(super) const SWEEP_AFTER_MS: i64 = 60_000;

/// What the consumer needs for one attempt.
#[derive(Debug, Serialize, Deserialize)]
pub struct DeliveryJob {
    pub url: String,
    /// The current secret, and the previous one during a roll's grace.
    pub secrets: Vec<String>,
    pub body: String,
    pub attempt: i64,
}

/// How long to wait between attempts, and for how long to keep trying.
/// Production: 30 s doubling, for 3 days. Tests shorten both through the
/// Worker's vars (`OUTBOX_BACKOFF_SECONDS`, `OUTBOX_RETRY_WINDOW_SECONDS`),
/// on the same code path.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub backoff_base_seconds: i64,
    pub window_seconds: i64,
}

impl RetryPolicy {
    /// Whether a message first queued at `first_at_ms` has had its time.
    pub(super) fn expired(&self, first_at_ms: i64, now_ms: i64) -> bool {
        now_ms - first_at_ms >= self.window_seconds * 1000
    }
}

/// What the store decided after an attempt.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AttemptOutcome {
    Delivered,
    /// Try again after this long.
    Retry {
        delay_seconds: u32,
    },
    /// Three days without a 2xx; the endpoint may have been disabled.
    GaveUp,
    /// Not this attempt's to settle (redelivered, or its lease expired).
    Stale,
}

impl AttemptOutcome {
    /// How long the queue should wait before bringing the message back;
    /// `None` when it is settled.
    pub fn retry_delay(&self) -> Option<u32> {
        match self {
            Self::Retry { delay_seconds } => Some(*delay_seconds),
            Self::Delivered | Self::GaveUp | Self::Stale => None,
        }
    }
}

#[derive(Deserialize)]
struct EndpointRow {
    id: String,
    url: String,
    events: String,
    secret: String,
    enabled: i64,
    created_at_ms: i64,
}

impl EndpointRow {
    fn public(&self) -> Result<Endpoint> {
        Ok(Endpoint {
            id: self.id.clone(),
            url: self.url.clone(),
            events: serde_json::from_str(&self.events)?,
            enabled: self.enabled != 0,
            secret_last4: upfront_shared::keys::last4(&self.secret),
            created_at: timestamp(self.created_at_ms)?,
        })
    }
}

#[derive(Deserialize)]
struct DeliveryRow {
    id: String,
    endpoint_id: String,
    event_id: String,
    event: String,
    state: String,
    attempts: i64,
    first_at_ms: i64,
    next_at_ms: i64,
    leased_until_ms: i64,
    last_status: Option<i64>,
    last_at_ms: Option<i64>,
}

impl DeliveryRow {
    fn state(&self) -> DeliveryState {
        match self.state.as_str() {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }

    fn public(&self) -> Result<Delivery> {
        let event: Event = serde_json::from_str(&self.event)?;
        let state = self.state();
        Ok(Delivery {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            event_type: event.kind,
            state,
            attempts: self.attempts,
            last_status: self.last_status,
            last_attempt_at: self.last_at_ms.map(timestamp).transpose()?,
            next_attempt_at: (state == DeliveryState::Pending)
                .then(|| timestamp(self.next_at_ms))
                .transpose()?,
        })
    }
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_id, event, state, attempts, first_at_ms, \
     next_at_ms, leased_until_ms, last_status, last_at_ms";

impl Store {
    /// Registers an endpoint (validated) with a new signing secret.
    pub(super) fn create_endpoint(
        &self,
        request: &EndpointRequest,
        now_ms: i64,
    ) -> Result<CreatedEndpoint> {
        let mut events = request.events.clone();
        events.sort();
        events.dedup();
        let row = EndpointRow {
            id: format!("we_{}", random_hex(&self.sql, 12)?),
            url: request.url.clone(),
            events: serde_json::to_string(&events)?,
            secret: format!("whsec_{}", random_hex(&self.sql, 24)?),
            enabled: 1,
            created_at_ms: now_ms,
        };
        self.sql.exec(
            "INSERT INTO webhook_endpoints (id, url, events, secret, enabled, created_at_ms) \
             VALUES (?, ?, ?, ?, 1, ?)",
            vec![
                row.id.as_str().into(),
                row.url.as_str().into(),
                row.events.as_str().into(),
                row.secret.as_str().into(),
                (now_ms as f64).into(),
            ],
        )?;
        Ok(CreatedEndpoint {
            endpoint: row.public()?,
            secret: row.secret,
        })
    }

    pub(super) fn list_endpoints(&self) -> Result<EndpointList> {
        let rows: Vec<EndpointRow> = self
            .sql
            .exec(
                "SELECT id, url, events, secret, enabled, created_at_ms FROM webhook_endpoints \
                 ORDER BY created_at_ms, rowid",
                None,
            )?
            .to_array()?;
        Ok(EndpointList {
            data: rows
                .iter()
                .map(EndpointRow::public)
                .collect::<Result<_>>()?,
        })
    }

    /// A new signing secret; the old one keeps signing beside it for
    /// `grace_seconds` (validated). `None` if the endpoint is unknown.
    pub(super) fn roll_endpoint_secret(
        &self,
        id: &str,
        grace_seconds: i64,
        now_ms: i64,
    ) -> Result<Option<CreatedEndpoint>> {
        let secret = format!("whsec_{}", random_hex(&self.sql, 24)?);
        let changed = self
            .sql
            .exec(
                "UPDATE webhook_endpoints SET previous_secret = secret, previous_until_ms = ?, \
                 secret = ? WHERE id = ?",
                vec![
                    ((now_ms + grace_seconds * 1000) as f64).into(),
                    secret.as_str().into(),
                    id.into(),
                ],
            )?
            .rows_written();
        if changed == 0 {
            return Ok(None);
        }
        let endpoint = self.list_endpoints()?.data.into_iter().find(|e| e.id == id);
        Ok(endpoint.map(|endpoint| CreatedEndpoint { endpoint, secret }))
    }

    /// Deletes an endpoint and its pending deliveries; `false` if unknown.
    pub(super) fn delete_endpoint(&self, id: &str) -> Result<bool> {
        if !super::any_row(
            &self.sql,
            "SELECT 1 FROM webhook_endpoints WHERE id = ?",
            vec![id.into()],
        )? {
            return Ok(false);
        }
        self.sql.exec(
            "DELETE FROM webhook_endpoints WHERE id = ?",
            vec![id.into()],
        )?;
        self.sql.exec(
            "DELETE FROM webhook_deliveries WHERE endpoint_id = ?",
            vec![id.into()],
        )?;
        Ok(true)
    }

    /// The newest 100 deliveries to an endpoint; `None` if it is unknown.
    pub(super) fn list_deliveries(&self, endpoint_id: &str) -> Result<Option<DeliveryList>> {
        if !super::any_row(
            &self.sql,
            "SELECT 1 FROM webhook_endpoints WHERE id = ?",
            vec![endpoint_id.into()],
        )? {
            return Ok(None);
        }
        let rows: Vec<DeliveryRow> = self
            .sql
            .exec(
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ? \
                     ORDER BY first_at_ms DESC, rowid DESC LIMIT 100"
                ),
                vec![endpoint_id.into()],
            )?
            .to_array()?;
        Ok(Some(DeliveryList {
            data: rows
                .iter()
                .map(DeliveryRow::public)
                .collect::<Result<_>>()?,
        }))
    }

    /// Makes a delivery pending again, due now (a merchant's manual
    /// redeliver); `None` if it is unknown.
    pub(super) fn redeliver(&self, id: &str, now_ms: i64) -> Result<Option<Delivery>> {
        self.sql.exec(
            "UPDATE webhook_deliveries SET state = 'pending', next_at_ms = ?, leased_until_ms = 0 \
             WHERE id = ?",
            vec![(now_ms as f64).into(), id.into()],
        )?;
        self.delivery(id)?.map(|row| row.public()).transpose()
    }

    /// The statuses of `skus` now, to compare after a write.
    pub(super) fn statuses(&self, skus: &[String]) -> Result<Vec<(String, StockStatus)>> {
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_timestamp()?;
        self.read(skus)?
            .into_iter()
            .map(|record| {
                let update = StockUpdate::of(&record.snapshot()?, now);
                Ok((update.sku, update.status))
            })
            .collect()
    }

    /// Records an event for each SKU whose status changed since `before`:
    /// a pending delivery of it to each enabled endpoint that wants it, and
    /// for a SKU back in stock, an email to each shopper waiting for it.
    /// Returns the deliveries and emails to hand to the queue.
    pub(super) fn record_events(
        &self,
        before: &[(String, StockStatus)],
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let skus: Vec<String> = before.iter().map(|(sku, _)| sku.clone()).collect();
        let after: Vec<StockUpdate> = {
            let now = timestamp(now_ms)?;
            self.read(&skus)?
                .into_iter()
                .map(|record| Ok(StockUpdate::of(&record.snapshot()?, now)))
                .collect::<Result<_>>()?
        };
        let mut deliveries = Vec::new();
        for update in after {
            let Some((_, was)) = before.iter().find(|(sku, _)| *sku == update.sku) else {
                continue;
            };
            let kind = EventType::of_change(*was, update.status);
            let back = is_back(*was, update.status);
            if kind.is_none() && !back {
                continue;
            }
            let event_id = format!("evt_{}", random_hex(&self.sql, 12)?);
            if back {
                deliveries.extend(self.queue_back_in_stock(&update.sku, &event_id, now_ms)?);
            }
            let Some(kind) = kind else {
                continue;
            };
            deliveries.extend(self.record_event(event_id, kind, EventData::Sku(update), now_ms)?);
        }
        Ok(deliveries)
    }

    /// A pending delivery of one event to each enabled endpoint that wants
    /// its type; returns them for the queue.
    pub(super) fn record_event(
        &self,
        event_id: String,
        kind: EventType,
        data: EventData,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let endpoints: Vec<EndpointRow> = self
            .sql
            .exec(
                "SELECT id, url, events, secret, enabled, created_at_ms FROM webhook_endpoints \
                 WHERE enabled = 1 AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?)",
                vec![kind.as_str().into()],
            )?
            .to_array()?;
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        let event = Event {
            id: event_id,
            kind,
            created: timestamp(now_ms)?,
            data,
        };
        let body = serde_json::to_string(&event)?;
        let mut deliveries = Vec::new();
        for endpoint in endpoints {
            let id = format!("wd_{}", random_hex(&self.sql, 12)?);
            self.sql.exec(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event, state, \
                 first_at_ms, next_at_ms) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                vec![
                    id.as_str().into(),
                    endpoint.id.as_str().into(),
                    event.id.as_str().into(),
                    body.as_str().into(),
                    (now_ms as f64).into(),
                    (now_ms as f64).into(),
                ],
            )?;
            deliveries.push(id);
        }
        Ok(deliveries)
    }

    /// Leases a pending, due delivery for one attempt; `None` when it is
    /// delivered, failed, leased by another attempt, or not due.
    pub(super) fn start_attempt(&self, id: &str, now_ms: i64) -> Result<Option<DeliveryJob>> {
        if !self.take_lease("webhook_deliveries", id, now_ms)? {
            return Ok(None);
        }
        let Some(row) = self.delivery(id)? else {
            return Ok(None);
        };
        let endpoint: Vec<EndpointRow> = self
            .sql
            .exec(
                "SELECT id, url, events, secret, enabled, created_at_ms FROM webhook_endpoints \
                 WHERE id = ? AND enabled = 1",
                vec![row.endpoint_id.as_str().into()],
            )?
            .to_array()?;
        let Some(endpoint) = endpoint.into_iter().next() else {
            return Ok(None);
        };
        #[derive(Deserialize)]
        struct Previous {
            previous_secret: Option<String>,
        }
        let previous: Previous = self
            .sql
            .exec(
                "SELECT CASE WHEN previous_until_ms > ? THEN previous_secret END AS previous_secret \
                 FROM webhook_endpoints WHERE id = ?",
                vec![(now_ms as f64).into(), endpoint.id.as_str().into()],
            )?
            .one()?;
        Ok(Some(DeliveryJob {
            url: endpoint.url,
            secrets: std::iter::once(endpoint.secret)
                .chain(previous.previous_secret)
                .collect(),
            body: row.event,
            attempt: row.attempts,
        }))
    }

    /// Settles an attempt: a 2xx delivers; anything else (`status` absent
    /// for a timeout or a refused connection) waits `backoff_seconds`, or
    /// gives up after three days and disables an endpoint that has failed
    /// every delivery since.
    pub(super) fn finish_attempt(
        &self,
        id: &str,
        status: Option<u16>,
        retry: RetryPolicy,
        now_ms: i64,
    ) -> Result<AttemptOutcome> {
        let Some(row) = self.delivery(id)? else {
            return Ok(AttemptOutcome::Stale);
        };
        if row.state() != DeliveryState::Pending || row.leased_until_ms < now_ms {
            return Ok(AttemptOutcome::Stale);
        }
        let status_value = status.map(f64::from);
        if status.is_some_and(|s| (200..300).contains(&s)) {
            self.sql.exec(
                "UPDATE webhook_deliveries SET state = 'delivered', leased_until_ms = 0, \
                 last_status = ?, last_at_ms = ? WHERE id = ?",
                vec![status_value.into(), (now_ms as f64).into(), id.into()],
            )?;
            self.sql.exec(
                "UPDATE webhook_endpoints SET failed_in_a_row = 0 WHERE id = ?",
                vec![row.endpoint_id.as_str().into()],
            )?;
            return Ok(AttemptOutcome::Delivered);
        }
        if retry.expired(row.first_at_ms, now_ms) {
            self.sql.exec(
                "UPDATE webhook_deliveries SET state = 'failed', leased_until_ms = 0, \
                 last_status = ?, last_at_ms = ? WHERE id = ?",
                vec![status_value.into(), (now_ms as f64).into(), id.into()],
            )?;
            // An endpoint whose every delivery for three days failed is
            // switched off rather than retried forever; the log says why,
            // and the merchant is told by email.
            let disabled = self
                .sql
                .exec(
                    "UPDATE webhook_endpoints SET failed_in_a_row = failed_in_a_row + 1, \
                     enabled = CASE WHEN failed_in_a_row + 1 >= 3 THEN 0 ELSE enabled END \
                     WHERE id = ? AND enabled = 1 AND failed_in_a_row + 1 >= 3",
                    vec![row.endpoint_id.as_str().into()],
                )?
                .rows_written()
                > 0;
            if !disabled {
                self.sql.exec(
                    "UPDATE webhook_endpoints SET failed_in_a_row = failed_in_a_row + 1 WHERE id = ?",
                    vec![row.endpoint_id.as_str().into()],
                )?;
            } else if let Some(endpoint) = self.endpoint_row(&row.endpoint_id)?
                && let Some(notice) =
                    self.queue_endpoint_notice(&endpoint.id, &endpoint.url, now_ms)?
            {
                self.enqueue_after_answer(vec![notice]);
            }
            return Ok(AttemptOutcome::GaveUp);
        }
        let delay = self.jittered_backoff(row.attempts, retry.backoff_base_seconds)?;
        self.sql.exec(
            "UPDATE webhook_deliveries SET leased_until_ms = 0, next_at_ms = ?, last_status = ?, \
             last_at_ms = ? WHERE id = ?",
            vec![
                ((now_ms + delay * 1000) as f64).into(),
                status_value.into(),
                (now_ms as f64).into(),
                id.into(),
            ],
        )?;
        Ok(AttemptOutcome::Retry {
            delay_seconds: u32::try_from(delay).unwrap_or(u32::MAX),
        })
    }

    /// Pending deliveries and emails the queue should have taken by now.
    /// Each is due again from now, so a queue that stays down gets one send
    /// a minute per message from the alarm, not a loop.
    pub(super) fn overdue_deliveries(&self, now_ms: i64) -> Result<Vec<String>> {
        let mut ids = self.overdue_in("webhook_deliveries", now_ms)?;
        ids.extend(self.overdue_in("emails", now_ms)?);
        Ok(ids)
    }

    fn overdue_in(&self, table: &str, now_ms: i64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let ids: Vec<String> = self
            .sql
            .exec(
                &format!(
                    "SELECT id FROM {table} WHERE state = 'pending' AND next_at_ms <= ? \
                     AND leased_until_ms <= ? LIMIT 500"
                ),
                vec![
                    ((now_ms - SWEEP_AFTER_MS) as f64).into(),
                    (now_ms as f64).into(),
                ],
            )?
            .to_array::<Id>()?
            .into_iter()
            .map(|row| row.id)
            .collect();
        if !ids.is_empty() {
            self.sql.exec(
                &format!(
                    "UPDATE {table} SET next_at_ms = ? WHERE id IN (SELECT value FROM json_each(?))"
                ),
                vec![(now_ms as f64).into(), serde_json::to_string(&ids)?.into()],
            )?;
        }
        Ok(ids)
    }

    /// When the next pending delivery or email becomes overdue, for the
    /// alarm.
    pub(super) fn next_sweep_ms(&self) -> Result<Option<i64>> {
        #[derive(Deserialize)]
        struct Next {
            next: Option<i64>,
        }
        let next: Next = self
            .sql
            .exec(
                "SELECT MIN(next) AS next FROM (\
                 SELECT MIN(next_at_ms) AS next FROM webhook_deliveries WHERE state = 'pending' \
                 UNION ALL SELECT MIN(next_at_ms) FROM emails WHERE state = 'pending')",
                None,
            )?
            .one()?;
        Ok(next.next.map(|at| at + SWEEP_AFTER_MS))
    }

    /// Whether any endpoint listens: without one, writes skip the status
    /// comparison altogether.
    pub(super) fn has_endpoints(&self) -> Result<bool> {
        super::any_row(
            &self.sql,
            "SELECT 1 FROM webhook_endpoints WHERE enabled = 1",
            Vec::new(),
        )
    }

    /// Hands `deliveries` to the `OUTBOX` queue once the current request has
    /// its answer. A failed send is logged; the alarm sends the delivery
    /// again a minute after it was due, so nothing is lost.
    pub(super) fn enqueue_after_answer(&self, deliveries: Vec<String>) {
        if deliveries.is_empty() {
            return;
        }
        let env = self.env.clone();
        let merchant = self.settings().map(|s| s.id);
        self.state.wait_until(async move {
            let Ok(merchant) = merchant else {
                return;
            };
            if let Err(err) = crate::outbound::enqueue(&env, &merchant, deliveries).await {
                worker::console_error!("outbox send failed (the alarm retries): {err}");
            }
        });
    }

    /// Leases a pending, due row of `table` (deliveries or emails) for one
    /// attempt, counting it; `false` when it is settled, leased by another
    /// attempt, or not due.
    pub(super) fn take_lease(&self, table: &str, id: &str, now_ms: i64) -> Result<bool> {
        Ok(self
            .sql
            .exec(
                &format!(
                    "UPDATE {table} SET leased_until_ms = ?, attempts = attempts + 1 \
                     WHERE id = ? AND state = 'pending' AND leased_until_ms <= ? AND next_at_ms <= ?"
                ),
                vec![
                    ((now_ms + LEASE_MS) as f64).into(),
                    id.into(),
                    (now_ms as f64).into(),
                    ((now_ms + 1000) as f64).into(),
                ],
            )?
            .rows_written()
            > 0)
    }

    /// The wait before the next attempt: exponential with jitter.
    pub(super) fn jittered_backoff(&self, attempts: i64, base_seconds: i64) -> Result<i64> {
        let random = u32::from_str_radix(&random_hex(&self.sql, 4)?, 16).unwrap_or(0) as f64
            / f64::from(u32::MAX);
        let attempt = u32::try_from(attempts).unwrap_or(u32::MAX);
        Ok(backoff_seconds(attempt, base_seconds, random))
    }

    fn endpoint_row(&self, id: &str) -> Result<Option<EndpointRow>> {
        Ok(self
            .sql
            .exec(
                "SELECT id, url, events, secret, enabled, created_at_ms FROM webhook_endpoints \
                 WHERE id = ?",
                vec![id.into()],
            )?
            .to_array::<EndpointRow>()?
            .into_iter()
            .next())
    }

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRow>> {
        Ok(self
            .sql
            .exec(
                &format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?"),
                vec![id.into()],
            )?
            .to_array::<DeliveryRow>()?
            .into_iter()
            .next())
    }
}
