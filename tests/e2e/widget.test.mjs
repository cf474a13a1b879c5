// The widget in real Chromium against the real edge, on product pages of the
// merchant's own origin: languages, quantity, postal code, countdown, notices,
// back-in-stock form, JSON-LD, and that it never hurts the host page (API
// down, hostile notice text, layout shift, accessibility). Each test saves a
// screenshot. Embedding under strict CSPs and hostile themes: embed.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACME, ROOT, configureAcme, setStock } from './edge.mjs';
import { launch, shopPage, widgetText, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
const HOUR = 3_600_000;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** ACME ships from Reno with a 15:00 cutoff; `notices` are optional delay notices. */
const configure = (notices) => configureAcme(EDGE, notices);

/** A product page on the shop's origin (not the edge's) holding `widgets` (HTML), with optional CSP. */
const productPage = (options) => shopPage(browser, options);
const widget = (sku, attrs = '') => `<upfront-availability sku="${sku}" key="${ACME.publishableKey}" ${attrs}></upfront-availability>`;
const shot = (page, name) => page.screenshot({ path: join(SCREENSHOTS, `widget-${name}.png`) });

test('Russian counts take their three plural forms, dates come from Intl', async () => {
  await configure();
  const cases = [[1, 'В наличии — осталась 1 штука'], [3, 'В наличии — осталось 3 штуки'], [5, 'В наличии — осталось 5 штук'], [21, 'В наличии — осталась 21 штука']];
  await setStock(EDGE, cases.map(([n]) => ({ sku: `RU-${n}`, on_hand: n, low_stock_threshold: 30 })), ACME.secretKey);
  const { page, errors } = await productPage({ widgets: cases.map(([n]) => widget(`RU-${n}`)).join(''), locale: 'ru-RU' });
  for (const [n, want] of cases) assert.equal((await widgetText(page, `RU-${n}`)).status, want);
  const { promise } = await widgetText(page, 'RU-3');
  assert.match(promise, /^Доставка (завтра|[а-я]{2}, \d{1,2} [а-я]+\.?)/, promise);
  await shot(page, 'ru');
  assert.deepEqual(errors, []);
  await page.close();
});

test('German copy and dates; an unsupported language falls back to English as a whole', async () => {
  await setStock(EDGE, [{ sku: 'DE-1', on_hand: 50 }], ACME.secretKey);
  const de = await productPage({ widgets: widget('DE-1'), locale: 'de-DE' });
  const german = await widgetText(de.page, 'DE-1');
  assert.equal(german.status, 'Auf Lager');
  assert.match(german.promise, /^Lieferung /);
  await shot(de.page, 'de');
  await de.page.close();
  const pt = await productPage({ widgets: widget('DE-1'), locale: 'pt-BR' });
  const english = await widgetText(pt.page, 'DE-1');
  assert.equal(english.status, 'In stock');
  assert.match(english.promise, /^Get it (tomorrow|\w{3}, \w{3} \d{1,2})/);
  await pt.page.close();
  // Traditional Chinese: English as a whole, never Simplified words around Traditional dates.
  const tw = await productPage({ widgets: widget('DE-1'), locale: 'zh-TW' });
  const traditional = await widgetText(tw.page, 'DE-1');
  assert.equal(traditional.status, 'In stock');
  assert.match(traditional.promise, /^Get it (tomorrow|\w{3}, \w{3} \d{1,2})/);
  await tw.page.close();
});

test('qty above what is available says so, and qty-input follows the page field live', async () => {
  await setStock(EDGE, [{ sku: 'QTY-3', on_hand: 3 }], ACME.secretKey);
  const { page, errors } = await productPage({
    widgets: `${widget('QTY-3', 'qty-input="#qty"')}<input id="qty" type="number" value="1">${widget('QTY-3', 'qty="5" id="five"')}`,
  });
  assert.equal((await widgetText(page, null, '#five')).status, 'Only 3 available');
  assert.equal((await widgetText(page, null, '#five')).promise, '');
  const live = 'upfront-availability[qty-input]';
  assert.equal((await widgetText(page, null, live)).status, 'In stock — only 3 left');
  await page.fill('#qty', '4');
  await page.waitForFunction((sel) => document.querySelector(sel).shadowRoot.querySelector('[part=status]')?.innerText.startsWith('Only'), live);
  assert.equal((await widgetText(page, null, live)).status, 'Only 3 available');
  await page.fill('#qty', '2');
  await page.waitForFunction((sel) => document.querySelector(sel).shadowRoot.querySelector('[part=status]')?.innerText.startsWith('In stock'), live);
  await shot(page, 'qty');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the postal code is validated per country, remembered, and asked with', async () => {
  await setStock(EDGE, [{ sku: 'POSTAL-1', on_hand: 50 }], ACME.secretKey);
  const { page, errors } = await productPage({ widgets: widget('POSTAL-1', 'country="US"') });
  const root = page.locator('upfront-availability');
  assert.equal((await widgetText(page, 'POSTAL-1')).destination, 'Add postal code');
  await root.locator('button[part=destination]').click();
  const field = root.locator('input[name=postal-code]');
  await assert.doesNotReject(field.waitFor());
  assert.equal(await field.evaluate((el) => el === el.getRootNode().activeElement), true, 'the field has focus');
  await field.fill('ABC');
  await field.press('Enter');
  assert.match(await root.locator('[role=alert]').innerText(), /^Check the postal code, e\.g\. 12345/);
  await shot(page, 'postal-invalid');
  const asked = page.waitForRequest((r) => r.url().includes('postal_code=94105'));
  await field.fill('94105');
  await field.press('Enter');
  assert.match((await asked).url(), /country=US&postal_code=94105/);
  await page.waitForFunction(() => document.querySelector('upfront-availability').shadowRoot.querySelector('[part=destination]')?.innerText.includes('94105'));
  assert.equal(await page.evaluate(() => localStorage.getItem('upfront:destination')), 'US:94105');
  // A new page view asks with the remembered code from its very first request.
  const first = page.waitForRequest((r) => r.url().includes('/v1/availability/POSTAL-1'));
  await page.reload();
  assert.match((await first).url(), /postal_code=94105/);
  assert.equal((await widgetText(page, 'POSTAL-1')).destination, 'Deliver to 94105');
  await shot(page, 'postal-saved');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the countdown ticks to the cutoff, then rolls to the next window without a reload', async () => {
  await setStock(EDGE, [{ sku: 'CUTOFF-1', on_hand: 50 }], ACME.secretKey);
  const answer = await (await fetch(`${EDGE}/v1/availability/CUTOFF-1?key=${ACME.publishableKey}`)).json();
  const orderBy = Date.parse(answer.delivery_options[0].order_by);
  const { page, errors } = await productPage({
    widgets: widget('CUTOFF-1'),
    // Start the page's clock 90 minutes before the cutoff.
    setup: (p) => p.clock.install({ time: orderBy - 90 * 60_000 }),
  });
  const before = await widgetText(page, 'CUTOFF-1');
  assert.match(before.countdown, /^Order within 1 hr, 30 min$/);
  await page.clock.runFor(60_000);
  assert.match((await widgetText(page, 'CUTOFF-1')).countdown, /^Order within 1 hr, 29 min$/);
  // The edge's own clock still says the real time: the answer it gives after the
  // rollover has the same cutoff, so move the edge past it by faking the answer's.
  await page.route(`${EDGE}/v1/availability/CUTOFF-1**`, async (route) => {
    const response = await route.fetch();
    const real = await response.json();
    const next = structuredClone(real);
    const o = next.delivery_options[0];
    const plus = (d, n) => new Date(Date.parse(d) + n * 86_400_000).toISOString().slice(0, 10);
    o.order_by = new Date(orderBy + 24 * HOUR).toISOString();
    [o.ship_date, o.earliest, o.most_likely, o.latest] = [plus(o.ship_date, 1), plus(o.earliest, 1), plus(o.most_likely, 1), plus(o.latest, 1)];
    next.delivery = { earliest: o.earliest, most_likely: o.most_likely, latest: o.latest };
    await route.fulfill({ response, json: next }); // the edge's headers, its CORS grant among them
  });
  await page.clock.runFor(90 * 60_000);
  await page.waitForFunction(() => /^Order within 2\d hr/.test(document.querySelector('upfront-availability').shadowRoot.querySelector('[part=countdown]')?.innerText ?? ''));
  const after = await widgetText(page, 'CUTOFF-1');
  assert.notEqual(after.promise, before.promise, 'the window rolled to the next day');
  await shot(page, 'countdown-rolled');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without Intl.DurationFormat the countdown is left out, never a dangling "Order within"', async () => {
  await configure();
  await setStock(EDGE, [{ sku: 'CUTOFF-2', on_hand: 50 }], ACME.secretKey);
  const answer = await (await fetch(`${EDGE}/v1/availability/CUTOFF-2?key=${ACME.publishableKey}`)).json();
  const orderBy = Date.parse(answer.delivery_options[0].order_by);
  for (const [locale, phrase] of [['en-US', 'Order within'], ['zh-CN', '内下单']]) {
    const { page, errors } = await productPage({
      widgets: widget('CUTOFF-2'),
      locale,
      // Chrome before 129, Firefox before 136, Safari before 16.4.
      setup: async (p) => {
        await p.clock.install({ time: orderBy - 90 * 60_000 });
        await p.addInitScript(() => { delete Intl.DurationFormat; });
      },
    });
    const shown = await widgetText(page, 'CUTOFF-2');
    assert.notEqual(shown.promise, '', 'the dates still show');
    assert.equal(shown.countdown, '');
    const all = await page.locator('upfront-availability').evaluate((el) => el.shadowRoot.textContent);
    assert.ok(!all.includes(phrase), `${locale}: ${all}`);
    await shot(page, `no-duration-format-${locale}`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('the plural form follows the number shown, not the raw value', async () => {
  await setStock(EDGE, [{ sku: 'RU-FRACTION', on_hand: 2, low_stock_threshold: 30 }], ACME.secretKey);
  const { page, errors } = await productPage({
    widgets: widget('RU-FRACTION'),
    locale: 'ru-RU',
    // An answer whose count is not whole (1.5 shows as "1").
    setup: (p) => p.route('**/v1/availability/RU-FRACTION**', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), available: 1.5, display_count: 1.5 } });
    }),
  });
  assert.equal((await widgetText(page, 'RU-FRACTION')).status, 'В наличии — осталась 1 штука');
  assert.deepEqual(errors, []);
  await page.unrouteAll({ behavior: 'ignoreErrors' }); // a late refresh must not outlive the page
  await page.close();
});

