// Debian's Chromium driven by playwright-core: no browser download needed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './edge.mjs';
import { putPage } from './shop.mjs';

export const SCREENSHOTS = join(ROOT, 'test-results');

export async function launch() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

/** The visible text of one widget's parts ('' for a part not shown). */
export async function widgetText(page, sku, selector = `upfront-availability[sku="${sku}"]`) {
  const widget = page.locator(selector);
  await widget.locator('[part=status]').waitFor({ state: 'visible', timeout: 15_000 });
  // The dates follow the status one painted frame later (the loader's
  // requestAnimationFrame → setTimeout, queued before this one).
  await widget.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done))));
  return widget.evaluate((el) => {
    const text = (part) => el.shadowRoot.querySelector(`[part=${part}]`)?.innerText.replace(/\s+/g, ' ').trim() ?? '';
    return {
      status: text('status'),
      promise: text('promise'),
      countdown: text('countdown'),
      destination: text('destination'),
      notice: text('notice'),
      notify: text('notify-form'),
    };
  });
}

/**
 * This machine has no Chinese or Japanese fonts, so screenshots would show
 * boxes. `serveCjkFonts` routes https://fonts.test/ (in a page or context)
 * to the Noto fonts of `node_modules/@fontsource`; `cjkFonts(locale)` is
 * the head to add and the font-family to end the page's with. Screenshots
 * only: the widget itself inherits the shop's fonts.
 */
export async function serveCjkFonts(target) {
  await target.route('https://fonts.test/**', (route) => route.fulfill({
    path: join(ROOT, 'node_modules/@fontsource', new URL(route.request().url()).pathname),
  }));
}
const CJK_FAMILIES = { 'noto-sans-jp': 'Noto Sans JP', 'noto-sans-sc': 'Noto Sans SC' };
export function cjkFonts(locale) {
  const packages = locale.startsWith('ja') ? ['noto-sans-jp', 'noto-sans-sc'] : ['noto-sans-sc', 'noto-sans-jp'];
  return {
    head: packages.map((p) => `<link rel="stylesheet" href="https://fonts.test/${p}/400.css">`).join(''),
    family: packages.map((p) => `'${CJK_FAMILIES[p]}'`).join(', '),
  };
}

const EDGE = process.env.EDGE_URL;
/** The README's snippet, as a merchant pastes it: the script from the edge, the one-line style. */
export const SNIPPET_HEAD = `<script type="module" src="${EDGE}/widget/v1/upfront.js" async></script>
      <style>upfront-availability:not(:defined){display:block;min-height:5em}</style>`;
let pages = 0;

/**
 * Opens a merchant's product page holding `widgets` (HTML), served by the
 * shop (tests/e2e/shop.mjs) from its own origin, never the edge's: `origin`
 * is `SHOP_URL` unless given (`SHOP_FOREIGN_URL` is an origin no merchant
 * allows). `csp` becomes the page's Content-Security-Policy header; `head`
 * and `bodyStyle` go into the page as they are; `setup(page)` runs before
 * the navigation. Answers the page and what it reported: page errors (which
 * include unhandled rejections), `[upfront]` warnings.
 */
export async function shopPage(browser, {
  widgets, locale = 'en-US', csp, head = '', bodyStyle = 'font: 16px/1.4 sans-serif; margin: 24px',
  setup, origin = process.env.SHOP_URL, viewport = { width: 480, height: 800 }, context,
}) {
  const page = await (context ?? browser).newPage(context ? undefined : { viewport, locale });
  const errors = [];
  const warnings = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.text().startsWith('[upfront]')) warnings.push(`${m.type()}: ${m.text()}`); });
  if (setup) await setup(page);
  const path = putPage(`product-${process.pid}-${pages++}`, `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>Product</title>
      ${SNIPPET_HEAD}${head}</head>
      <body style="${bodyStyle}"><main><h1>Product</h1>${widgets}<p id="below">Below the widget</p></main></body></html>`,
  csp ? { 'Content-Security-Policy': csp } : {});
  await page.goto(`${origin}${path}`);
  return { page, errors, warnings, path };
}
