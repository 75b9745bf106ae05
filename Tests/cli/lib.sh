# What the command-line tests share; each sources it first, after setting `suite` (the name its
# summary line starts with). It gives: `bin` (the binary, PASSKEYS_BIN overrides), a temporary
# folder `tmp` removed at exit together with any server started here, the counters and `check`,
# `start_server`, and `finish` (the summary line, last; its status is the script's).
set -uo pipefail
bin=${PASSKEYS_BIN:-.build/debug/passkeys}
passed=0
failed=0
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

check() { # name, expected exit, actual exit, expected output pattern, output
  if [ "$2" = "$3" ] && grep -qE -- "$4" <<<"$5"; then
    passed=$((passed + 1)); echo "ok - $1"
  else
    failed=$((failed + 1)); echo "FAIL - $1 (exit $3, expected $2; output: $5)"
  fi
}

finish() {
  echo "$suite: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

give_up() { # why
  echo "$1" >&2
  echo "$suite: 0 passed, 1 failed"
  exit 1
}

[ -x "$bin" ] || give_up "no binary at $bin: build it first (swift build --product passkeys)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server ARGS…: `passkeys serve` on a free `port` with ARGS, its output in $tmp/server.log;
# returns once /healthz answers, or gives up with the log.
start_server() {
  port=$(free_port)
  "$bin" serve --port "$port" "$@" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://localhost:$port/healthz', timeout=1)" 2>/dev/null; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  give_up "the server did not start on port $port: $(sed 's/^/  /' "$tmp/server.log")"
}
