//! The promise watcher's question: the earliest day an open order can ship,
//! now. Orders are served oldest first: an order's line may use only the
//! units the older open orders of the same SKU leave (`ahead`), on the shelf
//! and then in inbound arrivals, soonest first, the way `allocation`
//! serves holds. With a delivery configuration the engine answers (cutoffs,
//! handling, closed days, declared delays); without one, the day the units
//! are there.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::allocation::sources;
use crate::answer::StockSnapshot;
use crate::promise::config::{Compiled, merchant_today};
use crate::promise::engine::{Destination, PromiseRequest, promise};

/// One line of an open order and what stands before it.
#[derive(Clone, Copy, Debug)]
pub struct LineStock<'a> {
    pub qty: u32,
    pub stock: &'a StockSnapshot,
    /// Units of this SKU that older open orders take first.
    pub ahead: i64,
}

/// The earliest day every line can ship, in the merchant's calendar;
/// `None` when some line cannot say (no stock and no arrival that covers
/// it, or no method serving `destination`). A discontinued SKU still ships
/// what is on its shelf.
pub fn earliest_ship(
    lines: &[LineStock<'_>],
    config: Option<&Compiled>,
    destination: Option<&Destination>,
    now: Timestamp,
) -> Option<Date> {
    let today = merchant_today(config, now);
    lines.iter().try_fold(today, |latest, line| {
        Some(latest.max(line_ship(line, config, destination, now, today)?))
    })
}

fn line_ship(
    line: &LineStock<'_>,
    config: Option<&Compiled>,
    destination: Option<&Destination>,
    now: Timestamp,
    today: Date,
) -> Option<Date> {
    let stock = line.stock;
    let release = stock.policy.preorder_release;
    if let (Some(config), Some(destination)) = (config, destination) {
        let warehouses: Vec<&str> = config.warehouses.iter().map(|w| w.id.as_str()).collect();
        let sources = sources(
            &warehouses,
            stock.level.on_hand,
            &stock.locations,
            &stock.inbound,
            line.ahead,
        );
        let request = PromiseRequest {
            sku: &stock.sku,
            qty: line.qty,
            destination,
            now,
            stock: &sources,
            preorder_release: release,
        };
        return promise(config, &request, None)
            .iter()
            .map(|option| option.ship_date)
            .min();
    }
    let shelf = sources(
        &["shelf"],
        stock.level.on_hand,
        &[],
        &stock.inbound,
        line.ahead,
    );
    let source = shelf.first()?;
    let qty = i64::from(line.qty);
    let ready = if source.available >= qty {
        today
    } else {
        let mut arrivals = source.inbound.clone();
        arrivals.sort_by_key(|a| a.arrives);
        let mut have = source.available.max(0);
        arrivals.into_iter().find_map(|a| {
            have = have.saturating_add(a.qty.max(0));
            (have >= qty).then_some(a.arrives.max(today))
        })?
    };
    Some(release.map_or(ready, |r| ready.max(r)))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::api::InboundOrder;
    use crate::stock::{SkuPolicy, StockLevel};

    fn snapshot(on_hand: i64, inbound: &[(Date, i64)]) -> StockSnapshot {
        StockSnapshot {
            sku: "MUG".into(),
            level: StockLevel {
                on_hand,
                held: 0,
                committed: 0,
            },
            policy: SkuPolicy::default(),
            locations: vec![],
            inbound: inbound
                .iter()
                .map(|&(arrives, qty)| InboundOrder {
                    warehouse: None,
                    qty,
                    arrives,
                })
                .collect(),
            version: None,
            levels_set_at_ms: None,
            updated_at: "2026-12-01T09:00:00Z".parse().expect("timestamp"),
        }
    }

    const NOW: &str = "2026-12-01T09:00:00Z";

    fn ship(on_hand: i64, inbound: &[(Date, i64)], qty: u32, ahead: i64) -> Option<Date> {
        let stock = snapshot(on_hand, inbound);
        let line = LineStock {
            qty,
            stock: &stock,
            ahead,
        };
        earliest_ship(&[line], None, None, NOW.parse().expect("now"))
    }

    #[test]
    fn older_orders_are_served_first_then_arrivals_soonest_first() {
        let restock = [(date(2026, 12, 20), 5), (date(2026, 12, 10), 2)];
        assert_eq!(ship(3, &restock, 3, 0), Some(date(2026, 12, 1)));
        assert_eq!(ship(3, &restock, 1, 3), Some(date(2026, 12, 10)));
        assert_eq!(ship(3, &restock, 3, 3), Some(date(2026, 12, 20)));
        assert_eq!(ship(3, &restock, 8, 3), None, "10 units for 11");
        assert_eq!(ship(0, &[], 1, 0), None);
    }

    #[test]
    fn an_order_ships_when_its_last_line_can() {
        let mugs = snapshot(5, &[]);
        let cups = snapshot(0, &[(date(2026, 12, 9), 4)]);
        let line = |qty, stock| LineStock {
            qty,
            stock,
            ahead: 0,
        };
        let now = NOW.parse().expect("now");
        assert_eq!(
            earliest_ship(&[line(1, &mugs), line(2, &cups)], None, None, now),
            Some(date(2026, 12, 9))
        );
    }
}
