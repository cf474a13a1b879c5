#!/usr/bin/env bash
# wrangler's [build] command. worker-build re-runs wasm-bindgen, wasm-opt and
# esbuild every time; skip them when the compiled Worker has not changed.
source "$(dirname "$0")/env.sh"
cd "$ROOT/edge"
cargo build --quiet --lib --release --target wasm32-unknown-unknown -p upfront-edge
wasm="$ROOT/target/wasm32-unknown-unknown/release/upfront_edge.wasm"
# Outside edge/: a write there makes `wrangler dev` rebuild and restart.
stamp="$ROOT/target/edge-build.sha"
want="$(sha256sum "$wasm" | cut -d' ' -f1)"
if [ -s build/worker/shim.mjs ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
worker-build --release
echo "$want" > "$stamp"
