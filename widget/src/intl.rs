//! Dates, durations and plural categories through the browser's `Intl`,
//! so every locale reads naturally without shipping CLDR data in the wasm.

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::answer::Day;
use crate::copy::Copy;

const DAY_MS: f64 = 86_400_000.0;

fn locales(tag: &str) -> Array {
    Array::of1(&JsValue::from_str(tag))
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object
}

/// Calls `formatter[method](args…)`; the empty string if the browser lacks it.
fn call(formatter: &JsValue, method: &str, args: &Array) -> String {
    Reflect::get(formatter, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.apply(formatter, args).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The CLDR plural category of `n` (`one`, `few`, `many`, `other`…).
pub fn plural_category(tag: &str, n: f64) -> String {
    let rules = Intl::PluralRules::new(&locales(tag), &Object::new());
    rules.select(n).as_string().unwrap_or_default()
}

/// The shopper's own calendar day, from the browser's clock and zone.
pub fn today(now_ms: f64) -> Day {
    let now = Date::new(&now_ms.into());
    Day {
        year: now.get_full_year() as i32,
        month: now.get_month() as u8 + 1,
        day: now.get_date() as u8,
    }
}

fn utc(day: Day) -> JsValue {
    Date::new(&(day.epoch_days() as f64 * DAY_MS).into()).into()
}

fn date_format(tag: &str, with_year: bool) -> Intl::DateTimeFormat {
    let mut pairs = vec![
        ("weekday", "short"),
        ("month", "short"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ];
    if with_year {
        pairs.push(("year", "numeric"));
    }
    Intl::DateTimeFormat::new(&locales(tag), &options(&pairs))
}

/// "Thu, Nov 26", or the copy's own "today"/"tomorrow", with the year only
/// when it is not the current one. The words come from `copy.rs`, not
/// `RelativeTimeFormat`, so each phrase is written for the words it gets
/// (Japanese shops say 本日, not 今日).
pub fn date(tag: &str, copy: &Copy, day: Day, today: Day) -> String {
    match today.days_until(day) {
        0 => return copy.today.to_owned(),
        1 => return copy.tomorrow.to_owned(),
        _ => {}
    }
    let format = date_format(tag, day.year != today.year);
    call(&format, "format", &Array::of1(&utc(day)))
}

/// "Thu, Nov 26 – Mon, Nov 30" as the locale writes a range. Where the
/// locale's range style differs from its single dates (Chinese and
/// Japanese switch to "11/26"), both ends are written as single dates and
/// joined with the copy's `range_join`.
pub fn date_range(tag: &str, copy: &Copy, from: Day, to: Day, today: Day) -> String {
    if from == to {
        return date(tag, copy, from, today);
    }
    let format = date_format(tag, from.year != today.year || to.year != today.year);
    match copy.range_join {
        Some(join) => [
            call(&format, "format", &Array::of1(&utc(from))),
            call(&format, "format", &Array::of1(&utc(to))),
        ]
        .join(join),
        None => call(&format, "formatRange", &Array::of2(&utc(from), &utc(to))),
    }
}

/// "3 h 12 min", or "12 min" under an hour, by `Intl.DurationFormat`.
pub fn duration(tag: &str, minutes: f64) -> String {
    let parts = Object::new();
    let hours = (minutes / 60.0).floor();
    if hours > 0.0 {
        let _ = Reflect::set(&parts, &"hours".into(), &hours.into());
    }
    let _ = Reflect::set(&parts, &"minutes".into(), &(minutes - hours * 60.0).into());
    let constructor = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"DurationFormat".into()))
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok());
    let Some(constructor) = constructor else {
        return String::new();
    };
    let args = Array::of2(&locales(tag), &options(&[("style", "short")]));
    Reflect::construct(&constructor, &args)
        .map(|format| call(&format, "format", &Array::of1(&parts)))
        .unwrap_or_default()
}