test('a merchant notice shows as text, never as markup, in the shopper\'s language', async () => {
  const now = Date.now();
  await configure([{
    id: 'storm', extra_days: 2, starts_at: new Date(now - HOUR).toISOString(), ends_at: new Date(now + 24 * HOUR).toISOString(),
    message: 'Storm <img src=x onerror=alert(1)> delays', messages: { de: 'Sturm <b>verzögert</b>', fr: 'Tempête dans le nord', ja: '嵐による遅延' },
  }]);
  await setStock(EDGE, [{ sku: 'NOTICE-1', on_hand: 50 }], ACME.secretKey);
  const dialogs = [];
  const { page, errors } = await productPage({ widgets: widget('NOTICE-1') });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const { notice } = await widgetText(page, 'NOTICE-1');
  assert.equal(notice, 'Notice: Storm <img src=x onerror=alert(1)> delays');
  assert.equal(await page.locator('upfront-availability').evaluate((el) => el.shadowRoot.querySelectorAll('img').length), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  await shot(page, 'notice-xss');
  await page.close();
  const de = await productPage({ widgets: widget('NOTICE-1'), locale: 'de-DE' });
  assert.equal((await widgetText(de.page, 'NOTICE-1')).notice, 'Hinweis: Sturm <b>verzögert</b>');
  await de.page.close();
  // Each language's own separator after the screen-reader label.
  const fr = await productPage({ widgets: widget('NOTICE-1'), locale: 'fr-FR' });
  const frNotice = await fr.page.locator('upfront-availability [part=notice]').evaluate((el) => el.textContent);
  assert.equal(frNotice, 'Information\u202F: Tempête dans le nord', 'a narrow no-break space before the colon');
  await fr.page.close();
  const ja = await productPage({ widgets: widget('NOTICE-1'), locale: 'ja-JP' });
  await widgetText(ja.page, 'NOTICE-1');
  // textContent, as a screen reader reads it (innerText puts the flex gap in as a space).
  assert.equal(await ja.page.locator('upfront-availability [part=notice]').evaluate((el) => el.textContent), 'お知らせ：嵐による遅延');
  await ja.page.close();
  assert.deepEqual(errors, []);
  await configure();
});

test('"Notify me when it\'s back" stores a subscription once', async () => {
  await setStock(EDGE, [{ sku: 'GONE-1', on_hand: 0 }], ACME.secretKey);
  const { page, errors } = await productPage({ widgets: widget('GONE-1') });
  const root = page.locator('upfront-availability');
  assert.equal((await widgetText(page, 'GONE-1')).status, 'Out of stock');
  await root.locator('button[part=notify-form]').click();
  await root.locator('input[type=email]').fill('not-an-email');
  await root.locator('form[part=notify-form] button').click();
  assert.equal(await root.locator('[role=status]').count(), 0, 'the browser refuses a bad address first');
  await root.locator('input[type=email]').fill('shopper@example.com');
  const posted = page.waitForResponse((r) => r.url().includes('/v1/subscriptions'));
  await root.locator('form[part=notify-form] button').click();
  assert.equal((await posted).status(), 202);
  await root.locator('[role=status]').waitFor();
  assert.equal((await widgetText(page, 'GONE-1')).notify, "We'll let you know");
  await shot(page, 'notify');
  const again = await fetch(`${EDGE}/v1/subscriptions?key=${ACME.publishableKey}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sku: 'GONE-1', email: 'shopper@EXAMPLE.com' }),
  });
  assert.equal(again.status, 202, 'the same address again: the same answer, nothing changes');
  assert.deepEqual(await again.json(), { sku: 'GONE-1', subscribed: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('JSON-LD in the light DOM states what the widget shows', async () => {
  await configure();
  await setStock(EDGE, [{ sku: 'LD-1', on_hand: 2 }], ACME.secretKey);
  const { page, errors } = await productPage({ widgets: widget('LD-1', 'jsonld="true" country="US"') });
  const shown = await widgetText(page, 'LD-1');
  const ld = JSON.parse(await page.locator('upfront-availability > script[type="application/ld+json"]').textContent());
  assert.equal(ld['@type'], 'Product');
  assert.equal(ld.sku, 'LD-1');
  assert.equal(ld.offers.availability, 'https://schema.org/InStock');
  assert.equal(shown.status, 'In stock — only 2 left');
  const time = ld.offers.shippingDetails.deliveryTime;
  assert.equal(time.transitTime.unitCode, 'DAY');
  assert.match(time.cutoffTime, /^\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(ld.offers.shippingDetails.shippingDestination.addressCountry, 'US');
  // The promise shown, for the checkout to send back with the order.
  const token = await page.locator('upfront-availability[sku="LD-1"]').getAttribute('data-promise-token');
  assert.match(token ?? '', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  assert.ok(Buffer.from(token.split('.')[0], 'base64url').toString().startsWith('LD-1|1|US|'));
  // The shown window is today + handling + transit, as the browser formats it.
  const dates = await page.evaluate(({ handling, transit }) => {
    const day = (n) => { const d = new Date(); d.setHours(12, 0, 0, 0); d.setDate(d.getDate() + n); return d; };
    const f = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric' });
    return [f.format(day(handling + transit.minValue)), f.format(day(handling + transit.maxValue))];
  }, { handling: time.handlingTime.minValue, transit: time.transitTime });
  for (const d of dates) assert.ok(shown.promise.includes(d.split(', ')[1]), `${shown.promise} shows ${d}`);
  await setStock(EDGE, [{ sku: 'LD-1', on_hand: 0 }], ACME.secretKey);
  const gone = await productPage({ widgets: widget('LD-1', 'jsonld="true"') });
  await widgetText(gone.page, 'LD-1');
  const out = JSON.parse(await gone.page.locator('upfront-availability > script[type="application/ld+json"]').textContent());
  assert.equal(out.offers.availability, 'https://schema.org/OutOfStock');
  await gone.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('stale stock reads "Confirming availability…" and promises nothing', async () => {
  await setStock(EDGE, [{ sku: 'STALE-1', on_hand: 50 }], ACME.secretKey);
  // The edge marks an answer stale when the merchant's data is older than its
  // freshness limit (30 days for the local merchants); flag a real answer so.
  const { page, errors } = await productPage({
    widgets: widget('STALE-1'),
    setup: (p) => p.route('**/v1/availability/STALE-1**', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), stale: true } });
    }),
  });
  const shown = await widgetText(page, 'STALE-1');
  assert.equal(shown.status, 'Confirming availability…');
  assert.equal(shown.promise, '');
  assert.equal(shown.countdown, '');
  await shot(page, 'stale');
  assert.deepEqual(errors, []);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});

test('API down, slow or answering garbage: a quiet empty widget, no page errors', async () => {
  await setStock(EDGE, [{ sku: 'DOWN-1', on_hand: 5 }], ACME.secretKey);
  // Granted to the shop's origin, as the edge would: the widget must read these bodies.
  const headers = { 'Access-Control-Allow-Origin': process.env.SHOP_URL };
  const cases = {
    down: (route) => route.abort('connectionrefused'),
    garbage: (route) => route.fulfill({ status: 200, headers, contentType: 'application/json', body: '{"status":"sold_out","available":"many"}' }),
    'not json': (route) => route.fulfill({ status: 200, headers, contentType: 'application/json', body: '<html>proxy error' }),
    error: (route) => route.fulfill({ status: 500, headers, body: 'oops' }),
    slow: async (route) => { await new Promise((r) => setTimeout(r, 5000)); route.fulfill({ status: 200, headers, json: {} }).catch(() => {}); },
  };
  for (const [name, handler] of Object.entries(cases)) {
    const { page, errors } = await productPage({
      widgets: widget('DOWN-1'),
      setup: (p) => p.route('**/v1/availability/**', handler),
    });
    // Quiet: the skeleton goes, nothing else shows.
    await page.waitForFunction(() => {
      const c = document.querySelector('upfront-availability').shadowRoot.querySelector('.upfront');
      return c && c.innerText.trim() === '' && [...c.children].every((e) => e.getBoundingClientRect().height === 0);
    }, null, { timeout: 8000 });
    assert.equal(await page.locator('#below').isVisible(), true, name);
    assert.deepEqual(errors, [], name);
    await shot(page, `api-${name.replace(' ', '-')}`);
    await page.close();
  }
});

test('axe-core finds no accessibility violations, closed or with the forms open', async () => {
  await setStock(EDGE, [{ sku: 'AXE-IN', on_hand: 2 }, { sku: 'AXE-OUT', on_hand: 0 }], ACME.secretKey);
  const { page } = await productPage({ widgets: widget('AXE-IN', 'country="US"') + widget('AXE-OUT') });
  await widgetText(page, 'AXE-IN');
  await widgetText(page, 'AXE-OUT');
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const audit = () => page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(await audit(), []);
  await page.locator('upfront-availability[sku="AXE-IN"] button[part=destination]').click();
  await page.locator('upfront-availability[sku="AXE-OUT"] button[part=notify-form]').click();
  assert.deepEqual(await audit(), []);
  await shot(page, 'axe-forms-open');
  await page.close();
});

test('the stock status is painted first, the dates one frame later', async () => {
  await configure();
  await setStock(EDGE, [{ sku: 'FIRST-1', on_hand: 50 }], ACME.secretKey);
  const { page, errors } = await productPage({
    widgets: widget('FIRST-1'),
    // Records, at every change in the shadow root, what is shown and how many frames have run.
    setup: (p) => p.addInitScript(() => {
      window.seen = [];
      let frames = 0;
      const tick = () => { frames++; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      customElements.whenDefined('upfront-availability').then(() => {
        const root = document.querySelector('upfront-availability').shadowRoot;
        new MutationObserver(() => {
          const text = (part) => (root.querySelector(`[part=${part}]`)?.textContent ?? '').trim();
          seen.push({ status: text('status') !== '', promise: text('promise') !== '', frames });
        }).observe(root, { subtree: true, childList: true, characterData: true });
      });
    }),
  });
  assert.match((await widgetText(page, 'FIRST-1')).promise, /^Get it /);
  const seen = await page.evaluate(() => window.seen);
  const status = seen.find((s) => s.status);
  const dates = seen.find((s) => s.promise);
  assert.equal(status.promise, false, 'the status came alone');
  assert.ok(dates.frames > status.frames, `the dates came in a later frame: ${JSON.stringify(seen)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the widget reserves its height: layout shift below 0.01', async () => {
  await setStock(EDGE, [{ sku: 'CLS-1', on_hand: 50 }, { sku: 'CLS-2', on_hand: 0 }, { sku: 'CLS-3', on_hand: 2 }], ACME.secretKey);
  const { page } = await productPage({
    widgets: widget('CLS-1') + widget('CLS-2') + widget('CLS-3', 'qty="5"'),
    setup: (p) => p.addInitScript(() => {
      window.shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.shift += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    }),
  });
  for (const sku of ['CLS-1', 'CLS-2', 'CLS-3']) await widgetText(page, sku);
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.shift);
  console.log(`# cumulative layout shift: ${shift}`);
  assert.ok(shift < 0.01, `layout shift ${shift}`);
  await page.close();
});
