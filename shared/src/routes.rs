//! The public routes, as data: the edge routes with it and the OpenAPI
//! document is built from it, so the two cannot drift apart.

use crate::error::ErrorCode;
use crate::keys::Scope;

/// A resolved request target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route<'a> {
    Availability {
        sku: &'a str,
    },
    AvailabilityBatch,
    /// The batch as a `GET`: no CORS preflight, cacheable by URL.
    AvailabilityBatchGet,
    Inventory,
    ListSkus,
    GetSku {
        sku: &'a str,
    },
    CreateHold,
    ListHolds,
    CommitHold {
        id: &'a str,
    },
    ReleaseHold {
        id: &'a str,
    },
    CancelHold {
        id: &'a str,
    },
    Fulfilments,
    DeliveryConfig,
    GetDeliveryConfig,
    Shipments,
    ShopifyWebhook {
        merchant: &'a str,
    },
    Stream,
    Subscribe,
    SubscriptionCounts,
    SubscriptionExport,
    SubscriptionErase,
    GetSettings,
    UpdateSettings,
    ListKeys,
    CreateKey,
    RollKey {
        id: &'a str,
    },
    RevokeKey {
        id: &'a str,
    },
    CreateMerchant,
    CreateEndpoint,
    ListEndpoints,
    DeleteEndpoint {
        id: &'a str,
    },
    ListDeliveries {
        id: &'a str,
    },
    Redeliver {
        id: &'a str,
    },
    RollEndpointSecret {
        id: &'a str,
    },
    UnsubscribePage {
        token: &'a str,
    },
    Unsubscribe {
        token: &'a str,
    },
    ListSuppressions,
    AddSuppression,
    ListEmails,
    CreateOrder,
    ListOrders,
    GetOrder {
        id: &'a str,
    },
    ShipOrder {
        id: &'a str,
    },
    CancelOrder {
        id: &'a str,
    },
    RefundOrder {
        id: &'a str,
    },
    OrderStatusPage {
        token: &'a str,
    },
    AnswerNotice {
        token: &'a str,
    },
    OpenApi,
    /// One SKU's schema.org `Offer` JSON-LD, for a merchant's own templates.
    Offer {
        sku: &'a str,
    },
    PutGuardRules,
    GetGuardRules,
    ListGuards,
    FeedUrls,
    RollFeedUrls,
    /// What learned promises rest on: levels, evidence, handling.
    DeliveryForecast,
    /// An ad channel's scheduled fetch: the token in the URL is the secret.
    Feed {
        token: &'a str,
        file: &'a str,
    },
}

/// Who may call a route, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A publishable key (`pk_…`), in the query or `Authorization`: pages and
    /// apps. The only routes a browser is granted CORS for.
    Public,
    /// A secret key (`sk_…`) in `Authorization` only: the merchant's servers.
    /// A restricted key (`rk_…`) too, when it holds the route's scope. No
    /// CORS grant, so a secret key in a page fails loudly.
    Secret,
    /// Authenticated by a signature over the body (Shopify's webhooks).
    Signed,
    /// The operator's token (`OPERATOR_TOKEN`, a Worker secret): onboarding.
    Operator,
    /// No key at all (the OpenAPI document).
    Open,
}

