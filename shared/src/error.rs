//! The one error shape every API answer uses, and its stable codes.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code. Clients switch on these; the
/// message is for humans and may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON of the expected shape (unknown fields included).
    InvalidJson,
    /// A path or query parameter is malformed or unknown.
    InvalidParameter,
    /// The body is well-formed but a value breaks a rule.
    InvalidRequest,
    MissingKey,
    InvalidKey,
    WrongKeyType,
    /// A secret key in a URL (`?key=sk_…`), where logs and browser history
    /// keep it: secret keys go in `Authorization` only. Roll the key.
    SecretKeyInUrl,
    NotFound,
    MethodNotAllowed,
    BodyTooLarge,
    UnsupportedMediaType,
    /// A `deny` SKU has fewer sellable units than the hold asks for.
    InsufficientStock,
    /// The hold was already committed, released or expired.
    HoldNotOpen,
    /// This `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused,
    /// A webhook's signature does not match its body.
    InvalidSignature,
    /// A browser page whose origin the merchant has not allowed.
    OriginNotAllowed,
    /// `GET /v1/stream` without a WebSocket upgrade.
    UpgradeRequired,
    /// A back-in-stock subscription for a SKU that is in stock: there is
    /// nothing to wait for.
    SkuInStock,
    /// A back-in-stock subscription for a discontinued SKU: it will not be back.
    SkuDiscontinued,
    /// The operator token is missing or wrong (or `OPERATOR_TOKEN` unset).
    InvalidOperatorToken,
    /// A restricted key without the route's scope, or one on a route only
    /// the secret key may call.
    InsufficientScope,
    /// `POST /v1/operator/merchants` with an id that is taken.
    MerchantExists,
    /// The secret key is rolled, never revoked, so a merchant is never
    /// locked out.
    SecretKeyNotRevocable,
    /// A fulfilment or cancellation of a hold that is not a committed,
    /// unshipped sale.
    HoldNotCommitted,
    /// `POST /v1/orders` with an order id already used for a different order.
    OrderExists,
    /// The order's state does not allow this step (shipped, cancelled, or
    /// nothing to consent to).
    OrderNotOpen,
    /// An answer to an option notice that a later notice replaced: the
    /// buyer must answer the latest one.
    NoticeSuperseded,
    /// A promise token that this store did not sign, that was altered, or
    /// whose terms do not fit the order line (SKU, quantity, destination).
    InvalidPromiseToken,
    /// A promise token past its `order_by`: that promise no longer holds.
    PromiseTokenExpired,
    RateLimited,
    InternalError,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 31] = [
        Self::InvalidJson,
        Self::InvalidParameter,
        Self::InvalidRequest,
        Self::MissingKey,
        Self::InvalidKey,
        Self::WrongKeyType,
        Self::SecretKeyInUrl,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::BodyTooLarge,
        Self::UnsupportedMediaType,
        Self::InsufficientStock,
        Self::HoldNotOpen,
        Self::IdempotencyKeyReused,
        Self::InvalidSignature,
        Self::OriginNotAllowed,
        Self::UpgradeRequired,
        Self::SkuInStock,
        Self::SkuDiscontinued,
        Self::InvalidOperatorToken,
        Self::InsufficientScope,
        Self::MerchantExists,
        Self::SecretKeyNotRevocable,
        Self::HoldNotCommitted,
        Self::OrderExists,
        Self::OrderNotOpen,
        Self::NoticeSuperseded,
        Self::InvalidPromiseToken,
        Self::PromiseTokenExpired,
        Self::RateLimited,
        Self::InternalError,
    ];
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::InvalidParameter | Self::SecretKeyInUrl => 400,
            Self::InvalidRequest
            | Self::IdempotencyKeyReused
            | Self::InvalidPromiseToken
            | Self::PromiseTokenExpired => 422,
            Self::MissingKey
            | Self::InvalidKey
            | Self::InvalidSignature
            | Self::InvalidOperatorToken => 401,
            Self::WrongKeyType | Self::OriginNotAllowed | Self::InsufficientScope => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::BodyTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InsufficientStock
            | Self::HoldNotOpen
            | Self::SkuInStock
            | Self::SkuDiscontinued
            | Self::MerchantExists
            | Self::SecretKeyNotRevocable
            | Self::HoldNotCommitted
            | Self::OrderExists
            | Self::OrderNotOpen
            | Self::NoticeSuperseded => 409,
            Self::UpgradeRequired => 426,
            Self::RateLimited => 429,
            Self::InternalError => 500,
        }
    }
}

/// `{"error": {"code", "message", "param"?}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For humans; may change. Never contains internals.
    pub message: String,
    /// The offending parameter or JSON path, e.g. `items[3].qty`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// With `insufficient_stock`: the units that can still be held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                param: None,
                available: None,
            },
        }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.error.param = Some(param.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape() {
        let body =
            ErrorBody::new(ErrorCode::InvalidRequest, "qty must be positive").with_param("qty");
        assert_eq!(
            serde_json::to_value(&body).expect("serialize"),
            serde_json::json!({"error": {"code": "invalid_request", "message": "qty must be positive", "param": "qty"}})
        );
    }

    #[test]
    fn statuses_are_the_documented_ones() {
        let statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.http_status()).collect();
        for status in &statuses {
            assert!([400, 401, 403, 404, 405, 409, 413, 415, 422, 426, 429, 500].contains(status));
        }
        for wanted in [400, 401, 403, 404, 405, 409, 413, 415, 422, 429] {
            assert!(statuses.contains(&wanted), "{wanted} has no code");
        }
    }
}
