#!/usr/bin/env bash
# Builds the widget into dist/widget/v1, the demo page into dist/demo and the
# edge Worker into edge/build. Cargo's own caching makes re-runs cheap.
source "$(dirname "$0")/env.sh"
cd "$ROOT"

log "building the widget (wasm32, size-optimised)"
cargo build --quiet --release --target wasm32-unknown-unknown -p upfront-widget
out="$ROOT/dist/widget/v1"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name upfront_widget \
  "$ROOT/target/wasm32-unknown-unknown/release/upfront_widget.wasm"
# -Oz for size; --strip-debug drops the name section, most of the raw bytes.
"$WASM_OPT_BIN" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/upfront_widget_bg.wasm" -o "$out/upfront_widget_bg.wasm"
# Shoppers download these on every product page: minify both the loader and
# wasm-bindgen's glue (the readable loader lives in widget/loader/).
# Bundling from an entry that names what the loader calls lets esbuild drop
# the glue nothing uses (Leptos links wasm-streams' exported classes).
echo "export { default, mount, normalize_postal_code } from './upfront_widget.js';" >"$out/entry.js"
"$ESBUILD_BIN" --bundle --minify --format=esm --target=es2022 --log-level=warning \
  "$out/entry.js" --outfile="$out/upfront_widget.min.js"
mv "$out/upfront_widget.min.js" "$out/upfront_widget.js"
rm "$out/entry.js"
"$ESBUILD_BIN" --minify --format=esm --target=es2022 --log-level=warning \
  "$ROOT/widget/loader/upfront.js" --outfile="$out/upfront.js"

mkdir -p "$ROOT/dist/demo"
cp "$ROOT/widget/demo/"* "$ROOT/dist/demo/"
cat > "$ROOT/dist/index.html" <<'HTML'
<!doctype html><meta charset="utf-8"><title>Upfront</title><meta http-equiv="refresh" content="0; url=/demo/"><a href="/demo/">Demo store</a>
HTML

log "building the edge Worker"
bash "$ROOT/scripts/build-edge.sh" >"$ROOT/target/edge-build.log" 2>&1 || { cat "$ROOT/target/edge-build.log" >&2; exit 1; }
