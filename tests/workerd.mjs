// Workers bundled by `wrangler deploy --dry-run`, served by workerd run
// directly (no wrangler proxy): the benchmarks and the tests that need more
// than one isolate share these helpers.
import { copyFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A worker bundled by `wrangler deploy --dry-run`: its module files, in load order. */
export function bundle(dir) {
  // The first module is the entry point, so JS goes before wasm.
  const files = readdirSync(dir);
  const js = files.filter((f) => f.endsWith('.js')).map((f) => ({ name: f, path: join(dir, f), kind: 'esModule' }));
  const wasm = files.filter((f) => f.endsWith('.wasm')).map((f) => ({ name: f, path: join(dir, f), kind: 'wasm' }));
  return [...js, ...wasm];
}

/**
 * `path` copied into `configDir` under a fresh name, for a capnp `embed`:
 * embed paths are relative to the config file.
 */
export function embed(configDir, path) {
  const local = `${Math.random().toString(36).slice(2)}-${basename(path)}`;
  copyFileSync(path, join(configDir, local));
  return local;
}

/** A capnp config's `modules = [...]` body for `mods`. */
export function capnpModules(configDir, mods) {
  return mods.map((m) => `(name = "${m.name}", ${m.kind} = embed "${embed(configDir, m.path)}")`).join(',\n      ');
}
