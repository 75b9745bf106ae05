#!/usr/bin/env python3
"""Makes a FIDO metadata service for the command-line tests: a root (root.pem), BLOBs numbered
41, 42 and 43 signed under it (blob-NN.jws), one with a broken signature (tampered.jws) and a
file that is no JWS (garbage.jws), in the folder given. Needs Python's cryptography package."""
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
for no in (41, 42, 43):
    open(f"{out}/blob-{no}.jws", "w").write(blob(no, entries))
open(f"{out}/tampered.jws", "w").write(blob(42, entries, tamper=True))
open(f"{out}/garbage.jws", "w").write("not a jws")
