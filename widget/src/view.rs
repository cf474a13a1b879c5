//! The widget's components.

use leptos::prelude::*;
use leptos::task::spawn_local;
use upfront_shared::api::Availability;
use upfront_shared::push::StockUpdate;
use upfront_shared::stock::StockStatus;

use crate::api::fetch_availability;
use crate::copy::{promise_line, status_line};

/// Where and what to ask the edge.
#[derive(Clone, Debug)]
pub struct WidgetConfig {
    /// The edge's origin, taken from the loader's own URL.
    pub api_base: String,
    pub sku: String,
    /// The merchant's publishable key (`pk_…`).
    pub key: String,
    /// A BCP 47 tag for dates, e.g. `en-US`.
    pub locale: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Ready(Box<Availability>),
    /// The API failed: show nothing rather than a guess.
    Unavailable,
}

/// The whole widget: status line and promise line.
///
/// - `config`: the edge, SKU, key and locale this instance shows.
/// - `pushed`: the latest live update for this SKU; a change that differs
///   from what is shown triggers a fresh fetch, without a skeleton.
#[component]
pub fn Widget(config: WidgetConfig, pushed: ReadSignal<Option<StockUpdate>>) -> impl IntoView {
    let (phase, set_phase) = signal(Phase::Loading);
    let locale = config.locale.clone();
    Effect::new(move |_| {
        let shows_it = pushed.with(|update| match (update, &*phase.read_untracked()) {
            (None, Phase::Loading) => false,
            (None, _) => true,
            (Some(u), Phase::Ready(a)) => u.status == a.status && u.available == a.available,
            (Some(_), _) => false,
        });
        if shows_it {
            return;
        }
        let config = config.clone();
        let fresh = pushed.with_untracked(Option::is_some);
        spawn_local(async move {
            match fetch_availability(&config, fresh).await {
                Some(answer) => set_phase.set(Phase::Ready(Box::new(answer))),
                // A failed refresh keeps the last answer; a failed first load shows nothing.
                None if matches!(*phase.read_untracked(), Phase::Loading) => {
                    set_phase.set(Phase::Unavailable)
                }
                None => {}
            }
        });
    });
    // The loader's container carries `aria-live`, so changes are announced.
    move || match phase.get() {
        Phase::Loading => view! { <Skeleton/> }.into_any(),
        Phase::Unavailable => ().into_any(),
        Phase::Ready(answer) => view! { <Answer answer=*answer locale=locale.clone()/> }.into_any(),
    }
}

/// Two grey lines in the exact height of the answer, so nothing shifts.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="line skeleton" aria-hidden="true"></div>
        <div class="line skeleton short" aria-hidden="true"></div>
    }
}

/// The answer for one SKU.
///
/// - `answer`: the edge's availability answer.
/// - `locale`: how to format dates.
#[component]
fn Answer(answer: Availability, locale: String) -> impl IntoView {
    let tone = match answer.status {
        StockStatus::InStock => "ok",
        StockStatus::LowStock | StockStatus::Backorder | StockStatus::Preorder => "low",
        StockStatus::OutOfStock | StockStatus::Discontinued => "out",
    };
    let promise = promise_line(&answer, &locale);
    view! {
        <div class="line status" part="status" data-state=tone>
            <span class="dot" aria-hidden="true"></span>
            <span class="text">{status_line(&answer, &locale)}</span>
        </div>
        <div class="line promise" part="promise">{promise}</div>
    }
}
