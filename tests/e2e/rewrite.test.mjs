// The rewrite mode: the merchant routes its product pages through the edge
// (here `shop.localhost:<edge port>`, which Chromium resolves to this
// machine), the edge fetches each from the merchant's origin (the local
// shop) and writes the widget, drawn on the server, into the page. Read as
// crawlers read it (plain HTTP, and Chromium with JavaScript off), and as
// shoppers see it (the widget taking over without a flash or a shift).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, operatorToken, ROOT } from './edge.mjs';
import { launch, SNIPPET_HEAD, widgetText } from './browser.mjs';
import { putPage } from './shop.mjs';
import { crawl, served, SITE } from './site.mjs';

const EDGE = process.env.EDGE_URL;
const SHOP = process.env.SHOP_URL;
const call = (key, method, path, body) => apiCall(EDGE, key, method, path, body);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Waits until the widget replaced the server's lines (each marked `data-ssr`). */
const takenOver = (tab, sku) => tab.waitForFunction(
  (s) => { const root = document.querySelector(`upfront-availability[sku="${s}"]`)?.shadowRoot; return root && !root.querySelector('[data-ssr]'); },
  sku, { timeout: 15_000 },
);

async function merchant() {
  const id = `ssr-${randomBytes(3).toString('hex')}`;
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id, display_name: 'Server Side', mode: 'test', catalogue: 'demo',
    settings: { allowed_origins: [SHOP, SITE] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sk = created.body.secret_key.secret;
  const delivery = JSON.parse(readFileSync(join(ROOT, 'edge/demo-delivery.json'), 'utf8'));
  assert.equal((await call(sk, 'PUT', '/v1/delivery-config', delivery)).status, 200);
  return { id, sk, pk: created.body.publishable_key.secret };
}

const page = (widgets) => `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>Product</title>
${SNIPPET_HEAD}</head>
<body style="font: 16px/1.4 sans-serif; margin: 24px"><main><h1>Product</h1>${widgets}<p id="below">Below the widget</p></main></body></html>`;

test('crawlers and Chromium without JavaScript see what the widget shows; the other bytes pass through', async () => {
  const m = await merchant();
  const skus = (await call(m.sk, 'GET', '/v1/skus?limit=100')).body.data.map((s) => s.sku);
  const widgets = skus.map((sku) => `<upfront-availability sku="${sku}" key="${m.pk}" jsonld="true"></upfront-availability>`).join('\n');
  const path = putPage(`ssr-${m.id}`, page(widgets));
  const origin = await (await fetch(`${SHOP}${path}`)).text();
  const rewritten = await crawl(path);
  assert.equal(rewritten.status, 200);
  assert.match(rewritten.headers['content-type'], /^text\/html/);
  assert.equal(rewritten.headers['cache-control'], 'private, no-cache');
  // Everything but what was written into the elements is the origin's, byte for byte.
  const stripped = rewritten.body
    .replace(/<template shadowrootmode="open">[\s\S]*?<\/template>/g, '')
    .replace(/<script type="application\/ld\+json" data-upfront="">[\s\S]*?<\/script>/g, '');
  assert.equal(stripped, origin);
  const server = served(rewritten.body);
  assert.deepEqual(Object.keys(server).sort(), [...skus].sort());

  // The same page with JavaScript off in Chromium: the declarative shadow roots.
  const still = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
  const noJs = await still.newPage();
  await noJs.goto(`${SITE}${path}`);
  // And with JavaScript: the widget, after it took over.
  const live = await browser.newPage({ locale: 'en-US' });
  const errors = [];
  live.on('pageerror', (e) => errors.push(e.message));
  await live.goto(`${SITE}${path}`);
  for (const sku of skus) {
    await takenOver(live, sku);
    const shown = await widgetText(live, sku);
    const el = `upfront-availability[sku="${sku}"]`;
    const plain = (await noJs.locator(`${el} [part=status]`).innerText()).replace(/\s+/g, ' ').trim();
    assert.equal(plain, shown.status, `${sku}: the status without JavaScript`);
    assert.equal(server[sku].status, shown.status, `${sku}: the status in the HTML`);
    assert.equal(server[sku].promise, shown.promise, `${sku}: the delivery window in the HTML`);
    const ld = JSON.parse(await live.locator(`${el} > script[type="application/ld+json"]`).textContent());
    assert.equal(server[sku].ld.offers.availability, ld.offers.availability, `${sku}: JSON-LD`);
    const noJsLd = JSON.parse(await noJs.locator(`${el} > script[type="application/ld+json"]`).textContent());
    assert.equal(noJsLd.offers.availability, ld.offers.availability);
    // One JSON-LD per element: the loader took over the server's.
    assert.equal(await live.locator(`${el} > script[type="application/ld+json"]`).count(), 1);
  }
  assert.deepEqual(errors, []);
  await still.close();
  await live.close();

  // What is not a 200 HTML page passes through as the origin sent it.
  const missing = await crawl('/no-such-page.html');
  assert.equal(missing.status, 404);
  assert.equal(missing.body, 'not found');
  const css = await crawl('/theme.css');
  assert.equal(css.status, 200);
  assert.equal(css.body, await (await fetch(`${SHOP}/theme.css`)).text());
  // A key of another merchant, or an origin its merchant does not allow: left alone.
  const foreign = putPage(`ssr-foreign-${m.id}`, page(`<upfront-availability sku="TEE-CLASSIC-M" key="pk_test_nobody_${'0'.repeat(24)}"></upfront-availability>`));
  assert.doesNotMatch((await crawl(foreign)).body, /shadowrootmode/);
});

test('the widget takes over the server-rendered shadow root without a flash or a layout shift', async () => {
  const m = await merchant();
  const path = putPage(`ssr-cls-${m.id}`, page(['MUG-STONEWARE', 'LAMP-ARC-BRASS', 'TEE-CLASSIC-M']
    .map((sku) => `<upfront-availability sku="${sku}" key="${m.pk}"></upfront-availability>`).join('\n')));
  const tab = await browser.newPage({ locale: 'en-US', viewport: { width: 480, height: 800 } });
  await tab.addInitScript(() => {
    window.shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts.push(e.value);
    }).observe({ type: 'layout-shift', buffered: true });
    // Every frame: was any widget's status line missing once it had one?
    window.blank = [];
    const seen = new Set();
    const look = () => {
      for (const el of document.querySelectorAll('upfront-availability')) {
        const status = el.shadowRoot?.querySelector('[part=status]')?.textContent;
        if (status) seen.add(el);
        else if (seen.has(el)) window.blank.push(el.getAttribute('sku'));
      }
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  await tab.goto(`${SITE}${path}`);
  // The widget's own lines replaced the server's: the details line has its button.
  for (const sku of ['MUG-STONEWARE', 'TEE-CLASSIC-M']) {
    await takenOver(tab, sku);
    const shown = await widgetText(tab, sku);
    assert.equal(shown.destination, 'Add postal code', `${sku}: drawn by the widget`);
  }
  await tab.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  const { shifts, blank, ssr } = await tab.evaluate(() => ({
    shifts: window.shifts,
    blank: window.blank,
    ssr: [...document.querySelectorAll('upfront-availability')].map((el) => el.shadowRoot.querySelectorAll('.upfront > .line').length),
  }));
  assert.deepEqual(blank, [], 'no status line ever went blank');
  assert.equal(shifts.reduce((a, b) => a + b, 0), 0, `layout shift ${JSON.stringify(shifts)}`);
  assert.deepEqual(ssr, [3, 3, 3], 'the server\'s lines are gone, the widget\'s three are there');
  await tab.close();
});
