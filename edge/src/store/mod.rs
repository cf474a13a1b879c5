//! The `Store` Durable Object: one per merchant, holding its account, keys,
//! settings and stock in SQLite. The Worker talks to it with
//! `StoreCommand`s posted as JSON (`call`).
//!
//! Every command runs its SQL without an `await` in between, so no other
//! request interleaves; writes that span statements run inside
//! `transactionSync` (`atomically`), so a failure rolls all of them back.
//! One file per concept: `schema`, `accounts`, `inventory`, `holds`,
//! `shopify`, `subscriptions`, `shipments`, `live`, `outbox` (webhooks),
//! `mail` (email), `orders` (orders), `watcher` (re-checking their promises).

mod accounts;
mod feeds;
mod guards;
mod holds;
mod inventory;
mod live;
mod mail;
mod orders;
mod outbox;
mod schema;
mod shipments;
mod shopify;
mod subscriptions;
mod watcher;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use upfront_shared::accounts::{CreateMerchant, NewKey};
use upfront_shared::api::InventoryItem;
use upfront_shared::merchant::SettingsPatch;
use upfront_shared::outbound::EndpointRequest;
use upfront_shared::promise::config::DeliveryConfig;
use upfront_shared::promise::shipments::ShipmentEvent;
use upfront_shared::readback::PageQuery;
use worker::js_sys::{Function, Reflect};
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{
    DurableObject, Env, Error, Method, Request, RequestInit, Response, Result, SqlStorage,
    SqlStorageValue, State, Storage, WebSocket, WebSocketIncomingMessage, durable_object,
};

pub use accounts::{CreateOutcome, KeyGrant, KeyOutcome};
pub use holds::HoldOutcome;
pub use inventory::SkuRecord;
pub use mail::EmailJob;
pub use orders::{OrderOutcome, OrderStep};
pub use outbox::{AttemptOutcome, DeliveryJob, RetryPolicy};
pub use subscriptions::SubscribeOutcome;

use crate::idempotency::{Keyed, Once};
use crate::stream::STORE_STREAM_PATH;
pub use feeds::{FeedHead, FeedPage};

