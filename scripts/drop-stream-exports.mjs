// Leptos links wasm-streams (through server_fn), which exports three JS
// classes for Rust streams handed to JS (IntoUnderlyingSource, …Sink,
// …ByteSource). The widget never creates one, yet wasm-bindgen keeps their
// exports in the wasm and the classes in the glue, where side effects keep
// them past esbuild's tree-shaking. This drops both, so that wasm-opt then
// removes the code only they reached: ~1.4 KB brotli of every shopper's download.
//
// Usage: node scripts/drop-stream-exports.mjs <wasm-bindgen out dir>
// Edits upfront_widget.js and upfront_widget_bg.wasm in place. Fails the build
// if the glue still mentions a dropped class afterwards (a Rust stream handed
// to JS would then break at run time, so the step must go).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DROPPED = /^(__wbg_)?intounderlying/;
const dir = process.argv[2];
const wasmFile = join(dir, 'upfront_widget_bg.wasm');
const glueFile = join(dir, 'upfront_widget.js');

/** The wasm without the exports whose names match `DROPPED`. */
function withoutExports(wasm) {
  let at = 8; // past the magic number and version
  const u32 = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = wasm[at++];
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value >>> 0;
  };
  const leb128 = (n) => {
    const bytes = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      bytes.push(byte);
    } while (n);
    return Buffer.from(bytes);
  };
  const sections = [wasm.subarray(0, 8)];
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at++];
    const end = u32() + at;
    if (id !== 7) { // not the export section: kept as it is
      sections.push(wasm.subarray(start, end));
      at = end;
      continue;
    }
    const kept = [];
    for (let count = u32(); count > 0; count--) {
      const entry = at;
      const nameLength = u32();
      const name = wasm.subarray(at, at + nameLength).toString();
      at += nameLength + 1; // the name, then the export's kind
      u32(); // its index
      if (!DROPPED.test(name)) kept.push(wasm.subarray(entry, at));
    }
    const body = Buffer.concat([leb128(kept.length), ...kept]);
    sections.push(Buffer.from([7]), leb128(body.length), body);
  }
  return Buffer.concat(sections);
}

/** The glue without the classes, their `Symbol.dispose` aliases and finalization registries. */
function withoutClasses(glue) {
  return glue
    .replace(/^export class IntoUnderlying\w+ \{\n[\s\S]*?^\}\n/gm, '')
    .replace(/^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype.*\n/gm, '')
    .replace(/^const IntoUnderlying\w+Finalization = [^;]*;\n/gm, '');
}

const wasm = withoutExports(readFileSync(wasmFile));
const glue = withoutClasses(readFileSync(glueFile, 'utf8'));
if (/intounderlying/i.test(glue)) {
  console.error('drop-stream-exports: the glue still uses a wasm-streams class; remove this build step');
  process.exit(1);
}
writeFileSync(wasmFile, wasm);
writeFileSync(glueFile, glue);
