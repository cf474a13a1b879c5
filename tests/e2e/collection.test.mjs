// Collection pages on the merchant's own origin: a grid of 48 products
// (badges and full widgets) costs one availability request, and a long page
// asks only for what comes near the viewport.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ACME, setStock } from './edge.mjs';
import { launch, shopPage, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
let browser;
/** The stock of product `i`: in stock, low, out. */
const KINDS = [
  { on_hand: 50, status: /^In stock$/ },
  { on_hand: 2, status: /^In stock — only 2 left$/ },
  { on_hand: 0, status: /^Out of stock$/ },
];
const kind = (i) => KINDS[i % 3];
before(async () => {
  // No delivery configuration: statuses only (delivery.test.mjs needs Acme without one first).
  browser = await launch();
  await setStock(EDGE, Array.from({ length: 48 }, (_, i) => ({ sku: `GRID-${i}`, on_hand: kind(i).on_hand })), ACME.secretKey);
  await setStock(EDGE, Array.from({ length: 200 }, (_, i) => ({ sku: `LONG-${i}`, on_hand: 10 })), ACME.secretKey);
  await setStock(EDGE, Array.from({ length: 12 }, (_, i) => ({ sku: `LIVE-${i}`, on_hand: 50 })), ACME.secretKey);
});
after(async () => { await browser?.close(); });

/** The SKUs each availability request asked for, as the page sent them. */
function recordAsks(page) {
  const asks = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/v1/availability') asks.push(url.searchParams.get('skus').split(','));
    else if (url.pathname.startsWith('/v1/availability/')) asks.push([decodeURIComponent(url.pathname.split('/').pop())]);
  });
  return asks;
}
const BADGE_STYLE = '<style>upfront-availability[variant=badge]:not(:defined){display:block;min-height:1.5em}'
  + '.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}.card{border:1px solid #ddd;padding:8px}</style>';

test('48 products on one page: one request before the first paint, none after the live snapshot, every text right', async () => {
  const cards = Array.from({ length: 48 }, (_, i) => `<div class="card"><h2>Product ${i}</h2>`
    + `<upfront-availability sku="GRID-${i}" key="${ACME.publishableKey}"${i % 2 ? ' variant="badge"' : ''}></upfront-availability></div>`).join('');
  let asks;
  const { page, errors } = await shopPage(browser, {
    widgets: `<div class="grid">${cards}</div>`, head: BADGE_STYLE, viewport: { width: 1280, height: 900 },
    bodyStyle: 'font: 14px/1.4 sans-serif; margin: 12px',
    setup: async (p) => {
      asks = recordAsks(p);
      // A slow answer: the live socket's snapshot comes first, and must not
      // make any widget ask again once the answer is there.
      await p.route((url) => url.pathname === '/v1/availability', async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
    },
  });
  await page.waitForFunction(() => [...document.querySelectorAll('upfront-availability')]
    .every((el) => el.shadowRoot?.querySelector('[part=status]')), null, { timeout: 15_000 });
  assert.equal(asks.length, 1, JSON.stringify(asks));
  assert.equal(asks[0].length, 48);
  // The live socket's first snapshot matches what every widget shows: no asking again.
  await page.waitForTimeout(2500);
  assert.equal(asks.length, 1, `asked again after the snapshot: ${JSON.stringify(asks.slice(1))}`);

  const shown = await page.evaluate(() => [...document.querySelectorAll('upfront-availability')].map((el) => ({
    sku: el.getAttribute('sku'),
    badge: el.getAttribute('variant') === 'badge',
    status: el.shadowRoot.querySelector('[part=status]').innerText.replace(/\s+/g, ' ').trim(),
    lines: el.shadowRoot.querySelectorAll('.line:not(.skeleton)').length,
    buttons: el.shadowRoot.querySelectorAll('button').length,
    height: el.getBoundingClientRect().height,
  })));
  for (const w of shown) {
    const i = Number(w.sku.split('-')[1]);
    assert.match(w.status, kind(i).status, w.sku);
    if (w.badge) {
      assert.deepEqual([w.lines, w.buttons], [1, 0], `${w.sku}: a badge is its status line alone`);
      assert.ok(w.height < 30, `${w.sku}: one line (${w.height}px)`);
    } else {
      assert.ok(w.lines >= 3, `${w.sku}: the full widget`);
    }
  }
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(SCREENSHOTS, 'collection-48.png'), fullPage: true });
  await page.close();
});

