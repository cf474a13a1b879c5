// A merchant as a real one starts: onboarded by the operator, its own keys
// and origins, stock written by a restricted key, the widget on its own site.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEMO, operatorToken } from './edge.mjs';
import { launch, shopPage, widgetText } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const json = (token, method, body) => ({
  method,
  headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
  ...(body ? { body: JSON.stringify(body) } : {}),
});
const call = async (token, method, path, body) => {
  const res = await fetch(`${EDGE}${path}`, json(token, method, body));
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};
/** A fresh merchant id, so the suite can run again on the same storage. */
const freshId = (name) => `${name}-${randomBytes(4).toString('hex')}`;

async function onboard(name, settings) {
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id: freshId(name), display_name: `${name} & Co`, ...(settings ? { settings } : {}),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

test('onboarding: operator creates, merchant sets its origin, a restricted key writes stock, the widget shows on its site', async () => {
  const created = await onboard('tidewater');
  const { settings, publishable_key: pk, secret_key: sk } = created;
  assert.match(pk.secret, new RegExp(`^pk_live_${settings.id}_[0-9a-f]{32}$`));
  assert.match(sk.secret, new RegExp(`^sk_live_${settings.id}_[0-9a-f]{32}$`));
  assert.equal(sk.key.last4, sk.secret.slice(-4));
  assert.deepEqual(settings.allowed_origins, []);

  // Its own site is the origin no local merchant allows.
  const shopOrigin = process.env.SHOP_FOREIGN_URL;
  const patched = await call(sk.secret, 'PATCH', '/v1/settings', { allowed_origins: [shopOrigin], low_stock_threshold: 3 });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body.allowed_origins, [shopOrigin]);

  const rk = await call(sk.secret, 'POST', '/v1/keys', { kind: 'restricted', scopes: ['inventory:write'], name: 'warehouse sync' });
  assert.equal(rk.status, 201, JSON.stringify(rk.body));
  assert.match(rk.body.secret, /^rk_live_/);
  const written = await call(rk.body.secret, 'POST', '/v1/inventory', { items: [{ sku: 'KAYAK-2P', on_hand: 2 }] });
  assert.equal(written.status, 200, JSON.stringify(written.body));

  // The merchant's default threshold applies to SKUs written without one.
  const stock = await (await fetch(`${EDGE}/v1/availability/KAYAK-2P?key=${pk.secret}`)).json();
  assert.equal(stock.status, 'low_stock');

  const { page, errors } = await shopPage(browser, {
    origin: shopOrigin,
    widgets: `<upfront-availability sku="KAYAK-2P" key="${pk.secret}"></upfront-availability>`,
  });
  assert.match((await widgetText(page, "KAYAK-2P")).status, /only 2 left/);
  assert.deepEqual(errors, []);
  await page.close();

  // Keys never cross merchants, in either direction.
  const theirs = await fetch(`${EDGE}/v1/availability/KAYAK-2P?key=${DEMO.publishableKey}`);
  assert.equal(theirs.status, 404);
  const ours = await fetch(`${EDGE}/v1/availability/MUG-STONEWARE?key=${pk.secret}`);
  assert.equal(ours.status, 404);
  const demoList = await call(DEMO.secretKey, 'GET', '/v1/skus?limit=100');
  assert.ok(!demoList.body.data.some((s) => s.sku === 'KAYAK-2P'));
  assert.equal((await call(DEMO.secretKey, 'GET', '/v1/skus/KAYAK-2P')).status, 404);

  // The listing shows the keys, never the keys themselves.
  const keys = await call(sk.secret, 'GET', '/v1/keys');
  assert.equal(keys.status, 200);
  assert.deepEqual(keys.body.data.map((k) => k.kind).sort(), ['publishable', 'restricted', 'secret']);
  assert.ok(!JSON.stringify(keys.body).includes(sk.secret.slice(-20)));
  assert.ok(keys.body.data.find((k) => k.kind === 'restricted').last_used_at, 'the warehouse key was used');
});

