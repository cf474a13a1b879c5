// Email to shoppers through the real local transport: `wrangler dev`'s
// `send_email` simulation writes every message whole to a .eml file
// (tests/e2e/mailbox.mjs reads them back). A merchant is onboarded, shoppers
// sign up from its product page's origin as the widget does, and a restock
// is what sends.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { apiCall, operatorToken } from './edge.mjs';
import { mailTo, sentMessages } from './mailbox.mjs';

const EDGE = process.env.EDGE_URL;
const LOG = process.env.EDGE_LOG;
const SHOP = 'https://shop.example';

const call = (key, method, path, body) => apiCall(EDGE, key, method, path, body);
const address = (name) => `${name}-${randomBytes(4).toString('hex')}@example.com`;
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

let sk;
let pk;
before(async () => {
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id: `mail-${randomBytes(3).toString('hex')}`, display_name: 'Läden & Co <3', mode: 'test',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  sk = created.body.secret_key.secret;
  pk = created.body.publishable_key.secret;
  const settings = await call(sk, 'PATCH', '/v1/settings', { allowed_origins: [SHOP], email_reply_to: 'Help@Shop.example' });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  assert.equal(settings.body.email_reply_to, 'help@shop.example');
  assert.deepEqual(settings.body.email_caps, { per_sku: 1, total: 3 });
});

const stock = (items) => call(sk, 'POST', '/v1/inventory', { items });
/** A shopper's sign-up, as the widget sends it from the product page. */
const signUp = (sku, email, extra = {}) => call(pk, 'POST', '/v1/subscriptions', {
  sku, email, page_url: `${SHOP}/products/${sku.toLowerCase()}`, product_name: `Lamp ${sku} <XL>`, ...extra,
});

