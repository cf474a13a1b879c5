//! Email, the store's half: each message is a row, written in the same turn
//! as the change that causes it, and the store is the record of whether it
//! went. The `OUTBOX` queue carries "attempt this now" (see
//! `crate::email`), exactly as for webhook deliveries:
//! - a message's idempotency key (`back_in_stock:{event}:{address}`) is
//!   unique, so one cause never makes two rows;
//! - an attempt takes a 30-s lease, and a sent row is never handed out again;
//! - the suppression list and the frequency caps are checked under the same
//!   lease, in the same turn as the render, so no two attempts can both
//!   pass a cap that has room for one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use upfront_shared::email::Language;
use upfront_shared::email::caps::{CapHit, FrequencyCaps};
use upfront_shared::email::mime::Email;
use upfront_shared::email::records::{
    EmailKind, EmailLog, EmailRecord, EmailState, Suppression, SuppressionList, SuppressionReason,
};
use upfront_shared::email::templates::{BackInStock, EndpointDisabled};
use upfront_shared::email::unsubscribe::{Token, address_hash, token};
use upfront_shared::order::Order;
use upfront_shared::order::notice::DelayEmail;
use upfront_shared::readback::PageQuery;
use worker::Result;

use super::outbox::{AttemptOutcome, RetryPolicy};
use super::{Store, any_row, random_hex, timestamp};

/// The log keeps a message this long after it was queued; the caps need
/// seven days of it.
const KEEP_MS: i64 = 30 * 24 * 3600 * 1000;

/// What the consumer hands to the `send_email` binding.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmailJob {
    /// The envelope sender (the `From:` address).
    pub from: String,
    pub to: String,
    /// The whole RFC 5322 message.
    pub raw: String,
}

/// Values a template needs beyond the merchant's settings.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Vars {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    endpoint_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    endpoint_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notice_number: Option<u32>,
}

#[derive(Deserialize)]
struct EmailRow {
    id: String,
    kind: String,
    email: String,
    sku: Option<String>,
    locale: Option<String>,
    vars: String,
    state: String,
    attempts: i64,
    first_at_ms: i64,
    leased_until_ms: i64,
    sent_at_ms: Option<i64>,
    position: i64,
}

const EMAIL_COLUMNS: &str = "id, kind, email, sku, locale, vars, state, attempts, first_at_ms, \
     leased_until_ms, sent_at_ms, rowid AS position";

impl EmailRow {
    fn kind(&self) -> EmailKind {
        EmailKind::parse(&self.kind).unwrap_or(EmailKind::BackInStock)
    }

    fn state(&self) -> EmailState {
        match self.state.as_str() {
            "sent" => EmailState::Sent,
            "suppressed" => EmailState::Suppressed,
            "capped" => EmailState::Capped,
            "failed" => EmailState::Failed,
            _ => EmailState::Pending,
        }
    }

    fn public(&self) -> Result<EmailRecord> {
        Ok(EmailRecord {
            id: self.id.clone(),
            kind: self.kind(),
            to: self.email.clone(),
            sku: self.sku.clone(),
            state: self.state(),
            attempts: self.attempts,
            created: timestamp(self.first_at_ms)?,
            sent_at: self.sent_at_ms.map(timestamp).transpose()?,
        })
    }
}

impl Store {
    /// A message for each shopper waiting for `sku`, which just came back;
    /// their subscriptions are used up ("we'll email you once"). Returns the
    /// messages to hand to the queue.
    pub(super) fn queue_back_in_stock(
        &self,
        sku: &str,
        event_id: &str,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Waiting {
            email: String,
            locale: Option<String>,
            product_name: Option<String>,
            page_url: Option<String>,
        }
        let waiting: Vec<Waiting> = self
            .sql
            .exec(
                "SELECT email, locale, product_name, page_url FROM subscriptions WHERE sku = ? \
                 ORDER BY created_at_ms LIMIT 5000",
                vec![sku.into()],
            )?
            .to_array()?;
        if !waiting.is_empty() {
            self.prune_log(now_ms)?;
        }
        let mut queued = Vec::new();
        for shopper in waiting {
            let vars = Vars {
                product_name: shopper.product_name,
                page_url: shopper.page_url,
                ..Vars::default()
            };
            let key = format!("back_in_stock:{event_id}:{}", shopper.email);
            queued.extend(self.insert_email(
                &key,
                EmailKind::BackInStock,
                &shopper.email,
                Some(sku),
                shopper.locale.as_deref(),
                &vars,
                now_ms,
            )?);
            self.sql.exec(
                "DELETE FROM subscriptions WHERE sku = ? AND email = ?",
                vec![sku.into(), shopper.email.as_str().into()],
            )?;
        }
        Ok(queued)
    }

