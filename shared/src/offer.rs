//! The schema.org `Product` → `Offer` JSON-LD of an availability answer:
//! what `GET /v1/availability/{sku}/offer` serves for a merchant's own
//! templates, what the edge's rewrite mode writes into product pages, and
//! what the loader (`widget/loader/upfront.js`, `publishJsonLd`) writes
//! from the same answer in the browser. Crawlers compare it with the feeds.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::api::Availability;
use crate::stock::StockStatus;

/// schema.org's `ItemAvailability` for a status. Low stock is still
/// `InStock` (Merchant Center has no "limited" value to agree with).
pub fn schema_org_availability(status: StockStatus) -> &'static str {
    match status {
        StockStatus::InStock | StockStatus::LowStock => "https://schema.org/InStock",
        StockStatus::Backorder => "https://schema.org/BackOrder",
        StockStatus::Preorder => "https://schema.org/PreOrder",
        StockStatus::OutOfStock => "https://schema.org/OutOfStock",
        StockStatus::Discontinued => "https://schema.org/Discontinued",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductJsonLd {
    #[serde(rename = "@context")]
    pub context: String,
    #[serde(rename = "@type")]
    pub kind: String,
    pub sku: String,
    pub offers: OfferJsonLd,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfferJsonLd {
    #[serde(rename = "@type")]
    pub kind: String,
    /// `https://schema.org/InStock`, `BackOrder`, `PreOrder`, `OutOfStock`
    /// or `Discontinued`.
    pub availability: String,
    /// The answer's `availability_date` (backorder covered, preorder
    /// release, restock), as Merchant Center's feed states it too.
    #[serde(
        rename = "availabilityStarts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub availability_starts: Option<String>,
    #[serde(
        rename = "shippingDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_details: Option<ShippingDetails>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShippingDetails {
    #[serde(rename = "@type")]
    pub kind: String,
    #[serde(rename = "deliveryTime")]
    pub delivery_time: DeliveryTime,
    #[serde(
        rename = "shippingDestination",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_destination: Option<DefinedRegion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeliveryTime {
    #[serde(rename = "@type")]
    pub kind: String,
    #[serde(rename = "handlingTime")]
    pub handling_time: Days,
    #[serde(rename = "transitTime")]
    pub transit_time: Days,
    /// The order-by time of day, UTC (`HH:MM:SSZ`).
    #[serde(rename = "cutoffTime")]
    pub cutoff_time: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Days {
    #[serde(rename = "@type")]
    pub kind: String,
    #[serde(rename = "minValue")]
    pub min_value: i64,
    #[serde(rename = "maxValue")]
    pub max_value: i64,
    #[serde(rename = "unitCode")]
    pub unit_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DefinedRegion {
    #[serde(rename = "@type")]
    pub kind: String,
    #[serde(rename = "addressCountry")]
    pub address_country: String,
    #[serde(
        rename = "postalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
}

fn days(min: i64, max: i64) -> Days {
    Days {
        kind: "QuantitativeValue".into(),
        min_value: min,
        max_value: max,
        unit_code: "DAY".into(),
    }
}

impl ProductJsonLd {
    /// The JSON-LD of `answer` on `today` (the merchant's day), for a
    /// shopper in `country` (and `postal_code`) when known.
    ///
    /// ```
    /// use upfront_shared::offer::ProductJsonLd;
    /// # use upfront_shared::{api::Availability, stock::StockStatus};
    /// # let answer = Availability { sku: "MUG".into(), status: StockStatus::LowStock, available: 2,
    /// #   display_count: Some(2), requested_qty: 1, fulfillable: true, as_of: "2026-12-01T00:00:00Z".parse().unwrap(),
    /// #   stale: false, availability_date: None, notices: vec![], delivery: None, delivery_options: vec![] };
    /// let ld = ProductJsonLd::of(&answer, jiff::civil::date(2026, 12, 1), None, None);
    /// assert_eq!(ld.offers.availability, "https://schema.org/InStock");
    /// ```
    pub fn of(
        answer: &Availability,
        today: Date,
        country: Option<&str>,
        postal_code: Option<&str>,
    ) -> Self {
        let shipping_details = answer.delivery_options.first().map(|option| {
            let between = |from: Date, to: Date| (to - from).get_days() as i64;
            let handling = between(today, option.ship_date).max(0);
            ShippingDetails {
                kind: "OfferShippingDetails".into(),
                delivery_time: DeliveryTime {
                    kind: "ShippingDeliveryTime".into(),
                    handling_time: days(handling, handling),
                    transit_time: days(
                        between(option.ship_date, option.earliest),
                        between(option.ship_date, option.latest),
                    ),
                    cutoff_time: option.order_by.strftime("%H:%M:%SZ").to_string(),
                },
                shipping_destination: country.map(|c| DefinedRegion {
                    kind: "DefinedRegion".into(),
                    address_country: c.to_string(),
                    postal_code: postal_code.map(str::to_string),
                }),
            }
        });
        Self {
            context: "https://schema.org".into(),
            kind: "Product".into(),
            sku: answer.sku.clone(),
            offers: OfferJsonLd {
                kind: "Offer".into(),
                availability: schema_org_availability(answer.status).into(),
                availability_starts: answer.availability_date.map(|d| d.to_string()),
                shipping_details,
            },
        }
    }
}
