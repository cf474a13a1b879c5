// The outbound pipeline's benchmark: webhook deliveries and emails per second
// on this machine against a local receiver, and what they add to the write
// that causes them (which must not wait for delivery).
//
// It runs the edge under `wrangler dev`, because Cloudflare Queues run locally
// only in Miniflare's broker. The deliveries never cross wrangler's proxy
// (store → queue → consumer → receiver all run in workerd); the triggering
// writes do, equally in the baseline and the measured arm, so the write
// figures are compared as a difference and a ratio in the same run, never
// as absolute costs. Usage: node tests/bench/outbound.mjs (after building).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { operatorToken, startEdge } from '../e2e/edge.mjs';
import { sentMessages } from '../e2e/mailbox.mjs';

const PORT = Number(process.env.BENCH_EDGE_PORT ?? 8930);
const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const ENDPOINTS = 10;
const SHOPPERS = Number(process.env.BENCH_SHOPPERS ?? 20);
const SKUS = Number(process.env.BENCH_EMAIL_SKUS ?? 50);

const edge = await startEdge({ port: PORT });
let received = 0;
let slowReceived = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    // `/slow`: an endpoint that takes a second to answer.
    if (req.url.startsWith('/slow')) setTimeout(() => { slowReceived += 1; res.writeHead(200).end(); }, 1000);
    else { received += 1; res.writeHead(200).end(); }
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));

