//! Pure domain logic for Upfront.
//!
//! Everything here is deterministic: no I/O, no clock, no randomness. Callers
//! pass `now` in. That keeps the rules testable with plain `cargo test` and
//! lets the edge (wasm32 on workerd) and the widget (wasm32 in a browser)
//! share one definition of every answer.

pub mod api;
pub mod error;
pub mod ingest;
pub mod placeholder;
pub mod sku;
pub mod stock;
