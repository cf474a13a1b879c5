// Crash safety: concurrent holds while workerd is killed (SIGKILL) and
// restarted on the same storage. Every acknowledged hold survives, and the
// SKU is never oversold. Runs its own edge, on the shared edge's port + 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, ROOT, setStock, startEdge } from './edge.mjs';

const PORT = Number(new URL(process.env.EDGE_URL).port) + 1;

/** POSTs a hold; a connection that dies answers `{ status: 0 }`, never throws. */
function holder(url) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: false, maxSockets: 32 });
  return (body) => new Promise((resolve) => {
    const text = JSON.stringify(body);
    const req = http.request({
      host: hostname, port, path: '/v1/holds', method: 'POST', agent,
      headers: { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (res) => {
      let answer = '';
      res.on('data', (c) => { answer += c; });
      res.on('end', () => {
        try { resolve({ status: res.statusCode, body: JSON.parse(answer) }); } catch { resolve({ status: 0 }); }
      });
      res.on('error', () => resolve({ status: 0 }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end(text);
  });
}

/**
 * Commits a hold and answers its final state. `wrangler dev`'s proxy may
 * answer 503 "Your worker restarted mid-request" for a POST while the
 * restarted worker settles; the request may or may not have reached the
 * worker, so a retry that finds the hold already committed counts too.
 */
async function commit(url, id) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const res = await fetch(`${url}/v1/holds/${id}/commit`, {
      method: 'POST', headers: { Authorization: `Bearer ${DEMO.secretKey}` },
    });
    if (res.status === 200) return (await res.json()).state;
    const text = await res.text();
    if (res.status === 503 && text.startsWith('Your worker restarted')) {
      // The dev proxy's pooled connections to the crashed workerd fail one by one: back off.
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      continue;
    }
    if (attempt > 0 && res.status === 409 && text.includes('already committed')) return 'committed';
    return `${res.status} ${text}`;
  }
  return 'the dev proxy kept answering 503';
}

test('holds survive a workerd crash mid-burst, and nothing is oversold', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'upfront-crash-'));
  const logFile = join(ROOT, 'test-results/edge-crash.log');
  let edge = await startEdge({ port: PORT, stateDir, logFile });
  try {
    const sku = `CRASH-${Date.now()}`;
    await setStock(edge.url, [{ sku, on_hand: 100, out_of_stock_policy: 'deny' }]);
    const hold = holder(edge.url);
    let answered = 0;
    let crash;
    const crashed = new Promise((resolve) => { crash = resolve; });
    const first = Promise.all(Array.from({ length: 2000 }, () => hold({ sku, qty: 1, ttl_seconds: 1800 }).then((a) => {
      answered += 1;
      if (answered === 60) crash(edge.kill()); // mid-burst: most requests are still queued
      return a;
    })));
    await crashed;
    const before = await first;
    edge = await startEdge({ port: PORT, stateDir, logFile });
    const after = await Promise.all(Array.from({ length: 2000 }, () => holder(edge.url)({ sku, qty: 1, ttl_seconds: 1800 })));

    const acknowledged = [...before, ...after].filter((a) => a.status === 201).map((a) => a.body.id);
    const lost = before.filter((a) => a.status === 0).length;
    console.log(`# ${acknowledged.length} acknowledged, ${lost} cut off by the crash`);
    assert.ok(before.some((a) => a.status === 201), 'some holds were acknowledged before the crash');
    assert.ok(lost > 0, 'the crash cut requests off');
    assert.ok(acknowledged.length <= 100, 'never more holds than units');
    assert.equal(new Set(acknowledged).size, acknowledged.length);
    assert.ok([...before, ...after].every((a) => [0, 201, 409].includes(a.status)));

    // Every acknowledged hold still exists, open: committing it succeeds.
    for (const id of acknowledged) assert.equal(await commit(edge.url, id), 'committed', `hold ${id} was lost`);
    const stock = await (await fetch(`${edge.url}/v1/availability/${sku}?key=${DEMO.publishableKey}`)).json();
    assert.equal(stock.available, 0, 'the burst after the restart took the rest');
    assert.equal(stock.status, 'out_of_stock');
  } finally {
    await edge.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