const call = async (key, method, path, body) => {
  const res = await fetch(`${edge.url}${path}`, {
    method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // A thousand sign-ups from one address meet the public rate limit: wait as told.
  if (res.status === 429) {
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('Retry-After') ?? 1)));
    return call(key, method, path, body);
  }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
};
async function merchant(name) {
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', {
    id: `${name}-${randomBytes(3).toString('hex')}`, display_name: name, mode: 'test',
  });
  const sk = created.secret_key.secret;
  await call(sk, 'PATCH', '/v1/settings', { allowed_origins: ['https://shop.example'] });
  return { sk, pk: created.publishable_key.secret };
}
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
/** Sequential writes, each toggling one SKU between sold out and in stock: every one a status change. */
async function toggles(sk, count, prefix) {
  const latencies = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await call(sk, 'POST', '/v1/inventory', { items: [{ sku: `${prefix}-${i % 20}`, on_hand: Math.floor(i / 20) % 2 === 0 ? 0 : 5 }] });
    latencies.push(performance.now() - start);
  }
  return latencies;
}
async function until(check, ms = 600_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('the pipeline did not drain');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const ms = (v) => `${v.toFixed(2)} ms`;

try {
  // Baseline: the same writes with nobody listening.
  const quiet = await merchant('quiet');
  await toggles(quiet.sk, 40, 'Q'); // warm the store and the isolate; leaves every SKU in stock
  const base = await toggles(quiet.sk, WRITES, 'Q');

  // Webhooks: ten endpoints, every status change delivered to each.
  const hooks = await merchant('hooks');
  for (let i = 0; i < ENDPOINTS; i += 1) {
    await call(hooks.sk, 'POST', '/v1/webhook-endpoints', {
      url: `http://127.0.0.1:${receiver.address().port}/hook/${i}`, events: ['sku.out_of_stock', 'sku.back_in_stock'],
    });
  }
  // The SKUs start in stock, so each measured write changes a status.
  await call(hooks.sk, 'POST', '/v1/inventory', { items: Array.from({ length: 20 }, (_, i) => ({ sku: `H-${i}`, on_hand: 5 })) });
  const before = received;
  const hookStart = performance.now();
  const withHooks = await toggles(hooks.sk, WRITES, 'H');
  const hookWritesSeconds = (performance.now() - hookStart) / 1000;
  const expected = before + WRITES * ENDPOINTS;
  await until(async () => received >= expected, 300_000);
  const hookSeconds = (performance.now() - hookStart) / 1000;

  // The same, to endpoints that take 1 s to answer: a write that waited for
  // delivery would take over a second.
  const slow = await merchant('slow');
  for (let i = 0; i < ENDPOINTS; i += 1) {
    await call(slow.sk, 'POST', '/v1/webhook-endpoints', {
      url: `http://127.0.0.1:${receiver.address().port}/slow/${i}`, events: ['sku.out_of_stock', 'sku.back_in_stock'],
    });
  }
  await call(slow.sk, 'POST', '/v1/inventory', { items: Array.from({ length: 20 }, (_, i) => ({ sku: `S-${i}`, on_hand: 5 })) });
  const SLOW_WRITES = 40;
  const withSlow = await toggles(slow.sk, SLOW_WRITES, 'S');
  await until(async () => slowReceived >= SLOW_WRITES * ENDPOINTS, 300_000);

  // Email: SKUS sold-out SKUs with SHOPPERS distinct shoppers each; one write brings each back.
  const shop = await merchant('mail');
  await call(shop.sk, 'POST', '/v1/inventory', { items: Array.from({ length: SKUS }, (_, i) => ({ sku: `M-${i}`, on_hand: 0 })) });
  for (let i = 0; i < SKUS; i += 1) {
    await Promise.all(Array.from({ length: SHOPPERS }, (_, j) => call(shop.pk, 'POST', '/v1/subscriptions', {
      sku: `M-${i}`, email: `s${j}-${i}-${randomBytes(2).toString('hex')}@example.com`, locale: j % 2 ? 'ru' : 'en',
      product_name: `Lamp ${i}`, page_url: `https://shop.example/p/${i}`,
    })));
  }
  const mailBefore = sentMessages(edge.logPath).length;
  const mailStart = performance.now();
  const restocks = [];
  for (let i = 0; i < SKUS; i += 1) {
    const start = performance.now();
    await call(shop.sk, 'POST', '/v1/inventory', { items: [{ sku: `M-${i}`, on_hand: 5 }] });
    restocks.push(performance.now() - start);
  }
  const emails = SKUS * SHOPPERS;
  await until(async () => sentMessages(edge.logPath).length - mailBefore >= emails);
  const mailSeconds = (performance.now() - mailStart) / 1000;

  const p = (v) => ({ p50: percentile(v, 0.5), p95: percentile(v, 0.95) });
  const [b, h, w, r] = [p(base), p(withHooks), p(withSlow), p(restocks)];
  console.log('\nOutbound pipeline (webhooks and email through the OUTBOX queue, wrangler dev on this machine)');
  console.log(`  webhooks: ${WRITES} status changes × ${ENDPOINTS} endpoints = ${WRITES * ENDPOINTS} deliveries in ${hookSeconds.toFixed(1)} s`
    + ` → ${(WRITES * ENDPOINTS / hookSeconds).toFixed(0)} deliveries/s, from the first write to the last delivery`
    + ` (the writes, one at a time, took ${hookWritesSeconds.toFixed(1)} s of it)`);
  console.log(`  email: ${SKUS} restocks × ${SHOPPERS} shoppers = ${emails} emails in ${mailSeconds.toFixed(1)} s → ${(emails / mailSeconds).toFixed(0)} emails/s`);
  console.log(`  write latency, nobody listening (baseline): p50 ${ms(b.p50)}, p95 ${ms(b.p95)}`);
  console.log(`  write latency, ${ENDPOINTS} endpoints: p50 ${ms(h.p50)} (${(h.p50 / b.p50).toFixed(2)}×, +${ms(h.p50 - b.p50)}), p95 ${ms(h.p95)} (${(h.p95 / b.p95).toFixed(2)}×)`);
  console.log(`  write latency, ${ENDPOINTS} endpoints answering after 1 s: p50 ${ms(w.p50)} (${(w.p50 / b.p50).toFixed(2)}×), p95 ${ms(w.p95)}: the write does not wait for delivery`);
  console.log(`  restock write queueing ${SHOPPERS} emails: p50 ${ms(r.p50)} (${(r.p50 / b.p50).toFixed(2)}×, +${ms(r.p50 - b.p50)}), p95 ${ms(r.p95)} (${(r.p95 / b.p95).toFixed(2)}×)`);
} finally {
  receiver.close();
  await edge.stop();
}
