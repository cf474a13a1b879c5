//! A per-isolate micro-cache of stock reads. Hot product pages ask the same
//! SKUs many times a second; answering repeats from memory for up to
//! `READ_CACHE_MS` (default 1,000 ms) spares the Durable Object almost all
//! of them. Together with `max-age=0, stale-while-revalidate=1` a stock
//! change still shows within 2 s. Writes through this isolate drop their
//! SKUs at once.

use std::cell::RefCell;
use std::collections::HashMap;

use worker::Env;

use crate::store::SkuRecord;

/// Past this many entries the whole cache is dropped: random SKUs from a
/// scraper must not grow an isolate's memory without bound.
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    fetched_ms: f64,
    /// `None` remembers that the SKU does not exist.
    record: Option<SkuRecord>,
}

thread_local! {
    static CACHE: RefCell<HashMap<(String, String), Entry>> = RefCell::new(HashMap::new());
    static TTL_MS: std::cell::OnceCell<f64> = const { std::cell::OnceCell::new() };
}

pub fn ttl_ms(env: &Env) -> f64 {
    // A binding never changes within an isolate: read it once, not per request.
    TTL_MS.with(|ttl| {
        *ttl.get_or_init(|| {
            env.var("READ_CACHE_MS")
                .ok()
                .and_then(|v| v.to_string().parse().ok())
                .unwrap_or(1000.0)
        })
    })
}

/// Splits `skus` into what the cache answers and what must be read.
pub fn lookup(
    merchant: &str,
    skus: Vec<String>,
    now_ms: f64,
    ttl_ms: f64,
) -> (Vec<SkuRecord>, Vec<String>) {
    CACHE.with_borrow(|cache| {
        let mut hits = Vec::new();
        let mut misses = Vec::new();
        for sku in skus {
            match cache.get(&(merchant.to_string(), sku.clone())) {
                Some(entry) if now_ms - entry.fetched_ms < ttl_ms => {
                    hits.extend(entry.record.clone())
                }
                _ => misses.push(sku),
            }
        }
        (hits, misses)
    })
}

/// Remembers a fresh read of `asked`, including the SKUs it did not find.
pub fn store(merchant: &str, asked: &[String], found: &[SkuRecord], now_ms: f64) {
    CACHE.with_borrow_mut(|cache| {
        if cache.len() + asked.len() > MAX_ENTRIES {
            cache.clear();
        }
        for sku in asked {
            let record = found.iter().find(|r| &r.sku == sku).cloned();
            cache.insert(
                (merchant.to_string(), sku.clone()),
                Entry {
                    fetched_ms: now_ms,
                    record,
                },
            );
        }
    });
}

/// Drops `skus`, and every cached answer of the merchant's, after a write.
pub fn forget(merchant: &str, skus: impl Iterator<Item = String>) {
    crate::answer_cache::forget_merchant(merchant);
    CACHE.with_borrow_mut(|cache| {
        for sku in skus {
            cache.remove(&(merchant.to_string(), sku));
        }
    });
}
