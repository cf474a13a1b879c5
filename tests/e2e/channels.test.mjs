// Every channel says what the product page says: the promotion guard (its
// webhooks to a local receiver standing for the merchant's server), the
// Google Merchant Center and Meta feeds (parsed with Chromium's XML parser
// and as TSV and CSV), and the offer JSON-LD, against the widget on a
// merchant's own origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, until, operatorToken, ROOT } from './edge.mjs';
import { launch, shopPage, widgetText } from './browser.mjs';
import { crawl, served, SITE } from './site.mjs';

const EDGE = process.env.EDGE_URL;
const call = (key, method, path, body) => apiCall(EDGE, key, method, path, body);

let browser;
let receiver;
const received = [];
before(async () => {
  browser = await launch();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(200).end(); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
});
after(async () => { await browser?.close(); receiver?.close(); });

async function merchant(extra = {}) {
  const id = `chan-${randomBytes(3).toString('hex')}`;
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id, display_name: 'Channel & Co', mode: 'test',
    settings: { allowed_origins: [process.env.SHOP_URL, SITE] }, ...extra,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { id, sk: created.body.secret_key.secret, pk: created.body.publishable_key.secret };
}


const day = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Parses XML in Chromium (a real XML parser): its items, or the parser's error. */
async function parseXml(xml) {
  const page = await browser.newPage();
  try {
    return await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const error = doc.querySelector('parsererror');
      if (error) return { error: error.textContent };
      const G = 'http://base.google.com/ns/1.0';
      const one = (item, name) => item.getElementsByTagNameNS(G, name)[0]?.textContent ?? '';
      return {
        root: doc.documentElement.nodeName,
        items: [...doc.getElementsByTagName('item')].map((item) => ({
          id: one(item, 'id'), availability: one(item, 'availability'),
          availability_date: one(item, 'availability_date'), pause: one(item, 'pause'),
          shipping: [...item.getElementsByTagNameNS(G, 'shipping')].map((s) => Object.fromEntries(
            [...s.children].map((c) => [c.localName, c.textContent]))),
        })),
      };
    }, xml);
  } finally {
    await page.close();
  }
}

