#!/usr/bin/env bash
# Builds the widget into dist/widget/v1, the demo page into dist/demo and the
# edge Worker into edge/build. Cargo's own caching makes re-runs cheap.
source "$(dirname "$0")/env.sh"
cd "$ROOT"

log "building the widget (wasm32, size-optimised)"
cargo build --quiet --profile widget --target wasm32-unknown-unknown -p upfront-widget
out="$ROOT/dist/widget/v1"
glue="$ROOT/target/widget-glue"
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$glue" --out-name upfront_widget \
  "$ROOT/target/wasm32-unknown-unknown/widget/upfront_widget.wasm"
node "$ROOT/scripts/drop-stream-exports.mjs" "$glue"
# -Oz for size; --strip-debug drops the name section, most of the raw bytes.
"$WASM_OPT_BIN" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$glue/upfront_widget_bg.wasm" -o "$glue/optimized.wasm"
# The wasm is named by its content (cached for a year, never revalidated); the
# loader, whose URL merchants paste, learns the name at build time.
wasm_file="upfront-$(sha256sum "$glue/optimized.wasm" | cut -c1-16).wasm"
cp "$glue/optimized.wasm" "$out/$wasm_file"
# Shoppers download this on every product page: one minified module, the
# readable loader (widget/loader/) with wasm-bindgen's glue bundled in and
# tree-shaken to what the loader calls (Leptos links wasm-streams' classes).
"$ESBUILD_BIN" --bundle --minify --format=esm --target=es2022 --log-level=warning \
  --loader:.css=text --alias:upfront-widget-glue="$glue/upfront_widget.js" --define:UPFRONT_WASM_FILE="\"$wasm_file\"" \
  "$ROOT/widget/loader/upfront.js" --outfile="$out/upfront.js"
# Response headers of the static files (CORS, caching): see widget/_headers.
cp "$ROOT/widget/_headers" "$ROOT/dist/_headers"

mkdir -p "$ROOT/dist/demo"
cp "$ROOT/widget/demo/"* "$ROOT/dist/demo/"
cat > "$ROOT/dist/index.html" <<'HTML'
<!doctype html><meta charset="utf-8"><title>Upfront</title><meta http-equiv="refresh" content="0; url=/demo/"><a href="/demo/">Demo store</a>
HTML

log "building the edge Worker"
bash "$ROOT/scripts/build-edge.sh" >"$ROOT/target/edge-build.log" 2>&1 || { cat "$ROOT/target/edge-build.log" >&2; exit 1; }
