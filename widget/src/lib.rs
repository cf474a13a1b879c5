//! The Upfront availability widget, mounted by `loader/upfront.js` into the
//! shadow root of each `<upfront-availability>` element.
//!
//! Bytes matter more than idiom here: every kilobyte is downloaded by every
//! shopper. The JSON body is parsed by the browser (`Response.json()`) and
//! converted with serde-wasm-bindgen instead of pulling in serde_json.

mod api;
mod copy;
mod view;

use leptos::prelude::*;
use upfront_shared::push::StockUpdate;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// Mounts one widget into `container`, replacing the loader's skeleton.
/// Returns the function the loader calls with each pushed stock update
/// for this SKU; the widget re-fetches only when the update differs from
/// what it shows.
#[wasm_bindgen]
pub fn mount(
    container: HtmlElement,
    api_base: String,
    sku: String,
    key: String,
    locale: String,
) -> js_sys::Function {
    container.set_text_content(None);
    let (pushed, push) = signal(None::<StockUpdate>);
    let config = view::WidgetConfig {
        api_base,
        sku,
        key,
        locale,
    };
    leptos::mount::mount_to(container, move || {
        view::Widget(view::WidgetProps { config, pushed })
    })
    .forget();
    Closure::<dyn Fn(JsValue)>::new(move |update: JsValue| {
        if let Ok(update) = serde_wasm_bindgen::from_value(update) {
            push.set(Some(update));
        }
    })
    .into_js_value()
    .unchecked_into()
}
