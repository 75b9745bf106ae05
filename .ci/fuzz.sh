#!/usr/bin/env bash
# CI: builds every fuzz target (Fuzz/) and runs each briefly from its seed corpus. A crash, a
# leak or a property violation fails the run. The long runs and their results are in docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_CI_SECONDS:-8}
start=$(date +%s)
bash Fuzz/build.sh
# CI links the debug build of swift-crypto and swift-certificates, where checking a real
# attestation's certificate chain takes up to 10 ms of CPU (2–3 ms with them optimised); the 10 ms
# budget is held on the long runs, which link optimised dependencies (docs/testing.md). Here
# 50 ms catches an input five times slower than the slowest real one.
export FUZZ_SLOW_MS=${FUZZ_SLOW_MS:-50}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for file in Fuzz/Targets/*.swift; do
  target=$(basename "$file" .swift)
  status=0
  FUZZ_SKIP_BUILD=1 bash Fuzz/run.sh "$target" "$seconds" >"$log" 2>&1 || status=$?
  grep -aE '^(== fuzz|fuzz:|stat::number_of_executed_units)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -60 "$log"
    echo "fuzz target $target failed (its input is in Fuzz/.build/artifacts/$target/)"
    exit 1
  fi
done
echo "== fuzz: every target ran for ${seconds}s; $(( $(date +%s) - start ))s in all, build included"
