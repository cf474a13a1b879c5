//! The rewrite mode: a route of the merchant's own domain goes through the
//! Worker, which fetches the page from the merchant's origin and, as it
//! streams through, fills each `<upfront-availability>` with the widget
//! drawn on the server (a declarative shadow root, `upfront_shared::
//! fragment`) and the offer's JSON-LD. Crawlers and visitors without
//! JavaScript see what the widget shows; with JavaScript the loader adopts
//! the shadow root. Every other byte of the page passes through unchanged,
//! and anything but a `200` HTML page (an error, a redirect, an image)
//! passes through as the origin sent it.
//!
//! Streaming, with answers that need the store: each chunk goes first
//! through a second parser that only collects the elements it completes;
//! their answers are fetched; then the chunk goes through the rewriter,
//! whose handler finds them ready. Both parse the same bytes, so both meet
//! the same elements in the same chunk and order.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use futures_util::{StreamExt, stream};
use lol_html::html_content::{ContentType, Element};
use lol_html::{HtmlRewriter, Settings, element};
use upfront_shared::fragment::shadow_root;
use upfront_shared::keys::KeyKind;
use upfront_shared::offer::ProductJsonLd;
use upfront_shared::promise::config::merchant_today;
use upfront_shared::query::parse_availability_query;
use worker::wasm_bindgen::JsValue;
use worker::{Env, Fetch, Method, Request, RequestInit, RequestRedirect, Response};

use crate::auth;
use crate::availability::{self, now};
use crate::delivery_config;
use crate::error::ApiError;
use crate::http::Query;

/// One element as the page wrote it: what the loader would ask.
struct Asked {
    sku: String,
    key: String,
    locale: Option<String>,
    country: Option<String>,
    postal_code: Option<String>,
    qty: Option<String>,
    badge: bool,
}

impl Asked {
    fn of(el: &Element<'_, '_>) -> Self {
        let attr = |name: &str| el.get_attribute(name).filter(|v| !v.is_empty());
        Self {
            sku: attr("sku").unwrap_or_default(),
            key: attr("key").unwrap_or_default(),
            locale: attr("locale"),
            country: attr("country"),
            postal_code: attr("postal-code"),
            qty: attr("qty"),
            badge: attr("variant").as_deref() == Some("badge"),
        }
    }
}

/// What goes into one element: its shadow root, and its JSON-LD.
type Filling = Option<(String, String)>;

/// The origin that serves this request's page, when its host is a
/// rewrite route (`REWRITE_ROUTES`: `{"shop.example": "https://origin…"}`).
/// Only paths outside `/v1/` ask: the API never pays for this.
pub fn origin_for(env: &Env, req: &Request) -> Option<String> {
    let routes = env.var("REWRITE_ROUTES").ok()?.to_string();
    if routes.trim().is_empty() {
        return None;
    }
    let url = req.url().ok()?;
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str()?),
        None => url.host_str()?.to_string(),
    };
    let routes: HashMap<String, String> = serde_json::from_str(&routes).ok()?;
    routes.get(&host.to_ascii_lowercase()).cloned()
}

/// Fetches the page from `origin` and rewrites it on its way through.
pub async fn serve(req: &Request, env: &Env, origin: &str) -> Result<Response, ApiError> {
    let url = req.url()?;
    let page_origin = url.origin().ascii_serialization();
    let target = format!(
        "{}{}{}",
        origin.trim_end_matches('/'),
        url.path(),
        url.query().map(|q| format!("?{q}")).unwrap_or_default()
    );
    let headers = req.headers().clone();
    headers.delete("Host")?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if !matches!(req.method(), Method::Get | Method::Head) {
        init.with_body(req.inner().body().map(JsValue::from));
    }
    let upstream = Fetch::Request(Request::new_with_init(&target, &init)?)
        .send()
        .await?;
    let content_type = upstream
        .headers()
        .get("Content-Type")?
        .unwrap_or_default()
        .to_ascii_lowercase();
    let utf8 = !content_type.contains("charset=") || content_type.contains("charset=utf-8");
    if req.method() != Method::Get
        || upstream.status_code() != 200
        || !content_type.starts_with("text/html")
        || !utf8
    {
        return Ok(upstream);
    }
    let status = upstream.status_code();
    let headers = upstream.headers().clone();
    // The body changes and carries live stock: no length, no tag, no
    // shared caching of it.
    for name in [
        "Content-Length",
        "Content-Encoding",
        "ETag",
        "Last-Modified",
    ] {
        headers.delete(name)?;
    }
    headers.set("Cache-Control", "private, no-cache")?;
    let mut upstream = upstream;
    let input = upstream.stream()?;
    let body = rewrite(input, env.clone(), page_origin);
    Ok(Response::from_stream(body)?
        .with_status(status)
        .with_headers(headers))
}