test('a live change asks again only for the changed SKUs, in one request, and every card shows it', async () => {
  const widgets = Array.from({ length: 12 }, (_, i) => `<upfront-availability sku="LIVE-${i}" key="${ACME.publishableKey}"${i % 2 ? ' variant="badge"' : ''}></upfront-availability>`).join('');
  let asks;
  const { page, errors } = await shopPage(browser, { widgets, setup: (p) => { asks = recordAsks(p); } });
  const statuses = () => page.evaluate(() => [...document.querySelectorAll('upfront-availability')]
    .map((el) => el.shadowRoot?.querySelector('[part=status]')?.innerText.replace(/\s+/g, ' ').trim() ?? ''));
  await page.waitForFunction(() => [...document.querySelectorAll('upfront-availability')]
    .every((el) => el.shadowRoot?.querySelector('[part=status]')), null, { timeout: 15_000 });
  // Past the edge's 1-s read cache, and the socket is open (its snapshot changed nothing).
  await page.waitForTimeout(2000);
  assert.equal(asks.length, 1, JSON.stringify(asks));

  // One restock write changing three SKUs: three pushes, one request for those three.
  const changed = ['LIVE-1', 'LIVE-4', 'LIVE-7'];
  await setStock(EDGE, changed.map((sku, i) => ({ sku, on_hand: i })), ACME.secretKey);
  const want = (i) => ({ 1: /^Out of stock$/, 4: /^In stock — only 1 left$/, 7: /^In stock — only 2 left$/ })[i] ?? /^In stock$/;
  await page.waitForFunction((n) => [...document.querySelectorAll('upfront-availability')]
    .filter((el) => !/^In stock$/.test(el.shadowRoot.querySelector('[part=status]').innerText.trim())).length === n,
  changed.length, { timeout: 10_000 });
  await page.waitForTimeout(1500); // anything asked late would show now
  (await statuses()).forEach((text, i) => assert.match(text, want(i), `LIVE-${i}`));
  assert.deepEqual(asks.slice(1).map((a) => [...a].sort()), [changed], `asked after the change: ${JSON.stringify(asks.slice(1))}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page of 200 products asks for those near the viewport, and the rest as the shopper scrolls', async () => {
  const widgets = Array.from({ length: 200 }, (_, i) => `<upfront-availability sku="LONG-${i}" key="${ACME.publishableKey}"></upfront-availability>`).join('');
  let asks;
  const { page } = await shopPage(browser, { widgets, viewport: { width: 480, height: 800 }, setup: (p) => { asks = recordAsks(p); } });
  await page.locator('upfront-availability[sku="LONG-0"]').locator('[part=status]').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  const first = asks.flat();
  assert.ok(first.includes('LONG-0') && first.includes('LONG-5'), JSON.stringify(first));
  assert.ok(first.length < 60, `asked for ${first.length} of 200 before any scrolling`);
  for (let y = 0; y < 40; y += 1) {
    await page.mouse.wheel(0, 800);
    await page.waitForTimeout(50);
  }
  await page.locator('upfront-availability[sku="LONG-199"]').locator('[part=status]').waitFor({ timeout: 15_000 });
  const all = asks.flat();
  assert.equal(new Set(all).size, 200, 'every product asked for');
  assert.equal(all.length, 200, 'none asked for twice');
  assert.ok(asks.length < 40, `${asks.length} requests for 200 products`);
  await page.close();
});

test('the GET batch answers as the POST batch does, item by item, with no preflight and a 304', async () => {
  const skus = ['GRID-0', 'GRID-1', 'NO-SUCH', 'bad sku'];
  const url = `${EDGE}/v1/availability?skus=${skus.map(encodeURIComponent).join(',')}&country=US&key=${ACME.publishableKey}`;
  const got = await fetch(url, { headers: { Origin: process.env.SHOP_URL } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('access-control-allow-origin'), process.env.SHOP_URL);
  const body = await got.json();
  const posted = await (await fetch(`${EDGE}/v1/availability/batch?key=${ACME.publishableKey}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: skus.map((sku) => ({ sku })), country: 'US' }),
  })).json();
  assert.deepEqual(body.results.map((r) => r.sku), skus);
  assert.deepEqual(body.results.map((r) => [r.availability?.status, r.error?.code, r.error?.param]), [
    ['in_stock', undefined, undefined], ['low_stock', undefined, undefined],
    [undefined, 'not_found', 'sku'], [undefined, 'invalid_request', 'sku'],
  ]);
  const strip = (b) => b.results.map((r) => ({ ...r, availability: r.availability && { ...r.availability, as_of: 0 } }));
  assert.deepEqual(strip(body), strip(posted));
  const again = await fetch(url, { headers: { 'If-None-Match': got.headers.get('etag') } });
  assert.equal(again.status, 304);
  for (const [query, param] of [['skus=', 'skus'], [`skus=${Array(101).fill('A').join(',')}`, 'skus'], ['skus=A&colour=red', 'colour'], ['', 'skus']]) {
    const bad = await fetch(`${EDGE}/v1/availability?${query ? `${query}&` : ''}key=${ACME.publishableKey}`);
    const error = (await bad.json()).error;
    assert.deepEqual([bad.status, error.code, error.param], [400, 'invalid_parameter', param], query);
  }
});
