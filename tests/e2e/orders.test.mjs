// Orders keep their promise, on the real edge and mail path: a merchant is
// onboarded, orders come in with the promise their buyers saw, and the
// promise watcher, the FTC option workflow, the buyer's page and the
// notices are driven as a merchant and a buyer would. Days pass through the
// test-only clock (`POST /v1/test/clock`, a 404 on deploys).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { apiCall, operatorToken, pooledPoster, ROOT } from './edge.mjs';
import { mailTo, sentMessages } from './mailbox.mjs';
import { launch, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
const LOG = process.env.EDGE_LOG;
const DAY = 86_400;

const call = (key, method, path, body) => apiCall(EDGE, key, method, path, body);
const address = (name) => `${name}-${randomBytes(4).toString('hex')}@example.com`;
/** `YYYY-MM-DD`, `days` after today (UTC: these merchants have no warehouse zone). */
const day = (days, from = new Date()) => new Date(from.getTime() + days * DAY * 1000).toISOString().slice(0, 10);

/** A merchant of its own for each test: its own clock. */
async function merchant() {
  const id = `ord-${randomBytes(3).toString('hex')}`;
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', { id, display_name: 'Acme Tools', mode: 'test' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sk = created.body.secret_key.secret;
  return {
    id, sk, pk: created.body.publishable_key.secret,
    stock: async (items) => assert.equal((await call(sk, 'POST', '/v1/inventory', { items })).status, 200),
    order: (body) => call(sk, 'POST', '/v1/orders', body),
    get: (orderId) => call(sk, 'GET', `/v1/orders/${orderId}`),
    /** Days pass on this merchant's order clock; the watcher looks, as its daily alarm does. */
    advance: async (days) => {
      const res = await call(operatorToken(), 'POST', '/v1/test/clock', { merchant: id, advance_seconds: Math.round(days * DAY) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    },
  };
}

/** Posts the order page's form as the browser does, without JavaScript. */
const answer = (statusUrl, answerWord, notice) => fetch(statusUrl, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `answer=${answerWord}&notice=${notice}`,
});

const noticesTo = (email) => sentMessages(LOG).filter((m) => m.headers.to === `<${email}>`);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an order on time gets nothing; a stock loss sends one notice per order, in en and ru, within a minute', async () => {
  const m = await merchant();
  await m.stock([{ sku: 'KETTLE', on_hand: 10 }]);
  const ada = address('ada');
  const ivan = address('ivan');
  const base = { lines: [{ sku: 'KETTLE', qty: 2 }], payment: 'card', ship_by: day(5), delay_discount_code: 'SORRY15' };
  const first = await m.order({ ...base, id: 'A-1', email: ada, locale: 'en-US' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.status, 'awaiting_shipment');
  assert.equal(first.body.obligation.ship_by, day(5));
  assert.equal(first.body.promise_source, 'stated');
  assert.match(first.body.status_url, /\/v1\/order-status\/ot_ord-[0-9a-f]{6}\.[0-9a-f]{32}$/);
  assert.equal((await m.order({ ...base, id: 'B-1', email: ivan, locale: 'ru' })).status, 201);
  // The same order again is answered, not duplicated; another under its id is refused.
  const again = await m.order({ ...base, id: 'A-1', email: ada, locale: 'en-US' });
  assert.deepEqual([again.status, again.body.id, again.body.status_url], [200, 'A-1', first.body.status_url]);
  const clash = await m.order({ ...base, id: 'A-1', email: ada, lines: [{ sku: 'KETTLE', qty: 3 }] });
  assert.deepEqual([clash.status, clash.body.error.code, clash.body.error.param], [409, 'order_exists', 'id']);
  const unknown = await m.order({ ...base, id: 'C-1', email: ada, lines: [{ sku: 'NOPE', qty: 1 }] });
  assert.deepEqual([unknown.status, unknown.body.error.code, unknown.body.error.param], [422, 'invalid_request', 'lines[0].sku']);

  // Stock moves but still covers both: nothing is sent.
  await m.stock([{ sku: 'KETTLE', on_hand: 6 }]);
  await m.advance(1);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual([noticesTo(ada).length, noticesTo(ivan).length], [0, 0]);
  assert.equal((await m.get('A-1')).body.status, 'awaiting_shipment');

  // A recount finds 2 (enough for the older order only), with 10 arriving in 12 days.
  const lost = Date.now();
  await m.stock([{ sku: 'KETTLE', on_hand: 2, inbound: [{ qty: 10, arrives: day(13) }] }]);
  const [ru] = await mailTo(LOG, ivan, 1, 60_000);
  const tookMs = Date.now() - lost;
  assert.ok(tookMs < 60_000, `${tookMs} ms`);
  assert.equal(ru.headers.subject, 'Ваш заказ B-1 в магазине Acme Tools задерживается');
  assert.equal(ru.headers['content-language'], 'ru');
  assert.equal(ru.headers['list-unsubscribe'], undefined, 'a legal notice is not unsubscribable mail');
  assert.match(ru.text, /Теперь мы рассчитываем отправить его до \d+ [а-я]+ \d{4} г\./);
  assert.match(ru.text, /Если мы не получим ответа до конца дня/);
  assert.ok(ru.text.includes('SORRY15'));
  const order = (await m.get('B-1')).body;
  assert.ok(ru.text.includes(order.status_url), 'the notice links to the order page');
  assert.equal(order.status, 'awaiting_answer');
  assert.equal(order.obligation.stage, 'noticed');
  assert.equal(order.notices.length, 1);
  assert.equal(order.notices[0].revised, day(13));
  assert.equal((await m.get('A-1')).body.status, 'awaiting_shipment', 'the older order keeps its units');

  // Now the older order loses its units too: one notice in English.
  await m.stock([{ sku: 'KETTLE', on_hand: 0, inbound: [{ qty: 10, arrives: day(13) }] }]);
  const [en] = await mailTo(LOG, ada, 1, 60_000);
  assert.equal(en.headers.subject, 'Your order A-1 from Acme Tools is delayed');
  assert.match(en.text, /We cannot ship your order A-1 by [A-Z][a-z]+ \d+, \d{4} as we said\. We now expect to ship it by/);
  assert.ok(en.html.includes('Acme Tools'));

  // The same breach, repeated by more changes: still one notice each.
  for (const on_hand of [1, 0, 1]) await m.stock([{ sku: 'KETTLE', on_hand, inbound: [{ qty: 10, arrives: day(13) }] }]);
  await m.advance(1);
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual([noticesTo(ada).length, noticesTo(ivan).length], [1, 1]);
  const log = await call(m.sk, 'GET', '/v1/emails');
  assert.equal(log.body.data.filter((e) => e.kind === 'order_delayed').length, 2);
});

test('the buyer agrees on the order page without JavaScript, and the page passes axe; a cancel leads to refund_due', async () => {
  const m = await merchant();
  await m.stock([{ sku: 'LAMP', on_hand: 1, inbound: [{ qty: 5, arrives: day(20) }] }]);
  const keep = address('keep');
  const quit = address('quit');
  for (const [id, email] of [['K-1', keep], ['Q-1', quit]]) {
    assert.equal((await m.order({ id, lines: [{ sku: 'LAMP', qty: 1 }], payment: 'card', email, ship_by: day(3) })).status, 201);
  }
  // K-1 has the one lamp; Q-1 waits for the arrival in 20 days: noticed at once.
  const [notice] = await mailTo(LOG, quit, 1, 60_000);
  const statusUrl = /(http:\/\/\S+\/v1\/order-status\/\S+)/.exec(notice.text)?.[1];
  assert.ok(statusUrl, notice.text);

  // The page: JavaScript on only to run axe over it.
  const audit = await browser.newContext({ bypassCSP: true });
  const page = await audit.newPage();
  await page.goto(statusUrl);
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(violations, []);
  await page.screenshot({ path: join(SCREENSHOTS, 'order-page-noticed.png'), fullPage: true });
  await audit.close();

  // The buyer, without JavaScript: opening the page changed nothing; the button does.
  assert.equal((await m.get('Q-1')).body.status, 'awaiting_answer');
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const buyer = await plain.newPage();
  await buyer.goto(statusUrl);
  assert.equal(await buyer.locator('h1').innerText(), 'Order Q-1');
  await buyer.getByRole('button', { name: 'Agree to the delay' }).click();
  await buyer.getByRole('status').waitFor();
  assert.match(await buyer.getByRole('status').innerText(), /Thank you/);
  assert.equal(await buyer.getByRole('button', { name: 'Agree to the delay' }).count(), 0, 'nothing left to answer');
  await plain.close();
  const kept = (await m.get('Q-1')).body;
  assert.deepEqual([kept.status, kept.obligation.stage, kept.obligation.deemed], ['delayed', 'consented', false]);
  // The link works once: answering again is refused, and the page says where the order stands.
  const twice = await answer(statusUrl, 'cancel', 1);
  assert.equal(twice.status, 409);

  // Another buyer cancels from the link: refund due within 7 working days.
  await m.stock([{ sku: 'LAMP', on_hand: 0, inbound: [{ qty: 5, arrives: day(20) }] }]);
  const [second] = await mailTo(LOG, keep, 1, 60_000);
  const keepUrl = /(http:\/\/\S+\/v1\/order-status\/\S+)/.exec(second.text)[1];
  const cancelled = await answer(keepUrl, 'cancel', 1);
  assert.equal(cancelled.status, 200);
  assert.match(await cancelled.text(), /Your order is cancelled\. Your refund is due by/);
  const order = (await m.get('K-1')).body;
  assert.equal(order.status, 'refund_due');
  assert.equal(order.obligation.by, 'buyer');
  const refunds = await call(m.sk, 'GET', '/v1/orders?status=refund_due');
  assert.deepEqual(refunds.body.data.map((o) => o.id), ['K-1']);
  assert.equal((await call(m.sk, 'POST', '/v1/orders/K-1/refund')).body.status, 'refunded');
  // The app's view: the same order, with the buyer's token.
  const token = keepUrl.split('/').pop();
  const app = await call(token, 'GET', '/v1/orders/K-1');
  assert.deepEqual([app.status, app.body.status], [200, 'refunded']);
  assert.equal((await call(token, 'GET', '/v1/orders/Q-1')).status, 404, 'a token opens its own order only');
});

test('a 45-day delay without an answer is cancelled on day 30 of the delay; silence never consents to it', async () => {
  const m = await merchant();
  await m.stock([{ sku: 'SOFA', on_hand: 0, inbound: [{ qty: 3, arrives: day(50) }] }]);
  const buyer = address('sofa');
  const created = await m.order({ id: 'S-1', lines: [{ sku: 'SOFA', qty: 1 }], payment: 'card', email: buyer, ship_by: day(5) });
  assert.equal(created.status, 201);
  const [notice] = await mailTo(LOG, buyer, 1, 60_000);
  assert.match(notice.text, /If you have not agreed by the end of .*, we will cancel the order and refund you in full\./);
  const stated = (await m.get('S-1')).body.notices[0];
  assert.deepEqual([stated.silence_consents_after, stated.cancel_on], [null, day(35)]);
  // Day 29 of the delay (34 days on): still waiting for an answer.
  await m.advance(34);
  assert.equal((await m.get('S-1')).body.status, 'awaiting_answer');
  await m.advance(1);
  const order = (await m.get('S-1')).body;
  assert.deepEqual([order.status, order.obligation.by, order.obligation.on], ['refund_due', 'no_consent', day(35)]);
});

test('a consented date that slips gets a renewed notice before it passes, and then only express consent keeps the order', async () => {
  const m = await merchant();
  await m.stock([{ sku: 'DESK', on_hand: 0, inbound: [{ qty: 2, arrives: day(10) }] }]);
  const buyer = address('desk');
  await m.order({ id: 'D-1', lines: [{ sku: 'DESK', qty: 1 }], payment: 'card', email: buyer, ship_by: day(4), locale: 'de' });
  const [first] = await mailTo(LOG, buyer, 1, 60_000);
  assert.equal(first.headers.subject, 'Ihre Bestellung D-1 bei Acme Tools verzögert sich');
  // Silence until the original date is consent to a delay of at most 30 days.
  await m.advance(5);
  const consented = (await m.get('D-1')).body;
  assert.deepEqual([consented.status, consented.obligation.deemed], ['delayed', true]);
  // Two days before the revised date, the supplier slips by two weeks.
  await m.advance(3);
  await m.stock([{ sku: 'DESK', on_hand: 0, inbound: [{ qty: 2, arrives: day(24) }] }]);
  const mail = await mailTo(LOG, buyer, 2, 60_000);
  assert.equal(mail[1].headers.subject, 'Ihre Bestellung D-1 bei Acme Tools verzögert sich erneut');
  const renewed = (await m.get('D-1')).body;
  const latest = renewed.notices.at(-1);
  assert.equal(latest.renewed, true);
  assert.equal(latest.silence_consents_after, null);
  assert.ok(latest.sent_at.slice(0, 10) < latest.was_due, `sent ${latest.sent_at}, before ${latest.was_due}`);
  // Silence past the revised date cancels it.
  await m.advance(3);
  assert.equal((await m.get('D-1')).body.status, 'refund_due');
});

test("Shopify's orders/create feeds the same path: signed, idempotent, lines of unknown SKUs left out", async () => {
  const m = await merchant();
  const secret = `shpss_${randomBytes(12).toString('hex')}`;
  assert.equal((await call(m.sk, 'PATCH', '/v1/settings', { shopify_webhook_secrets: [secret] })).status, 200);
  await m.stock([{ sku: 'CUP', on_hand: 0, inbound: [{ qty: 4, arrives: day(9) }] }]);
  const buyer = address('shopify');
  // As Shopify sends it: many more fields than an order needs.
  const body = JSON.stringify({
    id: 5_550_001, name: '#1001', email: buyer, customer_locale: 'fr', total_price: '24.00', currency: 'EUR',
    line_items: [{ id: 1, sku: 'CUP', quantity: 2, price: '12.00' }, { id: 2, sku: 'GIFT-CARD', quantity: 1 }],
    shipping_address: { country_code: 'FR', zip: '75001', city: 'Paris' }, payment_gateway_names: ['shopify_payments'],
  });
  const send = (payload, signature = createHmac('sha256', secret).update(payload).digest('base64')) => fetch(`${EDGE}/v1/webhooks/shopify/${m.id}`, {
    method: 'POST', body: payload,
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Event-Id': randomBytes(6).toString('hex'), 'X-Shopify-Hmac-Sha256': signature },
  });
  const forged = await send(body, 'AAAA');
  assert.equal(forged.status, 401);
  const first = await send(body);
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { outcome: 'order_recorded', order_id: '5550001' });
  const again = await send(body);
  assert.deepEqual(await again.json(), { outcome: 'order_recorded', order_id: '5550001' }, 'a retry records nothing new');
  const order = (await m.get('5550001')).body;
  assert.deepEqual(order.lines, [{ sku: 'CUP', qty: 2 }]);
  assert.deepEqual([order.promise_source, order.obligation.ship_by], ['computed', day(9)]);
  assert.deepEqual(order.destination, { country: 'FR', postal_code: '75001' });
  // The shipment slips past what the shop computed: the buyer hears, in French.
  await m.stock([{ sku: 'CUP', on_hand: 0, inbound: [{ qty: 4, arrives: day(16) }] }]);
  const [notice] = await mailTo(LOG, buyer, 1, 60_000);
  assert.equal(notice.headers.subject, 'Votre commande 5550001 chez Acme Tools est retardée');
  const unknown = JSON.stringify({ id: 5_550_002, email: buyer, line_items: [{ sku: 'GIFT-CARD', quantity: 1 }] });
  assert.deepEqual(await (await send(unknown)).json(), { outcome: 'order_ignored', order_id: '5550002' });
});

