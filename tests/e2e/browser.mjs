// Debian's Chromium driven by playwright-core: no browser download needed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './edge.mjs';

export const SCREENSHOTS = join(ROOT, 'test-results');

export async function launch() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

/** The visible text of one widget's parts ('' for a part not shown). */
export async function widgetText(page, sku, selector = `upfront-availability[sku="${sku}"]`) {
  const widget = page.locator(selector);
  await widget.locator('[part=status]').waitFor({ state: 'visible', timeout: 15_000 });
  // The dates follow the status one painted frame later (the loader's
  // requestAnimationFrame → setTimeout, queued before this one).
  await widget.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done))));
  return widget.evaluate((el) => {
    const text = (part) => el.shadowRoot.querySelector(`[part=${part}]`)?.innerText.replace(/\s+/g, ' ').trim() ?? '';
    return {
      status: text('status'),
      promise: text('promise'),
      countdown: text('countdown'),
      destination: text('destination'),
      notice: text('notice'),
      notify: text('notify-form'),
    };
  });
}
