// The promise watcher's benchmark: re-checking open orders after a change,
// as time in the merchant's Durable Object and as what it does to a
// concurrent shopper load (reads and holds) on the same store.
//
// 10,000 open orders over 200 SKUs, their lines drawn with Zipf popularity
// (s = 1), as a real catalogue's orders are. Three re-checks are measured,
// each against the same call on a store without orders in the same run:
// - a stock write to the most ordered SKU (the watcher looks at every
//   open order holding it, and at the lines of their other SKUs);
// - a stock write to a SKU in the long tail;
// - a page of the look at all 10,000 (what the daily alarm and a new
//   delivery configuration do, 1,000 orders a turn, the next page by
//   alarm), through the test clock (`advance_seconds: 0`).
// Then shoppers read and hold on the store while full looks run back to back,
// against the same load without them. It runs `wrangler dev` (the test clock
// needs `DEMO_STORE = "on"`); every figure is a difference or ratio within
// this run, so the local proxy's cost cancels out.
// Usage: node tests/bench/orders.mjs (after building).
import { randomBytes } from 'node:crypto';
import { operatorToken, pooledPoster, startEdge } from '../e2e/edge.mjs';

const PORT = Number(process.env.BENCH_EDGE_PORT ?? 8940);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);
const SKUS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);