test('the operator token: refused when missing or wrong; ids are unique; bad requests name the field', async () => {
  const body = { id: freshId('nobody'), display_name: 'Nobody' };
  const post = (headers, payload = body) => fetch(`${EDGE}/v1/operator/merchants`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(payload),
  });
  for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token' }, { Authorization: `Bearer ${operatorToken()}x` }, { Authorization: `Bearer ${DEMO.secretKey}` }]) {
    const res = await post(headers);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'invalid_operator_token');
  }
  const auth = { Authorization: `Bearer ${operatorToken()}` };
  assert.equal((await post(auth)).status, 201);
  const again = await post(auth);
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, 'merchant_exists');
  for (const [payload, param] of [
    [{ id: 'Bad_Id', display_name: 'x' }, 'id'],
    [{ id: freshId('ok'), display_name: '' }, 'display_name'],
    [{ id: freshId('ok'), display_name: 'x', settings: { allowed_origins: ['https://shop.example/path'] } }, 'settings.allowed_origins[0]'],
  ]) {
    const res = await post(auth, payload);
    assert.equal(res.status, 422, JSON.stringify(payload));
    const error = (await res.json()).error;
    assert.equal(error.code, 'invalid_request');
    assert.ok(error.param.endsWith(param.split('.').pop()), `${error.param} for ${param}`);
  }
  // Without an id, one is made.
  const made = await post(auth, { display_name: 'Anonymous Goods' });
  assert.equal(made.status, 201);
  assert.match((await made.json()).settings.id, /^m[0-9a-f]{12}$/);
});

