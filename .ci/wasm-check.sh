#!/usr/bin/env bash
# Checks the client core's WebAssembly module, which the web app loads: that the committed
# Sources/PasskeyServer/Public/core.wasm (and its .gz) is exactly what Sources/PasskeyClientCore
# builds with Embedded Swift (wasm/build.sh --check; it fails when the module is stale or over
# its 400 KiB budget), and that flows run in it under node (Tests/wasm/core-flow.mjs). Installs
# Debian's nodejs and binaryen (wasm-opt) when they are missing. Prints one line; exits non-zero
# on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v wasm-opt >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  # The first install sometimes fails with "failed to read archive"; a second try works.
  as_root apt-get install -y -qq nodejs binaryen </dev/null >/dev/null \
    || as_root apt-get install -y -qq nodejs binaryen </dev/null >/dev/null \
    || { echo "wasm: FAILED: node or wasm-opt is missing and nodejs or binaryen could not be installed"; exit 1; }
fi

built=$(bash wasm/build.sh --check 2>&1) || { echo "wasm: FAILED"; echo "$built" >&2; exit 1; }
flows=$(node Tests/wasm/core-flow.mjs Sources/PasskeyServer/Public/core.wasm 2>&1) \
  || { echo "wasm: FAILED: a flow in the compiled core"; echo "$flows" >&2; exit 1; }
echo "wasm: ${built#core.wasm: }; $flows ran in node"
