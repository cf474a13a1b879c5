//! What the widget says, and how dates read in the shopper's locale.

use jiff::civil::Date;
use upfront_shared::api::Availability;
use upfront_shared::stock::StockStatus;
use wasm_bindgen::JsValue;

/// The status line, e.g. "In stock — only 3 left".
pub fn status_line(answer: &Availability, locale: &str) -> String {
    let dated = |lead: &str, then: &str| {
        let mut line = String::from(lead);
        if let Some(date) = answer.availability_date {
            line.push_str(then);
            line.push_str(&format_date(date, locale));
        }
        line
    };
    match answer.status {
        StockStatus::InStock => "In stock".into(),
        StockStatus::LowStock => {
            let mut line = String::from("In stock — only ");
            line.push_str(&answer.available.to_string());
            line.push_str(" left");
            line
        }
        StockStatus::Backorder => dated("Backorder", " — ships from "),
        StockStatus::Preorder => dated("Preorder", " — releases "),
        StockStatus::OutOfStock => dated("Out of stock", " — back "),
        StockStatus::Discontinued => "No longer available".into(),
    }
}

/// The promise line, or `None` when nothing can be delivered.
pub fn promise_line(answer: &Availability, locale: &str) -> Option<String> {
    if matches!(
        answer.status,
        StockStatus::OutOfStock | StockStatus::Discontinued
    ) {
        return None;
    }
    let window = answer.delivery?;
    let mut line = String::from("Get it ");
    line.push_str(&format_date(window.earliest, locale));
    if window.latest != window.earliest {
        line.push_str(" – ");
        line.push_str(&format_date(window.latest, locale));
    }
    Some(line)
}

/// "Thu, Nov 26" in the given locale, through the browser's `Intl`.
fn format_date(date: Date, locale: &str) -> String {
    let options = js_sys::Object::new();
    for (name, value) in [
        ("weekday", "short"),
        ("month", "short"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    let locales = js_sys::Array::of1(&JsValue::from_str(locale));
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let utc_ms = js_sys::Date::utc(f64::from(date.year()), f64::from(date.month() - 1))
        + f64::from(date.day() - 1) * 86_400_000.0;
    let js_date = js_sys::Date::new(&JsValue::from_f64(utc_ms));
    format
        .format()
        .call1(&format, &js_date)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
