//! The OpenAPI 3.1 document, generated from the API types and the route
//! table. Schemas come from `schemars` (JSON Schema 2020-12, which is what
//! OpenAPI 3.1 uses); only the operations' prose is written here.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::accounts::{
    ApiKey, CreateMerchant, CreatedMerchant, IssuedKey, KeyList, NewKey, RollKey,
};
use crate::api::{Availability, BatchRequest, BatchResponse, InventoryUpsert, UpsertResult};
use crate::error::{ErrorBody, ErrorCode};
use crate::hold::{Hold, HoldRequest};
use crate::merchant::{Settings, SettingsPatch};
use crate::promise::config::DeliveryConfig;
use crate::promise::shipments::{RecordResult, ShipmentEvents};
use crate::push::StockUpdate;
use crate::query::{
    COUNTRY_PATTERN, CURRENCY_PATTERN, LOCALE_PATTERN, MAX_QTY, POSTAL_CODE_PATTERN,
};
use crate::readback::{
    EraseRequest, EraseResult, FulfilmentRequest, HoldList, MAX_PAGE, SkuDetail, SkuList,
    SubscriptionCounts, SubscriptionExport,
};
use crate::routes::{Access, ROUTES, Route};
use crate::shopify::{InventoryLevel, WebhookResult};
use crate::sku::MAX_SKU_LEN;
use crate::stock::StockStatus;
use crate::subscription::{SubscriptionRequest, SubscriptionResult};

fn generator(serialize: bool) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    if serialize {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    }
    .into_generator()
}

/// Request bodies are described as they are read, answers as they are written.
struct Schemas {
    requests: SchemaGenerator,
    answers: SchemaGenerator,
}

impl Schemas {
    fn request<T: JsonSchema>(&mut self) -> Schema {
        self.requests.subschema_for::<T>()
    }
    fn answer<T: JsonSchema>(&mut self) -> Schema {
        self.answers.subschema_for::<T>()
    }
}

fn json_content(schema: &Schema) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn error_response(error: &Schema, description: &str) -> Value {
    json!({ "description": description, "content": json_content(error) })
}

/// The statuses every route can answer with, besides its own.
fn common_errors(error: &Schema) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    for (status, text) in [
        (
            "401",
            "No key, or an unknown key (`missing_key`, `invalid_key`).",
        ),
        (
            "403",
            "The wrong kind of key for this route (`wrong_key_type`), or a restricted key without its scope (`insufficient_scope`).",
        ),
        (
            "405",
            "The route exists, but not for this method (`method_not_allowed`).",
        ),
        (
            "429",
            "Too many requests for this key and route (`rate_limited`); see `Retry-After`.",
        ),
        (
            "500",
            "Our fault (`internal_error`); the message carries no internals.",
        ),
    ] {
        map.insert(status.into(), error_response(error, text));
    }
    map
}

/// The answers every route with a JSON body shares: unparseable (400),
/// too large (413), wrong media type (415) and a broken rule (422).
fn body_errors(
    responses: &mut serde_json::Map<String, Value>,
    error: &Schema,
    limit: &str,
    rules: &str,
) {
    let texts = [
        (
            "400",
            "The body is not JSON of this shape (`invalid_json`).".to_string(),
        ),
        (
            "413",
            format!("The body exceeds {limit} (`body_too_large`)."),
        ),
        (
            "415",
            "Not `application/json` (`unsupported_media_type`).".to_string(),
        ),
        ("422", format!("{rules} (`invalid_request`).")),
    ];
    for (status, text) in texts {
        responses.insert(status.into(), error_response(error, &text));
    }
}

/// Stripe-style retries for writes: the header and what it can answer.
fn idempotency(
    responses: &mut serde_json::Map<String, Value>,
    error: &Schema,
    rules: &str,
) -> Value {
    responses.insert(
        "422".into(),
        error_response(
            error,
            &format!("{rules} (`invalid_request`), or the `Idempotency-Key` was used with another request in the last 24 hours (`idempotency_key_reused`)."),
        ),
    );
    json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Retry safely: the same key and body within 24 hours replay the first answer (marked `Idempotent-Replayed: true`).",
        "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" }
    })
}

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// `limit`, `cursor` and, for the SKU list, `status`.
fn page_params(with_status: bool) -> Value {
    let mut params = vec![
        query_param(
            "limit",
            "Items per page, 1 to 100 (default 50).",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_PAGE }),
        ),
        query_param(
            "cursor",
            "The previous page's `next_cursor`.",
            json!({ "type": "string", "minLength": 1, "maxLength": 400, "pattern": "^[!-~]+$" }),
        ),
    ];
    if with_status {
        params.push(query_param(
            "status",
            "Only SKUs in this state.",
            json!({ "type": "string", "enum": StockStatus::ALL.map(StockStatus::as_str) }),
        ));
    }
    Value::Array(params)
}

