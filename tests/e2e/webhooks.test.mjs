// Webhooks to a merchant's own server: a local HTTP receiver stands for it.
// The edge runs with OUTBOX_BACKOFF_SECONDS=1 (tests/e2e/edge.mjs): the
// same retry path as production, with seconds instead of minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCall, until, operatorToken, startEdge } from './edge.mjs';
import { mailTo } from './mailbox.mjs';

const EDGE = process.env.EDGE_URL;

/** The README's verification, as a merchant's Node server would run it. */
function verifyUpfrontSignature(header, secret, rawBody, toleranceSeconds = 300) {
  const parts = header.split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'), 'utf8');
  // One v1 per current secret: during a roll, the new one and the old one.
  return parts.filter(([k]) => k === 'v1').some(([, v1]) => {
    const given = Buffer.from(v1 ?? '', 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

let receiver;
const received = [];
let failNext = 0;
before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const status = req.url.startsWith('/down') ? 503 : failNext > 0 ? (failNext--, 500) : 200;
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
});
after(() => receiver.close());

const call = (key, method, path, body) => apiCall(EDGE, key, method, path, body);
async function merchant(mode) {
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id: `hooks-${randomBytes(3).toString('hex')}`, display_name: 'Hooks', mode,
  });
  assert.equal(created.status, 201);
  return created.body.secret_key.secret;
}
const eventsOf = (id) => received.filter((r) => JSON.parse(r.body).id === id);

test('a stock change reaches the endpoint signed; 500, 500, then 200 is delivered once; a repeated send changes nothing', async () => {
  const sk = await merchant('test');
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  const endpoint = await call(sk, 'POST', '/v1/webhook-endpoints', { url, events: ['sku.out_of_stock', 'sku.back_in_stock'] });
  assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
  assert.match(endpoint.body.secret, /^whsec_[0-9a-f]{48}$/);
  const secret = endpoint.body.secret;
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku: 'HOOK-1', on_hand: 3 }] });

  // Sold out: one signed sku.out_of_stock.
  const write = Date.now();
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku: 'HOOK-1', on_hand: 0 }] });
  const out = await until('out_of_stock', () => received.find((r) => JSON.parse(r.body).type === 'sku.out_of_stock'));
  console.log(`# sku.out_of_stock arrived ${Date.now() - write} ms after the write`);
  const event = JSON.parse(out.body);
  assert.equal(event.data.sku, 'HOOK-1');
  assert.equal(event.data.status, 'out_of_stock');
  assert.match(event.id, /^evt_/);
  assert.ok(verifyUpfrontSignature(out.headers['upfront-signature'], secret, out.body), out.headers['upfront-signature']);
  assert.ok(!verifyUpfrontSignature(out.headers['upfront-signature'], 'whsec_wrong', out.body));
  assert.ok(!verifyUpfrontSignature(out.headers['upfront-signature'], secret, out.body.replace('HOOK-1', 'HOOK-2')));

  // Back: the endpoint fails twice, then takes it: exactly one 200.
  failNext = 2;
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku: 'HOOK-1', on_hand: 8 }] });
  const back = await until('back_in_stock delivered', () => {
    const tries = received.filter((r) => JSON.parse(r.body).type === 'sku.back_in_stock');
    return tries.some((r) => r.status === 200) && tries;
  });
  await new Promise((r) => setTimeout(r, 2500)); // long enough for a wrong extra retry to show
  const backId = JSON.parse(back[0].body).id;
  assert.deepEqual(eventsOf(backId).map((r) => r.status), [500, 500, 200]);
  const log = await call(sk, 'GET', `/v1/webhook-endpoints/${endpoint.body.endpoint.id}/deliveries`);
  const delivery = log.body.data.find((d) => d.event_id === backId);
  assert.equal(delivery.state, 'delivered');
  assert.equal(delivery.attempts, 3);
  assert.equal(delivery.last_status, 200);

  // The same delivery sent to the queue twice at once: one more request, not two.
  const before = eventsOf(backId).length;
  const [a, b] = await Promise.all([
    call(sk, 'POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`),
    call(sk, 'POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`),
  ]);
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  await until('redelivered', () => eventsOf(backId).length > before);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(eventsOf(backId).length, before + 1, 'a repeated queue message sent the event twice');
});

test('an endpoint that fails every delivery for the retry window is disabled, and the merchant is told by email', async () => {
  // The edge runs with a 15-s retry window (OUTBOX_RETRY_WINDOW_SECONDS) instead of 3 days.
  const sk = await merchant('test');
  const ops = `ops-${randomBytes(4).toString('hex')}@example.com`;
  assert.equal((await call(sk, 'PATCH', '/v1/settings', { notification_email: ops })).status, 200);
  const url = `http://127.0.0.1:${receiver.address().port}/down`;
  const endpoint = await call(sk, 'POST', '/v1/webhook-endpoints', { url, events: ['sku.out_of_stock', 'sku.back_in_stock'] });
  assert.equal(endpoint.status, 201);
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku: 'DOWN-1', on_hand: 1 }] });
  for (const on_hand of [0, 2, 0]) await call(sk, 'POST', '/v1/inventory', { items: [{ sku: 'DOWN-1', on_hand }] });
  await until('the endpoint disabled', async () => {
    const list = await call(sk, 'GET', '/v1/webhook-endpoints');
    return list.body.data.find((e) => e.id === endpoint.body.endpoint.id)?.enabled === false;
  }, 90_000);
  const deliveries = await call(sk, 'GET', `/v1/webhook-endpoints/${endpoint.body.endpoint.id}/deliveries`);
  assert.deepEqual(deliveries.body.data.map((d) => [d.state, d.last_status]), [['failed', 503], ['failed', 503], ['failed', 503]]);
  const [notice] = await mailTo(process.env.EDGE_LOG, ops);
  assert.equal(notice.headers.subject, `Webhook endpoint disabled: ${url}`);
  assert.ok(notice.text.includes(endpoint.body.endpoint.id));
  // Transactional: no unsubscribe, no cap.
  assert.equal(notice.headers['list-unsubscribe'], undefined);
});

