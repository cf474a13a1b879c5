// The public API on the real edge (workerd with real Durable Object storage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, setStock } from './edge.mjs';
import { widgetFiles } from '../widget-files.mjs';

const EDGE = process.env.EDGE_URL;
const get = (path, init) => fetch(`${EDGE}${path}`, init);

test('availability answers stock, as_of and a delivery window from the Durable Object', async () => {
  const res = await get(`/v1/availability/MUG-STONEWARE?key=${DEMO.publishableKey}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const body = await res.json();
  assert.equal(body.sku, 'MUG-STONEWARE');
  assert.equal(body.status, 'low_stock');
  assert.equal(body.available, 3);
  assert.ok(Date.parse(body.as_of) > Date.parse('2026-01-01'), body.as_of);
  const { earliest, most_likely, latest } = body.delivery;
  assert.ok(earliest <= most_likely && most_likely <= latest, JSON.stringify(body.delivery));
});

test('the demo store covers in stock, low stock, out of stock and a large quantity', async () => {
  const status = async (sku) => (await (await get(`/v1/availability/${sku}?key=${DEMO.publishableKey}`)).json());
  assert.equal((await status('TEE-CLASSIC-M')).status, 'in_stock');
  assert.equal((await status('LAMP-ARC-BRASS')).status, 'out_of_stock');
  assert.equal((await status('CHAIR-LOUNGE-OAK')).status, 'discontinued');
  const socks = await status('SOCKS-WOOL-3PK');
  assert.equal(socks.status, 'in_stock');
  assert.equal(socks.available, 25000);
});

test('a merchant write is visible on the next read', async () => {
  await setStock(EDGE, [{ sku: 'KETTLE-GOOSENECK', on_hand: 2 }]);
  const body = await (await get(`/v1/availability/KETTLE-GOOSENECK?key=${DEMO.publishableKey}`)).json();
  assert.equal(body.status, 'low_stock');
  assert.equal(body.available, 2);
  await setStock(EDGE, [{ sku: 'KETTLE-GOOSENECK', on_hand: 12 }]);
});

test('errors carry one JSON shape with stable codes', async () => {
  const cases = [
    [`/v1/availability/MUG-STONEWARE`, 401, 'missing_key'],
    [`/v1/availability/MUG-STONEWARE?key=pk_test_nope`, 401, 'invalid_key'],
    // A secret key in a page's URL: refused before anything else, and named as a leak.
    [`/v1/availability/MUG-STONEWARE?key=${DEMO.secretKey}`, 400, 'secret_key_in_url'],
    [`/v1/availability/NO-SUCH-SKU?key=${DEMO.publishableKey}`, 404, 'not_found'],
    [`/v1/availability/bad%20sku?key=${DEMO.publishableKey}`, 400, 'invalid_parameter'],
    [`/v1/availability/MUG-STONEWARE?key=${DEMO.publishableKey}&qty=0`, 400, 'invalid_parameter'],
    [`/v1/availability/MUG-STONEWARE?key=${DEMO.publishableKey}&colour=red`, 400, 'invalid_parameter'],
    [`/v1/nothing-here`, 404, 'not_found'],
  ];
  for (const [path, status, code] of cases) {
    const res = await get(path);
    assert.equal(res.status, status, path);
    const body = await res.json();
    assert.equal(body.error.code, code, path);
    assert.equal(typeof body.error.message, 'string');
  }
});

test('a bad bulk write is rejected whole and changes nothing', async () => {
  const before = await (await get(`/v1/availability/TEE-CLASSIC-M?key=${DEMO.publishableKey}`)).json();
  const res = await get('/v1/inventory', {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ sku: 'TEE-CLASSIC-M', on_hand: 1 }, { sku: 'MUG-STONEWARE', on_hand: -4 }] }),
  });
  assert.equal(res.status, 422);
  const body = await res.json();
  assert.equal(body.error.code, 'invalid_request');
  assert.equal(body.error.param, 'items[1].on_hand');
  const after = await (await get(`/v1/availability/TEE-CLASSIC-M?key=${DEMO.publishableKey}`)).json();
  assert.equal(after.available, before.available);

  const malformed = await get('/v1/inventory', {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' },
    body: '{"items": [',
  });
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error.code, 'invalid_json');

  const publishable = await get('/v1/inventory', {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.publishableKey}`, 'Content-Type': 'application/json' },
    body: '{"items": []}',
  });
  assert.equal(publishable.status, 403);
});

test('static assets: the widget files are served for any origin, the wasm cached for a year', async () => {
  const page = await get('/demo/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<upfront-availability/);
  const [loaderFile, wasmFile] = widgetFiles();
  assert.match(wasmFile, /^upfront-[0-9a-f]{16}\.wasm$/, 'named by its content');
  const shop = { Origin: 'https://any-shop.example' };
  const loader = await get(`/widget/v1/${loaderFile}`, { headers: shop });
  assert.equal(loader.status, 200);
  assert.match(loader.headers.get('content-type'), /^(text|application)\/javascript/);
  assert.ok((await loader.text()).includes(wasmFile), 'the loader names the wasm it was built with');
  const wasm = await get(`/widget/v1/${wasmFile}`, { headers: shop });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  for (const res of [loader, wasm]) {
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  }
  // The snippet's URL is stable and short-lived; the hashed wasm never revalidates.
  assert.equal(loader.headers.get('cache-control'), 'public, max-age=300, stale-while-revalidate=600');
  assert.equal(wasm.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  // The headers file configures the assets; it is not one of them.
  assert.equal((await get('/_headers')).status, 404);
});
