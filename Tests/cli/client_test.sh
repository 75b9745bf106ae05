#!/usr/bin/env bash
# Tests `passkeys client` as a person runs it against a real `passkeys serve` (in-memory database,
# no rate limits, on a free port): sign up, sign out, sign in, list, add, rename, delete, sessions and
# activity, the
# keychain's permissions, exit codes 0 (done), 1 (refused or failed) and 2 (usage), and --json.
suite="cli"
source "$(dirname "$0")/lib.sh"

start_server --database sqlite::memory: --rate-limit 0

server="--server http://localhost:$port"
ada="$tmp/ada/keychain.json"   # a folder that does not exist yet
key="$tmp/security-key.json"
# The core's words follow LANG: these checks read English.
export LC_ALL=C.UTF-8
run() { out=$("$bin" client "$@" 2>&1); code=$?; }
# Passkey IDs are base64url and may start with "-": after "--" they are never taken for options.

run signup $server --keychain "$ada" --username ada@example.com --display-name Ada
check "signup creates the account and says where its passkey is" 0 "$code" "Signed up as ada@example.com \(Ada\)\." "$out"
check "signup keeps the passkey in a keychain file" 0 "$code" "passkey .* is in $ada" "$out"
mode=$(stat -c %a "$ada" 2>/dev/null || stat -f %Lp "$ada")
check "the keychain is created with mode 600" 600 "$mode" "" ""
mode=$(stat -c %a "$ada.session" 2>/dev/null || stat -f %Lp "$ada.session")
check "the session file is created with mode 600" 600 "$mode" "" ""

run signup $server --keychain "$tmp/other.json" --username ada@example.com
check "signup with a taken username is refused in plain words" 1 "$code" "An account with that username already exists" "$out"
out=$(LC_ALL= LC_MESSAGES= LANG=de_DE.UTF-8 "$bin" client signup $server --keychain "$tmp/other.json" --username ada@example.com 2>&1); code=$?
check "the refusal is in German when LANG is German" 1 "$code" "Ein Konto mit diesem Benutzernamen gibt es bereits" "$out"
out=$(LC_ALL=ja_JP.UTF-8 LANG=de_DE.UTF-8 "$bin" client signup $server --keychain "$tmp/other.json" --username ada@example.com 2>&1); code=$?
check "LC_ALL comes before LANG" 1 "$code" "そのユーザー名のアカウントはすでにあります" "$out"

run passkeys --server http://127.0.0.1:1 --keychain "$tmp/never.json"
check "a command that only reads, failing, exits 1" 1 "$code" "" "$out"
check "and leaves no new keychain behind" 1 "$([ -e "$tmp/never.json" ]; echo $?)" "" ""
run passkeys $server --keychain "$ada"
check "passkeys lists the signed-in account's one passkey (the session survived the last run)" 0 "$code" "ada@example.com has 1 passkey:" "$out"

run signout $server --keychain "$ada"
check "signout ends the session" 0 "$code" "^Signed out of ada@example.com\.$" "$out"

run passkeys $server --keychain "$ada"
check "passkeys when signed out says to sign in" 1 "$code" "Not signed in: run .passkeys client signin" "$out"

run signin $server --keychain "$ada" --username ada@example.com
check "signin with a username" 0 "$code" "^Signed in as ada@example.com \(Ada\)\.$" "$out"

run signout $server --keychain "$ada"
run signin $server --keychain "$ada"
check "signin without a username uses the passkey the keychain holds" 0 "$code" "^Signed in as ada@example.com \(Ada\)\.$" "$out"

run add $server --keychain "$key" --session "$ada.session"
check "add puts a second keychain's passkey on the account signed in by the first" 0 "$code" "which now has 2 passkeys" "$out"

run passkeys $server --keychain "$ada" --json
check "passkeys --json prints one object with both passkeys" 0 "$code" '^\{"command":"passkeys","ok":true,"passkeys":\[' "$out"
check "the JSON writes unknown fields as null, as the API does" 0 "$code" '"provider":null' "$out"
second=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["passkeys"][1]["id"])' "$out" 2>/dev/null)
first=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["passkeys"][0]["id"])' "$out" 2>/dev/null)
check "the JSON names each passkey's ID" 0 "$([ -n "$first" ] && [ -n "$second" ]; echo $?)" "" ""

run rename $server --keychain "$ada" -- "${second:0:6}" "Work laptop"
check "rename by the start of its ID" 0 "$code" "^Renamed passkey .* to “Work laptop”\.$" "$out"

run passkeys $server --keychain "$ada"
check "the new name is listed" 0 "$code" "$second  Work laptop" "$out"

run delete $server --keychain "$ada" -- "Work laptop"
check "delete by name" 0 "$code" "^Deleted passkey .*; ada@example.com has 1 left\.$" "$out"

run delete $server --keychain "$ada" -- "$first"
check "the only passkey cannot be deleted" 1 "$code" "only passkey. Deleting it would lock you out" "$out"

run delete $server --keychain "$ada" --json -- "$first"
check "a refusal with --json is one object with the code" 1 "$code" '"error":\{"code":"last_passkey"' "$out"

