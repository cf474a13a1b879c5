#!/usr/bin/env bash
# Installs everything the build, demo and tests need. Idempotent: each step checks first.
source "$(dirname "$0")/env.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

install_crate() { # name version binary
  # `--version` prints "wasm-bindgen 0.2.x" or just "0.8.x": compare the last word.
  if [ "$("$TOOLS/bin/$3" --version 2>/dev/null | awk '{print $NF}')" != "$2" ]; then
    log "installing $1 $2 into $TOOLS"
    cargo install --locked --quiet --root "$TOOLS" "$1" --version "=$2"
  fi
}
install_crate wasm-bindgen-cli "$(lock_version wasm-bindgen)" wasm-bindgen
install_crate worker-build "$(lock_version worker)" worker-build

# npm ci only when the lockfile changed since the last install.
stamp="$ROOT/node_modules/.upfront-lock-sha"
want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm packages"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi

# schemathesis fuzzes the running edge against its own OpenAPI document.
SCHEMATHESIS_VERSION=4.32.5
if [ "${UPFRONT_NEED_BROWSER:-0}" = 1 ] && ! "$TOOLS/venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "${UPFRONT_NEED_BROWSER:-0}" = 1 ] && [ ! -x "$CHROMIUM" ]; then
  log "installing Debian chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The promise engine's wasm benchmark runs the same bench binary under node:wasi.
if [ "${UPFRONT_NEED_BENCH:-0}" = 1 ] && ! rustup target list --installed | grep -qx wasm32-wasip1; then
  log "adding the wasm32-wasip1 target"
  rustup target add wasm32-wasip1
fi
