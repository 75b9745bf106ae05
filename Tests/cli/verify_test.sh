#!/usr/bin/env bash
# Tests `passkeys verify` as a user runs it: exit codes 0 (accepted), 1 (rejected), 2 (usage),
# and the one JSON object it prints. Needs the built binary and the conformance vectors.
suite="cli verify"
source "$(dirname "$0")/lib.sh"
vectors=${PASSKEYS_VECTORS:-}

# args_for FILE: prints the verify arguments a vector's expectations call for, one per line.
args_for() {
  python3 - "$1" "$tmp" <<'PY'
import json, sys, os
v = json.load(open(sys.argv[1])); e = v["expected"]
args = [v["ceremony"], "--rp-id", e["rp_id"], "--challenge", e["challenge"]]
for o in e["origins"]: args += ["--origin", o]
if e.get("require_user_verification"): args.append("--require-user-verification")
if e.get("require_user_presence") is False: args.append("--allow-missing-user-presence")
if v["ceremony"] == "authentication":
    args += ["--public-key", v["stored_credential"]["public_key"], "--sign-count", str(v["stored_credential"]["sign_count"])]
path = os.path.join(sys.argv[2], "credential.json")
json.dump(v["credential"], open(path, "w"))
args += ["--credential", path]
print("\n".join(args))
PY
}

run_vector() { # name, vector file, expected exit, pattern
  mapfile -t args < <(args_for "$vectors/$2")
  out=$("$bin" verify "${args[@]}" 2>&1); code=$?
  check "$1" "$3" "$code" "$4" "$out"
}

if [ -z "$vectors" ] || [ ! -d "$vectors" ]; then
  echo "PASSKEYS_VECTORS not set: vector-based CLI tests skipped"
else
  run_vector "a packed registration is accepted with its outputs" \
    simplewebauthn.packed.should-verify-packed-x5c-attestation.json 0 \
    '"aaguid":"6d44ba9b-f6ec-2e49-b930-0c8fe920cb73".*"format":"packed".*"verified":true'
  run_vector "a registration with another challenge is rejected with challenge_mismatch" \
    'simplewebauthn.none.should-verify-none-attestation-w-rsa-public-key~neg-challenge.json' 1 \
    '"code":"challenge_mismatch".*"verified":false'
  run_vector "a registration for another RP ID is rejected with rp_id_mismatch" \
    'simplewebauthn.none.should-verify-none-attestation-w-rsa-public-key~neg-rpid.json' 1 '"code":"rp_id_mismatch"'
  run_vector "a sign-in is accepted with its new sign count" \
    simplewebauthn.assertion.should-verify-an-assertion-response.json 0 '"signCount":[0-9]+.*"verified":true'
  # The same credential read from standard input.
  mapfile -t args < <(args_for "$vectors/simplewebauthn.assertion.should-verify-an-assertion-response.json")
  out=$("$bin" verify "${args[@]:0:${#args[@]}-2}" < "$tmp/credential.json" 2>&1); code=$?
  check "the credential can come from standard input" 0 "$code" '"verified":true' "$out"
fi

# ML-DSA-44 (COSE -48): webauthn.io's registration and sign-in (Tests/WebAuthnTests/Vectors).
mldsa_vector=Tests/WebAuthnTests/Vectors/webauthnio-mldsa44.json
mapfile -t mldsa < <(python3 - "$mldsa_vector" "$tmp" <<'PY'
import json, sys, os
v = json.load(open(sys.argv[1])); r, a = v["registration"], v["authentication"]
json.dump({"id": r["credentialID"], "rawId": r["credentialID"], "type": "public-key", "clientExtensionResults": {},
           "response": {"attestationObject": r["attestationObject"], "clientDataJSON": r["clientDataJSON"]}},
          open(os.path.join(sys.argv[2], "mldsa-registration.json"), "w"))
json.dump({"id": r["credentialID"], "rawId": r["credentialID"], "type": "public-key", "clientExtensionResults": {},
           "response": {"authenticatorData": a["authenticatorData"], "clientDataJSON": a["clientDataJSON"],
                        "signature": a["signature"], "userHandle": a["userHandle"]}},
          open(os.path.join(sys.argv[2], "mldsa-authentication.json"), "w"))
print(v["rpID"]); print(v["origin"]); print(r["challenge"]); print(a["challenge"]); print(a["storedSignCount"])
PY
)
out=$("$bin" verify registration --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[2]}" --algorithm -48 \
  --credential "$tmp/mldsa-registration.json" 2>&1); code=$?
