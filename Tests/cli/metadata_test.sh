#!/usr/bin/env bash
# Tests `passkeys metadata inspect` on BLOBs signed by a metadata service made here (Python's
# cryptography package makes the root, the signing certificate and the JWS).
set -uo pipefail
bin=${PASSKEYS_BIN:-.build/debug/passkeys}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name, expected exit, actual exit, expected output pattern, output
  if [ "$2" = "$3" ] && grep -qE -- "$4" <<<"$5"; then
    passed=$((passed + 1)); echo "ok - $1"
  else
    failed=$((failed + 1)); echo "FAIL - $1 (exit $3, expected $2; output: $5)"
  fi
}

if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "python3 has no cryptography package: metadata CLI tests skipped"
  echo "cli: 0 passed, 0 failed"
  exit 0
fi

python3 - "$tmp" <<'PY'
import base64, datetime, json, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
root_key = ec.generate_private_key(ec.SECP256R1())
root = (x509.CertificateBuilder().subject_name(name("Test MDS Root")).issuer_name(name("Test MDS Root"))
        .public_key(root_key.public_key()).serial_number(1)
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(root_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
leaf = (x509.CertificateBuilder().subject_name(name("Test MDS Signer")).issuer_name(root.subject)
        .public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256()))
open(f"{out}/root.pem", "wb").write(root.public_bytes(serialization.Encoding.PEM))

def b64url(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def blob(no, entries, tamper=False):
    header = {"alg": "ES256", "typ": "JWT", "x5c": [base64.b64encode(leaf.public_bytes(serialization.Encoding.DER)).decode()]}
    payload = {"legalHeader": "test", "no": no, "nextUpdate": "2030-01-01", "entries": entries}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if tamper: sig = bytes([sig[0] ^ 1]) + sig[1:]
    return signing_input + "." + b64url(sig)
entries = [
    {"aaguid": "ee882879-721c-4913-9775-3dfcce97072a", "metadataStatement": {"description": "YubiKey 5 Series"},
     "statusReports": [{"status": "FIDO_CERTIFIED", "effectiveDate": "2020-01-01"}]},
    {"aaguid": "01234567-89ab-cdef-0123-456789abcdef", "metadataStatement": {"description": "Leaky Key"},
     "statusReports": [{"status": "FIDO_CERTIFIED", "effectiveDate": "2020-01-01"},
                       {"status": "USER_KEY_REMOTE_COMPROMISE", "effectiveDate": "2023-01-01"}]},
]
open(f"{out}/good.jws", "w").write(blob(42, entries))
open(f"{out}/tampered.jws", "w").write(blob(42, entries, tamper=True))
open(f"{out}/garbage.jws", "w").write("not a jws")
PY

out=$("$bin" metadata inspect "$tmp/good.jws" --root "$tmp/root.pem" 2>&1); code=$?
check "a BLOB signed under the given root is listed" 0 "$code" 'no\. 42.*2 entries' "$out"
check "a compromised authenticator is flagged" 0 "$code" 'Leaky Key.*USER_KEY_REMOTE_COMPROMISE.*COMPROMISED' "$out"

out=$("$bin" metadata inspect "$tmp/good.jws" --root "$tmp/root.pem" --json --aaguid ee882879-721c-4913-9775-3dfcce97072a 2>&1); code=$?
check "--json with --aaguid prints that entry" 0 "$code" '"description":"YubiKey 5 Series".*"status":"FIDO_CERTIFIED"' "$out"

out=$("$bin" metadata inspect "$tmp/good.jws" 2>&1); code=$?
check "a self-made BLOB is refused under the FIDO root" 1 "$code" 'attestation_trust' "$out"

out=$("$bin" metadata inspect "$tmp/tampered.jws" --root "$tmp/root.pem" 2>&1); code=$?
check "a tampered BLOB is refused" 1 "$code" 'bad_signature' "$out"

out=$("$bin" metadata inspect "$tmp/garbage.jws" --root "$tmp/root.pem" --json 2>&1); code=$?
check "a file that is not a JWS is refused as malformed" 1 "$code" '"code":"malformed"' "$out"

out=$("$bin" metadata inspect "$tmp/missing.jws" 2>&1); code=$?
check "a missing file is a usage error" 2 "$code" 'cannot read' "$out"

out=$("$bin" metadata inspect "$tmp/good.jws" --aaguid nope 2>&1); code=$?
check "an invalid --aaguid is a usage error" 2 "$code" 'UUID' "$out"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