/// What the Worker asks of a merchant's store.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StoreCommand {
    /// Creates the merchant this store belongs to (the operator's call).
    CreateMerchant {
        id: String,
        request: CreateMerchant,
        now_ms: i64,
    },
    /// The key whose hash is `key_hash`, with the merchant's settings.
    Authenticate {
        key_hash: String,
        now_ms: i64,
    },
    GetSettings,
    UpdateSettings {
        patch: SettingsPatch,
    },
    ShopifySecrets,
    ListKeys {
        now_ms: i64,
    },
    CreateKey {
        request: NewKey,
        now_ms: i64,
    },
    RollKey {
        id: String,
        grace_seconds: i64,
        now_ms: i64,
    },
    RevokeKey {
        id: String,
        now_ms: i64,
    },
    Read {
        skus: Vec<String>,
    },
    ListSkus {
        page: PageQuery,
        now_ms: i64,
    },
    GetSku {
        sku: String,
        now_ms: i64,
    },
    Upsert {
        items: Vec<InventoryItem>,
        now_ms: i64,
        keyed: Option<Keyed>,
    },
    CreateHold {
        sku: String,
        qty: i64,
        ttl_seconds: u32,
        now_ms: i64,
        keyed: Option<Keyed>,
    },
    CommitHold {
        id: String,
        now_ms: i64,
    },
    ReleaseHold {
        id: String,
        now_ms: i64,
    },
    /// A committed sale shipped.
    Fulfil {
        id: String,
        now_ms: i64,
    },
    /// A committed, unshipped sale called off.
    CancelSale {
        id: String,
        now_ms: i64,
    },
    ListHolds {
        page: PageQuery,
    },
    /// Replaces the delivery configuration (already validated).
    PutDeliveryConfig {
        config: DeliveryConfig,
    },
    GetDeliveryConfig,
    /// Inserts or updates shipments by id (already validated).
    RecordShipments {
        items: Vec<ShipmentEvent>,
        now_ms: i64,
    },
    /// What the forecast learns from on the merchant's day `today`.
    ForecastInputs {
        today: jiff::civil::Date,
    },
    /// A back-in-stock subscription (already validated).
    Subscribe {
        subscription: upfront_shared::subscription::Subscription,
        now_ms: i64,
    },
    SubscriptionCounts {
        page: PageQuery,
    },
    SubscriptionExport {
        page: PageQuery,
    },
    /// Deletes an address from every SKU (a shopper's erasure request).
    EraseSubscriber {
        email: String,
        now_ms: i64,
    },
    /// A webhook endpoint (validated).
    CreateEndpoint {
        request: EndpointRequest,
        now_ms: i64,
    },
    ListEndpoints,
    RollEndpointSecret {
        id: String,
        grace_seconds: i64,
        now_ms: i64,
    },
    DeleteEndpoint {
        id: String,
    },
    ListDeliveries {
        endpoint_id: String,
    },
    Redeliver {
        id: String,
        now_ms: i64,
    },
    /// The queue consumer's lease on one delivery attempt.
    StartAttempt {
        id: String,
        now_ms: i64,
    },
    /// The attempt's HTTP status (`None`: timeout or connection failure).
    FinishAttempt {
        id: String,
        status: Option<u16>,
        retry: RetryPolicy,
        now_ms: i64,
    },
    /// The queue consumer's lease on one email, rendered.
    StartEmail {
        id: String,
        now_ms: i64,
    },
    /// The transport's verdict (`error` absent: sent).
    FinishEmail {
        id: String,
        error: Option<String>,
        retry: RetryPolicy,
        now_ms: i64,
    },
    /// A one-click unsubscribe link's token; `true` if it was this store's.
    Unsubscribe {
        token: String,
        now_ms: i64,
    },
    AddSuppression {
        email: String,
        reason: upfront_shared::email::records::SuppressionReason,
        now_ms: i64,
    },
    ListSuppressions {
        page: PageQuery,
    },
    EmailLog {
        page: PageQuery,
    },
    /// An order (validated); `fingerprint` tells a repeat from a clash.
    CreateOrder {
        request: upfront_shared::order::OrderRequest,
        fingerprint: String,
        /// Leave out lines of SKUs the store does not have (Shopify's
        /// orders), instead of refusing the order.
        skip_unknown_skus: bool,
        now_ms: i64,
    },
    GetOrder {
        id: String,
    },
    /// The order a buyer's token opens.
    OrderByToken {
        token: String,
    },
    ListOrders {
        status: Option<upfront_shared::order::OrderStatus>,
        limit: u32,
        before: Option<i64>,
    },
    /// Ship, cancel, refund, or the buyer's answer (`by_token`: `id` is
    /// the buyer's token).
    StepOrder {
        id: String,
        by_token: bool,
        step: OrderStep,
        now_ms: i64,
    },
    /// Replaces the promotion guard's rules (validated).
    PutGuardRules {
        rules: upfront_shared::guard::rules::GuardRules,
        now_ms: i64,
    },
    GetGuardRules,
    ListGuards {
        now_ms: i64,
    },
    /// The feed URLs' secret, made on first use; `roll` replaces it.
    FeedToken {
        roll: bool,
        now_ms: i64,
    },
    FeedHead {
        token: String,
    },
    FeedPage {
        token: String,
        after: String,
        limit: u32,
        now_ms: i64,
    },
    /// Moves the order workflow's clock (`DEMO_STORE = "on"` only).
    AdvanceTestClock {
        seconds: i64,
        now_ms: i64,
    },
    /// One Shopify inventory level (signature already verified).
    ShopifyLevel {
        event_id: String,
        inventory_item_id: String,
        location_id: String,
        /// `None`: Shopify does not track this item's stock.
        available: Option<i64>,
        version_ms: i64,
        now_ms: i64,
    },
}

