// The README's snippet on a merchant's own site: pages of the shop's origin
// (tests/e2e/shop.mjs), never the edge's, under a hostile theme, the
// strictest Content-Security-Policy that works and ones that do not, an
// origin the merchant does not list, and a repeat view served from the HTTP
// cache. Each test saves a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ACME, configureAcme, setStock } from './edge.mjs';
import { launch, shopPage, widgetText, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
const EDGE_WS = EDGE.replace(/^http/, 'ws');
let browser;
before(async () => {
  browser = await launch();
  await configureAcme(EDGE); // the low-stock widget shows a delivery window
  await setStock(EDGE, [
    { sku: 'EMBED-IN', on_hand: 50 },
    { sku: 'EMBED-LOW', on_hand: 2 },
    { sku: 'EMBED-OUT', on_hand: 0 },
  ], ACME.secretKey);
});
after(async () => { await browser?.close(); });

const widget = (sku, attrs = '') => `<upfront-availability sku="${sku}" key="${ACME.publishableKey}" ${attrs}></upfront-availability>`;
const WIDGETS = widget('EMBED-IN') + widget('EMBED-LOW', 'country="US"') + widget('EMBED-OUT');
const WIDGETS_WITH_JSONLD = WIDGETS.replace('country="US"', 'country="US" jsonld="true"');
const shot = (page, name) => page.screenshot({ path: join(SCREENSHOTS, `embed-${name}.png`), fullPage: true });

/** Sums layout shifts from the page's first moment. */
const measureShift = (page) => page.addInitScript(() => {
  window.shift = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
});

/** Every widget's visible text, once each shows its dates. */
async function texts(page) {
  const all = {};
  for (const sku of ['EMBED-IN', 'EMBED-LOW', 'EMBED-OUT']) all[sku] = await widgetText(page, sku);
  return all;
}

/** No page error (nor unhandled rejection), and exactly one `[upfront]` warning, matching `what`. */
function assertOneWarning({ errors, warnings }, what) {
  assert.deepEqual(errors, [], 'no page errors, no unhandled rejections');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], what);
}

/** Resolves once the widget's shadow root holds nothing visible (the quiet state). */
const quiet = (page) => page.waitForFunction(() => [...document.querySelectorAll('upfront-availability')].every((el) => {
  const c = el.shadowRoot?.querySelector('.upfront');
  return c && c.innerText.trim() === '' && [...c.children].every((e) => e.getBoundingClientRect().height === 0);
}), null, { timeout: 8000 });

