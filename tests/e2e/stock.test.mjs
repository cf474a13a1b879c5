// The stock model on the real edge: versions, inbound purchase orders,
// backorders, preorders and recounts, in Durable Object SQLite storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, setStock } from './edge.mjs';

const EDGE = process.env.EDGE_URL;
const secret = { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' };
const hold = async (sku, qty) => {
  const res = await fetch(`${EDGE}/v1/holds`, { method: 'POST', headers: secret, body: JSON.stringify({ sku, qty }) });
  return { status: res.status, body: await res.json() };
};
const availability = async (sku, qty = 1) => (await fetch(
  `${EDGE}/v1/availability/${sku}?key=${DEMO.publishableKey}&qty=${qty}`,
  { headers: { 'Cache-Control': 'no-cache' } },
)).json();
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

test('an older or repeated version is acknowledged and ignored', async () => {
  const sku = `VER-${Date.now()}`;
  assert.deepEqual(await setStock(EDGE, [{ sku, on_hand: 5, version: 2 }]), { applied: 1, stale: [] });
  assert.deepEqual(await setStock(EDGE, [{ sku, on_hand: 1, version: 1 }]), { applied: 0, stale: [sku] });
  assert.deepEqual(await setStock(EDGE, [{ sku, on_hand: 1, version: 2 }]), { applied: 0, stale: [sku] });
  assert.equal((await availability(sku)).available, 5);
  assert.deepEqual(await setStock(EDGE, [{ sku, on_hand: 7, version: 3 }]), { applied: 1, stale: [] });
  assert.equal((await availability(sku)).available, 7);
});

test('backorder: sells against the purchase order, dated, and never beyond it', async () => {
  const sku = `BACK-${Date.now()}`;
  const arrives = inDays(10);
  await setStock(EDGE, [{ sku, on_hand: 2, out_of_stock_policy: 'backorder', inbound: [{ qty: 5, arrives }] }]);
  assert.equal((await availability(sku)).status, 'low_stock');
  assert.equal((await hold(sku, 2)).status, 201);
  const after = await availability(sku, 3);
  assert.equal(after.status, 'backorder');
  assert.equal(after.availability_date, arrives);
  assert.equal(after.fulfillable, true);
  assert.ok(after.delivery_options.length > 0, 'the window waits for the arrival');
  assert.ok(after.delivery_options[0].ship_date >= arrives);
  assert.ok(after.delivery_options[0].reasons.some((r) => r.code === 'backorder' && r.date === arrives));
  assert.equal((await hold(sku, 5)).status, 201);
  const refused = await hold(sku, 1);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'insufficient_stock');
  assert.equal(refused.body.error.available, 0);
});

test('out of stock with a purchase order on its way shows the restock date', async () => {
  const sku = `RESTOCK-${Date.now()}`;
  const arrives = inDays(6);
  await setStock(EDGE, [{ sku, on_hand: 0, inbound: [{ qty: 3, arrives: inDays(20) }, { qty: 1, arrives }] }]);
  const body = await availability(sku);
  assert.equal(body.status, 'out_of_stock');
  assert.equal(body.availability_date, arrives);
  assert.equal(body.fulfillable, false);
});

test('preorder until the release date, then the shelf decides', async () => {
  const sku = `PRE-${Date.now()}`;
  const release = inDays(30);
  await setStock(EDGE, [{ sku, on_hand: 50, preorder_release: release }]);
  const pre = await availability(sku);
  assert.equal(pre.status, 'preorder');
  assert.equal(pre.availability_date, release);
  assert.ok(pre.delivery_options[0].ship_date >= release);
  assert.ok(pre.delivery_options[0].reasons.some((r) => r.code === 'preorder'));
  await setStock(EDGE, [{ sku, preorder_release: null }]);
  const released = await availability(sku);
  assert.equal(released.status, 'in_stock');
  assert.equal(released.available, 50, 'a settings-only write keeps the count');
});

test('a recount below what is held releases the newest holds first', async () => {
  const sku = `RECOUNT-${Date.now()}`;
  await setStock(EDGE, [{ sku, on_hand: 5 }]);
  const oldest = (await hold(sku, 2)).body;
  const middle = (await hold(sku, 2)).body;
  const newest = (await hold(sku, 1)).body;
  await setStock(EDGE, [{ sku, on_hand: 3 }]);
  const commit = async (id) => (await fetch(`${EDGE}/v1/holds/${id}/commit`, { method: 'POST', headers: secret })).status;
  assert.equal(await commit(newest.id), 409);
  assert.equal(await commit(middle.id), 409);
  assert.equal(await commit(oldest.id), 200);
  const after = await availability(sku);
  assert.equal(after.available, 1, '3 on hand, 2 paid');
});

test('stock per warehouse adds up, and bad items are refused whole', async () => {
  const sku = `LOC-${Date.now()}`;
  await setStock(EDGE, [{ sku, locations: [{ warehouse: 'berlin', on_hand: 4 }, { warehouse: 'hamburg', on_hand: 3 }] }]);
  const body = await availability(sku, 7);
  assert.equal(body.available, 7);
  assert.equal(body.fulfillable, true);
  const bad = await fetch(`${EDGE}/v1/inventory`, {
    method: 'POST',
    headers: secret,
    body: JSON.stringify({ items: [
      { sku, on_hand: 1 },
      { sku: `${sku}-B`, on_hand: 1, locations: [{ warehouse: 'berlin', on_hand: 1 }] },
    ] }),
  });
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).error.param, 'items[1].locations');
  assert.equal((await availability(sku)).available, 7, 'nothing was written');
});
