//! The Upfront edge: a Cloudflare Worker in front of one Durable Object per
//! merchant. Handlers stay thin; the rules live in `upfront-shared`.

mod auth;
mod availability;
mod demo;
mod error;
mod inventory;
mod store;

use worker::{Context, Env, Method, Request, Response, event};

pub use store::Store;

use crate::error::ApiError;
use upfront_shared::error::ErrorCode;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, &env)
        .await
        .unwrap_or_else(ApiError::into_response))
}

async fn route(req: Request, env: &Env) -> Result<Response, ApiError> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["v1", "availability", sku]) => {
            let sku = sku.to_string();
            availability::get(req, env, &sku).await
        }
        (Method::Post, ["v1", "inventory"]) => inventory::upsert(req, env).await,
        (_, ["v1", "availability", _] | ["v1", "inventory"]) => Err(ApiError::new(
            ErrorCode::MethodNotAllowed,
            "method not allowed on this route",
        )),
        _ => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    }
}
