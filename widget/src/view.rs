//! The widget's components. At most four lines: status, promise,
//! countdown · destination (or the back-in-stock form), merchant notice.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use upfront_shared::postal::{normalize_postal_code, postal_code_example};
use upfront_shared::stock::StockStatus;

use crate::answer::{Answer, Day};
use crate::api::{Target, availability_url, get_json, subscribe};
use crate::copy::{Copy, fill, for_locale, split};
use crate::intl;
use crate::jsonld;

/// The countdown shows only when the next cutoff is this close.
const COUNTDOWN_HORIZON_MS: f64 = 24.0 * 3_600_000.0;

/// Where the shopper's postal code is remembered, per country; the loader
/// reads the same key (`upfront.js`, `postalKey`) for its early fetch.
fn postal_storage_key(country: &str) -> String {
    ["upfront:postal-code:", country].concat()
}

/// Everything one element needs, read by the loader from its attributes.
pub struct Setup {
    pub target: Target,
    pub postal_code: String,
    /// The host element, when `jsonld="true"`.
    pub jsonld_host: Option<web_sys::Element>,
    /// The loader's early fetch: the URL it asked and the parsed answer.
    pub prefetched: Option<(String, js_sys::Promise)>,
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
    pub refresh: RwSignal<u32>,
    /// What is shown, so a pushed update that matches it costs nothing.
    pub shown: RwSignal<Phase>,
}

impl Inputs {
    /// A live stock update: asks again, fresh, only when it differs from
    /// what is shown.
    pub fn pushed(self, status: &str, available: f64) {
        let differs = self.shown.with_untracked(|p| match p {
            Phase::Ready(a) => a.status.as_str() != status || a.available != available,
            _ => true,
        });
        if differs {
            self.refresh.update(|n| *n += 1);
        }
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
        postal_code,
        jsonld_host,
        prefetched,
    } = setup;
    let (copy, tag) = for_locale(&target.locale);
    let tag = tag.to_string();
    let Inputs {
        qty,
        refresh,
        shown: phase,
    } = inputs;
    let postal = RwSignal::new(postal_code);
    let now_ms = RwSignal::new(js_sys::Date::now());
    let target = Arc::new(target);
    let prefetched = Cell::new(prefetched);

