#!/usr/bin/env bash
# Builds the client core (Sources/PasskeyClientCore) with Embedded Swift into the WebAssembly
# module the web app loads: Sources/PasskeyServer/Public/core.wasm, and core.wasm.gz beside it
# (the server sends that to browsers that accept gzip). The module is committed, so
# `swift run passkeys serve` serves it without this toolchain; CI runs `wasm/build.sh --check`,
# which fails when the committed module is not exactly what the sources build.
#   bash wasm/build.sh            rebuild the committed module
#   bash wasm/build.sh --check    exit 1 when it is stale
#   bash wasm/build.sh --out DIR  build into DIR instead
set -uo pipefail
cd "$(dirname "$0")/.."

public=Sources/PasskeyServer/Public
out=$public
check=false
case "${1:-}" in
  --check) check=true ;;
  --out) out=${2:?--out needs a folder} ;;
  "") ;;
  *) echo "usage: wasm/build.sh [--check | --out DIR]" >&2; exit 2 ;;
esac

fail() { echo "core.wasm: FAILED: $1" >&2; [ -s "${log:-/dev/null}" ] && sed 's/^/  /' "$log" | head -40 >&2; exit 1; }

# The toolchain's own swiftc, clang and wasm-ld (Linux packages put them side by side).
swiftc=$(command -v swiftc || true)
[ -n "$swiftc" ] || swiftc=/opt/swift/usr/bin/swiftc
[ -x "$swiftc" ] || fail "swiftc not found"
bindir=$(dirname "$(readlink -f "$swiftc")")
find_tool() {
  for candidate in "$bindir/$1" "/opt/swift/usr/bin/$1" "$(command -v "$1" 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
}
clang=$(find_tool clang); wasmld=$(find_tool wasm-ld)
[ -n "$clang" ] || fail "clang not found next to swiftc, in /opt/swift/usr/bin or on PATH"
[ -n "$wasmld" ] || fail "wasm-ld not found next to swiftc, in /opt/swift/usr/bin or on PATH"
# Binaryen's optimiser takes a fifth off what wasm-ld writes. Debian's `binaryen` (version 108 on
# bookworm, which CI has): another version may write other bytes, and --check would say so.
wasmopt=$(command -v wasm-opt || true)
[ -n "$wasmopt" ] || fail "wasm-opt not found: apt-get install binaryen"
tables=$(dirname "$bindir")/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a
[ -f "$tables" ] || fail "no Embedded Swift standard library for wasm32 ($tables)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"

# Sorted, relative paths, and an object file at the same relative path every time: swiftc
# hashes the output path into the module (its .swift_modhash data), and the committed module
# must come out byte for byte the same on every machine.
sources=$(find Sources/PasskeyClientCore -name '*.swift' | LC_ALL=C sort)
object=.build/wasm-core/core.o
mkdir -p "$(dirname "$object")"
# shellcheck disable=SC2086
"$swiftc" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -Osize \
  -parse-as-library -Xfrontend -disable-stack-protector -module-name PasskeyClientCore \
  $sources wasm/Exports.swift -c -o "$object" >"$log" 2>&1 \
  || fail "Sources/PasskeyClientCore does not compile with Embedded Swift for wasm32"
"$clang" --target=wasm32-unknown-unknown -ffreestanding -nostdlib -O2 -c wasm/runtime.c -o "$tmp/runtime.o" >"$log" 2>&1 \
  || fail "wasm/runtime.c does not compile"
"$wasmld" --no-entry --strip-all --gc-sections \
  --export=passkeys_input --export=passkeys_send --export=passkeys_security_send --export=passkeys_consent_send --export=passkeys_output --export=passkeys_reset \
  "$object" "$tmp/runtime.o" "$tables" -o "$tmp/core.wasm" >"$log" 2>&1 \
  || fail "the core does not link with wasm-ld (a symbol outside the standard library?)"
# The features wasm-ld's output uses (its target_features section, which --strip-all drops), and no others.
"$wasmopt" -Oz --enable-mutable-globals --enable-nontrapping-float-to-int --enable-bulk-memory --enable-sign-ext \
  --enable-reference-types --enable-multivalue "$tmp/core.wasm" -o "$tmp/core.opt.wasm" >"$log" 2>&1 || fail "wasm-opt could not optimise the module"
mv "$tmp/core.opt.wasm" "$tmp/core.wasm"
# -n: no name or time in the header, so the same module always compresses to the same bytes.
gzip -9 -n -c "$tmp/core.wasm" > "$tmp/core.wasm.gz"

size=$(wc -c < "$tmp/core.wasm"); gz=$(wc -c < "$tmp/core.wasm.gz")
limit=$((400 * 1024))
[ "$size" -le "$limit" ] || fail "core.wasm is $((size / 1024)) KiB, over the 400 KiB budget"

if $check; then
  for file in core.wasm core.wasm.gz; do
    cmp -s "$tmp/$file" "$public/$file" \
      || { echo "core.wasm: FAILED: $public/$file is not what the sources build: run bash wasm/build.sh and commit it" >&2; exit 1; }
  done
  echo "core.wasm: the committed module is what the sources build ($((size / 1024)) KiB, $((gz / 1024)) KiB gzipped)"
else
  mkdir -p "$out"
  cp "$tmp/core.wasm" "$tmp/core.wasm.gz" "$out/"
  echo "core.wasm: built $out/core.wasm ($((size / 1024)) KiB, $((gz / 1024)) KiB gzipped)"
fi
