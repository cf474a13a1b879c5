//! Pure domain logic for Upfront.
//!
//! Everything here is deterministic: no I/O, no clock, no randomness. Callers
//! pass `now` in. That keeps the rules testable with plain `cargo test` and
//! lets the edge (wasm32 on workerd) and the widget (wasm32 in a browser)
//! share one definition of every answer.

pub mod accounts;
pub mod allocation;
pub mod answer;
pub mod api;
pub mod batch;
pub mod client;
/// The widget's words, shared with the server-rendered widget. The file
/// stays beside the widget's code: compiled from any other path, the
/// widget's wasm came out 0.1 KB larger (its panic locations name it).
#[cfg(feature = "fragment")]
#[path = "../../widget/src/copy.rs"]
pub mod copy;
pub mod email;
pub mod error;
pub mod etag;
pub mod feed;
#[cfg(feature = "fragment")]
pub mod fragment;
pub mod guard;
pub mod hold;
pub mod idempotency;
pub mod ingest;
pub mod keys;
pub mod ledger;
pub mod merchant;
pub mod offer;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod order;
pub mod outbound;
pub mod postal;
pub mod promise;
pub mod push;
pub mod query;
pub mod readback;
pub mod routes;
pub mod shopify;
pub mod sku;
pub mod stock;
pub mod subscription;
