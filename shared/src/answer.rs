//! Turning stored stock into the public availability answer.

use jiff::{SignedDuration, Timestamp};

use crate::allocation::sources;
use crate::api::{Availability, DeliveryWindow, InboundOrder, LocationStock};
use crate::promise::config::Compiled;
use crate::promise::engine::{Destination, PromiseRequest, promise};
use crate::promise::learn::LaneModel;
use crate::stock::{Inbound, SkuPolicy, Stock, StockLevel, StockStatus};

/// One SKU as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockSnapshot {
    pub sku: String,
    /// Totals over every warehouse.
    pub level: StockLevel,
    pub policy: SkuPolicy,
    /// Where `level.on_hand` sits; empty when the merchant counts one shelf.
    pub locations: Vec<LocationStock>,
    pub inbound: Vec<InboundOrder>,
    /// The highest `version` written, when the merchant sends versions.
    pub version: Option<i64>,
    pub updated_at: Timestamp,
}

impl StockSnapshot {
    /// The inbound purchase orders as arrivals, whatever their warehouse.
    pub fn arrivals(&self) -> Vec<Inbound> {
        self.inbound
            .iter()
            .map(|o| Inbound {
                arrives: o.arrives,
                qty: o.qty,
            })
            .collect()
    }
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
///     policy: SkuPolicy::default(), locations: vec![], inbound: vec![], version: None, updated_at: now };
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
    let inbound = snapshot.arrivals();
    let stock = Stock {
        level: snapshot.level,
        policy: snapshot.policy,
        inbound: &inbound,
    };
    // The merchant's today: the primary warehouse's, or UTC without one.
    let zone = delivery
        .and_then(|ctx| ctx.config.warehouses.first())
        .map_or(jiff::tz::TimeZone::UTC, |w| w.zone.clone());
    let today = now.to_zoned_datetime(zone).date();
    let derived = stock.derive(i64::from(qty), today);
    let available = snapshot.level.sellable();
    let short = available < i64::from(qty);
    let display_count =
        (derived.status == StockStatus::LowStock || (short && available > 0)).then_some(available);
    let delivery_options = match delivery {
        Some(ctx) if derived.status != StockStatus::Discontinued => {
            let warehouses: Vec<&str> = ctx
                .config
                .warehouses
                .iter()
                .map(|w| w.id.as_str())
                .collect();
            let reserved = snapshot.level.held + snapshot.level.committed;
            let stock = sources(
                &warehouses,
                snapshot.level.on_hand,
                &snapshot.locations,
                &snapshot.inbound,
                reserved,
            );
            promise(
                ctx.config,
                &PromiseRequest {
                    sku: &snapshot.sku,
                    qty,
                    destination: ctx.destination,
                    now,
                    stock: &stock,
                    preorder_release: snapshot.policy.preorder_release,
                },
                ctx.learned,
            )
        }
        _ => Vec::new(),
    };
    Availability {
        sku: snapshot.sku.clone(),
        status: derived.status,
        available,
        display_count,
        requested_qty: qty,
        fulfillable: stock.can_sell(i64::from(qty)).is_ok(),
        as_of: snapshot.updated_at,
        stale: now.duration_since(snapshot.updated_at) > freshness,
        availability_date: derived.availability_date,
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
                ..SkuPolicy::default()
            },
            locations: Vec::new(),
            inbound: Vec::new(),
            version: None,
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
