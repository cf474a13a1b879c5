//! The widget rendered on the server: what the edge's rewrite mode writes
//! into each `<upfront-availability>` of a product page, as a declarative
//! shadow root (`<template shadowrootmode="open">`). Crawlers and visitors
//! without JavaScript read the status and the delivery window in the HTML
//! itself; with JavaScript, the loader adopts that shadow root and the
//! widget replaces its lines in place, without a flash or a layout shift.
//!
//! It mirrors the widget's view (`widget/src/view.rs`, `Shown`): the same
//! copy (`copy.rs`), the same lines, classes and parts, the same styles
//! (`widget.css`). The browser formats numbers and dates with `Intl`; here
//! plural categories follow CLDR for our seven languages, and dates are
//! written as `Intl` writes them in English (`en`, `en-US`). In another
//! language a phrase that needs a date is written without it and the
//! promise line is left out, until the widget (which has `Intl`) draws
//! them.

use jiff::civil::{Date, Weekday};

use crate::api::Availability;
use crate::copy::{Copy, fill, for_locale, split};
use crate::email::templates::escape;
use crate::stock::StockStatus;

/// The widget's stylesheet, as the loader adopts it.
pub const WIDGET_CSS: &str = include_str!("widget.css");

/// CLDR's plural category of a whole number in `language`.
///
/// ```
/// use upfront_shared::fragment::plural_category;
/// assert_eq!(plural_category("ru", 21), "one");
/// assert_eq!(plural_category("ru", 3), "few");
/// assert_eq!(plural_category("ru", 11), "many");
/// assert_eq!(plural_category("fr", 0), "one");
/// assert_eq!(plural_category("ja", 1), "other");
/// ```
pub fn plural_category(language: &str, n: u64) -> &'static str {
    match language {
        "fr" if n <= 1 => "one",
        "en" | "de" | "es" if n == 1 => "one",
        "ru" => match (n % 10, n % 100) {
            (1, r) if r != 11 => "one",
            (2..=4, r) if !(12..=14).contains(&r) => "few",
            _ => "many",
        },
        _ => "other",
    }
}

