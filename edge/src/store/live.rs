//! Live stock: hibernatable WebSockets tagged by client address, a snapshot
//! on connect, and a push of every changed SKU after each write's answer.

use std::collections::HashMap;

use upfront_shared::error::{ErrorBody, ErrorCode};
use upfront_shared::push::StockUpdate;
use worker::{Request, Response, Result, SqlStorage, WebSocket, WebSocketPair};

use super::inventory::read;
use super::{Store, now_timestamp};
use crate::stream::CLIENT_HEADER;

/// Live sockets one client address may hold: sized for the shoppers behind
/// one carrier-grade NAT or office proxy (README, "Limits"), and small
/// beside the store's cap, so that taking it all needs twenty addresses (an
/// IPv6 client counts by its /64). Past it the handshake gets 429.
const SOCKETS_PER_CLIENT: usize = 1_000;
/// Live sockets one store holds at most (hibernated sockets cost no CPU,
/// but each push walks them all).
const SOCKETS_PER_MERCHANT: usize = 20_000;
/// A refused socket's `Retry-After`: about the widget's own backoff.
const SOCKET_RETRY_AFTER_SECONDS: u32 = 30;

impl Store {
    /// Accepts a subscriber's WebSocket (hibernatable) and sends it the
    /// current state of each SKU it follows.
    pub(super) fn accept_subscriber(&self, req: &Request) -> Result<Response> {
        if !self.merchant_exists()? {
            return Response::error("no such merchant", 404);
        }
        let skus: Vec<String> = req
            .url()?
            .query_pairs()
            .find(|(name, _)| name == "skus")
            .map(|(_, value)| value.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let client = req.headers().get(CLIENT_HEADER)?.unwrap_or_default();
        // Over a cap the handshake is refused with 429 `rate_limited` (a
        // socket accepted and closed at once never showed its close code to
        // clients), so the widget's backoff retries later.
        let full = if self.state.get_websockets_with_tag(&client).len() >= SOCKETS_PER_CLIENT {
            Some("too many live connections from this address")
        } else if self.state.get_websockets().len() >= SOCKETS_PER_MERCHANT {
            Some("too many live connections to this store")
        } else {
            None
        };
        if let Some(reason) = full {
            let refused = Response::from_json(&ErrorBody::new(ErrorCode::RateLimited, reason))?
                .with_status(429);
            refused
                .headers()
                .set("Retry-After", &SOCKET_RETRY_AFTER_SECONDS.to_string())?;
            return Ok(refused);
        }
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[&client]);
        pair.server.serialize_attachment(&skus)?;
        let now = now_timestamp()?;
        for record in self.read(&skus)? {
            pair.server
                .send_with_str(serde_json::to_string(&StockUpdate::of(
                    &record.snapshot()?,
                    now,
                ))?)?;
        }
        Response::from_websocket(pair.client)
    }

    /// Sends the new state of `skus` to their subscribers once the current
    /// request has its answer: a committed write is never slowed by a
    /// push, and a push that fails is logged, never turned into an error.
    pub(super) fn push_after_answer(&self, skus: Vec<String>) {
        if skus.is_empty() {
            return;
        }
        let sockets = self.state.get_websockets();
        if sockets.is_empty() {
            return;
        }
        let sql = self.sql.clone();
        self.state.wait_until(async move {
            if let Err(err) = push(&sql, sockets, skus) {
                worker::console_error!("live push failed: {err}");
            }
        });
    }
}

/// Sends each socket the SKUs it follows among `skus`. A socket that
/// cannot be written to is left for its close event.
fn push(sql: &SqlStorage, sockets: Vec<WebSocket>, mut skus: Vec<String>) -> Result<()> {
    skus.sort();
    skus.dedup();
    let now = now_timestamp()?;
    let mut messages = HashMap::new();
    for record in read(sql, &skus)? {
        let update = StockUpdate::of(&record.snapshot()?, now);
        messages.insert(update.sku.clone(), serde_json::to_string(&update)?);
    }
    for socket in sockets {
        let followed: Vec<String> = socket.deserialize_attachment()?.unwrap_or_default();
        for sku in followed {
            if let Some(message) = messages.get(&sku) {
                let _ = socket.send_with_str(message);
            }
        }
    }
    Ok(())
}
