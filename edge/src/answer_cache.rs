//! A per-isolate micro-cache of whole read answers, beside the stock read
//! cache: a hot product page asks the same question many times a second,
//! and the delivery promise behind each answer costs far more than the
//! HTTP around it. Same lifetime as the read cache (`READ_CACHE_MS`, 1 s by
//! default, 0 turns both off), so a change still shows within 2 s; any
//! write through this isolate drops the merchant's answers at once.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use worker::Env;

use crate::read_cache;

/// Past this many answers a merchant's entries are dropped, so that random
/// questions cannot grow an isolate's memory without bound.
const MAX_ENTRIES_PER_MERCHANT: usize = 5_000;

/// A serialized answer and its strong `ETag`.
#[derive(Clone)]
pub struct CachedAnswer {
    pub body: Rc<[u8]>,
    pub etag: Rc<str>,
}

struct Entry {
    answer: CachedAnswer,
    made_ms: f64,
}

thread_local! {
    static ANSWERS: RefCell<HashMap<String, HashMap<String, Entry>>> = RefCell::new(HashMap::new());
}

/// One question to the cache, asked before any work is done; the answer it
/// then gets is kept for the next identical question.
pub struct Question<'a> {
    merchant: &'a str,
    /// The request URL (single reads) or a fingerprint of the body (batches).
    key: Cow<'a, str>,
    asked_ms: f64,
    ttl_ms: f64,
}

impl<'a> Question<'a> {
    pub fn new(env: &Env, merchant: &'a str, key: impl Into<Cow<'a, str>>) -> Self {
        Self {
            merchant,
            key: key.into(),
            asked_ms: worker::Date::now().as_millis() as f64,
            ttl_ms: read_cache::ttl_ms(env),
        }
    }

    /// The answer held for this question, if younger than the TTL.
    pub fn cached(&self) -> Option<CachedAnswer> {
        ANSWERS.with_borrow(|all| {
            all.get(self.merchant)?
                .get(self.key.as_ref())
                .filter(|e| self.asked_ms - e.made_ms < self.ttl_ms)
                .map(|e| e.answer.clone())
        })
    }

    /// Keeps `answer` for the next identical question (not when `READ_CACHE_MS` is 0).
    pub fn remember(self, answer: CachedAnswer) {
        if self.ttl_ms <= 0.0 {
            return;
        }
        ANSWERS.with_borrow_mut(|all| {
            let answers = all.entry(self.merchant.to_owned()).or_default();
            if answers.len() >= MAX_ENTRIES_PER_MERCHANT {
                answers.clear();
            }
            answers.insert(
                self.key.into_owned(),
                Entry {
                    answer,
                    made_ms: self.asked_ms,
                },
            );
        });
    }
}

/// Any write may change any answer of the merchant's (stock, holds, the
/// delivery configuration behind every promise).
pub fn forget_merchant(merchant: &str) {
    ANSWERS.with_borrow_mut(|all| {
        all.remove(merchant);
    });
}
