// The public availability API (issue 5): keys, CORS, caching, batch, limits, OpenAPI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACME, DEMO } from './edge.mjs';

const EDGE = process.env.EDGE_URL;
const url = (path) => `${EDGE}${path}`;
const single = (sku = 'MUG-STONEWARE', extra = '') => url(`/v1/availability/${sku}?key=${DEMO.publishableKey}${extra}`);

test('the key works as ?key= and as a Bearer token', async () => {
  assert.equal((await fetch(single())).status, 200);
  const res = await fetch(url('/v1/availability/MUG-STONEWARE'), { headers: { Authorization: `Bearer ${DEMO.publishableKey}` } });
  assert.equal(res.status, 200);
});

test('wrong key, another merchant\'s key, and a secret key on a public route', async () => {
  const wrong = await fetch(url('/v1/availability/MUG-STONEWARE?key=pk_test_wrong'));
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error.code, 'invalid_key');

  // Acme's key identifies Acme: the demo store's SKU does not exist there.
  const other = await fetch(url(`/v1/availability/MUG-STONEWARE?key=${ACME.publishableKey}`));
  assert.equal(other.status, 404);
  assert.equal((await other.json()).error.code, 'not_found');
  // ...and Acme's secret key cannot write the demo store's stock.
  const write = await fetch(url('/v1/inventory'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${ACME.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ sku: 'MUG-STONEWARE', on_hand: 999 }] }),
  });
  assert.equal(write.status, 200);
  const demo = await (await fetch(single())).json();
  assert.equal(demo.available, 3, 'the demo store is untouched');

  const secret = await fetch(url('/v1/availability/MUG-STONEWARE'), { headers: { Authorization: `Bearer ${DEMO.secretKey}` } });
  assert.equal(secret.status, 403);
  assert.equal((await secret.json()).error.code, 'wrong_key_type');
  // In a URL a secret key is a leak first: refused as such, whatever the route.
  const leaked = await fetch(url(`/v1/availability/MUG-STONEWARE?key=${DEMO.secretKey}`));
  assert.equal(leaked.status, 400);
  assert.equal((await leaked.json()).error.code, 'secret_key_in_url');
});

test('CORS: the allowed origin is echoed alone, unknown origins get nothing, no origin is fine', async () => {
  const allowed = await fetch(single(), { headers: { Origin: DEMO.allowedOrigin } });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('access-control-allow-origin'), DEMO.allowedOrigin);
  assert.match(allowed.headers.get('vary'), /Origin/);

  const unknown = await fetch(single(), { headers: { Origin: 'https://evil.example' } });
  assert.equal(unknown.headers.get('access-control-allow-origin'), null);
  assert.match(unknown.headers.get('vary'), /Origin/);

  const app = await fetch(single());
  assert.equal(app.status, 200);
  assert.equal(app.headers.get('access-control-allow-origin'), null);

  const preflight = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), {
    method: 'OPTIONS',
    headers: { Origin: DEMO.allowedOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), DEMO.allowedOrigin);
  assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
  assert.match(preflight.headers.get('access-control-allow-headers'), /Content-Type/i);

  const badPreflight = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(badPreflight.headers.get('access-control-allow-origin'), null);
  // Another merchant's allow-list does not open this one's data.
  const acme = await fetch(url(`/v1/availability/MUG-STONEWARE?key=${ACME.publishableKey}`), { headers: { Origin: DEMO.allowedOrigin } });
  assert.equal(acme.headers.get('access-control-allow-origin'), null);
});

test('ETag and If-None-Match give 304; a stock change gives a new tag', async () => {
  const first = await fetch(single('TEE-CLASSIC-M'));
  const tag = first.headers.get('etag');
  assert.match(tag, /^"[0-9a-f]{16}"$/);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=0, stale-while-revalidate=1');
  const again = await fetch(single('TEE-CLASSIC-M'), { headers: { 'If-None-Match': tag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), tag);
  assert.equal(await again.text(), '');

  await fetch(url('/v1/inventory'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ sku: 'TEE-CLASSIC-M', on_hand: 41 }] }),
  });
  const changed = await fetch(single('TEE-CLASSIC-M'), { headers: { 'If-None-Match': tag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), tag);
  assert.equal((await changed.json()).available, 41);
});

test('qty beyond stock: not fulfillable, with the count to show', async () => {
  const body = await (await fetch(single('KETTLE-GOOSENECK', '&qty=500&country=DE&postal_code=10115&locale=de-DE&currency=EUR'))).json();
  assert.equal(body.requested_qty, 500);
  assert.equal(body.fulfillable, false);
  assert.equal(body.display_count, body.available);
  assert.equal(body.stale, false);
});

