// Checkout holds on the real edge: Durable Object SQLite storage on workerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, pooledPoster, setStock } from './edge.mjs';

const EDGE = process.env.EDGE_URL;
const secret = { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' };
const hold = (body) => fetch(`${EDGE}/v1/holds`, { method: 'POST', headers: secret, body: JSON.stringify(body) });
const finish = (id, action) => fetch(`${EDGE}/v1/holds/${id}/${action}`, { method: 'POST', headers: secret });
const availability = async (sku) =>
  (await fetch(`${EDGE}/v1/availability/${sku}?key=${DEMO.publishableKey}`, { headers: { 'Cache-Control': 'no-cache' } })).json();

test('2,000 concurrent holds on a deny SKU with 100 units: exactly 100 succeed', async () => {
  const sku = `HOLD-RACE-${Date.now()}`;
  await setStock(EDGE, [{ sku, on_hand: 100, out_of_stock_policy: 'deny' }]);
  const post = pooledPoster(EDGE, { Authorization: `Bearer ${DEMO.secretKey}` });
  const answers = await Promise.all(Array.from({ length: 2000 }, () => post('/v1/holds', { sku, qty: 1, ttl_seconds: 600 })));
  const won = answers.filter((a) => a.status === 201);
  const lost = answers.filter((a) => a.status === 409);
  assert.equal(won.length, 100);
  assert.equal(lost.length, 1900);
  assert.equal(new Set(won.map((a) => a.body.id)).size, 100, 'every hold has its own id');
  assert.ok(lost.every((a) => a.body.error.code === 'insufficient_stock' && a.body.error.available === 0));
  const after = await availability(sku);
  assert.equal(after.available, 0);
  assert.equal(after.status, 'out_of_stock');
});

test('commit, release and their repeats', async () => {
  const sku = `HOLD-LIFE-${Date.now()}`;
  await setStock(EDGE, [{ sku, on_hand: 10 }]);
  const a = await (await hold({ sku, qty: 4 })).json();
  const b = await (await hold({ sku, qty: 3 })).json();
  assert.equal(a.state, 'open');
  assert.ok(Date.parse(a.expires_at) > Date.now() + 500_000, 'default ttl is 10 minutes');
  assert.equal((await availability(sku)).available, 3);

  const short = await hold({ sku, qty: 4 });
  assert.equal(short.status, 409);
  assert.equal((await short.json()).error.available, 3);

  const committed = await finish(a.id, 'commit');
  assert.equal(committed.status, 200);
  assert.equal((await committed.json()).state, 'committed');
  const again = await finish(a.id, 'release');
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, 'hold_not_open');

  assert.equal((await finish(b.id, 'release')).status, 200);
  assert.equal((await finish(b.id, 'release')).status, 409);
  assert.equal((await availability(sku)).available, 6, '10 on hand − 4 committed');

  assert.equal((await finish('hold_000000000000000000000000', 'commit')).status, 404);
  assert.equal((await finish('nonsense', 'commit')).status, 400);
});

test('an expired hold gives its units back, through the alarm', async () => {
  const sku = `HOLD-TTL-${Date.now()}`;
  await setStock(EDGE, [{ sku, on_hand: 2 }]);
  const h = await (await hold({ sku, qty: 2, ttl_seconds: 1 })).json();
  assert.equal((await availability(sku)).available, 0);
  let available = 0;
  for (let i = 0; i < 40 && available !== 2; i++) {
    await new Promise((r) => setTimeout(r, 250));
    available = (await availability(sku)).available;
  }
  assert.equal(available, 2, 'the alarm released the hold');
  const late = await finish(h.id, 'commit');
  assert.equal(late.status, 409);
  assert.match((await late.json()).error.message, /expired/);
});

test('bad hold requests are refused whole', async () => {
  const cases = [
    [{ sku: 'MUG-STONEWARE', qty: 0 }, 422, 'qty'],
    [{ sku: 'MUG-STONEWARE', qty: 1, ttl_seconds: 1801 }, 422, 'ttl_seconds'],
    [{ sku: 'MUG-STONEWARE', qty: 1, extra: true }, 400, undefined],
    [{ sku: 'NO-SUCH-SKU', qty: 1 }, 404, undefined],
  ];
  for (const [body, status, param] of cases) {
    const res = await hold(body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal((await res.json()).error.param, param);
  }
  const publishable = await fetch(`${EDGE}/v1/holds`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.publishableKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sku: 'MUG-STONEWARE', qty: 1 }),
  });
  assert.equal(publishable.status, 403);
});
