//! Talking to the edge: the availability question. Bodies are parsed by the browser (`Response.json()`), not
//! by serde_json, to keep the wasm small.

use gloo_net::http::Request;
use js_sys::encode_uri_component;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Where and what to ask the edge; fixed for one element.
#[derive(Clone, Debug)]
pub struct Target {
    /// The edge's origin, taken from the loader's own URL.
    pub api_base: String,
    pub sku: String,
    /// The merchant's publishable key (`pk_…`).
    pub key: String,
    /// The page's BCP 47 tag; the edge picks notice texts by it.
    pub locale: String,
    /// The shopper's country (ISO 3166-1 alpha-2) from the `country`
    /// attribute, or empty for the merchant's home country.
    pub country: String,
    /// The country a typed postal code belongs to when `country` is empty:
    /// the page locale's likely region (`de` → `DE`).
    pub guessed_country: String,
}

impl Target {
    /// The country whose postal-code format the shopper's input must fit.
    pub fn postal_country(&self) -> &str {
        if self.country.is_empty() {
            &self.guessed_country
        } else {
            &self.country
        }
    }
}

/// The availability URL. The loader builds the same URL for its early
/// fetch (`widget/loader/upfront.js`, `answerUrl`); a mismatch only costs a
/// second request, and the browser test checks there is none.
pub fn availability_url(target: &Target, qty: u32, postal_code: &str) -> String {
    let mut url = [
        target.api_base.as_str(),
        "/v1/availability/",
        &String::from(encode_uri_component(&target.sku)),
        "?key=",
        &String::from(encode_uri_component(&target.key)),
    ]
    .concat();
    if qty != 1 {
        url.push_str("&qty=");
        url.push_str(&qty.to_string());
    }
    if !target.locale.is_empty() {
        url.push_str("&locale=");
        url.push_str(&String::from(encode_uri_component(&target.locale)));
    }
    let country = if postal_code.is_empty() {
        target.country.as_str()
    } else {
        target.postal_country()
    };
    if !country.is_empty() {
        url.push_str("&country=");
        url.push_str(country);
        if !postal_code.is_empty() {
            url.push_str("&postal_code=");
            url.push_str(&String::from(encode_uri_component(postal_code)));
        }
    }
    url
}

/// GETs `url` and answers the parsed JSON body; `None` on any failure.
/// `fresh` revalidates past the browser cache, whose `stale-while-revalidate`
/// would otherwise hand back the answer a live update just replaced.
pub async fn get_json(url: &str, fresh: bool) -> Option<JsValue> {
    // Past 3 s the shopper has moved on: give up quietly.
    let deadline = web_sys::AbortSignal::timeout_with_u32(3_000);
    let mut request = Request::get(url).abort_signal(Some(&deadline));
    if fresh {
        request = request.cache(web_sys::RequestCache::NoCache);
    }
    let response = request.send().await.ok()?;
    if !response.ok() {
        return None;
    }
    let promise = web_sys::Response::from(response).json().ok()?;
    JsFuture::from(promise).await.ok()
}
