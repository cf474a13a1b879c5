//! The widget's components. At most four lines: status, promise,
//! countdown · destination (or the back-in-stock form), merchant notice.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use upfront_shared::postal::postal_code_example;
use upfront_shared::stock::StockStatus;

use crate::answer::{Answer, Day};
use crate::api::{Target, availability_url, get_json};
use crate::copy::{Copy, fill, for_locale, split};
use crate::intl;

/// Whole minutes since 1970 by the browser's clock.
fn minutes_since_epoch(ms: f64) -> u32 {
    (ms / 60_000.0) as u32
}

/// The countdown shows only when the next cutoff is this close.
const COUNTDOWN_HORIZON_MS: f64 = 24.0 * 3_600_000.0;

/// Everything one element needs, read by the loader from its attributes.
pub struct Setup {
    pub target: Target,
    /// The loader's container, marked `data-gone` when the first answer
    /// failed (its skeleton then hides).
    pub container: web_sys::HtmlElement,
    /// The loader's `onAnswer(body)`, told each answer shown (it writes the
    /// JSON-LD); `None` when nobody listens.
    pub on_answer: Option<js_sys::Function>,
    /// The loader's fetch, taken by the next ask for the same URL: the
    /// first answer, or one the loader asked (batched) after a live change.
    pub prefetched: Rc<Cell<Option<(String, js_sys::Promise)>>>,
    /// `variant="badge"`: the status line alone, for product cards.
    pub badge: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Loading,
    Ready(Box<Answer>),
    /// The API failed or answered garbage: show nothing rather than a guess.
    Unavailable,
}

/// What the loader drives from outside: the page's quantity field, and
/// `refresh`, bumped to ask again (a live change, or a passed cutoff).
#[derive(Clone, Copy)]
pub struct Inputs {
    pub qty: RwSignal<u32>,
    /// The shopper's postal code, or empty.
    pub postal: RwSignal<String>,
    pub refresh: RwSignal<u32>,
    /// What is shown, so a pushed update that matches it costs nothing.
    pub shown: RwSignal<Phase>,
    /// 0 until the loader says the first status line has been painted; the
    /// dates wait for it. A page's first `Intl` formatter loads ICU's data
    /// (~15 ms of main thread) and the stock status needs none of it.
    pub dated: RwSignal<u32>,
}

impl Inputs {
    /// A live stock update: asks again, fresh, only when it differs from
    /// what is shown. Answers whether it asked.
    pub fn pushed(self, status: &str, available: f64) -> bool {
        let differs = self.shown.with_untracked(|p| match p {
            Phase::Ready(a) => a.status.as_str() != status || a.available != available,
            _ => true,
        });
        if differs {
            self.refresh.update(|n| *n += 1);
        }
        differs
    }
}

/// The whole widget.
///
/// - `setup`: the edge, SKU, key, locale, destination and early fetch.
/// - `inputs`: live stock pushes and quantity changes from the loader.
#[component]
pub fn Widget(setup: Setup, inputs: Inputs) -> impl IntoView {
    let Setup {
        target,
        container,
        on_answer,
        prefetched,
        badge,
    } = setup;
    let (copy, tag) = for_locale(&target.locale);
    let tag = tag.to_string();
    let Inputs {
        qty,
        postal,
        refresh,
        shown: phase,
        dated,
    } = inputs;
    // Whole minutes since 1970: the countdown's resolution, and a `u32`
    // signal like the others (each new signal type costs the shopper bytes).
    let minute = RwSignal::new(minutes_since_epoch(js_sys::Date::now()));

    Effect::new(move |_| {
        let url = availability_url(&target, qty.get(), &postal.get());
        let fresh = refresh.get() > 0;
        let early = prefetched
            .take()
            .filter(|(asked, _)| *asked == url)
            .map(|(_, answer)| answer);
        let on_answer = on_answer.clone();
        let container = container.clone();
        spawn_local(async move {
            let body = match early {
                Some(answer) => wasm_bindgen_futures::JsFuture::from(answer)
                    .await
                    .ok()
                    .filter(|b| b.is_object()),
                None => get_json(&url, fresh).await,
            };
            match body.as_ref().and_then(Answer::read) {
                Some(answer) => {
                    phase.set(Phase::Ready(Box::new(answer)));
                    if let (Some(listener), Some(body)) = (on_answer, body) {
                        let _ = listener.call1(&wasm_bindgen::JsValue::NULL, &body);
                    }
                }
                // A failed refresh keeps the last answer; a failed first load shows nothing.
                None if matches!(*phase.read_untracked(), Phase::Loading) => {
                    let _ = container.set_attribute("data-gone", "");
                    phase.set(Phase::Unavailable)
                }
                None => {}
            }
        });
    });

    // The countdown ticks every minute; past the cutoff the answer rolls over.
    set_interval(
        move || {
            let now = js_sys::Date::now();
            minute.set(minutes_since_epoch(now));
            let passed = phase.with_untracked(|p| match p {
                Phase::Ready(a) => a.promise.as_ref().is_some_and(|p| p.order_by_ms <= now),
                _ => false,
            });
            if passed {
                refresh.update(|n| *n += 1);
            }
        },
        Duration::from_secs(60),
    );

    move || match phase.get() {
        // The loader's skeleton shows until the first answer (CSS hides it
        // once a status line or the `data-gone` mark is there).
        Phase::Loading | Phase::Unavailable => ().into_any(),
        Phase::Ready(answer) => {
            let answer = *answer;
            view! {
                <Shown answer copy tag=tag.clone() postal=postal.get() minute dated={dated.get() > 0} badge/>
            }
            .into_any()
        }
    }
}

