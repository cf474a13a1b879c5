//! The OpenAPI 3.1 document, generated from the API types and the route
//! table. Schemas come from `schemars` (JSON Schema 2020-12, which is what
//! OpenAPI 3.1 uses); only the operations' prose is written here, one file
//! per family of routes: `public`, `merchant`, `accounts`.

mod accounts;
mod channels;
mod merchant;
mod orders;
mod public;

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::accounts::{
    ApiKey, CreateMerchant, CreatedMerchant, IssuedKey, KeyList, NewKey, RollKey,
};
use crate::api::{Availability, BatchRequest, BatchResponse, InventoryUpsert, UpsertResult};
use crate::email::records::{EmailLog, Suppression, SuppressionList, SuppressionRequest};
use crate::error::{ErrorBody, ErrorCode};
use crate::hold::{Hold, HoldRequest};
use crate::merchant::{Settings, SettingsPatch};
use crate::outbound::{
    CreatedEndpoint, Delivery, DeliveryList, EndpointList, EndpointRequest, RollSecret,
};
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
    let is_order = matches!(
        route,
        Route::CreateOrder
            | Route::ListOrders
            | Route::GetOrder { .. }
            | Route::ShipOrder { .. }
            | Route::CancelOrder { .. }
            | Route::RefundOrder { .. }
            | Route::OrderStatusPage { .. }
            | Route::AnswerNotice { .. }
    );
    let is_channel = matches!(
        route,
        Route::Offer { .. }
            | Route::PutGuardRules
            | Route::GetGuardRules
            | Route::ListGuards
            | Route::FeedUrls
            | Route::RollFeedUrls
            | Route::Feed { .. }
    );
    let family = match route.access() {
        _ if is_order => orders::operation,
        _ if is_channel => channels::operation,
        Access::Public | Access::Signed | Access::Open => public::operation,
        Access::Operator => accounts::operation,
        Access::Secret if route.scope().is_none() => accounts::operation,
        Access::Secret => merchant::operation,
    };
    let op = family(route, s, &error, &mut responses);
    let mut op = op;
    // Secret routes: the secret key, or a restricted key with the scope.
    if route.access() == Access::Secret {
        let mut security = vec![json!({ "secretKey": [] })];
        if let Some(scope) = route.scope() {
            security.push(json!({ "restrictedKey": [scope] }));
        }
        if matches!(route, Route::GetOrder { .. }) {
            security.push(json!({ "buyerToken": [] }));
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
            .replace("{key_id}", "key_1")
            .replace("{endpoint_id}", "we_1")
            .replace("{delivery_id}", "wd_1")
            .replace("{order_id}", "o1")
            .replace("{token}", "t")
            .replace("{file}", "google.xml");
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
                "buyerToken": { "type": "http", "scheme": "bearer", "description": "The buyer's token (`ot_…`, from an order's `status_url`): that one order, for the buyer's app." },
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
