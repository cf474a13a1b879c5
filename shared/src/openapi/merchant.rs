//! The merchant's server-side operations: stock, holds and what follows the
//! sale, delivery configuration, shipments, and reading all of it back.

use schemars::Schema;
use serde_json::{Map, Value, json};

use super::*;
use crate::promise::forecast::ForecastSummary;

/// The operation for `route`, adding its own answers to `responses`;
/// `Value::Null` for a route of another family (the document's test holds
/// every route to a success answer, so none is left undescribed).
pub(super) fn operation(
    route: Route<'_>,
    s: &mut Schemas,
    error: &Schema,
    responses: &mut Map<String, Value>,
) -> Value {
    match route {
        Route::Inventory => {
            responses.insert("200".into(), json!({ "description": "Every item was applied.", "content": json_content(&s.answer::<UpsertResult>()) }));
            body_errors(responses, error, "1 MiB", "");
            let key = idempotency(
                responses,
                error,
                "A value breaks a rule; nothing was written",
            );
            responses.insert(
                "400".into(),
                error_response(
                    error,
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
                error_response(error, "The merchant has no such SKU (`not_found`)."),
            );
            responses.insert("409".into(), error_response(error, "Not enough sellable stock (`insufficient_stock`); `available` says how many can be held."));
            body_errors(responses, error, "16 KiB", "");
            let key = idempotency(
                responses,
                error,
                "A bad sku, qty (1-10000) or ttl_seconds (1-1800)",
            );
            responses.insert(
                "400".into(),
                error_response(
                    error,
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
                error_response(error, "A malformed hold id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such hold (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(error, "The hold is no longer open (`hold_not_open`)."),
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
                responses,
                error,
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
                responses,
                error,
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
        Route::ListSkus => {
            responses.insert("200".into(), json!({ "description": "A page of SKUs, by SKU.", "content": json_content(&s.answer::<SkuList>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
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
                error_response(error, "A malformed SKU (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such SKU (`not_found`)."),
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
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "listOpenHolds", "summary": "Open checkout holds", "parameters": page_params(false) })
        }
        Route::CancelHold { .. } => {
            responses.insert("200".into(), json!({ "description": "The sale is cancelled and its units are back on sale (a repeat answers the same).", "content": json_content(&s.answer::<Hold>()) }));
            responses.insert(
                "400".into(),
                error_response(error, "A malformed hold id (`invalid_parameter`)."),
            );
            responses.insert(
                "404".into(),
                error_response(error, "No such hold (`not_found`)."),
            );
            responses.insert("409".into(), error_response(error, "The hold is not a paid, unshipped sale (`hold_not_committed`): release an open hold instead; a shipped one cannot be cancelled."));
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
                error_response(error, "No such hold (`not_found`)."),
            );
            responses.insert(
                "409".into(),
                error_response(
                    error,
                    "The hold is not a paid, unshipped sale (`hold_not_committed`).",
                ),
            );
            body_errors(responses, error, "16 KiB", "A malformed hold id");
            json!({
                "operationId": "createFulfilment",
                "summary": "A paid sale shipped: take its units off the shelf and out of `committed`",
                "requestBody": { "required": true, "content": json_content(&s.request::<FulfilmentRequest>()) },
            })
        }
        Route::DeliveryForecast => {
            responses.insert("200".into(), json!({ "description": "The levels learned promises are read at now (recalibrated from the last 45 days of promises, half-life 60 days: delivered ones, and ones still out as censored), how many promises they rest on, and each configured warehouse's handling, learned from order times or configured. Without a delivery configuration the target is 0.95 and no warehouse is listed.", "content": json_content(&s.answer::<ForecastSummary>()) }));
            json!({ "operationId": "getDeliveryForecast", "summary": "What learned delivery promises rest on" })
        }
        Route::GetDeliveryConfig => {
            responses.insert("200".into(), json!({ "description": "The configuration in force, as written.", "content": json_content(&s.answer::<DeliveryConfig>()) }));
            responses.insert(
                "404".into(),
                error_response(error, "None was ever written (`not_found`)."),
            );
            json!({ "operationId": "getDeliveryConfig", "summary": "The delivery configuration `PUT` stored" })
        }
        Route::SubscriptionCounts => {
            responses.insert("200".into(), json!({ "description": "Waiting addresses per SKU, by SKU.", "content": json_content(&s.answer::<SubscriptionCounts>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
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
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "exportSubscriptions", "summary": "Every back-in-stock address, for the merchant's own records", "parameters": page_params(false) })
        }
        Route::ListEmails => {
            responses.insert("200".into(), json!({ "description": "A page of the emails sent on the merchant's behalf, newest first, kept 30 days: to whom, about what, and whether each went, waits, or was held back (suppressed, capped) or failed.", "content": json_content(&s.answer::<EmailLog>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "listEmails", "summary": "The email log", "parameters": page_params(false) })
        }
        Route::ListSuppressions => {
            responses.insert("200".into(), json!({ "description": "A page of suppressed addresses (as SHA-256 of the trimmed, lower-case address), oldest first.", "content": json_content(&s.answer::<SuppressionList>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            json!({ "operationId": "listSuppressions", "summary": "Addresses nothing more is sent to", "parameters": page_params(false) })
        }
        Route::AddSuppression => {
            responses.insert("200".into(), json!({ "description": "Suppressed: nothing that is not yet sent goes to it. Adding an address twice keeps its first reason.", "content": json_content(&s.answer::<Suppression>()) }));
            body_errors(responses, error, "4 KiB", "Not an email address");
            json!({
                "operationId": "addSuppression",
                "summary": "Stop all email to an address (a bounce, a complaint, an unsubscribe taken elsewhere)",
                "requestBody": { "required": true, "content": json_content(&s.request::<SuppressionRequest>()) },
            })
        }
        Route::SubscriptionErase => {
            responses.insert("200".into(), json!({ "description": "The address is gone from every SKU.", "content": json_content(&s.answer::<EraseResult>()) }));
            body_errors(responses, error, "4 KiB", "Not an email address");
            json!({
                "operationId": "eraseSubscriber",
                "summary": "A shopper's erasure request: delete one address everywhere",
                "requestBody": { "required": true, "content": json_content(&s.request::<EraseRequest>()) },
            })
        }
        _ => Value::Null,
    }
}
