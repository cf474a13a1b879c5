//! Turning stored stock into the public availability answer.

use jiff::{SignedDuration, Timestamp};

use crate::api::{Availability, DeliveryWindow};
use crate::promise::config::Compiled;
use crate::promise::engine::{Destination, PromiseRequest, StockSource, promise};
use crate::promise::learn::LaneModel;
use crate::stock::{SkuPolicy, StockLevel, StockStatus};

/// One SKU's stock as the store read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockSnapshot {
    pub sku: String,
    pub level: StockLevel,
    pub policy: SkuPolicy,
    pub updated_at: Timestamp,
}

/// What the delivery promise needs besides the stock: the merchant's
/// validated configuration and where the shopper is.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryContext<'a> {
    pub config: &'a Compiled,
    pub destination: &'a Destination,
    pub learned: Option<&'a LaneModel>,
}

/// Builds the answer for `qty` units at `now`. Data older than `freshness`
/// is flagged `stale`, so clients can say "confirming availability" rather
/// than promise stock that may be gone.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use upfront_shared::answer::{availability, StockSnapshot};
/// use upfront_shared::stock::{SkuPolicy, StockLevel};
/// let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
/// let snap = StockSnapshot { sku: "MUG".into(), level: StockLevel { on_hand: 2, held: 0, committed: 0 },
///     policy: SkuPolicy::default(), updated_at: now };
/// let a = availability(&snap, 3, now, SignedDuration::from_hours(24), None);
/// assert!(!a.fulfillable);
/// assert_eq!(a.display_count, Some(2));
/// ```
pub fn availability(
    snapshot: &StockSnapshot,
    qty: u32,
    now: Timestamp,
    freshness: SignedDuration,
    delivery: Option<DeliveryContext<'_>>,
) -> Availability {
    let status = StockStatus::derive(&snapshot.level, &snapshot.policy);
    let available = snapshot.level.sellable();
    let short = available < i64::from(qty);
    let display_count =
        (status == StockStatus::LowStock || (short && available > 0)).then_some(available);
    // Until stock is kept per warehouse, a SKU's units sit in the first
    // configured warehouse; the engine already handles several.
    let delivery_options = match delivery {
        Some(ctx) if status != StockStatus::Discontinued => {
            let stock = ctx.config.warehouses.first().map(|wh| StockSource {
                warehouse: wh.id.clone(),
                available,
                inbound: Vec::new(),
            });
            promise(
                ctx.config,
                &PromiseRequest {
                    sku: &snapshot.sku,
                    qty,
                    destination: ctx.destination,
                    now,
                    stock: stock.as_slice(),
                    preorder_release: None,
                },
                ctx.learned,
            )
        }
        _ => Vec::new(),
    };
    Availability {
        sku: snapshot.sku.clone(),
        status,
        available,
        display_count,
        requested_qty: qty,
        fulfillable: status != StockStatus::Discontinued && !short,
        as_of: snapshot.updated_at,
        stale: now.duration_since(snapshot.updated_at) > freshness,
        delivery: delivery_options.first().map(|o| DeliveryWindow {
            earliest: o.earliest,
            most_likely: o.most_likely,
            latest: o.latest,
        }),
        delivery_options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(on_hand: i64, discontinued: bool, updated_at: &str) -> StockSnapshot {
        StockSnapshot {
            sku: "S".into(),
            level: StockLevel {
                on_hand,
                held: 0,
                committed: 0,
            },
            policy: SkuPolicy {
                low_stock_threshold: 3,
                discontinued,
            },
            updated_at: updated_at.parse().expect("ts"),
        }
    }

    #[test]
    fn table() {
        let now: Timestamp = "2026-11-23T12:00:00Z".parse().expect("ts");
        let day = SignedDuration::from_hours(24);
        // (on_hand, discontinued, qty) -> (fulfillable, display_count)
        let cases = [
            (50, false, 1, true, None),
            (50, false, 60, false, Some(50)),
            (3, false, 1, true, Some(3)),
            (3, false, 3, true, Some(3)),
            (0, false, 1, false, None),
            (9, true, 1, false, None),
        ];
        for (on_hand, discontinued, qty, fulfillable, display) in cases {
            let a = availability(
                &snapshot(on_hand, discontinued, "2026-11-23T11:00:00Z"),
                qty,
                now,
                day,
                None,
            );
            assert_eq!(
                (a.fulfillable, a.display_count),
                (fulfillable, display),
                "{on_hand} {discontinued} {qty}"
            );
            assert!(!a.stale);
        }
    }

    #[test]
    fn stale_only_past_the_freshness_limit() {
        let now: Timestamp = "2026-11-23T12:00:00Z".parse().expect("ts");
        let day = SignedDuration::from_hours(24);
        assert!(
            !availability(
                &snapshot(5, false, "2026-11-22T12:00:00Z"),
                1,
                now,
                day,
                None
            )
            .stale
        );
        assert!(
            availability(
                &snapshot(5, false, "2026-11-22T11:59:59Z"),
                1,
                now,
                day,
                None
            )
            .stale
        );
    }
}
