//! Stock levels and the public status derived from them.

use serde::{Deserialize, Serialize};

/// What a SKU physically has, summed over its warehouses.
///
/// `held` counts units in open checkout holds; `committed` counts units that
/// were paid for but have not shipped. Neither may be sold again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub on_hand: i64,
    pub held: i64,
    pub committed: i64,
}

impl StockLevel {
    /// Units a shopper can still buy. Never negative, even when a merchant's
    /// count drifted below what is already promised.
    pub fn sellable(&self) -> i64 {
        (self.on_hand - self.held - self.committed).max(0)
    }
}

/// The merchant's settings for one SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuPolicy {
    /// At or below this many sellable units the status is `low_stock`.
    pub low_stock_threshold: i64,
    pub discontinued: bool,
}

impl Default for SkuPolicy {
    fn default() -> Self {
        Self {
            low_stock_threshold: 5,
            discontinued: false,
        }
    }
}

/// The public stock status, in Google Merchant Center's vocabulary where it
/// has one (`low_stock` maps to `in_stock` there, `discontinued` to
/// `out_of_stock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    InStock,
    LowStock,
    OutOfStock,
    Discontinued,
}

impl StockStatus {
    /// Derives the status from the level and the policy. Total: every input
    /// has exactly one status.
    ///
    /// ```
    /// use upfront_shared::stock::{SkuPolicy, StockLevel, StockStatus};
    /// let level = StockLevel { on_hand: 10, held: 4, committed: 3 };
    /// assert_eq!(StockStatus::derive(&level, &SkuPolicy::default()), StockStatus::LowStock);
    /// ```
    pub fn derive(level: &StockLevel, policy: &SkuPolicy) -> Self {
        let sellable = level.sellable();
        if policy.discontinued {
            Self::Discontinued
        } else if sellable == 0 {
            Self::OutOfStock
        } else if sellable <= policy.low_stock_threshold {
            Self::LowStock
        } else {
            Self::InStock
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(on_hand: i64, held: i64, committed: i64) -> StockLevel {
        StockLevel {
            on_hand,
            held,
            committed,
        }
    }

    #[test]
    fn named_cases() {
        let policy = SkuPolicy {
            low_stock_threshold: 3,
            discontinued: false,
        };
        let cases = [
            (level(100, 0, 0), StockStatus::InStock),
            (level(4, 0, 0), StockStatus::InStock),
            (level(3, 0, 0), StockStatus::LowStock),
            (level(5, 1, 1), StockStatus::LowStock),
            (level(1, 0, 0), StockStatus::LowStock),
            (level(0, 0, 0), StockStatus::OutOfStock),
            (level(2, 2, 1), StockStatus::OutOfStock),
        ];
        for (level, want) in cases {
            assert_eq!(StockStatus::derive(&level, &policy), want, "{level:?}");
        }
    }

    #[test]
    fn discontinued_wins_over_stock() {
        let policy = SkuPolicy {
            low_stock_threshold: 3,
            discontinued: true,
        };
        assert_eq!(
            StockStatus::derive(&level(50, 0, 0), &policy),
            StockStatus::Discontinued
        );
    }

    proptest! {
        #[test]
        fn sellable_is_never_negative(on_hand in -1000i64..1000, held in 0i64..1000, committed in 0i64..1000) {
            prop_assert!(level(on_hand, held, committed).sellable() >= 0);
        }

        #[test]
        fn out_of_stock_exactly_when_nothing_sellable(on_hand in 0i64..100, held in 0i64..100, threshold in 0i64..10) {
            let l = level(on_hand, held, 0);
            let status = StockStatus::derive(&l, &SkuPolicy { low_stock_threshold: threshold, discontinued: false });
            prop_assert_eq!(status == StockStatus::OutOfStock, l.sellable() == 0);
        }
    }
}
