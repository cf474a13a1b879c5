// Upfront widget loader: defines <upfront-availability>, reserves its space
// at once, starts each element's availability fetch in parallel with the wasm
// download, and mounts the wasm widget into the element's shadow root.
// Hand-written and tiny on purpose: it runs on every product page view.

import './start-mark.js';
// wasm-bindgen's glue, bundled into this file at build time (scripts/build.sh):
// as a module of its own it cost one more request and module before the first
// paint (~4 ms later in the widget-load benchmark).
import init, { mount, normalize_postal_code } from 'upfront-widget-glue';
// The widget's styles, shared with the edge's server-rendered widget
// (shared/src/fragment.rs), bundled in as text by esbuild. `.upfront`
// undoes the inherited text properties a theme may set (uppercase,
// letter-spacing, indents): the widget inherits its font and colour only.
import CSS from '../../shared/src/widget.css';

const TAG = 'upfront-availability';
const base = new URL('.', import.meta.url);
const apiBase = base.origin;
const TIMEOUT_MS = 3000; // past this the widget gives up quietly
// The wasm's content-hashed file name, set by scripts/build.sh: it is cached
// for a year without revalidation, while this loader's own URL stays stable.
const WASM_FILE = UPFRONT_WASM_FILE;

// Every failure ends here: at most one console.warn per page, with a stable
// prefix and what the merchant can do about it. Nothing reaches the host
// page as an error: the widget then shows nothing (or keeps what it showed).
let warned = false;
function warn(what) {
  if (warned) return;
  warned = true;
  console.warn(`[upfront] ${what}`);
}
// Content-Security-Policy refusals, which a page reports as events rather
// than errors, named by the directive to fix (README: "Content Security Policy").
let socketBlocked = false;
const wsBase = apiBase.replace(/^http/, 'ws');
document.addEventListener('securitypolicyviolation', (e) => {
  const uri = e.blockedURI || '';
  const directive = e.effectiveDirective || e.violatedDirective || '';
  if (uri === 'wasm-eval') {
    warn(`the page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to script-src`);
  } else if (directive === 'connect-src' && (uri.startsWith(apiBase) || uri.startsWith(wsBase))) {
    socketBlocked ||= uri.startsWith(wsBase);
    warn(`the page's Content-Security-Policy blocks ${socketBlocked ? 'live stock' : 'the widget'}: add ${apiBase} ${wsBase} to connect-src`);
  } else if (directive.includes('trusted-types') && e.sample?.startsWith('upfront')) {
    warn(`the page's Content-Security-Policy refuses the Trusted Types policy: add 'upfront' to trusted-types`);
  }
}, true);

// One constructed stylesheet shared by every widget on the page: a page's
// `style-src` governs <style> elements, not constructed sheets, so strict
// CSPs need no 'unsafe-inline' for the widget. A <style> element only where
// constructable stylesheets are missing (Safari before 16.4).
let sheet;
function adoptStyles(root) {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = CSS;
    root.append(style);
  }
}

// The wasm binary downloads in parallel with the availability request:
// nothing waits on anything it does not need.
let wasm;
function loadWasm() {
  if (!wasm) {
    // Bytes, not the Response: V8 then decodes the module on a background
    // thread. Streaming compilation fed every chunk through the main thread:
    // ~5 ms more main-thread work per cold view in the widget-load benchmark,
    // for no earlier first paint.
    const binary = fetch(new URL(WASM_FILE, base)).then((r) => {
      if (!r.ok) throw new Error(`${r.url} answered ${r.status}`);
      return r.arrayBuffer();
    });
    binary.catch(() => {}); // a failure surfaces through `wasm` below
    wasm = init({ module_or_path: binary });
  }
  return wasm;
}

