//! The public routes' operations: what pages and apps call with a publishable
//! key, Shopify's signed webhook, and this document.

use schemars::Schema;
use serde_json::{Map, Value, json};

use super::*;

/// The operation for `route`, adding its own answers to `responses`;
/// `Value::Null` for a route of another family (the document's test holds
/// every route to a success answer, so none is left undescribed).
pub(super) fn operation(
    route: Route<'_>,
    s: &mut Schemas,
    error: &Schema,
    responses: &mut Map<String, Value>,
) -> Value {
    let cache_headers = json!({
        "ETag": { "description": "Strong entity tag of the body.", "schema": { "type": "string" } },
        "Cache-Control": { "description": "Short max-age with stale-while-revalidate.", "schema": { "type": "string" } }
    });
    match route {
        Route::Availability { .. } => {
            responses.insert("200".into(), json!({ "description": "The SKU's stock and delivery promise.", "headers": cache_headers, "content": json_content(&s.answer::<Availability>()) }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since the `If-None-Match` tag." }),
            );
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            responses.insert(
                "404".into(),
                error_response(error, "The merchant has no such SKU (`not_found`)."),
            );
            json!({
                "operationId": "getAvailability",
                "summary": "Stock and delivery promise for one SKU",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": read_params(
                    json!({ "name": "sku", "in": "path", "required": true, "example": "MUG-STONEWARE", "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}$") } }),
                    "Units wanted (default 1).",
                ),
            })
        }
        Route::AvailabilityBatch => {
            responses.insert("200".into(), json!({ "description": "One result per item, in request order; a bad item carries its own `error`.", "headers": cache_headers, "content": json_content(&s.answer::<BatchResponse>()) }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since the `If-None-Match` tag." }),
            );
            body_errors(
                responses,
                error,
                "64 KiB",
                "No items, more than 100, or a bad destination",
            );
            json!({
                "operationId": "getAvailabilityBatch",
                "summary": "Stock and delivery promises for up to 100 SKUs and one destination",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<BatchRequest>()) },
            })
        }
        Route::AvailabilityBatchGet => {
            responses.insert("200".into(), json!({ "description": "One result per SKU, in the order asked; a malformed or unknown SKU carries its own `error`.", "headers": cache_headers, "content": json_content(&s.answer::<BatchResponse>()) }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since the `If-None-Match` tag." }),
            );
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "No `skus`, more than 100, an empty entry, or a malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({
                "operationId": "getAvailabilityList",
                "summary": "The batch as a GET: up to 100 SKUs in one request with no CORS preflight (a collection page's widgets)",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": read_params(
                    json!({ "name": "skus", "in": "query", "required": true, "description": "1 to 100 comma-separated SKUs.", "example": "MUG-STONEWARE,LAMP-DESK", "schema": { "type": "string", "minLength": 1, "maxLength": 100 * (MAX_SKU_LEN + 1) } }),
                    "Units wanted of each (default 1).",
                ),
            })
        }
        Route::Subscribe => {
            responses.insert("202".into(), json!({ "description": "Subscribed: one email when the SKU is back. The same answer when the address already waits for it (nothing changes), so it never tells whether an address is subscribed.", "content": json_content(&s.answer::<SubscriptionResult>()) }));
            responses.insert(
                "404".into(),
                error_response(error, "The merchant has no such SKU (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(error, "The SKU can be ordered now (`sku_in_stock`: in stock, low stock or preorder) or is discontinued (`sku_discontinued`): there is nothing to wait for."),
            );
            body_errors(
                responses,
                error,
                "4 KiB",
                "A bad SKU, email address or locale",
            );
            json!({
                "operationId": "subscribeBackInStock",
                "summary": "Leave an email to hear once when an out-of-stock or backordered SKU is back (from the widget or an app)",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<SubscriptionRequest>()) },
            })
        }
        Route::ShopifyWebhook { .. } => {
            responses.insert("200".into(), json!({ "description": "Received; `outcome` says what it changed. Repeats and late deliveries change nothing.", "content": json_content(&s.answer::<WebhookResult>()) }));
            body_errors(responses, error, "64 KiB", "Not used");
            responses.remove("422");
            responses.remove("403");
            responses.remove("429");
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A signed body that is not an inventory level or an order (`invalid_json`), or no `X-Shopify-Event-Id` (`invalid_parameter`).",
                ),
            );
            responses.insert(
                "401".into(),
                error_response(
                    error,
                    "The `X-Shopify-Hmac-Sha256` signature does not match the body under any current secret (`invalid_signature`).",
                ),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such merchant (`not_found`)."),
            );
            let header = |name: &str, description: &str| json!({ "name": name, "in": "header", "required": true, "description": description, "schema": { "type": "string", "minLength": 1, "maxLength": 255 } });
            json!({
                "operationId": "shopifyInventoryLevelsUpdate",
                "summary": "Shopify webhooks, verified: `inventory_levels/update` (deduplicated, applied in version order) and `orders/create` (recorded as `POST /v1/orders` would, lines of unknown SKUs left out)",
                "security": [],
                "parameters": [
                    { "name": "merchant", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[a-z0-9-]{1,40}$" } },
                    header("X-Shopify-Hmac-Sha256", "Base64 HMAC-SHA256 of the raw body with the merchant's webhook secret."),
                    header("X-Shopify-Topic", "`inventory_levels/update`; other topics are acknowledged and ignored."),
                    header("X-Shopify-Event-Id", "Shopify's id of the event; a repeat is acknowledged as `duplicate`."),
                ],
                "requestBody": { "required": true, "content": json_content(&s.request::<InventoryLevel>()) },
            })
        }
        Route::Stream => {
            responses.insert("101".into(), json!({ "description": "Switching to a WebSocket. The server sends one JSON `StockUpdate` per subscribed SKU at once, then one per change. Reconnect with backoff; the first messages after a reconnect are the latest state.", "content": json_content(&s.answer::<StockUpdate>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A missing, malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            responses.insert("403".into(), error_response(error, "The wrong kind of key (`wrong_key_type`), or a page whose origin the merchant has not allowed (`origin_not_allowed`)."));
            responses.insert(
                "426".into(),
                error_response(
                    error,
                    "Not a WebSocket upgrade request (`upgrade_required`).",
                ),
            );
            responses.insert("429".into(), error_response(error, "Too many requests (`rate_limited`), or too many live sockets: 32 per client address (an IPv6 client's /64) and 20,000 per store; see `Retry-After`. The stream is one-way: a socket that sends anything is closed with code 1008."));
            json!({
                "operationId": "streamStock",
                "summary": "Live stock for up to 100 SKUs over a WebSocket",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": [
                    { "name": "skus", "in": "query", "required": true, "description": "Comma-separated SKUs, at most 100.", "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}(,[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}})*$") } },
                ],
            })
        }
        Route::UnsubscribePage { .. } | Route::Unsubscribe { .. } => {
            let one_click = matches!(route, Route::Unsubscribe { .. });
            let page = if one_click {
                "Unsubscribed, at once: nothing more that is not transactional goes to this address from this merchant. Mail clients send this POST themselves (RFC 8058 `List-Unsubscribe=One-Click`); the page's button sends it too."
            } else {
                "A page with one button that unsubscribes (a POST to this URL). Opening the link changes nothing, so a mail scanner that follows links cannot unsubscribe anyone."
            };
            responses.insert("200".into(), json!({ "description": page, "content": { "text/html": { "schema": { "type": "string" } } } }));
            for status in ["401", "403", "429"] {
                responses.remove(status);
            }
            responses.insert(
                "404".into(),
                error_response(error, "Not a link Upfront made (`not_found`)."),
            );
            json!({
                "operationId": if one_click { "unsubscribe" } else { "unsubscribePage" },
                "summary": if one_click { "One-click unsubscribe (RFC 8058): no login, effective at once" } else { "The unsubscribe link's page" },
                "security": [],
                "parameters": [
                    { "name": "token", "in": "path", "required": true, "description": "The token from the email's link, signed by the merchant's store.", "schema": { "type": "string", "minLength": 1, "maxLength": 200 } },
                ],
            })
        }
        Route::OpenApi => {
            responses.insert("200".into(), json!({ "description": "This document.", "content": { "application/json": { "schema": { "type": "object" } } } }));
            json!({ "operationId": "getOpenApi", "summary": "This OpenAPI document", "security": [] })
        }
        _ => Value::Null,
    }
}

/// A read's parameters: what it reads (`what`), then the quantity and the
/// destination, locale and currency every read takes.
fn read_params(what: Value, qty: &str) -> Value {
    json!([
        what,
        query_param(
            "qty",
            qty,
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_QTY })
        ),
        query_param(
            "country",
            "Destination, ISO 3166-1 alpha-2.",
            json!({ "type": "string", "pattern": COUNTRY_PATTERN })
        ),
        query_param(
            "postal_code",
            "Destination postal code; needs `country`.",
            json!({ "type": "string", "pattern": POSTAL_CODE_PATTERN })
        ),
        query_param(
            "locale",
            "BCP 47 tag for localized texts.",
            json!({ "type": "string", "pattern": LOCALE_PATTERN, "maxLength": 35 })
        ),
        query_param(
            "currency",
            "ISO 4217 code.",
            json!({ "type": "string", "pattern": CURRENCY_PATTERN })
        ),
    ])
}