/// A phrase with its value in bold: "In stock — only **3** left".
fn emphasized(template: &'static str, value: String) -> impl IntoView {
    let (before, after) = split(template);
    view! { {before}<b>{value}</b>{after} }
}

/// The status line's phrase and its value, if any.
fn status_phrase(
    answer: &Answer,
    copy: &'static Copy,
    tag: &str,
    today: Day,
) -> (&'static str, Option<String>) {
    if answer.stale {
        return (copy.confirming, None);
    }
    // Counts are small whole numbers: plain digits read the same everywhere.
    // The plural form is chosen for the number shown, never for the raw
    // value (1.5 shows "1", which takes the singular: "осталась 1 штука").
    let shown = answer.available.floor().max(0.0);
    let count = || (shown as u32).to_string();
    let plural = || intl::plural_category(tag, shown);
    let dated = |with: &'static str, without: &'static str| match answer.availability_date {
        Some(day) => (with, Some(intl::date(tag, copy, day, today))),
        None => (without, None),
    };
    if !answer.fulfillable && answer.available > 0.0 && answer.status != StockStatus::Discontinued {
        return (copy.only_available.pick(&plural()), Some(count()));
    }
    match answer.status {
        StockStatus::InStock => (copy.in_stock, None),
        StockStatus::LowStock => (copy.low_stock.pick(&plural()), Some(count())),
        StockStatus::Backorder => dated(copy.backorder_from, copy.backorder),
        StockStatus::Preorder => dated(copy.preorder_releases, copy.preorder),
        StockStatus::OutOfStock => dated(copy.out_of_stock_back, copy.out_of_stock),
        StockStatus::Discontinued => (copy.discontinued, None),
    }
}

