//! The Upfront availability widget, mounted by `loader/upfront.js` into the
//! shadow root of each `<upfront-availability>` element.
//!
//! Bytes matter more than idiom here: every kilobyte is downloaded by every
//! shopper. Answers are parsed by the browser (`Response.json()`) and read
//! field by field (`answer.rs`); dates, durations and plurals come from the
//! browser's `Intl` (`intl.rs`). Neither serde_json nor jiff is linked.

mod answer;
mod api;
mod copy;
mod intl;
mod view;

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::answer::{field, text};

/// A string option of the loader's, or empty.
fn option(options: &JsValue, name: &str) -> String {
    text(options, name).unwrap_or_default()
}

/// A quantity from the page: whole and between 1 and 999, else 1.
fn quantity(value: &JsValue) -> u32 {
    // `Number()` in JS, so the wasm needs no float parser.
    let n = js_sys::Number::from(value.clone()).value_of();
    if n.fract() == 0.0 && (1.0..=999.0).contains(&n) {
        n as u32
    } else {
        1
    }
}

/// The shopper's postal code normalized, if it fits `country`'s format
/// (for the loader's postal-code form).
#[wasm_bindgen]
pub fn normalize_postal_code(country: &str, input: &str) -> Option<String> {
    upfront_shared::postal::normalize_postal_code(country, input)
}

/// The loader's own fetch in `value`: the URL it asked and the answer.
fn early_answer(value: &JsValue) -> Option<(String, js_sys::Promise)> {
    field(value, "answer")
        .dyn_into::<js_sys::Promise>()
        .ok()
        .map(|answer| (option(value, "answerUrl"), answer))
}

/// Mounts one widget into `container` (in the element's shadow root), after
/// the loader's skeleton, which CSS hides once there is an answer. `options`
/// holds what the loader read from the element's attributes (see
/// `upfront.js`). Answers the loader's handle, `widget(message, value)`:
/// `push` with each live stock update for this SKU (with the loader's
/// batched `answer` for `answerUrl` when it asked again), `qty` when the page's
/// quantity field changes, `postal` when the shopper saved a postal code,
/// `dated` once the first status line is painted (the dates follow), and
/// `form`, what the loader's form for a button's `data-form` asks for.
#[wasm_bindgen]
pub fn mount(container: HtmlElement, options: JsValue) -> JsValue {
    let qty = RwSignal::new(quantity(&field(&options, "qty")));
    let postal = RwSignal::new(option(&options, "postalCode"));
    let inputs = view::Inputs {
        qty,
        postal,
        refresh: RwSignal::new(0),
        shown: RwSignal::new(view::Phase::Loading),
        dated: RwSignal::new(0),
    };
    let prefetched = Rc::new(Cell::new(early_answer(&options)));
    let target = api::Target {
        api_base: option(&options, "apiBase"),
        sku: option(&options, "sku"),
        key: option(&options, "key"),
        locale: option(&options, "locale"),
        country: option(&options, "country"),
        guessed_country: option(&options, "guessedCountry"),
    };
    let form_target = target.clone();
    let setup = view::Setup {
        target,
        container: container.clone(),
        on_answer: field(&options, "onAnswer").dyn_into().ok(),
        prefetched: prefetched.clone(),
        badge: option(&options, "variant") == "badge",
    };
    leptos::mount::mount_to(container, move || {
        view::Widget(view::WidgetProps { setup, inputs })
    })
    .forget();

    // One function for every message: each closure signature costs its own
    // glue in the bindings.
    Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |message: JsValue, value: JsValue| {
        match message.as_string().as_deref() {
            Some("push") => {
                let status = text(&value, "status").filter(|s| !s.is_empty());
                if let (Some(status), Some(available)) =
                    (status, field(&value, "available").as_f64())
                {
                    // Set before the ask it is for, which takes it; dropped
                    // when nothing is asked.
                    let answer = early_answer(&value);
                    let asked = answer.is_some();
                    if asked {
                        prefetched.set(answer);
                    }
                    if !inputs.pushed(&status, available) && asked {
                        prefetched.set(None);
                    }
                }
            }
            Some("qty") => {
                let next = quantity(&value);
                if next != qty.get_untracked() {
                    qty.set(next);
                }
            }
            Some("postal") => postal.set(value.as_string().unwrap_or_default()),
            Some("dated") => inputs.dated.set(1),
            Some("form") => {
                let copy = copy::for_locale(&form_target.locale).0;
                let spec = Object::new();
                let kind = value.as_string().unwrap_or_default();
                for (name, field) in view::form_spec(&kind, copy, &form_target) {
                    let _ = Reflect::set(&spec, &name.into(), &field.into());
                }
                return spec.into();
            }
            _ => {}
        }
        JsValue::UNDEFINED
    })
    .into_js_value()
}