/// Every route's method and path template, in the OpenAPI document's order.
pub const ROUTES: [(&str, &str); 56] = [
    ("GET", "/v1/availability/{sku}"),
    ("POST", "/v1/availability/batch"),
    ("POST", "/v1/inventory"),
    ("GET", "/v1/skus"),
    ("GET", "/v1/skus/{sku}"),
    ("POST", "/v1/holds"),
    ("GET", "/v1/holds"),
    ("POST", "/v1/holds/{hold_id}/commit"),
    ("POST", "/v1/holds/{hold_id}/release"),
    ("POST", "/v1/holds/{hold_id}/cancel"),
    ("POST", "/v1/fulfilments"),
    ("PUT", "/v1/delivery-config"),
    ("GET", "/v1/delivery-config"),
    ("POST", "/v1/shipments"),
    ("POST", "/v1/webhooks/shopify/{merchant}"),
    ("GET", "/v1/stream"),
    ("POST", "/v1/subscriptions"),
    ("GET", "/v1/subscriptions"),
    ("GET", "/v1/subscriptions/export"),
    ("POST", "/v1/subscriptions/erase"),
    ("GET", "/v1/settings"),
    ("PATCH", "/v1/settings"),
    ("GET", "/v1/keys"),
    ("POST", "/v1/keys"),
    ("POST", "/v1/keys/{key_id}/roll"),
    ("DELETE", "/v1/keys/{key_id}"),
    ("POST", "/v1/operator/merchants"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/webhook-endpoints"),
    ("GET", "/v1/webhook-endpoints"),
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"),
    ("POST", "/v1/webhook-deliveries/{delivery_id}/redeliver"),
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/roll-secret"),
    ("GET", "/v1/unsubscribe/{token}"),
    ("POST", "/v1/unsubscribe/{token}"),
    ("GET", "/v1/suppressions"),
    ("POST", "/v1/suppressions"),
    ("GET", "/v1/emails"),
    ("GET", "/v1/availability"),
    ("POST", "/v1/orders"),
    ("GET", "/v1/orders"),
    ("GET", "/v1/orders/{order_id}"),
    ("POST", "/v1/orders/{order_id}/shipments"),
    ("POST", "/v1/orders/{order_id}/cancel"),
    ("POST", "/v1/orders/{order_id}/refund"),
    ("GET", "/v1/order-status/{token}"),
    ("POST", "/v1/order-status/{token}"),
    ("GET", "/v1/availability/{sku}/offer"),
    ("PUT", "/v1/guard-rules"),
    ("GET", "/v1/guard-rules"),
    ("GET", "/v1/guards"),
    ("GET", "/v1/feed-urls"),
    ("POST", "/v1/feed-urls/roll"),
    ("GET", "/v1/feeds/{token}/{file}"),
    ("GET", "/v1/delivery-forecast"),
];

impl<'a> Route<'a> {
    /// Resolves `method` and `path`. A known path with another method is
    /// `method_not_allowed`; anything else is `not_found`.
    ///
    /// ```
    /// use upfront_shared::routes::Route;
    /// assert_eq!(Route::resolve("GET", "/v1/availability/MUG"), Ok(Route::Availability { sku: "MUG" }));
    /// assert_eq!(Route::resolve("GET", "/v1/holds"), Ok(Route::ListHolds));
    /// assert_eq!(Route::resolve("POST", "/v1/holds"), Ok(Route::CreateHold));
    /// ```
    pub fn resolve(method: &str, path: &'a str) -> Result<Self, ErrorCode> {
        let routes = Self::match_path(path);
        if routes.iter().all(Option::is_none) {
            return Err(ErrorCode::NotFound);
        }
        routes
            .into_iter()
            .flatten()
            .find(|route| method == route.method() || (method == "HEAD" && route.method() == "GET"))
            .ok_or(ErrorCode::MethodNotAllowed)
    }

    /// The route at `path` that a browser may call (for CORS preflights),
    /// else any route there.
    pub fn at(path: &'a str) -> Option<Self> {
        let routes = Self::match_path(path);
        routes
            .into_iter()
            .flatten()
            .find(|route| route.access() == Access::Public)
            .or(routes[0])
    }

    /// Who may call this route.
    pub fn access(self) -> Access {
        match self {
            Self::Availability { .. }
            | Self::AvailabilityBatch
            | Self::AvailabilityBatchGet
            | Self::Offer { .. }
            | Self::Stream
            | Self::Subscribe => Access::Public,
            // The link's token is signed by the merchant's store.
            Self::ShopifyWebhook { .. }
            | Self::UnsubscribePage { .. }
            | Self::Unsubscribe { .. }
            | Self::OrderStatusPage { .. }
            | Self::AnswerNotice { .. }
            | Self::Feed { .. } => Access::Signed,
            Self::CreateMerchant => Access::Operator,
            Self::OpenApi => Access::Open,
            _ => Access::Secret,
        }
    }

    /// The scope a restricted key needs for a secret route; `None` for the
    /// routes only the secret key may call (keys and settings) and for
    /// routes that take no restricted key at all.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Self::ListSkus | Self::GetSku { .. } | Self::ListGuards => Some(Scope::InventoryRead),
            Self::Inventory | Self::Fulfilments => Some(Scope::InventoryWrite),
            Self::ListHolds => Some(Scope::HoldsRead),
            Self::CreateHold
            | Self::CommitHold { .. }
            | Self::ReleaseHold { .. }
            | Self::CancelHold { .. } => Some(Scope::HoldsWrite),
            Self::GetDeliveryConfig
            | Self::GetGuardRules
            | Self::FeedUrls
            | Self::DeliveryForecast => Some(Scope::ConfigRead),
            Self::DeliveryConfig | Self::Shipments | Self::PutGuardRules | Self::RollFeedUrls => {
                Some(Scope::ConfigWrite)
            }
            Self::SubscriptionCounts
            | Self::SubscriptionExport
            | Self::ListSuppressions
            | Self::ListEmails => Some(Scope::SubscriptionsRead),
            Self::SubscriptionErase | Self::AddSuppression => Some(Scope::SubscriptionsWrite),
            Self::ListOrders | Self::GetOrder { .. } => Some(Scope::OrdersRead),
            Self::CreateOrder
            | Self::ShipOrder { .. }
            | Self::CancelOrder { .. }
            | Self::RefundOrder { .. } => Some(Scope::OrdersWrite),
            _ => None,
        }
    }

    /// Every route at `path`; at most two share one (told apart by method).
    fn match_path(path: &'a str) -> [Option<Self>; 2] {
        let Some(rest) = path.strip_prefix("/v1/") else {
            return [None, None];
        };
        let one = |route| [Some(route), None];
        match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["availability"] => one(Self::AvailabilityBatchGet),
            ["availability", "batch"] => one(Self::AvailabilityBatch),
            ["availability", sku] => one(Self::Availability { sku }),
            ["availability", sku, "offer"] => one(Self::Offer { sku }),
            ["guard-rules"] => [Some(Self::PutGuardRules), Some(Self::GetGuardRules)],
            ["guards"] => one(Self::ListGuards),
            ["feed-urls"] => one(Self::FeedUrls),
            ["feed-urls", "roll"] => one(Self::RollFeedUrls),
            ["feeds", token, file] => one(Self::Feed { token, file }),
            ["delivery-forecast"] => one(Self::DeliveryForecast),
            ["inventory"] => one(Self::Inventory),
            ["skus"] => one(Self::ListSkus),
            ["skus", sku] => one(Self::GetSku { sku }),
            ["holds"] => [Some(Self::CreateHold), Some(Self::ListHolds)],
            ["holds", id, "commit"] => one(Self::CommitHold { id }),
            ["holds", id, "release"] => one(Self::ReleaseHold { id }),
            ["holds", id, "cancel"] => one(Self::CancelHold { id }),
            ["fulfilments"] => one(Self::Fulfilments),
            ["delivery-config"] => [Some(Self::DeliveryConfig), Some(Self::GetDeliveryConfig)],
            ["shipments"] => one(Self::Shipments),
            ["webhooks", "shopify", merchant] => one(Self::ShopifyWebhook { merchant }),
            ["stream"] => one(Self::Stream),
            ["subscriptions"] => [Some(Self::Subscribe), Some(Self::SubscriptionCounts)],
            ["subscriptions", "export"] => one(Self::SubscriptionExport),
            ["subscriptions", "erase"] => one(Self::SubscriptionErase),
            ["settings"] => [Some(Self::GetSettings), Some(Self::UpdateSettings)],
            ["keys"] => [Some(Self::ListKeys), Some(Self::CreateKey)],
            ["keys", id, "roll"] => one(Self::RollKey { id }),
            ["keys", id] => one(Self::RevokeKey { id }),
            ["operator", "merchants"] => one(Self::CreateMerchant),
            ["openapi.json"] => one(Self::OpenApi),
            ["webhook-endpoints"] => [Some(Self::CreateEndpoint), Some(Self::ListEndpoints)],
            ["webhook-endpoints", id] => one(Self::DeleteEndpoint { id }),
            ["webhook-endpoints", id, "deliveries"] => one(Self::ListDeliveries { id }),
            ["webhook-endpoints", id, "roll-secret"] => one(Self::RollEndpointSecret { id }),
            ["webhook-deliveries", id, "redeliver"] => one(Self::Redeliver { id }),
            ["unsubscribe", token] => [
                Some(Self::UnsubscribePage { token }),
                Some(Self::Unsubscribe { token }),
            ],
            ["suppressions"] => [Some(Self::ListSuppressions), Some(Self::AddSuppression)],
            ["emails"] => one(Self::ListEmails),
            ["orders"] => [Some(Self::CreateOrder), Some(Self::ListOrders)],
            ["orders", id] => one(Self::GetOrder { id }),
            ["orders", id, "shipments"] => one(Self::ShipOrder { id }),
            ["orders", id, "cancel"] => one(Self::CancelOrder { id }),
            ["orders", id, "refund"] => one(Self::RefundOrder { id }),
            ["order-status", token] => [
                Some(Self::OrderStatusPage { token }),
                Some(Self::AnswerNotice { token }),
            ],
            _ => [None, None],
        }
    }

    pub fn method(self) -> &'static str {
        self.spec().0
    }

    /// The path template, also the rate limiter's per-route bucket name.
    pub fn template(self) -> &'static str {
        self.spec().1
    }

    fn spec(self) -> (&'static str, &'static str) {
        let index = match self {
            Self::Availability { .. } => 0,
            Self::AvailabilityBatch => 1,
            Self::Inventory => 2,
            Self::ListSkus => 3,
            Self::GetSku { .. } => 4,
            Self::CreateHold => 5,
            Self::ListHolds => 6,
            Self::CommitHold { .. } => 7,
            Self::ReleaseHold { .. } => 8,
            Self::CancelHold { .. } => 9,
            Self::Fulfilments => 10,
            Self::DeliveryConfig => 11,
            Self::GetDeliveryConfig => 12,
            Self::Shipments => 13,
            Self::ShopifyWebhook { .. } => 14,
            Self::Stream => 15,
            Self::Subscribe => 16,
            Self::SubscriptionCounts => 17,
            Self::SubscriptionExport => 18,
            Self::SubscriptionErase => 19,
            Self::GetSettings => 20,
            Self::UpdateSettings => 21,
            Self::ListKeys => 22,
            Self::CreateKey => 23,
            Self::RollKey { .. } => 24,
            Self::RevokeKey { .. } => 25,
            Self::CreateMerchant => 26,
            Self::OpenApi => 27,
            Self::CreateEndpoint => 28,
            Self::ListEndpoints => 29,
            Self::DeleteEndpoint { .. } => 30,
            Self::ListDeliveries { .. } => 31,
            Self::Redeliver { .. } => 32,
            Self::RollEndpointSecret { .. } => 33,
            Self::UnsubscribePage { .. } => 34,
            Self::Unsubscribe { .. } => 35,
            Self::ListSuppressions => 36,
            Self::AddSuppression => 37,
            Self::ListEmails => 38,
            Self::AvailabilityBatchGet => 39,
            Self::CreateOrder => 40,
            Self::ListOrders => 41,
            Self::GetOrder { .. } => 42,
            Self::ShipOrder { .. } => 43,
            Self::CancelOrder { .. } => 44,
            Self::RefundOrder { .. } => 45,
            Self::OrderStatusPage { .. } => 46,
            Self::AnswerNotice { .. } => 47,
            Self::Offer { .. } => 48,
            Self::PutGuardRules => 49,
            Self::GetGuardRules => 50,
            Self::ListGuards => 51,
            Self::FeedUrls => 52,
            Self::RollFeedUrls => 53,
            Self::Feed { .. } => 54,
            Self::DeliveryForecast => 55,
        };
        ROUTES[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            (
                "GET",
                "/v1/availability/MUG-1",
                Ok(Route::Availability { sku: "MUG-1" }),
            ),
            (
                "HEAD",
                "/v1/availability/MUG-1",
                Ok(Route::Availability { sku: "MUG-1" }),
            ),
            (
                "POST",
                "/v1/availability/batch",
                Ok(Route::AvailabilityBatch),
            ),
            (
                "GET",
                "/v1/availability/batch",
                Err(ErrorCode::MethodNotAllowed),
            ),
            (
                "DELETE",
                "/v1/availability/MUG-1",
                Err(ErrorCode::MethodNotAllowed),
            ),
            ("POST", "/v1/inventory", Ok(Route::Inventory)),
            ("GET", "/v1/openapi.json", Ok(Route::OpenApi)),
            ("GET", "/v1/stream", Ok(Route::Stream)),
            ("POST", "/v1/subscriptions", Ok(Route::Subscribe)),
            ("GET", "/v1/subscriptions", Ok(Route::SubscriptionCounts)),
            ("PUT", "/v1/subscriptions", Err(ErrorCode::MethodNotAllowed)),
            (
                "DELETE",
                "/v1/keys/key_1",
                Ok(Route::RevokeKey { id: "key_1" }),
            ),
            ("GET", "/v1/keys/key_1", Err(ErrorCode::MethodNotAllowed)),
            ("POST", "/v1/holds", Ok(Route::CreateHold)),
            ("PUT", "/v1/delivery-config", Ok(Route::DeliveryConfig)),
            ("POST", "/v1/shipments", Ok(Route::Shipments)),
            (
                "POST",
                "/v1/webhooks/shopify/demo",
                Ok(Route::ShopifyWebhook { merchant: "demo" }),
            ),
            (
                "POST",
                "/v1/delivery-config",
                Err(ErrorCode::MethodNotAllowed),
            ),
            (
                "POST",
                "/v1/holds/h1/commit",
                Ok(Route::CommitHold { id: "h1" }),
            ),
            (
                "POST",
                "/v1/holds/h1/release",
                Ok(Route::ReleaseHold { id: "h1" }),
            ),
            (
                "GET",
                "/v1/holds/h1/commit",
                Err(ErrorCode::MethodNotAllowed),
            ),
            ("POST", "/v1/holds/h1", Err(ErrorCode::NotFound)),
            ("GET", "/v1/availability/a/b", Err(ErrorCode::NotFound)),
            ("GET", "/v2/availability/A", Err(ErrorCode::NotFound)),
            ("GET", "/v1/", Err(ErrorCode::NotFound)),
            // Methods are compared exactly: an unknown one is never a GET.
            (
                "PROPFIND",
                "/v1/availability/MUG-1",
                Err(ErrorCode::MethodNotAllowed),
            ),
            ("get", "/v1/openapi.json", Err(ErrorCode::MethodNotAllowed)),
        ];
        for (method, path, want) in cases {
            assert_eq!(Route::resolve(method, path), want, "{method} {path}");
        }
    }

    #[test]
    fn every_template_resolves_to_its_own_route() {
        for (method, template) in ROUTES {
            let path = template
                .replace("{sku}", "SKU-1")
                .replace("{hold_id}", "h1")
                .replace("{merchant}", "demo")
                .replace("{key_id}", "key_1")
                .replace("{endpoint_id}", "we_1")
                .replace("{delivery_id}", "wd_1");
            let route = Route::resolve(method, &path).expect("resolves");
            assert_eq!((route.method(), route.template()), (method, template));
        }
    }
}
