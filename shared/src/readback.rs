//! A merchant reads back what it wrote: its SKUs, open holds and
//! back-in-stock subscriptions, a page at a time.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::answer::StockSnapshot;
use crate::api::{InboundOrder, LocationStock};
use crate::error::{ErrorBody, ErrorCode};
use crate::hold::Hold;
use crate::push::StockUpdate;
use crate::sku::is_valid_sku;
use crate::stock::{OutOfStockPolicy, StockStatus};

/// The most items one page holds.
pub const MAX_PAGE: u32 = 100;
pub const DEFAULT_PAGE: u32 = 50;

/// `?limit=&cursor=&status=` of a listing. Cursors are opaque to callers:
/// pass back `next_cursor` as it came.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuery {
    pub limit: u32,
    pub cursor: Option<String>,
    /// Only SKUs in this state (the SKU list only).
    pub status: Option<StockStatus>,
}

impl PageQuery {
    /// Parses the query of a listing; `with_status` for the SKU list. An
    /// unknown parameter is refused, so a typo never returns everything.
    ///
    /// ```
    /// use upfront_shared::readback::PageQuery;
    /// let q = PageQuery::parse(&[("limit".into(), "10".into())], false).unwrap();
    /// assert_eq!((q.limit, q.cursor), (10, None));
    /// assert!(PageQuery::parse(&[("limit".into(), "101".into())], false).is_err());
    /// assert!(PageQuery::parse(&[("status".into(), "in_stock".into())], false).is_err());
    /// ```
    pub fn parse(query: &[(String, String)], with_status: bool) -> Result<Self, ErrorBody> {
        let bad = |message: &str, param: &str| {
            ErrorBody::new(ErrorCode::InvalidParameter, message).with_param(param)
        };
        let mut page = PageQuery {
            limit: DEFAULT_PAGE,
            ..PageQuery::default()
        };
        let mut seen = Vec::new();
        for (name, value) in query {
            if seen.contains(&name.as_str()) {
                return Err(bad("a parameter may appear once", name));
            }
            seen.push(name);
            match name.as_str() {
                "limit" => {
                    page.limit = value
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_PAGE).contains(l))
                        .ok_or_else(|| bad("limit is 1 to 100", "limit"))?;
                }
                "cursor" => {
                    if value.is_empty()
                        || value.len() > 400
                        || !value.bytes().all(|b| b.is_ascii_graphic())
                    {
                        return Err(bad(
                            "cursor is the `next_cursor` of the previous page",
                            "cursor",
                        ));
                    }
                    page.cursor = Some(value.clone());
                }
                "status" if with_status => {
                    let status = StockStatus::ALL
                        .into_iter()
                        .find(|s| s.as_str() == value)
                        .ok_or_else(|| {
                            bad(
                                "status is in_stock, low_stock, backorder, preorder, out_of_stock or discontinued",
                                "status",
                            )
                        })?;
                    page.status = Some(status);
                }
                // The key may ride in the query on public routes; these are
                // secret-key routes, where it is refused elsewhere.
                "key" => {}
                _ => return Err(bad("unknown parameter", name)),
            }
        }
        Ok(page)
    }

    /// A row-number cursor (open holds, the subscription export): the rows
    /// after it; a cursor that is no row number reads past the end.
    pub fn after_rowid(&self) -> i64 {
        self.cursor
            .as_deref()
            .map_or(0, |cursor| cursor.parse().unwrap_or(i64::MAX))
    }

    /// A SKU-list cursor must name a SKU.
    pub fn sku_cursor(&self) -> Result<Option<&str>, ErrorBody> {
        match self.cursor.as_deref() {
            Some(sku) if !is_valid_sku(sku) => Err(ErrorBody::new(
                ErrorCode::InvalidParameter,
                "cursor is the `next_cursor` of the previous page",
            )
            .with_param("cursor")),
            cursor => Ok(cursor),
        }
    }
}

/// One SKU as stored, in full: `GET /v1/skus/{sku}` and each item of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SkuDetail {
    pub sku: String,
    pub status: StockStatus,
    /// On the shelf (the sum of `locations`, when there are any).
    pub on_hand: i64,
    /// Paid, not yet shipped.
    pub committed: i64,
    /// In open checkouts.
    pub held: i64,
    /// `on_hand − committed − held`, never below 0.
    pub available: i64,
    pub low_stock_threshold: i64,
    pub out_of_stock_policy: OutOfStockPolicy,
    pub discontinued: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub preorder_release: Option<Date>,
    pub locations: Vec<LocationStock>,
    pub inbound: Vec<InboundOrder>,
    /// The last applied `version`, if writes carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify_inventory_item_id: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub updated_at: Timestamp,
}

