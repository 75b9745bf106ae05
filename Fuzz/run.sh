#!/usr/bin/env bash
# Builds one fuzz target and runs it: Fuzz/run.sh TARGET SECONDS [libFuzzer flags…]
#
#   TARGET   a file name in Fuzz/Targets without .swift (cbor, attestation, …)
#   SECONDS  how long to fuzz; 0 for no time limit (then give -runs=N)
#
# The corpus lives in Fuzz/.build/corpus/TARGET, seeded from the conformance vectors
# (PASSKEYS_VECTORS, else ../shared/conformance/vectors) by Fuzz/make-corpus.py the first time;
# what libFuzzer finds is added to it. A crash, leak, timeout or slow input leaves its input in
# Fuzz/.build/artifacts/TARGET/ and makes this script fail. Set FUZZ_SKIP_BUILD=1 to reuse the
# binary Fuzz/build.sh made, FUZZ_DEPENDENCIES=release to link optimised dependencies (see build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${1:?usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags…]}
seconds=${2:?usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags…]}
shift 2

if [ -z "${FUZZ_SKIP_BUILD:-}" ]; then
  bash Fuzz/build.sh "$target"
fi
binary="$root/Fuzz/.build/${FUZZ_DEPENDENCIES:-debug}/bin/$target"
[ -x "$binary" ] || { echo "no fuzz binary for $target: run Fuzz/build.sh $target" >&2; exit 2; }

corpus="$root/Fuzz/.build/corpus/$target"
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
  vectors=${PASSKEYS_VECTORS:-$root/../shared/conformance/vectors}
  [ -d "$vectors" ] || { echo "no conformance vectors at $vectors to seed the corpus (set PASSKEYS_VECTORS)" >&2; exit 2; }
  python3 Fuzz/make-corpus.py "$vectors" "$root/Fuzz/.build/corpus" >/dev/null
  mkdir -p "$corpus"
fi
artifacts="$root/Fuzz/.build/artifacts/$target"
mkdir -p "$artifacts"

limit=()
[ "$seconds" != 0 ] && limit=(-max_total_time="$seconds")
# -timeout is whole seconds of wall-clock time, which a run at the lowest priority on a busy
# machine can spend waiting for a core (a 1 ms input was once "timed out" so): it only catches
# hangs. The 10 ms budget per input is the harness's own check, in CPU time (Fuzz/Support).
# Leak detection is on (LeakSanitizer, through AddressSanitizer), and Swift's own crash handler off
# so that the sanitizers report.
echo "== fuzz $target for ${seconds}s $*"
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions="$root/Fuzz/lsan-suppressions.txt" \
  "$binary" "$corpus" "${limit[@]}" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -detect_leaks=1 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
