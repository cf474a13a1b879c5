//! Orders and the promise each one carries.
//!
//! - [`ftc`]: the Mail Order Rule's option workflow, a pure state machine;
//! - [`watch`]: the earliest day an open order can ship, now;
//! - [`copy`]: the buyer's words, in seven languages;
//! - [`notice`] and [`page`]: the delay email and the order page;
//! - [`token`]: the signed promise an availability answer carries.
//!
//! The edge keeps each order in the merchant's store, re-checks the open
//! ones whenever stock or the delivery configuration changes and daily,
//! and carries out what `ftc` decides (`edge/src/store/orders.rs`).

pub mod copy;
pub mod ftc;
pub mod notice;
pub mod page;
pub mod token;
pub mod watch;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use self::ftc::{Notice, Obligation, PaymentKind, Stage};
use crate::error::{ErrorBody, ErrorCode};
use crate::postal::normalize_postal_code;
use crate::query::parse_locale;
use crate::sku::is_valid_sku;
use crate::subscription::normalize_email;

/// Lines an order may have.
pub const MAX_LINES: usize = 50;
/// Units of one line.
pub const MAX_LINE_QTY: u32 = 9_999;
/// Characters of a goodwill discount code.
pub const MAX_CODE: usize = 64;

/// Body of `POST /v1/orders`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Your order id (1–64 of `A-Z a-z 0-9 . _ -`): sending the same order
    /// again answers the stored one and changes nothing.
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::sku::SKU_PATTERN)))]
    pub id: String,
    /// 1–50 lines.
    pub lines: Vec<OrderLine>,
    /// Where it goes; without it, the store's home country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<OrderDestination>,
    /// The buyer's address, for delay notices.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "email", "maxLength" = 254)))]
    pub email: String,
    /// The buyer's language (BCP 47): notices and the order page use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::query::LOCALE_PATTERN)))]
    pub locale: Option<String>,
    pub payment: PaymentKind,
    /// The last day to ship that the shopper was told (your checkout's
    /// promise). Without it, the earliest day the order can ship now, or
    /// the rule's 30 days (50 on your own credit) when nobody can say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub ship_by: Option<Date>,
    /// A discount code offered in delay notices as an apology. It is never
    /// the refund: a cancelled order is refunded in money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 64)))]
    pub delay_discount_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = crate::sku::SKU_PATTERN)))]
    pub sku: String,
    /// 1–9,999 units.
    pub qty: u32,
    /// The checkout's committed hold, if it took one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<String>,
    /// The `promise_token` of the delivery option the shopper saw for this
    /// SKU: the order then gets exactly its terms (and `ship_by` is
    /// ignored). Refused when altered, expired, or not for this SKU, a
    /// quantity at least this line's, and the order's destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 2048)))]
    pub promise_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderDestination {
    /// ISO 3166-1 alpha-2.
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[A-Za-z]{2}$")))]
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 16)))]
    pub postal_code: Option<String>,
}

/// Where an order's ship-by date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseSource {
    /// The store's signed promise tokens, as the shopper saw them.
    Token,
    /// The merchant sent the date its checkout showed.
    Stated,
    /// Computed when the order came in, from stock and the delivery
    /// configuration.
    Computed,
    /// Nobody could say: the rule's 30 days (50 on the seller's credit).
    Rule,
}

/// Where an order stands, for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingShipment,
    /// An option notice waits for the buyer's answer.
    AwaitingAnswer,
    /// The buyer agreed to a later date.
    Delayed,
    Shipped,
    /// Shipped, and every parcel reported delivered.
    Delivered,
    /// Cancelled; the refund is not yet recorded.
    RefundDue,
    Refunded,
}

impl OrderStatus {
    /// An order's status: its stage, and for a shipped one whether every
    /// parcel arrived.
    pub fn of_order(order: &Order) -> Self {
        match Self::of(&order.obligation.stage) {
            Self::Shipped
                if !order.shipments.is_empty()
                    && order.shipments.iter().all(|s| s.delivered_at.is_some()) =>
            {
                Self::Delivered
            }
            status => status,
        }
    }

