// The merchant's site as the rewrite mode serves it: `shop.localhost:<edge
// port>` is routed through the edge (tests/e2e/edge.mjs, REWRITE_ROUTES),
// which fetches pages from the local shop. Chromium resolves *.localhost to
// this machine; plain HTTP clients name the host in the header.
import http from 'node:http';

const PORT = new URL(process.env.EDGE_URL).port;
/** The merchant's domain, routed through the edge. */
export const SITE = `http://shop.localhost:${PORT}`;

/** A GET as a crawler makes it: no JavaScript, the site's host. */
export function crawl(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: PORT, path, headers: { Host: `shop.localhost:${PORT}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

/** Per SKU, the server-rendered text of the status and promise lines, and the JSON-LD. */
export function served(html) {
  const out = {};
  for (const [, sku, inner] of html.matchAll(/<upfront-availability sku="([^"]+)"[^>]*>([\s\S]*?)<\/upfront-availability>/g)) {
    const text = (part) => {
      const m = inner.match(new RegExp(`<div class="line [a-z]+" part="${part}"[^>]*>([\\s\\S]*?)</div>`));
      return m ? m[1].replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').trim() : '';
    };
    const ld = inner.match(/<script type="application\/ld\+json" data-upfront="">([\s\S]*?)<\/script>/);
    out[sku] = { status: text('status'), promise: text('promise'), ld: ld && JSON.parse(ld[1]) };
  }
  return out;
}
