#!/usr/bin/env bash
# Tests `passkeys bench http` (the load generator) against a real `passkeys serve` (in-memory
# database, no rate limits, on a free port), and that `bench store` and `bench-store` both run.
# Only the shape of the output and the absence of failures are checked: times are for release
# builds and never asserted.
suite="cli bench"
source "$(dirname "$0")/lib.sh"

start_server --database sqlite::memory: --rate-limit 0
server="http://localhost:$port"

# json_check NAME OUTPUT PYTHON-EXPRESSION: the expression over `r` (the parsed output) holds.
json_check() {
  if python3 -c "import json, sys; r = json.loads(sys.argv[1]); sys.exit(0 if ($3) else 1)" "$2" 2>/dev/null; then
    passed=$((passed + 1)); echo "ok - $1"
  else
    failed=$((failed + 1)); echo "FAIL - $1 (output: $2)"
  fi
}

out=$("$bin" bench http --server "$server" --concurrency 4 --duration 1.5 --accounts 6 --server-pid "$server_pid" --json 2>&1); code=$?
check "bench http signs up and signs in without a failure (exit 0)" 0 "$code" '"signIns"' "$out"
json_check "bench http signed up every account" "$out" 'r["signUps"]["count"] == 6 and r["signUps"]["failures"]["total"] == 0'
json_check "bench http ran sign-in ceremonies, none failed" "$out" \
  'r["signIns"]["count"] > 0 and r["signIns"]["failures"] == {"total": 0, "byStatusAndCode": {}}'
json_check "bench http reports ceremonies per second and p50 <= p90 <= p99" "$out" \
  'r["signIns"]["perSecond"] > 0 and 0 < r["signIns"]["p50Milliseconds"] <= r["signIns"]["p90Milliseconds"] <= r["signIns"]["p99Milliseconds"]'
json_check "bench http reports the server's CPU per ceremony next to the bare check" "$out" \
  'r["bareCheckMicroseconds"] > 0 and r["signIns"]["serverCPUMicrosecondsPerCeremony"] >= 0 and "serverCPUPerCeremonyInBareChecks" in r["signIns"] and r["serverMaximumRSSMegabytes"] > 0'
json_check "bench http measures the bare check before and after the load and divides by the faster" "$out" \
  'r["bareCheckBeforeMicroseconds"] > 0 and r["bareCheckAfterMicroseconds"] > 0 and r["bareCheckMicroseconds"] == min(r["bareCheckBeforeMicroseconds"], r["bareCheckAfterMicroseconds"]) and abs(r["signIns"]["serverCPUPerCeremonyInBareChecks"] * r["bareCheckMicroseconds"] - r["signIns"]["serverCPUMicrosecondsPerCeremony"]) < 1e-6 * r["signIns"]["serverCPUMicrosecondsPerCeremony"] + 1e-9'
json_check "bench http reports its own CPU per ceremony, the load generator's share of the machine" "$out" \
  'r["signIns"]["clientCPUMicrosecondsPerCeremony"] > 0 and r["signUps"]["clientCPUMicrosecondsPerCeremony"] > 0'
json_check "bench http divides the server's CPU by its own, the A/B figure on a machine whose speed changes" "$out" \
  'abs(r["signIns"]["serverCPUPerClientCPU"] * r["signIns"]["clientCPUMicrosecondsPerCeremony"] - r["signIns"]["serverCPUMicrosecondsPerCeremony"]) < 1e-6 * r["signIns"]["serverCPUMicrosecondsPerCeremony"] + 1e-9'
json_check "bench http splits the server's CPU by thread name, adding up to its whole (to a clock tick per thread)" "$out" \
  '(lambda t, n, c: len(t) > 0 and all(isinstance(k, str) and k and v >= 0 for k, v in t.items()) and abs(sum(t.values()) - c) <= 0.3 * c + 2 * (len(t) + 1) * 1e4 / n)(r["signIns"]["serverThreadCPUMicrosecondsPerCeremony"], r["signIns"]["count"], r["signIns"]["serverCPUMicrosecondsPerCeremony"]) and len(r["signUps"]["serverThreadCPUMicrosecondsPerCeremony"]) > 0'
json_check "bench http echoes its settings" "$out" \
  'r["concurrency"] == 4 and r["accounts"] == 6 and r["usernameless"] is False and r["durationSeconds"] == 1.5'

out=$("$bin" bench http --server "$server" --concurrency 3 --duration 1 --accounts 2 --usernameless --server-pid "$server_pid" 2>&1); code=$?
check "bench http --usernameless, fewer accounts than clients, prints the text report" 0 "$code" \
  'sign-ins +[0-9]+ ceremonies in .*/s' "$out"
check "the text report has the latency percentiles" 0 "$code" 'p50 .* ms +p90 .* ms +p99 .* ms' "$out"
check "the text report counts no failure" 0 "$code" 'failures 0' "$out"
check "the text report says usernameless" 0 "$code" 'usernameless' "$out"
check "the text report gives the server's CPU against the bare check and against the load generator's" 0 "$code" \
  'server CPU +[0-9.]+ µs per ceremony = +[0-9.]+× the bare ES256 check.*load generator CPU +[0-9.]+ µs per ceremony \(this process\); the server.s [0-9.]+× that' "$(echo "$out" | tr '\n' ' ')"
check "the text report gives the server's CPU by thread" 0 "$code" 'server CPU by thread: [^ ].* [0-9.]+ µs' "$out"
check "the text report gives the bare check before and after the load" 0 "$code" \
  'bare ES256 check \(this process\) +[0-9.]+ µs +\(before the load [0-9.]+ µs, after it [0-9.]+ µs\)' "$out"

