#!/usr/bin/env bash
# Tests `passkeys clients` and `passkeys keys rotate` against a SQLite file, as an operator runs
# them: add (confidential, public, trusted, ES256, --json), list, rotate-secret, remove, the
# usage errors (exit 2) and refusals (exit 1); a SQLite file that is not there is refused (exit
# 78), not made, by add too. A running server sees the same file: the JWKS keeps the old key after
# a rotation.
suite="clients"
source "$(dirname "$0")/lib.sh"
db="sqlite:$tmp/db.sqlite"

out=$("$bin" clients add --database "$db" --name "Grafana" --redirect-uri https://grafana.example.com/login/generic_oauth 2>&1); code=$?
check "add refuses a SQLite file that is not there (exit 78)" 78 "$code" "--database $db: no database file there; check the path, or create it with \`passkeys migrate --database $db\`" "$out"
check "add did not create the mistyped file" 1 "$([ -e "$tmp/db.sqlite" ]; echo $?)" "" ""
out=$("$bin" clients add --database "$db" --name "Grafana" --redirect-uri https://grafana.example.com/login/generic_oauth --json 2>/dev/null); code=$?
check "add --json says so as JSON" 78 "$code" '^\{"error":\{"code":"database","message":"--database .*: no database file there' "$out"
out=$("$bin" migrate --database "$db" 2>&1); code=$?
check "passkeys migrate makes the database, for apps registered before the first server starts" 0 "$code" "schema version" "$out"

out=$("$bin" clients add --database "$db" --name "Grafana" --redirect-uri https://grafana.example.com/login/generic_oauth --json 2>&1); code=$?
check "add --json prints client_id and client_secret" 0 "$code" '^\{"client_id":"[A-Za-z0-9._~-]+","client_secret":"[A-Za-z0-9._~-]+"\}$' "$out"
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$out" 2>/dev/null)

out=$("$bin" clients add --database "$db" --name "SPA" --redirect-uri http://127.0.0.1:5173/cb --public --json 2>&1); code=$?
check "add --public prints no secret" 0 "$code" '^\{"client_id":"[A-Za-z0-9._~-]+"\}$' "$out"
spa=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$out" 2>/dev/null)

out=$("$bin" clients add --database "$db" --name "Ops" --redirect-uri https://ops.example.com/cb --trusted --id-token-alg ES256 2>&1); code=$?
check "add without --json prints the client plainly" 0 "$code" '^client_id: .*client_secret: ' "$(tr '\n' ' ' <<<"$out")"

out=$("$bin" clients list --database "$db" 2>&1); code=$?
check "list shows every client with its kind" 0 "$code" "$id	Grafana	confidential,RS256.*$spa	SPA	public,RS256.*Ops	confidential,ES256,trusted" "$(tr '\n' ' ' <<<"$out")"

out=$("$bin" clients list --database "$db" --json 2>&1); code=$?
check "list --json" 0 "$code" '"redirect_uris":\["http://127.0.0.1:5173/cb"\]' "$out"

out=$("$bin" clients add --database "$db" --name "Bad" --redirect-uri http://app.example.com/cb 2>&1); code=$?
check "http redirect URIs off loopback are refused (exit 2)" 2 "$code" 'loopback' "$out"

out=$("$bin" clients add --database "$db" --name "Bad" --redirect-uri https://app.example.com/cb#x 2>&1); code=$?
check "redirect URIs with a fragment are refused" 2 "$code" 'fragment' "$out"

out=$("$bin" clients add --database "$db" --name "Bad" --redirect-uri https://app.example.com/cb --id-token-alg HS256 2>&1); code=$?
check "an unknown ID token algorithm is refused" 2 "$code" 'RS256 or ES256' "$out"

out=$("$bin" clients add --database "$db" --name "$(printf 'Evil\x1b[2JApp')" --redirect-uri https://app.example.com/cb 2>&1); code=$?
check "a name with a control character is a usage error" 2 "$code" "control or invisible" "$out"
out=$("$bin" clients add --database "$db" --name "Bad" --redirect-uri "https://app.example.com/ cb" 2>&1); code=$?
check "a redirect URI with a space is a usage error" 2 "$code" "percent-encode" "$out"
out=$("$bin" clients add --database "$db" --name "Bad" --redirect-uri https://app.example.com/cb --redirect-uri https://app.example.com/cb 2>&1); code=$?
check "the same redirect URI twice is a usage error" 2 "$code" "same URI twice" "$out"
out=$("$bin" clients rotate-secret --database "$db" --json no-such-client 2>/dev/null); code=$?
check "with --json a failure is JSON on standard output, exit 1" 1 "$code" '^\{"error":\{"code":"not_found","message":"no client no-such-client"\}\}$' "$out"
out=$("$bin" clients list --database "sqlite:$tmp/not-there.sqlite" --json 2>/dev/null); code=$?
check "with --json a database that is not there is JSON too, exit 78" 78 "$code" '"code":"database"' "$out"
out=$("$bin" clients add --database "$db" --name "Bad" 2>&1); code=$?
check "a client needs a redirect URI" 2 "$code" 'redirect-uri' "$out"

out=$("$bin" clients rotate-secret --database "$db" "$id" --json 2>&1); code=$?
check "rotate-secret prints a new secret" 0 "$code" "^\{\"client_id\":\"$id\",\"client_secret\":\"[A-Za-z0-9._~-]+\"\}$" "$out"

out=$("$bin" clients rotate-secret --database "$db" "$spa" 2>&1); code=$?
check "rotate-secret refuses a public client (exit 1)" 1 "$code" 'public client' "$out"

out=$("$bin" clients remove --database "$db" nobody 2>&1); code=$?
check "removing an unknown client fails (exit 1)" 1 "$code" 'no client nobody' "$out"
# An ID that starts with "-" (none is made so now; older ones may) is given after "--".
out=$("$bin" clients remove --database "$db" -- -nobody 2>&1); code=$?
check "an ID after -- is an ID, not an option" 1 "$code" 'no client -nobody' "$out"

out=$("$bin" clients remove --database "$db" "$spa" 2>&1); code=$?
check "remove" 0 "$code" "removed $spa" "$out"
out=$("$bin" clients list --database "$db" 2>&1)
check "a removed client is no longer listed" 0 "$(grep -c -- "$spa" <<<"$out")" '.*' "$out"

start_server --database "$db" --rate-limit 0
jwks() { python3 -c "import urllib.request, json; print(' '.join(sorted(k['kid'] for k in json.load(urllib.request.urlopen('http://localhost:$port/oauth2/jwks', timeout=2))['keys'])))" 2>/dev/null; }
before=
for _ in $(seq 1 100); do before=$(jwks) && [ -n "$before" ] && break; sleep 0.1; done
check "the server made an RS256 and an ES256 key at start" 2 "$(wc -w <<<"$before")" '.*' "$before"

out=$("$bin" keys rotate --database "$db" 2>&1); code=$?
check "keys rotate makes new keys" 0 "$code" 'RS256 kid .*ES256 kid ' "$(tr '\n' ' ' <<<"$out")"
after=$(jwks)
kept=0; for kid in $before; do grep -qw -- "$kid" <<<"$after" || kept=1; done
check "the old keys stay in the JWKS after a rotation" 0 "$kept" '.*' "$after"
check "the JWKS has the new keys too" 4 "$(wc -w <<<"$after")" '.*' "$after"

finish
