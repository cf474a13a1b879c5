//! Fetching the availability answer from the edge.

use gloo_net::http::Request;
use upfront_shared::api::Availability;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::view::WidgetConfig;

/// Fetches and decodes one SKU's availability. Any failure (network, status,
/// shape) collapses to `None`: the widget then shows a quiet neutral state.
/// `fresh` revalidates past the browser cache, whose `stale-while-revalidate`
/// would otherwise hand back the answer a live update just replaced.
pub async fn fetch_availability(config: &WidgetConfig, fresh: bool) -> Option<Availability> {
    let mut url = String::with_capacity(config.api_base.len() + config.sku.len() + 64);
    url.push_str(&config.api_base);
    url.push_str("/v1/availability/");
    url.push_str(&config.sku);
    url.push_str("?key=");
    url.push_str(&config.key);
    let mut request = Request::get(&url);
    if fresh {
        request = request.cache(web_sys::RequestCache::NoCache);
    }
    let response = request.send().await.ok()?;
    if !response.ok() {
        return None;
    }
    let promise = web_sys::Response::from(response).json().ok()?;
    let body = JsFuture::from(promise).await.ok()?;
    let body = body.dyn_into::<js_sys::Object>().ok()?;
    serde_wasm_bindgen::from_value(body.into()).ok()
}