    /// Tells the merchant that an endpoint was switched off, when it gave an
    /// address for such notices.
    pub(super) fn queue_endpoint_notice(
        &self,
        endpoint_id: &str,
        url: &str,
        now_ms: i64,
    ) -> Result<Option<String>> {
        let (config, _) = self.merchant_config()?;
        let Some(to) = config.notification_email else {
            return Ok(None);
        };
        self.prune_log(now_ms)?;
        let vars = Vars {
            endpoint_url: Some(url.to_owned()),
            endpoint_id: Some(endpoint_id.to_owned()),
            ..Vars::default()
        };
        self.insert_email(
            &format!("endpoint_disabled:{endpoint_id}:{now_ms}"),
            EmailKind::EndpointDisabled,
            &to,
            None,
            Some("en"),
            &vars,
            now_ms,
        )
    }

    /// The buyer's option notice `number` about `order`: one row per
    /// notice, however often the watcher looks.
    pub(super) fn queue_order_notice(
        &self,
        order: &Order,
        number: u32,
        now_ms: i64,
    ) -> Result<Option<String>> {
        if order.email.is_empty() {
            return Ok(None); // the buyer's address was erased
        }
        self.prune_log(now_ms)?;
        let vars = Vars {
            order_id: Some(order.id.clone()),
            notice_number: Some(number),
            ..Vars::default()
        };
        self.insert_email(
            &format!("order_delayed:{}:{number}", order.id),
            EmailKind::OrderDelayed,
            &order.email,
            None,
            order.locale.as_deref(),
            &vars,
            now_ms,
        )
    }

    /// Drops settled messages past the log's 30 days; once per batch of
    /// new messages, not per message.
    fn prune_log(&self, now_ms: i64) -> Result<()> {
        self.sql.exec(
            "DELETE FROM emails WHERE first_at_ms < ? AND state != 'pending'",
            vec![((now_ms - KEEP_MS) as f64).into()],
        )?;
        Ok(())
    }

