// The benchmark's storefront origin on workerd: `/v1/*` goes to the edge
// Worker, `/bench-pages/*` to the benchmark's product pages, everything else
// to the built static files, each with its MIME type, as `[assets]` does
// under wrangler.
const TYPES = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html; charset=utf-8' };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/v1/')) return env.EDGE.fetch(request);
    const pages = url.pathname.startsWith('/bench-pages/');
    if (pages) url.pathname = url.pathname.slice('/bench-pages'.length);
    const file = await (pages ? env.PAGES : env.STATIC).fetch(pages ? new Request(url, request) : request);
    const type = TYPES[url.pathname.split('.').pop()];
    if (!type || !file.ok) return file;
    const headers = new Headers(file.headers);
    headers.set('Content-Type', type);
    return new Response(file.body, { status: file.status, headers });
  },
};
