//! `Idempotency-Key` on merchant writes, with Stripe's semantics (rules in
//! `upfront_shared::idempotency`). The Worker fingerprints the raw body; the
//! merchant's store remembers each answer in the same transaction as the
//! write it answers, so a retry after a lost response never writes twice.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::idempotency::{
    Decision, KEY_LIFETIME_MS, Remembered, decide, fingerprint, validate_key,
};
use worker::{Request, Response, Result, SqlStorage};

use crate::error::ApiError;

/// A keyed request as the store sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keyed {
    /// `route:key`: a key names one request per route.
    pub key: String,
    pub fingerprint: String,
}

/// What the store did with a keyed (or unkeyed) request.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "once", rename_all = "snake_case")]
pub enum Once<T> {
    Fresh { answer: T },
    Replayed { answer: T },
    KeyReused,
}

/// The request's key, if it sent one, bound to `route` and the body bytes.
pub fn keyed(
    req: &Request,
    route: &str,
    body: &[u8],
) -> std::result::Result<Option<Keyed>, ApiError> {
    let Some(key) = req.headers().get("Idempotency-Key")? else {
        return Ok(None);
    };
    validate_key(&key)?;
    Ok(Some(Keyed {
        key: [route, ":", &key].concat(),
        fingerprint: fingerprint(route, body),
    }))
}

/// Store side: runs `run` unless the key already answered. Call it where
/// `run`'s writes and this memo commit together.
pub fn once<T: Serialize + DeserializeOwned>(
    sql: &SqlStorage,
    keyed: Option<&Keyed>,
    now_ms: i64,
    run: impl FnOnce() -> Result<T>,
) -> Result<Once<T>> {
    let Some(keyed) = keyed else {
        return Ok(Once::Fresh { answer: run()? });
    };
    #[derive(Deserialize)]
    struct Row {
        fingerprint: String,
        answer: String,
        created_at_ms: i64,
    }
    sql.exec(
        "DELETE FROM idempotency WHERE created_at_ms <= ?",
        vec![((now_ms - KEY_LIFETIME_MS) as f64).into()],
    )?;
    let rows: Vec<Row> = sql
        .exec(
            "SELECT fingerprint, answer, created_at_ms FROM idempotency WHERE key = ?",
            vec![keyed.key.as_str().into()],
        )?
        .to_array()?;
    let remembered = rows.first().map(|r| Remembered {
        fingerprint: &r.fingerprint,
        created_at_ms: r.created_at_ms,
    });
    match decide(remembered.as_ref(), &keyed.fingerprint, now_ms) {
        Decision::Run => {
            let answer = run()?;
            sql.exec(
                "INSERT OR REPLACE INTO idempotency (key, fingerprint, answer, created_at_ms) VALUES (?, ?, ?, ?)",
                vec![
                    keyed.key.as_str().into(),
                    keyed.fingerprint.as_str().into(),
                    serde_json::to_string(&answer)?.into(),
                    (now_ms as f64).into(),
                ],
            )?;
            Ok(Once::Fresh { answer })
        }
        Decision::Replay => {
            let answer = rows
                .first()
                .map(|r| serde_json::from_str(&r.answer))
                .transpose()?
                .ok_or_else(|| worker::Error::RustError("remembered answer vanished".into()))?;
            Ok(Once::Replayed { answer })
        }
        Decision::Reused => Ok(Once::KeyReused),
    }
}

/// Worker side: answers as `respond` would, marking replays the way Stripe
/// does (`Idempotent-Replayed: true`).
pub fn reply<T>(
    once: Once<T>,
    respond: impl FnOnce(T) -> std::result::Result<Response, ApiError>,
) -> std::result::Result<Response, ApiError> {
    match once {
        Once::Fresh { answer } => respond(answer),
        Once::Replayed { answer } => {
            let response = match respond(answer) {
                Ok(response) => response,
                Err(error) => error.into_response(),
            };
            response.headers().set("Idempotent-Replayed", "true")?;
            Ok(response)
        }
        Once::KeyReused => Err(ErrorBody::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used with a different request in the last 24 hours",
        )
        .with_param("Idempotency-Key")
        .into()),
    }
}
