//! Shopify's `inventory_levels/update` webhook: signature check and how one
//! level changes a stored SKU.
//!
//! Shopify signs the raw body with HMAC-SHA256 and sends it base64-encoded
//! in `X-Shopify-Hmac-Sha256`. It delivers at least once and in any order,
//! so each level carries its `updated_at` as a per-location version.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::answer::StockSnapshot;
use crate::api::LocationStock;
use crate::ingest::MAX_QUANTITY;

/// Checks `signature` (the header's base64) against every current secret —
/// two during a rotation. The comparison is constant-time (`verify_slice`).
///
/// ```
/// use upfront_shared::shopify::{sign, verify};
/// let body = br#"{"inventory_item_id":1,"location_id":2,"available":3}"#;
/// let signature = sign("old", body);
/// assert!(verify(&["new", "old"], body, &signature));
/// assert!(!verify(&["new"], body, &signature));
/// ```
pub fn verify(secrets: &[&str], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    secrets.iter().any(|secret| {
        Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map(|mut mac| {
                mac.update(body);
                mac.verify_slice(&expected).is_ok()
            })
            .unwrap_or(false)
    })
}

/// The header value Shopify would send for `body`; for tests and tools.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The webhook's body. Shopify adds fields over time; unknown ones are kept
/// out of the way, not refused.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct InventoryLevel {
    pub inventory_item_id: u64,
    pub location_id: u64,
    /// `null` when Shopify does not track the item's stock.
    pub available: Option<i64>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub updated_at: Timestamp,
}

/// What became of one webhook delivery. Every outcome is a 200, so Shopify
/// stops retrying; only a bad signature or body is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    Applied,
    /// This `X-Shopify-Event-Id` was seen before.
    Duplicate,
    /// A newer level for this item and location is already stored.
    Stale,
    /// No SKU carries this `shopify_inventory_item_id`.
    UnknownItem,
    /// Neither `inventory_levels/update` nor `orders/create`.
    IgnoredTopic,
    /// `orders/create`: the order is recorded (or was, on a repeat) and
    /// watched.
    OrderRecorded,
    /// `orders/create` for an order with no buyer email or no line of a SKU
    /// this store has: nothing to watch.
    OrderIgnored,
    /// `available: null`: Shopify does not track this item's stock, so the
    /// level says nothing about the shelf and the stored stock stays.
    Untracked,
}

/// The answer to a webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookResult {
    pub outcome: WebhookOutcome,
    /// The SKU it changed (or would have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The order recorded (`orders/create`): Shopify's order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// The parts of Shopify's `orders/create` payload an order needs. Shopify