    let fetch_target = target.clone();
    Effect::new(move |_| {
        let url = availability_url(&fetch_target, qty.get(), &postal.get());
        let fresh = refresh.get() > 0;
        let early = prefetched
            .take()
            .filter(|(asked, _)| *asked == url)
            .map(|(_, answer)| answer);
        spawn_local(async move {
            let body = match early {
                Some(answer) => wasm_bindgen_futures::JsFuture::from(answer)
                    .await
                    .ok()
                    .filter(|b| b.is_object()),
                None => get_json(&url, fresh).await,
            };
            match body.as_ref().and_then(Answer::read) {
                Some(answer) => phase.set(Phase::Ready(Box::new(answer))),
                // A failed refresh keeps the last answer; a failed first load shows nothing.
                None if matches!(*phase.read_untracked(), Phase::Loading) => {
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
            now_ms.set(now);
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

    if let Some(host) = jsonld_host {
        let target = target.clone();
        Effect::new(move |_| {
            if let Phase::Ready(answer) = &*phase.read() {
                let today = intl::today(js_sys::Date::now());
                let country = target.postal_country();
                if let Some(json) = jsonld::product(answer, today, country, &postal.get_untracked())
                {
                    jsonld::publish(&host, &json);
                }
            }
        });
    }

    move || match phase.get() {
        Phase::Loading => view! { <Skeleton/> }.into_any(),
        Phase::Unavailable => ().into_any(),
        Phase::Ready(answer) => {
            let answer = *answer;
            view! {
                <Shown answer copy tag=tag.clone() target=target.clone() postal now_ms/>
            }
            .into_any()
        }
    }
}

/// Three grey lines in the exact height of the answer, so nothing shifts.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="line skeleton" aria-hidden="true"></div>
        <div class="line skeleton short" aria-hidden="true"></div>
        <div class="line skeleton shorter" aria-hidden="true"></div>
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
    let count = || intl::number(tag, answer.available);
    let plural = || intl::plural_category(tag, answer.available);
    let dated = |with: &'static str, without: &'static str| match answer.availability_date {
        Some(day) => (with, Some(intl::date(tag, day, today))),
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
/// - `target`: the edge, for the back-in-stock form.
/// - `postal`: the shopper's postal code; editing it asks again.
/// - `now_ms`: the minute clock behind the countdown.
#[component]
fn Shown(
    answer: Answer,
    copy: &'static Copy,
    tag: String,
    target: Arc<Target>,
    postal: RwSignal<String>,
    now_ms: RwSignal<f64>,
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
    let status = match value {
        Some(value) => emphasized(phrase, value).into_any(),
        None => phrase.into_any(),
    };
    let sellable = !answer.stale
        && answer.fulfillable
        && !matches!(
            answer.status,
            StockStatus::OutOfStock | StockStatus::Discontinued
        );
    let promise = answer.promise.clone().filter(|_| sellable);
    let promise_line = promise.as_ref().map(|p| {
        let template = if answer.status == StockStatus::Preorder {
            copy.get_it_after_release
        } else {
            copy.get_it
        };
        emphasized(
            template,
            intl::date_range(&tag, p.earliest, p.latest, today),
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
        let left = order_by? - now_ms.get();
        (left > 0.0 && left <= COUNTDOWN_HORIZON_MS).then(|| {
            // "Within": 89.5 minutes left still reads 90.
            let minutes = (left / 60_000.0).ceil();
            fill(copy.order_within, &intl::duration(&countdown_tag, minutes))
        })
    };
    let out = answer.status == StockStatus::OutOfStock;
    let discontinued = answer.status == StockStatus::Discontinued;
    let notify_target = target.clone();
    view! {
        <div class="line status" part="status" data-state=tone>
            <svg class="dot" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="5"/></svg>
            <span>{status}</span>
        </div>
        {if out {
            view! { <Notify copy target=notify_target/> }.into_any()
        } else {
            view! { <div class="line promise" part="promise">{promise_line}</div> }.into_any()
        }}
        <div class="line details">
            <span part="countdown" aria-live="off">{countdown}</span>
            {(!discontinued).then(|| view! { <Destination copy target=target.clone() postal/> })}
            {(wants_notify && !out).then(|| view! { <Notify copy target/> })}
        </div>
        {answer.notice.map(|text| view! {
            <div class="line notice" part="notice" role="note">
                <svg class="icon" viewBox="0 0 14 14" aria-hidden="true"><path d="M7 1 13 12H1Z M7 5v3.5 M7 10v.5"/></svg>
                <span class="visually-hidden">{copy.notice}": "</span>
                <span>{text}</span>
            </div>
        })}
    }
}

/// "Deliver to 10115 ✎": a button that opens an inline postal-code field,
/// validated per country, remembered in `localStorage` for this shop.
///
/// - `copy`: the language.
/// - `target`: the country whose format applies.
/// - `postal`: the shopper's postal code; a valid edit replaces it.
#[component]
fn Destination(
    copy: &'static Copy,
    target: Arc<Target>,
    postal: RwSignal<String>,
) -> impl IntoView {
    // Closed, open, or open with an invalid code (one `u32` signal: every
    // distinct signal type costs the shopper bytes).
    const CLOSED: u32 = 0;
    const OPEN: u32 = 1;
    const INVALID: u32 = 2;
    let state = RwSignal::new(CLOSED);
    let input: NodeRef<html::Input> = NodeRef::new();
    let country: Arc<str> = target.postal_country().into();
    let example = postal_code_example(&country);
    let numeric = example.bytes().all(|b| !b.is_ascii_alphabetic());
    let open = move |_| {
        state.set(OPEN);
        request_animation_frame(move || {
            if let Some(field) = input.get_untracked() {
                let _ = field.focus();
            }
        });
    };
    move || {
        if state.get() == CLOSED {
            let code = postal.get();
            let label = if code.is_empty() {
                copy.add_postal_code.to_string()
            } else {
                fill(copy.deliver_to, &code)
            };
            return view! {
                <button type="button" class="link" part="destination" on:click=open>
                    {label}
                    <svg class="icon" viewBox="0 0 14 14" aria-hidden="true"><path d="M2 12 2.5 9.5 9.5 2.5 11.5 4.5 4.5 11.5Z"/></svg>
                </button>
            }
            .into_any();
        }
        let country = country.clone();
        let save = move |ev: SubmitEvent| {
            ev.prevent_default();
            let typed = input.get_untracked().map(|f| f.value()).unwrap_or_default();
            match normalize_postal_code(&country, &typed) {
                Some(code) => {
                    if let Some(storage) =
                        web_sys::window().and_then(|w| w.local_storage().ok().flatten())
                    {
                        let _ = storage.set_item(&postal_storage_key(&country), &code);
                    }
                    state.set(CLOSED);
                    postal.set(code);
                }
                None => state.set(INVALID),
            }
        };
        let cancel = move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                state.set(CLOSED);
            }
        };
        let invalid = state.get() == INVALID;
        view! {
            <form class="postal" part="destination" on:submit=save on:keydown=cancel novalidate>
                <label>
                    <span>{copy.postal_code}</span>
                    <input
                        node_ref=input
                        name="postal-code"
                        autocomplete="postal-code"
                        inputmode=if numeric { "numeric" } else { "text" }
                        placeholder=example
                        value=postal.get_untracked()
                        aria-invalid=if invalid { "true" } else { "false" }
                        aria-describedby="postal-error"
                    />
                </label>
                <button type="submit">{copy.save}</button>
                <span id="postal-error" class="error" role="alert">
                    {invalid.then(|| fill(copy.check_postal_code, example))}
                </span>
            </form>
        }
        .into_any()
    }
}

/// "Notify me when it's back": an inline email field that stores a
/// back-in-stock subscription at the edge. No modal.
///
/// - `copy`: the language.
/// - `target`: the edge, key and SKU to subscribe to.
#[component]
fn Notify(copy: &'static Copy, target: Arc<Target>) -> impl IntoView {
    const CLOSED: u32 = 0;
    const OPEN: u32 = 1;
    const SENDING: u32 = 2;
    const DONE: u32 = 3;
    const FAILED: u32 = 4;
    let step = RwSignal::new(CLOSED);
    let input: NodeRef<html::Input> = NodeRef::new();
    let open = move |_| {
        step.set(OPEN);
        request_animation_frame(move || {
            if let Some(field) = input.get_untracked() {
                let _ = field.focus();
            }
        });
    };
    move || match step.get() {
        CLOSED => view! {
            <button type="button" class="link" part="notify-form" on:click=open>
                {copy.notify_me}
            </button>
        }
        .into_any(),
        DONE => view! { <span part="notify-form" role="status">{copy.notified}</span> }.into_any(),
        current => {
            let target = target.clone();
            let send = move |ev: SubmitEvent| {
                ev.prevent_default();
                let Some(field) = input.get_untracked() else {
                    return;
                };
                if !field.check_validity() {
                    field.report_validity();
                    return;
                }
                let email = field.value();
                step.set(SENDING);
                let target = target.clone();
                spawn_local(async move {
                    let ok = subscribe(&target, &email).await;
                    step.set(if ok { DONE } else { FAILED });
                });
            };
            view! {
                <form class="notify" part="notify-form" on:submit=send>
                    <input node_ref=input type="email" name="email" autocomplete="email" required aria-label=copy.email placeholder=copy.email/>
                    <button type="submit" disabled=current == SENDING>{copy.notify_submit}</button>
                    <small>{if current == FAILED { copy.failed } else { copy.consent }}</small>
                </form>
            }
            .into_any()
        }
    }
}
