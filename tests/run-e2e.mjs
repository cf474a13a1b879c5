// Runs every end-to-end test file against one real edge, then stops it
// whatever happened. Usage: node tests/run-e2e.mjs [test files...]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startEdge } from './e2e/edge.mjs';
import { startShop } from './e2e/shop.mjs';
import { fuzzAgainstOpenApi } from './schemathesis.mjs';

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(join(ROOT, 'tests/e2e')).filter((f) => f.endsWith('.test.mjs')).map((f) => join(ROOT, 'tests/e2e', f));

mkdirSync(join(ROOT, 'test-results'), { recursive: true });
const edgePort = Number(process.env.EDGE_PORT ?? 8788);
const edge = await startEdge({ port: edgePort, logFile: join(ROOT, 'test-results/edge.log') });
// The merchant's own site, on another origin: every widget page is served from here.
const shop = await startShop({ port: Number(process.env.SHOP_PORT ?? edgePort + 2) }).catch(async (e) => {
  await edge.stop();
  throw e;
});
let code = 1;
const stopAll = async () => { await shop.stop(); await edge.stop(); };
const stopAndExit = async (signal) => { await stopAll(); process.exit(signal ? 130 : code); };
process.on('SIGINT', () => stopAndExit(true));
process.on('SIGTERM', () => stopAndExit(true));
try {
  const child = spawn(process.execPath, ['--experimental-websocket', '--test', '--test-concurrency=1', ...files], {
    stdio: 'inherit',
    env: { ...process.env, EDGE_URL: edge.url, EDGE_LOG: edge.logPath, SHOP_URL: shop.url, SHOP_FOREIGN_URL: shop.foreignUrl, SHOP_PAGES: shop.pages },
  });
  code = await new Promise((r) => child.on('exit', (c) => r(c ?? 1)));
  // Last, because fuzzing the inventory route rewrites the demo store.
  if (code === 0 && process.argv.length <= 2) code = await fuzzAgainstOpenApi(edge.url);
} finally {
  await stopAll();
}
process.exit(code);
