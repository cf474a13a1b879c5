//! The Upfront edge: a Cloudflare Worker in front of one Durable Object per
//! merchant. Handlers stay thin; the rules live in `upfront-shared`.

mod accounts;
mod answer_cache;
mod auth;
mod availability;
mod cors;
mod delivery_config;
mod demo;
mod email;
mod error;
mod feeds;
mod guards;
mod holds;
mod http;
mod idempotency;
mod inventory;
mod openapi;
mod operator;
mod orders;
mod outbound;
mod ratelimit;
mod read_cache;
mod rewrite;
mod shipments;
mod store;
mod stream;
mod subscriptions;
mod suppressions;
mod webhooks;

use std::rc::Rc;

use upfront_shared::routes::{Access, Route};
use worker::{Context, Env, Method, Request, Response, event, web_sys};

pub use store::Store;

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::holds::Step;
use crate::orders::MerchantStep;
use crate::store::KeyGrant;
use upfront_shared::error::ErrorCode;

/// The `OUTBOX` queue: webhook deliveries and emails (see `outbound.rs`).
#[event(queue)]
async fn queue(
    batch: worker::MessageBatch<outbound::OutboxMessage>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    outbound::consume(batch, &env).await
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<web_sys::Response> {
    if req.method() == Method::Options {
        return Ok(cors::preflight(&req, &env)
            .await
            .unwrap_or_else(ApiError::into_response)
            .into());
    }
    // A merchant's product page on a rewrite route (see `rewrite.rs`): the
    // API's own paths never ask.
    if !req.path().starts_with("/v1/")
        && let Some(page_origin) = rewrite::origin_for(&env, &req)
    {
        let page = rewrite::serve(&req, &env, &page_origin).await;
        return Ok(page
            .map(Into::into)
            .unwrap_or_else(|err| err.into_response().into()));
    }
    let origin = req.headers().get("Origin")?;
    let (merchant, result) = route(&mut req, &env).await;
    let response = result.unwrap_or_else(|err| err.into_response().into());
    // A WebSocket handshake's headers are the store's and immutable; CORS
    // does not apply to it anyway.
    if response.status() != 101 {
        // `merchant` is only ever a public route's caller: secret-key
        // answers carry no grant, so a secret key in a page fails loudly.
        cors::grant(
            &response.headers(),
            origin.as_deref(),
            merchant.as_ref().map(|grant| &grant.merchant),
        )?;
    }
    Ok(response)
}

/// Resolves, authenticates, rate-limits and dispatches. Returns the
/// merchant of a public route's caller, so CORS can be granted on its
/// errors too; secret routes return none and are granted nothing.
/// The hot reads build the runtime's response themselves (see
/// `http::PreparedReply`); the other handlers' are converted here.
async fn route(
    req: &mut Request,
    env: &Env,
) -> (Option<Rc<KeyGrant>>, Result<web_sys::Response, ApiError>) {
    // Read once: path, query and the answer cache's key all come from it.
    let url = http::RequestUrl::of(req);
    // The method as sent: workers-rs' `Method` reads an unknown one as GET.
    let route = match Route::resolve(&req.inner().method(), url.path()) {
        Ok(route) => route,
        // Tests move the order workflow's clock: not a route of the API,
        // and deploys (`DEMO_STORE` off) do not have it at all.
        Err(_) if url.path() == operator::CACHE_STATS_PATH && operator::demo_store_enabled(env) => {
            return (None, operator::cache_stats().map(Into::into));
        }
        Err(_) if url.path() == operator::TEST_CLOCK_PATH && operator::demo_store_enabled(env) => {
            return (
                None,
                operator::advance_clock(req, env).await.map(Into::into),
            );
        }
        Err(code) => {
            return (
                None,
                Err(ApiError::new(code, "no such route for this method")),
            );
        }
    };
    match route {
        Route::OpenApi => return (None, openapi::serve(req).map(Into::into)),
        // Signed by Shopify, not keyed: the signature is the credential.
        Route::ShopifyWebhook { merchant } => {
            return (
                None,
                webhooks::shopify(req, env, merchant).await.map(Into::into),
            );
        }
        Route::CreateMerchant => {
            return (
                None,
                operator::create_merchant(req, env).await.map(Into::into),
            );
        }
        // The link's token is the credential.
        Route::UnsubscribePage { token } => {
            return (None, suppressions::page(token).map(Into::into));
        }
        Route::Unsubscribe { token } => {
            return (
                None,
                suppressions::unsubscribe(env, token).await.map(Into::into),
            );
        }
        Route::OrderStatusPage { token } => {
            return (None, orders::page(env, token).await.map(Into::into));
        }
        Route::Feed { token, file } => {
            return (
                None,
                feeds::serve(req, env, token, file).await.map(Into::into),
            );
        }
        Route::AnswerNotice { token } => {
            return (
                None,
                orders::answer_notice(req, env, token).await.map(Into::into),
            );
        }
        // An app reads its buyer's order with the buyer's token.
        Route::GetOrder { id } => {
            if let Some(token) = orders::buyer_bearer(req) {
                return (
                    None,
                    orders::get_as_buyer(req, env, &token, id)
                        .await
                        .map(Into::into),
                );
            }
        }
        _ => {}
    }
    let query = url.query();
    let caller = match authenticate(req, &query, env, route).await {
        Ok(caller) => caller,
        Err(err) => return (None, Err(err)),
    };
    let public = route.access() == Access::Public;
    // Public keys face the open internet; secret keys are the merchant's own
    // servers, whose checkout bursts must not be refused.
    if public && let Err(err) = ratelimit::check(env, req, caller.key_id(), route).await {
        return (Some(caller.0), Err(err));
    }
    let merchant = caller.merchant();
    match route {
        Route::Availability { sku } => {
            let reply = availability::get(req, url.as_str(), &query, env, &caller.0, sku).await;
            return (Some(caller.0), reply);
        }
        Route::AvailabilityBatch => {
            let reply = availability::batch(req, env, &caller.0).await;
            return (Some(caller.0), reply);
        }
        Route::Offer { sku } => {
            let reply = availability::offer(req, url.as_str(), &query, env, &caller.0, sku).await;
            return (Some(caller.0), reply);
        }
        Route::AvailabilityBatchGet => {
            let reply = availability::batch_get(req, url.as_str(), &query, env, &caller.0).await;
            return (Some(caller.0), reply);
        }
        _ => {}
    }
    // Boxed: the hot reads above keep a small future, whatever these hold.
    let result = Box::pin(dispatch(req, &query, env, merchant, route)).await;
    (public.then_some(caller.0), result.map(Into::into))
}

/// Every route but the hot reads, after authentication.
async fn dispatch(
    req: &mut Request,
    query: &http::Query,
    env: &Env,
    merchant: &upfront_shared::merchant::MerchantConfig,
    route: Route<'_>,
) -> Result<Response, ApiError> {
    let id = merchant.id.as_str();
    match route {
        Route::Inventory => inventory::upsert(req, env, merchant).await,
        Route::ListSkus => inventory::list(req, query, env, id).await,
        Route::GetSku { sku } => inventory::get(req, env, id, sku).await,
        Route::CreateHold => holds::create(req, env, merchant).await,
        Route::ListHolds => holds::list(req, query, env, id).await,
        Route::CommitHold { id } => holds::finish(req, env, merchant, id, Step::Commit).await,
        Route::ReleaseHold { id } => holds::finish(req, env, merchant, id, Step::Release).await,
        Route::CancelHold { id } => holds::finish(req, env, merchant, id, Step::Cancel).await,
        Route::Fulfilments => holds::fulfil(req, env, merchant).await,
        Route::DeliveryConfig => delivery_config::put(req, env, merchant).await,
        Route::GetDeliveryConfig => delivery_config::get(req, env, id).await,
        Route::Shipments => shipments::record(req, env, merchant).await,
        Route::DeliveryForecast => shipments::summary(req, env, merchant).await,
        Route::Stream => stream::subscribe(req, query, env, merchant).await,
        Route::Subscribe => subscriptions::subscribe(req, env, merchant).await,
        Route::SubscriptionCounts => subscriptions::counts(req, query, env, id).await,
        Route::SubscriptionExport => subscriptions::export(req, query, env, id).await,
        Route::SubscriptionErase => subscriptions::erase(req, env, id).await,
        Route::GetSettings => accounts::settings(req, env, id).await,
        Route::UpdateSettings => accounts::update_settings(req, env, id).await,
        Route::ListKeys => accounts::list(req, env, id).await,
        Route::CreateKey => accounts::create(req, env, id).await,
        Route::RollKey { id: key } => accounts::roll(req, env, id, key).await,
        Route::RevokeKey { id: key } => accounts::revoke(req, env, id, key).await,
        Route::CreateEndpoint => outbound::create_endpoint(req, env, merchant).await,
        Route::ListEndpoints => outbound::list_endpoints(req, env, id).await,
        Route::DeleteEndpoint { id: endpoint } => {
            outbound::delete_endpoint(req, env, id, endpoint).await
        }
        Route::ListDeliveries { id: endpoint } => {
            outbound::list_deliveries(req, env, id, endpoint).await
        }
        Route::Redeliver { id: delivery } => outbound::redeliver(req, env, id, delivery).await,
        Route::RollEndpointSecret { id: endpoint } => {
            outbound::roll_secret(req, env, id, endpoint).await
        }
        // The hot reads, and the routes answered before any key was asked for.
        Route::ListSuppressions => suppressions::list(req, query, env, id).await,
        Route::AddSuppression => suppressions::add(req, env, id).await,
        Route::ListEmails => suppressions::log(req, query, env, id).await,
        Route::CreateOrder => orders::create(req, env, id).await,
        Route::ListOrders => orders::list(req, query, env, id).await,
        Route::GetOrder { id: order } => orders::get(req, env, id, order).await,
        Route::ShipOrder { id: order } => {
            orders::step(req, env, id, order, MerchantStep::Ship).await
        }
        Route::CancelOrder { id: order } => {
            orders::step(req, env, id, order, MerchantStep::Cancel).await
        }
        Route::RefundOrder { id: order } => {
            orders::step(req, env, id, order, MerchantStep::Refund).await
        }
        Route::PutGuardRules => guards::put_rules(req, env, merchant).await,
        Route::GetGuardRules => guards::get_rules(req, env, id).await,
        Route::ListGuards => guards::list(req, env, id).await,
        Route::FeedUrls => feeds::urls(req, env, id, false).await,
        Route::RollFeedUrls => feeds::urls(req, env, id, true).await,
        Route::Availability { .. }
        | Route::Offer { .. }
        | Route::Feed { .. }
        | Route::AvailabilityBatch
        | Route::AvailabilityBatchGet
        | Route::UnsubscribePage { .. }
        | Route::Unsubscribe { .. }
        | Route::ShopifyWebhook { .. }
        | Route::CreateMerchant
        | Route::OrderStatusPage { .. }
        | Route::AnswerNotice { .. }
        | Route::OpenApi => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    }
}
