// The merchant's own site for the browser tests: `shop-server.mjs` in its own
// process group (stopped by that id, like the edge), on its own port, so every
// widget page is cross-origin to the edge, as on a real shop.
//
// It answers on two loopback addresses: 127.0.0.1, an origin the local test
// merchants allow, and 127.0.0.2, an origin that no merchant lists.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOSTS = ['127.0.0.1', '127.0.0.2'];

/** Starts the shop on `port` with a fresh pages folder. */
export async function startShop({ port }) {
  const pages = mkdtempSync(join(tmpdir(), 'upfront-shop-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, 'shop-server.mjs'), pages, String(port), ...HOSTS], {
    detached: true, stdio: 'inherit',
  });
  const url = `http://${HOSTS[0]}:${port}`;
  const stop = async () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    rmSync(pages, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ready = await Promise.all(HOSTS.map((h) => fetch(`http://${h}:${port}/theme.css`).then((r) => r.ok, () => false)));
    if (ready.every(Boolean)) return { url, foreignUrl: `http://${HOSTS[1]}:${port}`, pages, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the shop did not start on port ${port}`);
}

/**
 * Puts a page on the shop (the tests' process learns the folder from
 * `SHOP_PAGES`), with extra response headers such as a CSP. Answers its path.
 */
export function putPage(name, html, headers = {}) {
  const file = join(process.env.SHOP_PAGES, `${name}.html`);
  writeFileSync(file, html);
  writeFileSync(`${file}.headers.json`, JSON.stringify(headers));
  return `/${name}.html`;
}
