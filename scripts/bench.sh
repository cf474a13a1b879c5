#!/usr/bin/env bash
# Builds in release mode and prints the benchmark figures (see tests/bench/run.mjs).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
UPFRONT_NEED_BENCH=1 UPFRONT_NEED_BROWSER=1 bash scripts/setup.sh
bash scripts/build.sh
log "bundling the edge and the workers-rs baseline"
rm -rf "$ROOT/target/deploy-dry-run" "$ROOT/target/bench-hello-rs"
(cd edge && wrangler deploy --dry-run --outdir "$ROOT/target/deploy-dry-run" >"$ROOT/target/bench-bundle.log" 2>&1) \
  || { cat "$ROOT/target/bench-bundle.log"; exit 1; }
(cd tests/bench/hello-rs && wrangler deploy --dry-run --outdir "$ROOT/target/bench-hello-rs" >>"$ROOT/target/bench-bundle.log" 2>&1) \
  || { cat "$ROOT/target/bench-bundle.log"; exit 1; }
log "building the load generator"
cargo build --release --quiet -p upfront-tools --bin load
node tests/bench/run.mjs
log "outbound pipeline: webhook deliveries and emails per second, and what they add to the write"
node tests/bench/outbound.mjs
log "promise watcher: re-checking 10,000 open orders, and what it does to shoppers' reads and holds"
node tests/bench/orders.mjs

OLIST="$ROOT/../shared/data/olist"
log "delivery promise engine, native: configured (5 warehouses, 3 methods, 500 lanes each), then learned (the Olist file's forecast)"
cargo run --release --quiet -p upfront-tools --bin promise_bench -- --data "$OLIST/deliveries-2016-2017.csv"
log "delivery promise engine, wasm on V8 (node:wasi), same workloads"
cargo build --release --quiet -p upfront-tools --bin promise_bench --target wasm32-wasip1
node --no-warnings tests/bench/wasi.mjs --preopen "$OLIST" "$ROOT/target/wasm32-wasip1/release/promise_bench.wasm" \
  --data /data/deliveries-2016-2017.csv
log "delivery promise backtest on the shared Olist deliveries: walk-forward quarters (README's table)"
cargo run --release --quiet -p upfront-tools --bin backtest -- --data "$OLIST/deliveries-2016-2017.csv" --quarters 2017-01-01
