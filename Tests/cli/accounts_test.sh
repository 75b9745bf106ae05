#!/usr/bin/env bash
# Tests `passkeys accounts import`: JSON Lines with bcrypt, argon2id and Django PBKDF2 hashes
# (known hashes of "correct horse" made by libxcrypt, libargon2 and Python's hashlib); bad lines
# reported by number and not stored; exit codes 0 (all imported), 1 (a line failed, or the
# database failed: the import stops there and says what it did), 2 (usage), 78 (a database that is
# not there, which it does not make); then a password sign-in against a real `passkeys serve` on
# the imported database.
suite="cli accounts"
source "$(dirname "$0")/lib.sh"

db="sqlite:$tmp/db.sqlite"
cat >"$tmp/good.jsonl" <<'JSONL'
{"username": "bcrypt@example.com", "displayName": "B", "passwordHash": "$2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", "emailVerified": true}
{"username": "argon@example.com", "passwordHash": "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y"}

{"username": "django@example.com", "passwordHash": "pbkdf2_sha256$10000$seasalt1234$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ="}
{"username": "nopassword@example.com"}
JSONL
out=$("$bin" accounts import --database "$db" "$tmp/good.jsonl" 2>&1); code=$?
check "a SQLite file that is not there exits 78" 78 "$code" "--database $db: no database file there; check the path, or create it with \`passkeys migrate --database $db\`" "$out"
check "the mistyped file was not created" 1 "$([ -e "$tmp/db.sqlite" ]; echo $?)" "" ""
"$bin" migrate --database "$db" >/dev/null || give_up "passkeys migrate failed"
out=$("$bin" accounts import --database "$db" "$tmp/good.jsonl" 2>&1); code=$?
check "good lines are all imported" 0 "$code" "imported 4 accounts \(3 with a password\); 0 lines failed" "$out"

cat >"$tmp/bad.jsonl" <<'JSONL'
{"username": "new@example.com", "passwordHash": "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"}
{"username": "typo@example.com", "passwordhash": "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"}
{"username": "x@example.com", "passwordHash": "$2x$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"}
{"username": "md5@example.com", "passwordHash": "$1$saltsalt$NuzA7WTAelpl95xgBGWN60"}
{"username": "bs@example.com", "passwordHash": "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"}
{"username": "slow@example.com", "passwordHash": "pbkdf2_sha256$100000000$salt$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ="}
{"username": "BCRYPT@example.com"}
not json
JSONL
out=$("$bin" accounts import --database "$db" "$tmp/bad.jsonl" 2>&1); code=$?
check "a file with bad lines exits 1 and imports the good one" 1 "$code" "imported 1 account \(1 with a password\); 7 lines failed" "$out"
check "an unknown field is reported with its line number" 1 "$code" "bad.jsonl:2: unknown field \"passwordhash\"" "$out"
check "\$2x\$ is refused" 1 "$code" "bad.jsonl:3: .*2x" "$out"
check "md5-crypt is refused" 1 "$code" "bad.jsonl:4: md5-crypt" "$out"
check "Django's bcrypt_sha256 is refused" 1 "$code" "bad.jsonl:5: .*bcrypt_sha256" "$out"
check "PBKDF2 past the iteration limit is refused" 1 "$code" "bad.jsonl:6: PBKDF2 iterations" "$out"
check "an existing username fails its line" 1 "$code" "bad.jsonl:7: an account with this username exists" "$out"
check "a line that is not JSON is reported" 1 "$code" "bad.jsonl:8: not a JSON object" "$out"

out=$("$bin" accounts import --database "$db" "$tmp/missing.jsonl" 2>&1); code=$?
check "a missing file is a usage error" 2 "$code" "cannot read" "$out"
# One line in Latin-1 among UTF-8 ones: that line fails with its number, the others are imported.
printf '{"username":"utf1@example.com"}\n{"username":"caf\xe9@example.com"}\r\n{"username":"utf3@example.com"}\r\n' >"$tmp/latin.jsonl"
out=$("$bin" accounts import --database "$db" "$tmp/latin.jsonl" 2>&1); code=$?
check "a line that is not UTF-8 fails alone, with its number" 1 "$code" "latin.jsonl:2: the line is not UTF-8 text" "$out"
check "the UTF-8 lines around it are imported" 1 "$code" "imported 2 accounts \(0 with a password\); 1 line failed" "$out"
out=$("$bin" accounts import --database "sqlite::memory:" "$tmp/good.jsonl" 2>&1); code=$?
check "an in-memory database, gone at exit, is refused with 78" 78 "$code" "an in-memory database is gone when this command exits" "$out"
echo "not a database" >"$tmp/not-a-database.sqlite"
out=$("$bin" accounts import --database "sqlite:$tmp/not-a-database.sqlite" "$tmp/good.jsonl" 2>&1); code=$?
check "a file that is not a SQLite database exits 78" 78 "$code" "not-a-database.sqlite" "$out"
"$bin" migrate --database "sqlite:$tmp/from-env.sqlite" >/dev/null || give_up "passkeys migrate failed"
out=$(PASSKEYS_DATABASE="sqlite:$tmp/from-env.sqlite" "$bin" accounts import "$tmp/good.jsonl" 2>&1); code=$?
check "without --database, PASSKEYS_DATABASE names the database, as for the other tools" 0 "$code" "imported" "$out"
out=$("$bin" admin users list --database "sqlite:$tmp/from-env.sqlite" 2>&1); code=$?
check "the accounts went to PASSKEYS_DATABASE's database" 0 "$code" "bcrypt@example.com" "$out"
out=$("$bin" accounts import --database "postgres://importer:S3cretPW@127.0.0.1:99999999999999999999/p" "$tmp/good.jsonl" 2>&1); code=$?
check "a database URL that cannot work exits 78 with its password hidden" 78 "$code" 'importer:\*\*\*@' "$out"
check "the password is not shown" 0 "$(grep -c S3cretPW <<<"$out")" "" ""

