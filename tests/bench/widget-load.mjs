// Widget first paint in headless Chromium against the edge on workerd, cold
// cache: from the loader's first line (`performance.mark('upfront:loader-start')`)
// to the status line in the shadow root, over 50 page loads, with the raw API
// round trip measured in the same run as the baseline. Also main-thread work
// (beside the same page without the widget, loaded and awaited the same way,
// so Chromium's and Playwright's own work cancels out) and how much of it is
// ICU's first load (the bare page formatting one date), long tasks and layout
// shift. Prints figures; asserts nothing (noisy machines).
// Also first paint under an emulated network (40 ms round trip, 10 Mbit/s down), cold and
// repeat view. The product pages are served by the merchant's own origin, the widget and
// the API by the edge's, as on every real shop.
// Called by run.mjs with both origins.
import { DEMO } from '../e2e/edge.mjs';
import { launch } from '../e2e/browser.mjs';

const LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 50);
const SETTLE_MS = 500;

const HEAD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>
<script>
  window.bench = { shift: 0, longTasks: 0 };
  // Reported through a CDP binding: no polling, and no Playwright evaluate, whose utility
  // script (several ms of parse and compile) would otherwise land in the middle of the load.
  bench.finish = () => { bench.painted = performance.now(); window.benchDone?.(''); };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) bench.shift += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((l) => { bench.longTasks += l.getEntries().length; }).observe({ type: 'longtask', buffered: true });
</script>`;
const BODY = `<body><main><h1>Stoneware Mug</h1>
<upfront-availability sku="MUG-STONEWARE" key="${DEMO.publishableKey}"></upfront-availability>
<p>Below the widget.</p></main></body></html>`;

const page = (edge) => `${HEAD}
<script>
  customElements.whenDefined('upfront-availability').then(() => {
    const root = document.querySelector('upfront-availability').shadowRoot;
    new MutationObserver(() => {
      if (!bench.painted && root.querySelector('[part=status]')) bench.finish();
    }).observe(root, { subtree: true, childList: true });
  });
</script>
<script type="module" src="${edge}/widget/v1/upfront.js" async></script>
<style>upfront-availability:not(:defined){display:block;min-height:5em}</style></head>
${BODY}`;

// The same page without the widget: what a bare page load costs the main thread.
const BARE = `${HEAD}
<script>addEventListener('load', () => bench.finish());</script></head>
${BODY}`;

// The bare page plus one date formatted through Intl: ICU's one-off data load,
// which the widget's dates pay on a page that has not formatted a date or number yet.
const INTL = `${HEAD}
<script>addEventListener('load', () => {
  new Intl.DateTimeFormat('en', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(0);
  bench.finish();
});</script></head>
${BODY}`;

// A collection page: 48 product cards, half with a badge, half with the full
// widget, all within the screens the loader asks for at once (the viewport
// and 1.5 more below). Done when every one shows its status.
const GRID_SKUS = Array.from({ length: 48 }, (_, i) => `GRID-${i}`);
const grid = (edge) => `${HEAD}
<script>
  customElements.whenDefined('upfront-availability').then(() => {
    const all = [...document.querySelectorAll('upfront-availability')];
    const check = () => {
      if (!bench.painted && all.every((el) => el.shadowRoot?.querySelector('[part=status]'))) bench.finish();
    };
    for (const el of all) new MutationObserver(check).observe(el.shadowRoot, { subtree: true, childList: true });
  });
</script>
<script type="module" src="${edge}/widget/v1/upfront.js" async></script>
<style>upfront-availability:not(:defined){display:block;min-height:5em}
upfront-availability[variant=badge]:not(:defined){min-height:1.5em}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}h2{font-size:1em;margin:0}</style></head>
<body><main><h1>Mugs</h1><div class="grid">${GRID_SKUS.map((sku, i) => `<div><h2>${sku}</h2>`
  + `<upfront-availability sku="${sku}" key="${DEMO.publishableKey}"${i % 2 ? ' variant="badge"' : ''}></upfront-availability></div>`).join('')}
