//! The public routes, as data: the edge routes with it and the OpenAPI
//! document is built from it, so the two cannot drift apart.

use crate::error::ErrorCode;

/// A resolved request target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route<'a> {
    Availability { sku: &'a str },
    AvailabilityBatch,
    Inventory,
    CreateHold,
    CommitHold { id: &'a str },
    ReleaseHold { id: &'a str },
    DeliveryConfig,
    Shipments,
    ShopifyWebhook { merchant: &'a str },
    Stream,
    Subscribe,
    OpenApi,
}

/// Who may call a route, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A publishable key (`pk_…`), in the query or `Authorization`: pages and
    /// apps. The only routes a browser is granted CORS for.
    Public,
    /// A secret key (`sk_…`) in `Authorization` only: the merchant's servers.
    /// No CORS grant, so a secret key in a page fails loudly.
    Secret,
    /// Authenticated by a signature over the body (Shopify's webhooks).
    Signed,
    /// No key at all (the OpenAPI document).
    Open,
}

/// Every route's method and path template, in the OpenAPI document's order.
pub const ROUTES: [(&str, &str); 12] = [
    ("GET", "/v1/availability/{sku}"),
    ("POST", "/v1/availability/batch"),
    ("POST", "/v1/inventory"),
    ("POST", "/v1/holds"),
    ("POST", "/v1/holds/{hold_id}/commit"),
    ("POST", "/v1/holds/{hold_id}/release"),
    ("PUT", "/v1/delivery-config"),
    ("POST", "/v1/shipments"),
    ("POST", "/v1/webhooks/shopify/{merchant}"),
    ("GET", "/v1/stream"),
    ("POST", "/v1/subscriptions"),
    ("GET", "/v1/openapi.json"),
];

impl<'a> Route<'a> {
    /// Resolves `method` and `path`. A known path with another method is
    /// `method_not_allowed`; anything else is `not_found`.
    ///
    /// ```
    /// use upfront_shared::routes::Route;
    /// assert_eq!(Route::resolve("GET", "/v1/availability/MUG"), Ok(Route::Availability { sku: "MUG" }));
    /// ```
    pub fn resolve(method: &str, path: &'a str) -> Result<Self, ErrorCode> {
        let route = Self::match_path(path).ok_or(ErrorCode::NotFound)?;
        if method == route.method() || (method == "HEAD" && route.method() == "GET") {
            Ok(route)
        } else {
            Err(ErrorCode::MethodNotAllowed)
        }
    }

    /// The route at `path` whatever the method (for CORS preflights).
    pub fn at(path: &'a str) -> Option<Self> {
        Self::match_path(path)
    }

    /// Who may call this route.
    pub fn access(self) -> Access {
        match self {
            Self::Availability { .. }
            | Self::AvailabilityBatch
            | Self::Stream
            | Self::Subscribe => Access::Public,
            Self::Inventory
            | Self::CreateHold
            | Self::CommitHold { .. }
            | Self::ReleaseHold { .. }
            | Self::DeliveryConfig
            | Self::Shipments => Access::Secret,
            Self::ShopifyWebhook { .. } => Access::Signed,
            Self::OpenApi => Access::Open,
        }
    }

    fn match_path(path: &'a str) -> Option<Self> {
        let rest = path.strip_prefix("/v1/")?;
        match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["availability", "batch"] => Some(Self::AvailabilityBatch),
            ["availability", sku] => Some(Self::Availability { sku }),
            ["inventory"] => Some(Self::Inventory),
            ["holds"] => Some(Self::CreateHold),
            ["holds", id, "commit"] => Some(Self::CommitHold { id }),
            ["holds", id, "release"] => Some(Self::ReleaseHold { id }),
            ["delivery-config"] => Some(Self::DeliveryConfig),
            ["shipments"] => Some(Self::Shipments),
            ["webhooks", "shopify", merchant] => Some(Self::ShopifyWebhook { merchant }),
            ["stream"] => Some(Self::Stream),
            ["subscriptions"] => Some(Self::Subscribe),
            ["openapi.json"] => Some(Self::OpenApi),
            _ => None,
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
        match self {
            Self::Availability { .. } => ROUTES[0],
            Self::AvailabilityBatch => ROUTES[1],
            Self::Inventory => ROUTES[2],
            Self::CreateHold => ROUTES[3],
            Self::CommitHold { .. } => ROUTES[4],
            Self::ReleaseHold { .. } => ROUTES[5],
            Self::DeliveryConfig => ROUTES[6],
            Self::Shipments => ROUTES[7],
            Self::ShopifyWebhook { .. } => ROUTES[8],
            Self::Stream => ROUTES[9],
            Self::Subscribe => ROUTES[10],
            Self::OpenApi => ROUTES[11],
        }
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
            ("GET", "/v1/subscriptions", Err(ErrorCode::MethodNotAllowed)),
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
                .replace("{merchant}", "demo");
            let route = Route::resolve(method, &path).expect("resolves");
            assert_eq!((route.method(), route.template()), (method, template));
        }
    }
}