# The database fails at the third account (a trigger stands in for a lock held past the busy
# timeout, a full disk or a lost connection): the import stops there and reports what it did.
failing="$tmp/failing.sqlite"
sql() { # statement: run on $failing; prints the rows, one a line, columns separated by spaces
  python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]): print(" ".join(map(str, row)))
db.commit()' "$failing" "$1"
}
"$bin" migrate --database "sqlite:$failing" >/dev/null || give_up "passkeys migrate failed"
sql "CREATE TRIGGER fail_third_import BEFORE INSERT ON users WHEN (SELECT count(*) FROM users) >= 2
     BEGIN SELECT RAISE(ABORT, 'simulated database failure'); END" || give_up "cannot add the failing trigger"
cat >"$tmp/stops.jsonl" <<'JSONL'
{"username": "one@example.com", "passwordHash": "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"}
not json
{"username": "two@example.com"}
{"username": "three@example.com"}
{"username": "four@example.com"}
JSONL
out=$("$bin" accounts import --database "sqlite:$failing" "$tmp/stops.jsonl" 2>&1); code=$?
check "a database failure mid-import still prints the summary of what was done" 1 "$code" "^imported 2 accounts \(1 with a password\); 1 line failed$" "$out"
check "the lines that failed before it are still reported" 1 "$code" "stops.jsonl:2: not a JSON object" "$out"
check "it says where it stopped, why, and that the lines before it were processed" 1 "$code" \
  "^passkeys: stopped at line 4: the database failed: .*simulated database failure; the 3 lines before it were processed \(imported ones stay\)$" "$out"
stored=$(sql "SELECT username FROM users ORDER BY username" 2>&1 | tr '\n' ' ')
check "the accounts imported before it stay, and none after it is imported" 0 0 "^one@example.com two@example.com $" "$stored"
sql "DROP TRIGGER fail_third_import"
out=$(tail -n +4 "$tmp/stops.jsonl" | "$bin" accounts import --database "sqlite:$failing" - 2>&1); code=$?
check "the rest of the file, from the line it stopped at, imports on its own" 0 "$code" "^imported 2 accounts \(0 with a password\); 0 lines failed$" "$out"
cat >"$tmp/first.jsonl" <<'JSONL'
{"username": "first@example.com"}
JSONL
sql "CREATE TRIGGER fail_every_import BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'simulated database failure'); END"
out=$("$bin" accounts import --database "sqlite:$failing" "$tmp/first.jsonl" 2>&1); code=$?
check "a failure at the first line says nothing was imported" 1 "$code" "stopped at line 1: the database failed: .*simulated database failure; nothing was imported$" "$out"

start_server --database "$db" --rate-limit 0
sign_in() { # username password -> "STATUS BODY"
  python3 - "$port" "$1" "$2" <<'PY'
import json, sys, urllib.request, urllib.error
port, username, password = sys.argv[1:]
request = urllib.request.Request(
    f"http://localhost:{port}/api/password", method="POST",
    data=json.dumps({"username": username, "password": password}).encode(),
    headers={"Content-Type": "application/json", "Origin": f"http://localhost:{port}"})
try:
    with urllib.request.urlopen(request, timeout=10) as answer:
        print(answer.status, answer.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
PY
}
for user in bcrypt argon django new; do
  out=$(sign_in "$user@example.com" "correct horse")
  check "the imported $user account signs in with its password" 0 0 '^200 .*"passwordOnly":true' "$out"
done
out=$(sign_in "django@example.com" "wrong horse")
check "a wrong password is 401 invalid_credentials" 0 0 '^401 .*invalid_credentials' "$out"
out=$(sign_in "typo@example.com" "correct horse")
check "a refused line stored nothing" 0 0 '^401 .*invalid_credentials' "$out"

finish
