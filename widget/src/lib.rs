//! The Upfront availability widget, mounted by `loader/upfront.js` into the
//! shadow root of each `<upfront-availability>` element.
//!
//! Bytes matter more than idiom here: every kilobyte is downloaded by every
//! shopper. The JSON body is parsed by the browser (`Response.json()`) and
//! converted with serde-wasm-bindgen instead of pulling in serde_json.

mod api;
mod copy;
mod view;

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// Mounts one widget into `container`, replacing the loader's skeleton.
#[wasm_bindgen]
pub fn mount(container: HtmlElement, api_base: String, sku: String, key: String, locale: String) {
    container.set_text_content(None);
    let config = view::WidgetConfig {
        api_base,
        sku,
        key,
        locale,
    };
    leptos::mount::mount_to(container, move || {
        view::Widget(view::WidgetProps { config })
    })
    .forget();
}
