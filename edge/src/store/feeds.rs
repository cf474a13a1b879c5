//! The ad-channel feeds, the store's half: the feed URL's secret, what a
//! feed's `ETag` is made of, and the SKUs a page at a time as feed items.

use serde::{Deserialize, Serialize};
use upfront_shared::feed::FeedItem;
use upfront_shared::merchant::MerchantConfig;
use upfront_shared::promise::config::merchant_zone;
use worker::{Result, SqlStorage};

use super::inventory::SkuRecord;
use super::{Store, random_hex, timestamp};

/// What a feed request needs before its first row.
#[derive(Serialize, Deserialize)]
pub struct FeedHead {
    pub settings: MerchantConfig,
    /// The last write that may have changed a feed's row (stock, rules,
    /// levels, configuration), in ms since 1970.
    pub changed_ms: i64,
}

/// A page of feed items in SKU order; the next page starts after `next`.
#[derive(Serialize, Deserialize)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    pub next: Option<String>,
}

/// Marks the feeds changed, when the merchant has any (a store without a
/// feed URL writes nothing more per write).
pub(super) fn feed_changed(store: &Store, now_ms: i64) -> Result<()> {
    let has_feeds = match store.has_feeds.get() {
        Some(known) => known,
        None => {
            let known = store.meta("feed_token")?.is_some();
            store.has_feeds.set(Some(known));
            known
        }
    };
    if has_feeds {
        store.set_meta("feed_changed_ms", &now_ms.to_string())?;
    }
    Ok(())
}

impl Store {
    /// The feed token, made on first use; `roll` replaces it (the old URLs
    /// stop at once).
    pub(super) fn feed_token(&self, roll: bool, now_ms: i64) -> Result<String> {
        if !roll && let Some(token) = self.meta("feed_token")? {
            return Ok(token);
        }
        let merchant = self.merchant_config()?.0.id;
        let token = format!("ft_{merchant}.{}", random_hex(&self.sql, 16)?);
        self.set_meta("feed_token", &token)?;
        self.has_feeds.set(Some(true));
        self.set_meta("feed_changed_ms", &now_ms.to_string())?;
        Ok(token)
    }

    fn feed_token_matches(&self, token: &str) -> Result<bool> {
        let stored = self.meta("feed_token")?.unwrap_or_default();
        Ok(!stored.is_empty()
            && upfront_shared::keys::constant_time_eq(stored.as_bytes(), token.as_bytes()))
    }

    pub(super) fn feed_head(&self, token: &str) -> Result<Option<FeedHead>> {
        if !self.feed_token_matches(token)? {
            return Ok(None);
        }
        let changed_ms = self
            .meta("feed_changed_ms")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Some(FeedHead {
            settings: self.merchant_config()?.0,
            changed_ms,
        }))
    }

    /// Up to `limit` SKUs after `after`, as every feed states them at
    /// `now_ms`: the derivation the availability answer uses, in the
    /// primary warehouse's zone, with ads paused where a guard stopped them.
    pub(super) fn feed_page(
        &self,
        token: &str,
        after: &str,
        limit: u32,
        now_ms: i64,
    ) -> Result<Option<FeedPage>> {
        if !self.feed_token_matches(token)? {
            return Ok(None);
        }
        let records: Vec<SkuRecord> = read_after(&self.sql, after, limit)?;
        let now = timestamp(now_ms)?;
        let zone = merchant_zone(self.compiled_config()?.as_ref());
        let paused = self.paused_skus(now_ms)?;
        let next = (records.len() == limit as usize)
            .then(|| records.last().map(|r| r.sku.clone()))
            .flatten();
        let items = records
            .into_iter()
            .map(|record| {
                let snapshot = record.snapshot()?;
                let pause = paused.contains(&snapshot.sku);
                Ok(FeedItem::of(&snapshot, now, &zone, pause))
            })
            .collect::<Result<_>>()?;
        Ok(Some(FeedPage { items, next }))
    }
}

fn read_after(sql: &SqlStorage, after: &str, limit: u32) -> Result<Vec<SkuRecord>> {
    sql.exec(
        "SELECT * FROM sku WHERE sku > ? ORDER BY sku LIMIT ?",
        vec![after.into(), f64::from(limit).into()],
    )?
    .to_array()
}
