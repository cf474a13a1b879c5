//! Google Merchant Center's supplemental feed: `id`, `availability`,
//! `availability_date`, `shipping` and `pause`.
//!
//! - `availability` is `in_stock`, `out_of_stock`, `preorder` or
//!   `backorder`; the last two require an `availability_date` (ISO 8601
//!   with an offset), at most one year ahead. A backorder or preorder with
//!   no date in that year is stated `out_of_stock`: Google refuses it
//!   otherwise, and advertising an undated backorder invites cancellations.
//! - `shipping`: per country and service, handling and transit times in
//!   business days from the delivery configuration.
//! - `pause` = `ads` while a promotion guard stops the SKU.

use jiff::civil::Date;

use super::{FeedItem, Shipping, iso_instant, within_a_year};
use crate::email::templates::escape;
use crate::stock::StockStatus;

pub const NAMESPACE: &str = "http://base.google.com/ns/1.0";

/// Merchant Center's TSV header: sub-attributes named in parentheses,
/// values joined by `:` and several shipping entries by `,`.
pub const TSV_HEADER: &str = "id\tavailability\tavailability_date\tshipping(country:service:min_handling_time:max_handling_time:min_transit_time:max_transit_time)\tpause\n";

/// One item's Google values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub id: &'a str,
    pub availability: &'static str,
    pub availability_date: Option<String>,
    pub pause: bool,
}

impl<'a> Entry<'a> {
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::feed::{FeedItem, google::Entry};
    /// use upfront_shared::stock::StockStatus;
    /// let item = FeedItem { sku: "A".into(), status: StockStatus::Backorder, available: 0,
    ///     availability_date: Some(date(2026, 12, 20)), pause_ads: false };
    /// let entry = Entry::of(&item, date(2026, 12, 1));
    /// assert_eq!(entry.availability, "backorder");
    /// assert_eq!(entry.availability_date.as_deref(), Some("2026-12-20T00:00:00+00:00"));
    /// ```
    pub fn of(item: &'a FeedItem, today: Date) -> Self {
        let dated = item
            .availability_date
            .filter(|&d| within_a_year(d, today))
            .map(iso_instant);
        let (availability, availability_date) = match item.status {
            StockStatus::InStock | StockStatus::LowStock => ("in_stock", None),
            StockStatus::Preorder if dated.is_some() => ("preorder", dated),
            StockStatus::Backorder if dated.is_some() => ("backorder", dated),
            StockStatus::Preorder
            | StockStatus::Backorder
            | StockStatus::OutOfStock
            | StockStatus::Discontinued => ("out_of_stock", None),
        };
        Self {
            id: &item.sku,
            availability,
            availability_date,
            pause: item.pause_ads,
        }
    }
}

/// Escapes text for an XML element's content or attribute: as for HTML,
/// less the control characters XML 1.0 does not allow at all.
pub fn xml_escape(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&allowed)
}

pub fn xml_head(title: &str, link: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:g=\"{NAMESPACE}\">\n<channel>\n<title>{}</title>\n<link>{}</link>\n<description>Availability and delivery times by Upfront</description>\n",
        xml_escape(title),
        xml_escape(link)
    )
}

pub fn xml_item(entry: &Entry<'_>, shipping: &[Shipping]) -> String {
    let mut out = format!(
        "<item><g:id>{}</g:id><g:availability>{}</g:availability>",
        xml_escape(entry.id),
        entry.availability
    );
    if let Some(date) = &entry.availability_date {
        out.push_str(&format!(
            "<g:availability_date>{date}</g:availability_date>"
        ));
    }
    for s in shipping {
        out.push_str(&format!(
            "<g:shipping><g:country>{}</g:country><g:service>{}</g:service><g:min_handling_time>{}</g:min_handling_time><g:max_handling_time>{}</g:max_handling_time><g:min_transit_time>{}</g:min_transit_time><g:max_transit_time>{}</g:max_transit_time></g:shipping>",
            xml_escape(&s.country),
            xml_escape(&s.service),
            s.min_handling_days,
            s.max_handling_days,
            s.min_transit_days,
            s.max_transit_days
        ));
    }
    if entry.pause {
        out.push_str("<g:pause>ads</g:pause>");
    }
    out.push_str("</item>\n");
    out
}

/// A TSV field: no tabs or line breaks inside; in a shipping value, no `:`
/// or `,` either (they separate sub-attributes and entries).
fn tsv_field(text: &str, separators: &[char]) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || separators.contains(&c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

pub fn tsv_row(entry: &Entry<'_>, shipping: &[Shipping]) -> String {
    let shipping = shipping
        .iter()
        .map(|s| {
            format!(
                "{}:{}:{}:{}:{}:{}",
                tsv_field(&s.country, &[':', ',']),
                tsv_field(&s.service, &[':', ',']),
                s.min_handling_days,
                s.max_handling_days,
                s.min_transit_days,
                s.max_transit_days
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{}\t{}\t{}\t{}\t{}\n",
        tsv_field(entry.id, &[]),
        entry.availability,
        entry.availability_date.as_deref().unwrap_or(""),
        shipping,
        if entry.pause { "ads" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn item(status: StockStatus, date: Option<Date>) -> FeedItem {
        FeedItem {
            sku: "A".into(),
            status,
            available: 0,
            availability_date: date,
            pause_ads: false,
        }
    }

    const TODAY: Date = date(2026, 12, 1);

    #[test]
    fn every_status_maps_to_an_allowed_value_with_its_date() {
        let allowed = ["in_stock", "out_of_stock", "preorder", "backorder"];
        for status in StockStatus::ALL {
            for date in [None, Some(date(2026, 12, 20)), Some(date(2028, 1, 1))] {
                let item = item(status, date);
                let entry = Entry::of(&item, TODAY);
                assert!(allowed.contains(&entry.availability));
                let needs_date = matches!(entry.availability, "preorder" | "backorder");
                assert_eq!(
                    entry.availability_date.is_some(),
                    needs_date,
                    "{status:?} {date:?}"
                );
            }
        }
    }

    #[test]
    fn a_date_past_a_year_is_not_promised() {
        let far = item(StockStatus::Preorder, Some(date(2027, 12, 2)));
        assert_eq!(Entry::of(&far, TODAY).availability, "out_of_stock");
        let edge = item(StockStatus::Preorder, Some(date(2027, 12, 1)));
        assert_eq!(Entry::of(&edge, TODAY).availability, "preorder");
    }

    #[test]
    fn text_cannot_break_the_xml_or_the_tsv() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(tsv_field("a\tb:c,d\n", &[':', ',']), "a b c d ");
    }
}
