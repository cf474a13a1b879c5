//! Stock levels and the public status derived from them.
//!
//! Units sit in warehouses; checkout holds and paid orders (`held`,
//! `committed`) are counted per SKU, because a checkout does not know which
//! warehouse will ship it. Inbound purchase orders back `backorder` sales.

use jiff::civil::Date;
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
    /// On hand less what is promised: negative once backorders outrun the shelf.
    pub fn net(&self) -> i64 {
        self.on_hand - self.held - self.committed
    }

    /// Units a shopper can still buy from the shelf. Never negative, even
    /// when a merchant's count drifted below what is already promised.
    pub fn sellable(&self) -> i64 {
        self.net().max(0)
    }
}

/// A purchase order expected to arrive at a warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Inbound {
    pub arrives: Date,
    pub qty: i64,
}

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

/// The merchant's settings for one SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkuPolicy {
    /// At or below this many sellable units the status is `low_stock`.
    pub low_stock_threshold: i64,
    pub discontinued: bool,
    pub out_of_stock: OutOfStockPolicy,
    /// Until this date the SKU is a preorder.
    pub preorder_release: Option<Date>,
}

impl Default for SkuPolicy {
    fn default() -> Self {
        Self {
            low_stock_threshold: 5,
            discontinued: false,
            out_of_stock: OutOfStockPolicy::Deny,
            preorder_release: None,
        }
    }
}

/// The public stock status. Each maps to one Google Merchant Center
/// `availability` value: `in_stock` and `low_stock` to `in_stock`,
/// `backorder` to `backorder`, `preorder` to `preorder`, `out_of_stock` and
/// `discontinued` to `out_of_stock`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    InStock,
    LowStock,
    Backorder,
    Preorder,
    OutOfStock,
    Discontinued,
}

impl StockStatus {
    pub const ALL: [StockStatus; 6] = [
        Self::InStock,
        Self::LowStock,
        Self::Backorder,
        Self::Preorder,
        Self::OutOfStock,
        Self::Discontinued,
    ];

    /// The wire name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InStock => "in_stock",
            Self::LowStock => "low_stock",
            Self::Backorder => "backorder",
            Self::Preorder => "preorder",
            Self::OutOfStock => "out_of_stock",
            Self::Discontinued => "discontinued",
        }
    }

    /// The inverse of [`StockStatus::as_str`], without serde: the widget
    /// reads answers field by field to stay small.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A status with the date that goes with it: when a backorder of the asked
/// quantity is covered, when a preorder releases, when an out-of-stock SKU
/// restocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Derived {
    pub status: StockStatus,
    pub availability_date: Option<Date>,
}

/// Why `qty` cannot be sold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insufficient {
    /// The most that could be sold instead.
    pub available: i64,
}

/// The SKU's stock with everything its status depends on.
#[derive(Clone, Copy, Debug)]
pub struct Stock<'a> {
    pub level: StockLevel,
    pub policy: SkuPolicy,
    /// Expected arrivals over every warehouse, in any order.
    pub inbound: &'a [Inbound],
}

