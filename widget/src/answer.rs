//! The availability answer as the widget needs it, read field by field from
//! the object the browser's own JSON parser made. Reading by hand instead of
//! deriving `Deserialize` keeps serde, jiff and their parsers out of the
//! wasm that every shopper downloads (see ARCHITECTURE.md, widget size).

use js_sys::Reflect;
use upfront_shared::stock::StockStatus;
use wasm_bindgen::JsValue;

/// A calendar day, as the API writes it (`2026-11-26`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Day {
    /// Parses `YYYY-MM-DD`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range].iter().try_fold(0u32, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Day {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl Day {
    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn epoch_days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        later.epoch_days() - self.epoch_days()
    }
}

/// The fastest shipping method's promise.
#[derive(Clone, Debug, PartialEq)]
pub struct Promise {
    pub earliest: Day,
    pub latest: Day,
    /// The next cutoff that still gets this window, in epoch milliseconds.
    pub order_by_ms: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: StockStatus,
    pub available: f64,
    /// Whether the asked quantity can be sold.
    pub fulfillable: bool,
    pub stale: bool,
    pub availability_date: Option<Day>,
    /// The first merchant notice with a message in the asked locale.
    pub notice: Option<String>,
    pub promise: Option<Promise>,
}

/// `object[name]`, or `undefined`.
pub(crate) fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[name]` when it is a string.
pub(crate) fn text(object: &JsValue, name: &str) -> Option<String> {
    field(object, name).as_string()
}

fn day(object: &JsValue, name: &str) -> Option<Day> {
    text(object, name).as_deref().and_then(Day::parse)
}

fn first(object: &JsValue, name: &str) -> JsValue {
    Reflect::get_u32(&field(object, name), 0).unwrap_or(JsValue::UNDEFINED)
}

impl Answer {
    /// Reads an answer; `None` when a required field is missing or wrong,
    /// so garbage from a broken proxy shows the quiet neutral state.
    pub fn read(object: &JsValue) -> Option<Answer> {
        let status = StockStatus::parse(&text(object, "status")?)?;
        let option = first(object, "delivery_options");
        let promise = option.is_object().then(|| -> Option<Promise> {
            let order_by = text(&option, "order_by")?;
            let order_by_ms = js_sys::Date::parse(&order_by);
            Some(Promise {
                earliest: day(&option, "earliest")?,
                latest: day(&option, "latest")?,
                order_by_ms: if order_by_ms.is_nan() {
                    0.0
                } else {
                    order_by_ms
                },
            })
        });
        let notices = field(object, "notices");
        let notice = js_sys::Array::from(&notices)
            .iter()
            .find_map(|n| text(&n, "message"));
        Some(Answer {
            status,
            available: field(object, "available").as_f64()?,
            fulfillable: field(object, "fulfillable").as_bool()?,
            stale: field(object, "stale").as_bool()?,
            availability_date: day(object, "availability_date"),
            notice,
            promise: promise.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a valid day")
    }

    #[test]
    fn day_counts_cross_months_leap_days_and_years() {
        assert_eq!(day("1970-01-01").epoch_days(), 0);
        assert_eq!(day("2026-11-26").days_until(day("2026-11-30")), 4);
        assert_eq!(day("2028-02-28").days_until(day("2028-03-01")), 2);
        assert_eq!(day("2026-12-31").days_until(day("2027-01-01")), 1);
        assert_eq!(day("2027-01-01").days_until(day("2026-12-31")), -1);
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(
            Day::parse("2026-11-26"),
            Some(Day {
                year: 2026,
                month: 11,
                day: 26
            })
        );
        for bad in [
            "2026-13-01",
            "2026-1-01",
            "26-11-2026",
            "2026-11-26T00",
            "２０２６-11-26",
            "",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }
}