test('the promise the shopper saw is provable: the answer signs it, the order keeps its terms, an altered or expired one is refused', async () => {
  const m = await merchant();
  assert.equal((await call(m.sk, 'PUT', '/v1/delivery-config', {
    default_country: 'US',
    warehouses: [{ id: 'reno', time_zone: 'America/Los_Angeles', cutoff: '15:00', handling_days: { min: 1, max: 1 } }],
    methods: [{ id: 'ground', label: 'Ground', lanes: [{ country: 'US', transit_days: { min: 2, max: 4 } }] }],
  })).status, 200);
  await m.stock([{ sku: 'BOWL', on_hand: 5 }]);
  const seen = (await (await fetch(`${EDGE}/v1/availability/BOWL?key=${m.pk}&qty=2&country=US&postal_code=94107`)).json()).delivery_options[0];
  assert.match(seen.promise_token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const line = { sku: 'BOWL', qty: 2, promise_token: seen.promise_token };
  const base = { payment: 'card', email: address('bowl'), destination: { country: 'US', postal_code: '94107' } };
  const order = await m.order({ ...base, id: 'T-1', lines: [line] });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  assert.deepEqual([order.body.promise_source, order.body.obligation.ship_by], ['token', seen.ship_date]);
  assert.deepEqual([order.body.promised[0].earliest, order.body.promised[0].latest, order.body.promised[0].method],
    [seen.earliest, seen.latest, 'ground']);
  // An altered token (a later ship date) is not the store's.
  const [payload, tag] = seen.promise_token.split('.');
  const terms = Buffer.from(payload, 'base64url').toString().split('|');
  assert.deepEqual(terms.slice(0, 6), ['BOWL', '2', 'US', '94107', 'ground', seen.ship_date]);
  terms[5] = day(60);
  const forged = `${Buffer.from(terms.join('|')).toString('base64url')}.${tag}`;
  for (const [id, bad, param] of [
    ['T-2', { ...line, promise_token: forged }, 'lines[0].promise_token'],
    ['T-3', { ...line, qty: 3 }, 'lines[0].promise_token'],
    ['T-4', { ...line, sku: 'BOWL', promise_token: `${seen.promise_token}x` }, 'lines[0].promise_token'],
  ]) {
    const refused = await m.order({ ...base, id, lines: [bad] });
    assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.param], [422, 'invalid_promise_token', param], id);
  }
  const elsewhere = await m.order({ ...base, id: 'T-5', lines: [line], destination: { country: 'CA' } });
  assert.equal(elsewhere.body.error?.code, 'invalid_promise_token', 'the promise was for another destination');
  // Shipped, then delivered: the parcel also feeds the learned delivery lanes.
  const shipped = await call(m.sk, 'POST', '/v1/orders/T-1/shipments', { carrier: 'UPS', tracking: '1Z999' });
  assert.deepEqual([shipped.status, shipped.body.status, shipped.body.shipments[0].method], [200, 'shipped', undefined]);
  const arrived = await call(m.sk, 'POST', '/v1/orders/T-1/shipments', {
    carrier: 'UPS', tracking: '1Z999', delivered_at: new Date().toISOString(),
  });
  assert.deepEqual([arrived.body.status, arrived.body.shipments.length], ['delivered', 1]);
  const future = await call(m.sk, 'POST', '/v1/orders/T-1/shipments', {
    carrier: 'UPS', tracking: '1Z999', delivered_at: new Date(Date.now() + 86_400_000).toISOString(),
  });
  assert.deepEqual([future.status, future.body.error.param], [422, 'delivered_at']);
  // Past its order_by, the promise no longer holds.
  await m.advance(3);
  const late = await m.order({ ...base, id: 'T-6', lines: [line] });
  assert.deepEqual([late.status, late.body.error.code], [422, 'promise_token_expired']);
});

