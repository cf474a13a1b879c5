#!/usr/bin/env bash
# Installs what is missing, builds, and serves the demo store on local workerd.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
cat <<MSG

  Upfront demo store:  http://127.0.0.1:8787/demo/
  API:                 curl 'http://127.0.0.1:8787/v1/availability/MUG-STONEWARE?key=pk_test_upfront_demo_local'
  Publishable key:     pk_test_upfront_demo_local   (local only)
  Secret key:          sk_test_upfront_demo_local   (local only)
  Stop with Ctrl-C.

MSG
cd edge
exec wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" --var DEMO_STORE:on \
  --persist-to "$ROOT/.wrangler/demo-state" --show-interactive-dev-session=false
