//! Feeds for ad channels: every SKU's availability as Google Merchant
//! Center (`google.rs`: RSS 2.0 with the `g:` namespace, and TSV) and Meta
//! catalogs (`meta.rs`: CSV) read it, from the same derivation the widget's
//! answer uses, so a channel never advertises what the product page says is
//! gone.
//!
//! A feed is written row by row (`FeedFormat::head`, `row`, `tail`): the
//! edge streams 50,000 SKUs a page at a time without holding them all.

pub mod google;
pub mod meta;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::answer::StockSnapshot;
use crate::promise::config::Compiled;
use crate::stock::{Stock, StockStatus};

/// One SKU as every feed states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    pub sku: String,
    /// The status the widget shows for one unit.
    pub status: StockStatus,
    /// Units a shopper can buy now.
    pub available: i64,
    /// When a backorder is covered, a preorder releases, or an
    /// out-of-stock SKU restocks.
    pub availability_date: Option<Date>,
    /// A promotion guard stopped this SKU (within Merchant Center's 14 days).
    pub pause_ads: bool,
}

impl FeedItem {
    /// The item for a stored SKU at `now`, in the merchant's `zone` (the
    /// primary warehouse's, as the availability answer counts its days).
    pub fn of(snapshot: &StockSnapshot, now: Timestamp, zone: &TimeZone, pause_ads: bool) -> Self {
        let inbound = snapshot.arrivals();
        let derived = Stock {
            level: snapshot.level,
            policy: snapshot.policy,
            inbound: &inbound,
        }
        .derive(1, now.to_zoned_datetime(zone.clone()).date());
        Self {
            sku: snapshot.sku.clone(),
            status: derived.status,
            available: if derived.status == StockStatus::Discontinued {
                0
            } else {
                snapshot.level.sellable()
            },
            availability_date: derived.availability_date,
            pause_ads,
        }
    }
}

/// One shipping service to one country, in business days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shipping {
    pub country: String,
    /// The method's label.
    pub service: String,
    pub min_handling_days: u32,
    pub max_handling_days: u32,
    pub min_transit_days: u32,
    pub max_transit_days: u32,
}

/// The shipping to `country` (a feed's target country, as Merchant Center
/// and Meta feeds are one per country): one entry per method serving it,
/// handling from the primary warehouse, transit from the fastest to the
/// slowest lane of that country (postal ranges vary it).
pub fn shipping(config: &Compiled, country: &str) -> Vec<Shipping> {
    let Some(primary) = config.warehouses.first() else {
        return Vec::new();
    };
    let mut out: Vec<Shipping> = Vec::new();
    for method in &config.methods {
        for lane in method.lanes.iter().filter(|l| l.country == country) {
            let at = out
                .iter()
                .position(|s| s.country == lane.country && s.service == method.label);
            match at {
                Some(i) => {
                    let s = &mut out[i];
                    s.min_transit_days = s.min_transit_days.min(lane.transit_days.min);
                    s.max_transit_days = s.max_transit_days.max(lane.transit_days.max);
                }
                None => out.push(Shipping {
                    country: lane.country.clone(),
                    service: method.label.clone(),
                    min_handling_days: primary.handling.min,
                    max_handling_days: primary.handling.max,
                    min_transit_days: lane.transit_days.min,
                    max_transit_days: lane.transit_days.max,
                }),
            }
        }
    }
    out
}

/// Which feed, by the URL's file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// `google.xml`: RSS 2.0, `xmlns:g="http://base.google.com/ns/1.0"`.
    GoogleXml,
    /// `google.tsv`: tab-separated, Merchant Center's header names.
    GoogleTsv,
    /// `meta.csv`: RFC 4180 CSV, Meta's column names.
    MetaCsv,
}

impl FeedFormat {
    pub fn from_file_name(name: &str) -> Option<Self> {
        match name {
            "google.xml" => Some(Self::GoogleXml),
            "google.tsv" => Some(Self::GoogleTsv),
            "meta.csv" => Some(Self::MetaCsv),
            _ => None,
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Self::GoogleXml => "google.xml",
            Self::GoogleTsv => "google.tsv",
            Self::MetaCsv => "meta.csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::GoogleXml => "application/rss+xml; charset=utf-8",
            Self::GoogleTsv => "text/tab-separated-values; charset=utf-8",
            Self::MetaCsv => "text/csv; charset=utf-8",
        }
    }

    /// Everything before the first item.
    pub fn head(self, title: &str, link: &str) -> String {
        match self {
            Self::GoogleXml => google::xml_head(title, link),
            Self::GoogleTsv => google::TSV_HEADER.to_string(),
            Self::MetaCsv => meta::CSV_HEADER.to_string(),
        }
    }

    /// One item's row (or `<item>`), with its line end.
    pub fn row(self, item: &FeedItem, shipping: &[Shipping], today: Date) -> String {
        match self {
            Self::GoogleXml => google::xml_item(&google::Entry::of(item, today), shipping),
            Self::GoogleTsv => google::tsv_row(&google::Entry::of(item, today), shipping),
            Self::MetaCsv => meta::csv_row(&meta::Entry::of(item)),
        }
    }

    /// Everything after the last item.
    pub fn tail(self) -> &'static str {
        match self {
            Self::GoogleXml => "</channel>\n</rss>\n",
            Self::GoogleTsv | Self::MetaCsv => "",
        }
    }
}

/// A date as an ISO 8601 instant with its offset: midnight UTC, the
/// form `availability_date` takes in both channels.
pub fn iso_instant(date: Date) -> String {
    format!("{date}T00:00:00+00:00")
}

/// Merchant Center takes an `availability_date` at most a year ahead.
pub fn within_a_year(date: Date, today: Date) -> bool {
    today.checked_add(1.year()).is_ok_and(|limit| date <= limit)
}

/// The merchant a feed token names: `ft_{merchant}.{32 hex}`.
///
/// ```
/// use upfront_shared::feed::token_merchant;
/// assert_eq!(token_merchant("ft_acme.0123456789abcdef0123456789abcdef"), Some("acme"));
/// assert_eq!(token_merchant("ft_acme"), None);
/// ```
pub fn token_merchant(token: &str) -> Option<&str> {
    let (merchant, secret) = token.strip_prefix("ft_")?.split_once('.')?;
    let hex = secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !merchant.is_empty() && merchant.len() <= 64).then_some(merchant)
}

/// `GET /v1/feed-urls`: where the channels fetch this merchant's feeds.
/// The URLs are secrets: whoever has one reads the catalogue's
/// availability. `POST /v1/feed-urls/roll` replaces them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct FeedUrls {
    /// Merchant Center, XML (RSS 2.0): add it as a supplemental feed.
    pub google_xml: String,
    /// Merchant Center, TSV: the same feed as a file.
    pub google_tsv: String,
    /// Meta Commerce Manager, CSV: a scheduled data feed.
    pub meta_csv: String,
}

impl FeedUrls {
    pub fn of(base: &str, token: &str) -> Self {
        let url = |format: FeedFormat| format!("{base}/v1/feeds/{token}/{}", format.file_name());
        Self {
            google_xml: url(FeedFormat::GoogleXml),
            google_tsv: url(FeedFormat::GoogleTsv),
            meta_csv: url(FeedFormat::MetaCsv),
        }
    }
}