test("order events reach the merchant's webhooks, signed: delayed, consented, cancelled, refund due", async () => {
  const m = await merchant();
  const got = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { got.push({ signature: req.headers['upfront-signature'], event: JSON.parse(body) }); res.writeHead(200).end(); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const endpoint = await call(m.sk, 'POST', '/v1/webhook-endpoints', {
      url: `http://127.0.0.1:${receiver.address().port}/hooks`,
      events: ['order.delayed', 'order.consented', 'order.cancelled', 'order.refund_due', 'order.shipped'],
    });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
    await m.stock([{ sku: 'RUG', on_hand: 0, inbound: [{ qty: 2, arrives: day(8) }] }]);
    await m.order({ id: 'W-1', lines: [{ sku: 'RUG', qty: 1 }], payment: 'card', email: address('rug'), ship_by: day(2) });
    await m.order({ id: 'W-2', lines: [{ sku: 'RUG', qty: 1 }], payment: 'other', email: address('rug2'), ship_by: day(2) });
    await call(m.sk, 'POST', '/v1/orders/W-2/cancel');
    const statusUrl = (await m.get('W-1')).body.status_url;
    assert.equal((await answer(statusUrl, 'consent', 1)).status, 200);
    const kinds = ['order.delayed', 'order.delayed', 'order.cancelled', 'order.refund_due', 'order.consented'];
    for (let i = 0; i < 100 && got.length < kinds.length; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got.map((g) => g.event.type).sort(), [...kinds].sort());
    for (const { signature, event } of got) {
      assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.match(event.id, /^evt_[0-9a-f]{24}$/);
      assert.ok(['W-1', 'W-2'].includes(event.data.id), JSON.stringify(event.data));
      assert.equal(event.data.status_url, undefined, "the buyer's link stays out of webhooks");
    }
    const due = got.find((g) => g.event.type === 'order.refund_due').event.data;
    assert.deepEqual([due.status, due.obligation.by], ['refund_due', 'merchant']);
  } finally {
    receiver.close();
  }
});