/** RFC 4180 CSV (quoted fields, CRLF) → objects by header. */
function parseCsv(text) {
  const rows = [];
  let row = [''];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { row[row.length - 1] += '"'; i++; } else if (c === '"') quoted = false;
      else row[row.length - 1] += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push('');
    else if (c === '\r' && text[i + 1] === '\n') { rows.push(row); row = ['']; i++; } else row[row.length - 1] += c;
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

function parseTsv(text) {
  const [header, ...data] = text.trimEnd().split('\n').map((l) => l.split('\t'));
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const GOOGLE = ['in_stock', 'out_of_stock', 'preorder', 'backorder'];
const META = ['in stock', 'out of stock', 'preorder', 'available for order', 'discontinued'];

async function feeds(sk) {
  const urls = await call(sk, 'GET', '/v1/feed-urls');
  assert.equal(urls.status, 200);
  const get = async (url) => { const res = await fetch(url); assert.equal(res.status, 200); return res.text(); };
  const xml = await get(urls.body.google_xml);
  const parsed = await parseXml(xml);
  assert.equal(parsed.error, undefined, `well-formed XML: ${parsed.error}`);
  assert.equal(parsed.root, 'rss');
  return {
    urls: urls.body,
    google: parsed.items,
    tsv: parseTsv(await get(urls.body.google_tsv)),
    meta: parseCsv(await get(urls.body.meta_csv)),
  };
}

test('the feeds follow the specs, pause what a guard stops, revalidate cheaply, and stream 20,000 SKUs', async () => {
  const m = await merchant();
  const delivery = JSON.parse(readFileSync(join(ROOT, 'edge/demo-delivery.json'), 'utf8'));
  assert.equal((await call(m.sk, 'PUT', '/v1/delivery-config', delivery)).status, 200);
  const items = [
    { sku: 'IN', on_hand: 50 },
    { sku: 'LOW', on_hand: 2, low_stock_threshold: 5 },
    { sku: 'OUT', on_hand: 0 },
    { sku: 'OUT-SOON', on_hand: 0, inbound: [{ qty: 5, arrives: day(12) }] },
    { sku: 'BACK', on_hand: 0, out_of_stock_policy: 'backorder', inbound: [{ qty: 10, arrives: day(10) }] },
    { sku: 'BACK-FAR', on_hand: 0, out_of_stock_policy: 'backorder', inbound: [{ qty: 10, arrives: day(400) }] },
    { sku: 'PRE', on_hand: 10, preorder_release: day(20) },
    { sku: 'GONE', on_hand: 3, discontinued: true },
  ];
  assert.equal((await call(m.sk, 'POST', '/v1/inventory', { items })).status, 200);
  const { urls, google, tsv, meta } = await feeds(m.sk);
  const by = (list, key = 'id') => Object.fromEntries(list.map((r) => [r[key], r]));
  const g = by(google);
  const t = by(tsv);
  const f = by(meta);
  assert.deepEqual(Object.keys(g).sort(), items.map((i) => i.sku).sort());
  for (const item of google) {
    assert.ok(GOOGLE.includes(item.availability), item.availability);
    const dated = ['preorder', 'backorder'].includes(item.availability);
    assert.equal(Boolean(item.availability_date), dated, `${item.id}: availability_date iff preorder or backorder`);
    if (dated) {
      assert.match(item.availability_date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      assert.ok(Date.parse(item.availability_date) <= Date.now() + 366 * 86_400_000, 'at most a year ahead');
    }
    // Business days from the delivery configuration: Berlin handles in 0–1, DE transit 1–3.
    const de = item.shipping.find((s) => s.country === 'DE');
    assert.deepEqual(de, { country: 'DE', service: 'Standard', min_handling_time: '0', max_handling_time: '1', min_transit_time: '1', max_transit_time: '3' });
    // The TSV says the same.
    const row = t[item.id];
    assert.equal(row.availability, item.availability);
    assert.equal(row.availability_date, item.availability_date);
    assert.ok(row['shipping(country:service:min_handling_time:max_handling_time:min_transit_time:max_transit_time)'].split(',').includes('DE:Standard:0:1:1:3'));
  }
  // One feed per target country: the default (DE) above, FR on asking.
  const fr = await parseXml(await (await fetch(`${urls.google_xml}?country=FR`)).text());
  assert.deepEqual(fr.items[0].shipping.map((s) => [s.country, s.service]), [['FR', 'Standard']]);
  assert.deepEqual(google[0].shipping.map((s) => [s.country, s.service]), [['DE', 'Standard'], ['DE', 'Express']]);
  assert.equal((await fetch(`${urls.google_xml}?country=fr`)).status, 400);
  assert.equal(g.IN.availability, 'in_stock');
  assert.equal(g.LOW.availability, 'in_stock');
  assert.equal(g.OUT.availability, 'out_of_stock');
  assert.equal(g.BACK.availability, 'backorder');
  assert.equal(g.BACK.availability_date, `${day(10)}T00:00:00+00:00`);
  assert.equal(g['BACK-FAR'].availability, 'out_of_stock', 'a backorder past a year cannot be stated');
  assert.equal(g.PRE.availability, 'preorder');
  assert.equal(g.GONE.availability, 'out_of_stock');
  for (const row of meta) assert.ok(META.includes(row.availability), row.availability);
  assert.deepEqual(
    Object.fromEntries(meta.map((r) => [r.id, [r.availability, r.quantity_to_sell_on_facebook]])),
    { IN: ['in stock', '50'], LOW: ['in stock', '2'], OUT: ['out of stock', '0'], 'OUT-SOON': ['out of stock', '0'],
      BACK: ['available for order', '0'], 'BACK-FAR': ['available for order', '0'], PRE: ['preorder', '10'], GONE: ['discontinued', '0'] },
  );
  assert.equal(f.PRE.availability_date, `${day(20)}T00:00:00+00:00`);

  // Revalidation: the same tag is a 304 until a write changes the feed.
  const first = await fetch(urls.google_xml);
  const tag = first.headers.get('etag');
  assert.match(tag, /^W\/"/);
  assert.ok(first.headers.get('last-modified'));
  await first.arrayBuffer();
  assert.equal((await fetch(urls.google_xml, { headers: { 'If-None-Match': tag } })).status, 304);
  assert.equal((await fetch(urls.google_xml, { headers: { 'If-Modified-Since': first.headers.get('last-modified') } })).status, 304);
  assert.equal((await call(m.sk, 'POST', '/v1/inventory', { items: [{ sku: 'IN', on_hand: 0 }] })).status, 200);
  const changed = await fetch(urls.google_xml, { headers: { 'If-None-Match': tag } });
  assert.equal(changed.status, 200);
  assert.match(await changed.text(), /<g:id>IN<\/g:id><g:availability>out_of_stock</);

  // A guard that stops a SKU pauses its ads in Merchant Center's feed only.
  const rules = { rules: [{ id: 'spring-sale', skus: ['LOW', 'IN'], throttle: { available: 10 }, stop: { available: 2 } }] };
  assert.equal((await call(m.sk, 'PUT', '/v1/guard-rules', rules)).status, 200);
  const paused = await feeds(m.sk);
  assert.equal(by(paused.google).LOW.pause, 'ads');
  assert.equal(by(paused.google).IN.pause, 'ads', 'IN has 0 left: stopped too');
  assert.equal(by(paused.google).PRE.pause, '');
  assert.equal(by(paused.tsv).LOW.pause, 'ads');

  // A rolled URL is dead at once; the new one works.
  const rolled = await call(m.sk, 'POST', '/v1/feed-urls/roll');
  assert.equal(rolled.status, 200);
  assert.equal((await fetch(urls.meta_csv)).status, 404);
  assert.equal((await fetch(rolled.body.meta_csv)).status, 200);
  assert.equal((await fetch(`${EDGE}/v1/feeds/ft_${m.id}.${'0'.repeat(32)}/google.xml`)).status, 404);

  // A large catalogue streams page by page: every SKU once, in order.
  const big = await merchant();
  const skus = Array.from({ length: 20_000 }, (_, i) => `BIG-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < skus.length; i += 1000) {
    const res = await call(big.sk, 'POST', '/v1/inventory', { items: skus.slice(i, i + 1000).map((sku) => ({ sku, on_hand: 5 })) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const bigUrls = (await call(big.sk, 'GET', '/v1/feed-urls')).body;
  const rows = parseCsv(await (await fetch(bigUrls.meta_csv)).text());
  assert.equal(rows.length, skus.length);
  assert.deepEqual(rows.map((r) => r.id), skus);
  const bigXml = await parseXml(await (await fetch(bigUrls.google_xml)).text());
  assert.equal(bigXml.error, undefined);
  assert.equal(bigXml.items.length, skus.length);
});

test('guard: a burst of sales throttles, then stops a low-stock SKU; signed webhooks arrive in order; a restock clears it', async () => {
  const m = await merchant();
  const endpoint = await call(m.sk, 'POST', '/v1/webhook-endpoints', {
    url: `http://127.0.0.1:${receiver.address().port}/guard/${m.id}`,
    events: ['guard.throttle', 'guard.stop', 'guard.clear'],
  });
  assert.equal(endpoint.status, 201);
  const secret = endpoint.body.secret;
  // Bad rules are refused whole, with the field named.
  const bad = await call(m.sk, 'PUT', '/v1/guard-rules', { rules: [{ id: 'flash', skus: ['FLASH'], throttle: { available: 5 }, stop: { available: 20 } }] });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, 'invalid_request');
  assert.equal(bad.body.error.param, 'rules[0].stop');
  assert.equal((await call(m.sk, 'PUT', '/v1/guard-rules', { rules: [{ id: 'Flash!', skus: ['FLASH'], throttle: { available: 5 }, stop: {} }] })).status, 422);

  assert.equal((await call(m.sk, 'POST', '/v1/inventory', { items: [{ sku: 'FLASH', on_hand: 40 }, { sku: 'CALM', on_hand: 40 }] })).status, 200);
  const rules = { rules: [{ id: 'flash-sale', skus: ['FLASH', 'CALM'], throttle: { available: 20, cover_hours: 2 }, stop: { available: 5 } }] };
  const put = await call(m.sk, 'PUT', '/v1/guard-rules', rules);
  assert.equal(put.status, 200);
  assert.deepEqual((await call(m.sk, 'GET', '/v1/guard-rules')).body, rules);
  // A checkout burst: 18 sales of 2 units, each a hold committed at payment.
  for (let i = 0; i < 18; i++) {
    const hold = await call(m.sk, 'POST', '/v1/holds', { sku: 'FLASH', qty: 2, ttl_seconds: 600 });
    assert.equal(hold.status, 201, JSON.stringify(hold.body));
    assert.equal((await call(m.sk, 'POST', `/v1/holds/${hold.body.id}/commit`)).status, 200);
  }
  const events = await until('throttle then stop', () => {
    const got = received.map((r) => ({ r, e: JSON.parse(r.body) })).filter(({ e }) => e.data?.rule === 'flash-sale');
    return got.length >= 2 && got;
  });
  assert.deepEqual(events.map(({ e }) => [e.type, e.data.sku, e.data.level]), [
    ['guard.throttle', 'FLASH', 'throttle'], ['guard.stop', 'FLASH', 'stop'],
  ]);
  for (const { r } of events) {
    const [t, v1] = r.headers['upfront-signature'].split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, createHmac('sha256', secret).update(`${t}.${r.body}`).digest('hex'), 'signed');
  }
  const stop = events[1].e.data;
  assert.equal(stop.outlook.available, 4);
  assert.ok(stop.outlook.velocity_per_hour > 20, `a burst of 36 units reads as a fast rate: ${stop.outlook.velocity_per_hour}`);
  assert.ok(stop.outlook.cover_hours < 1, 'and little cover');
  assert.ok(Date.parse(stop.ads_paused_until) - Date.parse(stop.since) === 14 * 86_400_000);
  // Where every guarded SKU stands: stopped first; CALM never moved.
  const list = await call(m.sk, 'GET', '/v1/guards');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data.map((s) => [s.sku, s.level]), [['FLASH', 'stop'], ['CALM', 'clear']]);
  // A restock: 100 on the shelf, 36 of them sold and unshipped: 64 left.
  assert.equal((await call(m.sk, 'POST', '/v1/inventory', { items: [{ sku: 'FLASH', on_hand: 100 }] })).status, 200);
  const all = await until('clear', () => {
    const got = received.map((r) => JSON.parse(r.body)).filter((e) => e.data?.rule === 'flash-sale');
    return got.length >= 3 && got;
  });
  assert.deepEqual(all.map((e) => e.type), ['guard.throttle', 'guard.stop', 'guard.clear']);
  assert.equal(all[2].data.outlook.available, 64);
  assert.equal((await call(m.sk, 'GET', '/v1/guards')).body.data.find((s) => s.sku === 'FLASH').level, 'clear');
});