    pub fn of(stage: &Stage) -> Self {
        match stage {
            Stage::OnTime => Self::AwaitingShipment,
            Stage::Noticed(_) => Self::AwaitingAnswer,
            Stage::Consented { .. } => Self::Delayed,
            Stage::Shipped => Self::Shipped,
            Stage::Cancelled(c) if c.refunded => Self::Refunded,
            Stage::Cancelled(_) => Self::RefundDue,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingShipment => "awaiting_shipment",
            Self::AwaitingAnswer => "awaiting_answer",
            Self::Delayed => "delayed",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::RefundDue => "refund_due",
            Self::Refunded => "refunded",
        }
    }

    /// Still to ship: the watcher looks at it.
    pub fn open(self) -> bool {
        matches!(
            self,
            Self::AwaitingShipment | Self::AwaitingAnswer | Self::Delayed
        )
    }
}

/// Why no ship date can be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DelayReason {
    /// A line's stock is gone and no arrival covers it.
    OutOfStock,
    /// No shipping method serves the destination.
    NoDelivery,
}

/// A notice sent, as the order keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SentNotice {
    /// 1 for the first, then each renewal.
    pub number: u32,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub sent_at: Timestamp,
    /// The date the order was due to ship by until this notice.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub was_due: Date,
    #[serde(flatten)]
    pub notice: Notice,
    /// Why no date could be given (with `revised` absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<DelayReason>,
}

/// A parcel the merchant sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderShipment {
    /// 1–64 printable characters.
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 64)))]
    pub carrier: String,
    /// The parcel's tracking number; reporting it again (with
    /// `delivered_at`) updates that parcel.
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 64)))]
    pub tracking: String,
    /// The warehouse it left (for the learned delivery lanes); the
    /// delivery configuration's primary one when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 64)))]
    pub warehouse: Option<String>,
    /// The shipping method; the promised one (else the configuration's
    /// first) when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("maxLength" = 64)))]
    pub method: Option<String>,
    /// When the carrier took it; now when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub handed_off_at: Option<Timestamp>,
    /// When it was delivered, once it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub delivered_at: Option<Timestamp>,
}

/// An order as it is stored and read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Order {
    pub id: String,
    pub status: OrderStatus,
    pub lines: Vec<OrderLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<OrderDestination>,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    pub promise_source: PromiseSource,
    /// The terms of each promise token the order came with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promised: Vec<token::PromiseTerms>,
    /// The obligation: the date promised, the payment, and the stage of the
    /// option workflow.
    pub obligation: Obligation,
    /// Every option notice sent, oldest first.
    pub notices: Vec<SentNotice>,
    pub shipments: Vec<OrderShipment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_discount_code: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created: Timestamp,
    /// The buyer's page: status, notices, and the consent and cancel
    /// buttons while they apply. Anyone with the link can open it; send it
    /// only to the buyer. Not in webhook events.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status_url: String,
}

/// A page of `GET /v1/orders`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderList {
    pub data: Vec<Order>,
    /// Pass as `cursor` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A checked order: the email normalized, the country upper case and the
