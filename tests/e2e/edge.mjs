// Starts and stops the real edge (wrangler dev on workerd) for tests.
// Servers are started in their own process group and stopped by that id,
// never by name, so a failing test cannot leave one behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ACME, DEMO, ensureDevVars, loopbackOrigins, operatorToken, seedLocalMerchants } from '../../scripts/local-merchants.mjs';

export { ACME, DEMO, operatorToken };
export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Starts the edge on `port` with a fresh, empty storage folder, or with
 * `stateDir` (kept on stop: the caller owns it, to restart on the same data).
 */
export async function startEdge({ port = 8787, logFile, stateDir, shopPort = Number(process.env.SHOP_PORT ?? port + 2) } = {}) {
  // Never test against someone else's server that happens to hold the port.
  const busy = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
  if (busy) throw new Error(`port ${port} is already in use; set EDGE_PORT to a free port`);
  const state = stateDir ?? mkdtempSync(join(tmpdir(), 'upfront-edge-'));
  ensureDevVars();
  const logPath = logFile ?? join(state, 'wrangler.log');
  const log = openSync(logPath, 'a');
  const child = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--var', 'DEMO_STORE:on', '--var', 'OUTBOX_BACKOFF_SECONDS:1', '--var', 'OUTBOX_RETRY_WINDOW_SECONDS:15',
      '--var', `PUBLIC_URL:http://127.0.0.1:${port}`,
      // The rewrite mode: pages of `shop.localhost` (Chromium resolves
      // *.localhost to this machine) come from the local shop through the edge.
      '--var', `REWRITE_ROUTES:${JSON.stringify({ [`shop.localhost:${port}`]: `http://127.0.0.1:${shopPort}` })}`,
      '--persist-to', state, '--show-interactive-dev-session=false'],
    { cwd: join(ROOT, 'edge'), detached: true, stdio: ['ignore', log, log] },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try { process.kill(-child.pid, 0); } catch { break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* stopped */ }
    if (!stateDir) rmSync(state, { recursive: true, force: true });
  };
  /** Like a crash: SIGKILL to wrangler and workerd at once, storage left as it is. */
  const kill = async () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    while (!exited) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 100; i += 1) {
      try { process.kill(-child.pid, 0); } catch { return; }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let exited = false;
  child.on('exit', () => { exited = true; });
  const deadline = Date.now() + 180_000; // the first start may rebuild the Worker
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}/v1/openapi.json`);
      if (res.status === 200) {
        // The local merchants, onboarded as any merchant is; their pages
        // may come from the edge's origin (the demo) and the local shop's.
        await seedLocalMerchants(url, loopbackOrigins(port, shopPort));
        return { url, stop, kill, pid: child.pid, stateDir: state, logPath };
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the edge did not become ready on ${url}${exited ? ' (wrangler exited)' : ''}`);
}

/**
 * Gives Acme a delivery configuration, as its systems would: it ships from
 * Reno with a 15:00 cutoff, to the US; `notices` are optional delay notices.
 */
export async function configureAcme(url, notices = []) {
  const res = await fetch(`${url}/v1/delivery-config`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ACME.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      default_country: 'US',
      warehouses: [{ id: 'reno', time_zone: 'America/Los_Angeles', cutoff: '15:00', handling_days: { min: 1, max: 1 } }],
      methods: [{ id: 'ground', label: 'Ground', lanes: [{ country: 'US', transit_days: { min: 2, max: 4 } }] }],
      delay_notices: notices,
    }),
  });
  if (res.status !== 200) throw new Error(`delivery config write failed: ${res.status} ${await res.text()}`);
}

/** `check()`'s first truthy answer, asked every 100 ms; fails the test after `ms`. */
export async function until(what, check, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() - start < ms, `${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One API call with a bearer credential: `{ status, body }`, the body parsed when there is one. */
export async function apiCall(base, key, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Writes stock through the merchant API, as a merchant's system would. */
export async function setStock(url, items, secretKey = DEMO.secretKey) {
  const res = await fetch(`${url}/v1/inventory`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  if (res.status !== 200) throw new Error(`inventory write failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * POSTs JSON through a pool of at most `sockets` connections. Thousands of
 * requests are queued at once; the pool only keeps the local dev proxy from
 * resetting sockets, which it does past a few hundred simultaneous ones.
 */
export function pooledPoster(baseUrl, headers, sockets = 32) {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: false, maxSockets: sockets });
  return (path, value) => new Promise((resolve, reject) => {
    const body = JSON.stringify(value);
    const req = http.request({
      host: hostname, port, path, method: 'POST', agent,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
