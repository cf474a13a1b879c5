#!/usr/bin/env bash
# Installs what is missing, builds, and serves the demo store on local workerd.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
PORT="${PORT:-8787}"
# The local operator token (edge/.dev.vars, never committed).
node scripts/local-merchants.mjs dev-vars
cd edge
wrangler dev --ip 127.0.0.1 --port "$PORT" --var DEMO_STORE:on --var "PUBLIC_URL:http://127.0.0.1:$PORT" \
  --persist-to "$ROOT/.wrangler/demo-state" --show-interactive-dev-session=false &
WRANGLER=$!
trap 'kill "$WRANGLER" 2>/dev/null; wait "$WRANGLER" 2>/dev/null' EXIT INT TERM
cd "$ROOT"
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/openapi.json"; do
  kill -0 "$WRANGLER" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.5
done
# The demo store and Acme, onboarded through the operator API like any merchant.
node scripts/local-merchants.mjs seed "http://127.0.0.1:$PORT" \
  "http://127.0.0.1:$PORT" "http://localhost:$PORT"
cat <<MSG

  Upfront demo store:  http://127.0.0.1:$PORT/demo/
  API:                 curl 'http://127.0.0.1:$PORT/v1/availability/MUG-STONEWARE?key=pk_test_demo_localonlypublishable'
  Publishable key:     pk_test_demo_localonlypublishable   (local only)
  Secret key:          sk_test_demo_localonlysecret00000   (local only)
  Operator token:      OPERATOR_TOKEN in edge/.dev.vars     (local only)
  Stop with Ctrl-C.

MSG
wait "$WRANGLER"