/// The page's bytes, rewritten as they stream.
fn rewrite(
    input: worker::ByteStream,
    env: Env,
    page_origin: String,
) -> impl futures_util::Stream<Item = worker::Result<Vec<u8>>> {
    let found: Rc<RefCell<Vec<Asked>>> = Rc::default();
    let lang: Rc<RefCell<Option<String>>> = Rc::default();
    let ready: Rc<RefCell<VecDeque<Filling>>> = Rc::default();
    let out: Rc<RefCell<Vec<u8>>> = Rc::default();
    let collector = {
        let (found, lang) = (found.clone(), lang.clone());
        HtmlRewriter::new(
            Settings::new()
                .append_element_content_handler(element!("html[lang]", move |el| {
                    *lang.borrow_mut() = el.get_attribute("lang");
                    Ok(())
                }))
                .append_element_content_handler(element!(
                    "upfront-availability[sku][key]",
                    move |el| {
                        found.borrow_mut().push(Asked::of(el));
                        Ok(())
                    }
                )),
            |_: &[u8]| {},
        )
    };
    let rewriter = {
        let (ready, out) = (ready.clone(), out.clone());
        HtmlRewriter::new(
            Settings::new().append_element_content_handler(element!(
                "upfront-availability[sku][key]",
                move |el| {
                    if let Some(Some((root, json_ld))) = ready.borrow_mut().pop_front() {
                        el.prepend(&root, ContentType::Html);
                        el.append(&json_ld, ContentType::Html);
                    }
                    Ok(())
                }
            )),
            move |chunk: &[u8]| out.borrow_mut().extend_from_slice(chunk),
        )
    };
    let state = Some((input, collector, rewriter));
    stream::try_unfold(state, move |state| {
        let (env, page_origin) = (env.clone(), page_origin.clone());
        let (found, lang, ready, out) = (found.clone(), lang.clone(), ready.clone(), out.clone());
        async move {
            let Some((mut input, mut collector, mut rewriter)) = state else {
                return Ok(None);
            };
            let fail =
                |e: lol_html::errors::RewritingError| worker::Error::RustError(e.to_string());
            let chunk = input.next().await.transpose()?;
            let collector = match &chunk {
                Some(bytes) => {
                    collector.write(bytes).map_err(fail)?;
                    Some(collector)
                }
                None => {
                    collector.end().map_err(fail)?;
                    None
                }
            };
            // The elements the collector completed in this chunk.
            let asked: Vec<Asked> = found.borrow_mut().drain(..).collect();
            let page_lang = lang.borrow().clone();
            for element in asked {
                let filling = fill(&env, &page_origin, page_lang.as_deref(), &element).await;
                ready.borrow_mut().push_back(filling);
            }
            let next = match (chunk, collector) {
                (Some(bytes), Some(collector)) => {
                    rewriter.write(&bytes).map_err(fail)?;
                    Some((input, collector, rewriter))
                }
                _ => {
                    rewriter.end().map_err(fail)?;
                    None
                }
            };
            let bytes = std::mem::take(&mut *out.borrow_mut());
            Ok(Some((bytes, next)))
        }
    })
}

/// The country the loader asks with: the element's, or for a postal code
/// without one, the locale's region (as `likelyRegion` in the loader).
fn country_of(asked: &Asked, locale: &str) -> Option<String> {
    let named = asked
        .country
        .as_deref()
        .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    if named.is_some() || asked.postal_code.is_none() {
        return named;
    }
    let mut parts = locale.split(['-', '_']);
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    parts
        .find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
        .or_else(|| {
            let main = match language.as_str() {
                "en" => "US",
                "de" => "DE",
                "fr" => "FR",
                "es" => "ES",
                "ru" => "RU",
                "zh" => "CN",
                "ja" => "JP",
                _ => return None,
            };
            Some(main.to_string())
        })
}

/// The answer the widget would get, drawn; `None` leaves the element as it
/// is: a key that is not a working publishable key, a page origin its
/// merchant does not allow, an unknown SKU.
async fn fill(env: &Env, page_origin: &str, page_lang: Option<&str>, asked: &Asked) -> Filling {
    let grant = auth::grant(env, &asked.key).await.ok()??;
    if grant.kind != KeyKind::Publishable || !grant.merchant.allows_origin(page_origin) {
        return None;
    }
    let locale = asked
        .locale
        .as_deref()
        .or(page_lang)
        .unwrap_or("en")
        .to_string();
    let country = country_of(asked, &locale);
    let mut query: Query = vec![("locale".into(), locale.clone())];
    if let Some(qty) = asked.qty.as_ref().filter(|q| q.as_str() != "1") {
        query.push(("qty".into(), qty.clone()));
    }
    if let Some(country) = &country {
        query.push(("country".into(), country.clone()));
        if let Some(code) = &asked.postal_code {
            query.push(("postal_code".into(), code.clone()));
        }
    }
    let query =
        parse_availability_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str()))).ok()?;
    let answer = availability::answer_one(env, &grant, &query, &asked.sku, false)
        .await
        .ok()?;
    let config = delivery_config::load(env, &grant.merchant).await.ok()?;
    let today = merchant_today(config.as_deref(), now().ok()?);
    let root = shadow_root(&answer, &locale, today, asked.badge);
    let ld = ProductJsonLd::of(
        &answer,
        today,
        country.as_deref(),
        asked.postal_code.as_deref(),
    );
    // `</` inside a script's JSON would end the script early.
    let json = serde_json::to_string(&ld).ok()?.replace("</", "<\\/");
    Some((
        root,
        format!("<script type=\"application/ld+json\" data-upfront=\"\">{json}</script>"),
    ))
}
