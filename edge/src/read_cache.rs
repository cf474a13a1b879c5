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

/// Past this many bytes (keys and records, as counted by `size_of`) the
/// whole cache is dropped: random SKUs from a scraper, or SKUs with many
/// locations and arrivals, must not grow an isolate's memory (128 MB)
/// without bound. A count of entries would not bound it: one record's
/// JSON columns can be kilobytes.
const MAX_BYTES: usize = 8 << 20;

struct Entry {
    fetched_ms: f64,
    /// `None` remembers that the SKU does not exist, so misses for unknown
    /// SKUs are answered from memory like hits.
    record: Option<SkuRecord>,
}

/// What an entry holds in memory, near enough: its strings and a fixed
/// overhead for the map slot and the numbers.
fn size_of(merchant: &str, sku: &str, record: Option<&SkuRecord>) -> usize {
    const OVERHEAD: usize = 160;
    OVERHEAD
        + merchant.len()
        + sku.len()
        + record.map_or(0, |r| {
            r.sku.len()
                + r.policy.len()
                + r.locations.len()
                + r.inbound.len()
                + r.preorder_release.as_ref().map_or(0, String::len)
        })
}

thread_local! {
    static CACHE: RefCell<HashMap<(String, String), Entry>> = RefCell::new(HashMap::new());
    static BYTES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
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
        for sku in asked {
            let record = found.iter().find(|r| &r.sku == sku).cloned();
            let size = size_of(merchant, sku, record.as_ref());
            if BYTES.get() + size > MAX_BYTES {
                cache.clear();
                BYTES.set(0);
            }
            let replaced = cache.insert(
                (merchant.to_string(), sku.clone()),
                Entry {
                    fetched_ms: now_ms,
                    record,
                },
            );
            let freed = replaced.map_or(0, |old| size_of(merchant, sku, old.record.as_ref()));
            BYTES.set(BYTES.get() + size - freed.min(BYTES.get() + size));
        }
    });
}

/// Drops `skus`, and every cached answer of the merchant's, after a write.
pub fn forget(merchant: &str, skus: impl Iterator<Item = String>) {
    crate::answer_cache::forget_merchant(merchant);
    CACHE.with_borrow_mut(|cache| {
        for sku in skus {
            if let Some(old) = cache.remove(&(merchant.to_string(), sku.clone())) {
                let freed = size_of(merchant, &sku, old.record.as_ref());
                BYTES.set(BYTES.get().saturating_sub(freed));
            }
        }
    });
}
