//! Which warehouse's units a delivery promise may use.
//!
//! Holds and paid orders are counted per SKU, not per warehouse (a checkout
//! does not know where it will ship from), so they are taken out of the
//! configured warehouses in the merchant's order — primary first — and then
//! out of inbound arrivals, soonest first. Units counted at a warehouse the
//! delivery configuration does not know, and units counted without one,
//! belong to the primary warehouse: stock must never vanish from the answer
//! because a feed and a configuration disagree on a name.

use crate::api::{InboundOrder, LocationStock};
use crate::promise::engine::StockSource;
use crate::stock::Inbound;

/// Stock sources in `warehouses` order for a SKU with `on_hand` units, of
/// which `locations` say where (empty: all at the primary warehouse), after
/// `reserved` units (held and committed) are taken out.
///
/// ```
/// use upfront_shared::allocation::sources;
/// use upfront_shared::api::LocationStock;
/// let at = |w: &str, on_hand| LocationStock { warehouse: w.into(), on_hand, version: None };
/// let got = sources(&["berlin", "paris"], 9, &[at("berlin", 2), at("paris", 7)], &[], 3);
/// assert_eq!((got[0].available, got[1].available), (0, 6));
/// ```
pub fn sources(
    warehouses: &[&str],
    on_hand: i64,
    locations: &[LocationStock],
    inbound: &[InboundOrder],
    reserved: i64,
) -> Vec<StockSource> {
    let Some(&primary) = warehouses.first() else {
        return Vec::new();
    };
    let index = |warehouse: Option<&str>| {
        warehouse
            .and_then(|w| warehouses.iter().position(|&c| c == w))
            .unwrap_or(0)
    };
    let mut sources: Vec<StockSource> = warehouses
        .iter()
        .map(|&w| StockSource {
            warehouse: w.to_owned(),
            available: 0,
            inbound: Vec::new(),
        })
        .collect();
    if locations.is_empty() {
        sources[0].available = on_hand;
    }
    for location in locations {
        sources[index(Some(&location.warehouse))].available += location.on_hand;
    }
    for order in inbound {
        sources[index(order.warehouse.as_deref())]
            .inbound
            .push(Inbound {
                arrives: order.arrives,
                qty: order.qty,
            });
    }
    let mut left = reserved.max(0);
    for source in &mut sources {
        let taken = left.min(source.available);
        source.available -= taken;
        left -= taken;
    }
    // Backorders beyond the shelf are served by the soonest arrivals.
    let mut arrivals: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, source)| (0..source.inbound.len()).map(move |a| (s, a)))
        .collect();
    arrivals.sort_by_key(|&(s, a)| sources[s].inbound[a].arrives);
    for (s, a) in arrivals {
        let arrival = &mut sources[s].inbound[a];
        let taken = left.min(arrival.qty);
        arrival.qty -= taken;
        left -= taken;
    }
    for source in &mut sources {
        source.inbound.retain(|a| a.qty > 0);
        source.inbound.sort();
    }
    debug_assert_eq!(sources[0].warehouse, primary);
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn at(warehouse: &str, on_hand: i64) -> LocationStock {
        LocationStock {
            warehouse: warehouse.into(),
            on_hand,
            version: None,
        }
    }

    fn order(warehouse: Option<&str>, qty: i64, day: i8) -> InboundOrder {
        InboundOrder {
            warehouse: warehouse.map(Into::into),
            qty,
            arrives: date(2026, 12, day),
        }
    }

    #[test]
    fn unassigned_and_unknown_units_go_to_the_primary() {
        let got = sources(&["berlin", "paris"], 5, &[], &[], 0);
        assert_eq!((got[0].available, got[1].available), (5, 0));
        let got = sources(
            &["berlin", "paris"],
            5,
            &[at("lyon", 2), at("paris", 3)],
            &[],
            0,
        );
        assert_eq!((got[0].available, got[1].available), (2, 3));
        assert!(sources(&[], 5, &[], &[], 0).is_empty());
    }

    #[test]
    fn backorders_consume_the_soonest_arrival() {
        let inbound = [order(Some("paris"), 4, 10), order(None, 3, 3)];
        let got = sources(&["berlin", "paris"], 1, &[], &inbound, 3);
        assert_eq!(got[0].available, 0);
        assert_eq!(
            got[0].inbound,
            vec![Inbound {
                arrives: date(2026, 12, 3),
                qty: 1
            }]
        );
        assert_eq!(
            got[1].inbound,
            vec![Inbound {
                arrives: date(2026, 12, 10),
                qty: 4
            }]
        );
    }

    proptest! {
        /// Nothing is created or lost: what the sources offer is what the
        /// SKU has, less what is reserved, never below zero anywhere.
        #[test]
        fn units_are_conserved(
            counts in proptest::collection::vec(0i64..50, 0..4),
            arrivals in proptest::collection::vec((0i64..30, 1i8..28), 0..4),
            reserved in 0i64..200,
        ) {
            let names = ["a", "b", "c", "d"];
            let locations: Vec<LocationStock> = counts.iter().zip(names).map(|(&n, w)| at(w, n)).collect();
            let on_hand: i64 = counts.iter().sum();
            let inbound: Vec<InboundOrder> = arrivals.iter().map(|&(q, d)| order(Some("b"), q.max(1), d)).collect();
            let total = on_hand + inbound.iter().map(|o| o.qty).sum::<i64>();
            let got = sources(&["a", "b"], on_hand, &locations, &inbound, reserved);
            let offered: i64 = got.iter().map(|s| s.available + s.inbound.iter().map(|a| a.qty).sum::<i64>()).sum();
            prop_assert_eq!(offered, (total - reserved).max(0));
            prop_assert!(got.iter().all(|s| s.available >= 0 && s.inbound.iter().all(|a| a.qty > 0)));
        }
    }
}