test('a batch answers per item; bad items fail alone', async () => {
  const res = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      country: 'DE',
      postal_code: '10115',
      items: [
        { sku: 'MUG-STONEWARE', qty: 2 },
        { sku: 'NO-SUCH-SKU' },
        { sku: 'bad sku' },
        { sku: 'LAMP-ARC-BRASS', qty: 0 },
        { sku: 'SOCKS-WOOL-3PK', qty: 100 },
      ],
    }),
  });
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('etag'));
  const { results } = await res.json();
  assert.deepEqual(results.map((r) => r.sku), ['MUG-STONEWARE', 'NO-SUCH-SKU', 'bad sku', 'LAMP-ARC-BRASS', 'SOCKS-WOOL-3PK']);
  assert.equal(results[0].availability.status, 'low_stock');
  assert.equal(results[0].availability.requested_qty, 2);
  assert.equal(results[1].error.code, 'not_found');
  assert.equal(results[2].error.code, 'invalid_request');
  assert.equal(results[2].error.param, 'sku');
  assert.equal(results[3].error.param, 'qty');
  assert.equal(results[4].availability.fulfillable, true);
  for (const r of results) assert.ok(!(r.availability && r.error));

  const tooMany = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}` })) }),
  });
  assert.equal(tooMany.status, 422);
  const wrongType = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), { method: 'POST', body: '{}' });
  assert.equal(wrongType.status, 415);
  const huge = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items: [], pad: 'x'.repeat(70_000) }),
  });
  assert.equal(huge.status, 413);
  const method = await fetch(url(`/v1/availability/batch?key=${DEMO.publishableKey}`));
  assert.equal(method.status, 405);
  assert.equal((await method.json()).error.code, 'method_not_allowed');
});

test('the OpenAPI document lists every route', async () => {
  const res = await fetch(url('/v1/openapi.json'));
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/v1/availability', '/v1/availability/batch', '/v1/availability/{sku}', '/v1/availability/{sku}/offer', '/v1/delivery-config', '/v1/delivery-forecast', '/v1/emails',
    '/v1/feed-urls', '/v1/feed-urls/roll', '/v1/feeds/{token}/{file}', '/v1/fulfilments', '/v1/guard-rules', '/v1/guards', '/v1/holds',
    '/v1/holds/{hold_id}/cancel', '/v1/holds/{hold_id}/commit', '/v1/holds/{hold_id}/release', '/v1/inventory',
    '/v1/keys', '/v1/keys/{key_id}', '/v1/keys/{key_id}/roll', '/v1/openapi.json', '/v1/operator/merchants',
    '/v1/order-status/{token}', '/v1/orders', '/v1/orders/{order_id}', '/v1/orders/{order_id}/cancel',
    '/v1/orders/{order_id}/refund', '/v1/orders/{order_id}/shipments',
    '/v1/settings', '/v1/shipments', '/v1/skus', '/v1/skus/{sku}', '/v1/stream', '/v1/subscriptions',
    '/v1/subscriptions/erase', '/v1/subscriptions/export', '/v1/suppressions', '/v1/unsubscribe/{token}',
    '/v1/webhook-deliveries/{delivery_id}/redeliver',
    '/v1/webhook-endpoints', '/v1/webhook-endpoints/{endpoint_id}', '/v1/webhook-endpoints/{endpoint_id}/deliveries',
    '/v1/webhook-endpoints/{endpoint_id}/roll-secret',
    '/v1/webhooks/shopify/{merchant}',
  ]);
  assert.ok(doc.components.schemas.Availability);
});

test('over the rate limit: 429 with Retry-After (own key, so other tests are unaffected)', async () => {
  // The binding allows 600 per 10 s per key, route and client, in fixed windows: keep
  // sending in waves of 50 until one is refused, bounded at 4,000 requests.
  const seen = [];
  let limited;
  for (let sent = 0; sent < 4000 && !limited; sent += 50) {
    const wave = await Promise.all(Array.from({ length: 50 }, () =>
      fetch(url(`/v1/availability/ANY-SKU?key=${ACME.publishableKey}`)).then(async (r) => {
        const body = await r.json();
        return { status: r.status, retry: r.headers.get('retry-after'), code: body.error?.code };
      })));
    seen.push(...wave);
    limited = wave.find((s) => s.status === 429);
  }
  assert.ok(limited, `no 429 in ${seen.length} requests`);
  assert.equal(limited.code, 'rate_limited');
  assert.ok(Number(limited.retry) > 0);
  assert.ok(seen.filter((s) => s.status !== 429).length >= 500, 'a window lets hundreds through first');
  assert.ok(seen.every((s) => s.status === 429 || s.status === 404));
});