/// Whether dates can be written here as the browser writes them.
fn writes_dates(intl_tag: &str) -> bool {
    intl_tag.eq_ignore_ascii_case("en") || intl_tag.eq_ignore_ascii_case("en-US")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday(day: Date) -> &'static str {
    match day.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// "Thu, Dec 3" or "Thu, Dec 3, 2026", as `Intl.DateTimeFormat("en", {
/// weekday: "short", month: "short", day: "numeric" })` writes it.
fn english_date(day: Date, with_year: bool) -> String {
    let month = MONTHS[usize::from(day.month().unsigned_abs()) - 1];
    let mut out = format!("{}, {month} {}", weekday(day), day.day());
    if with_year {
        out.push_str(&format!(", {}", day.year()));
    }
    out
}

/// The widget's `intl::date`: today and tomorrow in words, the year only
/// when it is not this one.
fn date(copy: &Copy, day: Date, today: Date) -> String {
    match (day - today).get_days() {
        0 => copy.today.to_string(),
        1 => copy.tomorrow.to_string(),
        _ => english_date(day, day.year() != today.year()),
    }
}

/// The widget's `intl::date_range`: `formatRange` in English writes both
/// ends whole, joined by a spaced en dash.
fn date_range(copy: &Copy, from: Date, to: Date, today: Date) -> String {
    if from == to {
        return date(copy, from, today);
    }
    let with_year = from.year() != today.year() || to.year() != today.year();
    // Within one year, `formatRange` writes the year once, at the end.
    let from_year = with_year && from.year() != to.year();
    format!(
        "{} – {}",
        english_date(from, from_year),
        english_date(to, with_year)
    )
}

/// A phrase with its value in bold, as the widget's `emphasized`.
fn emphasized(template: &'static str, value: &str) -> String {
    let (before, after) = split(template);
    format!(
        "{}<b>{}</b>{}",
        escape(before),
        escape(value),
        escape(after)
    )
}

/// The status line's phrase and its value (the widget's `status_phrase`).
fn status_phrase(
    answer: &Availability,
    copy: &'static Copy,
    language: &str,
    dated: bool,
    today: Date,
) -> (&'static str, String) {
    if answer.stale {
        return (copy.confirming, String::new());
    }
    let shown = answer.available.max(0) as u64;
    let count = shown.to_string();
    let plural = plural_category(language, shown);
    let with_date = |with: &'static str, without: &'static str| match answer.availability_date {
        Some(day) if dated => (with, date(copy, day, today)),
        _ => (without, String::new()),
    };
    if !answer.fulfillable && answer.available > 0 && answer.status != StockStatus::Discontinued {
        return (copy.only_available.pick(plural), count);
    }
    match answer.status {
        StockStatus::InStock => (copy.in_stock, String::new()),
        StockStatus::LowStock => (copy.low_stock.pick(plural), count),
        StockStatus::Backorder => with_date(copy.backorder_from, copy.backorder),
        StockStatus::Preorder => with_date(copy.preorder_releases, copy.preorder),
        StockStatus::OutOfStock => with_date(copy.out_of_stock_back, copy.out_of_stock),
        StockStatus::Discontinued => (copy.discontinued, String::new()),
    }
}

/// The status line's text as a reader sees it ("In stock — only 3 left").
pub fn status_text(answer: &Availability, locale: &str, today: Date) -> String {
    let (copy, tag) = for_locale(locale);
    let language = language_of(tag);
    let (phrase, value) = status_phrase(answer, copy, &language, writes_dates(tag), today);
    fill(phrase, &value)
}

fn language_of(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The declarative shadow root for one element: its styles and lines, in
/// `locale` (the element's `locale`, else the page's `lang`), on the
/// merchant's `today`. `badge`: the status line alone.
pub fn shadow_root(answer: &Availability, locale: &str, today: Date, badge: bool) -> String {
    let (copy, tag) = for_locale(locale);
    let language = language_of(tag);
    let dated = writes_dates(tag);
    let tone = match answer.status {
        _ if answer.stale => "info",
        StockStatus::InStock => "ok",
        StockStatus::LowStock => "low",
        StockStatus::Backorder | StockStatus::Preorder => "info",
        StockStatus::OutOfStock | StockStatus::Discontinued => "out",
    };
    let (phrase, value) = status_phrase(answer, copy, &language, dated, today);
    let mut html = format!(
        "<template shadowrootmode=\"open\"><style>{WIDGET_CSS}</style><div class=\"upfront\" aria-live=\"polite\"><div class=\"line status\" part=\"status\" data-state=\"{tone}\" data-ssr=\"\"><span>{}</span></div>",
        emphasized(phrase, &value)
    );
    if !badge {
        let sellable = !answer.stale
            && answer.fulfillable
            && !matches!(
                answer.status,
                StockStatus::OutOfStock | StockStatus::Discontinued
            );
        let out = answer.status == StockStatus::OutOfStock;
        let promise = answer
            .delivery_options
            .first()
            .filter(|_| sellable && dated)
            .map(|option| {
                let template = if answer.status == StockStatus::Preorder {
                    copy.get_it_after_release
                } else {
                    copy.get_it
                };
                emphasized(
                    template,
                    &date_range(copy, option.earliest, option.latest, today),
                )
            })
            .unwrap_or_default();
        let part = if out { "" } else { " part=\"promise\"" };
        html.push_str(&format!(
            "<div class=\"line promise\"{part} data-ssr=\"\">{promise}</div><div class=\"line details\" data-ssr=\"\"><span part=\"countdown\" aria-live=\"off\"></span></div>"
        ));
        if let Some(text) = answer.notices.iter().find_map(|n| n.message.as_deref()) {
            html.push_str(&format!(
                "<div class=\"line notice\" part=\"notice\" role=\"note\" data-ssr=\"\"><span class=\"visually-hidden\">{}</span><span>{}</span></div>",
                escape(copy.notice),
                escape(text)
            ));
        }
    }
    html.push_str("</div></template>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as day;

    #[test]
    fn english_dates_read_as_intl_writes_them() {
        // Outputs of Intl.DateTimeFormat("en", { weekday: "short", month:
        // "short", day: "numeric", timeZone: "UTC" }) in Node 22.
        let copy = for_locale("en").0;
        let today = day(2026, 12, 1);
        assert_eq!(date(copy, day(2026, 12, 3), today), "Thu, Dec 3");
        assert_eq!(date(copy, day(2027, 1, 4), today), "Mon, Jan 4, 2027");
        assert_eq!(date(copy, day(2026, 12, 2), today), "tomorrow");
        assert_eq!(
            date_range(copy, day(2026, 12, 3), day(2026, 12, 7), today),
            "Thu, Dec 3 – Mon, Dec 7"
        );
        assert_eq!(
            date_range(copy, day(2026, 12, 30), day(2027, 1, 4), today),
            "Wed, Dec 30, 2026 – Mon, Jan 4, 2027"
        );
        assert_eq!(
            date_range(copy, day(2027, 1, 22), day(2027, 1, 25), today),
            "Fri, Jan 22 – Mon, Jan 25, 2027"
        );
    }

    #[test]
    fn plural_categories_match_intl_for_our_languages() {
        // Intl.PluralRules(language).select(n) for n in 0..=25 and 101, 111.
        let ru = [
            "many", "one", "few", "few", "few", "many", "many", "many", "many", "many", "many",
            "many", "many", "many", "many", "many", "many", "many", "many", "many", "many", "one",
            "few", "few", "few", "many",
        ];
        for (n, want) in ru.iter().enumerate() {
            assert_eq!(plural_category("ru", n as u64), *want, "ru {n}");
        }
        assert_eq!(plural_category("ru", 101), "one");
        assert_eq!(plural_category("ru", 111), "many");
        for n in 0..=25 {
            let one = |yes: bool| if yes { "one" } else { "other" };
            assert_eq!(plural_category("en", n), one(n == 1));
            assert_eq!(plural_category("de", n), one(n == 1));
            assert_eq!(plural_category("es", n), one(n == 1));
            assert_eq!(plural_category("fr", n), one(n <= 1));
            assert_eq!(plural_category("zh", n), "other");
            assert_eq!(plural_category("ja", n), "other");
        }
    }
}