test('on another origin, plain and under an aggressive theme: same text, no layout shift', async () => {
  const plain = await shopPage(browser, { widgets: WIDGETS, setup: measureShift });
  const shown = await texts(plain.page);
  assert.equal(shown['EMBED-IN'].status, 'In stock');
  assert.equal(shown['EMBED-LOW'].status, 'In stock — only 2 left');
  assert.match(shown['EMBED-LOW'].promise, /^Get it /);
  assert.equal(shown['EMBED-OUT'].status, 'Out of stock');
  await plain.page.waitForTimeout(300);
  assert.ok(await plain.page.evaluate(() => window.shift) < 0.01);
  await shot(plain.page, 'plain');
  assert.deepEqual(plain.errors, []);
  assert.deepEqual(plain.warnings, []);
  await plain.page.close();

  // Global resets, !important on div, span, button and form, a huge line
  // height, uppercase and letter-spacing inherited into the widget's host.
  const themed = await shopPage(browser, {
    widgets: `<div class="product">${WIDGETS}</div>`,
    head: '<link rel="stylesheet" href="/theme.css">',
    bodyStyle: '',
    setup: measureShift,
  });
  assert.deepEqual(await texts(themed.page), shown, 'the theme changes no text');
  await themed.page.waitForTimeout(300);
  const shift = await themed.page.evaluate(() => window.shift);
  console.log(`# layout shift under the aggressive theme: ${shift}`);
  assert.ok(shift < 0.01, `layout shift ${shift}`);
  // Each widget keeps its own layout: three lines, not the theme's 60-px blocks.
  const height = await themed.page.locator('upfront-availability[sku="EMBED-IN"]').evaluate((el) => el.getBoundingClientRect().height);
  const font = await themed.page.locator('upfront-availability[sku="EMBED-IN"]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(height < 6 * font, `widget height ${height}px at font size ${font}px`);
  await shot(themed.page, 'theme');
  assert.deepEqual(themed.errors, []);
  assert.deepEqual(themed.warnings, []);
  await themed.page.close();
});

const STRICT = `default-src 'none'; script-src ${EDGE} 'wasm-unsafe-eval'; connect-src ${EDGE} ${EDGE_WS}; `
  + "style-src 'self'; require-trusted-types-for 'script'; trusted-types upfront";

test('the strictest CSP that works: no inline styles, Trusted Types required', async () => {
  const { page, errors, warnings } = await shopPage(browser, {
    widgets: WIDGETS_WITH_JSONLD, csp: STRICT, bodyStyle: '',
  });
  const shown = await texts(page);
  assert.equal(shown['EMBED-LOW'].status, 'In stock — only 2 left');
  assert.match(shown['EMBED-LOW'].promise, /^Get it /);
  // The styles apply (a constructed sheet): the status dot is drawn in its colour.
  const dot = await page.locator('upfront-availability[sku="EMBED-LOW"]').evaluate((el) => {
    const status = el.shadowRoot.querySelector('[part=status]');
    return getComputedStyle(status, '::before').backgroundColor;
  });
  assert.equal(dot, 'rgb(154, 103, 0)', 'the low-stock colour of the loader\'s CSS');
  // The JSON-LD went through the `upfront` Trusted Types policy.
  const ld = JSON.parse(await page.locator('upfront-availability[sku="EMBED-LOW"] > script[type="application/ld+json"]').textContent());
  assert.equal(ld.offers.availability, 'https://schema.org/InStock');
  await shot(page, 'csp-strict');
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  await page.close();
});

test('a CSP without wasm-unsafe-eval: the quiet state, no page error, one warning that says what to add', async () => {
  const { page, errors, warnings } = await shopPage(browser, {
    widgets: WIDGETS, csp: STRICT.replace(" 'wasm-unsafe-eval'", ''), bodyStyle: '',
  });
  await quiet(page);
  await page.waitForTimeout(500); // room for a late error or rejection
  assert.equal(await page.locator('#below').isVisible(), true);
  await shot(page, 'csp-no-wasm');
  assertOneWarning({ errors, warnings }, /^warning: \[upfront\] .*'wasm-unsafe-eval'.*script-src/);
  await page.close();
});

test('a CSP whose trusted-types list leaves upfront out: the widget still shows, one warning', async () => {
  const csp = STRICT.replace('trusted-types upfront', 'trusted-types shop-own-policy');
  const { page, errors, warnings } = await shopPage(browser, {
    widgets: WIDGETS_WITH_JSONLD, csp, bodyStyle: '',
  });
  const shown = await texts(page);
  assert.equal(shown['EMBED-LOW'].status, 'In stock — only 2 left');
  assert.match(shown['EMBED-LOW'].promise, /^Get it /);
  assert.equal(await page.locator('upfront-availability script').count(), 0, 'no JSON-LD without the policy');
  await shot(page, 'csp-no-trusted-types');
  assertOneWarning({ errors, warnings }, /trusted-types/);
  await page.close();
});

test('a CSP without the edge in connect-src: the quiet state, no page error, one warning', async () => {
  const csp = STRICT.replace(`connect-src ${EDGE} ${EDGE_WS}`, "connect-src 'self'");
  const { page, errors, warnings } = await shopPage(browser, { widgets: WIDGETS, csp, bodyStyle: '' });
  await quiet(page);
  await page.waitForTimeout(500);
  await shot(page, 'csp-no-connect');
  assertOneWarning({ errors, warnings }, /connect-src/);
  await page.close();
});

test('an origin the merchant does not list: no data, no page error', async () => {
  const frames = [];
  const { page, errors } = await shopPage(browser, {
    widgets: WIDGETS,
    origin: process.env.SHOP_FOREIGN_URL,
    setup: (p) => p.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(f.payload))),
  });
  await quiet(page);
  await page.waitForTimeout(1000); // long enough for the live socket to have tried
  assert.deepEqual(await page.locator('upfront-availability').evaluateAll((els) => els.map((el) => el.shadowRoot.textContent)), ['', '', '']);
  assert.deepEqual(frames, [], 'the live socket sends nothing to an unlisted origin');
  await shot(page, 'foreign-origin');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a repeat view takes the loader and the wasm from the cache, without asking the edge', async () => {
  const context = await browser.newContext({ viewport: { width: 480, height: 800 }, locale: 'en-US' });
  const widgetFiles = async (page) => page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => /\/widget\/v1\//.test(e.name))
    .map((e) => ({ file: e.name.split('/').pop(), transferSize: e.transferSize })));
  const cold = await shopPage(browser, { widgets: WIDGETS, context });
  await widgetText(cold.page, 'EMBED-IN');
  const first = await widgetFiles(cold.page);
  assert.equal(first.length, 2, JSON.stringify(first));
  for (const f of first) assert.ok(f.transferSize > 0, `cold view downloads ${f.file}`);
  await cold.page.goto(`${process.env.SHOP_URL}${cold.path}`);
  await widgetText(cold.page, 'EMBED-IN');
  const repeat = await widgetFiles(cold.page);
  assert.deepEqual(repeat.map((f) => f.file), first.map((f) => f.file));
  // 0 bytes transferred: served from the cache with no revalidation (a 304 would count its headers).
  for (const f of repeat) assert.equal(f.transferSize, 0, `repeat view fetched ${f.file}`);
  await shot(cold.page, 'repeat-view');
  assert.deepEqual(cold.errors, []);
  await context.close();
});
