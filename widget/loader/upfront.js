// Upfront widget loader: defines <upfront-availability>, reserves its space
// at once, and mounts the wasm widget into each element's shadow root.
// Hand-written and tiny on purpose: it runs on every product page view.
const TAG = 'upfront-availability';
const base = new URL('.', import.meta.url);
const apiBase = base.origin;

const CSS = `
:host{display:block;font:inherit;color:inherit;min-height:3em;contain:layout;
--upfront-ok:#1a7f37;--upfront-low:#9a6700;--upfront-out:#b42318;--upfront-info:#0b5cad;
--upfront-accent:currentColor;--upfront-radius:4px;--upfront-gap:.25em}
.upfront{display:flex;flex-direction:column;gap:var(--upfront-gap);min-height:3em}
.line{line-height:1.5;min-height:1.5em}
.status{display:flex;align-items:center;gap:.5em}
.dot{width:.6em;height:.6em;border-radius:50%;background:var(--upfront-ok);flex:none}
[data-state=low] .dot{background:var(--upfront-low)}
[data-state=out] .dot{background:var(--upfront-out)}
.skeleton{border-radius:var(--upfront-radius);background:linear-gradient(90deg,#0000000f,#0000001f,#0000000f);background-size:200% 100%;animation:s 1.2s linear infinite;width:60%;height:1.1em;min-height:0;margin:.2em 0}
.skeleton.short{width:40%}
@keyframes s{to{background-position:-200% 0}}
@media (prefers-reduced-motion:reduce){.skeleton{animation:none}}
`;

let wasm;
function loadWasm() {
  wasm ??= import(new URL('upfront_widget.js', base).href).then(async (m) => {
    await m.default({ module_or_path: new URL('upfront_widget_bg.wasm', base) });
    return m;
  });
  return wasm;
}

// Live stock: one WebSocket per page and key, following every SKU shown.
// On open the edge sends each SKU's current state, so a reconnect resumes
// without missing the latest change. Backoff: 1 s doubling to 30 s, jittered.
const streams = new Map();
function follow(key, sku, refresh) {
  let s = streams.get(key);
  if (!s) streams.set(key, (s = { skus: new Map(), ws: null, delay: 1000, timer: 0 }));
  if (!s.skus.has(sku)) s.skus.set(sku, new Set());
  s.skus.get(sku).add(refresh);
  clearTimeout(s.timer);
  s.timer = setTimeout(() => connect(key, s), 50); // gather the page's elements first
}
function connect(key, s) {
  if (s.ws) { s.ws.onclose = null; s.ws.close(); }
  const url = new URL('/v1/stream', apiBase);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('key', key);
  url.searchParams.set('skus', [...s.skus.keys()].slice(0, 100).join(','));
  let ws;
  try { ws = new WebSocket(url); } catch { return; } // a strict CSP may forbid it: stay static
  s.ws = ws;
  ws.onopen = () => { s.delay = 1000; };
  ws.onmessage = (e) => {
    let update;
    try { update = JSON.parse(e.data); } catch { return; }
    for (const refresh of s.skus.get(update.sku) ?? []) {
      try { refresh(update); } catch { /* never break the page */ }
    }
  };
  ws.onclose = () => {
    s.ws = null;
    s.timer = setTimeout(() => connect(key, s), s.delay * (1 + Math.random() / 2));
    s.delay = Math.min(s.delay * 2, 30000);
  };
}

class UpfrontAvailability extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = CSS;
    const container = document.createElement('div');
    container.className = 'upfront';
    container.setAttribute('aria-live', 'polite');
    for (const cls of ['line skeleton', 'line skeleton short']) {
      const line = document.createElement('div');
      line.className = cls;
      container.append(line);
    }
    root.append(style, container);
    const sku = this.getAttribute('sku') || '';
    const key = this.getAttribute('key') || '';
    const locale = this.getAttribute('locale') || document.documentElement.lang || navigator.language || 'en';
    loadWasm()
      .then((m) => follow(key, sku, m.mount(container, apiBase, sku, key, locale)))
      .catch(() => container.replaceChildren()); // fail quietly: never break the host page
  }
}

// Loading the script twice must not define the element twice.
if (!customElements.get(TAG)) customElements.define(TAG, UpfrontAvailability);
