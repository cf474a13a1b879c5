//! Turning stored stock into the public availability answer.

use jiff::{SignedDuration, Timestamp};

use crate::allocation::sources;
use crate::api::{
    Availability, DeliveryOption, DeliveryWindow, InboundOrder, LocationStock, Notice, Reason,
};
use crate::order::token::{PromiseTerms, issued_at};
use crate::promise::config::{Compiled, merchant_today};
use crate::promise::engine::{Destination, PromiseRequest, promise};
use crate::promise::forecast::Forecast;
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
    /// When a direct write (`on_hand` or `locations`) last set the levels,
    /// in ms since 1970. It is newer than any webhook sent before it, so a
    /// Shopify level stamped earlier is stale, however late it arrives.
    pub levels_set_at_ms: Option<i64>,
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
    pub forecast: Option<&'a Forecast>,
    /// The shopper's locale, for merchant texts.
    pub locale: Option<&'a str>,
    /// The store's key for promise tokens; without one, options carry none.
    pub promise_key: Option<&'a str>,
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
///     policy: SkuPolicy::default(), locations: vec![], inbound: vec![], version: None, levels_set_at_ms: None, updated_at: now };
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
    let today = merchant_today(delivery.map(|ctx| ctx.config), now);
    let derived = stock.derive(i64::from(qty), today);
    let available = snapshot.level.sellable();
    let short = available < i64::from(qty);
    let display_count =
        (derived.status == StockStatus::LowStock || (short && available > 0)).then_some(available);
    let mut delivery_options = match delivery {
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
                ctx.forecast,
            )
        }
        _ => Vec::new(),
    };
    if let Some((ctx, key)) = delivery.and_then(|ctx| Some((ctx, ctx.promise_key?))) {
        for option in &mut delivery_options {
            let terms = PromiseTerms {
                sku: snapshot.sku.clone(),
                qty,
                country: ctx.destination.country.clone(),
                postal_code: ctx.destination.postal_code.clone(),
                method: option.method.clone(),
                ship_by: option.ship_date,
                earliest: option.earliest,
                latest: option.latest,
                issued: issued_at(now),
                expires: option.order_by,
            };
            option.promise_token = Some(terms.sign(key));
        }
    }
    let notices = delivery.map_or_else(Vec::new, |ctx| {
        localize_reasons(&mut delivery_options, ctx);
        notices(ctx, &snapshot.sku, now, &delivery_options)
    });
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
        notices,
        delivery: delivery_options.first().map(|o| DeliveryWindow {
            earliest: o.earliest,
            most_likely: o.most_likely,
            latest: o.latest,
        }),
        delivery_options,
    }
}

/// Notices in force for `sku`: every SKU-wide or warehouse-free one, and
/// those naming a warehouse an option ships from.
fn notices(
    ctx: DeliveryContext<'_>,
    sku: &str,
    now: Timestamp,
    options: &[DeliveryOption],
) -> Vec<Notice> {
    ctx.config
        .delay_notices
        .iter()
        .filter(|n| n.covers(sku, now))
        .filter(|n| {
            n.warehouses.is_empty()
                || options
                    .iter()
                    .flat_map(|o| &o.shipments)
                    .any(|s| n.warehouses.contains(&s.warehouse))
        })
        .map(|n| Notice {
            id: n.id.clone(),
            message: n.message_for(ctx.locale).map(str::to_owned),
            extra_days: n.extra_days,
            ends_at: n.ends_at,
        })
        .collect()
}

/// The engine names notices by id; their text follows the shopper's locale.
fn localize_reasons(options: &mut [DeliveryOption], ctx: DeliveryContext<'_>) {
    for reason in options.iter_mut().flat_map(|o| o.reasons.iter_mut()) {
        if let Reason::DelayNotice { id, message, .. } = reason
            && let Some(notice) = ctx.config.delay_notices.iter().find(|n| &n.id == id)
        {
            *message = notice.message_for(ctx.locale).map(str::to_owned);
        }
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
            levels_set_at_ms: None,
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

    #[test]
    fn notices_follow_their_scope_and_the_shoppers_locale() {
        let config: crate::promise::config::DeliveryConfig = serde_json::from_value(serde_json::json!({
            "default_country": "DE",
            "warehouses": [
                {"id": "berlin", "time_zone": "Europe/Berlin", "cutoff": "14:00", "handling_days": {"min": 0, "max": 1}},
                {"id": "paris", "time_zone": "Europe/Paris", "cutoff": "14:00", "handling_days": {"min": 0, "max": 1}}
            ],
            "methods": [{"id": "standard", "label": "Standard", "lanes": [{"country": "DE", "transit_days": {"min": 1, "max": 2}}]}],
            "delay_notices": [
                {"id": "storm", "extra_days": 2, "starts_at": "2026-11-20T00:00:00Z", "ends_at": "2026-11-30T00:00:00Z",
                 "message": "Storm in the north", "messages": {"de": "Sturm im Norden", "ru": "Шторм на севере"}},
                {"id": "paris-strike", "extra_days": 1, "starts_at": "2026-11-20T00:00:00Z", "ends_at": "2026-11-30T00:00:00Z",
                 "warehouses": ["paris"], "message": "Strike"},
                {"id": "other-sku", "extra_days": 1, "starts_at": "2026-11-20T00:00:00Z", "ends_at": "2026-11-30T00:00:00Z",
                 "skus": ["LAMP"], "message": "Lamp delay"},
                {"id": "over", "extra_days": 1, "starts_at": "2026-11-01T00:00:00Z", "ends_at": "2026-11-10T00:00:00Z",
                 "message": "Past"}
            ]
        }))
        .expect("config");
        let compiled = config.compile().expect("valid");
        let destination = Destination {
            country: "DE".into(),
            postal_code: None,
        };
        let now: Timestamp = "2026-11-24T09:00:00Z".parse().expect("ts");
        let snap = snapshot(10, false, "2026-11-24T08:00:00Z");
        let answer = |locale| {
            availability(
                &snap,
                1,
                now,
                SignedDuration::from_hours(24),
                Some(DeliveryContext {
                    config: &compiled,
                    destination: &destination,
                    forecast: None,
                    locale,
                    promise_key: None,
                }),
            )
        };
        let german = answer(Some("de-DE"));
        let ids: Vec<&str> = german.notices.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            ["storm"],
            "stock sits in berlin; other SKUs' and past notices stay out"
        );
        assert_eq!(
            german.notices[0].message.as_deref(),
            Some("Sturm im Norden")
        );
        let reason_text = german.delivery_options[0]
            .reasons
            .iter()
            .find_map(|r| match r {
                Reason::DelayNotice { message, .. } => message.clone(),
                _ => None,
            });
        assert_eq!(reason_text.as_deref(), Some("Sturm im Norden"));
        assert_eq!(
            answer(Some("ja")).notices[0].message.as_deref(),
            Some("Storm in the north")
        );
        assert_eq!(
            answer(Some("ru")).notices[0].message.as_deref(),
            Some("Шторм на севере")
        );
    }
}
