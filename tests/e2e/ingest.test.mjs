// Merchant ingest on the real edge: Idempotency-Key with Stripe's semantics,
// and Shopify's signed inventory_levels/update webhook, replayed at scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { DEMO, setStock } from './edge.mjs';

const EDGE = process.env.EDGE_URL;
const [SHOPIFY_SECRET] = DEMO.shopifySecrets;
const [, PREVIOUS_SECRET] = DEMO.shopifySecrets;
const secret = { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' };
const available = async (sku) => (await (await fetch(
  `${EDGE}/v1/availability/${sku}?key=${DEMO.publishableKey}`,
  { headers: { 'Cache-Control': 'no-cache' } },
)).json()).available;

const post = (path, body, headers) => fetch(`${EDGE}${path}`, {
  method: 'POST', headers: { ...secret, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
});

test('Idempotency-Key: a retried hold is held once; a reused key with another body is refused', async () => {
  const sku = `IDEM-${Date.now()}`;
  await setStock(EDGE, [{ sku, on_hand: 10 }]);
  const key = `checkout-${sku}`;
  const first = await post('/v1/holds', { sku, qty: 3 }, { 'Idempotency-Key': key });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const retry = await post('/v1/holds', { sku, qty: 3 }, { 'Idempotency-Key': key });
  assert.equal(retry.status, 201);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal((await retry.json()).id, (await first.json()).id);
  assert.equal(await available(sku), 7, 'three units held, once');
  const reused = await post('/v1/holds', { sku, qty: 4 }, { 'Idempotency-Key': key });
  assert.equal(reused.status, 422);
  const { error } = await reused.json();
  assert.equal(error.code, 'idempotency_key_reused');
  assert.equal(error.param, 'Idempotency-Key');
  assert.equal(await available(sku), 7);

  const write = { items: [{ sku, on_hand: 20 }] };
  const wrote = await post('/v1/inventory', write, { 'Idempotency-Key': key });
  assert.equal(wrote.status, 200, 'keys are per route');
  const other = await post('/v1/inventory', { items: [{ sku, on_hand: 99 }] }, { 'Idempotency-Key': key });
  assert.equal(other.status, 422);
  assert.equal(await available(sku), 17, 'the refused body wrote nothing');
  const bad = await post('/v1/inventory', write, { 'Idempotency-Key': 'has spaces' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, 'Idempotency-Key');
});

const sign = (body, key = SHOPIFY_SECRET) => createHmac('sha256', key).update(body).digest('base64');
const level = (itemId, locationId, qty, at) => JSON.stringify({
  inventory_item_id: Number(itemId), location_id: locationId, available: qty,
  updated_at: new Date(at).toISOString(), admin_graphql_api_id: `gid://shopify/InventoryLevel/${locationId}`,
});
const webhook = (body, { eventId, key = SHOPIFY_SECRET, topic = 'inventory_levels/update', signature } = {}) => fetch(
  `${EDGE}/v1/webhooks/shopify/demo`,
  {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Hmac-Sha256': signature ?? sign(body, key),
      'X-Shopify-Topic': topic,
      ...(eventId ? { 'X-Shopify-Event-Id': eventId } : {}),
    },
    body,
  },
);

test('Shopify webhook: verified, deduplicated, applied in version order', async () => {
  const sku = `SHOP-${Date.now()}`;
  const itemId = String(Date.now());
  // Mapped only: Shopify owns the count. (A direct on_hand write would outrank every level
  // stamped before it, and these levels are stamped at a fixed past instant.)
  await setStock(EDGE, [{ sku, shopify_inventory_item_id: itemId }]);
  const t = Date.UTC(2026, 10, 24, 12);
  const body = level(itemId, 111, 8, t);
  const outcome = async (res) => { assert.equal(res.status, 200); return (await res.json()).outcome; };

  assert.equal(await outcome(await webhook(body, { eventId: `${sku}-1` })), 'applied');
  assert.equal(await available(sku), 8);
  assert.equal(await outcome(await webhook(body, { eventId: `${sku}-1` })), 'duplicate');
  // Another location adds up; the previous secret still verifies during a rotation.
  assert.equal(await outcome(await webhook(level(itemId, 222, 5, t), { eventId: `${sku}-2`, key: PREVIOUS_SECRET })), 'applied');
  assert.equal(await available(sku), 13);
  // A late delivery of an older level changes nothing.
  assert.equal(await outcome(await webhook(level(itemId, 111, 1, t - 60_000), { eventId: `${sku}-3` })), 'stale');
  assert.equal(await available(sku), 13);
  // Shopify may report an oversold location below zero: nothing is on that shelf.
  assert.equal(await outcome(await webhook(level(itemId, 111, -2, t + 1000), { eventId: `${sku}-4` })), 'applied');
  assert.equal(await available(sku), 5);
  assert.equal(await outcome(await webhook(level('424242', 111, 9, t), { eventId: `${sku}-5` })), 'unknown_item');
  assert.equal(await outcome(await webhook(body, { eventId: `${sku}-6`, topic: 'products/update' })), 'ignored_topic');

  for (const [res, code] of [
    [await webhook(level(itemId, 111, 50, t + 2000), { eventId: `${sku}-7`, key: 'someone-else' }), 'invalid_signature'],
    [await webhook(level(itemId, 111, 50, t + 2000), { eventId: `${sku}-8`, signature: sign(body) }), 'invalid_signature'],
    [await webhook(level(itemId, 111, 50, t + 2000), { eventId: `${sku}-9`, signature: 'garbage' }), 'invalid_signature'],
  ]) {
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, code);
  }
  const noEvent = await webhook(level(itemId, 111, 50, t + 2000));
  assert.equal(noEvent.status, 400);
  assert.equal((await noEvent.json()).error.param, 'X-Shopify-Event-Id');
  const signedGarbage = '{"inventory_item_id": "nope"}';
  assert.equal((await webhook(signedGarbage, { eventId: `${sku}-10` })).status, 400);
  const unknownMerchant = await fetch(`${EDGE}/v1/webhooks/shopify/nobody`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
  });
  assert.equal(unknownMerchant.status, 404);
  assert.equal(await available(sku), 5, 'no refused delivery wrote anything');
});