fn key_id_param() -> Value {
    json!({ "name": "key_id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^key_[0-9a-f]{24}$" } })
}

fn operation(route: Route<'_>, s: &mut Schemas) -> Value {
    let error = s.answer::<ErrorBody>();
    let mut responses = common_errors(&error);
    let cache_headers = json!({
        "ETag": { "description": "Strong entity tag of the body.", "schema": { "type": "string" } },
        "Cache-Control": { "description": "Short max-age with stale-while-revalidate.", "schema": { "type": "string" } }
    });
    let op = match route {
        Route::Availability { .. } => {
            responses.insert("200".into(), json!({ "description": "The SKU's stock and delivery promise.", "headers": cache_headers, "content": json_content(&s.answer::<Availability>()) }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since the `If-None-Match` tag." }),
            );
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "The merchant has no such SKU (`not_found`)."),
            );
            json!({
                "operationId": "getAvailability",
                "summary": "Stock and delivery promise for one SKU",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": [
                    { "name": "sku", "in": "path", "required": true, "example": "MUG-STONEWARE", "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}$") } },
                    query_param("qty", "Units wanted (default 1).", json!({ "type": "integer", "minimum": 1, "maximum": MAX_QTY })),
                    query_param("country", "Destination, ISO 3166-1 alpha-2.", json!({ "type": "string", "pattern": COUNTRY_PATTERN })),
                    query_param("postal_code", "Destination postal code; needs `country`.", json!({ "type": "string", "pattern": POSTAL_CODE_PATTERN })),
                    query_param("locale", "BCP 47 tag for localized texts.", json!({ "type": "string", "pattern": LOCALE_PATTERN, "maxLength": 35 })),
                    query_param("currency", "ISO 4217 code.", json!({ "type": "string", "pattern": CURRENCY_PATTERN })),
                ],
            })
        }
        Route::AvailabilityBatch => {
            responses.insert("200".into(), json!({ "description": "One result per item, in request order; a bad item carries its own `error`.", "headers": cache_headers, "content": json_content(&s.answer::<BatchResponse>()) }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since the `If-None-Match` tag." }),
            );
            body_errors(
                &mut responses,
                &error,
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
        Route::Subscribe => {
            responses.insert("202".into(), json!({ "description": "Subscribed: one email when the SKU is back. The same answer when the address already waits for it (nothing changes), so it never tells whether an address is subscribed.", "content": json_content(&s.answer::<SubscriptionResult>()) }));
            responses.insert(
                "404".into(),
                error_response(&error, "The merchant has no such SKU (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(&error, "The SKU can be ordered now (`sku_in_stock`: in stock, low stock or preorder) or is discontinued (`sku_discontinued`): there is nothing to wait for."),
            );
            body_errors(
                &mut responses,
                &error,
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
        Route::Inventory => {
            responses.insert("200".into(), json!({ "description": "Every item was applied.", "content": json_content(&s.answer::<UpsertResult>()) }));
            body_errors(&mut responses, &error, "1 MiB", "");
            let key = idempotency(
                &mut responses,
                &error,
                "A value breaks a rule; nothing was written",
            );
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "The body is not JSON of this shape (`invalid_json`), or a malformed `Idempotency-Key` (`invalid_parameter`).",
                ),
            );
            json!({
                "operationId": "upsertInventory",
                "summary": "Write stock for up to 1,000 SKUs, all or nothing",
                "security": [{ "secretKey": [] }],
                "parameters": [key],
                "requestBody": { "required": true, "content": json_content(&s.request::<InventoryUpsert>()) },
            })
        }
        Route::CreateHold => {
            responses.insert("201".into(), json!({ "description": "The units are held until `expires_at`.", "content": json_content(&s.answer::<Hold>()) }));
            responses.insert(
                "404".into(),
                error_response(&error, "The merchant has no such SKU (`not_found`)."),
            );
            responses.insert("409".into(), error_response(&error, "Not enough sellable stock (`insufficient_stock`); `available` says how many can be held."));
            body_errors(&mut responses, &error, "16 KiB", "");
            let key = idempotency(
                &mut responses,
                &error,
                "A bad sku, qty (1-10000) or ttl_seconds (1-1800)",
            );
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "The body is not JSON of this shape (`invalid_json`), or a malformed `Idempotency-Key` (`invalid_parameter`).",
                ),
            );
            json!({
                "parameters": [key],
                "operationId": "createHold",
                "summary": "Hold units for a checkout; a deny SKU never holds more than it can sell",
                "security": [{ "secretKey": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<HoldRequest>()) },
            })
        }
        Route::CommitHold { .. } | Route::ReleaseHold { .. } => {
            let commit = matches!(route, Route::CommitHold { .. });
            responses.insert("200".into(), json!({ "description": "The hold after the change.", "content": json_content(&s.answer::<Hold>()) }));
            responses.insert(
                "400".into(),
                error_response(&error, "A malformed hold id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "No such hold (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(&error, "The hold is no longer open (`hold_not_open`)."),
            );
            json!({
                "operationId": if commit { "commitHold" } else { "releaseHold" },
                "summary": if commit { "The order was paid: held units become committed" } else { "Give held units back" },
                "security": [{ "secretKey": [] }],
                "parameters": [ { "name": "hold_id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^hold_[0-9a-f]{24}$" } } ],
            })
        }
        Route::DeliveryConfig => {
            responses.insert("200".into(), json!({ "description": "The configuration now in force.", "content": json_content(&s.answer::<DeliveryConfig>()) }));
            body_errors(
                &mut responses,
                &error,
                "1 MiB",
                "A value breaks a rule (unknown time zone, bad cutoff, min above max…); `param` names it and nothing was stored",
            );
            json!({
                "operationId": "putDeliveryConfig",
                "summary": "Replace the warehouses, cutoffs, holidays, shipping methods, lanes and delay notices behind every delivery promise",
                "security": [{ "secretKey": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<DeliveryConfig>()) },
            })
        }
        Route::Shipments => {
            responses.insert("200".into(), json!({ "description": "Every shipment was recorded.", "content": json_content(&s.answer::<RecordResult>()) }));
            body_errors(
                &mut responses,
                &error,
                "1 MiB",
                "A bad id, country or postal code, a time in the future, or a delivery before its handoff; nothing was stored",
            );
            json!({
                "operationId": "recordShipments",
                "summary": "Report up to 1,000 shipments at handoff and again on delivery; transit windows learn from them",
                "security": [{ "secretKey": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<ShipmentEvents>()) },
            })
        }
        Route::ShopifyWebhook { .. } => {
            responses.insert("200".into(), json!({ "description": "Received; `outcome` says what it changed. Repeats and late deliveries change nothing.", "content": json_content(&s.answer::<WebhookResult>()) }));
            body_errors(&mut responses, &error, "64 KiB", "Not used");
            responses.remove("422");
            responses.remove("403");
            responses.remove("429");
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A signed body that is not an inventory level (`invalid_json`), or no `X-Shopify-Event-Id` (`invalid_parameter`).",
                ),
            );
            responses.insert(
                "401".into(),
                error_response(
                    &error,
                    "The `X-Shopify-Hmac-Sha256` signature does not match the body under any current secret (`invalid_signature`).",
                ),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "No such merchant (`not_found`)."),
            );
            let header = |name: &str, description: &str| json!({ "name": name, "in": "header", "required": true, "description": description, "schema": { "type": "string", "minLength": 1, "maxLength": 255 } });
            json!({
                "operationId": "shopifyInventoryLevelsUpdate",
                "summary": "Shopify `inventory_levels/update` webhook: verified, deduplicated, applied in version order",
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
                    &error,
                    "A missing, malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            responses.insert("403".into(), error_response(&error, "The wrong kind of key (`wrong_key_type`), or a page whose origin the merchant has not allowed (`origin_not_allowed`)."));
            responses.insert(
                "426".into(),
                error_response(
                    &error,
                    "Not a WebSocket upgrade request (`upgrade_required`).",
                ),
            );
            responses.insert("429".into(), error_response(&error, "Too many requests (`rate_limited`), or too many live sockets: 32 per client address (an IPv6 client's /64) and 20,000 per store; see `Retry-After`. The stream is one-way: a socket that sends anything is closed with code 1008."));
            json!({
                "operationId": "streamStock",
                "summary": "Live stock for up to 100 SKUs over a WebSocket",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": [
                    { "name": "skus", "in": "query", "required": true, "description": "Comma-separated SKUs, at most 100.", "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}(,[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}})*$") } },
                ],
            })
        }
        Route::ListSkus => {
            responses.insert("200".into(), json!({ "description": "A page of SKUs, by SKU.", "content": json_content(&s.answer::<SkuList>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({
                "operationId": "listSkus",
                "summary": "Every SKU in full, a page at a time, optionally only those in one state",
                "parameters": page_params(true),
            })
        }
        Route::GetSku { .. } => {
            responses.insert("200".into(), json!({ "description": "The SKU as stored: levels, policy, inbound, locations, version.", "content": json_content(&s.answer::<SkuDetail>()) }));
            responses.insert(
                "400".into(),
                error_response(&error, "A malformed SKU (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "No such SKU (`not_found`)."),
            );
            json!({
                "operationId": "getSku",
                "summary": "One SKU in full",
                "parameters": [ { "name": "sku", "in": "path", "required": true, "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}$") } } ],
            })
        }
        Route::ListHolds => {
            responses.insert("200".into(), json!({ "description": "A page of open holds, oldest first.", "content": json_content(&s.answer::<HoldList>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "listOpenHolds", "summary": "Open checkout holds", "parameters": page_params(false) })
        }
        Route::CancelHold { .. } => {
            responses.insert("200".into(), json!({ "description": "The sale is cancelled and its units are back on sale (a repeat answers the same).", "content": json_content(&s.answer::<Hold>()) }));
            responses.insert(
                "400".into(),
                error_response(&error, "A malformed hold id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "No such hold (`not_found`)."),
            );
            responses.insert("409".into(), error_response(&error, "The hold is not a paid, unshipped sale (`hold_not_committed`): release an open hold instead; a shipped one cannot be cancelled."));
            json!({
                "operationId": "cancelSale",
                "summary": "A paid sale called off before shipping: its units go back on sale",
                "parameters": [ { "name": "hold_id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^hold_[0-9a-f]{24}$" } } ],
            })
        }
        Route::Fulfilments => {
            responses.insert("200".into(), json!({ "description": "The sale is shipped: its units left `on_hand` and `committed` (a repeat answers the same and changes nothing).", "content": json_content(&s.answer::<Hold>()) }));
            responses.insert(
                "404".into(),
                error_response(&error, "No such hold (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(
                    &error,
                    "The hold is not a paid, unshipped sale (`hold_not_committed`).",
                ),
            );
            body_errors(&mut responses, &error, "16 KiB", "A malformed hold id");
            json!({
                "operationId": "createFulfilment",
                "summary": "A paid sale shipped: take its units off the shelf and out of `committed`",
                "requestBody": { "required": true, "content": json_content(&s.request::<FulfilmentRequest>()) },
            })
        }
        Route::GetDeliveryConfig => {
            responses.insert("200".into(), json!({ "description": "The configuration in force, as written.", "content": json_content(&s.answer::<DeliveryConfig>()) }));
            responses.insert(
                "404".into(),
                error_response(&error, "None was ever written (`not_found`)."),
            );
            json!({ "operationId": "getDeliveryConfig", "summary": "The delivery configuration `PUT` stored" })
        }
        Route::SubscriptionCounts => {
            responses.insert("200".into(), json!({ "description": "Waiting addresses per SKU, by SKU.", "content": json_content(&s.answer::<SubscriptionCounts>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "countSubscriptions", "summary": "How many shoppers wait for each SKU", "parameters": page_params(false) })
        }
        Route::SubscriptionExport => {
            responses.insert("200".into(), json!({ "description": "A page of waiting addresses, oldest first.", "content": json_content(&s.answer::<SubscriptionExport>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    &error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "exportSubscriptions", "summary": "Every back-in-stock address, for the merchant's own records", "parameters": page_params(false) })
        }
        Route::SubscriptionErase => {
            responses.insert("200".into(), json!({ "description": "The address is gone from every SKU.", "content": json_content(&s.answer::<EraseResult>()) }));
            body_errors(&mut responses, &error, "4 KiB", "Not an email address");
            json!({
                "operationId": "eraseSubscriber",
                "summary": "A shopper's erasure request: delete one address everywhere",
                "requestBody": { "required": true, "content": json_content(&s.request::<EraseRequest>()) },
            })
        }
        Route::GetSettings => {
            responses.insert("200".into(), json!({ "description": "The settings; Shopify secrets by their last four characters.", "content": json_content(&s.answer::<Settings>()) }));
            json!({ "operationId": "getSettings", "summary": "The merchant's settings (secret key only)" })
        }
        Route::UpdateSettings => {
            responses.insert("200".into(), json!({ "description": "The settings after the change; live everywhere within 5 seconds.", "content": json_content(&s.answer::<Settings>()) }));
            body_errors(
                &mut responses,
                &error,
                "64 KiB",
                "A value breaks a rule; `param` names it and nothing changed",
            );
            json!({
                "operationId": "updateSettings",
                "summary": "Change allowed origins, freshness limit, default low-stock threshold, Shopify secrets or display name (secret key only)",
                "requestBody": { "required": true, "content": json_content(&s.request::<SettingsPatch>()) },
            })
        }
        Route::ListKeys => {
            responses.insert("200".into(), json!({ "description": "Every working key, never the key itself.", "content": json_content(&s.answer::<KeyList>()) }));
            json!({ "operationId": "listKeys", "summary": "The merchant's keys: prefix, last four, kind, scopes, created, last used (secret key only)" })
        }
        Route::CreateKey => {
            responses.insert("201".into(), json!({ "description": "The new key; `secret` is shown this once.", "content": json_content(&s.answer::<IssuedKey>()) }));
            body_errors(
                &mut responses,
                &error,
                "16 KiB",
                "A secret key asked for, a restricted key without scopes, or scopes on another kind",
            );
            json!({
                "operationId": "createKey",
                "summary": "Another publishable key, or a restricted key with explicit scopes (secret key only)",
                "requestBody": { "required": true, "content": json_content(&s.request::<NewKey>()) },
            })
        }
        Route::RollKey { .. } => {
            responses.insert("201".into(), json!({ "description": "The new key (shown this once); the old one works until `grace_seconds` have passed.", "content": json_content(&s.answer::<IssuedKey>()) }));
            responses.insert(
                "404".into(),
                error_response(&error, "No such working key (`not_found`)."),
            );
            body_errors(
                &mut responses,
                &error,
                "16 KiB",
                "grace_seconds outside 0 to 86400",
            );
            json!({
                "operationId": "rollKey",
                "summary": "Replace a key, keeping the old one working for up to 24 hours (secret key only)",
                "parameters": [ key_id_param() ],
                "requestBody": { "required": false, "content": json_content(&s.request::<RollKey>()) },
            })
        }
        Route::RevokeKey { .. } => {
            responses.insert("200".into(), json!({ "description": "Revoked: refused everywhere within 5 seconds.", "content": json_content(&s.answer::<ApiKey>()) }));
            responses.insert(
                "400".into(),
                error_response(&error, "A malformed key id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(&error, "No such working key (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(
                    &error,
                    "The secret key is rolled, never revoked (`secret_key_not_revocable`).",
                ),
            );
            json!({ "operationId": "revokeKey", "summary": "Revoke a publishable or restricted key (secret key only)", "parameters": [ key_id_param() ] })
        }
        Route::CreateMerchant => {
            responses.insert("201".into(), json!({ "description": "The merchant, with its first publishable and secret keys: shown this once.", "content": json_content(&s.answer::<CreatedMerchant>()) }));
            responses.insert(
                "401".into(),
                error_response(
                    &error,
                    "The operator token is missing or wrong (`invalid_operator_token`).",
                ),
            );
            responses.insert(
                "409".into(),
                error_response(&error, "The id is taken (`merchant_exists`)."),
            );
            responses.remove("403");
            responses.remove("429");
            body_errors(
                &mut responses,
                &error,
                "16 KiB",
                "A bad id, name or setting, or imported keys outside local development",
            );
            json!({
                "operationId": "createMerchant",
                "summary": "Onboard a merchant (operator only)",
                "security": [{ "operatorToken": [] }],
                "requestBody": { "required": true, "content": json_content(&s.request::<CreateMerchant>()) },
            })
        }
        Route::OpenApi => {
            responses.insert("200".into(), json!({ "description": "This document.", "content": { "application/json": { "schema": { "type": "object" } } } }));
            json!({ "operationId": "getOpenApi", "summary": "This OpenAPI document", "security": [] })
        }
    };
    let mut op = op;
    // Secret routes: the secret key, or a restricted key with the scope.
    if route.access() == Access::Secret {
        let mut security = vec![json!({ "secretKey": [] })];
        if let Some(scope) = route.scope() {
            security.push(json!({ "restrictedKey": [scope] }));
        }
        op["security"] = Value::Array(security);
    }
    op["responses"] = Value::Object(responses);
    op
}

/// The whole document, as served at `GET /v1/openapi.json`.
pub fn document() -> Value {
    let mut schemas = Schemas {
        requests: generator(false),
        answers: generator(true),
    };
    let mut paths = serde_json::Map::new();
    for (method, template) in ROUTES {
        let example = template
            .replace("{sku}", "SKU")
            .replace("{hold_id}", "h1")
            .replace("{merchant}", "demo")
            .replace("{key_id}", "key_1");
        let route = Route::resolve(method, &example).expect("every template resolves");
        let entry = paths.entry(template).or_insert_with(|| json!({}));
        entry[method.to_ascii_lowercase()] = operation(route, &mut schemas);
    }
    let mut components = schemas.requests.take_definitions(true);
    components.extend(schemas.answers.take_definitions(true));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Upfront availability API",
            "version": "1",
            "description": format!(
                "Live stock and delivery promises. Errors are `{{\"error\": {{\"code\", \"message\", \"param\"?}}}}`; codes: {}.",
                ErrorCode::ALL.iter().map(|c| format!("`{}`", serde_json::to_value(c).unwrap_or_default().as_str().unwrap_or_default())).collect::<Vec<_>>().join(", ")
            ),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "publishableKey": { "type": "http", "scheme": "bearer", "description": "A publishable key (`pk_…`): reads only; safe in pages and apps." },
                "publishableKeyQuery": { "type": "apiKey", "in": "query", "name": "key", "description": "The publishable key as `?key=`, so a GET needs no CORS preflight." },
                "secretKey": { "type": "http", "scheme": "bearer", "description": "A secret key (`sk_…`): server to server only." },
                "restrictedKey": { "type": "http", "scheme": "bearer", "description": "A restricted key (`rk_…`): server to server, only within its scopes (listed per operation)." },
                "operatorToken": { "type": "http", "scheme": "bearer", "description": "The operator's token, the Worker secret `OPERATOR_TOKEN`: onboarding only." }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_method() {
        let doc = document();
        for (method, template) in ROUTES {
            let op = &doc["paths"][template][method.to_ascii_lowercase()];
            assert!(op.is_object(), "{method} {template} missing");
            let success = ["101", "200", "201", "202"]
                .iter()
                .any(|status| op["responses"][*status].is_object());
            assert!(success, "{method} {template} has no success answer");
        }
        let documented: usize = doc["paths"]
            .as_object()
            .map(|p| {
                p.values()
                    .map(|v| v.as_object().map_or(0, |o| o.len()))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(documented, ROUTES.len(), "no undocumented extras");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
    }

    #[test]
    fn answers_schema_marks_always_present_fields_required() {
        let doc = document();
        let required = doc["components"]["schemas"]["Availability"]["required"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for field in [
            "sku",
            "status",
            "available",
            "requested_qty",
            "fulfillable",
            "as_of",
            "stale",
            "delivery_options",
        ] {
            assert!(required.contains(&json!(field)), "{field} not required");
        }
        assert!(!required.contains(&json!("display_count")));
        assert!(!required.contains(&json!("delivery")));
    }
}
