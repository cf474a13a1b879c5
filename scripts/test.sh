#!/usr/bin/env bash
# Every test, from lint to the browser. Exits non-zero on the first failure.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
UPFRONT_NEED_BROWSER=1 bash scripts/setup.sh

log "cargo fmt --check"
cargo fmt --all --check
log "clippy (native, every crate and target)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
log "clippy (wasm32: the edge and the widget)"
cargo clippy --quiet --target wasm32-unknown-unknown -p upfront-edge -p upfront-widget --all-targets -- -D warnings
log "cargo test"
cargo test --quiet --workspace

bash scripts/build.sh
log "widget size"
node tests/size-budget.mjs
log "wrangler deploy --dry-run (the config deploys as it is)"
rm -rf "$ROOT/target/deploy-dry-run"
(cd edge && wrangler deploy --dry-run --outdir "$ROOT/target/deploy-dry-run" >"$ROOT/target/deploy-dry-run.log" 2>&1) \
  || { cat "$ROOT/target/deploy-dry-run.log"; exit 1; }

log "end-to-end: the edge on workerd, the widget in Chromium"
node tests/run-e2e.mjs