/// The answer for one SKU.
///
/// - `answer`: what the edge said.
/// - `copy`, `tag`: the language and the `Intl` locale.
/// - `postal`: the shopper's postal code; editing it asks again.
/// - `minute`: the clock behind the countdown, in minutes since 1970.
/// - `dated`: false until the first status line is painted; dates wait for it.
/// - `badge`: the status line alone (a product card's badge).
#[component]
fn Shown(
    answer: Answer,
    copy: &'static Copy,
    tag: String,
    postal: String,
    minute: RwSignal<u32>,
    dated: bool,
    badge: bool,
) -> impl IntoView {
    let today = intl::today(js_sys::Date::now());
    let tone = match answer.status {
        _ if answer.stale => "info",
        StockStatus::InStock => "ok",
        StockStatus::LowStock => "low",
        StockStatus::Backorder | StockStatus::Preorder => "info",
        StockStatus::OutOfStock | StockStatus::Discontinued => "out",
    };
    let (phrase, value) = status_phrase(&answer, copy, &tag, today);
    // An empty `<b>` when there is no value: one shape, no type-erased branch.
    let status = emphasized(phrase, value.unwrap_or_default());
    let sellable = !answer.stale
        && answer.fulfillable
        && !matches!(
            answer.status,
            StockStatus::OutOfStock | StockStatus::Discontinued
        );
    let promise = answer.promise.clone().filter(|_| sellable);
    let promise_line = promise.as_ref().filter(|_| dated).map(|p| {
        let template = if answer.status == StockStatus::Preorder {
            copy.get_it_after_release
        } else {
            copy.get_it
        };
        emphasized(
            template,
            intl::date_range(&tag, copy, p.earliest, p.latest, today),
        )
    });
    let wants_notify = !answer.stale
        && matches!(
            answer.status,
            StockStatus::OutOfStock | StockStatus::Backorder
        );
    let order_by = promise
        .as_ref()
        .filter(|_| answer.status != StockStatus::Backorder)
        .map(|p| p.order_by_ms);
    let countdown_tag = tag.clone();
    let countdown = move || {
        let left = order_by.filter(|_| dated)? - f64::from(minute.get()) * 60_000.0;
        if left <= 0.0 || left > COUNTDOWN_HORIZON_MS {
            return None;
        }
        // "Within": 89.5 minutes left still reads 90. A browser without
        // `Intl.DurationFormat` gets no countdown rather than a dangling
        // "Order within".
        let minutes = (left / 60_000.0).ceil();
        let duration = intl::duration(&countdown_tag, minutes);
        (!duration.is_empty()).then(|| fill(copy.order_within, &duration))
    };
    let out = answer.status == StockStatus::OutOfStock;
    let discontinued = answer.status == StockStatus::Discontinued;
    view! {
        // The status dot is the line's `::before` (loader CSS): a static
        // `<span>` here would be an inert element, which Leptos builds through
        // `innerHTML`, a sink that pages requiring Trusted Types refuse.
        <div class="line status" part="status" data-state=tone>
            <span>{status}</span>
        </div>
        {(!badge).then(|| view! {
            <div class="line promise" part=(!out).then_some("promise")>
                {promise_line}
                {out.then(|| notify(copy))}
            </div>
            <div class="line details">
                <span part="countdown" aria-live="off">{countdown}</span>
                // With the countdown, so that it cannot push them aside (a layout shift).
                {(dated && !discontinued).then(|| destination(copy, &postal))}
                {(dated && wants_notify && !out).then(|| notify(copy))}
            </div>
            {answer.notice.map(|text| view! {
                <div class="line notice" part="notice" role="note">
                    <span class="visually-hidden">{copy.notice}</span>
                    <span>{text}</span>
                </div>
            })}
        })}
    }
}

/// A link-styled button the loader opens an inline form beside
/// (`upfront.js`, `openForm`, asking [`form_spec`] what to ask for). Plain
/// DOM and a listener there: no form and no event handler in the wasm that
/// every first paint waits for (measured: 4 KB brotli for one `on:click`).
///
/// The slot holds the loader's form too, so it goes with the button when
/// the answer changes shape.
fn opener_button(part: &'static str, kind: &'static str, label: String) -> impl IntoView {
    view! {
        <span class="slot">
            <button type="button" class="link" part=part data-form=kind>
                {label}
            </button>
        </span>
    }
}

/// What the loader's form asks for: `postal` (validated with
/// [`crate::normalize_postal_code`], remembered, handed back through the
/// widget's `postal` handle) or `email` (a back-in-stock subscription).
pub fn form_spec(kind: &str, copy: &'static Copy, target: &Target) -> Vec<(&'static str, String)> {
    if kind == "postal" {
        let country = target.postal_country().to_string();
        let example = postal_code_example(&country);
        let numeric = !example.bytes().any(|b| b.is_ascii_alphabetic());
        return vec![
            ("kind", "postal".into()),
            ("type", "text".into()),
            ("name", "postal-code".into()),
            ("inputmode", if numeric { "numeric" } else { "text" }.into()),
            ("autocomplete", "postal-code".into()),
            ("label", copy.postal_code.into()),
            ("placeholder", example.into()),
            ("submit", copy.save.into()),
            ("failed", fill(copy.check_postal_code, example)),
            ("country", country),
        ];
    }
    vec![
        ("kind", "email".into()),
        ("type", "email".into()),
        ("name", "email".into()),
        ("inputmode", "email".into()),
        ("autocomplete", "email".into()),
        ("label", copy.email.into()),
        ("placeholder", copy.email.into()),
        ("submit", copy.notify_submit.into()),
        ("note", copy.consent.into()),
        ("failed", copy.failed.into()),
        ("done", copy.notified.into()),
    ]
}

/// "Deliver to 10115 ✎", or "Add postal code ✎".
fn destination(copy: &'static Copy, postal: &str) -> impl IntoView + use<> {
    let label = if postal.is_empty() {
        copy.add_postal_code.to_string()
    } else {
        fill(copy.deliver_to, postal)
    };
    opener_button("destination", "postal", label)
}

/// "Notify me when it's back".
fn notify(copy: &'static Copy) -> impl IntoView {
    opener_button("notify-form", "email", copy.notify_me.to_string())
}