test('one truth: for every demo SKU the widget, its JSON-LD, the server-rendered page, the offer endpoint and both feeds agree', async () => {
  const m = await merchant({ catalogue: 'demo' });
  const delivery = JSON.parse(readFileSync(join(ROOT, 'edge/demo-delivery.json'), 'utf8'));
  assert.equal((await call(m.sk, 'PUT', '/v1/delivery-config', delivery)).status, 200);
  const skus = (await call(m.sk, 'GET', '/v1/skus?limit=100')).body.data.map((s) => s.sku);
  assert.ok(skus.length >= 9);
  const widgets = skus.map((sku) => `<upfront-availability sku="${sku}" key="${m.pk}" jsonld="true" country="DE"></upfront-availability>`).join('\n');
  const { page, errors, path } = await shopPage(browser, { widgets });
  const { google, meta } = await feeds(m.sk);
  // The same page through the rewrite route, as a crawler reads it.
  const server = served((await crawl(path)).body);
  const g = Object.fromEntries(google.map((r) => [r.id, r]));
  const f = Object.fromEntries(meta.map((r) => [r.id, r]));
  const toGoogle = { InStock: 'in_stock', OutOfStock: 'out_of_stock', Discontinued: 'out_of_stock', PreOrder: 'preorder', BackOrder: 'backorder' };
  const toMeta = { InStock: 'in stock', OutOfStock: 'out of stock', Discontinued: 'discontinued', PreOrder: 'preorder', BackOrder: 'available for order' };
  // The widget's English copy (widget/src/copy.rs) for each schema.org value.
  const statusWords = { InStock: /^(In stock|Only \d+ left)/, OutOfStock: /^Out of stock/, Discontinued: /^No longer available$/, PreOrder: /^Preorder/, BackOrder: /^Backordered/ };
  for (const sku of skus) {
    const shown = await widgetText(page, sku);
    const ld = JSON.parse(await page.locator(`upfront-availability[sku="${sku}"] > script[type="application/ld+json"]`).textContent());
    const offer = await call(m.pk, 'GET', `/v1/availability/${sku}/offer?country=DE`);
    assert.equal(offer.status, 200);
    const word = offer.body.offers.availability.replace('https://schema.org/', '');
    assert.equal(ld.offers.availability, offer.body.offers.availability, `${sku}: the widget's JSON-LD and the offer`);
    assert.match(shown.status, statusWords[word], `${sku}: the widget shows ${word}`);
    assert.equal(server[sku].status, shown.status, `${sku}: the server-rendered status`);
    assert.equal(server[sku].ld.offers.availability, offer.body.offers.availability, `${sku}: the server-rendered JSON-LD`);
    assert.equal(server[sku].ld.offers.availabilityStarts, offer.body.offers.availabilityStarts);
    const dated = g[sku].availability_date;
    assert.equal(g[sku].availability, toGoogle[word], `${sku}: Google feed`);
    assert.equal(f[sku].availability, toMeta[word], `${sku}: Meta feed`);
    if (dated) {
      assert.equal(dated.slice(0, 10), offer.body.offers.availabilityStarts, `${sku}: availability_date`);
      assert.equal(f[sku].availability_date, dated);
    }
    assert.deepEqual(
      offer.body.offers.shippingDetails?.deliveryTime?.transitTime,
      ld.offers.shippingDetails?.deliveryTime?.transitTime,
      `${sku}: the same transit time`,
    );
  }
  assert.deepEqual(errors, []);
  await page.close();
});
