// The demo product page in real Chromium, against the real edge, served as a
// merchant would: from the shop's own origin, with the script from the edge's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, setStock } from './edge.mjs';
import { putPage } from './shop.mjs';
import { launch, widgetText, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
// The demo page as the shop serves it: the snippet's script from the edge.
const DEMO_PAGE = process.env.SHOP_URL + putPage('demo', readFileSync(join(ROOT, 'widget/demo/index.html'), 'utf8')
  .replace('src="/widget/v1/upfront.js"', `src="${EDGE}/widget/v1/upfront.js"`));
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the demo page shows live stock and delivery for SKUs in different states', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(DEMO_PAGE);

  const mug = await widgetText(page, 'MUG-STONEWARE');
  assert.equal(mug.status, 'In stock — only 3 left');
  assert.match(mug.promise, /^Get it \w{3}, \w{3} \d{1,2} – \w{3}, \w{3} \d{1,2}$/);

  const tee = await widgetText(page, 'TEE-CLASSIC-M');
  assert.equal(tee.status, 'In stock');
  assert.match(tee.promise, /^Get it /);

  // Seeded with a purchase order due in 14 days: the restock date shows.
  const lamp = await widgetText(page, 'LAMP-ARC-BRASS');
  assert.match(lamp.status, /^Out of stock — back around \w{3}, \w{3} \d{1,2}(, \d{4})?$/);
  assert.equal(lamp.promise, '');
  assert.equal(lamp.notify, "Notify me when it's back");

  const headphones = await widgetText(page, 'HEADPHONES-ANC');
  assert.match(headphones.status, /^Backordered — ships from \w{3}, \w{3} \d{1,2}(, \d{4})?$/);
  assert.match(headphones.promise, /^Get it /);

  const atlas = await widgetText(page, 'ATLAS-2ND-EDITION');
  assert.match(atlas.status, /^Preorder — releases \w{3}, \w{3} \d{1,2}(, \d{4})?$/);
  assert.match(atlas.promise, /^Get it /);

  const chair = await widgetText(page, 'CHAIR-LOUNGE-OAK');
  assert.equal(chair.status, 'No longer available');

  await page.screenshot({ path: join(SCREENSHOTS, 'demo-page.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a stock change through the merchant API shows after a reload', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  try {
    await page.goto(DEMO_PAGE);
    assert.equal((await widgetText(page, 'MUG-STONEWARE')).status, 'In stock — only 3 left');
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 0 }]);
    // Answers may be reused for up to 2 s (max-age=1 plus stale-while-revalidate=1).
    await page.waitForTimeout(2100);
    await page.reload();
    assert.equal((await widgetText(page, 'MUG-STONEWARE')).status, 'Out of stock');
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 40 }]);
    await page.waitForTimeout(2100);
    await page.reload();
    assert.equal((await widgetText(page, 'MUG-STONEWARE')).status, 'In stock');
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-after-restock.png') });
  } finally {
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 3 }]);
    await page.close();
  }
});

/** Polls one widget until its status line reads `want`. */
async function statusBecomes(page, sku, want, ms) {
  const deadline = Date.now() + ms;
  let seen;
  while (Date.now() < deadline) {
    seen = (await widgetText(page, sku)).status;
    if (seen === want) return Date.now();
    await page.waitForTimeout(100);
  }
  assert.equal(seen, want, `${sku} did not show "${want}" within ${ms} ms`);
}

test('live: a change shows without reload, and a dropped connection resumes at the latest state', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Pass the real socket through, so the test can cut it like a network would.
  const sockets = [];
  await page.routeWebSocket(/\/v1\/stream/, (ws) => { ws.connectToServer(); sockets.push(ws); });
  try {
    await page.goto(DEMO_PAGE);
    await statusBecomes(page, 'MUG-STONEWARE', 'In stock — only 3 left', 10_000);
    while (sockets.length === 0) await page.waitForTimeout(50);
    const wrote = Date.now();
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 0 }]);
    const shown = await statusBecomes(page, 'MUG-STONEWARE', 'Out of stock', 5_000);
    console.log(`# live update shown ${shown - wrote} ms after the write`);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-live-update.png') });

    for (const ws of sockets) await ws.close({ code: 1012, reason: 'test drop' });
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 2 }]); // while disconnected
    await statusBecomes(page, 'MUG-STONEWARE', 'In stock — only 2 left', 10_000);
    assert.ok(sockets.length >= 2, 'the widget reconnected');
    assert.deepEqual(errors, []);
  } finally {
    await setStock(EDGE, [{ sku: 'MUG-STONEWARE', on_hand: 3 }]);
    await page.close();
  }
});

test('loading the script twice registers the element once and breaks nothing', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(DEMO_PAGE);
  await page.addScriptTag({ url: `${EDGE}/widget/v1/upfront.js?again`, type: 'module' });
  assert.equal((await widgetText(page, 'TEE-CLASSIC-M')).status, 'In stock');
  assert.deepEqual(errors, []);
  await page.close();
});