check "--algorithm -48 accepts an ML-DSA-44 registration" 0 "$code" '"algorithm":-48.*"verified":true' "$out"
mldsa_key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["publicKey"])' "$out" 2>/dev/null)
out=$("$bin" verify authentication --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[3]}" \
  --public-key "$mldsa_key" --sign-count "${mldsa[4]}" --credential "$tmp/mldsa-authentication.json" 2>&1); code=$?
check "an ML-DSA-44 sign-in verifies with the registered key" 0 "$code" '"signCount":8.*"verified":true' "$out"
# A --trust-anchor file without a certificate must not mean "no anchors given", which accepts any
# attestation: it is a usage error, as an unreadable file is.
: > "$tmp/empty.pem"
printf 'not a certificate\n' > "$tmp/text.pem"
for anchor in "$tmp/empty.pem" "$tmp/text.pem"; do
  out=$("$bin" verify registration --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[2]}" --algorithm -48 \
    --trust-anchor "$anchor" --credential "$tmp/mldsa-registration.json" 2>&1); code=$?
  check "a --trust-anchor file with no certificate ($(basename "$anchor")) is a usage error" 2 "$code" 'holds no PEM certificate' "$out"
done
out=$("$bin" verify registration --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[2]}" --algorithm -7 \
  --credential "$tmp/mldsa-registration.json" 2>&1); code=$?
check "an ML-DSA-44 registration is refused when only -7 is allowed" 1 "$code" '"code":"unsupported_algorithm"' "$out"
out=$("$bin" verify registration --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[2]}" --algorithm -12345 \
  --credential "$tmp/mldsa-registration.json" 2>&1); code=$?
check "an --algorithm the verifier does not know exits 3 with unsupported_algorithm" 3 "$code" \
  '"code":"unsupported_algorithm".*-12345 is not a COSE algorithm this verifier knows' "$out"
out=$("$bin" verify registration --rp-id "${mldsa[0]}" --origin "${mldsa[1]}" --challenge "${mldsa[2]}" --algorithm ES256 \
  --credential "$tmp/mldsa-registration.json" 2>&1); code=$?
check "an --algorithm that is not a number is a usage error" 2 "$code" 'algorithm' "$out"

echo '{"id":' > "$tmp/bad.json"
out=$("$bin" verify registration --rp-id example.com --origin https://example.com --challenge AAAAAAAAAAAAAAAAAAAAAA --credential "$tmp/bad.json" 2>&1); code=$?
check "malformed JSON is rejected with malformed" 1 "$code" '"code":"malformed"' "$out"

echo '{"id":"AA","rawId":"AA","type":"public-key","response":{"attestationObject":"oA"}}' > "$tmp/missing.json"
out=$("$bin" verify registration --rp-id example.com --origin https://example.com --challenge AAAAAAAAAAAAAAAAAAAAAA --credential "$tmp/missing.json" 2>&1); code=$?
check "a missing field is named in the error" 1 "$code" 'clientDataJSON' "$out"

out=$("$bin" verify registration --rp-id example.com --challenge AAAA --credential "$tmp/bad.json" 2>&1); code=$?
check "a missing --origin is a usage error" 2 "$code" 'origin' "$out"

out=$("$bin" verify registration --rp-id example.com --origin https://example.com --challenge 'not base64!' --credential "$tmp/bad.json" 2>&1); code=$?
check "a challenge that is not base64url is a usage error" 2 "$code" 'base64url' "$out"

out=$("$bin" verify registration --rp-id 'https://example.com' --origin https://example.com --challenge AAAA --credential "$tmp/bad.json" 2>&1); code=$?
check "an invalid RP ID is a usage error" 2 "$code" 'RP ID' "$out"

out=$("$bin" verify authentication --rp-id example.com --origin https://example.com --challenge AAAA --public-key AAAA --sign-count 0 --credential "$tmp/nonexistent.json" 2>&1); code=$?
check "an unreadable credential file is a usage error" 2 "$code" 'cannot read' "$out"

# passkeys bench: only that it runs and verifies (times are for release builds, never asserted).
out=$("$bin" bench --iterations 20 --json 2>&1); code=$?
check "passkeys bench verifies sign-ins and reports the ratio" 0 "$code" '"ratio":' "$out"
out=$("$bin" bench --algorithm RS256 --iterations 5 2>&1); code=$?
check "passkeys bench takes another algorithm" 0 "$code" 'RS256, 5 sign-ins' "$out"
out=$("$bin" bench --algorithm XYZ 2>&1); code=$?
check "passkeys bench refuses an unknown algorithm" 2 "$code" 'algorithm' "$out"

finish
