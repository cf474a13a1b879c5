// A merchant's storefront for the browser tests: a plain static file server
// on an origin that is not the edge's, as every real shop is. It knows
// nothing of Upfront: pages reach the widget only through the README's
// snippet. Usage: node shop-server.mjs <pages dir> <port> [host...]
//
// `<name>.html` is served from the pages folder (the tests write it there),
// with the headers of `<name>.html.headers.json` beside it if present (a
// Content-Security-Policy, say); files of `tests/e2e/shop/` (a theme's
// stylesheet) are served as they are.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const [pages, port, ...hosts] = process.argv.slice(2);
const FIXTURES = join(import.meta.dirname, 'shop');
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript' };

async function serve(req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://shop').pathname));
  if (path.includes('..') || !TYPES[extname(path)]) return answer(res, 404, {}, 'not found');
  for (const dir of [pages, FIXTURES]) {
    const file = join(dir, path);
    const body = await readFile(file).catch(() => null);
    if (!body) continue;
    const extra = JSON.parse(await readFile(`${file}.headers.json`, 'utf8').catch(() => '{}'));
    return answer(res, 200, { 'Content-Type': TYPES[extname(path)], 'Cache-Control': 'no-store', ...extra }, body);
  }
  return answer(res, 404, {}, 'not found');
}

function answer(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

for (const host of hosts.length ? hosts : ['127.0.0.1']) {
  http.createServer((req, res) => serve(req, res).catch(() => answer(res, 500, {}, 'error'))).listen(Number(port), host);
}
