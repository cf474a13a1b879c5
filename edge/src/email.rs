//! Email through Cloudflare's `send_email` binding (`EMAIL`), one module
//! per binding as in workers-rs. The store renders the whole RFC 5322
//! message (`shared::email`) and keeps its state (`store/mail.rs`); this
//! module only hands it to the binding, from the `OUTBOX` queue's consumer.
//!
//! Under `wrangler dev` the binding is simulated: each message is written
//! whole to a `.eml` file and the path logged, which is what the e2e tests
//! read. Deployed, the same call goes to Email Service.

use wasm_bindgen::prelude::*;
use worker::Env;
use worker::wasm_bindgen_futures::JsFuture;

use crate::store::{self, AttemptOutcome, EmailJob, RetryPolicy, StoreCommand};

/// One attempt at email `id`; `Some(delay)` when the queue should bring it
/// back.
pub async fn attempt(
    env: &Env,
    merchant: &str,
    id: &str,
    retry: RetryPolicy,
) -> worker::Result<Option<u32>> {
    let start = StoreCommand::StartEmail {
        id: id.to_owned(),
        now_ms: now_ms(),
    };
    let Some(job): Option<EmailJob> = store::call_existing(env, merchant, &start).await?.flatten()
    else {
        // Sent, held back, or another attempt holds it.
        return Ok(None);
    };
    let error = send(env, &job).await.err();
    if let Some(error) = &error {
        worker::console_error!("email {id} of {merchant}: {error}");
    }
    let finish = StoreCommand::FinishEmail {
        id: id.to_owned(),
        error,
        retry,
        now_ms: now_ms(),
    };
    let outcome: AttemptOutcome = store::call(env, merchant, &finish).await?;
    Ok(outcome.retry_delay())
}

// `cloudflare:email` is imported when the first message is sent, not when
// the Worker loads: plain workerd (the benchmark, the isolation test) has
// no such module, and a Worker that never sends must still start there.
#[wasm_bindgen(inline_js = "export async function sendRaw(binding, from, to, raw) {
    const { EmailMessage } = await import('cloudflare:email');
    await binding.send(new EmailMessage(from, to, raw));
}")]
extern "C" {
    #[wasm_bindgen(js_name = sendRaw)]
    fn send_raw(binding: &JsValue, from: &str, to: &str, raw: &str) -> js_sys::Promise;
}

/// Hands the message to the binding; the binding's refusal, as text.
async fn send(env: &Env, job: &EmailJob) -> Result<(), String> {
    let binding = env.send_email("EMAIL").map_err(|e| e.to_string())?;
    JsFuture::from(send_raw(binding.as_ref(), &job.from, &job.to, &job.raw))
        .await
        .map(|_| ())
        .map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"))
        })
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
