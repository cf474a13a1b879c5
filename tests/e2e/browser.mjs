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

/** The visible text of one widget's status and promise lines. */
export async function widgetText(page, sku) {
  const widget = page.locator(`upfront-availability[sku="${sku}"]`);
  const status = widget.locator('[part=status]');
  await status.waitFor({ state: 'visible', timeout: 15_000 });
  return {
    status: (await status.innerText()).trim(),
    promise: (await widget.locator('[part=promise]').innerText()).trim(),
  };
}
