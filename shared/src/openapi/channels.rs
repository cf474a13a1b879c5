//! The channels' routes: the offer JSON-LD, the promotion guard, and the
//! ad-channel feeds.

use schemars::Schema;
use serde_json::{Map, Value, json};

use super::*;
use crate::feed::FeedUrls;
use crate::guard::GuardList;
use crate::guard::rules::GuardRules;
use crate::offer::ProductJsonLd;

/// The operation for a channel route; `Value::Null` for any other.
pub(super) fn operation(
    route: Route<'_>,
    s: &mut Schemas,
    error: &Schema,
    responses: &mut Map<String, Value>,
) -> Value {
    match route {
        Route::Offer { .. } => {
            responses.insert("200".into(), json!({ "description": "The SKU's schema.org `Product` → `Offer` JSON-LD: `availability`, `availabilityStarts` (the answer's `availability_date`), and `shippingDetails` from the soonest delivery option. Put it in a `<script type=\"application/ld+json\">` of the product page's server-rendered HTML.", "content": { "application/ld+json": { "schema": s.answer::<ProductJsonLd>() }, "application/json": { "schema": { "$ref": "#/components/schemas/ProductJsonLd" } } } }));
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
                "operationId": "getOffer",
                "summary": "One SKU's availability as schema.org JSON-LD, for server-side inclusion",
                "security": [{ "publishableKey": [] }, { "publishableKeyQuery": [] }],
                "parameters": [
                    json!({ "name": "sku", "in": "path", "required": true, "schema": { "type": "string", "pattern": format!("^[A-Za-z0-9._-]{{1,{MAX_SKU_LEN}}}$") } }),
                    query_param("country", "Destination, ISO 3166-1 alpha-2.", json!({ "type": "string", "pattern": COUNTRY_PATTERN })),
                    query_param("postal_code", "Destination postal code; needs `country`.", json!({ "type": "string", "pattern": POSTAL_CODE_PATTERN })),
                ],
            })
        }
        Route::PutGuardRules => {
            responses.insert("200".into(), json!({ "description": "The rules as stored. Every guarded SKU's level was looked at at once; a move sends its `guard.*` webhook.", "content": json_content(&s.answer::<GuardRules>()) }));
            body_errors(
                responses,
                error,
                "8 MiB",
                "A bad id, SKU, threshold (stop looser than throttle), or more than 100 rules",
            );
            json!({
                "operationId": "putGuardRules",
                "summary": "Replace the promotion guard's rules: when each SKU's or campaign's promotion slows, and when it stops",
                "requestBody": { "required": true, "content": json_content(&s.request::<GuardRules>()) },
            })
        }
        Route::GetGuardRules => {
            responses.insert("200".into(), json!({ "description": "The rules as written (none: `{\"rules\": []}`).", "content": json_content(&s.answer::<GuardRules>()) }));
            json!({ "operationId": "getGuardRules", "summary": "The promotion guard's rules" })
        }
        Route::ListGuards => {
            responses.insert("200".into(), json!({ "description": "Every guarded SKU the store has: its level (stopped first), since when, and the figures behind it now (available, velocity, cover, projected sell-out); while stopped, when Merchant Center's 14-day ad pause ends.", "content": json_content(&s.answer::<GuardList>()) }));
            json!({ "operationId": "listGuards", "summary": "Where every guarded SKU stands" })
        }
        Route::FeedUrls | Route::RollFeedUrls => {
            let roll = matches!(route, Route::RollFeedUrls);
            responses.insert("200".into(), json!({ "description": if roll { "New URLs: the old ones answer 404 from now on." } else { "The feed URLs (made on first call). Keep them secret: they carry the token that opens the feeds." }, "content": json_content(&s.answer::<FeedUrls>()) }));
            json!({
                "operationId": if roll { "rollFeedUrls" } else { "getFeedUrls" },
                "summary": if roll { "Replace the feed URLs' secret" } else { "The Google Merchant Center and Meta catalog feed URLs" },
            })
        }
        Route::Feed { .. } => {
            for status in ["401", "403", "429"] {
                responses.remove(status);
            }
            responses.insert("200".into(), json!({
                "description": "Every SKU: `google.xml` (RSS 2.0, `g:` namespace) and `google.tsv` for Merchant Center (`id`, `availability`, `availability_date`, `shipping` with handling and transit in business days, `pause` = `ads` while a guard stops the SKU); `meta.csv` for Meta (`id`, `availability`, `availability_date`, `quantity_to_sell_on_facebook`).",
                "headers": {
                    "ETag": { "description": "Weak tag of the last feed-changing write and the hour.", "schema": { "type": "string" } },
                    "Last-Modified": { "description": "When the feed last changed.", "schema": { "type": "string" } },
                },
                "content": {
                    "application/rss+xml": { "schema": { "type": "string" } },
                    "text/tab-separated-values": { "schema": { "type": "string" } },
                    "text/csv": { "schema": { "type": "string" } },
                },
            }));
            responses.insert(
                "304".into(),
                json!({ "description": "Unchanged since `If-None-Match` or `If-Modified-Since`." }),
            );
            responses.insert("404".into(), error_response(error, "Not a feed token this edge made, a rolled one, or another file name (`not_found`)."));
            responses.insert(
                "400".into(),
                error_response(
                    error,
                    "A `country` that is not two upper-case letters (`invalid_parameter`).",
                ),
            );
            json!({
                "operationId": "getFeed",
                "summary": "A channel's feed (the secret URL from `GET /v1/feed-urls`)",
                "security": [],
                "parameters": [
                    json!({ "name": "token", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^ft_[a-z][a-z0-9-]{1,31}\\.[0-9a-f]{32}$" } }),
                    json!({ "name": "file", "in": "path", "required": true, "schema": { "type": "string", "enum": ["google.xml", "google.tsv", "meta.csv"] } }),
                    query_param("country", "The feed's target country (its `shipping` entries); default: the delivery configuration's `default_country`.", json!({ "type": "string", "pattern": "^[A-Z]{2}$" })),
                ],
            })
        }
        _ => Value::Null,
    }
}
