#!/usr/bin/env bash
# Tests `passkeys admin` on the database of a running `passkeys serve` (a SQLite file, no rate
# limits, JSON logs, a free port): users list/show/disable/enable/delete and sessions revoke,
# as an account's owner sees them through `passkeys client`; --json; exit codes 0 (done),
# 1 (no such account), 2 (usage), 69 (a database it cannot reach) and 78 (a database it cannot
# open as given); the server's request IDs and its event loops (--event-loops).
suite="admin"
source "$(dirname "$0")/lib.sh"

db="sqlite:$tmp/passkeys.sqlite"
start_server --database "$db" --rate-limit 0 --log-format json

server="--server http://localhost:$port"
ada="$tmp/ada.json"
client() { out=$("$bin" client "$@" 2>&1); code=$?; }
admin() { out=$("$bin" admin "$@" 2>&1); code=$?; }

client signup $server --keychain "$ada" --username ada@example.com --display-name Ada
check "an account to look after" 0 "$code" "Signed up as ada@example.com" "$out"

admin users list --database "$db"
check "users list names the account, its passkeys and sessions" 0 "$code" "^ada@example.com  \(Ada\)  1 passkey, 1 session, created " "$out"

admin users list --database "$db" --json
summary=$(python3 -c 'import json, sys; u = json.load(sys.stdin)["users"][0]; print(u["username"], u["displayName"], u["passkeys"], u["sessions"], u["disabled"])' <<<"$out" 2>&1)
check "users list --json" 0 "$code" "^ada@example.com Ada 1 1 False$" "$summary"

out=$(PASSKEYS_DATABASE="$db" "$bin" admin users list 2>&1); code=$?
check "the database can come from PASSKEYS_DATABASE, as for serve" 0 "$code" "^ada@example.com" "$out"

admin users show ada@example.com --database "$db"
check "users show lists passkeys, sessions and activity" 0 "$code" "Passkeys \(1\):" "$out"
check "users show has the sign-up in the activity" 0 "$code" "sign_up" "$out"

admin users show ada@example.com --database "$db" --json
# The sign-up's confirmation mail is sent in the background, so its event may come before or after.
shown=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["user"]["username"], len(d["passkeys"]), len(d["sessions"]), [e["type"] for e in d["activity"] if e["type"] != "verification_code_sent"])' <<<"$out" 2>&1)
check "users show --json" 0 "$code" "^ada@example.com 1 1 \['sign_up'\]$" "$shown"

admin users show nobody@example.com --database "$db"
check "users show of an unknown account exits 1 and says so" 1 "$code" "no account has the username nobody@example.com" "$out"

admin users disable ada@example.com --database "$db"
check "users disable ends the account's sessions at once" 0 "$code" "^Disabled ada@example.com; 1 session ended\.$" "$out"

client passkeys $server --keychain "$ada"
check "the running server sees the session gone" 1 "$code" "Not signed in" "$out"

client signin $server --keychain "$ada"
check "a disabled account cannot sign in (403 account_disabled, in words)" 1 "$code" "This account is disabled" "$out"

admin users list --database "$db" --json
state=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["users"][0]["disabled"])' <<<"$out" 2>&1)
check "users list shows it disabled" 0 "$code" "^True$" "$state"

admin users enable ada@example.com --database "$db"
check "users enable" 0 "$code" "^Enabled ada@example.com\.$" "$out"

client signin $server --keychain "$ada"
check "an enabled account signs in again" 0 "$code" "^Signed in as ada@example.com" "$out"

admin sessions revoke ada@example.com --database "$db"
check "sessions revoke ends every session" 0 "$code" "^Ended 1 session of ada@example.com\.$" "$out"

client passkeys $server --keychain "$ada"
check "after sessions revoke the client is signed out" 1 "$code" "Not signed in" "$out"

admin users show ada@example.com --database "$db" --json
events=$(python3 -c 'import json, sys; print(" ".join(e["type"] for e in json.load(sys.stdin)["activity"]))' <<<"$out" 2>&1)
check "every admin action is an audit event" 0 "$code" "^sessions_revoked sign_in account_enabled sign_in_failed account_disabled " "$events"

admin users delete ada@example.com --database "$db"
check "users delete" 0 "$code" "^Deleted ada@example.com\.$" "$out"

admin users list --database "$db"
check "the deleted account is gone" 0 "$code" "^No accounts\.$" "$out"

client signin $server --keychain "$ada"
check "its passkey no longer signs in" 1 "$code" "deleted" "$out"

admin users disable ada@example.com --database "$db"
check "disabling an unknown account exits 1" 1 "$code" "no account has the username" "$out"

