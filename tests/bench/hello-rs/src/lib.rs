//! The workers-rs baseline for the edge benchmarks: one small JSON answer.

use serde::Serialize;
use worker::{Context, Env, Request, Response, Result, event};

#[derive(Serialize)]
struct Hello {
    hello: &'static str,
}

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::from_json(&Hello { hello: "world" })
}