# A server that answers with errors: the failures are counted by status and code, and the exit is 1.
out=$("$bin" bench http --server "$server" --concurrency 2 --duration 0.5 --accounts 2 --origin https://evil.example --json 2>&1); code=$?
json_check "bench http counts refused ceremonies by status and code" "$out" \
  'r["signUps"]["failures"]["total"] == 2 and all(k.startswith("403 ") for k in r["signUps"]["failures"]["byStatusAndCode"])'
check "bench http exits 1 when ceremonies failed" 1 "$code" '' ""

# The load generator's own HTTP/1.1 client reads every framing of an answer: a length, chunks,
# a body ending with the connection, an answer arriving in pieces, and a server that closes a
# kept-alive connection (a new one is opened). Each sign-up is refused by the stand-in at once, so
# the error code it sent must come out of the body whole.
for mode in length chunked eof split silent-close; do
  fport=$(free_port)
  python3 "$(dirname "$0")/http_framings.py" "$fport" "$mode" "$tmp/$mode.stats" &
  fake=$!
  for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $fport), 1).close()" 2>/dev/null && break; sleep 0.1; done
  : > "$tmp/$mode.stats"
  out=$("$bin" bench http --server "http://127.0.0.1:$fport" --concurrency 1 --duration 0.2 --accounts 3 --json 2>&1); code=$?
  kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null
  code_name="framing_${mode//-/_}"
  json_check "bench http reads a $mode answer: three refusals with the code from its body" "$out" \
    "r['signUps']['failures'] == {'total': 3, 'byStatusAndCode': {'403 $code_name': 3}}"
  connections=$(wc -l < "$tmp/$mode.stats")
  case $mode in
    length|chunked|split) expected=1 ;;  # one kept-alive connection for the three requests
    *) expected=3 ;;                     # a new connection for each request
  esac
  check "bench http used $expected connection(s) for three $mode answers" 0 0 "^$expected\$" "$connections"
done

dead=$(free_port)
out=$("$bin" bench http --server "http://127.0.0.1:$dead" --concurrency 1 --duration 0.2 --accounts 1 --json 2>&1); code=$?
json_check "bench http counts a server that does not answer as such" "$out" \
  'any(k.startswith("no answer") for k in r["signUps"]["failures"]["byStatusAndCode"])'
check "bench http against no server exits 1" 1 "$code" '' ""

# kill -9 during the sign-ups: the bench stops by itself (a client gives up after three requests
# without an answer), and every sign-up the server acknowledged is in the database file.
port2=$(free_port)
"$bin" serve --port "$port2" --database "sqlite:$tmp/kill.sqlite" --rate-limit 0 >"$tmp/server2.log" 2>&1 &
victim=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://localhost:$port2/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
"$bin" bench http --server "http://localhost:$port2" --concurrency 8 --duration 1 --accounts 100000 --json >"$tmp/kill.json" 2>&1 &
bench=$!
sleep 3
kill -9 "$victim"; wait "$victim" 2>/dev/null
stopped=
for _ in $(seq 1 300); do kill -0 "$bench" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
[ -z "$stopped" ] && kill "$bench" 2>/dev/null
wait "$bench"; code=$?
check "bench http stops by itself when the server is killed, and exits 1" 1 "$code" '' ""
out=$(cat "$tmp/kill.json")
json_check "the killed server's unanswered requests are counted as no answer" "$out" \
  'r["signUps"]["count"] > 0 and any(k.startswith("no answer") for k in r["signUps"]["failures"]["byStatusAndCode"])'
users=$(python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from users').fetchone()[0])" "$tmp/kill.sqlite" 2>&1)
acknowledged=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['signUps']['count'])" "$tmp/kill.json" 2>&1)
if [ -n "$users" ] && [ -n "$acknowledged" ] && [ "$users" -ge "$acknowledged" ] 2>/dev/null; then
  passed=$((passed + 1)); echo "ok - every acknowledged sign-up survived kill -9 ($acknowledged acknowledged, $users in the file)"
else
  failed=$((failed + 1)); echo "FAIL - acknowledged sign-ups lost to kill -9 ($acknowledged acknowledged, $users in the file)"
fi

out=$("$bin" bench http --server "$server" --concurrency 0 2>&1); code=$?
check "bench http refuses --concurrency 0 as a usage error" 2 "$code" 'concurrency' "$out"
out=$("$bin" bench http --server localhost:8080 2>&1); code=$?
check "bench http refuses a server that is not an http URL" 2 "$code" 'server' "$out"
out=$("$bin" bench http --server "$server" --server-pid 999999999 --duration 0.1 2>&1); code=$?
check "bench http refuses a --server-pid it cannot read" 1 "$code" 'server-pid' "$out"

# The older names keep working next to the subcommands.
out=$("$bin" bench verify --iterations 5 --json 2>&1); code=$?
check "bench verify is what bench runs by default" 0 "$code" '"ratio":' "$out"
out=$("$bin" bench store --database "sqlite:$tmp/store.sqlite" --iterations 20 2>&1); code=$?
check "bench store times the store's operations" 0 "$code" 'ceremony stored \+ consumed' "$out"
out=$("$bin" bench-store --database "sqlite:$tmp/store.sqlite" --iterations 20 2>&1); code=$?
check "bench-store still runs under its older name" 0 "$code" 'rate limit, one hot key' "$out"

finish