// Live stock: one WebSocket per page and key, following every SKU shown.
// On open the edge sends each SKU's current state, so a reconnect resumes
// without missing the latest change. Backoff: 1 s doubling to 30 s, jittered.
const streams = new Map();
function follow(key, sku, push) {
  let s = streams.get(key);
  if (!s) streams.set(key, (s = { skus: new Map(), ws: null, delay: 1000, timer: 0 }));
  if (!s.skus.has(sku)) s.skus.set(sku, new Set());
  s.skus.get(sku).add(push);
  clearTimeout(s.timer);
  s.timer = setTimeout(() => connect(key, s), 50); // gather the page's elements first
}
function connect(key, s) {
  if (socketBlocked) return; // the page's CSP forbids it: stay static
  if (s.ws) { s.ws.onclose = null; s.ws.close(); }
  const url = new URL('/v1/stream', apiBase);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('key', key);
  url.searchParams.set('skus', [...s.skus.keys()].slice(0, 100).join(','));
  let ws;
  try { ws = new WebSocket(url); } catch { return; }
  s.ws = ws;
  ws.onopen = () => { s.delay = 1000; };
  ws.onmessage = (e) => {
    let update;
    try { update = JSON.parse(e.data); } catch { return; }
    for (const push of s.skus.get(update.sku) ?? []) {
      try { push(update); } catch { /* never break the page */ }
    }
  };
  ws.onclose = () => {
    s.ws = null;
    if (socketBlocked) return;
    s.timer = setTimeout(() => connect(key, s), s.delay * (1 + Math.random() / 2));
    s.delay = Math.min(s.delay * 2, 30000);
  };
}

// The country the answer is for: a typed postal code needs one, so it falls
// back to the locale's likely country (as `Target::postal_country` does).
const destinationCountry = (o) => (o.postalCode ? o.country || o.guessedCountry : o.country);

// Mirrors the widget's `availability_url` (widget/src/api.rs): the wasm uses
// this early answer only when it would have asked the very same URL.
function answerQuery(o) {
  let query = `key=${encodeURIComponent(o.key)}`;
  if (o.qty !== 1) query += `&qty=${o.qty}`;
  if (o.locale) query += `&locale=${encodeURIComponent(o.locale)}`;
  const country = destinationCountry(o);
  if (country) {
    query += `&country=${country}`;
    if (o.postalCode) query += `&postal_code=${encodeURIComponent(o.postalCode)}`;
  }
  return query;
}
const answerUrl = (o) => `${apiBase}/v1/availability/${encodeURIComponent(o.sku)}?${answerQuery(o)}`;

// One request per page: every element that asks in the same task (a page's
// parsed elements upgrade together; infinite scroll appends a page of cards
// at once) is answered by one `GET /v1/availability?skus=…` per key and
// destination, which needs no CORS preflight. A lone SKU keeps its own URL.
// `delay` gathers asks of later tasks too; `init` is the fetch's options.
function batcher(delay, init) {
  const asking = new Map(); // query → Map(sku → [resolve])
  const json = (url) => fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  function flush() {
    for (const [query, skus] of asking) {
      const all = [...skus.keys()];
      for (let i = 0; i < all.length; i += 100) {
        const chunk = all.slice(i, i + 100);
        const answer = (sku, a) => skus.get(sku).forEach((resolve) => resolve(a));
        if (chunk.length === 1) {
          json(`${apiBase}/v1/availability/${encodeURIComponent(chunk[0])}?${query}`).then((a) => answer(chunk[0], a));
        } else {
          json(`${apiBase}/v1/availability?skus=${chunk.map(encodeURIComponent).join(',')}&${query}`).then((batch) => {
            for (const sku of chunk) answer(sku, batch?.results?.find((r) => r.sku === sku)?.availability ?? null);
          });
        }
      }
    }
    asking.clear();
  }
  return (o) => new Promise((resolve) => {
    const query = answerQuery(o);
    if (!asking.size) setTimeout(flush, delay);
    if (!asking.has(query)) asking.set(query, new Map());
    const skus = asking.get(query);
    if (!skus.has(o.sku)) skus.set(o.sku, []);
    skus.get(o.sku).push(resolve);
  });
}
const ask = batcher(0, {});
// After live changes, only the changed SKUs: a restock of many arrives as one
// message each, and those of 50 ms share a request. Past the browser's cache,
// whose `stale-while-revalidate` would hand back the answer just replaced.
const askAgain = batcher(50, { cache: 'no-cache' });
// Each edge isolate keeps a read up to 1 s (the one that took the write
// forgets it at once, the others do not): an answer older than the change it
// is asked for is asked once more when that second has passed.
const ASKED_AGAIN_AFTER_MS = 1100;
const older = (a, update) => a && Date.parse(a.as_of) < Date.parse(update.as_of);
const answerSince = (o, update) => askAgain(o).then((a) => (older(a, update)
  ? new Promise((r) => setTimeout(r, ASKED_AGAIN_AFTER_MS)).then(() => askAgain(o))
  : a));