const edge = await startEdge({ port: PORT });
const call = async (key, method, path, body) => {
  const res = await fetch(`${edge.url}${path}`, {
    method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
};
async function merchant(name) {
  const id = `${name}-${randomBytes(3).toString('hex')}`;
  const created = await call(operatorToken(), 'POST', '/v1/operator/merchants', { id, display_name: name, mode: 'test' });
  const sk = created.secret_key.secret;
  const items = Array.from({ length: SKUS }, (_, i) => ({ sku: `S-${i}`, on_hand: 1_000_000 }));
  await call(sk, 'POST', '/v1/inventory', { items });
  return { id, sk, pk: created.publishable_key.secret };
}
/** SKU index by Zipf popularity (s = 1), from a uniform `u`. */
const weights = Array.from({ length: SKUS }, (_, i) => 1 / (i + 1));
const total = weights.reduce((a, b) => a + b, 0);
const zipf = (u) => {
  let left = u * total;
  for (let i = 0; i < SKUS; i += 1) { left -= weights[i]; if (left <= 0) return i; }
  return SKUS - 1;
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const ms = (v) => `${v.toFixed(1)} ms`;
async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
/**
 * `ROUNDS` timings of `fn`, alternating with the baseline's, after one warm-up each; `pause` ms
 * after each call lets the store's alarm finish what the call left (the look's later pages).
 */
async function versus(fn, baseline, pause = 0) {
  const settle = () => new Promise((r) => setTimeout(r, pause));
  await fn();
  await baseline();
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    a.push(await timed(fn));
    await settle();
    b.push(await timed(baseline));
    await settle();
  }
  return { p50: percentile(a, 0.5), base: percentile(b, 0.5) };
}
/**
 * Shoppers for `seconds`: 16 at once, each reading a Zipf-popular SKU or (1 in 10) holding one
 * and releasing it, a request every 300 ms each: ~50 a second from one address, under the
 * public read limit (600 per 10 s per key, route and address) that every deployed read pays.
 */
async function shopperLoad(m, seconds) {
  const reads = [];
  const holds = [];
  const end = Date.now() + seconds * 1000;
  const shopper = async () => {
    while (Date.now() < end) {
      const sku = `S-${zipf(Math.random())}`;
      if (Math.random() < 0.1) {
        const t = await timed(async () => {
          const hold = await call(m.sk, 'POST', '/v1/holds', { sku, qty: 1, ttl_seconds: 60 });
          await call(m.sk, 'POST', `/v1/holds/${hold.id}/release`);
        });
        holds.push(t);
      } else {
        // A distinct query per read: the answer cache must not serve it all.
        reads.push(await timed(() => call(m.pk, 'GET', `/v1/availability/${sku}?qty=${1 + Math.floor(Math.random() * 50)}`)));
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  await Promise.all(Array.from({ length: 16 }, shopper));
  return { reads, holds };
}

try {
  const busy = await merchant('busy');
  const empty = await merchant('empty');
  const post = pooledPoster(edge.url, { Authorization: `Bearer ${busy.sk}` }, 16);
  const lineCount = new Array(SKUS).fill(0);
  const started = performance.now();
  const batch = [];
  for (let i = 0; i < ORDERS; i += 1) {
    const skus = new Set([zipf(Math.random())]);
    if (Math.random() < 0.3) skus.add(zipf(Math.random()));
    for (const s of skus) lineCount[s] += 1;
    batch.push(post('/v1/orders', {
      id: `O-${i}`, lines: [...skus].map((s) => ({ sku: `S-${s}`, qty: 1 })), payment: 'card',
      email: `buyer${i}@example.com`, ship_by: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
    }).then((r) => { if (r.status !== 201) throw new Error(`order ${i}: ${r.status} ${JSON.stringify(r.body)}`); }));
  }
  await Promise.all(batch);
  const createSeconds = (performance.now() - started) / 1000;
  const tail = lineCount.indexOf(Math.min(...lineCount.filter((n) => n > 0)));

  // Each write changes the level but covers every order: the watcher looks, and nothing is due.
  let level = 1_000_000;
  const write = (m, sku) => () => call(m.sk, 'POST', '/v1/inventory', { items: [{ sku, on_hand: (level += 1) }] });
  const look = (m) => () => call(operatorToken(), 'POST', '/v1/test/clock', { merchant: m.id, advance_seconds: 0 });
  const hot = await versus(write(busy, 'S-0'), write(empty, 'S-0'));
  const cold = await versus(write(busy, `S-${tail}`), write(empty, `S-${tail}`));
  const all = await versus(look(busy), look(empty), 1000);

  const quiet = await shopperLoad(busy, LOAD_SECONDS);
  let rechecking = true;
  let rechecks = 0;
  const churn = (async () => { while (rechecking) { await look(busy)(); rechecks += 1; } })();
  const loaded = await shopperLoad(busy, LOAD_SECONDS);
  rechecking = false;
  await churn;

  const line = (name, r) => `  ${name}: p50 ${ms(r.p50)} against ${ms(r.base)} without orders → ${ms(r.p50 - r.base)} in the store (${(r.p50 / r.base).toFixed(1)}×)`;
  console.log(`\nPromise watcher: ${ORDERS.toLocaleString('en')} open orders over ${SKUS} SKUs (Zipf, s = 1), wrangler dev on this machine`);
  console.log(`  ${ORDERS.toLocaleString('en')} orders created in ${createSeconds.toFixed(1)} s (${(ORDERS / createSeconds).toFixed(0)}/s, 16 at a time)`);
  console.log(line(`stock write to the most ordered SKU (${lineCount[0]} open orders hold it)`, hot));
  console.log(line(`stock write to a long-tail SKU (${lineCount[tail]} orders)`, cold));
  console.log(line(`a page of the look at every open order (1,000 of ${ORDERS.toLocaleString('en')}; the rest follow by alarm)`, all));
  for (const [name, key] of [['reads', 'reads'], ['holds (create + release)', 'holds']]) {
    const q = quiet[key];
    const l = loaded[key];
    console.log(`  shopper ${name} while looks at every order ran back to back (${rechecks} started): p50 ${ms(percentile(l, 0.5))} against ${ms(percentile(q, 0.5))} (${(percentile(l, 0.5) / percentile(q, 0.5)).toFixed(2)}×), p99 ${ms(percentile(l, 0.99))} against ${ms(percentile(q, 0.99))} (${(percentile(l, 0.99) / percentile(q, 0.99)).toFixed(2)}×); ${l.length} against ${q.length} done`);
  }
} finally {
  await edge.stop();
}
