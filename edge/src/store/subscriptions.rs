//! Back-in-stock subscriptions: sign-ups, and the merchant's counts,
//! export and erasure.

use serde::{Deserialize, Serialize};
use upfront_shared::error::ErrorCode;
use upfront_shared::push::StockUpdate;
use upfront_shared::readback::{
    EraseResult, PageQuery, Subscription, SubscriptionCount, SubscriptionCounts, SubscriptionExport,
};
use upfront_shared::subscription::{Subscription as Signup, can_wait_for};
use worker::Result;

use super::{Store, any_row, timestamp};

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

impl Store {
    /// Stores the address for the SKU once. Read first, then insert: a
    /// unique index would count as a written row even when nothing changed.
    /// A suppressed address is answered alike and stored nowhere: nothing
    /// will be sent to it, and the answer must not tell anyone so.
    pub(super) fn subscribe_back_in_stock(
        &self,
        subscription: Signup,
        now_ms: i64,
    ) -> Result<SubscribeOutcome> {
        let sku = subscription.sku.as_str();
        let email = subscription.email.as_str();
        let Some(record) = self.read(&[sku.to_owned()])?.into_iter().next() else {
            return Ok(SubscribeOutcome::UnknownSku);
        };
        let now = timestamp(now_ms)?;
        if let Err(code) = can_wait_for(StockUpdate::of(&record.snapshot()?, now).status) {
            return Ok(SubscribeOutcome::Refused { code });
        }
        if self.is_suppressed_address(email)?
            || any_row(
                &self.sql,
                "SELECT 1 FROM subscriptions WHERE sku = ? AND email = ?",
                vec![sku.into(), email.into()],
            )?
        {
            return Ok(SubscribeOutcome::AlreadySubscribed);
        }
        self.sql.exec(
            "INSERT INTO subscriptions (sku, email, locale, product_name, page_url, created_at_ms) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                sku.into(),
                email.into(),
                subscription.locale.clone().into(),
                subscription.product_name.clone().into(),
                subscription.page_url.clone().into(),
                now_ms.into(),
            ],
        )?;
        Ok(SubscribeOutcome::Created)
    }

    /// Waiting addresses per SKU, by SKU; the cursor is the last SKU.
    pub(super) fn subscription_counts(&self, page: &PageQuery) -> Result<SubscriptionCounts> {
        let mut data: Vec<SubscriptionCount> = self
            .sql
            .exec(
                "SELECT sku, COUNT(*) AS count FROM subscriptions WHERE sku > ? \
                 GROUP BY sku ORDER BY sku LIMIT ?",
                vec![
                    page.cursor.as_deref().unwrap_or_default().into(),
                    (f64::from(page.limit) + 1.0).into(),
                ],
            )?
            .to_array()?;
        let more = data.len() > page.limit as usize;
        data.truncate(page.limit as usize);
        Ok(SubscriptionCounts {
            next_cursor: more.then(|| data.last().map(|c| c.sku.clone())).flatten(),
            data,
        })
    }

    /// Every waiting address, oldest first; the cursor is a row number.
    pub(super) fn subscription_export(&self, page: &PageQuery) -> Result<SubscriptionExport> {
        #[derive(Deserialize)]
        struct Row {
            sku: String,
            email: String,
            locale: Option<String>,
            created_at_ms: i64,
            position: i64,
        }
        let after = page.after_rowid();
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT sku, email, locale, created_at_ms, rowid AS position FROM subscriptions \
                 WHERE rowid > ? ORDER BY rowid LIMIT ?",
                vec![(after as f64).into(), (f64::from(page.limit) + 1.0).into()],
            )?
            .to_array()?;
        let more = rows.len() > page.limit as usize;
        let rows = &rows[..rows.len().min(page.limit as usize)];
        Ok(SubscriptionExport {
            data: rows
                .iter()
                .map(|r| {
                    Ok(Subscription {
                        sku: r.sku.clone(),
                        email: r.email.clone(),
                        locale: r.locale.clone(),
                        created_at: timestamp(r.created_at_ms)?,
                    })
                })
                .collect::<Result<_>>()?,
            next_cursor: more
                .then(|| rows.last().map(|r| r.position.to_string()))
                .flatten(),
        })
    }

    /// Deletes `email` (already normalized) from every SKU and from the
    /// email log, and suppresses it (by hash): an erased shopper is never
    /// written to again.
    pub(super) fn erase_subscriber(&self, email: &str, now_ms: i64) -> Result<EraseResult> {
        let deleted = self.delete_counted("subscriptions", email)?;
        let emails_deleted = self.erase_emails(email)?;
        let orders_anonymized = self.anonymize_orders(email)?;
        self.suppress(
            &upfront_shared::email::unsubscribe::address_hash(email),
            upfront_shared::email::records::SuppressionReason::Erased,
            now_ms,
        )?;
        Ok(EraseResult {
            deleted,
            emails_deleted,
            orders_anonymized,
        })
    }
}