// Elements far below the fold ask when they come near it: a long collection
// page does not ask for every product at once. The margin is generous, so
// scrolling finds answers already there.
let nearby;
function whenNear(el, then) {
  if (!window.IntersectionObserver) return then();
  nearby ??= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      nearby.unobserve(e.target);
      e.target.upfrontNear?.();
    }
  }, { rootMargin: '150% 0px' });
  el.upfrontNear = then;
  nearby.observe(el);
}

// The postal-code and back-in-stock forms, opened from the widget's
// `data-form` buttons (widget/src/view.rs, `opener_button`). Plain DOM here:
// nobody pays for their bytes before the first paint. Every text comes from
// the widget's copy and is set as text, never as markup.
function openForm(button, spec, o, widget) {
  const slot = button.parentNode;
  const part = button.getAttribute('part');
  const make = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };
  const form = make('form', { part });
  const input = make('input', {
    type: spec.type, name: spec.name, required: '', inputmode: spec.inputmode,
    autocomplete: spec.autocomplete, placeholder: spec.placeholder, 'aria-label': spec.label,
  });
  const submit = make('button', { type: 'submit' }, spec.submit);
  const note = make('small', { role: 'note' }, spec.note);
  form.append(input, submit, note);
  const close = () => { form.remove(); button.hidden = false; button.focus(); };
  const fail = () => {
    input.setAttribute('aria-invalid', 'true');
    note.setAttribute('role', 'alert');
    note.textContent = spec.failed;
  };
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!input.checkValidity()) { input.reportValidity(); return; }
    if (spec.kind === 'postal') {
      let code = null;
      try { code = normalize_postal_code(spec.country, input.value); } catch { /* the wasm failed: as invalid */ }
      if (!code) { fail(); return; }
      try { localStorage.setItem(DESTINATION_KEY, `${spec.country}:${code}`); } catch { /* storage may be off */ }
      close();
      o.postalCode = code;
      widget('postal', code);
      return;
    }
    submit.disabled = true;
    // The email names the product and links back to this page (without its
    // query: campaign tags and personal data stay out of the shop's mail).
    const body = {
      sku: o.sku, email: input.value, page_url: location.origin + location.pathname,
      product_name: Array.from((o.productName || document.title).trim()).slice(0, 200).join('') || undefined,
    };
    if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(o.locale)) body.locale = o.locale;
    const ok = await fetch(`${apiBase}/v1/subscriptions?key=${encodeURIComponent(o.key)}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then((r) => r.ok, () => false);
    submit.disabled = false;
    if (ok) slot.replaceChildren(make('span', { part, role: 'status' }, spec.done));
    else fail();
  });
  button.hidden = true;
  slot.append(form);
  input.focus();
}

// schema.org Product → Offer JSON-LD, in the host page's light DOM (crawlers
// do not read shadow roots), from the very answer the widget shows.
const AVAILABILITY = {
  in_stock: 'InStock', low_stock: 'InStock', backorder: 'BackOrder',
  preorder: 'PreOrder', out_of_stock: 'OutOfStock', discontinued: 'Discontinued',
};
function publishJsonLd(host, a, o) {
  const offer = { '@type': 'Offer', availability: `https://schema.org/${AVAILABILITY[a.status]}` };
  const p = a.delivery_options?.[0];
  if (p) {
    const now = new Date();
    const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    const days = (from, to) => Math.round((Date.parse(to) - from) / 864e5);
    const value = (min, max) => ({ '@type': 'QuantitativeValue', minValue: min, maxValue: max, unitCode: 'DAY' });
    const handling = Math.max(0, days(today, p.ship_date));
    const shipped = Date.parse(p.ship_date);
    offer.shippingDetails = {
      '@type': 'OfferShippingDetails',
      deliveryTime: {
        '@type': 'ShippingDeliveryTime',
        handlingTime: value(handling, handling),
        transitTime: value(days(shipped, p.earliest), days(shipped, p.latest)),
        cutoffTime: `${new Date(p.order_by).toISOString().slice(11, 19)}Z`,
      },
    };
    const country = destinationCountry(o);
    if (country) {
      offer.shippingDetails.shippingDestination = { '@type': 'DefinedRegion', addressCountry: country };
      if (o.postalCode) offer.shippingDetails.shippingDestination.postalCode = o.postalCode;
    }
  }
  const json = JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product', sku: a.sku, offers: offer });
  const script = host.querySelector(':scope > script[data-upfront]') ?? document.createElement('script');
  try {
    script.type = 'application/ld+json';
    script.textContent = scriptText(json);
  } catch {
    warn(`the page requires Trusted Types: add 'upfront' to trusted-types to get the JSON-LD`);
    return;
  }
  script.dataset.upfront = '';
  if (script.parentNode !== host) host.append(script);
}

