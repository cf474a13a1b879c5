// The local merchants, created the way a real one is: through the operator
// API (`POST /v1/operator/merchants`) with the operator token. The demo
// store and Acme get the README's documented test keys (key import works
// only while the edge runs with DEMO_STORE=on) and the origins of this run.
//
//   node scripts/local-merchants.mjs dev-vars          writes edge/.dev.vars if missing
//   node scripts/local-merchants.mjs seed URL ORIGIN…  creates both (or updates their origins)
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DEV_VARS = join(ROOT, 'edge/.dev.vars');

/** The documented local keys (README.md, "The demo store"). */
export const DEMO = {
  id: 'demo',
  publishableKey: 'pk_test_demo_localonlypublishable',
  secretKey: 'sk_test_demo_localonlysecret00000',
  shopifySecrets: ['shpss_test_demo_current_local', 'shpss_test_demo_previous_local'],
  allowedOrigin: 'https://shop.example',
};
/** A second local merchant: its keys must never reach the demo store's data. */
export const ACME = {
  id: 'acme',
  publishableKey: 'pk_test_acme_localonlypublishable',
  secretKey: 'sk_test_acme_localonlysecret00000',
  allowedOrigin: 'https://acme.example',
};

/**
 * `edge/.dev.vars` holds the local operator token (wrangler dev reads it as
 * a secret). Written once with a random token; never committed.
 */
export function ensureDevVars() {
  if (!existsSync(DEV_VARS) || !/^OPERATOR_TOKEN=/m.test(readFileSync(DEV_VARS, 'utf8'))) {
    const token = `op_local_${randomBytes(24).toString('hex')}`;
    writeFileSync(DEV_VARS, `${existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8') : ''}OPERATOR_TOKEN=${token}\n`, { mode: 0o600 });
  }
  return operatorToken();
}

export function operatorToken() {
  const line = readFileSync(DEV_VARS, 'utf8').split('\n').find((l) => l.startsWith('OPERATOR_TOKEN='));
  return line.slice('OPERATOR_TOKEN='.length).trim().replace(/^"(.*)"$/, '$1');
}

async function operatorCreate(url, token, body) {
  const res = await fetch(`${url}/v1/operator/merchants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`creating ${body.id} failed: ${res.status} ${await res.text()}`);
  }
  return res.status === 201;
}

async function setOrigins(url, secretKey, origins) {
  const res = await fetch(`${url}/v1/settings`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ allowed_origins: origins }),
  });
  if (res.status !== 200) throw new Error(`settings failed: ${res.status} ${await res.text()}`);
}

/**
 * Creates the demo store (with its catalogue) and Acme on the edge at
 * `url`, or, on an edge that has them from an earlier run, sets their
 * allowed origins to `localOrigins` (the edge's own and the local shop's).
 */
export async function seedLocalMerchants(url, localOrigins, token = operatorToken()) {
  const merchants = [
    { keys: DEMO, name: 'Upfront demo store', origins: [...localOrigins, DEMO.allowedOrigin],
      extra: { catalogue: 'demo' },
      settings: { shopify_webhook_secrets: DEMO.shopifySecrets, freshness_limit_seconds: 30 * 24 * 3600 } },
    { keys: ACME, name: 'Acme', origins: [...localOrigins, ACME.allowedOrigin], extra: {},
      settings: { freshness_limit_seconds: 30 * 24 * 3600 } },
  ];
  for (const m of merchants) {
    const created = await operatorCreate(url, token, {
      id: m.keys.id,
      display_name: m.name,
      mode: 'test',
      settings: { ...m.settings, allowed_origins: m.origins },
      import_keys: { publishable: m.keys.publishableKey, secret: m.keys.secretKey },
      ...m.extra,
    });
    if (!created) await setOrigins(url, m.keys.secretKey, m.origins);
  }
}

/** `http://127.0.0.1:<port>` and `http://localhost:<port>` for each port. */
export function loopbackOrigins(...ports) {
  return ports.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]);
}

if (process.argv[1] === import.meta.filename) {
  const [command, url, ...origins] = process.argv.slice(2);
  if (command === 'dev-vars') ensureDevVars();
  else if (command === 'seed') await seedLocalMerchants(url, origins);
  else {
    console.error('usage: local-merchants.mjs dev-vars | seed URL [ORIGIN…]');
    process.exit(2);
  }
}
