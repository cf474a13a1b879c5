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
      .then((m) => m.mount(container, apiBase, sku, key, locale))
      .catch(() => container.replaceChildren()); // fail quietly: never break the host page
  }
}

// Loading the script twice must not define the element twice.
if (!customElements.get(TAG)) customElements.define(TAG, UpfrontAvailability);