    /// One message row, unless its key was queued before.
    #[allow(clippy::too_many_arguments)]
    fn insert_email(
        &self,
        key: &str,
        kind: EmailKind,
        email: &str,
        sku: Option<&str>,
        locale: Option<&str>,
        vars: &Vars,
        now_ms: i64,
    ) -> Result<Option<String>> {
        if any_row(
            &self.sql,
            "SELECT 1 FROM emails WHERE idem_key = ?",
            vec![key.into()],
        )? {
            return Ok(None);
        }
        let id = format!("em_{}", random_hex(&self.sql, 12)?);
        self.sql.exec(
            "INSERT INTO emails (id, idem_key, kind, email, sku, locale, vars, state, \
             first_at_ms, next_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            vec![
                id.as_str().into(),
                key.into(),
                kind.as_str().into(),
                email.into(),
                sku.into(),
                locale.into(),
                serde_json::to_string(vars)?.into(),
                (now_ms as f64).into(),
                (now_ms as f64).into(),
            ],
        )?;
        Ok(Some(id))
    }

    /// Leases a due message for one attempt and renders it; `None` when it
    /// is settled, leased by another attempt, or not due, and also when it
    /// must not go (the address is suppressed, or a cap is full: the row
    /// then says so, and a capped shopper keeps waiting for the SKU).
    pub(super) fn start_email(&self, id: &str, now_ms: i64) -> Result<Option<EmailJob>> {
        if !self.take_lease("emails", id, now_ms)? {
            return Ok(None);
        }
        let Some(row) = self.email_row(id)? else {
            return Ok(None);
        };
        let settle = |state: &str| -> Result<Option<EmailJob>> {
            self.sql.exec(
                "UPDATE emails SET state = ?, leased_until_ms = 0 WHERE id = ?",
                vec![state.into(), id.into()],
            )?;
            Ok(None)
        };
        let hash = address_hash(&row.email);
        let kind = row.kind();
        // An unsubscribe from stock alerts does not opt out of what the law
        // requires be sent (a delay notice); a bounce or complaint does.
        if self.is_suppressed_for(&hash, kind)? {
            return settle("suppressed");
        }
        let (config, _) = self.merchant_config()?;
        if !kind.transactional() && self.cap_room(&row, &config.email_caps, now_ms)?.is_err() {
            if kind == EmailKind::BackInStock {
                self.wait_again(&row)?;
            }
            return settle("capped");
        }
        let from = self.env.var("EMAIL_FROM")?.to_string();
        let public_url = self.env.var("PUBLIC_URL")?.to_string();
        let vars: Vars = serde_json::from_str(&row.vars)?;
        let unsubscribe_url = format!(
            "{}/v1/unsubscribe/{}",
            public_url.trim_end_matches('/'),
            token(&config.id, &hash, &self.unsubscribe_key()?)
        );
        let language = Language::of(row.locale.as_deref());
        let rendered = match kind {
            EmailKind::BackInStock => BackInStock {
                shop: &config.display_name,
                product: vars
                    .product_name
                    .as_deref()
                    .or(row.sku.as_deref())
                    .unwrap_or_default(),
                page_url: vars.page_url.as_deref(),
                unsubscribe_url: &unsubscribe_url,
            }
            .render(language),
            EmailKind::EndpointDisabled => EndpointDisabled {
                shop: &config.display_name,
                url: vars.endpoint_url.as_deref().unwrap_or_default(),
                endpoint_id: vars.endpoint_id.as_deref().unwrap_or_default(),
            }
            .render(),
            EmailKind::OrderDelayed => {
                let order = vars
                    .order_id
                    .as_deref()
                    .map(|id| self.order(id))
                    .transpose()?
                    .flatten();
                let notice = order.as_ref().and_then(|o| {
                    o.notices
                        .iter()
                        .find(|n| Some(n.number) == vars.notice_number)
                });
                let (Some(order), Some(notice)) = (&order, notice) else {
                    return settle("failed"); // the order is gone: nothing to say
                };
                DelayEmail {
                    shop: &config.display_name,
                    order: &order.id,
                    notice,
                    status_url: &order.status_url,
                    discount_code: order.delay_discount_code.as_deref(),
                }
                .render(language)
            }
        };
        let domain = from.rsplit('@').next().unwrap_or("upfront.invalid");
        let email = Email {
            from_name: config.display_name.clone(),
            from_address: from.clone(),
            to: row.email.clone(),
            reply_to: config.email_reply_to.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("{}@{domain}", row.id),
            date: timestamp(now_ms)?,
            language,
            unsubscribe_url: (!kind.transactional()).then_some(unsubscribe_url),
        };
        Ok(Some(EmailJob {
            from,
            to: row.email,
            raw: email.render(),
        }))
    }

    /// Settles an attempt: sent, or tried again with backoff (the
    /// transport's `error`), or failed after three days.
    pub(super) fn finish_email(
        &self,
        id: &str,
        error: Option<String>,
        retry: RetryPolicy,
        now_ms: i64,
    ) -> Result<AttemptOutcome> {
        let Some(row) = self.email_row(id)? else {
            return Ok(AttemptOutcome::Stale);
        };
        if row.state() != EmailState::Pending || row.leased_until_ms < now_ms {
            return Ok(AttemptOutcome::Stale);
        }
        let Some(error) = error else {
            self.sql.exec(
                "UPDATE emails SET state = 'sent', sent_at_ms = ?, leased_until_ms = 0, \
                 last_error = NULL WHERE id = ?",
                vec![(now_ms as f64).into(), id.into()],
            )?;
            return Ok(AttemptOutcome::Delivered);
        };
        if retry.expired(row.first_at_ms, now_ms) {
            self.sql.exec(
                "UPDATE emails SET state = 'failed', leased_until_ms = 0, last_error = ? \
                 WHERE id = ?",
                vec![error.into(), id.into()],
            )?;
            return Ok(AttemptOutcome::GaveUp);
        }
        let delay = self.jittered_backoff(row.attempts, retry.backoff_base_seconds)?;
        self.sql.exec(
            "UPDATE emails SET leased_until_ms = 0, next_at_ms = ?, last_error = ? WHERE id = ?",
            vec![
                ((now_ms + delay * 1000) as f64).into(),
                error.into(),
                id.into(),
            ],
        )?;
        Ok(AttemptOutcome::Retry {
            delay_seconds: u32::try_from(delay).unwrap_or(u32::MAX),
        })
    }

    /// `Ok(Err(_))` when one more message about this row's SKU would break
    /// a cap; a storage failure is an `Err`, never a cap. Messages leased
    /// right now count as sent: two attempts in flight cannot both take the
    /// last place.
    fn cap_room(
        &self,
        row: &EmailRow,
        caps: &FrequencyCaps,
        now_ms: i64,
    ) -> Result<Result<(), CapHit>> {
        #[derive(Deserialize)]
        struct Sent {
            sku: Option<String>,
            at_ms: i64,
        }
        let since = now_ms - upfront_shared::email::caps::WINDOW.as_millis() as i64;
        let sent: Vec<Sent> = self
            .sql
            .exec(
                "SELECT sku, COALESCE(sent_at_ms, first_at_ms) AS at_ms FROM emails \
                 WHERE email = ? AND id != ? AND kind IN ('back_in_stock') AND \
                 ((state = 'sent' AND sent_at_ms > ?) OR (state = 'pending' AND leased_until_ms > ?))",
                vec![
                    row.email.as_str().into(),
                    row.id.as_str().into(),
                    (since as f64).into(),
                    (now_ms as f64).into(),
                ],
            )?
            .to_array()?;
        let sent = sent
            .into_iter()
            .map(|s| Ok((s.sku.unwrap_or_default(), timestamp(s.at_ms)?)))
            .collect::<Result<Vec<(String, Timestamp)>>>()?;
        Ok(caps.check(
            &sent,
            row.sku.as_deref().unwrap_or_default(),
            timestamp(now_ms)?,
        ))
    }

    /// A capped back-in-stock shopper waits for the SKU's next return.
    fn wait_again(&self, row: &EmailRow) -> Result<()> {
        let vars: Vars = serde_json::from_str(&row.vars)?;
        let Some(sku) = &row.sku else { return Ok(()) };
        if any_row(
            &self.sql,
            "SELECT 1 FROM subscriptions WHERE sku = ? AND email = ?",
            vec![sku.as_str().into(), row.email.as_str().into()],
        )? {
            return Ok(());
        }
        self.sql.exec(
            "INSERT INTO subscriptions (sku, email, locale, product_name, page_url, created_at_ms) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                sku.as_str().into(),
                row.email.as_str().into(),
                row.locale.clone().into(),
                vars.product_name.into(),
                vars.page_url.into(),
                (row.first_at_ms as f64).into(),
            ],
        )?;
        Ok(())
    }

    fn email_row(&self, id: &str) -> Result<Option<EmailRow>> {
        Ok(self
            .sql
            .exec(
                &format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE id = ?"),
                vec![id.into()],
            )?
            .to_array::<EmailRow>()?
            .into_iter()
            .next())
    }

    /// The key the unsubscribe links are signed with, made on first use.
    fn unsubscribe_key(&self) -> Result<String> {
        self.meta_secret("unsubscribe_key")
    }

    /// A one-click unsubscribe: `false` unless the token is this store's.
    pub(super) fn unsubscribe(&self, token: &str, now_ms: i64) -> Result<bool> {
        let Some(parsed) = Token::parse(token) else {
            return Ok(false);
        };
        let (config, _) = self.merchant_config()?;
        if parsed.merchant != config.id || !parsed.verify(&self.unsubscribe_key()?) {
            return Ok(false);
        }
        self.suppress(parsed.address_hash, SuppressionReason::Unsubscribed, now_ms)?;
        Ok(true)
    }

    fn is_suppressed_for(&self, hash: &str, kind: EmailKind) -> Result<bool> {
        if !kind.transactional() {
            return self.is_suppressed(hash);
        }
        any_row(
            &self.sql,
            "SELECT 1 FROM suppressions WHERE address_hash = ? AND reason != 'unsubscribed'",
            vec![hash.into()],
        )
    }

    fn is_suppressed(&self, hash: &str) -> Result<bool> {
        any_row(
            &self.sql,
            "SELECT 1 FROM suppressions WHERE address_hash = ?",
            vec![hash.into()],
        )
    }

    /// Suppresses an address (by hash); a second reason keeps the first.
    /// Its waiting subscriptions go too, so no count promises mail that
    /// will never come.
    pub(super) fn suppress(
        &self,
        hash: &str,
        reason: SuppressionReason,
        now_ms: i64,
    ) -> Result<Suppression> {
        self.sql.exec(
            "INSERT INTO suppressions (address_hash, reason, created_at_ms) VALUES (?, ?, ?) \
             ON CONFLICT (address_hash) DO NOTHING",
            vec![hash.into(), reason.as_str().into(), (now_ms as f64).into()],
        )?;
        #[derive(Deserialize)]
        struct Address {
            email: String,
        }
        let waiting: Vec<Address> = self
            .sql
            .exec("SELECT DISTINCT email FROM subscriptions", None)?
            .to_array()?;
        for address in waiting.iter().filter(|a| address_hash(&a.email) == hash) {
            self.sql.exec(
                "DELETE FROM subscriptions WHERE email = ?",
                vec![address.email.as_str().into()],
            )?;
        }
        let page = PageQuery {
            limit: 1,
            ..PageQuery::default()
        };
        self.suppression_page(&page, Some(hash))?
            .data
            .into_iter()
            .next()
            .ok_or_else(|| worker::Error::RustError("suppression not stored".into()))
    }

    /// Whether nothing may be sent to `email` (normalized).
    pub(super) fn is_suppressed_address(&self, email: &str) -> Result<bool> {
        self.is_suppressed(&address_hash(email))
    }

    pub(super) fn list_suppressions(&self, page: &PageQuery) -> Result<SuppressionList> {
        self.suppression_page(page, None)
    }

    fn suppression_page(&self, page: &PageQuery, only: Option<&str>) -> Result<SuppressionList> {
        #[derive(Deserialize)]
        struct Row {
            address_hash: String,
            reason: String,
            created_at_ms: i64,
            position: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT address_hash, reason, created_at_ms, rowid AS position FROM suppressions \
                 WHERE rowid > ? AND (? IS NULL OR address_hash = ?) ORDER BY rowid LIMIT ?",
                vec![
                    (page.after_rowid() as f64).into(),
                    only.into(),
                    only.into(),
                    (f64::from(page.limit) + 1.0).into(),
                ],
            )?
            .to_array()?;
        let more = rows.len() > page.limit as usize;
        let rows = &rows[..rows.len().min(page.limit as usize)];
        Ok(SuppressionList {
            data: rows
                .iter()
                .map(|r| {
                    Ok(Suppression {
                        address_sha256: r.address_hash.clone(),
                        reason: serde_json::from_value(serde_json::Value::String(
                            r.reason.clone(),
                        ))?,
                        created: timestamp(r.created_at_ms)?,
                    })
                })
                .collect::<Result<_>>()?,
            next_cursor: more
                .then(|| rows.last().map(|r| r.position.to_string()))
                .flatten(),
        })
    }

    /// The log, newest first; the cursor is a row number.
    pub(super) fn email_log(&self, page: &PageQuery) -> Result<EmailLog> {
        let before = page
            .cursor
            .as_deref()
            .and_then(|c| c.parse::<i64>().ok())
            .unwrap_or(i64::MAX);
        let rows: Vec<EmailRow> = self
            .sql
            .exec(
                &format!(
                    "SELECT {EMAIL_COLUMNS} FROM emails WHERE rowid < ? ORDER BY rowid DESC LIMIT ?"
                ),
                vec![(before as f64).into(), (f64::from(page.limit) + 1.0).into()],
            )?
            .to_array()?;
        let more = rows.len() > page.limit as usize;
        let rows = &rows[..rows.len().min(page.limit as usize)];
        Ok(EmailLog {
            data: rows.iter().map(EmailRow::public).collect::<Result<_>>()?,
            next_cursor: more
                .then(|| rows.last().map(|r| r.position.to_string()))
                .flatten(),
        })
    }

    /// Forgets an address's messages (an erasure request); how many.
    pub(super) fn erase_emails(&self, email: &str) -> Result<i64> {
        self.delete_counted("emails", email)
    }

    /// Deletes `table`'s rows for `email`, counting them first: a cursor's
    /// `rows_written` also counts index entries.
    pub(super) fn delete_counted(&self, table: &str, email: &str) -> Result<i64> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let count: Count = self
            .sql
            .exec(
                &format!("SELECT COUNT(*) AS n FROM {table} WHERE email = ?"),
                vec![email.into()],
            )?
            .one()?;
        self.sql.exec(
            &format!("DELETE FROM {table} WHERE email = ?"),
            vec![email.into()],
        )?;
        Ok(count.n)
    }

    /// Whether anyone waits for one of `skus`: then a write must compare
    /// statuses, to tell them when it is back.
    pub(super) fn has_waiting_shoppers(&self, skus: &[String]) -> Result<bool> {
        any_row(
            &self.sql,
            "SELECT 1 FROM subscriptions WHERE sku IN (SELECT value FROM json_each(?)) LIMIT 1",
            vec![serde_json::to_string(skus)?.into()],
        )
    }
}
