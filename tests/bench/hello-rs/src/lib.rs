//! The workers-rs baselines for the edge benchmarks: one small JSON answer
//! (`/`), and the physical floor of a checkout hold (`/do`): a Durable
//! Object doing one SQLite `UPDATE` per request, and nothing else.

use serde::Serialize;
use worker::{
    Context, DurableObject, Env, Request, Response, Result, SqlStorage, State, durable_object,
    event,
};

#[derive(Serialize)]
struct Hello {
    hello: &'static str,
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    if req.path() == "/do" {
        let stub = env.durable_object("COUNTER")?.get_by_name("bench")?;
        return stub.fetch_with_request(req).await;
    }
    Response::from_json(&Hello { hello: "world" })
}

/// One row, one `UPDATE` a request: what a hold's write costs at least.
#[durable_object]
pub struct Counter {
    sql: SqlStorage,
}

impl DurableObject for Counter {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let _ = sql.exec(
            "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            None,
        );
        let _ = sql.exec("INSERT OR IGNORE INTO counter (id, n) VALUES (1, 0)", None);
        Self { sql }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        self.sql
            .exec("UPDATE counter SET n = n + 1 WHERE id = 1", None)?;
        Response::from_json(&Hello { hello: "world" })
    }
}
