# Sourced by every script: where tools live and which versions we need.
# Tools are cached outside the work tree so fresh clones on this machine reuse them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${UPFRONT_TOOLS:-$HOME/.cache/upfront/tools}"
export PATH="$TOOLS/bin:$ROOT/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false
export WASM_BINDGEN_BIN="$TOOLS/bin/wasm-bindgen"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
export WASM_OPT_BIN="$ROOT/node_modules/binaryen/bin/wasm-opt"
export CHROMIUM=/usr/bin/chromium
# One version of each crate, read from Cargo.lock: the CLI must match the library byte for byte.
lock_version() {
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
export CLOUDFLARE_CF_FETCH_ENABLED=false  # no network here: skip the Request.cf download and its warning
