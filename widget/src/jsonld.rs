//! schema.org `Product` → `Offer` JSON-LD for search engines, written into
//! the host page's light DOM (crawlers do not read shadow roots). It states
//! exactly what the widget shows: the same answer feeds both.

use js_sys::{JSON, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::answer::{Answer, Day};

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

fn days(min: i64, max: i64) -> JsValue {
    object(&[
        ("@type", "QuantitativeValue".into()),
        ("minValue", (min as f64).into()),
        ("maxValue", (max as f64).into()),
        ("unitCode", "DAY".into()),
    ])
}

/// `HH:MM:SSZ`, the schema.org `Time` of the cutoff instant, in UTC.
fn utc_time(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    let two = |n: u32| {
        [
            char::from(b'0' + (n / 10) as u8),
            char::from(b'0' + (n % 10) as u8),
        ]
    };
    let mut time = String::with_capacity(9);
    for (i, n) in [
        date.get_utc_hours(),
        date.get_utc_minutes(),
        date.get_utc_seconds(),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            time.push(':');
        }
        time.extend(two(n));
    }
    time.push('Z');
    time
}

/// The JSON-LD text for `answer`, shipped to `country` (and `postal_code`).
pub fn product(answer: &Answer, today: Day, country: &str, postal_code: &str) -> Option<String> {
    let mut offer = vec![
        ("@type", JsValue::from("Offer")),
        ("availability", answer.status.schema_org().into()),
    ];
    if let Some(promise) = &answer.promise {
        let delivery = object(&[
            ("@type", "ShippingDeliveryTime".into()),
            (
                "handlingTime",
                days(
                    today.days_until(promise.ship_date).max(0),
                    today.days_until(promise.ship_date).max(0),
                ),
            ),
            (
                "transitTime",
                days(
                    promise.ship_date.days_until(promise.earliest),
                    promise.ship_date.days_until(promise.latest),
                ),
            ),
            ("cutoffTime", utc_time(promise.order_by_ms).into()),
        ]);
        let mut details = vec![
            ("@type", JsValue::from("OfferShippingDetails")),
            ("deliveryTime", delivery),
        ];
        if !country.is_empty() {
            let mut region = vec![
                ("@type", JsValue::from("DefinedRegion")),
                ("addressCountry", country.into()),
            ];
            if !postal_code.is_empty() {
                region.push(("postalCode", postal_code.into()));
            }
            details.push(("shippingDestination", object(&region)));
        }
        offer.push(("shippingDetails", object(&details)));
    }
    let product = object(&[
        ("@context", "https://schema.org".into()),
        ("@type", "Product".into()),
        ("sku", answer.sku.as_str().into()),
        ("offers", object(&offer)),
    ]);
    JSON::stringify(&product).ok().map(String::from)
}

/// Writes (or rewrites) the widget's JSON-LD script beside it, in the light
/// DOM of `host`. `text_content` keeps it inert: it can never become markup.
pub fn publish(host: &Element, json: &str) {
    let Some(document) = host.owner_document() else {
        return;
    };
    let script = match host.query_selector(":scope > script[data-upfront]") {
        Ok(Some(existing)) => existing,
        _ => {
            let Ok(script) = document.create_element("script") else {
                return;
            };
            let _ = script.set_attribute("type", "application/ld+json");
            let _ = script.set_attribute("data-upfront", "");
            let _ = host.append_child(&script);
            script
        }
    };
    script.set_text_content(Some(json));
}