/// postal code in its country's form.
///
/// ```
/// use upfront_shared::order::{OrderRequest, OrderLine, validate_order};
/// use upfront_shared::order::ftc::PaymentKind;
/// let mut request = OrderRequest {
///     id: "1001".into(), lines: vec![OrderLine { sku: "MUG".into(), qty: 2, hold_id: None, promise_token: None }],
///     destination: None, email: " Ada@Example.com".into(), locale: Some("ru".into()),
///     payment: PaymentKind::Card, ship_by: None, delay_discount_code: None,
/// };
/// assert_eq!(validate_order(request.clone()).unwrap().email, "ada@example.com");
/// request.lines[0].qty = 0;
/// assert_eq!(validate_order(request).unwrap_err().error.param.as_deref(), Some("lines[0].qty"));
/// ```
pub fn validate_order(mut request: OrderRequest) -> Result<OrderRequest, ErrorBody> {
    let invalid = |message: &str, param: &str| {
        ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
    };
    if !is_valid_sku(&request.id) {
        return Err(invalid(
            "id must be 1-64 characters of A-Z a-z 0-9 . _ -",
            "id",
        ));
    }
    if request.lines.is_empty() || request.lines.len() > MAX_LINES {
        return Err(invalid("an order has 1-50 lines", "lines"));
    }
    for (i, line) in request.lines.iter().enumerate() {
        if !is_valid_sku(&line.sku) {
            return Err(invalid("not a SKU", &format!("lines[{i}].sku")));
        }
        if !(1..=MAX_LINE_QTY).contains(&line.qty) {
            return Err(invalid("qty is 1-9999", &format!("lines[{i}].qty")));
        }
        if let Some(hold) = &line.hold_id
            && !crate::readback::is_store_id(hold, "hold_")
        {
            return Err(invalid("not a hold id", &format!("lines[{i}].hold_id")));
        }
        if line.promise_token.as_ref().is_some_and(|t| t.len() > 2048) {
            return Err(invalid(
                "not a promise token",
                &format!("lines[{i}].promise_token"),
            ));
        }
    }
    if let Some(destination) = &mut request.destination {
        let country = destination.country.to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "country is ISO 3166-1 alpha-2",
                "destination.country",
            ));
        }
        if let Some(code) = &destination.postal_code {
            destination.postal_code =
                Some(normalize_postal_code(&country, code).ok_or_else(|| {
                    invalid(
                        "not a postal code of that country",
                        "destination.postal_code",
                    )
                })?);
        }
        destination.country = country;
    }
    request.email =
        normalize_email(&request.email).ok_or_else(|| invalid("not an email address", "email"))?;
    if let Some(locale) = &request.locale
        && parse_locale(locale).is_none()
    {
        return Err(invalid("not a BCP 47 language tag", "locale"));
    }
    if let Some(code) = &request.delay_discount_code
        && (code.is_empty()
            || code.chars().count() > MAX_CODE
            || code.chars().any(char::is_control))
    {
        return Err(invalid(
            "delay_discount_code is 1-64 characters, no control characters",
            "delay_discount_code",
        ));
    }
    Ok(request)
}

/// A shipment's carrier, tracking number, warehouse and method (1–64
/// printable characters each), and its times: none in the future, none
/// delivered before it left.
pub fn validate_shipment(shipment: &OrderShipment, now: Timestamp) -> Result<(), ErrorBody> {
    let future = |t: Option<Timestamp>| t.is_some_and(|t| t > now);
    for (bad, param) in [
        (future(shipment.handed_off_at), "handed_off_at"),
        (future(shipment.delivered_at), "delivered_at"),
        (
            matches!((shipment.handed_off_at, shipment.delivered_at), (Some(h), Some(d)) if d < h),
            "delivered_at",
        ),
    ] {
        if bad {
            return Err(ErrorBody::new(
                ErrorCode::InvalidRequest,
                "not in the future, and not delivered before it was handed off",
            )
            .with_param(param));
        }
    }
    let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    for (value, param) in [
        (&shipment.carrier, "carrier"),
        (&shipment.tracking, "tracking"),
        (&optional(&shipment.warehouse), "warehouse"),
        (&optional(&shipment.method), "method"),
    ] {
        if value.is_empty() || value.chars().count() > 64 || value.chars().any(char::is_control) {
            return Err(ErrorBody::new(
                ErrorCode::InvalidRequest,
                "1-64 characters, no control characters",
            )
            .with_param(param));
        }
    }
    Ok(())
}

/// The buyer's answer to a notice (the order page's buttons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerAnswer {
    Consent,
    Cancel,
}

/// The buyer's credential, in the order page's link and for apps:
/// `ot_{merchant}.{32 hex}`, 128 random bits.
pub fn buyer_token(merchant: &str, random_hex: &str) -> String {
    format!("ot_{merchant}.{random_hex}")
}

/// The merchant a buyer token belongs to; `None` for anything not shaped
/// like one. Whether it exists is the merchant's store's to say.
///
/// ```
/// use upfront_shared::order::token_merchant;
/// assert_eq!(token_merchant("ot_acme.0123456789abcdef0123456789abcdef"), Some("acme"));
/// assert_eq!(token_merchant("ot_acme.0123"), None);
/// assert_eq!(token_merchant("sk_test_acme_0123456789abcdef0123456789abcdef"), None);
/// ```
pub fn token_merchant(token: &str) -> Option<&str> {
    let (merchant, random) = token.strip_prefix("ot_")?.split_once('.')?;
    (crate::keys::is_merchant_id(merchant)
        && random.len() == 32
        && random
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(merchant)
}
