//! What a merchant can read back about the emails sent on its behalf: the
//! log, and the suppression list it can add to.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What an email is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// To a shopper who asked to hear once when a SKU is back. Not
    /// transactional: capped, and carries one-click unsubscribe.
    BackInStock,
    /// To the merchant: a webhook endpoint was disabled. Transactional.
    EndpointDisabled,
    /// To a buyer: an option notice about an order that cannot ship on
    /// time (the FTC Mail Order Rule). Transactional, and an unsubscribe
    /// from stock alerts does not stop it.
    OrderDelayed,
}

impl EmailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BackInStock => "back_in_stock",
            Self::EndpointDisabled => "endpoint_disabled",
            Self::OrderDelayed => "order_delayed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::BackInStock,
            Self::EndpointDisabled,
            Self::OrderDelayed,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// Transactional mail answers something the reader did or owns; the
    /// rest is capped and can be unsubscribed from in one click.
    pub fn transactional(self) -> bool {
        matches!(self, Self::EndpointDisabled | Self::OrderDelayed)
    }
}

/// Where an email stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailState {
    /// Waiting for its first or next attempt.
    Pending,
    Sent,
    /// Not sent: the address is on the suppression list.
    Suppressed,
    /// Not sent: it would break a frequency cap. A back-in-stock shopper
    /// keeps waiting for the next restock.
    Capped,
    /// Not sent: the transport refused it for three days.
    Failed,
}

/// One email of `GET /v1/emails`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EmailRecord {
    pub id: String,
    pub kind: EmailKind,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub state: EmailState,
    pub attempts: i64,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub sent_at: Option<Timestamp>,
}

/// `GET /v1/emails`: newest first, kept 30 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EmailLog {
    pub data: Vec<EmailRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Why nothing more goes to an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// The shopper's one-click unsubscribe, or the merchant's record of it.
    Unsubscribed,
    /// Mail to it bounced (as the merchant's mail provider reports).
    Bounced,
    /// The shopper marked a message as spam.
    Complained,
    /// An erasure request: the address itself is gone.
    Erased,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsubscribed => "unsubscribed",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
            Self::Erased => "erased",
        }
    }
}

/// `POST /v1/suppressions`: the merchant adds an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SuppressionRequest {
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "email", "maxLength" = 254)))]
    pub email: String,
    pub reason: SuppressionReason,
}

/// One suppressed address, by the SHA-256 of its normalized form (trimmed,
/// lower case): the list outlives erasure, so it keeps no address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Suppression {
    pub address_sha256: String,
    pub reason: SuppressionReason,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created: Timestamp,
}

/// `GET /v1/suppressions`: oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SuppressionList {
    pub data: Vec<Suppression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
