// The widget benchmark's two origins on workerd, as in production:
// - the edge (ROLE "edge"): `/v1/*` goes to the edge Worker, everything else
//   to the built static files, with their MIME types and the response headers
//   of `dist/_headers` (CORS, Cache-Control), as Workers static assets serve them;
// - the merchant's shop (ROLE "shop"): the benchmark's product pages, which
//   load the widget from the edge's origin, cross-origin like every real shop.
const TYPES = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html; charset=utf-8' };

/**
 * The rules of a `_headers` file: a path pattern (`*` matches anything) and
 * its indented `Name: value` lines; comments and blank lines skipped.
 */
function parseHeaders(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const pattern = line.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
      rules.push({ match: new RegExp(`^${pattern}$`), headers: [] });
    } else {
      const at = line.indexOf(':');
      rules.at(-1).headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
    }
  }
  return rules;
}

let rules;
async function staticFile(request, env) {
  const url = new URL(request.url);
  if (url.pathname === '/_headers') return new Response('not found', { status: 404 });
  rules ??= parseHeaders(await (await env.STATIC.fetch(new Request(new URL('/_headers', url)))).text());
  const file = await env.STATIC.fetch(request);
  if (!file.ok) return file;
  const headers = new Headers(file.headers);
  const type = TYPES[url.pathname.split('.').pop()];
  if (type) headers.set('Content-Type', type);
  for (const rule of rules) {
    if (rule.match.test(url.pathname)) for (const [name, value] of rule.headers) headers.set(name, value);
  }
  // Compressed as Cloudflare serves them; workerd compresses a body whose
  // Content-Encoding is set. Chromium asks for br over HTTPS only, so gzip here.
  if (type && /\bgzip\b/.test(request.headers.get('Accept-Encoding') ?? '')) headers.set('Content-Encoding', 'gzip');
  return new Response(file.body, { status: file.status, headers });
}

export default {
  async fetch(request, env) {
    if (env.ROLE === 'shop') {
      const page = await env.PAGES.fetch(request);
      if (!page.ok) return page;
      return new Response(page.body, { headers: { 'Content-Type': TYPES.html, 'Cache-Control': 'no-store' } });
    }
    if (new URL(request.url).pathname.startsWith('/v1/')) return env.EDGE.fetch(request);
    return staticFile(request, env);
  },
};