#[durable_object]
pub struct Store {
    state: State,
    sql: SqlStorage,
    storage: Storage,
    env: Env,
    /// Set once the merchant row is known to exist (it is never deleted).
    exists: Cell<bool>,
    /// The promotion guard's rules as last read or written: every sale
    /// looks at them, and a campaign's set may be 100,000 SKUs of JSON.
    guard_rules: RefCell<Option<Rc<upfront_shared::guard::rules::GuardRules>>>,
    /// Whether the merchant has feed URLs, once known: every write asks.
    has_feeds: Cell<Option<bool>>,
    /// The forecast a recorded shipment's promise curve comes from, and
    /// when it was built (ms): refit at most every five minutes.
    forecast: RefCell<Option<(i64, Rc<upfront_shared::promise::forecast::Forecast>)>>,
    /// When the alarm is set to fire (ms), as this instance last set or
    /// read it; `None` when unknown. A new hold that expires after it
    /// needs no alarm work: the alarm reschedules from every open hold.
    alarm_at: Cell<Option<i64>>,
}

impl DurableObject for Store {
    fn new(state: State, env: Env) -> Self {
        let storage = state.storage();
        Self {
            sql: storage.sql(),
            storage,
            state,
            env,
            exists: Cell::new(false),
            guard_rules: RefCell::new(None),
            has_feeds: Cell::new(None),
            forecast: RefCell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    /// Expires every open hold past its time, then waits for the next one.
    /// Idempotent: a hold changes state only from `open`, so a second
    /// firing finds nothing to do.
    async fn alarm(&self) -> Result<Response> {
        if !self.merchant_exists()? {
            return Response::ok("no merchant");
        }
        // This alarm has fired: none is set until the next is scheduled.
        self.alarm_at.set(None);
        let now_ms = worker::Date::now().as_millis() as i64;
        let before = self.statuses(&self.due_hold_skus(now_ms)?)?;
        let expired = self.expire_due_holds(now_ms)?;
        let mut deliveries = self.record_events(&before, now_ms)?;
        // Deliveries the queue never took (a lost send) go again.
        deliveries.extend(self.overdue_deliveries(now_ms)?);
        // The watcher's daily look at every open order (a page a turn).
        if self.order_check_due(now_ms)? {
            deliveries.extend(self.recheck_orders(None, now_ms)?);
        }
        // Throttled and stopped SKUs clear as their rate decays.
        if self.next_guard_look_ms()?.is_some_and(|at| at <= now_ms) {
            let moved = self.look_at_guards(None, now_ms)?;
            if !moved.is_empty() {
                feeds::feed_changed(self, now_ms)?;
            }
            deliveries.extend(moved);
        }
        self.enqueue_after_answer(deliveries);
        self.push_after_answer(expired);
        self.schedule_next_alarm().await?;
        Response::ok("expired")
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.path() == STORE_STREAM_PATH {
            return self.accept_subscriber(&req);
        }
        let command: StoreCommand = req.json().await?;
        // A key naming a merchant that was never created must not create a
        // store: nothing is written until the operator creates it.
        if !matches!(command, StoreCommand::CreateMerchant { .. }) && !self.merchant_exists()? {
            return Response::error("no such merchant", 404);
        }
        let changed = self.skus_touched_by(&command)?;
        // Status changes become webhook events, recorded in the same turn
        // as the write and handed to the queue after the answer.
        let before = if changed.is_empty()
            || !(self.has_endpoints()? || self.has_waiting_shoppers(&changed)?)
        {
            Vec::new()
        } else {
            self.statuses(&changed)?
        };
        let config_changed = matches!(command, StoreCommand::PutDeliveryConfig { .. });
        // What an order can ship from is the shelf and the arrivals, which
        // only these write; holds (held, committed) never move a promise.
        let shelf_changed = matches!(
            command,
            StoreCommand::Upsert { .. }
                | StoreCommand::ShopifyLevel { .. }
                | StoreCommand::Fulfil { .. }
        );
        let redelivered = match &command {
            StoreCommand::Redeliver { id, .. } => Some(id.clone()),
            _ => None,
        };
        let response = self.run(command).await?;
        let mut deliveries = if before.is_empty() {
            Vec::new()
        } else {
            self.record_events(&before, worker::Date::now().as_millis() as i64)?
        };
        deliveries.extend(redelivered.filter(|_| response.status_code() == 200));
        // The promise watcher: every open order holding a SKU whose shelf
        // or arrivals changed (all of them after a new delivery
        // configuration) is looked at again in this turn, so a delay notice
        // leaves within the minute.
        if response.status_code() == 200 {
            let now_ms = worker::Date::now().as_millis() as i64;
            // The promotion guard moves with every sale and stock write.
            if !changed.is_empty() {
                deliveries.extend(self.look_at_guards(Some(&changed), now_ms)?);
            }
            if !changed.is_empty() || config_changed {
                feeds::feed_changed(self, now_ms)?;
            }
            if config_changed {
                deliveries.extend(self.recheck_orders(None, now_ms)?);
            } else if shelf_changed && !changed.is_empty() {
                deliveries.extend(self.recheck_orders(Some(&changed), now_ms)?);
            }
        }
        // A look at every order continues by alarm past its first page.
        if !deliveries.is_empty() || config_changed {
            self.enqueue_after_answer(deliveries);
            self.schedule_next_alarm().await?;
        }
        self.push_after_answer(changed);
        Ok(response)
    }

    /// The stream is one-way: a subscriber that sends anything is closed
    /// (1008, policy violation), so no client can make the store work.
    async fn websocket_message(
        &self,
        ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let _ = ws.close(Some(1008), Some("this stream is one-way: send nothing"));
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        // Complete the closing handshake; 1005/1006 may not be sent back.
        let code = u16::try_from(code)
            .ok()
            .filter(|c| (1000..=4999).contains(c) && *c != 1005 && *c != 1006);
        let _ = ws.close(code.or(Some(1000)), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: Error) -> Result<()> {
        Ok(())
    }
}

impl Store {
    async fn run(&self, command: StoreCommand) -> Result<Response> {
        use StoreCommand as C;
        match command {
            C::CreateMerchant {
                id,
                request,
                now_ms,
            } => Response::from_json(&self.create_merchant(&id, request, now_ms)?),
            C::Authenticate { key_hash, now_ms } => {
                Response::from_json(&self.authenticate(&key_hash, now_ms)?)
            }
            C::GetSettings => Response::from_json(&self.settings()?),
            C::UpdateSettings { patch } => Response::from_json(&self.update_settings(&patch)?),
            C::ShopifySecrets => Response::from_json(&self.shopify_secrets()?),
            C::ListKeys { now_ms } => Response::from_json(&self.list_keys(now_ms)?),
            C::CreateKey { request, now_ms } => {
                Response::from_json(&self.create_key(&request, now_ms)?)
            }
            C::RollKey {
                id,
                grace_seconds,
                now_ms,
            } => Response::from_json(&self.roll_key(&id, grace_seconds, now_ms)?),
            C::RevokeKey { id, now_ms } => Response::from_json(&self.revoke_key(&id, now_ms)?),
            C::Read { skus } => Response::from_json(&self.read(&skus)?),
            C::ListSkus { page, now_ms } => Response::from_json(&self.list_skus(&page, now_ms)?),
            C::GetSku { sku, now_ms } => Response::from_json(&self.sku_detail(&sku, now_ms)?),
            C::Upsert {
                items,
                now_ms,
                keyed,
            } => Response::from_json(&self.upsert(items, now_ms, keyed)?),
            C::CreateHold {
                sku,
                qty,
                ttl_seconds,
                now_ms,
                keyed,
            } => {
                let expires_at_ms = now_ms + i64::from(ttl_seconds) * 1000;
                let once = self.create_hold(sku, qty, ttl_seconds, now_ms, keyed)?;
                if let Once::Fresh {
                    answer: HoldOutcome::Done { .. },
                } = &once
                {
                    self.ensure_alarm_by(expires_at_ms).await?;
                }
                Response::from_json(&once)
            }
            C::CommitHold { id, now_ms } => Response::from_json(&self.commit_hold(&id, now_ms)?),
            C::ReleaseHold { id, now_ms } => Response::from_json(&self.release_hold(&id, now_ms)?),
            C::Fulfil { id, now_ms } => Response::from_json(&self.fulfil(&id, now_ms)?),
            C::CancelSale { id, now_ms } => Response::from_json(&self.cancel_sale(&id, now_ms)?),
            C::ListHolds { page } => Response::from_json(&self.list_open_holds(&page)?),
            C::PutDeliveryConfig { config } => {
                self.put_delivery_config(&config)?;
                Response::from_json(&config)
            }
            C::GetDeliveryConfig => Response::from_json(&self.delivery_config()?),
            C::RecordShipments { items, now_ms } => {
                Response::from_json(&self.record_shipments(items, now_ms)?)
            }
            C::ForecastInputs { today } => {
                Response::from_json(&self.forecast_inputs(today, &self.zones()?)?)
            }
            C::Subscribe {
                subscription,
                now_ms,
            } => Response::from_json(&self.subscribe_back_in_stock(subscription, now_ms)?),
            C::SubscriptionCounts { page } => {
                Response::from_json(&self.subscription_counts(&page)?)
            }
            C::SubscriptionExport { page } => {
                Response::from_json(&self.subscription_export(&page)?)
            }
            C::EraseSubscriber { email, now_ms } => {
                Response::from_json(&self.erase_subscriber(&email, now_ms)?)
            }
            C::CreateEndpoint { request, now_ms } => {
                Response::from_json(&self.create_endpoint(&request, now_ms)?)
            }
            C::ListEndpoints => Response::from_json(&self.list_endpoints()?),
            C::RollEndpointSecret {
                id,
                grace_seconds,
                now_ms,
            } => Response::from_json(&self.roll_endpoint_secret(&id, grace_seconds, now_ms)?),
            C::DeleteEndpoint { id } => Response::from_json(&self.delete_endpoint(&id)?),
            C::ListDeliveries { endpoint_id } => {
                Response::from_json(&self.list_deliveries(&endpoint_id)?)
            }
            C::Redeliver { id, now_ms } => Response::from_json(&self.redeliver(&id, now_ms)?),
            C::StartAttempt { id, now_ms } => {
                Response::from_json(&self.start_attempt(&id, now_ms)?)
            }
            C::FinishAttempt {
                id,
                status,
                retry,
                now_ms,
            } => Response::from_json(&self.finish_attempt(&id, status, retry, now_ms)?),
            C::StartEmail { id, now_ms } => Response::from_json(&self.start_email(&id, now_ms)?),
            C::FinishEmail {
                id,
                error,
                retry,
                now_ms,
            } => Response::from_json(&self.finish_email(&id, error, retry, now_ms)?),
            C::Unsubscribe { token, now_ms } => {
                Response::from_json(&self.unsubscribe(&token, now_ms)?)
            }
            C::AddSuppression {
                email,
                reason,
                now_ms,
            } => Response::from_json(&self.suppress(
                &upfront_shared::email::unsubscribe::address_hash(&email),
                reason,
                now_ms,
            )?),
            C::ListSuppressions { page } => Response::from_json(&self.list_suppressions(&page)?),
            C::EmailLog { page } => Response::from_json(&self.email_log(&page)?),
            C::CreateOrder {
                request,
                fingerprint,
                skip_unknown_skus,
                now_ms,
            } => {
                let (outcome, queued) =
                    self.create_order(request, &fingerprint, skip_unknown_skus, now_ms)?;
                self.after_order_work(queued).await?;
                Response::from_json(&outcome)
            }
            C::GetOrder { id } => Response::from_json(&self.order(&id)?),
            C::OrderByToken { token } => Response::from_json(&self.order_by_token(&token)?),
            C::ListOrders {
                status,
                limit,
                before,
            } => Response::from_json(&self.list_orders(status, limit, before)?),
            C::StepOrder {
                id,
                by_token,
                step,
                now_ms,
            } => {
                let (outcome, queued) = self.order_step(&id, by_token, step, now_ms)?;
                self.after_order_work(queued).await?;
                Response::from_json(&outcome)
            }
            C::PutGuardRules { rules, now_ms } => {
                let queued = self.put_guard_rules(&rules, now_ms)?;
                feeds::feed_changed(self, now_ms)?;
                self.after_order_work(queued).await?;
                Response::from_json(&rules)
            }
            C::GetGuardRules => Response::from_json(&*self.guard_rules()?),
            C::ListGuards { now_ms } => Response::from_json(&self.guard_list(now_ms)?),
            C::FeedToken { roll, now_ms } => Response::from_json(&self.feed_token(roll, now_ms)?),
            C::FeedHead { token } => match self.feed_head(&token)? {
                Some(head) => Response::from_json(&head),
                None => Response::error("no such feed", 404),
            },
            C::FeedPage {
                token,
                after,
                limit,
                now_ms,
            } => match self.feed_page(&token, &after, limit, now_ms)? {
                Some(page) => Response::from_json(&page),
                None => Response::error("no such feed", 404),
            },
            C::AdvanceTestClock { seconds, now_ms } => {
                let queued = self.advance_test_clock(seconds, now_ms)?;
                self.after_order_work(queued).await?;
                Response::from_json(&true)
            }
            C::ShopifyLevel {
                event_id,
                inventory_item_id,
                location_id,
                available,
                version_ms,
                now_ms,
            } => Response::from_json(&self.shopify_level(
                event_id,
                inventory_item_id,
                &location_id,
                available,
                version_ms,
                now_ms,
            )?),
        }
    }

    /// Hands what an order command queued to the queue, and keeps the
    /// watcher's daily alarm set.
    async fn after_order_work(&self, queued: Vec<String>) -> Result<()> {
        self.enqueue_after_answer(queued);
        self.schedule_next_alarm().await
    }

    /// The SKUs whose stock `command` may change, for live push.
    fn skus_touched_by(&self, command: &StoreCommand) -> Result<Vec<String>> {
        let lookup = |query: &str, id: &str| skus_of(&self.sql, query, vec![id.into()]);
        match command {
            StoreCommand::Upsert { items, .. } => Ok(items.iter().map(|i| i.sku.clone()).collect()),
            StoreCommand::CreateHold { sku, .. } => Ok(vec![sku.clone()]),
            StoreCommand::ReleaseHold { id, .. }
            | StoreCommand::CommitHold { id, .. }
            | StoreCommand::Fulfil { id, .. }
            | StoreCommand::CancelSale { id, .. } => {
                lookup("SELECT sku FROM holds WHERE id = ?", id)
            }
            StoreCommand::ShopifyLevel {
                inventory_item_id, ..
            } => lookup(
                "SELECT sku FROM shopify_items WHERE item_id = ?",
                inventory_item_id,
            ),
            _ => Ok(Vec::new()),
        }
    }

    /// Runs `body` inside the storage's `transactionSync`, which workers-rs
    /// does not wrap: an `Err` from `body` rolls back everything it wrote.
    fn atomically<T: 'static>(&self, body: impl FnOnce() -> Result<T> + 'static) -> Result<T> {
        let storage: &JsValue = self.storage.as_raw().as_ref();
        let transaction: Function = Reflect::get(storage, &JsValue::from_str("transactionSync"))?
            .dyn_into()
            .map_err(|_| worker::Error::RustError("no transactionSync".into()))?;
        let outcome: Rc<RefCell<Option<Result<T>>>> = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&outcome);
        let callback = Closure::once_into_js(move || -> std::result::Result<(), JsValue> {
            let result = body();
            let failed = result.is_err();
            *slot.borrow_mut() = Some(result);
            // Throwing is what makes transactionSync roll back.
            if failed {
                Err(JsValue::from_str("rolled back"))
            } else {
                Ok(())
            }
        });
        let thrown = transaction.call1(storage, &callback).err();
        let result = outcome.borrow_mut().take();
        match (result, thrown) {
            (Some(result), _) => result,
            (None, thrown) => Err(worker::Error::RustError(format!(
                "transaction failed: {thrown:?}"
            ))),
        }
    }
}

/// `bytes` random bytes from SQLite's CSPRNG, as lower-case hex.
fn random_hex(sql: &SqlStorage, bytes: u8) -> Result<String> {
    #[derive(Deserialize)]
    struct Random {
        id: String,
    }
    let random: Random = sql
        .exec(
            &format!("SELECT lower(hex(randomblob({bytes}))) AS id"),
            None,
        )?
        .one()?;
    Ok(random.id)
}

impl Store {
    /// A value of the store's `meta` table.
    fn meta(&self, key: &str) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Value {
            value: String,
        }
        let rows: Vec<Value> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.value))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![key.into(), value.into()],
        )?;
        Ok(())
    }

    /// A signing key of the store's (256 random bits), made on first use
    /// and never shown to anyone.
    fn meta_secret(&self, key: &str) -> Result<String> {
        if let Some(secret) = self.meta(key)? {
            return Ok(secret);
        }
        let secret = random_hex(&self.sql, 32)?;
        self.set_meta(key, &secret)?;
        Ok(secret)
    }
}

