#!/usr/bin/env bash
# Tests `passkeys metadata inspect` on BLOBs signed by a metadata service made here (Python's
# cryptography package makes the root, the signing certificate and the JWS).
suite="cli metadata"
source "$(dirname "$0")/lib.sh"

if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "python3 has no cryptography package: metadata CLI tests skipped"
  echo "cli: 0 passed, 0 failed"
  exit 0
fi

python3 "$(dirname "$0")/make_metadata.py" "$tmp"

out=$("$bin" metadata inspect "$tmp/blob-42.jws" --root "$tmp/root.pem" 2>&1); code=$?
check "a BLOB signed under the given root is listed" 0 "$code" 'no\. 42.*2 entries' "$out"
check "a compromised authenticator is flagged" 0 "$code" 'Leaky Key.*USER_KEY_REMOTE_COMPROMISE.*COMPROMISED' "$out"

out=$("$bin" metadata inspect "$tmp/blob-42.jws" --root "$tmp/root.pem" --json --aaguid ee882879-721c-4913-9775-3dfcce97072a 2>&1); code=$?
check "--json with --aaguid prints that entry" 0 "$code" '"description":"YubiKey 5 Series".*"status":"FIDO_CERTIFIED"' "$out"

out=$("$bin" metadata inspect "$tmp/blob-42.jws" 2>&1); code=$?
check "a self-made BLOB is refused under the FIDO root" 1 "$code" 'attestation_trust' "$out"

out=$("$bin" metadata inspect "$tmp/tampered.jws" --root "$tmp/root.pem" 2>&1); code=$?
check "a tampered BLOB is refused" 1 "$code" 'bad_signature' "$out"

out=$("$bin" metadata inspect "$tmp/garbage.jws" --root "$tmp/root.pem" --json 2>&1); code=$?
check "a file that is not a JWS is refused as malformed" 1 "$code" '"code":"malformed"' "$out"

out=$("$bin" metadata inspect "$tmp/missing.jws" 2>&1); code=$?
check "a missing file is a usage error" 2 "$code" 'cannot read' "$out"

out=$("$bin" metadata inspect "$tmp/blob-42.jws" --aaguid nope 2>&1); code=$?
check "an invalid --aaguid is a usage error" 2 "$code" 'UUID' "$out"

# A running server re-reads --metadata and loads only a newer BLOB.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$tmp/blob-42.jws" "$tmp/current.jws"
"$bin" serve --port "$port" --database sqlite::memory: --attestation direct \
  --metadata "$tmp/current.jws" --metadata-root "$tmp/root.pem" --metadata-refresh 1s --log-level error &
server=$!
health() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "http://127.0.0.1:$port/healthz"; }
for _ in $(seq 1 100); do health >/dev/null 2>&1 && break; sleep 0.1; done
out=$(health); check "the server starts with the BLOB it was given" 0 0 '"number":42' "$out"
# The file's time is moved forward each time so the server sees a change at its next look.
cp "$tmp/blob-41.jws" "$tmp/current.jws"; touch -d '+2 seconds' "$tmp/current.jws"; sleep 3.5
out=$(health); check "an older BLOB put in its place is refused" 0 0 '"number":42' "$out"
cp "$tmp/blob-43.jws" "$tmp/current.jws"; touch -d '+6 seconds' "$tmp/current.jws"
for _ in $(seq 1 100); do out=$(health); grep -q '"number":43' <<<"$out" && break; sleep 0.1; done
check "a newer BLOB put in its place is loaded" 0 0 '"number":43' "$out"
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null

# The newest BLOB number is kept in the database: a restart cannot roll it back.
"$bin" serve --port "$port" --database "sqlite:$tmp/metadata.sqlite" \
  --metadata "$tmp/blob-43.jws" --metadata-root "$tmp/root.pem" --log-level error &
server=$!
for _ in $(seq 1 100); do health >/dev/null 2>&1 && break; sleep 0.1; done
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
out=$("$bin" serve --port "$port" --database "sqlite:$tmp/metadata.sqlite" --metadata "$tmp/blob-42.jws" --metadata-root "$tmp/root.pem" 2>&1); code=$?
check "a server restarted on its database refuses a BLOB older than one it used" 78 "$code" 'rollback' "$out"

out=$("$bin" serve --port "$port" --database sqlite::memory: --metadata "$tmp/tampered.jws" --metadata-root "$tmp/root.pem" 2>&1); code=$?
check "the server refuses to start with a tampered BLOB" 78 "$code" 'bad_signature|signature' "$out"

finish