run rename $server --keychain "$ada" -- "$second" "Gone"
check "renaming a deleted passkey says it is gone" 1 "$code" "That passkey is no longer on your account" "$out"

run signin $server --keychain "$key"
check "signing in with a deleted passkey says so" 1 "$code" "That passkey was deleted" "$out"
run signin $server --keychain "$key"
check "and the keychain forgot it" 1 "$code" "This device has no passkey" "$out"

chmod 644 "$ada"
run passkeys $server --keychain "$ada"
check "a keychain others can read is refused" 1 "$code" "can be read by others \(mode 644\)" "$out"
chmod 600 "$ada"

run signup $server --keychain "$tmp/x.json"
check "signup without --username is a usage error" 2 "$code" "username" "$out"

run passkeys --server not-a-url --keychain "$ada"
check "a --server that is not a URL is a usage error" 2 "$code" "--server must be an http or https URL" "$out"

run signup --server "http://127.0.0.1:$port" --keychain "$tmp/zed.json" --username zed
check "an origin the server does not allow is refused with a hint" 1 "$code" "forbidden_origin.*Pass --origin" "$out"

run signup --server "http://127.0.0.1:$port" --origin "http://localhost:$port" --keychain "$tmp/zed.json" --username zed
check "--origin names the web origin to act as" 0 "$code" "^Signed up as zed\.$" "$out"

run passkeys --server http://127.0.0.1:1 --keychain "$ada"
check "a server that cannot be reached is named as such" 1 "$code" "Can’t reach the server" "$out"

# Sessions and activity: a second "browser" signs in to the same account with its own session file.
laptop="$tmp/laptop.session"
run signin $server --keychain "$ada" --session "$laptop"
check "a second session signs in" 0 "$code" "^Signed in as ada@example.com \(Ada\)\.$" "$out"

run sessions $server --keychain "$ada"
check "sessions counts this one and the other" 0 "$code" "^This browser and 1 other\." "$out"
check "sessions marks this one" 0 "$code" "  \(This browser\)$" "$out"
check "sessions says when each began and which passkey opened it" 0 "$code" "^      Signed in .* with “Passkey” · last seen " "$out"
run sessions $server --keychain "$ada" --json
other=$(python3 -c 'import json, sys; print([s["id"] for s in json.loads(sys.argv[1])["sessions"] if not s["current"]][0])' "$out" 2>/dev/null)
this=$(python3 -c 'import json, sys; print([s["id"] for s in json.loads(sys.argv[1])["sessions"] if s["current"]][0])' "$out" 2>/dev/null)
check "sessions --json lists both, as the API writes them" 0 "$([ -n "$other" ] && [ -n "$this" ]; echo $?)" '"createdAt":' "$out"
out=$(LC_ALL=ja_JP.UTF-8 "$bin" client sessions $server --keychain "$ada" 2>&1); code=$?
check "sessions in Japanese when LC_ALL is Japanese" 0 "$code" "このブラウザとほかに1か所でサインインしています。" "$out"

run activity $server --keychain "$ada"
check "activity lists what happened, newest first" 0 "$code" "^Recent activity:" "$out"
check "activity names the passkey of a sign-in" 0 "$code" "Signed in with “" "$out"
run activity $server --keychain "$ada" --all
check "activity --all follows the log to the account's creation" 0 "$code" "Account created" "$out"

run end-session $server --keychain "$ada" -- "$this"
check "this session is not ended by end-session" 1 "$code" "That is this session" "$out"
run end-session $server --keychain "$ada" -- "no-such-session"
check "a session the account does not have is named as such" 1 "$code" "has no session no-such-session" "$out"
run end-session $server --keychain "$ada"
check "end-session needs an ID or --others" 2 "$code" "name one session ID, or pass --others" "$out"
run end-session $server --keychain "$ada" --others -- "$other"
check "not both" 2 "$code" "name one session ID, or pass --others" "$out"

run end-session $server --keychain "$ada" -- "$other"
check "end-session signs the other browser out" 0 "$code" "^Signed out " "$out"
run passkeys $server --keychain "$ada" --session "$laptop"
check "the ended session no longer works" 1 "$code" "Not signed in" "$out"
run sessions $server --keychain "$ada"
check "and is no longer listed" 0 "$code" "^Only this browser is signed in\." "$out"

run signin $server --keychain "$ada" --session "$laptop"
run end-session $server --keychain "$ada" --others
check "end-session --others signs out everywhere else" 0 "$code" "^Signed out everywhere else\.$" "$out"
run passkeys $server --keychain "$ada" --session "$laptop"
check "and that session no longer works either" 1 "$code" "Not signed in" "$out"
run activity $server --keychain "$ada" --session "$laptop"
check "activity when signed out says to sign in" 1 "$code" "Not signed in: run .passkeys client signin" "$out"

run signout $server --keychain "$ada" --json
check "signout --json" 0 "$code" '^\{"command":"signout","ok":true\}$' "$out"

run signout $server --keychain "$ada"
check "signout when signed out is not an error" 0 "$code" "^Not signed in\.$" "$out"

finish
