// Two isolates, one store: what one isolate caches about a key must not
// outlive a revocation or a settings change made through another by more
// than 5 s. wrangler dev runs one isolate, so this test serves the deploy
// bundle (`wrangler deploy --dry-run`) on workerd directly: two Worker
// services bound to one Durable Object namespace, as a deploy with
// `DEMO_STORE=off` (no demo merchant, every key generated).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './edge.mjs';
import { bundle, capnpModules } from '../workerd.mjs';

const PORT_A = Number(new URL(process.env.EDGE_URL).port) + 10;
const PORT_B = PORT_A + 1;
const A = `http://127.0.0.1:${PORT_A}`;
const B = `http://127.0.0.1:${PORT_B}`;
const TOKEN = `op_${randomBytes(16).toString('hex')}`;
const BUNDLE = join(ROOT, 'target/deploy-dry-run');
let workerd;
let dir;

function config(modules) {
  const bindings = (store) => `bindings = [
    (name = "DEMO_STORE", text = "off"),
    (name = "OPERATOR_TOKEN", text = "${TOKEN}"),
    (name = "STORE", durableObjectNamespace = ${store}),
  ]`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = .a),
    (name = "b", worker = .b),
    (name = "storage", disk = (path = "${join(dir, 'storage')}", writable = true)),
  ],
  sockets = [
    (name = "a", address = "127.0.0.1:${PORT_A}", http = (), service = "a"),
    (name = "b", address = "127.0.0.1:${PORT_B}", http = (), service = "b"),
  ],
);
const a :Workerd.Worker = (
  modules = [ ${modules} ],
  compatibilityDate = "2026-04-20",
  ${bindings('"Store"')},
  durableObjectNamespaces = [ (className = "Store", uniqueKey = "upfront-isolates", enableSql = true) ],
  durableObjectStorage = (localDisk = "storage"),
);
const b :Workerd.Worker = (
  modules = [ ${modules} ],
  compatibilityDate = "2026-04-20",
  ${bindings('(serviceName = "a", className = "Store")')},
);
`;
}

before(async () => {
  if (!existsSync(BUNDLE)) {
    execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', BUNDLE],
      { cwd: join(ROOT, 'edge'), stdio: 'ignore' });
  }
  dir = mkdtempSync(join(tmpdir(), 'upfront-isolates-'));
  execFileSync('mkdir', [join(dir, 'storage')]);
  writeFileSync(join(dir, 'config.capnp'), config(capnpModules(dir, bundle(BUNDLE))));
  workerd = spawn(join(ROOT, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp'), '--experimental'],
    { detached: true, stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await Promise.all([A, B].map((u) => fetch(`${u}/v1/openapi.json`).then((r) => r.ok, () => false)));
    if (up.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('workerd did not start');
});

after(() => {
  try { process.kill(-workerd.pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(dir, { recursive: true, force: true });
});

const call = async (base, key, method, path, body) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
};

/** Milliseconds until `check()` holds, polling every 100 ms; fails past 5 s. */
async function within5s(what, check) {
  const start = Date.now();
  while (!(await check())) {
    assert.ok(Date.now() - start < 5000, `${what}: not in force 5 s later`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

test('a deploy: keys are generated, never imported; no demo store exists', async () => {
  const imported = await call(A, TOKEN, 'POST', '/v1/operator/merchants', {
    id: 'demo', display_name: 'Demo', mode: 'test',
    import_keys: { publishable: 'pk_test_demo_localonlypublishable', secret: 'sk_test_demo_localonlysecret00000' },
  });
  assert.equal(imported.status, 422);
  assert.equal(imported.body.error.param, 'import_keys');
  const demo = await fetch(`${B}/v1/availability/MUG-STONEWARE?key=pk_test_demo_localonlypublishable`);
  assert.equal(demo.status, 401);
  // The order workflow's test clock does not exist on a deploy, even for the operator.
  const shop = await call(A, TOKEN, 'POST', '/v1/operator/merchants', { id: 'clockless', display_name: 'Clockless', mode: 'test' });
  assert.equal(shop.status, 201);
  const clock = await call(A, TOKEN, 'POST', '/v1/test/clock', { merchant: 'clockless', advance_seconds: 86400 });
  assert.deepEqual([clock.status, clock.body.error.code], [404, 'not_found']);
  // Nor do the benchmark's cache counters.
  assert.equal((await fetch(`${A}/v1/test/cache-stats`)).status, 404);
});

test('revocation and settings made through one isolate hold in another within 5 s', async () => {
  const created = await call(A, TOKEN, 'POST', '/v1/operator/merchants', { id: `iso-${randomBytes(3).toString('hex')}`, display_name: 'Iso' });
  assert.equal(created.status, 201);
  const sk = created.body.secret_key.secret;
  const rk = (await call(A, sk, 'POST', '/v1/keys', { kind: 'restricted', scopes: ['inventory:read'] })).body;
  // B learns the key (and caches what it grants), then A revokes it.
  assert.equal((await call(B, rk.secret, 'GET', '/v1/skus')).status, 200);
  assert.equal((await call(A, sk, 'DELETE', `/v1/keys/${rk.key.id}`)).status, 200);
  const revoked = await within5s('revocation', async () => (await call(B, rk.secret, 'GET', '/v1/skus')).status === 401);
  console.log(`# revoked through A, refused by B after ${revoked} ms`);

  // An origin added through A is granted by B within the same bound.
  const pk = created.body.publishable_key.secret;
  await call(A, sk, 'POST', '/v1/inventory', { items: [{ sku: 'ISO-1', on_hand: 1 }] });
  const granted = async () => (await fetch(`${B}/v1/availability/ISO-1?key=${pk}`, { headers: { Origin: 'https://iso.example' } }))
    .headers.get('access-control-allow-origin') === 'https://iso.example';
  assert.equal(await granted(), false);
  assert.equal((await call(A, sk, 'PATCH', '/v1/settings', { allowed_origins: ['https://iso.example'] })).status, 200);
  const allowed = await within5s('origin change', granted);
  console.log(`# origin added through A, granted by B after ${allowed} ms`);
});
