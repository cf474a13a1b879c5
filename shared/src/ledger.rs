//! The stock ledger after the sale: shipping, cancelling, recounting, and
//! what a Shopify level already counts.
//!
//! `on_hand` is what is physically on the shelf, `committed` what is sold
//! but not shipped, `held` what open checkouts set aside; a shopper can buy
//! `on_hand − committed − held`. Shipping takes a sale's units out of both
//! `on_hand` and `committed`; a recount sets `on_hand` and nothing else; a
//! cancelled sale leaves `committed`. So a recount after shipping never
//! subtracts a shipped sale a second time.

use crate::answer::StockSnapshot;
use crate::ingest::MAX_QUANTITY;
use crate::stock::StockLevel;

impl StockLevel {
    /// A paid sale of `qty` shipped: its units leave the shelf and the
    /// sold-but-unshipped count. Neither goes below zero, even when a
    /// recount already took the units off (the shelf cannot go negative).
    ///
    /// ```
    /// use upfront_shared::stock::StockLevel;
    /// let level = StockLevel { on_hand: 10, held: 1, committed: 3 };
    /// assert_eq!(level.ship(2), StockLevel { on_hand: 8, held: 1, committed: 1 });
    /// ```
    pub fn ship(self, qty: i64) -> StockLevel {
        StockLevel {
            on_hand: (self.on_hand - qty).clamp(0, MAX_QUANTITY),
            committed: (self.committed - qty).clamp(0, MAX_QUANTITY),
            ..self
        }
    }

    /// A paid, unshipped sale called off: its units go back on sale.
    pub fn cancel_sale(self, qty: i64) -> StockLevel {
        StockLevel {
            committed: (self.committed - qty).clamp(0, MAX_QUANTITY),
            ..self
        }
    }

    /// A merchant's count of the shelf. Sold-but-unshipped units are still
    /// on it, so `committed` stays as it is.
    pub fn recount(self, on_hand: i64) -> StockLevel {
        StockLevel {
            on_hand: on_hand.clamp(0, MAX_QUANTITY),
            ..self
        }
    }

    /// Sales of `qty` that a Shopify level already nets out (Shopify's
    /// `available` is its shelf less its own committed orders): they leave
    /// our `committed`, so they are not subtracted twice.
    pub fn absorb(self, qty: i64) -> StockLevel {
        self.cancel_sale(qty)
    }
}

impl StockSnapshot {
    /// Ships `qty` units (see [`StockLevel::ship`]). Per-warehouse counts
    /// lose them too, in the order the warehouses are listed (the primary
    /// first, as holds are allocated), so `on_hand` stays their sum.
    pub fn ship(&mut self, qty: i64) {
        self.level = self.level.ship(qty);
        let mut left = qty;
        for location in &mut self.locations {
            let taken = left.min(location.on_hand).max(0);
            location.on_hand -= taken;
            left -= taken;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hold::holds_to_release;
    use crate::stock::{SkuPolicy, Stock};
    use proptest::prelude::*;

    /// What happens in the shop, step by step.
    #[derive(Clone, Debug)]
    enum Step {
        Hold(i64),
        Pay(usize),
        Abandon(usize),
        Expire(usize),
        Ship(usize),
        Cancel(usize),
        /// Goods arrive (or, negative, break) and the merchant recounts.
        Recount(i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (1i64..6).prop_map(Step::Hold),
            2 => (0usize..64).prop_map(Step::Pay),
            1 => (0usize..64).prop_map(Step::Abandon),
            1 => (0usize..64).prop_map(Step::Expire),
            2 => (0usize..64).prop_map(Step::Ship),
            1 => (0usize..64).prop_map(Step::Cancel),
            1 => (-5i64..15).prop_map(Step::Recount),
        ]
    }

    /// The physical shop: units on the shelf, paid orders not yet shipped,
    /// open checkouts. What a shopper can buy follows from these alone.
    #[derive(Default)]
    struct Shop {
        shelf: i64,
        unshipped: Vec<i64>,
        checkouts: Vec<i64>,
    }

    impl Shop {
        fn buyable(&self) -> i64 {
            self.shelf - self.unshipped.iter().sum::<i64>() - self.checkouts.iter().sum::<i64>()
        }
    }

    proptest! {
        /// Any number of sales, holds, expiries, shipments, cancellations and
        /// recounts: the ledger's `available` is always the shop's, with no
        /// drift however many cycles run.
        #[test]
        fn ledger_matches_the_shelf(start in 0i64..40, steps in proptest::collection::vec(step(), 0..400)) {
            let mut shop = Shop { shelf: start, ..Shop::default() };
            let mut level = StockLevel { on_hand: start, held: 0, committed: 0 };
            for step in steps {
                match step {
                    Step::Hold(qty) => {
                        let stock = Stock { level, policy: SkuPolicy::default(), inbound: &[] };
                        if let Ok(next) = stock.try_hold(qty) {
                            level = next;
                            shop.checkouts.push(qty);
                        }
                    }
                    Step::Pay(i) if !shop.checkouts.is_empty() => {
                        let qty = shop.checkouts.remove(i % shop.checkouts.len());
                        level = level.commit_hold(qty);
                        shop.unshipped.push(qty);
                    }
                    Step::Abandon(i) | Step::Expire(i) if !shop.checkouts.is_empty() => {
                        level = level.drop_hold(shop.checkouts.remove(i % shop.checkouts.len()));
                    }
                    Step::Ship(i) if !shop.unshipped.is_empty() => {
                        let qty = shop.unshipped.remove(i % shop.unshipped.len());
                        shop.shelf -= qty;
                        level = level.ship(qty);
                    }
                    Step::Cancel(i) if !shop.unshipped.is_empty() => {
                        level = level.cancel_sale(shop.unshipped.remove(i % shop.unshipped.len()));
                    }
                    Step::Recount(change) => {
                        // Breakage never reaches units already sold: they are
                        // packed and set apart.
                        let sold: i64 = shop.unshipped.iter().sum();
                        shop.shelf = (shop.shelf + change).max(sold);
                        level = level.recount(shop.shelf);
                        let newest_first: Vec<i64> = shop.checkouts.iter().rev().copied().collect();
                        for _ in 0..holds_to_release(level, &newest_first) {
                            level = level.drop_hold(shop.checkouts.pop().unwrap_or_default());
                        }
                    }
                    _ => {}
                }
                prop_assert_eq!(level.net(), shop.buyable(), "{:?}", level);
                prop_assert_eq!(level.on_hand, shop.shelf);
                prop_assert!(level.net() >= 0);
            }
        }
    }

    #[test]
    fn shipping_takes_from_the_listed_warehouses_in_order() {
        use crate::api::LocationStock;
        let location = |warehouse: &str, on_hand| LocationStock {
            warehouse: warehouse.into(),
            on_hand,
            version: None,
        };
        let mut snapshot = StockSnapshot {
            sku: "A".into(),
            level: StockLevel {
                on_hand: 5,
                held: 0,
                committed: 4,
            },
            policy: SkuPolicy::default(),
            locations: vec![location("berlin", 2), location("reno", 3)],
            inbound: Vec::new(),
            version: None,
            levels_set_at_ms: None,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        snapshot.ship(4);
        assert_eq!(
            snapshot.level,
            StockLevel {
                on_hand: 1,
                held: 0,
                committed: 0
            }
        );
        assert_eq!(
            snapshot
                .locations
                .iter()
                .map(|l| l.on_hand)
                .collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
}
