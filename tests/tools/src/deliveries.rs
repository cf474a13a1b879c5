//! Delivered-order records from a CSV with the Olist columns (see
//! `../shared/data/olist/README.md`): any file with these headers works.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// One order, its timestamps resolved to instants.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub purchased: Timestamp,
    pub handed_off: Option<Timestamp>,
    pub delivered: Option<Timestamp>,
    /// The date the merchant promised at purchase.
    pub estimated: Option<Date>,
    pub customer_zip: String,
    pub customer_state: String,
    pub seller_zip: String,
    pub seller_state: String,
}

/// What reading the file found.
#[derive(Debug, Default)]
pub struct Parsed {
    pub deliveries: Vec<Delivery>,
    /// Rows without a readable purchase time, by reason.
    pub skipped: usize,
}

const COLUMNS: [&str; 8] = [
    "purchase_ts",
    "carrier_handoff_ts",
    "delivered_ts",
    "estimated_date",
    "customer_zip_prefix",
    "customer_state",
    "seller_zip_prefix",
    "seller_state",
];

/// Parses the CSV text. Timestamps are local times in `zone`.
pub fn parse(text: &str, zone: &TimeZone) -> Result<Parsed, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("the file is empty")?;
    let index: HashMap<&str, usize> = split(header)
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name, i))
        .collect();
    let mut at = [0usize; COLUMNS.len()];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = *index
            .get(name)
            .ok_or_else(|| format!("the header has no `{name}` column"))?;
    }
    let mut parsed = Parsed::default();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields = split(line);
        let field = |i: usize| fields.get(at[i]).copied().unwrap_or("");
        let instant = |i: usize| local_instant(field(i), zone);
        let Some(purchased) = instant(0) else {
            parsed.skipped += 1;
            continue;
        };
        parsed.deliveries.push(Delivery {
            purchased,
            handed_off: instant(1),
            delivered: instant(2),
            estimated: field(3).parse().ok(),
            customer_zip: field(4).to_owned(),
            customer_state: field(5).to_owned(),
            seller_zip: field(6).to_owned(),
            seller_state: field(7).to_owned(),
        });
    }
    parsed.deliveries.sort_by_key(|d| d.purchased);
    Ok(parsed)
}

/// Splits one CSV line, honouring double quotes.
fn split(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(line[start..i].trim().trim_matches('"'));
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(line[start..].trim().trim_matches('"'));
    fields
}

fn local_instant(text: &str, zone: &TimeZone) -> Option<Timestamp> {
    let civil: DateTime = text.parse().ok()?;
    zone.to_ambiguous_timestamp(civil).compatible().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_by_name_and_skips_unreadable_rows() {
        let zone = TimeZone::get("America/Sao_Paulo").expect("zone");
        let csv = "seller_state,purchase_ts,carrier_handoff_ts,delivered_ts,estimated_date,customer_zip_prefix,customer_state,seller_zip_prefix\n\
                   SP,2017-03-01 10:00:00,2017-03-02 09:00:00,,2017-03-20,01310,SP,\"13000\"\n\
                   SP,not a time,,,,,,\n";
        let parsed = parse(csv, &zone).expect("parse");
        assert_eq!(parsed.skipped, 1);
        let d = &parsed.deliveries[0];
        assert_eq!(d.purchased.to_string(), "2017-03-01T13:00:00Z");
        assert_eq!(d.delivered, None);
        assert_eq!(d.seller_zip, "13000");
        assert_eq!(d.estimated, Some(jiff::civil::date(2017, 3, 20)));
    }

    #[test]
    fn a_missing_column_is_named() {
        let zone = TimeZone::UTC;
        let error = parse("purchase_ts,delivered_ts\n", &zone).expect_err("columns missing");
        assert!(error.contains("carrier_handoff_ts"), "{error}");
    }
}
