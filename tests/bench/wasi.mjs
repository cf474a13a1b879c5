// Runs a wasm32-wasip1 command (the promise benchmark) in node's WASI, on V8 —
// the same engine workerd runs the edge's wasm on.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

// `--preopen DIR` lets the command read DIR as `/data` (the Olist file).
const argv = process.argv.slice(2);
const preopens = {};
const at = argv.indexOf('--preopen');
if (at >= 0) {
  preopens['/data'] = argv[at + 1];
  argv.splice(at, 2);
}
const [file, ...args] = argv;
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, preopens });
const module = await WebAssembly.compile(await readFile(file));
wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