test('roll with a grace period: both keys work, then only the new one; a revoked key fails within 5 s', async () => {
  const { secret_key: sk } = await onboard('rollers');
  const rk = (await call(sk.secret, 'POST', '/v1/keys', { kind: 'restricted', scopes: ['inventory:read'] })).body;
  const reads = async (key) => (await call(key, 'GET', '/v1/skus')).status;
  assert.equal(await reads(rk.secret), 200);
  const rolled = await call(sk.secret, 'POST', `/v1/keys/${rk.key.id}/roll`, { grace_seconds: 3 });
  assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
  assert.deepEqual(rolled.body.key.scopes, ['inventory:read']);
  assert.equal(await reads(rk.secret), 200, 'the old key works during the grace period');
  assert.equal(await reads(rolled.body.secret), 200);
  const listed = (await call(sk.secret, 'GET', '/v1/keys')).body.data.find((k) => k.id === rk.key.id);
  assert.ok(listed.expires_at, 'the listing shows when the old key stops');
  await new Promise((r) => setTimeout(r, 3200));
  assert.equal(await reads(rk.secret), 401, 'the old key stops when its grace ends');
  assert.equal(await reads(rolled.body.secret), 200);

  // Revocation: the key was just used (so its grant is cached), then revoked.
  const revoked = await call(sk.secret, 'DELETE', `/v1/keys/${rolled.body.key.id}`);
  assert.equal(revoked.status, 200);
  const start = Date.now();
  while (await reads(rolled.body.secret) !== 401) {
    assert.ok(Date.now() - start < 5000, 'still working 5 s after revocation');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`# revoked key refused after ${Date.now() - start} ms`);

  // The secret key rolls with no grace by default; it is never revoked.
  const secretId = (await call(sk.secret, 'GET', '/v1/keys')).body.data.find((k) => k.kind === 'secret').id;
  const refused = await call(sk.secret, 'DELETE', `/v1/keys/${secretId}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'secret_key_not_revocable');
  const newSecret = await call(sk.secret, 'POST', `/v1/keys/${secretId}/roll`);
  assert.equal(newSecret.status, 201, JSON.stringify(newSecret.body));
  assert.equal((await call(sk.secret, 'GET', '/v1/keys')).status, 401);
  assert.equal((await call(newSecret.body.secret, 'GET', '/v1/keys')).status, 200);
});

/** One request per scope; `null` marks a request only the secret key may make. */
const SCOPED = [
  ['inventory:read', 'GET', '/v1/skus'],
  ['inventory:read', 'GET', '/v1/skus/NOPE'],
  ['inventory:write', 'POST', '/v1/inventory', { items: [{ sku: 'SCOPE-1', on_hand: 1 }] }],
  ['inventory:write', 'POST', '/v1/fulfilments', { hold_id: 'hold_000000000000000000000000' }],
  ['holds:read', 'GET', '/v1/holds'],
  ['holds:write', 'POST', '/v1/holds', { sku: 'NOPE', qty: 1 }],
  ['holds:write', 'POST', '/v1/holds/hold_000000000000000000000000/cancel'],
  ['config:read', 'GET', '/v1/delivery-config'],
  ['config:write', 'PUT', '/v1/delivery-config', {}],
  ['config:write', 'POST', '/v1/shipments', { items: [] }],
  ['subscriptions:read', 'GET', '/v1/subscriptions'],
  ['subscriptions:read', 'GET', '/v1/subscriptions/export'],
  ['subscriptions:write', 'POST', '/v1/subscriptions/erase', { email: 'nobody@example.com' }],
  [null, 'GET', '/v1/keys'],
  [null, 'POST', '/v1/keys', { kind: 'publishable' }],
  [null, 'GET', '/v1/settings'],
  [null, 'PATCH', '/v1/settings', {}],
];

test('each restricted scope is refused outside its scope, and keys and settings need the secret key', async () => {
  const { secret_key: sk, publishable_key: pk } = await onboard('scopes');
  const scopes = [...new Set(SCOPED.map(([scope]) => scope).filter(Boolean))];
  for (const scope of scopes) {
    const rk = (await call(sk.secret, 'POST', '/v1/keys', { kind: 'restricted', scopes: [scope] })).body.secret;
    for (const [needed, method, path, body] of SCOPED) {
      const answer = await call(rk, method, path, body);
      if (needed === scope) {
        assert.notEqual(answer.status, 403, `${scope} on ${method} ${path}: ${JSON.stringify(answer.body)}`);
        assert.notEqual(answer.status, 401);
      } else {
        assert.equal(answer.status, 403, `${scope} on ${method} ${path}`);
        assert.equal(answer.body.error.code, 'insufficient_scope');
      }
    }
    // Restricted keys are server-side: never on public routes, never in a URL.
    const pub = await fetch(`${EDGE}/v1/availability/NOPE`, { headers: { Authorization: `Bearer ${rk}` } });
    assert.equal((await pub.json()).error.code, 'wrong_key_type');
    const inUrl = await fetch(`${EDGE}/v1/availability/NOPE?key=${rk}`);
    assert.equal((await inUrl.json()).error.code, 'secret_key_in_url');
  }
  // The publishable key reaches none of them.
  for (const [, method, path, body] of SCOPED) {
    const answer = await call(pk.secret, method, path, body);
    assert.equal(answer.status, 403, `${method} ${path}`);
    assert.equal(answer.body.error.code, 'wrong_key_type');
  }
  // A key naming a merchant that was never created is simply unknown.
  const ghost = await call(`sk_live_ghost-${randomBytes(3).toString('hex')}_${'0'.repeat(32)}`, 'GET', '/v1/skus');
  assert.equal(ghost.status, 401);
  assert.equal(ghost.body.error.code, 'invalid_key');
});

test('the ledger after the sale: shipping, recounting and cancelling never count a sale twice', async () => {
  const { secret_key: sk, publishable_key: pk } = await onboard('ledger');
  const available = async () => (await (await fetch(`${EDGE}/v1/availability/TENT?key=${pk.secret}`)).json()).available;
  const sku = async () => (await call(sk.secret, 'GET', '/v1/skus/TENT')).body;
  assert.equal((await call(sk.secret, 'POST', '/v1/inventory', { items: [{ sku: 'TENT', on_hand: 10 }] })).status, 200);
  const sell = async (qty) => {
    const hold = await call(sk.secret, 'POST', '/v1/holds', { sku: 'TENT', qty });
    assert.equal(hold.status, 201);
    assert.equal((await call(sk.secret, 'POST', `/v1/holds/${hold.body.id}/commit`)).status, 200);
    return hold.body.id;
  };
  const shipped = await sell(3);
  assert.deepEqual(await sku().then(({ on_hand, committed, held, available }) => ({ on_hand, committed, held, available })),
    { on_hand: 10, committed: 3, held: 0, available: 7 });
  // The warehouse ships it, then counts the shelf: 7 are there.
  const fulfilled = await call(sk.secret, 'POST', '/v1/fulfilments', { hold_id: shipped });
  assert.equal(fulfilled.status, 200);
  assert.equal(fulfilled.body.state, 'fulfilled');
  assert.deepEqual(await sku().then(({ on_hand, committed }) => ({ on_hand, committed })), { on_hand: 7, committed: 0 });
  const again = await call(sk.secret, 'POST', '/v1/fulfilments', { hold_id: shipped });
  assert.equal(again.status, 200, 'a repeated fulfilment answers the same');
  assert.equal((await sku()).on_hand, 7, 'and ships nothing twice');
  await call(sk.secret, 'POST', '/v1/inventory', { items: [{ sku: 'TENT', on_hand: 7 }] });
  assert.equal(await available(), 7, 'a recount after shipping does not subtract the sale again');

  // A paid, unshipped sale called off: its units come back; a recount in between keeps them committed.
  const cancelled = await sell(2);
  assert.equal(await available(), 5);
  await call(sk.secret, 'POST', '/v1/inventory', { items: [{ sku: 'TENT', on_hand: 7 }] });
  assert.equal(await available(), 5, 'the sold units are still on the shelf, still sold');
  const cancel = await call(sk.secret, 'POST', `/v1/holds/${cancelled}/cancel`);
  assert.equal(cancel.status, 200);
  assert.equal(cancel.body.state, 'cancelled');
  assert.equal(await available(), 7);
  const shipCancelled = await call(sk.secret, 'POST', '/v1/fulfilments', { hold_id: cancelled });
  assert.equal(shipCancelled.status, 409);
  assert.equal(shipCancelled.body.error.code, 'hold_not_committed');

  // An open hold is released, not shipped or cancelled.
  const open = await call(sk.secret, 'POST', '/v1/holds', { sku: 'TENT', qty: 1 });
  const openHolds = await call(sk.secret, 'GET', '/v1/holds');
  assert.deepEqual(openHolds.body.data.map((h) => h.id), [open.body.id]);
  assert.equal((await call(sk.secret, 'POST', `/v1/holds/${open.body.id}/cancel`)).body.error.code, 'hold_not_committed');
  assert.equal((await call(sk.secret, 'POST', '/v1/fulfilments', { hold_id: open.body.id })).body.error.code, 'hold_not_committed');
});

test('read back: SKUs by page and state, one SKU, the delivery configuration, subscriptions with export and erasure', async () => {
  const { secret_key: sk, publishable_key: pk } = await onboard('readback');
  const items = Array.from({ length: 7 }, (_, i) => ({ sku: `ITEM-${i}`, on_hand: i < 3 ? 0 : 50, inbound: i === 0 ? [{ qty: 5, arrives: '2099-01-01' }] : undefined }));
  assert.equal((await call(sk.secret, 'POST', '/v1/inventory', { items })).status, 200);
  const seen = [];
  let cursor;
  do {
    const page = await call(sk.secret, 'GET', `/v1/skus?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.data.length <= 3);
    seen.push(...page.body.data.map((s) => s.sku));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, items.map((i) => i.sku));
  const out = await call(sk.secret, 'GET', '/v1/skus?status=out_of_stock');
  assert.deepEqual(out.body.data.map((s) => s.sku), ['ITEM-0', 'ITEM-1', 'ITEM-2']);
  const one = await call(sk.secret, 'GET', '/v1/skus/ITEM-0');
  assert.equal(one.body.inbound[0].qty, 5);
  assert.equal(one.body.out_of_stock_policy, 'deny');
  assert.equal((await call(sk.secret, 'GET', '/v1/skus?status=gone')).body.error.code, 'invalid_parameter');

  assert.equal((await call(sk.secret, 'GET', '/v1/delivery-config')).status, 404);
  const config = { default_country: 'US', warehouses: [{ id: 'reno', time_zone: 'America/Los_Angeles', cutoff: '15:00', handling_days: { min: 1, max: 1 } }],
    methods: [{ id: 'ground', label: 'Ground', lanes: [{ country: 'US', transit_days: { min: 2, max: 4 } }] }] };
  const put = await call(sk.secret, 'PUT', '/v1/delivery-config', config);
  const got = await call(sk.secret, 'GET', '/v1/delivery-config');
  assert.deepEqual(got.body, put.body);

  const subscribe = (email, sku) => fetch(`${EDGE}/v1/subscriptions?key=${pk.secret}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sku, email }),
  });
  for (const [email, sku] of [['ada@example.com', 'ITEM-1'], ['Ada@Example.com', 'ITEM-2'], ['bo@example.com', 'ITEM-1']]) {
    assert.equal((await subscribe(email, sku)).status, 202);
  }
  const counts = await call(sk.secret, 'GET', '/v1/subscriptions');
  assert.deepEqual(counts.body.data, [{ sku: 'ITEM-1', count: 2 }, { sku: 'ITEM-2', count: 1 }]);
  const exported = await call(sk.secret, 'GET', '/v1/subscriptions/export?limit=2');
  assert.equal(exported.body.data.length, 2);
  const rest = await call(sk.secret, 'GET', `/v1/subscriptions/export?cursor=${exported.body.next_cursor}`);
  assert.deepEqual([...exported.body.data, ...rest.body.data].map((s) => s.email).sort(), ['ada@example.com', 'ada@example.com', 'bo@example.com']);
  const erased = await call(sk.secret, 'POST', '/v1/subscriptions/erase', { email: ' ADA@example.COM ' });
  assert.deepEqual(erased.body, { deleted: 2, emails_deleted: 0, orders_anonymized: 0 });
  const after = await call(sk.secret, 'GET', '/v1/subscriptions/export');
  assert.deepEqual(after.body.data.map((s) => s.email), ['bo@example.com']);
});
