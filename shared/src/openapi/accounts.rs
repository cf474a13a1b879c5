//! Onboarding, keys and settings: the operator's and the secret key's own routes.

use schemars::Schema;
use serde_json::{Map, Value, json};

use super::*;

/// The operation for `route`, adding its own answers to `responses`;
/// `Value::Null` for a route of another family (the document's test holds
/// every route to a success answer, so none is left undescribed).
fn id_param(name: &str, prefix: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string", "pattern": format!("^{prefix}[0-9a-f]{{24}}$") } })
}

pub(super) fn operation(
    route: Route<'_>,
    s: &mut Schemas,
    error: &Schema,
    responses: &mut Map<String, Value>,
) -> Value {
    match route {
        Route::GetSettings => {
            responses.insert("200".into(), json!({ "description": "The settings; Shopify secrets by their last four characters.", "content": json_content(&s.answer::<Settings>()) }));
            json!({ "operationId": "getSettings", "summary": "The merchant's settings (secret key only)" })
        }
        Route::UpdateSettings => {
            responses.insert("200".into(), json!({ "description": "The settings after the change; live everywhere within 5 seconds.", "content": json_content(&s.answer::<Settings>()) }));
            body_errors(
                responses,
                error,
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
                responses,
                error,
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
                error_response(error, "No such working key (`not_found`)."),
            );
            body_errors(
                responses,
                error,
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
                error_response(error, "A malformed key id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such working key (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(
                    error,
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
                    error,
                    "The operator token is missing or wrong (`invalid_operator_token`).",
                ),
            );
            responses.insert(
                "409".into(),
                error_response(error, "The id is taken (`merchant_exists`)."),
            );
            responses.remove("403");
            responses.remove("429");
            body_errors(
                responses,
                error,
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
        Route::CreateEndpoint => {
            responses.insert("201".into(), json!({ "description": "The endpoint and its signing secret (`whsec_…`), shown this once. Deliveries carry `Upfront-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"t.body\">`.", "content": json_content(&s.answer::<CreatedEndpoint>()) }));
            body_errors(
                responses,
                error,
                "16 KiB",
                "A URL that is not HTTPS (loopback over HTTP only for test merchants), with credentials or a fragment; no events, or an unknown one",
            );
            json!({
                "operationId": "createWebhookEndpoint",
                "summary": "Register an HTTPS endpoint for stock events (secret key only)",
                "requestBody": { "required": true, "content": json_content(&s.request::<EndpointRequest>()) },
            })
        }
        Route::ListEndpoints => {
            responses.insert("200".into(), json!({ "description": "Every endpoint, never its secret.", "content": json_content(&s.answer::<EndpointList>()) }));
            json!({ "operationId": "listWebhookEndpoints", "summary": "The webhook endpoints (secret key only)" })
        }
        Route::DeleteEndpoint { .. } => {
            responses.insert("200".into(), json!({ "description": "Deleted, with its pending deliveries.", "content": { "application/json": { "schema": { "type": "object", "required": ["id", "deleted"], "properties": { "id": { "type": "string" }, "deleted": { "type": "boolean" } } } } } }));
            responses.insert(
                "400".into(),
                error_response(error, "A malformed endpoint id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such endpoint (`not_found`)."),
            );
            json!({ "operationId": "deleteWebhookEndpoint", "summary": "Delete a webhook endpoint (secret key only)", "parameters": [ id_param("endpoint_id", "we_") ] })
        }
        Route::ListDeliveries { .. } => {
            responses.insert("200".into(), json!({ "description": "The newest 100 deliveries: state, attempts, last status, next try.", "content": json_content(&s.answer::<DeliveryList>()) }));
            responses.insert(
                "400".into(),
                error_response(error, "A malformed endpoint id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such endpoint (`not_found`)."),
            );
            json!({ "operationId": "listWebhookDeliveries", "summary": "An endpoint's delivery log (secret key only)", "parameters": [ id_param("endpoint_id", "we_") ] })
        }
        Route::RollEndpointSecret { .. } => {
            responses.insert("200".into(), json!({ "description": "The new secret, shown this once; deliveries carry a `v1` signature for each of the new and, during the grace period, the old secret.", "content": json_content(&s.answer::<CreatedEndpoint>()) }));
            responses.insert(
                "404".into(),
                error_response(error, "No such endpoint (`not_found`)."),
            );
            body_errors(
                responses,
                error,
                "16 KiB",
                "grace_seconds outside 0 to 86400",
            );
            responses.insert("400".into(), error_response(error, "A malformed endpoint id (`invalid_parameter`), or a body that is not JSON of this shape (`invalid_json`)."));
            json!({
                "operationId": "rollWebhookSecret",
                "summary": "Roll an endpoint's signing secret with a grace period (secret key only)",
                "parameters": [ id_param("endpoint_id", "we_") ],
                "requestBody": { "required": true, "content": json_content(&s.request::<RollSecret>()) },
            })
        }
        Route::Redeliver { .. } => {
            responses.insert("202".into(), json!({ "description": "Queued for delivery now; a delivered event goes again with the same id.", "content": json_content(&s.answer::<Delivery>()) }));
            responses.insert(
                "400".into(),
                error_response(error, "A malformed delivery id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such delivery (`not_found`)."),
            );
            json!({ "operationId": "redeliverWebhook", "summary": "Send a delivery again (secret key only)", "parameters": [ id_param("delivery_id", "wd_") ] })
        }
        _ => Value::Null,
    }
}