// A <script>'s text is a Trusted Types sink on pages that require them. The
// `upfront` policy lets only JSON through: a data block that parses as JSON
// runs no code, whatever it says. Created on first use, so that pages
// without JSON-LD need no trusted-types line at all.
let policy;
function scriptText(json) {
  if (policy === undefined) {
    try {
      policy = window.trustedTypes?.createPolicy('upfront', { createScript: (s) => (JSON.parse(s), s) }) ?? null;
    } catch {
      policy = null; // the page's trusted-types list leaves `upfront` out
    }
  }
  return policy ? policy.createScript(json) : json;
}

const quantity = (v) => { const n = Number(v); return Number.isInteger(n) && n >= 1 && n <= 999 ? n : 1; };
// The shopper's own destination, for every widget of this shop: `CC:code`.
const DESTINATION_KEY = 'upfront:destination';
function storedDestination() {
  let value = '';
  try { value = localStorage.getItem(DESTINATION_KEY) || ''; } catch { /* storage may be off */ }
  const at = value.indexOf(':');
  return at === 2 ? [value.slice(0, 2), value.slice(3)] : ['', ''];
}
// The country a locale most likely means: its region subtag, else the main
// country of our seven languages. Not Intl.Locale#maximize, which costs ~7 ms
// of main thread on a fresh page (measured in Chromium's profiler).
const MAIN_COUNTRY = { en: 'US', de: 'DE', fr: 'FR', es: 'ES', ru: 'RU', zh: 'CN', ja: 'JP' };
function likelyRegion(locale) {
  const [language, ...rest] = locale.split(/[-_]/);
  return rest.find((s) => /^[A-Za-z]{2}$/.test(s))?.toUpperCase() ?? MAIN_COUNTRY[language.toLowerCase()] ?? '';
}

class UpfrontAvailability extends HTMLElement {
  connectedCallback() {
    if (this.u) return; // started already (moved in the page, or twice defined)
    this.u = 1;
    try {
      this.start();
    } catch (e) {
      warn(`the widget could not start: ${e}`);
    }
  }