impl SkuDetail {
    /// The stored `snapshot` as the merchant sees it at `now`.
    pub fn of(
        snapshot: StockSnapshot,
        shopify_inventory_item_id: Option<String>,
        now: Timestamp,
    ) -> Self {
        let status = StockUpdate::of(&snapshot, now).status;
        Self {
            status,
            on_hand: snapshot.level.on_hand,
            committed: snapshot.level.committed,
            held: snapshot.level.held,
            available: snapshot.level.sellable(),
            low_stock_threshold: snapshot.policy.low_stock_threshold,
            out_of_stock_policy: snapshot.policy.out_of_stock,
            discontinued: snapshot.policy.discontinued,
            preorder_release: snapshot.policy.preorder_release,
            locations: snapshot.locations,
            inbound: snapshot.inbound,
            version: snapshot.version,
            shopify_inventory_item_id,
            updated_at: snapshot.updated_at,
            sku: snapshot.sku,
        }
    }
}

/// `GET /v1/skus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SkuList {
    pub data: Vec<SkuDetail>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /v1/holds`: open holds, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HoldList {
    pub data: Vec<Hold>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// How many addresses wait for one SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubscriptionCount {
    pub sku: String,
    pub count: i64,
}

/// `GET /v1/subscriptions`: counts per SKU, by SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubscriptionCounts {
    pub data: Vec<SubscriptionCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One waiting address, as the export shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Subscription {
    pub sku: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: Timestamp,
}

/// `GET /v1/subscriptions/export`: every waiting address, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubscriptionExport {
    pub data: Vec<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/subscriptions/erase`: a shopper's erasure request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub email: String,
}

/// What an erasure removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EraseResult {
    /// Subscriptions deleted, across every SKU.
    pub deleted: i64,
    /// Emails to the address deleted from the log. The address stays
    /// suppressed, as a hash only, so nothing is ever sent to it again.
    pub emails_deleted: i64,
    /// Orders whose buyer address was removed (the orders stay, for the
    /// merchant's records and refunds; no more delay notices reach the
    /// buyer, whose order page still works).
    pub orders_anonymized: i64,
}

/// `POST /v1/fulfilments`: a paid sale shipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FulfilmentRequest {
    /// The committed hold whose units left the warehouse.
    pub hold_id: String,
}

/// Whether `id` has the shape of an id the store makes: `prefix` (`hold_`,
/// `key_`, `we_`, `wd_`) and 24 lower-case hex digits.
///
/// ```
/// use upfront_shared::readback::is_store_id;
/// assert!(is_store_id("hold_0123456789abcdef01234567", "hold_"));
/// assert!(!is_store_id("hold_0123456789ABCDEF01234567", "hold_"));
/// assert!(!is_store_id("key_0123456789abcdef01234567", "hold_"));
/// ```
pub fn is_store_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 24 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn page_queries() {
        let page = PageQuery::parse(&q(&[("status", "low_stock"), ("cursor", "MUG-1")]), true)
            .expect("valid");
        assert_eq!(page.status, Some(StockStatus::LowStock));
        assert_eq!(page.sku_cursor().expect("sku"), Some("MUG-1"));
        assert_eq!(page.limit, DEFAULT_PAGE);
        for bad in [
            q(&[("limit", "0")]),
            q(&[("limit", "x")]),
            q(&[("status", "gone")]),
            q(&[("limit", "1"), ("limit", "2")]),
            q(&[("page", "2")]),
        ] {
            assert!(PageQuery::parse(&bad, true).is_err(), "{bad:?}");
        }
        let page = PageQuery::parse(&q(&[("cursor", "a b")]), true);
        assert!(page.is_err());
    }

    #[test]
    fn ids() {
        assert!(is_store_id("hold_0123456789abcdef01234567", "hold_"));
        assert!(!is_store_id("hold_0123", "hold_"));
        assert!(is_store_id("key_0123456789abcdef01234567", "key_"));
        assert!(!is_store_id("hold_0123456789abcdef01234567", "key_"));
    }
}