test("a buyer's erasure removes the address from their orders; the orders stay, and nothing more is sent", async () => {
  const m = await merchant();
  await m.stock([{ sku: 'VASE', on_hand: 1 }]);
  const buyer = address('erase');
  await m.order({ id: 'E-1', lines: [{ sku: 'VASE', qty: 1 }], payment: 'card', email: buyer.toUpperCase(), ship_by: day(5) });
  const erased = await call(m.sk, 'POST', '/v1/subscriptions/erase', { email: buyer });
  assert.deepEqual(erased.body, { deleted: 0, emails_deleted: 0, orders_anonymized: 1 });
  const order = (await m.get('E-1')).body;
  assert.deepEqual([order.email, order.status], ['', 'awaiting_shipment']);
  // A later delay is recorded, and mails nobody.
  await m.stock([{ sku: 'VASE', on_hand: 0 }]);
  const delayed = (await m.get('E-1')).body;
  assert.deepEqual([delayed.status, delayed.notices.length], ['awaiting_answer', 1]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(noticesTo(buyer).length, 0);
  assert.equal((await (await fetch(delayed.status_url)).text()).includes('Order E-1'), true, 'the page still opens');
});

test('the daily look at every open order goes in pages of 1,000, the rest by alarm, and reaches them all', async () => {
  const m = await merchant();
  await m.stock([{ sku: 'BULK', on_hand: 0, inbound: [{ qty: 5000, arrives: day(10) }] }]);
  // One buyer, erased first: the 1,005 notices are recorded and suppressed, not mailed.
  const buyer = address('bulk');
  await call(m.sk, 'POST', '/v1/subscriptions/erase', { email: buyer });
  const post = pooledPoster(EDGE, { Authorization: `Bearer ${m.sk}` }, 16);
  const created = await Promise.all(Array.from({ length: 1005 }, (_, i) => post('/v1/orders', {
    id: `B-${i}`, lines: [{ sku: 'BULK', qty: 1 }], payment: 'card', email: buyer, ship_by: day(2),
  })));
  assert.ok(created.every((r) => r.status === 201));
  const waiting = async () => (await call(m.sk, 'GET', '/v1/orders?status=awaiting_answer&limit=100')).body.data.length;
  assert.equal(await waiting(), 100, 'every order noticed, none answered');
  // Three days on, silence is consent for every one of them: the first page at once, the rest by alarm.
  await m.advance(3);
  let left = await waiting();
  for (let i = 0; i < 100 && left > 0; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    left = await waiting();
  }
  assert.equal(left, 0);
  const oldest = (await m.get('B-0')).body;
  const newest = (await m.get('B-1004')).body;
  assert.deepEqual([oldest.status, newest.status, newest.obligation.deemed], ['delayed', 'delayed', true]);
});
