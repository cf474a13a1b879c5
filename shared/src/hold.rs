//! Checkout holds: units set aside while a shopper pays.
//!
//! The rules are pure functions over a [`StockLevel`], so the Durable Object
//! and the property tests below run the same decisions. A `deny` SKU never
//! holds more than it can sell: `on_hand − held − committed ≥ 0` after every
//! operation that starts from a state where it held.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};
use crate::ingest::MAX_QUANTITY;
use crate::sku::is_valid_sku;
use crate::stock::{Insufficient, Stock, StockLevel};

/// The longest a hold may last: 30 minutes, the usual checkout session.
pub const MAX_HOLD_SECONDS: u32 = 1800;
pub const DEFAULT_HOLD_SECONDS: u32 = 600;
pub const MAX_HOLD_QTY: i64 = 10_000;

/// `POST /v1/holds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub sku: String,
    pub qty: i64,
    /// 1 to 1800; default 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<i64>,
}

impl HoldRequest {
    /// The validated quantity and lifetime in seconds.
    pub fn validate(&self) -> Result<(i64, u32), ErrorBody> {
        let invalid = |m: &str, p: &str| ErrorBody::new(ErrorCode::InvalidRequest, m).with_param(p);
        if !is_valid_sku(&self.sku) {
            return Err(invalid(
                "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
                "sku",
            ));
        }
        if !(1..=MAX_HOLD_QTY).contains(&self.qty) {
            return Err(invalid("qty must be from 1 to 10000", "qty"));
        }
        let ttl = self.ttl_seconds.unwrap_or(i64::from(DEFAULT_HOLD_SECONDS));
        if !(1..=i64::from(MAX_HOLD_SECONDS)).contains(&ttl) {
            return Err(invalid("ttl_seconds must be from 1 to 1800", "ttl_seconds"));
        }
        Ok((self.qty, ttl as u32))
    }
}

/// Where a hold is in its life. Only `open` holds count against stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    Open,
    /// Paid, not yet shipped: counts in `committed`.
    Committed,
    Released,
    Expired,
    /// Shipped: its units left the shelf and `committed` alike.
    Fulfilled,
    /// A paid sale called off before shipping: its units are back on sale.
    Cancelled,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Committed => "committed",
            Self::Released => "released",
            Self::Expired => "expired",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Self::Open),
            "committed" => Some(Self::Committed),
            "released" => Some(Self::Released),
            "expired" => Some(Self::Expired),
            "fulfilled" => Some(Self::Fulfilled),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// A hold as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Hold {
    pub id: String,
    pub sku: String,
    pub qty: i64,
    pub state: HoldState,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub expires_at: jiff::Timestamp,
}

impl Stock<'_> {
    /// Places a hold of `qty` if the policy allows it, and returns the level after it.
    ///
    /// ```
    /// use upfront_shared::stock::{OutOfStockPolicy, SkuPolicy, Stock, StockLevel};
    /// let level = StockLevel { on_hand: 5, held: 3, committed: 0 };
    /// let stock = Stock { level, policy: SkuPolicy::default(), inbound: &[] };
    /// assert_eq!(stock.try_hold(2).unwrap().held, 5);
    /// assert_eq!(stock.try_hold(3).unwrap_err().available, 2);
    /// let anyway = SkuPolicy { out_of_stock: OutOfStockPolicy::Continue, ..SkuPolicy::default() };
    /// assert!(Stock { policy: anyway, ..stock }.try_hold(3).is_ok());
    /// ```
    pub fn try_hold(&self, qty: i64) -> Result<StockLevel, Insufficient> {
        self.can_sell(qty)?;
        // Whatever the policy, held and committed stay within 10⁹ (held
        // units become committed ones, so bounding their sum bounds both).
        let room = MAX_QUANTITY - self.level.held - self.level.committed;
        if qty > room {
            return Err(Insufficient {
                available: room.max(0),
            });
        }
        Ok(StockLevel {
            held: self.level.held + qty,
            ..self.level
        })
    }
}

impl StockLevel {
    /// The shopper paid: held units become committed.
    pub fn commit_hold(self, qty: i64) -> StockLevel {
        StockLevel {
            held: self.held - qty,
            committed: self.committed + qty,
            ..self
        }
    }

    /// Released or expired: held units go back on sale.
    pub fn drop_hold(self, qty: i64) -> StockLevel {
        StockLevel {
            held: self.held - qty,
            ..self
        }
    }
}

