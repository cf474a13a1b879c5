//! A per-isolate micro-cache of whole read answers, beside the stock read
//! cache: a hot product page asks the same question many times a second,
//! and the delivery promise behind each answer costs far more than the
//! HTTP around it. Same lifetime as the read cache (`READ_CACHE_MS`, 1 s by
//! default, 0 turns both off), so a change still shows within 2 s; any
//! write through this isolate drops the merchant's answers at once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

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

/// The answer to `question` if one younger than `ttl_ms` is held.
pub fn lookup(merchant: &str, question: &str, now_ms: f64, ttl_ms: f64) -> Option<CachedAnswer> {
    ANSWERS.with_borrow(|all| {
        all.get(merchant)?
            .get(question)
            .filter(|e| now_ms - e.made_ms < ttl_ms)
            .map(|e| e.answer.clone())
    })
}

pub fn store(merchant: &str, question: String, answer: CachedAnswer, now_ms: f64) {
    ANSWERS.with_borrow_mut(|all| {
        let answers = all.entry(merchant.to_owned()).or_default();
        if answers.len() >= MAX_ENTRIES_PER_MERCHANT {
            answers.clear();
        }
        answers.insert(
            question,
            Entry {
                answer,
                made_ms: now_ms,
            },
        );
    });
}

/// Any write may change any answer of the merchant's (stock, holds, the
/// delivery configuration behind every promise).
pub fn forget_merchant(merchant: &str) {
    ANSWERS.with_borrow_mut(|all| {
        all.remove(merchant);
    });
}