admin users show --database "$db"
check "a missing username is a usage error" 2 "$code" "username" "$out"

admin users list --database "mysql://nowhere"
check "a database URL it cannot open exits 78" 78 "$code" "--database mysql://nowhere" "$out"
admin users list --database "sqlite:$tmp/typo.sqlite"
check "a SQLite file that is not there exits 78 and is not made" 78 "$code" "no database file there" "$out"
check "the mistyped file was not created" 1 "$([ -e "$tmp/typo.sqlite" ]; echo $?)" "" ""
admin users list --database "postgres://admin:S3cretPW@127.0.0.1:1/passkeys"
check "a PostgreSQL URL's password is not shown" 0 "$(grep -c S3cretPW <<<"$out")" "admin:\*\*\*@" "$out"
check "a database that cannot be reached exits 69, as for passkeys migrate" 69 "$code" "Connection refused" "$out"
admin users list --database "sqlite::memory:"
check "an in-memory database, gone at exit, is refused with 78" 78 "$code" "an in-memory database is gone when this command exits" "$out"
echo "not a database" >"$tmp/not-a-database.sqlite"
admin users list --database "sqlite:$tmp/not-a-database.sqlite"
check "a file that is not a SQLite database exits 78" 78 "$code" "file is not a database" "$out"

# Request IDs: in the answer's X-Request-ID and in the JSON log line of that request.
request_id=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://localhost:$port/healthz', timeout=2).headers['X-Request-ID'])" 2>&1)
check "every answer carries an X-Request-ID" 0 0 "^[0-9a-f]{32}$" "$request_id"
sleep 0.2
line=$(grep -F "\"request_id\":\"$request_id\"" "$tmp/server.log" | head -1)
parsed=$(python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print(r["level"], r["message"], r["path"], r["status"])' <<<"$line" 2>&1)
check "--log-format json logs the request as one JSON object with its request_id" 0 0 "^info request /healthz 200$" "$parsed"
bad=$(grep -cv '^{' "$tmp/server.log")
check "every log line is JSON" 0 0 "^0$" "$bad"

out=$("$bin" serve --port 1 --log-format xml 2>&1); code=$?
check "an unknown --log-format is a configuration error" 78 "$code" "--log-format must be text or json" "$out"

# Event loops: the count in effect is on the ready line, and the server runs that many of NIO's
# threads: --event-loops, PASSKEYS_EVENT_LOOPS, NIO's own NIO_SINGLETON_GROUP_LOOP_COUNT, or half
# the cores (at least one).
loops() { # expected, then how to start: the ready line's count and the threads, or the failure
  local expected=$1; shift
  local log="$tmp/loops.log" loop_port; loop_port=$(free_port)
  env "$@" --port "$loop_port" --database sqlite::memory: >"$log" 2>&1 &
  local pid=$! said="" threads=""
  for _ in $(seq 1 100); do
    said=$(grep -oE 'eventLoops=[0-9]+' "$log" | head -1)
    [ -n "$said" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  threads=$(cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^NIO-SGLTN')
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "said=${said#eventLoops=} threads=$threads expected=${expected:-none}"
}
out=$(loops 3 "$bin" serve --event-loops 3)
check "--event-loops 3 runs three event loops" 0 0 "^said=3 threads=3 expected=3$" "$out"
out=$(loops 2 PASSKEYS_EVENT_LOOPS=2 "$bin" serve)
check "PASSKEYS_EVENT_LOOPS sets them too" 0 0 "^said=2 threads=2 expected=2$" "$out"
out=$(loops 1 PASSKEYS_EVENT_LOOPS=2 "$bin" serve --event-loops 1)
check "the flag wins over the environment" 0 0 "^said=1 threads=1 expected=1$" "$out"
out=$(loops 2 NIO_SINGLETON_GROUP_LOOP_COUNT=2 "$bin" serve)
check "NIO's own variable is kept when no count is given" 0 0 "^said=2 threads=2 expected=2$" "$out"
default_loops=$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))
out=$(loops "$default_loops" "$bin" serve)
check "by default half the cores, at least one ($default_loops here)" 0 0 "^said=$default_loops threads=$default_loops expected=$default_loops$" "$out"
out=$("$bin" serve --port 1 --event-loops 0 2>&1); code=$?
check "--event-loops 0 is a configuration error" 78 "$code" "--event-loops must be between 1 and 1024, not 0" "$out"
out=$(PASSKEYS_EVENT_LOOPS=many "$bin" serve --port 1 2>&1); code=$?
check "a PASSKEYS_EVENT_LOOPS that is no number is a configuration error" 78 "$code" "--event-loops must be a whole number" "$out"

finish