/// After a merchant recount of a `deny` SKU, how many of its open holds,
/// newest first, must be released so that `on_hand − held − committed ≥ 0`
/// again. The newest checkouts lose their hold: the oldest are closest to
/// paying. Paid units are never taken back, so a count below `committed`
/// releases every hold and leaves the shortfall for the merchant to see.
///
/// ```
/// use upfront_shared::hold::holds_to_release;
/// use upfront_shared::stock::StockLevel;
/// let recounted = StockLevel { on_hand: 4, held: 5, committed: 1 };
/// assert_eq!(holds_to_release(recounted, &[1, 1, 3]), 2);
/// ```
pub fn holds_to_release(level: StockLevel, open_newest_first: &[i64]) -> usize {
    let mut held = level.held;
    let mut released = 0;
    for qty in open_newest_first {
        if level.on_hand - held - level.committed >= 0 {
            break;
        }
        held -= qty;
        released += 1;
    }
    released
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::{OutOfStockPolicy, SkuPolicy};
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Hold(i64),
        Commit(usize),
        Release(usize),
        Expire(usize),
        /// A merchant recount, possibly below what is held.
        Recount(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..20).prop_map(Op::Hold),
            (0usize..50).prop_map(Op::Commit),
            (0usize..50).prop_map(Op::Release),
            (0usize..50).prop_map(Op::Expire),
            (0i64..30).prop_map(Op::Recount),
        ]
    }

    proptest! {
        /// Random sequences of hold, commit, release, expire and recount keep
        /// a deny SKU's invariant, and `held` always equals the sum of open
        /// holds. Recounts never go below what was paid for: a shelf cannot
        /// un-ship an order (see `holds_to_release`).
        #[test]
        fn deny_never_oversells(start in 0i64..50, ops in proptest::collection::vec(op(), 0..200)) {
            let mut level = StockLevel { on_hand: start, held: 0, committed: 0 };
            let mut open: Vec<i64> = Vec::new();
            for op in ops {
                match op {
                    Op::Hold(qty) => {
                        let stock = Stock { level, policy: SkuPolicy::default(), inbound: &[] };
                        if let Ok(next) = stock.try_hold(qty) {
                            level = next;
                            open.push(qty);
                        } else {
                            prop_assert!(level.sellable() < qty);
                        }
                    }
                    Op::Commit(i) if !open.is_empty() => {
                        level = level.commit_hold(open.remove(i % open.len()));
                    }
                    Op::Release(i) | Op::Expire(i) if !open.is_empty() => {
                        level = level.drop_hold(open.remove(i % open.len()));
                    }
                    Op::Recount(extra) => {
                        level.on_hand = level.committed + extra;
                        let newest_first: Vec<i64> = open.iter().rev().copied().collect();
                        for _ in 0..holds_to_release(level, &newest_first) {
                            let qty = open.pop().unwrap_or_default();
                            level = level.drop_hold(qty);
                        }
                    }
                    _ => {}
                }
                prop_assert!(level.on_hand - level.held - level.committed >= 0, "{level:?}");
                prop_assert_eq!(level.held, open.iter().sum::<i64>());
            }
        }

        /// `continue` sells past the shelf, but never past 10⁹ held and committed.
        #[test]
        fn holds_stay_within_the_quantity_bound(held in 0i64..=MAX_QUANTITY, qty in 1i64..=MAX_HOLD_QTY) {
            let level = StockLevel { on_hand: 0, held, committed: MAX_QUANTITY - held };
            let policy = SkuPolicy { out_of_stock: OutOfStockPolicy::Continue, ..SkuPolicy::default() };
            let stock = Stock { level, policy, inbound: &[] };
            prop_assert!(stock.try_hold(qty).is_err());
        }

        #[test]
        fn continue_always_holds(on_hand in 0i64..10, qty in 1i64..100) {
            let level = StockLevel { on_hand, held: 0, committed: 0 };
            let policy = SkuPolicy { out_of_stock: OutOfStockPolicy::Continue, ..SkuPolicy::default() };
            let stock = Stock { level, policy, inbound: &[] };
            prop_assert!(stock.try_hold(qty).is_ok());
        }

        /// Backorders never outrun the shelf plus what is inbound.
        #[test]
        fn backorder_never_outruns_inbound(
            on_hand in 0i64..20, inbound_qty in 0i64..50, holds in proptest::collection::vec(1i64..10, 0..40),
        ) {
            let inbound = [crate::stock::Inbound { arrives: jiff::civil::date(2026, 12, 1), qty: inbound_qty }];
            let policy = SkuPolicy { out_of_stock: OutOfStockPolicy::Backorder, ..SkuPolicy::default() };
            let mut level = StockLevel { on_hand, held: 0, committed: 0 };
            for qty in holds {
                let stock = Stock { level, policy, inbound: &inbound };
                if let Ok(next) = stock.try_hold(qty) {
                    level = next;
                }
                prop_assert!(level.net() + inbound_qty >= 0, "{level:?}");
            }
        }
    }

    #[test]
    fn request_validation() {
        let req = |qty, ttl| HoldRequest {
            sku: "A".into(),
            qty,
            ttl_seconds: ttl,
        };
        assert_eq!(req(2, None).validate(), Ok((2, DEFAULT_HOLD_SECONDS)));
        assert_eq!(req(2, Some(1800)).validate(), Ok((2, 1800)));
        assert_eq!(
            req(2, Some(1801))
                .validate()
                .expect_err("invalid")
                .error
                .param
                .as_deref(),
            Some("ttl_seconds")
        );
        assert_eq!(
            req(0, None)
                .validate()
                .expect_err("invalid")
                .error
                .param
                .as_deref(),
            Some("qty")
        );
        for state in [
            HoldState::Open,
            HoldState::Committed,
            HoldState::Released,
            HoldState::Expired,
        ] {
            assert_eq!(HoldState::parse(state.as_str()), Some(state));
        }
    }
}