/// Whether `query` finds at least one row (for "ask before inserting").
/// The `sku` column of every row `query` answers.
fn skus_of(sql: &SqlStorage, query: &str, params: Vec<SqlStorageValue>) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Sku {
        sku: String,
    }
    Ok(sql
        .exec(query, params)?
        .to_array::<Sku>()?
        .into_iter()
        .map(|row| row.sku)
        .collect())
}

fn any_row(sql: &SqlStorage, query: &str, params: Vec<SqlStorageValue>) -> Result<bool> {
    Ok(sql.exec(query, params)?.raw().next().is_some())
}

fn now_timestamp() -> Result<Timestamp> {
    timestamp(worker::Date::now().as_millis() as i64)
}

/// The instant `ms` milliseconds after 1970, as commands carry it.
fn timestamp(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| Error::RustError(e.to_string()))
}

/// Sends one command to `merchant`'s store and decodes its answer.
pub async fn call<T: for<'de> Deserialize<'de>>(
    env: &Env,
    merchant: &str,
    command: &StoreCommand,
) -> Result<T> {
    call_existing(env, merchant, command)
        .await?
        .ok_or_else(|| worker::Error::RustError(format!("no merchant {merchant}")))
}

/// Like `call`, but `None` when the merchant was never created (a key or
/// webhook URL naming an unknown merchant).
pub async fn call_existing<T: for<'de> Deserialize<'de>>(
    env: &Env,
    merchant: &str,
    command: &StoreCommand,
) -> Result<Option<T>> {
    let stub = env.durable_object("STORE")?.get_by_name(merchant)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let mut answer = stub
        .fetch_with_request(Request::new_with_init("https://store/", &init)?)
        .await?;
    match answer.status_code() {
        200 => Ok(Some(answer.json().await?)),
        404 => Ok(None),
        status => Err(worker::Error::RustError(format!(
            "store answered {status}: {}",
            answer.text().await.unwrap_or_default()
        ))),
    }
}