test('bad endpoints: plain HTTP for a live merchant, an unknown event type, no events', async () => {
  const sk = await merchant('live');
  for (const [body, status, code, param] of [
    [{ url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ['sku.low_stock'] }, 422, 'invalid_request', 'url'],
    [{ url: 'http://hooks.shop.example/h', events: ['sku.low_stock'] }, 422, 'invalid_request', 'url'],
    [{ url: 'https://hooks.shop.example/h', events: ['order.created'] }, 400, 'invalid_json', undefined],
    [{ url: 'https://hooks.shop.example/h', events: [] }, 422, 'invalid_request', 'events'],
  ]) {
    const res = await call(sk, 'POST', '/v1/webhook-endpoints', body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(res.body.error.code, code);
    if (param) assert.equal(res.body.error.param, param);
  }
  const ok = await call(sk, 'POST', '/v1/webhook-endpoints', { url: 'https://hooks.shop.example/h', events: ['sku.low_stock'] });
  assert.equal(ok.status, 201);
  const listed = await call(sk, 'GET', '/v1/webhook-endpoints');
  assert.equal(listed.body.data[0].secret_last4, ok.body.secret.slice(-4));
  assert.ok(!JSON.stringify(listed.body).includes(ok.body.secret));
  assert.equal((await call(sk, 'DELETE', `/v1/webhook-endpoints/${ok.body.endpoint.id}`)).status, 200);
  assert.deepEqual((await call(sk, 'GET', '/v1/webhook-endpoints')).body.data, []);
});

test('rolling an endpoint secret: both secrets verify during the grace period, then only the new one', async () => {
  const sk = await merchant('test');
  const url = `http://127.0.0.1:${receiver.address().port}/roll`;
  const created = await call(sk, 'POST', '/v1/webhook-endpoints', { url, events: ['sku.out_of_stock', 'sku.back_in_stock'] });
  const old = created.body.secret;
  const rolled = await call(sk, 'POST', `/v1/webhook-endpoints/${created.body.endpoint.id}/roll-secret`, { grace_seconds: 3 });
  assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
  const fresh = rolled.body.secret;
  assert.notEqual(fresh, old);
  assert.equal(rolled.body.endpoint.secret_last4, fresh.slice(-4));
  const sku = `ROLL-${randomBytes(3).toString('hex')}`;
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: 2 }] });
  const nextEvent = async (type) => until(type, () => received.find((r) => r.headers['upfront-signature'] && JSON.parse(r.body).data.sku === sku && JSON.parse(r.body).type === type));
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: 0 }] });
  const during = await nextEvent('sku.out_of_stock');
  assert.ok(verifyUpfrontSignature(during.headers['upfront-signature'], fresh, during.body), 'new secret during grace');
  assert.ok(verifyUpfrontSignature(during.headers['upfront-signature'], old, during.body), 'old secret during grace');
  await new Promise((r) => setTimeout(r, 3500));
  await call(sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: 9 }] });
  const afterGrace = await nextEvent('sku.back_in_stock');
  assert.ok(verifyUpfrontSignature(afterGrace.headers['upfront-signature'], fresh, afterGrace.body));
  assert.ok(!verifyUpfrontSignature(afterGrace.headers['upfront-signature'], old, afterGrace.body), 'old secret after grace');
  const bad = await call(sk, 'POST', `/v1/webhook-endpoints/${created.body.endpoint.id}/roll-secret`, { grace_seconds: 90_000 });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.param, 'grace_seconds');
});

test('a delivery survives a crash right after its write: the store sends it again, once', async () => {
  // An edge of its own, killed (SIGKILL) as soon as the write is answered,
  // before the queue's one-second batch reaches the consumer, then
  // restarted on the same storage. The delivery row outlives the queue.
  const port = Number(new URL(EDGE).port) + 4;
  const stateDir = mkdtempSync(join(tmpdir(), 'upfront-hooks-crash-'));
  let edge = await startEdge({ port, stateDir });
  try {
    const own = (key, method, path, body) => fetch(`${edge.url}${path}`, {
      method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const created = await own(operatorToken(), 'POST', '/v1/operator/merchants', { id: `crash-${randomBytes(3).toString('hex')}`, display_name: 'Crash', mode: 'test' });
    const sk = created.body.secret_key.secret;
    const url = `http://127.0.0.1:${receiver.address().port}/crash`;
    assert.equal((await own(sk, 'POST', '/v1/webhook-endpoints', { url, events: ['sku.out_of_stock'] })).status, 201);
    const sku = `CRASH-${randomBytes(3).toString('hex')}`;
    await own(sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: 1 }] });
    assert.equal((await own(sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: 0 }] })).status, 200);
    await edge.kill();
    const early = received.filter((r) => JSON.parse(r.body).data?.sku === sku).length;
    edge = await startEdge({ port, stateDir });
    const mine = () => received.filter((r) => JSON.parse(r.body).data?.sku === sku);
    await until('the delivery after the crash', () => mine().length > 0, 120_000);
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`# delivered ${mine().length} time(s) after the crash (${early} before it)`);
    assert.equal(mine().filter((r) => r.status === 200).length, 1, 'delivered exactly once');
  } finally {
    await edge.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
