//! A per-isolate micro-cache of whole read answers, beside the stock read
//! cache: a hot product page asks the same question many times a second,
//! and the delivery promise behind each answer costs far more than the
//! HTTP around it. Same lifetime as the read cache (`READ_CACHE_MS`, 1 s by
//! default, 0 turns both off), so a change still shows within 2 s; any
//! write through this isolate drops the merchant's answers at once.
//!
//! Past half its life an answer is renewed by one request, from fresh
//! stock, while the others keep getting it: without that, every request in
//! flight when it expired would ask the Durable Object at once, each second.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;

use worker::Env;

use crate::http::PreparedReply;
use crate::read_cache;

/// Past this many bytes of keys and answers the cache is emptied, so that
/// random questions cannot grow an isolate's memory (128 MB) without bound.
/// A batch answer is up to ~64 KB: a count of entries would not bound it.
const MAX_BYTES: usize = 16 << 20;

struct Entry {
    answer: Rc<PreparedReply>,
    made_ms: f64,
    /// One request is already making its successor.
    renewing: bool,
    /// Key and body, counted against `MAX_BYTES`.
    bytes: usize,
}

/// Keys are whole request URLs and batch bodies, chosen by strangers. The
/// hash starts from a per-isolate random salt, so nobody can precompute keys
/// that collide into one bucket (std's keys are fixed on wasm32).
#[derive(Clone, Copy)]
struct SaltedHash(u64);

impl BuildHasher for SaltedHash {
    type Hasher = DefaultHasher;
    fn build_hasher(&self) -> DefaultHasher {
        let mut hasher = DefaultHasher::new();
        hasher.write_u64(self.0);
        hasher
    }
}

type Answers = HashMap<Vec<u8>, Entry, SaltedHash>;

thread_local! {
    static ANSWERS: RefCell<HashMap<String, Answers>> = RefCell::new(HashMap::new());
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static SALT: SaltedHash = SaltedHash((js_sys::Math::random() * 2f64.powi(53)) as u64);
}

thread_local! {
    /// Lookups since the isolate started: hits, misses, renewals. The
    /// benchmark reads them (`GET /v1/test/cache-stats`, local runs only)
    /// to print the hit rate beside each read figure.
    static STATS: Cell<[u64; 3]> = const { Cell::new([0; 3]) };
}

/// This isolate's lookups so far: `[hits, misses, renewals]`.
pub fn stats() -> [u64; 3] {
    STATS.with(Cell::get)
}

/// What the cache says to a question.
pub enum Lookup {
    Hit(Rc<PreparedReply>),
    /// Nothing usable: answer from the read cache or the store.
    Miss,
    /// The held answer is past half its life and this request renews it:
    /// answer from the store itself, so the new answer's age is its data's.
    Renew,
}

/// One question to the cache, asked before any work is done; the answer it
/// then gets is kept for the next identical question.
pub struct Question<'a> {
    merchant: &'a str,
    /// The request URL (single reads) or the body itself (batches): an exact
    /// key, so a hit never needs hashing beyond the map's own.
    key: Cow<'a, [u8]>,
    asked_ms: f64,
    ttl_ms: f64,
}

impl<'a> Question<'a> {
    pub fn new(env: &Env, merchant: &'a str, key: impl Into<Cow<'a, [u8]>>) -> Self {
        Self {
            merchant,
            key: key.into(),
            asked_ms: worker::Date::now().as_millis() as f64,
            ttl_ms: read_cache::ttl_ms(env),
        }
    }

    /// The answer held for this question, unless it is past the TTL or this
    /// request is the one to renew it.
    pub fn lookup(&self) -> Lookup {
        let found = self.find();
        STATS.with(|stats| {
            let mut counts = stats.get();
            counts[match found {
                Lookup::Hit(_) => 0,
                Lookup::Miss => 1,
                Lookup::Renew => 2,
            }] += 1;
            stats.set(counts);
        });
        found
    }

    fn find(&self) -> Lookup {
        ANSWERS.with_borrow_mut(|all| {
            let Some(entry) = all
                .get_mut(self.merchant)
                .and_then(|answers| answers.get_mut(self.key.as_ref()))
            else {
                return Lookup::Miss;
            };
            let age = self.asked_ms - entry.made_ms;
            if age >= self.ttl_ms {
                Lookup::Miss
            } else if age >= self.ttl_ms / 2.0 && !entry.renewing {
                entry.renewing = true;
                Lookup::Renew
            } else {
                Lookup::Hit(entry.answer.clone())
            }
        })
    }

    /// Keeps `answer` for the next identical question (not when `READ_CACHE_MS` is 0).
    pub fn remember(self, answer: Rc<PreparedReply>) {
        if self.ttl_ms <= 0.0 {
            return;
        }
        let size = self.key.len() + answer.body_len();
        ANSWERS.with_borrow_mut(|all| {
            if BYTES.get() + size > MAX_BYTES {
                all.clear();
                BYTES.set(0);
            }
            BYTES.set(BYTES.get() + size);
            let salt = SALT.with(|salt| *salt);
            let answers = all
                .entry(self.merchant.to_owned())
                .or_insert_with(|| HashMap::with_hasher(salt));
            let replaced = answers.insert(
                self.key.into_owned(),
                Entry {
                    answer,
                    made_ms: self.asked_ms,
                    renewing: false,
                    bytes: size,
                },
            );
            if let Some(old) = replaced {
                BYTES.set(BYTES.get().saturating_sub(old.bytes));
            }
        });
    }
}

/// Any write may change any answer of the merchant's (stock, holds, the
/// delivery configuration behind every promise).
pub fn forget_merchant(merchant: &str) {
    ANSWERS.with_borrow_mut(|all| {
        if let Some(answers) = all.remove(merchant) {
            BYTES.set(
                BYTES
                    .get()
                    .saturating_sub(answers.values().map(|e| e.bytes).sum()),
            );
        }
    });
}