impl Stock<'_> {
    /// The first date by which `net + arrivals ≥ qty`, never before `today`
    /// (a late purchase order is still expected, just not in the past).
    fn covered_on(&self, qty: i64, today: Date) -> Option<Date> {
        let mut arrivals = self.inbound.to_vec();
        arrivals.sort();
        let mut have = self.level.net();
        if have >= qty {
            return Some(today);
        }
        arrivals.into_iter().find_map(|a| {
            have += a.qty;
            (have >= qty).then_some(a.arrives.max(today))
        })
    }

    fn inbound_total(&self) -> i64 {
        self.inbound.iter().map(|a| a.qty).sum()
    }

    /// Whether the policy lets `qty` more units be sold (held, then paid).
    ///
    /// ```
    /// use upfront_shared::stock::{Inbound, OutOfStockPolicy, SkuPolicy, Stock, StockLevel};
    /// let inbound = [Inbound { arrives: jiff::civil::date(2026, 12, 3), qty: 10 }];
    /// let level = StockLevel { on_hand: 5, held: 3, committed: 0 };
    /// let deny = Stock { level, policy: SkuPolicy::default(), inbound: &inbound };
    /// assert_eq!(deny.can_sell(3).unwrap_err().available, 2);
    /// let backorder = SkuPolicy { out_of_stock: OutOfStockPolicy::Backorder, ..SkuPolicy::default() };
    /// assert!(Stock { policy: backorder, ..deny }.can_sell(12).is_ok());
    /// assert_eq!(Stock { policy: backorder, ..deny }.can_sell(13).unwrap_err().available, 12);
    /// ```
    pub fn can_sell(&self, qty: i64) -> Result<(), Insufficient> {
        let limit = match self.policy.out_of_stock {
            OutOfStockPolicy::Deny => self.level.net(),
            OutOfStockPolicy::Backorder => self.level.net() + self.inbound_total(),
            OutOfStockPolicy::Continue => return Ok(()),
        };
        if self.policy.discontinued || limit < qty {
            let available = if self.policy.discontinued {
                0
            } else {
                limit.max(0)
            };
            return Err(Insufficient { available });
        }
        Ok(())
    }

    /// The status for a shopper asking about `qty` units on `today` (the
    /// merchant's date). Total: every input has exactly one status.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::stock::{Inbound, SkuPolicy, Stock, StockLevel, StockStatus};
    /// let level = StockLevel { on_hand: 10, held: 4, committed: 3 };
    /// let stock = Stock { level, policy: SkuPolicy::default(), inbound: &[] };
    /// assert_eq!(stock.derive(1, date(2026, 11, 24)).status, StockStatus::LowStock);
    /// ```
    pub fn derive(&self, qty: i64, today: Date) -> Derived {
        let policy = &self.policy;
        let net = self.level.net();
        let (status, availability_date) = if policy.discontinued {
            (StockStatus::Discontinued, None)
        } else if let Some(release) = policy.preorder_release.filter(|&r| r > today) {
            (StockStatus::Preorder, Some(release))
        } else if net > 0 && net <= policy.low_stock_threshold {
            (StockStatus::LowStock, None)
        } else if net > 0 {
            (StockStatus::InStock, None)
        } else {
            let covered = self.covered_on(qty.max(1), today);
            match policy.out_of_stock {
                OutOfStockPolicy::Backorder if covered.is_some() => {
                    (StockStatus::Backorder, covered)
                }
                OutOfStockPolicy::Continue => (StockStatus::Backorder, covered),
                _ => (StockStatus::OutOfStock, self.covered_on(1, today)),
            }
        };
        Derived {
            status,
            availability_date,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn status_names_match_serde() {
        for status in StockStatus::ALL {
            let json = serde_json::to_string(&status).expect("a status serializes");
            assert_eq!(json, ["\"", status.as_str(), "\""].concat());
            assert_eq!(StockStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(StockStatus::parse("sold_out"), None);
    }
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn level(on_hand: i64, held: i64, committed: i64) -> StockLevel {
        StockLevel {
            on_hand,
            held,
            committed,
        }
    }

    const TODAY: Date = date(2026, 11, 24);

    fn policy(out_of_stock: OutOfStockPolicy) -> SkuPolicy {
        SkuPolicy {
            low_stock_threshold: 3,
            out_of_stock,
            ..SkuPolicy::default()
        }
    }

    /// (level, policy, inbound, qty) -> (status, date)
    type Case<'a> = (
        StockLevel,
        OutOfStockPolicy,
        &'a [Inbound],
        i64,
        StockStatus,
        Option<Date>,
    );

    fn derive(level: StockLevel, policy: SkuPolicy, inbound: &[Inbound], qty: i64) -> Derived {
        Stock {
            level,
            policy,
            inbound,
        }
        .derive(qty, TODAY)
    }

    #[test]
    fn named_cases() {
        use OutOfStockPolicy::{Backorder as Sell, Continue, Deny};
        use StockStatus::*;
        let dec3 = Inbound {
            arrives: date(2026, 12, 3),
            qty: 4,
        };
        let dec10 = Inbound {
            arrives: date(2026, 12, 10),
            qty: 20,
        };
        let late = Inbound {
            arrives: date(2026, 11, 1),
            qty: 5,
        };
        let both: &[Inbound] = &[dec3, dec10];
        let reversed: &[Inbound] = &[dec10, dec3];
        let late_only: &[Inbound] = &[late];
        let none: &[Inbound] = &[];
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (level(100, 0, 0), Deny, none, 1, InStock, None),
            (level(4, 0, 0), Deny, none, 1, InStock, None),
            (level(3, 0, 0), Deny, none, 1, LowStock, None),
            (level(5, 1, 1), Deny, none, 1, LowStock, None),
            (level(0, 0, 0), Deny, none, 1, OutOfStock, None),
            (level(2, 2, 1), Deny, none, 1, OutOfStock, None),
            (level(0, 0, 0), Deny, reversed, 1, OutOfStock, Some(dec3.arrives)),
            (level(0, 0, 0), Sell, both, 2, Backorder, Some(dec3.arrives)),
            // Four arrive on Dec 3 but six are asked for: Dec 10 covers it.
            (level(0, 0, 0), Sell, both, 6, Backorder, Some(dec10.arrives)),
            // Two already backordered eat into the first arrival.
            (level(0, 2, 0), Sell, both, 3, Backorder, Some(dec10.arrives)),
            (level(0, 0, 0), Sell, none, 1, OutOfStock, None),
            // A late purchase order is still expected: from today on.
            (level(0, 0, 0), Sell, late_only, 1, Backorder, Some(TODAY)),
            (level(0, 0, 0), Continue, none, 1, Backorder, None),
        ];
        for &(level, out_of_stock, inbound, qty, status, on) in cases {
            let got = derive(level, policy(out_of_stock), inbound, qty);
            assert_eq!(
                (got.status, got.availability_date),
                (status, on),
                "{level:?} {out_of_stock:?} {inbound:?} {qty}"
            );
        }
    }

    #[test]
    fn discontinued_wins_over_stock_and_preorder_over_the_shelf() {
        let discontinued = SkuPolicy {
            discontinued: true,
            ..SkuPolicy::default()
        };
        assert_eq!(
            derive(level(50, 0, 0), discontinued, &[], 1).status,
            StockStatus::Discontinued
        );
        let release = date(2027, 1, 15);
        let preorder = SkuPolicy {
            preorder_release: Some(release),
            ..SkuPolicy::default()
        };
        let got = derive(level(50, 0, 0), preorder, &[], 1);
        assert_eq!(
            (got.status, got.availability_date),
            (StockStatus::Preorder, Some(release))
        );
        let released = Stock {
            level: level(50, 0, 0),
            policy: preorder,
            inbound: &[],
        }
        .derive(1, release);
        assert_eq!(released.status, StockStatus::InStock);
    }

    fn inbound() -> impl Strategy<Value = Vec<Inbound>> {
        proptest::collection::vec(
            (0i64..60, 0i64..50).prop_map(|(d, qty)| Inbound {
                arrives: TODAY.saturating_add(jiff::Span::new().days(d - 10)),
                qty,
            }),
            0..5,
        )
    }

    fn any_policy() -> impl Strategy<Value = SkuPolicy> {
        (
            0i64..10,
            any::<bool>(),
            prop_oneof![
                Just(OutOfStockPolicy::Deny),
                Just(OutOfStockPolicy::Backorder),
                Just(OutOfStockPolicy::Continue)
            ],
            proptest::option::of(-5i64..30),
        )
            .prop_map(
                |(threshold, discontinued, out_of_stock, release)| SkuPolicy {
                    low_stock_threshold: threshold,
                    discontinued,
                    out_of_stock,
                    preorder_release: release
                        .map(|d| TODAY.saturating_add(jiff::Span::new().days(d))),
                },
            )
    }

    proptest! {
        #[test]
        fn sellable_is_never_negative(on_hand in -1000i64..1000, held in 0i64..1000, committed in 0i64..1000) {
            prop_assert!(level(on_hand, held, committed).sellable() >= 0);
        }

        /// Total, and consistent: a date never lies in the past, the shelf
        /// decides only when it has units, and a deny SKU never backorders.
        #[test]
        fn derivation_is_total_and_consistent(
            on_hand in -50i64..100, held in 0i64..100, committed in 0i64..100,
            policy in any_policy(), arrivals in inbound(), qty in 0i64..40,
        ) {
            let l = level(on_hand, held, committed);
            let got = derive(l, policy, &arrivals, qty);
            prop_assert!(got.availability_date.is_none_or(|d| d >= TODAY));
            let on_shelf = matches!(got.status, StockStatus::InStock | StockStatus::LowStock);
            if !policy.discontinued && policy.preorder_release.is_none_or(|r| r <= TODAY) {
                prop_assert_eq!(on_shelf, l.net() > 0);
            }
            if policy.out_of_stock == OutOfStockPolicy::Deny {
                prop_assert_ne!(got.status, StockStatus::Backorder);
            }
            if got.status == StockStatus::Backorder && policy.out_of_stock == OutOfStockPolicy::Backorder {
                let stock = Stock { level: l, policy, inbound: &arrivals };
                prop_assert!(stock.can_sell(qty.max(1)).is_ok());
            }
        }
    }
}
