// What a first render downloads: the loader (wasm-bindgen's glue bundled in)
// and the wasm, whose name carries a hash of its content (scripts/build.sh).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const WIDGET_DIR = join(import.meta.dirname, '../dist/widget/v1');

/** The built widget's files, loader first: `['upfront.js', 'upfront-<hash>.wasm']`. */
export function widgetFiles() {
  const wasm = readdirSync(WIDGET_DIR).filter((f) => f.endsWith('.wasm'));
  if (wasm.length !== 1) throw new Error(`expected one wasm in ${WIDGET_DIR}, found ${wasm.length}`);
  return ['upfront.js', wasm[0]];
}
