//! Orders: the merchant's routes (create, read, ship, cancel, refund) and
//! the buyer's (the order page and the answer to a delay notice).

use schemars::Schema;
use serde_json::{Map, Value, json};

use super::*;
use crate::order::{Order, OrderList, OrderRequest, OrderShipment, OrderStatus};

fn order_id_param() -> Value {
    json!({ "name": "order_id", "in": "path", "required": true, "description": "The merchant's order id.", "schema": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" } })
}

fn token_param() -> Value {
    json!({ "name": "token", "in": "path", "required": true, "description": "The buyer's token, from the order's `status_url`.", "schema": { "type": "string", "pattern": "^ot_[a-z][a-z0-9-]{1,31}\\.[0-9a-f]{32}$" } })
}

fn not_open(error: &Schema) -> Value {
    error_response(
        error,
        "The order's stage does not allow this step: shipped, cancelled, or nothing to consent to (`order_not_open`).",
    )
}

/// The operation for an order route; `Value::Null` for any other.
pub(super) fn operation(
    route: Route<'_>,
    s: &mut Schemas,
    error: &Schema,
    responses: &mut Map<String, Value>,
) -> Value {
    let order = || json!({ "$ref": "#/components/schemas/Order" });
    match route {
        Route::CreateOrder => {
            let answer = s.answer::<Order>();
            responses.insert("201".into(), json!({ "description": "The order is stored and watched: its promise is re-checked whenever stock or the delivery configuration changes, and daily.", "content": json_content(&answer) }));
            responses.insert("200".into(), json!({ "description": "The same order came again: the stored one, unchanged.", "content": json_content(&answer) }));
            responses.insert(
                "409".into(),
                error_response(
                    error,
                    "The id is taken by a different order (`order_exists`).",
                ),
            );
            body_errors(
                responses,
                error,
                "64 KiB",
                "A bad id, line, SKU the store does not have, destination, email, locale or discount code",
            );
            responses.insert("422".into(), error_response(error, "A bad id, line, SKU the store does not have, destination, email, locale or discount code (`invalid_request`); a promise token this store did not sign, altered, or not for its line (`invalid_promise_token`), or past its `order_by` (`promise_token_expired`)."));
            json!({
                "operationId": "createOrder",
                "summary": "Record an order and the promise its buyer saw; Upfront then keeps that promise under watch",
                "requestBody": { "required": true, "content": json_content(&s.request::<OrderRequest>()) },
            })
        }
        Route::ListOrders => {
            responses.insert("200".into(), json!({ "description": "A page of orders, newest first. `status=refund_due` lists the cancelled orders whose refund is not yet recorded, each with its `refund_by`.", "content": json_content(&s.answer::<OrderList>()) }));
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A malformed or unknown parameter (`invalid_parameter`).",
                ),
            );
            let mut params = page_params(false);
            if let Value::Array(list) = &mut params {
                list.push(query_param(
                    "status",
                    "Only orders in this state.",
                    json!({ "type": "string", "enum": [
                        OrderStatus::AwaitingShipment.as_str(), OrderStatus::AwaitingAnswer.as_str(),
                        OrderStatus::Delayed.as_str(), OrderStatus::Shipped.as_str(), OrderStatus::Delivered.as_str(),
                        OrderStatus::RefundDue.as_str(), OrderStatus::Refunded.as_str(),
                    ] }),
                ));
            }
            json!({ "operationId": "listOrders", "summary": "Orders, newest first", "parameters": params })
        }
        Route::GetOrder { .. } => {
            s.answer::<Order>();
            responses.insert("200".into(), json!({ "description": "The order: its status, the obligation (the date it ships by and the option workflow's stage), every notice sent, its shipments, and the buyer's `status_url`.", "content": { "application/json": { "schema": order() } } }));
            responses.insert(
                "404".into(),
                error_response(
                    error,
                    "No such order, or a buyer token for another order (`not_found`).",
                ),
            );
            responses.insert(
                "400".into(),
                error_response(error, "A malformed order id (`invalid_parameter`)."),
            );
            json!({
                "operationId": "getOrder",
                "summary": "One order, for the merchant (secret or restricted key) or for the buyer's app (the buyer token from `status_url`)",
                "parameters": [order_id_param()],
            })
        }
        Route::ShipOrder { .. } | Route::CancelOrder { .. } | Route::RefundOrder { .. } => {
            s.answer::<Order>();
            let (id, summary, done) = match route {
                Route::ShipOrder { .. } => (
                    "shipOrder",
                    "The order shipped: its committed holds leave the shelf, and `order.shipped` goes out",
                    "Shipped.",
                ),
                Route::CancelOrder { .. } => (
                    "cancelOrder",
                    "The merchant calls the order off: `order.cancelled`, then `order.refund_due` with its deadline",
                    "Cancelled; `obligation.refund_by` is the refund's deadline.",
                ),
                _ => (
                    "refundOrder",
                    "Record that a cancelled order was refunded (Upfront moves no money)",
                    "Refunded.",
                ),
            };
            responses.insert("200".into(), json!({ "description": done, "content": { "application/json": { "schema": order() } } }));
            responses.insert(
                "404".into(),
                error_response(error, "No such order (`not_found`)."),
            );
            responses.insert("409".into(), not_open(error));
            let mut op =
                json!({ "operationId": id, "summary": summary, "parameters": [order_id_param()] });
            responses.insert(
                "400".into(),
                error_response(error, "A malformed order id (`invalid_parameter`)."),
            );
            if matches!(route, Route::ShipOrder { .. }) {
                body_errors(
                    responses,
                    error,
                    "64 KiB",
                    "A carrier or tracking number of 0 or more than 64 characters",
                );
                responses.insert(
                    "400".into(),
                    error_response(error, "A malformed order id (`invalid_parameter`), or a body that is not JSON of this shape (`invalid_json`)."),
                );
                op["requestBody"] = json!({ "required": true, "content": json_content(&s.request::<OrderShipment>()) });
            }
            op
        }
        Route::OrderStatusPage { .. } | Route::AnswerNotice { .. } => {
            let answer = matches!(route, Route::AnswerNotice { .. });
            for status in ["401", "403", "429"] {
                responses.remove(status);
            }
            responses.insert(
                "404".into(),
                error_response(error, "Not a buyer token Upfront made (`not_found`)."),
            );
            if !answer {
                responses.insert("200".into(), json!({ "description": "The buyer's page, in the buyer's language: status, the date it ships by, every notice sent, and while a notice waits, the buttons to agree or cancel (HTML forms posting to this URL). Opening it changes nothing.", "content": { "text/html": { "schema": { "type": "string" } } } }));
                return json!({ "operationId": "orderStatusPage", "summary": "The buyer's order page (no login: the token is the credential)", "security": [], "parameters": [token_param()] });
            }
            s.answer::<Order>();
            responses.insert("200".into(), json!({ "description": "Done: the page (a form post) or the order (JSON).", "content": { "text/html": { "schema": { "type": "string" } }, "application/json": { "schema": order() } } }));
            responses.insert("409".into(), json!({
                "description": "Nothing to answer any more (`order_not_open`), or the answer was to a notice a later one replaced (`notice_superseded`): the page saying where the order stands (a form post), or the error (JSON).",
                "content": { "text/html": { "schema": { "type": "string" } }, "application/json": { "schema": error } },
            }));
            responses.insert(
                "400".into(),
                error_response(error, "Not JSON of this shape (`invalid_json`)."),
            );
            responses.insert(
                "413".into(),
                error_response(error, "The body exceeds 1 KiB (`body_too_large`)."),
            );
            responses.insert(
                "415".into(),
                error_response(error, "Neither a form nor JSON (`unsupported_media_type`)."),
            );
            responses.insert("422".into(), error_response(error, "`answer` is not consent or cancel, or `notice` is not a number (`invalid_request`)."));
            let body = json!({ "type": "object", "required": ["answer", "notice"], "additionalProperties": false, "properties": {
                "answer": { "type": "string", "enum": ["consent", "cancel"] },
                "notice": { "type": "integer", "minimum": 0, "maximum": 4_294_967_295u64, "description": "The number of the notice answered (the order's `obligation.notices`)." },
            } });
            json!({
                "operationId": "answerNotice",
                "summary": "The buyer agrees to a delay, or cancels for a full refund; free, no login",
                "security": [],
                "parameters": [token_param()],
                "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": body }, "application/json": { "schema": body } } },
            })
        }
        _ => Value::Null,
    }
}