  start() {
    const loaded = loadWasm();
    // The request first: it is what the shopper waits for.
    const attr = (name) => this.getAttribute(name) || '';
    const qtyInput = attr('qty-input');
    let field = null;
    try { field = qtyInput ? document.querySelector(qtyInput) : null; } catch { /* not a selector */ }
    const locale = attr('locale') || document.documentElement.lang || navigator.language || 'en';
    const named = /^[a-z]{2}$/i.test(attr('country')) ? attr('country').toUpperCase() : '';
    // The shopper's saved destination wins, unless the page names another country.
    const [savedCountry, savedCode] = storedDestination();
    const saved = savedCode && (!named || named === savedCountry);
    const o = {
      apiBase, sku: attr('sku'), key: attr('key'), locale,
      country: saved ? savedCountry : named,
      postalCode: saved ? savedCode : attr('postal-code'),
      qty: quantity(field ? field.value : attr('qty') || 1),
      jsonld: attr('jsonld'), productName: attr('product-name'), variant: attr('variant'),
    };
    o.guessedCountry = likelyRegion(locale); // the postal-code form's country when none is named
    o.answerUrl = answerUrl(o);
    // What the widget shows, as the live stream's updates are compared with:
    // one that matches it costs nothing, one that comes before the first
    // answer waits for it.
    let shown;
    let held;
    const jsonld = attr('jsonld') === 'true';
    o.onAnswer = (answer) => {
      shown = answer;
      // The promise shown, signed by the store: a checkout sends it back
      // with the order (`POST /v1/orders`, a line's `promise_token`).
      const promise = answer.delivery_options?.[0]?.promise_token;
      if (promise) this.dataset.promiseToken = promise;
      if (answer.status) {
        for (const line of served) line.remove();
        if (jsonld) publishJsonLd(this, answer, o);
      }
      if (held) { const update = held; held = null; o.onPush(update); }
    };
    o.onPush = (update) => {
      if (!shown) { held = update; return; }
      if (update.status === shown.status && update.available === shown.available) return;
      shown = { status: update.status, available: update.available };
      if (o.widget) o.widget('push', { ...update, answerUrl: answerUrl(o), answer: answerSince(o, update) });
    };
    o.answer = new Promise((resolve) => whenNear(this, () => ask(o).then(resolve)));
    // No answer: every update goes through, and the widget asks again itself.
    o.answer.then((a) => { if (!a) o.onAnswer({}); });

    // The edge's rewrite mode serves the widget drawn already, in a
    // declarative shadow root: its lines stay until the widget's replace
    // them, in the same frame (no flash, no shift).
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    let container = root.querySelector('.upfront');
    const served = container ? [...container.children] : [];
    if (!container) {
      container = document.createElement('div');
      container.className = 'upfront';
      container.setAttribute('aria-live', 'polite');
      // Two still lines; they shimmer only if the answer is slow (the delay
      // in CSS): a shimmering background repaints the main thread every
      // frame, which cost the first status ~7 ms in the widget-load benchmark.
      for (let i = o.variant === 'badge' ? 1 : 0; i < 2; i++) {
        const line = document.createElement('div');
        line.className = 'line skeleton';
        container.append(line);
      }
      root.append(container);
    }

    loaded
      .then(() => {
        // Past this point the page calls into the wasm. A failure there (a
        // trap, an API the page blocks) must not surface in the host page:
        // the widget goes quiet for good, with one warning.
        const mounted = mount(container, o);
        let broken = false;
        const widget = o.widget = (message, value) => {
          if (broken) return undefined;
          try {
            return mounted(message, value);
          } catch (e) {
            broken = true;
            container.replaceChildren();
            warn(`the widget stopped: ${e}`);
            return undefined;
          }
        };
        // The wasm draws the status as soon as the answer is there; the
        // dates, which need Intl's data (~15 ms on a page's first use), only
        // after that frame is painted: the shopper sees stock first.
        o.answer.finally(() => requestAnimationFrame(() => setTimeout(() => widget('dated'))));
        root.addEventListener('click', (e) => {
          const button = e.target.closest?.('button[data-form]');
          const spec = button && widget('form', button.dataset.form);
          if (spec) openForm(button, spec, o, widget);
        });
        follow(o.key, o.sku, o.onPush);
        if (qtyInput) {
          const onQty = (e) => {
            try {
              if (e.target.matches && e.target.matches(qtyInput)) {
                o.qty = quantity(e.target.value); // what later pushes ask for
                widget('qty', e.target.value);
              }
            } catch { /* ignore */ }
          };
          document.addEventListener('input', onQty);
          document.addEventListener('change', onQty);
        }
      })
      .catch((e) => {
        // No wasm (a CSP without 'wasm-unsafe-eval', a network error): quiet.
        container.replaceChildren();
        // A CSP refusal is reported as an event that may come after this
        // rejection: let it name the directive first.
        setTimeout(() => warn(`the widget could not load: ${e}`), 1000);
      });
  }
}

// Loading the script twice must not define the element twice.
if (!customElements.get(TAG)) customElements.define(TAG, UpfrontAvailability);