test('a restock emails each waiting shopper once, in their language, with reply-to and one-click unsubscribe', async () => {
  await stock([{ sku: 'MAIL-1', on_hand: 0 }]);
  const ada = address('ada');
  const ivan = address('ivan');
  assert.equal((await signUp('MAIL-1', ada, { locale: 'en-GB' })).status, 202);
  assert.equal((await signUp('MAIL-1', ivan, { locale: 'ru-RU' })).status, 202);
  await stock([{ sku: 'MAIL-1', on_hand: 4 }]);

  const [en] = await mailTo(LOG, ada);
  assert.equal(en.headers.from, 'Läden & Co <3 <notify@mail.upfront.dev>');
  assert.equal(en.headers['reply-to'], '<help@shop.example>');
  assert.equal(en.headers.subject, 'Back in stock: Lamp MAIL-1 <XL>');
  assert.equal(en.headers['content-language'], 'en');
  assert.match(en.headers['message-id'], /^<em_[0-9a-f]{24}@mail\.upfront\.dev>$/);
  const unsubscribe = /^<(http:\/\/127\.0\.0\.1:\d+\/v1\/unsubscribe\/[a-z0-9.-]+)>$/.exec(en.headers['list-unsubscribe'])?.[1];
  assert.ok(unsubscribe, en.headers['list-unsubscribe']);
  assert.equal(en.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  assert.match(en.text, /Good news: Lamp MAIL-1 <XL> is back in stock at Läden & Co <3\./);
  assert.ok(en.text.includes(`${SHOP}/products/mail-1`));
  // Every merchant- or page-supplied value is escaped in the HTML.
  assert.ok(en.html.includes('Lamp MAIL-1 &lt;XL&gt; is back in stock at Läden &amp; Co &lt;3.'), en.html);
  assert.ok(!en.html.includes('<XL>'));

  const [ru] = await mailTo(LOG, ivan);
  assert.equal(ru.headers.subject, 'Снова в наличии: Lamp MAIL-1 <XL>');
  assert.equal(ru.headers['content-language'], 'ru');
  assert.match(ru.text, /снова в наличии в магазине Läden & Co <3/);
  assert.match(ru.text, /Отписаться от уведомлений магазина/);

  // Sold out and back again: the shoppers asked to hear once.
  await stock([{ sku: 'MAIL-1', on_hand: 0 }]);
  await stock([{ sku: 'MAIL-1', on_hand: 9 }]);
  const log = await call(sk, 'GET', '/v1/emails');
  assert.equal(log.status, 200);
  const mine = log.body.data.filter((e) => e.to === ada || e.to === ivan);
  assert.deepEqual(mine.map((e) => [e.kind, e.sku, e.state]), [
    ['back_in_stock', 'MAIL-1', 'sent'], ['back_in_stock', 'MAIL-1', 'sent'],
  ]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sentMessages(LOG).filter((m) => m.headers.to === `<${ada}>`).length, 1, 'one email, not two');
});

test('one-click unsubscribe: a POST without login suppresses the address at once; opening the link changes nothing', async () => {
  await stock([{ sku: 'MAIL-2', on_hand: 0 }, { sku: 'MAIL-3', on_hand: 0 }]);
  const bea = address('bea');
  const control = address('control');
  await signUp('MAIL-2', bea);
  await signUp('MAIL-3', bea);
  await signUp('MAIL-3', control);
  await stock([{ sku: 'MAIL-2', on_hand: 2 }]);
  const [first] = await mailTo(LOG, bea);
  const link = first.headers['list-unsubscribe'].slice(1, -1);

  // A mail scanner following the link: a page, and nothing unsubscribed.
  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(await page.text(), /<form method="post">/);
  const before = await call(sk, 'GET', '/v1/suppressions');
  assert.ok(!before.body.data.some((s) => s.address_sha256 === sha256(bea)));

  // The mail client's one-click POST (RFC 8058).
  const res = await fetch(link, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(res.status, 200);
  const after = await call(sk, 'GET', '/v1/suppressions');
  assert.deepEqual(after.body.data.filter((s) => s.address_sha256 === sha256(bea)).map((s) => s.reason), ['unsubscribed']);

  // MAIL-3 comes back: the control hears, the unsubscribed address does not.
  await stock([{ sku: 'MAIL-3', on_hand: 2 }]);
  await mailTo(LOG, control);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sentMessages(LOG).filter((m) => m.headers.to === `<${bea}>`).length, 1);
  // Sold out again: signing up again answers as always and stores nothing.
  await stock([{ sku: 'MAIL-3', on_hand: 0 }]);
  assert.equal((await signUp('MAIL-3', bea)).status, 202);
  const counts = await call(sk, 'GET', '/v1/subscriptions');
  assert.ok(!counts.body.data.some((c) => c.sku === 'MAIL-3'), JSON.stringify(counts.body));

  // A forged or altered link is not Upfront's.
  const forged = link.replace(/[0-9a-f](?=[0-9a-f]{0}$)/, (c) => (c === '0' ? '1' : '0'));
  assert.equal((await fetch(forged, { method: 'POST' })).status, 404);
  assert.equal((await fetch(`${EDGE}/v1/unsubscribe/nonsense`, { method: 'POST' })).status, 404);
});

test('the frequency cap lets three stock alerts through in a week and holds the fourth; the shopper keeps waiting for it', async () => {
  const skus = ['CAP-1', 'CAP-2', 'CAP-3', 'CAP-4'];
  await stock(skus.map((sku) => ({ sku, on_hand: 0 })));
  const cy = address('cy');
  for (const sku of skus) assert.equal((await signUp(sku, cy)).status, 202);
  // One write brings all four back at once.
  await stock(skus.map((sku) => ({ sku, on_hand: 5 })));
  await mailTo(LOG, cy, 3);
  let mine;
  for (let i = 0; i < 100; i += 1) {
    mine = (await call(sk, 'GET', '/v1/emails')).body.data.filter((e) => e.to === cy);
    if (mine.every((e) => e.state !== 'pending')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(mine.map((e) => e.state).sort(), ['capped', 'sent', 'sent', 'sent']);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sentMessages(LOG).filter((m) => m.headers.to === `<${cy}>`).length, 3);
  const capped = mine.find((e) => e.state === 'capped').sku;
  const counts = await call(sk, 'GET', '/v1/subscriptions');
  assert.deepEqual(counts.body.data.filter((c) => skus.includes(c.sku)), [{ sku: capped, count: 1 }]);

  // The merchant can lower the caps, never raise them.
  const raised = await call(sk, 'PATCH', '/v1/settings', { email_caps: { per_sku: 1, total: 4 } });
  assert.equal(raised.status, 422);
  assert.equal(raised.body.error.param, 'email_caps');

  // Erasure: the address leaves the log and is never written to again.
  const erased = await call(sk, 'POST', '/v1/subscriptions/erase', { email: cy });
  assert.equal(erased.status, 200);
  assert.deepEqual(erased.body, { deleted: 1, emails_deleted: 4, orders_anonymized: 0 });
  const log = await call(sk, 'GET', '/v1/emails');
  assert.ok(!log.body.data.some((e) => e.to === cy));
  const suppressed = await call(sk, 'GET', '/v1/suppressions');
  assert.ok(suppressed.body.data.some((s) => s.address_sha256 === sha256(cy) && s.reason === 'erased'));
});

test('bad input: an oversized template variable, a link off the shop, a bad reply-to, a bad suppression', async () => {
  await stock([{ sku: 'MAIL-4', on_hand: 0 }]);
  const long = await signUp('MAIL-4', address('dee'), { product_name: 'x'.repeat(201) });
  assert.equal(long.status, 422);
  assert.deepEqual([long.body.error.code, long.body.error.param], ['invalid_request', 'product_name']);
  for (const page_url of ['https://evil.example/lamp', 'javascript:alert(1)']) {
    const off = await signUp('MAIL-4', address('dee'), { page_url });
    assert.deepEqual([off.status, off.body.error.param], [422, 'page_url'], page_url);
  }
  const replyTo = await call(sk, 'PATCH', '/v1/settings', { email_reply_to: 'not an address' });
  assert.deepEqual([replyTo.status, replyTo.body.error.param], [422, 'email_reply_to']);
  const bad = await call(sk, 'POST', '/v1/suppressions', { email: 'nope', reason: 'bounced' });
  assert.deepEqual([bad.status, bad.body.error.param], [422, 'email']);
  const reason = await call(sk, 'POST', '/v1/suppressions', { email: 'a@b.co', reason: 'annoyed' });
  assert.deepEqual([reason.status, reason.body.error.code], [400, 'invalid_json']);
});

test('a bounce the merchant reports suppresses the address for the next message', async () => {
  await stock([{ sku: 'MAIL-5', on_hand: 0 }]);
  const eve = address('eve');
  const control = address('control');
  await signUp('MAIL-5', eve);
  await signUp('MAIL-5', control);
  const added = await call(sk, 'POST', '/v1/suppressions', { email: eve.toUpperCase(), reason: 'bounced' });
  assert.equal(added.status, 200);
  assert.deepEqual([added.body.address_sha256, added.body.reason], [sha256(eve), 'bounced']);
  await stock([{ sku: 'MAIL-5', on_hand: 1 }]);
  await mailTo(LOG, control);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(sentMessages(LOG).filter((m) => m.headers.to === `<${eve}>`).length, 0);
});