/// sends many more fields; they are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ShopifyOrder {
    pub id: u64,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub customer_locale: Option<String>,
    #[serde(default)]
    pub line_items: Vec<ShopifyLineItem>,
    #[serde(default)]
    pub shipping_address: Option<ShopifyAddress>,
    #[serde(default)]
    pub payment_gateway_names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ShopifyLineItem {
    #[serde(default)]
    pub sku: Option<String>,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ShopifyAddress {
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
}

impl ShopifyOrder {
    /// The order as `POST /v1/orders` takes it: Shopify's id, the lines with
    /// a SKU (merged per SKU), the shipping address, and a card payment
    /// unless the gateway is manual or cash. `None` without an email or a
    /// line with a SKU. Checked afterwards like any order.
    ///
    /// ```
    /// use upfront_shared::shopify::ShopifyOrder;
    /// let order: ShopifyOrder = serde_json::from_str(r#"{"id":450789469,"email":"bob@example.com",
    ///   "customer_locale":"de","line_items":[{"sku":"MUG","quantity":2},{"sku":"","quantity":1}],
    ///   "shipping_address":{"country_code":"DE","zip":"10115"},"payment_gateway_names":["shopify_payments"],
    ///   "total_price":"10.00"}"#).unwrap();
    /// let request = order.to_order_request().unwrap();
    /// assert_eq!((request.id.as_str(), request.lines.len(), request.lines[0].qty), ("450789469", 1, 2));
    /// assert_eq!(request.destination.unwrap().postal_code.as_deref(), Some("10115"));
    /// ```
    pub fn to_order_request(&self) -> Option<crate::order::OrderRequest> {
        use crate::order::ftc::PaymentKind;
        use crate::order::{OrderDestination, OrderLine, OrderRequest};
        let email = self
            .email
            .clone()
            .or_else(|| self.contact_email.clone())
            .filter(|e| !e.trim().is_empty())?;
        let mut lines: Vec<OrderLine> = Vec::new();
        for item in &self.line_items {
            let Some(sku) = item.sku.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            match lines.iter_mut().find(|l| l.sku == sku) {
                Some(line) => line.qty = line.qty.saturating_add(item.quantity),
                None => lines.push(OrderLine {
                    sku: sku.to_owned(),
                    qty: item.quantity,
                    hold_id: None,
                    promise_token: None,
                }),
            }
        }
        if lines.is_empty() {
            return None;
        }
        let offline = self.payment_gateway_names.iter().any(|g| {
            let g = g.to_ascii_lowercase();
            g.contains("manual") || g.contains("cash") || g.contains("bank")
        });
        Some(OrderRequest {
            id: self.id.to_string(),
            lines,
            destination: self.shipping_address.as_ref().and_then(|a| {
                Some(OrderDestination {
                    country: a.country_code.clone()?,
                    postal_code: a.zip.clone().filter(|z| !z.trim().is_empty()),
                })
            }),
            email,
            locale: self.customer_locale.clone(),
            payment: if offline {
                PaymentKind::Other
            } else {
                PaymentKind::Card
            },
            ship_by: None,
            delay_discount_code: None,
        })
    }
}

/// The warehouse a Shopify location feeds, unless the delivery
/// configuration names one for it.
pub fn default_warehouse(location_id: u64) -> String {
    let mut id = String::from("shopify-");
    id.push_str(&location_id.to_string());
    id
}

/// The SKU's locations after `level` lands at `warehouse`, or `None` when a
/// newer level for that location is already stored, or a direct write set
/// the levels after Shopify stamped this one (a late or repeated delivery). Shopify's `available` may be negative where it oversold;
/// nothing is on the shelf then.
///
/// ```
/// use upfront_shared::shopify::merge;
/// # use upfront_shared::answer::StockSnapshot;
/// # let mut stored = StockSnapshot { sku: "A".into(), level: Default::default(), policy: Default::default(),
/// #     locations: vec![], inbound: vec![], version: None, levels_set_at_ms: None, updated_at: jiff::Timestamp::UNIX_EPOCH };
/// let first = merge(&stored, "berlin", 5, 100).unwrap();
/// stored.locations = first;
/// assert!(merge(&stored, "berlin", 2, 99).is_none());
/// assert_eq!(merge(&stored, "paris", 2, 99).unwrap().len(), 2);
/// ```
pub fn merge(
    stored: &StockSnapshot,
    warehouse: &str,
    available: i64,
    version: i64,
) -> Option<Vec<LocationStock>> {
    let mut locations = stored.locations.clone();
    let level = LocationStock {
        warehouse: warehouse.to_owned(),
        on_hand: available.clamp(0, MAX_QUANTITY),
        version: Some(version),
    };
    // A direct write is newer than every level Shopify stamped before it.
    if stored
        .levels_set_at_ms
        .is_some_and(|floor| floor >= version)
    {
        return None;
    }
    match locations.iter_mut().find(|l| l.warehouse == warehouse) {
        Some(current) if current.version.is_some_and(|v| v >= version) => return None,
        Some(current) => *current = level,
        None => locations.push(level),
    }
    Some(locations)
}

/// The SKU after `level` lands at `warehouse` (see [`merge`]): on hand is
/// the locations' sum, capped at [`MAX_QUANTITY`]. A level is not a direct
/// write: `levels_set_at_ms` stays as it was, so levels Shopify stamped
/// after the last direct write keep applying in their own order.
pub fn land(
    stored: &StockSnapshot,
    warehouse: &str,
    available: i64,
    version: i64,
    now: Timestamp,
) -> Option<StockSnapshot> {
    let locations = merge(stored, warehouse, available, version)?;
    let mut next = stored.clone();
    next.level.on_hand = locations
        .iter()
        .map(|l| l.on_hand)
        .fold(0, i64::saturating_add)
        .min(MAX_QUANTITY);
    next.locations = locations;
    next.updated_at = now;
    Some(next)
}

/// The instant every location of `snapshot` has reported since: Shopify's
/// levels net out the sales committed up to it, wherever they shipped
/// from. A location without a Shopify version (written directly) reports
/// nothing, so no sale is netted out on its behalf.
///
/// ```
/// use upfront_shared::shopify::netted_out_until;
/// # use upfront_shared::answer::StockSnapshot;
/// # use upfront_shared::api::LocationStock;
/// # let at = |warehouse: &str, version| LocationStock { warehouse: warehouse.into(), on_hand: 1, version };
/// # let mut s = StockSnapshot { sku: "A".into(), level: Default::default(), policy: Default::default(),
/// #     locations: vec![], inbound: vec![], version: None, levels_set_at_ms: None, updated_at: jiff::Timestamp::UNIX_EPOCH };
/// s.locations = vec![at("berlin", Some(200)), at("paris", Some(100))];
/// assert_eq!(netted_out_until(&s), Some(100));
/// s.locations.push(at("reno", None));
/// assert_eq!(netted_out_until(&s), None);
/// ```
pub fn netted_out_until(snapshot: &StockSnapshot) -> Option<i64> {
    snapshot
        .locations
        .iter()
        .map(|l| l.version)
        .collect::<Option<Vec<i64>>>()?
        .into_iter()
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn empty() -> StockSnapshot {
        StockSnapshot {
            sku: "A".into(),
            level: Default::default(),
            policy: Default::default(),
            locations: Vec::new(),
            inbound: Vec::new(),
            version: None,
            levels_set_at_ms: None,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn shopify_documented_signature() {
        // HMAC-SHA256("hush", "{}") as `openssl dgst -sha256 -hmac hush -binary | base64` prints it.
        assert_eq!(
            sign("hush", b"{}"),
            "UFwgrGBPZilFtmKh8TqcovA78LGYb1BdWu9I4Q2oyRg="
        );
        assert!(!verify(
            &["hush"],
            b"{} ",
            "UFwgrGBPZilFtmKh8TqcovA78LGYb1BdWu9I4Q2oyRg="
        ));
        assert!(!verify(&["hush"], b"{}", "not base64!"));
        assert!(!verify(&[], b"{}", &sign("hush", b"{}")));
    }

    #[test]
    fn the_body_parses_with_extra_fields() {
        let body = r#"{"inventory_item_id":271878346596884015,"location_id":24826418,"available":6,
            "updated_at":"2021-12-07T10:59:25-05:00","admin_graphql_api_id":"gid://shopify/InventoryLevel/1"}"#;
        let level: InventoryLevel = serde_json::from_str(body).expect("level");
        assert_eq!(level.inventory_item_id, 271_878_346_596_884_015);
        assert_eq!(level.available, Some(6));
        assert_eq!(level.updated_at.as_second(), 1_638_892_765);
    }

    #[test]
    fn a_direct_write_outranks_every_level_stamped_before_it() {
        let now = Timestamp::from_millisecond(5_000).expect("ts");
        let mut stored = land(&empty(), "shopify-7", 9, 1_000, now).expect("first level");
        // The merchant recounts through the API at 2,000 ms: the per-location
        // versions go, the instant stays.
        stored.locations.clear();
        stored.level.on_hand = 100;
        stored.levels_set_at_ms = Some(2_000);
        assert_eq!(
            land(&stored, "shopify-7", 9, 1_000, now),
            None,
            "a replay of the old level"
        );
        assert_eq!(
            land(&stored, "shopify-8", 3, 1_500, now),
            None,
            "any location, stamped earlier"
        );
        let later = land(&stored, "shopify-7", 40, 2_500, now).expect("stamped after the write");
        assert_eq!(later.level.on_hand, 40);
        assert_eq!(
            later.levels_set_at_ms,
            Some(2_000),
            "a level is not a direct write"
        );
    }

    #[test]
    fn locations_never_add_up_past_the_cap() {
        let now = Timestamp::from_millisecond(0).expect("ts");
        let mut stored = empty();
        for (i, location) in ["a", "b", "c"].into_iter().enumerate() {
            stored = land(&stored, location, i64::MAX / 2, i as i64 + 1, now).expect("applies");
        }
        assert_eq!(stored.level.on_hand, MAX_QUANTITY);
        assert!(stored.locations.iter().all(|l| l.on_hand <= MAX_QUANTITY));
    }

    proptest! {
        /// Any delivery order, with repeats, ends where the newest level of
        /// each location says.
        #[test]
        fn order_and_repeats_do_not_matter(
            events in proptest::collection::vec((0usize..3, 0i64..100), 1..40),
            seed in any::<u64>(),
        ) {
            // Versions are unique per location, as Shopify's updated_at is.
            let events: Vec<(usize, i64, i64)> = events.iter().enumerate()
                .map(|(i, &(loc, qty))| (loc, qty, i as i64)).collect();
            let mut shuffled = events.clone();
            shuffled.extend(events.iter().step_by(3).copied());
            let mut state = seed;
            for i in (1..shuffled.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (state >> 33) as usize % (i + 1));
            }
            let mut stored = empty();
            for (loc, qty, version) in shuffled {
                if let Some(next) = merge(&stored, &format!("w{loc}"), qty, version) {
                    stored.locations = next;
                }
            }
            for loc in 0..3 {
                let newest = events.iter().filter(|e| e.0 == loc).max_by_key(|e| e.2);
                let got = stored.locations.iter().find(|l| l.warehouse == format!("w{loc}"));
                prop_assert_eq!(got.map(|l| l.on_hand), newest.map(|e| e.1));
            }
        }
    }
}