</div></main></body></html>`;

/** The pages the harness serves on the shop's origin; the widget's come from `edge`. */
export const benchPages = (edge) => ({ 'widget.html': page(edge), 'bare.html': BARE, 'intl.html': INTL, 'grid.html': grid(edge) });

// A mobile shopper's network, emulated by Chromium (DevTools protocol):
// 40 ms round trip, 10 Mbit/s down, 5 Mbit/s up.
const NETWORK = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 };
const NETWORK_LOADS = Number(process.env.BENCH_NETWORK_LOADS ?? 15);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/**
 * Loads `url` in a fresh context (cold HTTP cache) and waits for its
 * `bench.finish()`; answers the page and, once settled, its main-thread work.
 */
async function coldLoad(browser, url, network) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Runtime.enable');
  await cdp.send('Runtime.addBinding', { name: 'benchDone' });
  if (network) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', network);
  }
  await visit(page, cdp, url);
  // Main-thread work is read once the page has settled, so that what the
  // widget does after its first paint (the dates, the live-update socket) counts too.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  // TaskDuration is the wall time of the main thread's tasks (what Lighthouse calls main-thread
  // work), waits on other processes included; ThreadTime is the CPU time the thread itself used.
  return { context, page, cdp, mainThreadMs: metrics.TaskDuration * 1000, mainThreadCpuMs: metrics.ThreadTime * 1000 };
}

/** Navigates `page` to `url` and waits for its `bench.finish()`. */
async function visit(page, cdp, url) {
  const done = new Promise((resolve) => cdp.once('Runtime.bindingCalled', resolve));
  await page.goto(url, { waitUntil: 'commit' });
  await done;
}

/** The status's paint time from navigation start, the bytes the widget's files cost, the availability requests. */
const paintAndBytes = (page) => page.evaluate(() => ({
  painted: window.bench.painted,
  widgetBytes: performance.getEntriesByType('resource').filter((e) => e.name.includes('/widget/v1/'))
    .reduce((n, e) => n + e.transferSize, 0),
  asks: performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/availability')).length,
}));

/**
 * First paint under the emulated network: a cold view (fresh context, empty
 * cache), then a repeat view of the same page in that context.
 */
async function emulatedNetwork(browser, url) {
  const cold = [];
  const repeat = [];
  for (let i = 0; i < NETWORK_LOADS; i++) {
    const load = await coldLoad(browser, url, NETWORK);
    cold.push(await paintAndBytes(load.page));
    await visit(load.page, load.cdp, url);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    repeat.push(await paintAndBytes(load.page));
    await load.context.close();
  }
  return { cold, repeat };
}

/** Measures, prints and answers the figures. */
export async function widgetFirstPaint({ edge, shop }) {
  const browser = await launch();
  try {
    const paint = [];
    const fromNavigation = [];
    const api = [];
    // Per page: main-thread task time and CPU time of each load.
    const task = { widget: [], bare: [], intl: [] };
    const cpu = { widget: [], bare: [], intl: [] };
    const record = (name, load) => {
      task[name].push(load.mainThreadMs);
      cpu[name].push(load.mainThreadCpuMs);
    };
    let longTasks = 0;
    let shift = 0;
    for (let i = 0; i < LOADS; i++) {
      const widget = await coldLoad(browser, `${shop}/widget.html`);
      const run = await widget.page.evaluate(() => {
        const start = performance.getEntriesByName('upfront:loader-start')[0].startTime;
        return {
          paint: window.bench.painted - start, fromNavigation: window.bench.painted,
          shift: window.bench.shift, longTasks: window.bench.longTasks,
        };
      });
      paint.push(run.paint);
      fromNavigation.push(run.fromNavigation);
      record('widget', widget);
      longTasks += run.longTasks;
      shift = Math.max(shift, run.shift);
      // The baseline: the same answer fetched raw, from the same page, uncached.
      api.push(await widget.page.evaluate(async (url) => {
        const t0 = performance.now();
        await (await fetch(url, { cache: 'no-store' })).json();
        return performance.now() - t0;
      }, `${edge}/v1/availability/MUG-STONEWARE?key=${DEMO.publishableKey}&locale=en`));
      await widget.context.close();

      for (const name of ['bare', 'intl']) {
        const load = await coldLoad(browser, `${shop}/${name}.html`);
        record(name, load);
        await load.context.close();
      }
    }
    const p50 = (xs) => quantile(xs, 0.5);
    // What a page's main thread did beyond the bare page's, by median.
    const beyondBare = (metric, name) => p50(metric[name]) - p50(metric.bare);
    const ms = (x) => `${x.toFixed(1).padStart(6)} ms`;
    console.log(`\nWidget first paint, headless Chromium, ${LOADS} cold page loads (edge on workerd)`);
    console.log(`  loader start → status painted   p50 ${ms(quantile(paint, 0.5))}   p95 ${ms(quantile(paint, 0.95))}   [goals: p50 ≤ 40 ms, p95 ≤ 75 ms]`);
    console.log(`  navigation start → status       p50 ${ms(quantile(fromNavigation, 0.5))}   p95 ${ms(quantile(fromNavigation, 0.95))}   (also counts the loader's own download and compile)`);
    console.log(`  raw API round trip (baseline)   p50 ${ms(quantile(api, 0.5))}   p95 ${ms(quantile(api, 0.95))}`);
    console.log(`  first paint / API round trip    p50 ${(quantile(paint, 0.5) / quantile(api, 0.5)).toFixed(1)}×`);
    const widgetWork = beyondBare(task, 'widget');
    console.log(`  main-thread work per page load  p50 ${ms(p50(task.widget))}   same page without the widget ${ms(p50(task.bare))}`);
    console.log(`  main-thread work of the widget  p50 ${ms(widgetWork)}   [goal ≤ 30 ms]`);
    const icu = beyondBare(task, 'intl');
    console.log(`    of which ICU's first load      p50 ${ms(icu)}   (the bare page formatting one date with Intl)`);
    const widgetCpu = beyondBare(cpu, 'widget');
    const icuCpu = beyondBare(cpu, 'intl');
    console.log(`  main-thread CPU time, widget    p50 ${ms(widgetCpu)}   of which ICU ${ms(icuCpu).trim()}   (the rest of the work above is waiting)`);
    console.log(`  long tasks (> 50 ms): ${longTasks} in ${LOADS} loads   worst layout shift: ${shift}   [goals: 0 and 0]`);
    const network = await emulatedNetwork(browser, `${shop}/widget.html`);
    const painted = (loads) => loads.map((l) => l.painted);
    const bytes = (loads) => p50(loads.map((l) => l.widgetBytes));
    console.log(`  emulated network (40 ms RTT, 10 Mbit/s), ${NETWORK_LOADS} views each, navigation start → status:`);
    console.log(`    cold view    p50 ${ms(p50(painted(network.cold)))}   p95 ${ms(quantile(painted(network.cold), 0.95))}   widget files ${(bytes(network.cold) / 1024).toFixed(1)} KB over the wire`);
    console.log(`    repeat view  p50 ${ms(p50(painted(network.repeat)))}   p95 ${ms(quantile(painted(network.repeat), 0.95))}   widget files ${(bytes(network.repeat) / 1024).toFixed(1)} KB over the wire (0: from the cache, no revalidation)`);
    console.log(`    repeat / cold p50 ${(p50(painted(network.repeat)) / p50(painted(network.cold))).toFixed(2)}×   loopback cold p50 from navigation ${ms(p50(fromNavigation)).trim()}`);
    // The collection page: 48 distinct SKUs in the demo store.
    await fetch(`${edge}/v1/inventory`, {
      method: 'POST', headers: { Authorization: `Bearer ${DEMO.secretKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ items: GRID_SKUS.map((sku, i) => ({ sku, on_hand: [40, 2, 0][i % 3] })) }),
    });
    const gridLoads = await emulatedNetwork(browser, `${shop}/grid.html`);
    const gridCold = p50(painted(gridLoads.cold));
    console.log(`  48-widget collection page (24 badges, 24 full), same network, navigation start → all 48 statuses:`);
    console.log(`    cold view    p50 ${ms(gridCold)}   p95 ${ms(quantile(painted(gridLoads.cold), 0.95))}   availability requests per view: ${p50(gridLoads.cold.map((l) => l.asks))}`);
    console.log(`    vs the one-widget page (cold p50) ${(gridCold / p50(painted(network.cold))).toFixed(2)}×   [goal ≤ 1.2×]`);
    return {
      paint_p50_ms: quantile(paint, 0.5), paint_p95_ms: quantile(paint, 0.95),
      from_navigation_p50_ms: quantile(fromNavigation, 0.5),
      api_p50_ms: quantile(api, 0.5), api_p95_ms: quantile(api, 0.95),
      main_thread_p50_ms: p50(task.widget), bare_page_main_thread_p50_ms: p50(task.bare),
      widget_main_thread_p50_ms: widgetWork, icu_first_load_p50_ms: icu,
      widget_main_thread_cpu_p50_ms: widgetCpu, icu_first_load_cpu_p50_ms: icuCpu, long_tasks: longTasks, layout_shift: shift,
      emulated_network: {
        cold_p50_ms: p50(painted(network.cold)), repeat_p50_ms: p50(painted(network.repeat)),
        cold_widget_bytes: bytes(network.cold), repeat_widget_bytes: bytes(network.repeat),
      },
      grid_48: { cold_p50_ms: gridCold, ratio_to_one_widget: gridCold / p50(painted(network.cold)), asks: p50(gridLoads.cold.map((l) => l.asks)) },
    };
  } finally {
    await browser.close();
  }
}