test('Shopify levels and our sales: a sale Shopify already counts is not subtracted twice; untracked stays', async () => {
  const sku = `SHOPSALE-${Date.now()}`;
  const itemId = String(Date.now() + 7);
  await setStock(EDGE, [{ sku, shopify_inventory_item_id: itemId }]);
  const t0 = Date.now() - 60_000;
  assert.equal((await (await webhook(level(itemId, 111, 10, t0), { eventId: `${sku}-1` })).json()).outcome, 'applied');
  assert.equal(await available(sku), 10);
  // A checkout through our holds is paid; Shopify has not reported yet: the sale keeps its units.
  const hold = await (await post('/v1/holds', { sku, qty: 3 })).json();
  assert.equal((await post(`/v1/holds/${hold.id}/commit`, '')).status, 200);
  assert.equal(await available(sku), 7);
  // Shopify's next level (stamped after the sale) already nets the order out: 10 - 3 = 7, not 4.
  assert.equal((await (await webhook(level(itemId, 111, 7, Date.now() + 1000), { eventId: `${sku}-2` })).json()).outcome, 'applied');
  assert.equal(await available(sku), 7);
  // Shipping an order Shopify already counted changes nothing here: Shopify's next level carries it.
  assert.equal((await post('/v1/fulfilments', { hold_id: hold.id })).status, 200);
  assert.equal(await available(sku), 7);
  // Untracked (`available: null`): Shopify sells regardless; a deny SKU is not emptied.
  const untracked = JSON.stringify({ inventory_item_id: Number(itemId), location_id: 111, available: null, updated_at: new Date(Date.now() + 2000).toISOString() });
  assert.equal((await (await webhook(untracked, { eventId: `${sku}-3` })).json()).outcome, 'untracked');
  assert.equal(await available(sku), 7);
});

test('10,000 shuffled webhook events with 10% duplicates end at the newest level of each location', async () => {
  const run = Date.now();
  const skus = Array.from({ length: 20 }, (_, i) => ({ sku: `REPLAY-${run}-${i}`, itemId: String(run * 100 + i) }));
  await setStock(EDGE, skus.map(({ sku, itemId }) => ({ sku, shopify_inventory_item_id: itemId })));
  const locations = [7001, 7002, 7003];
  let seed = 42;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const unique = [];
  for (let n = 0; n < 9000; n += 1) {
    const { itemId } = skus[Math.floor(random() * skus.length)];
    const location = locations[Math.floor(random() * locations.length)];
    // Shopify's updated_at: unique per item and location, in seconds.
    unique.push({ itemId, location, qty: Math.floor(random() * 500) - 20, at: Date.UTC(2026, 0, 1) + n * 1000, id: `${run}-${n}` });
  }
  const events = [...unique, ...Array.from({ length: 1000 }, () => unique[Math.floor(random() * unique.length)])];
  for (let i = events.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const { hostname, port } = new URL(EDGE);
  const deliver = (e) => new Promise((resolve, reject) => {
    const body = level(Number(e.itemId), e.location, e.qty, e.at);
    const req = http.request({
      host: hostname, port, path: '/v1/webhooks/shopify/demo', method: 'POST', agent,
      headers: {
        'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
        'X-Shopify-Hmac-Sha256': sign(body), 'X-Shopify-Topic': 'inventory_levels/update', 'X-Shopify-Event-Id': e.id,
      },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, outcome: JSON.parse(text).outcome }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const answers = await Promise.all(events.map(deliver));
  agent.destroy();
  assert.ok(answers.every((a) => a.status === 200), 'every delivery acknowledged');
  const count = (o) => answers.filter((a) => a.outcome === o).length;
  assert.equal(count('duplicate'), 1000);
  assert.equal(count('applied') + count('stale'), 9000);

  // The model: per item and location, the level with the newest updated_at.
  const newest = new Map();
  for (const e of unique) {
    const k = `${e.itemId}/${e.location}`;
    if (!newest.has(k) || newest.get(k).at < e.at) newest.set(k, e);
  }
  for (const { sku, itemId } of skus) {
    const want = locations.reduce((sum, l) => sum + Math.max(0, newest.get(`${itemId}/${l}`)?.qty ?? 0), 0);
    assert.equal(await available(sku), want, sku);
  }
});
