//! Checkout holds: units set aside while a shopper pays.
//!
//! The rules are pure functions over a [`StockLevel`], so the Durable Object
//! and the property tests below run the same decisions. A `deny` SKU never
//! holds more than it can sell: `on_hand − held − committed ≥ 0` after every
//! operation that starts from a state where it held.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};
use crate::sku::is_valid_sku;
use crate::stock::StockLevel;

/// The longest a hold may last: 30 minutes, the usual checkout session.
pub const MAX_HOLD_SECONDS: u32 = 1800;
pub const DEFAULT_HOLD_SECONDS: u32 = 600;
pub const MAX_HOLD_QTY: i64 = 10_000;

/// What happens when a SKU runs out (Shopify's "continue selling when out
/// of stock", split by whether inbound stock backs the sale).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutOfStockPolicy {
    /// Refuse holds beyond sellable stock.
    #[default]
    Deny,
    /// Keep selling against inbound purchase orders.
    Backorder,
    /// Keep selling regardless.
    Continue,
}

impl OutOfStockPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Backorder => "backorder",
            Self::Continue => "continue",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "deny" => Some(Self::Deny),
            "backorder" => Some(Self::Backorder),
            "continue" => Some(Self::Continue),
            _ => None,
        }
    }
}

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
    Committed,
    Released,
    Expired,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Committed => "committed",
            Self::Released => "released",
            Self::Expired => "expired",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Self::Open),
            "committed" => Some(Self::Committed),
            "released" => Some(Self::Released),
            "expired" => Some(Self::Expired),
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

/// Why a hold could not be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insufficient {
    pub available: i64,
}

impl StockLevel {
    /// Places a hold of `qty` if the policy allows it.
    ///
    /// ```
    /// use upfront_shared::hold::OutOfStockPolicy;
    /// use upfront_shared::stock::StockLevel;
    /// let level = StockLevel { on_hand: 5, held: 3, committed: 0 };
    /// assert!(level.try_hold(2, OutOfStockPolicy::Deny).is_ok());
    /// assert_eq!(level.try_hold(3, OutOfStockPolicy::Deny).unwrap_err().available, 2);
    /// assert!(level.try_hold(3, OutOfStockPolicy::Continue).is_ok());
    /// ```
    pub fn try_hold(self, qty: i64, policy: OutOfStockPolicy) -> Result<StockLevel, Insufficient> {
        if policy == OutOfStockPolicy::Deny && self.sellable() < qty {
            return Err(Insufficient {
                available: self.sellable(),
            });
        }
        Ok(StockLevel {
            held: self.held + qty,
            ..self
        })
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Hold(i64),
        Commit(usize),
        Release(usize),
        Expire(usize),
        /// A merchant recount that never drops below what is promised.
        Restock(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..20).prop_map(Op::Hold),
            (0usize..50).prop_map(Op::Commit),
            (0usize..50).prop_map(Op::Release),
            (0usize..50).prop_map(Op::Expire),
            (0i64..30).prop_map(Op::Restock),
        ]
    }

    proptest! {
        /// Random sequences keep a deny SKU's invariant, and `held` always
        /// equals the sum of open holds.
        #[test]
        fn deny_never_oversells(start in 0i64..50, ops in proptest::collection::vec(op(), 0..200)) {
            let mut level = StockLevel { on_hand: start, held: 0, committed: 0 };
            let mut open: Vec<i64> = Vec::new();
            for op in ops {
                match op {
                    Op::Hold(qty) => {
                        if let Ok(next) = level.try_hold(qty, OutOfStockPolicy::Deny) {
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
                    Op::Restock(extra) => level.on_hand = level.held + level.committed + extra,
                    _ => {}
                }
                prop_assert!(level.on_hand - level.held - level.committed >= 0, "{level:?}");
                prop_assert_eq!(level.held, open.iter().sum::<i64>());
            }
        }

        #[test]
        fn continue_always_holds(on_hand in 0i64..10, qty in 1i64..100) {
            let level = StockLevel { on_hand, held: 0, committed: 0 };
            prop_assert!(level.try_hold(qty, OutOfStockPolicy::Continue).is_ok());
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
