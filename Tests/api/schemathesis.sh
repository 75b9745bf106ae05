#!/usr/bin/env bash
# Holds `passkeys serve` to its OpenAPI document (GET /api/openapi.json) with schemathesis:
# generated requests, valid and not, against a server on a free loopback port with a temporary
# SQLite file; every answer must be a documented status with a documented content type and body,
# and none may be a 5xx. Two runs: without a session, then signed in (an account made with
# `passkeys client signup`), leaving out the three operations that would end that session.
# Bounded (40 examples per operation; about a minute here) to stay within two minutes. Exit 0
# when every check passed. SCHEMATHESIS_EXAMPLES sets the examples per operation,
# SCHEMATHESIS_SEED the seed, SCHEMATHESIS_SCHEMA an absolute path to a document to use instead
# of the one the server serves (to try a change without rebuilding).
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${PASSKEYS_BIN:-.build/debug/passkeys}
venv=${API_VENV:-.venv-api}
examples=${SCHEMATHESIS_EXAMPLES:-40}
seed=${SCHEMATHESIS_SEED:-1}

if [ ! -x "$bin" ]; then
  echo "no binary at $bin: build it first (swift build --product passkeys)" >&2
  exit 1
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}
if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
  echo "schemathesis: creating $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    rm -rf "$venv"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv </dev/null || as_root apt-get install -y -qq python3-venv </dev/null
    python3 -m venv "$venv" || { echo "cannot make the venv $venv" >&2; exit 1; }
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5' \
    || { echo "cannot install schemathesis" >&2; exit 1; }
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://localhost:$port"
# No rate limits: a limited server would answer most generated requests 429 and test little else.
"$bin" serve --port "$port" --database "sqlite:$tmp/passkeys.sqlite" --rate-limit 0 --failure-floor 0.001 >"$tmp/server.log" 2>&1 &
server_pid=$!
up=
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('$url/healthz', timeout=1)" 2>/dev/null; then up=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "the server did not start on port $port:"; sed 's/^/  /' "$tmp/server.log"
  exit 1
fi

schemathesis=$(cd "$venv/bin" && pwd)/schemathesis
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() { # a name, then schemathesis options
  local name=$1; shift
  echo "== schemathesis: $name"
  # From the temporary folder: schemathesis keeps its cache (.schemathesis/) in the working directory.
  # One worker: with two, Hypothesis's lambda-source cache raced now and then (a KeyError that
  # schemathesis reports as a FlakyFailure of an operation), failing a run the server passed.
  (cd "$tmp" && "$schemathesis" run "${SCHEMATHESIS_SCHEMA:-$url/api/openapi.json}" --url "$url" -H "Origin: $url" --checks "$checks" \
    --max-examples "$examples" --seed "$seed" --workers 1 --max-redirects 0 --request-timeout 10 \
    --suppress-health-check all --no-color "$@")
}

failed=0
run "without a session" || failed=1

"$bin" client signup --server "$url" --keychain "$tmp/ada.json" --username ada@example.com --display-name Ada >"$tmp/signup.log" 2>&1 \
  || { echo "cannot sign up a test account:"; sed 's/^/  /' "$tmp/signup.log"; exit 1; }
# The session file: {server: {"cookies": {name: {"name", "value", "expires"}}}}.
cookie=$(python3 -c 'import json, sys
jar = next(iter(json.load(open(sys.argv[1])).values()))["cookies"]
print("passkeys_session=" + jar["passkeys_session"]["value"])' "$tmp/ada.json.session" 2>/dev/null)
if [ -z "$cookie" ]; then
  echo "no session cookie after signing up (in $tmp/ada.json.session)"; exit 1
fi
run "signed in" -H "Cookie: $cookie" --exclude-method-regex '^DELETE$' --exclude-path-regex '^/api/(session|account|sessions/\{id\})$' \
  || failed=1

if [ "$failed" != 0 ]; then
  echo "server log (last 40 lines):"; tail -n 40 "$tmp/server.log" | sed 's/^/  /'
  echo "schemathesis: FAILED"
  exit 1
fi
echo "schemathesis: every answer as documented"
