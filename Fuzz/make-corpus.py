#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora from the conformance vectors.

    python3 Fuzz/make-corpus.py VECTORS_DIR OUT_DIR

VECTORS_DIR holds the webauthn-rp-vector/1 files (../shared/conformance/vectors); OUT_DIR gets one
folder per target (Fuzz/Targets), each seed named by its SHA-1 so that reruns add nothing twice.
Standard library only: a CI machine has nothing else to install for it.
"""
import base64
import hashlib
import json
import pathlib
import sys


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CBOR:
    """Just enough CBOR to find the items a seed needs (definite lengths only)."""

    def __init__(self, data):
        self.data, self.i = data, 0

    def head(self):
        initial = self.data[self.i]
        self.i += 1
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            return major, info
        width = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(self.data[self.i:self.i + width], "big")
        self.i += width
        return major, value

    def item(self):
        start = self.i
        major, arg = self.head()
        if major in (2, 3):
            self.i += arg
            value = self.data[start + (self.i - start - arg):self.i]
            return value.decode("utf-8") if major == 3 else bytes(value)
        if major == 4:
            return [self.item() for _ in range(arg)]
        if major == 5:
            return {self.key(): self.item() for _ in range(arg)}
        if major == 6:
            return self.item()
        return arg if major == 0 else -1 - arg if major == 1 else None

    def key(self):
        value = self.item()
        return value if not isinstance(value, list) else tuple(value)

    def raw_map(self):
        """A top-level map's entries as {key: the value's encoded bytes}."""
        major, count = self.head()
        if major != 5:
            return None
        entries = {}
        for _ in range(count):
            key = self.key()
            start = self.i
            self.item()
            entries[key] = self.data[start:self.i]
        return entries


def compound(attestation_object):
    """The statement and a `none` one as a WebAuthn §8.9 compound object: a seed that verifies as
    far as the statement itself does, at its own cost."""
    try:
        entries = CBOR(attestation_object).raw_map()
    except (IndexError, KeyError, UnicodeDecodeError):
        return None
    if not entries or not all(k in entries for k in ("fmt", "attStmt", "authData")):
        return None
    text = lambda value: bytes([0x60 | len(value)]) + value.encode()
    item = b"\xa2" + text("fmt") + entries["fmt"] + text("attStmt") + entries["attStmt"]
    none = b"\xa2" + text("fmt") + text("none") + text("attStmt") + b"\xa0"
    return (b"\xa3" + text("fmt") + text("compound") + text("attStmt") + b"\x82" + item + none
            + text("authData") + entries["authData"])


def head(major, length):
    """A CBOR item's head: major type and length (definite)."""
    if length < 24:
        return bytes([major << 5 | length])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * width):
            return bytes([major << 5 | info]) + length.to_bytes(width, "big")
    raise ValueError("too long")


def with_x5c(attestation_object, make_chain):
    """The attestation object with its statement's x5c replaced by make_chain(x5c): seeds for
    the bound on x5c (WebAuthn §8: the attestation certificate and its chain, at most 8 here)
    and for its shape (no subject twice), which path building relies on."""
    try:
        entries = CBOR(attestation_object).raw_map()
        statement = CBOR(entries["attStmt"]).raw_map() if entries and "attStmt" in entries else None
        chain = CBOR(statement["x5c"]).item() if statement and "x5c" in statement else None
    except (IndexError, KeyError, UnicodeDecodeError):
        return None
    if not isinstance(chain, list) or not chain or not all(isinstance(c, bytes) for c in chain):
        return None
    if not all(isinstance(key, str) for key in list(entries) + list(statement)):
        return None
    text = lambda value: head(3, len(value.encode())) + value.encode()
    new_chain = make_chain(chain)
    statement["x5c"] = head(4, len(new_chain)) + b"".join(head(2, len(c)) + c for c in new_chain)
    entries["attStmt"] = head(5, len(statement)) + b"".join(text(k) + v for k, v in statement.items())
    return head(5, len(entries)) + b"".join(text(k) + v for k, v in entries.items())


def main():
    vectors, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    seeds = {}

    def add(target, data):
        if isinstance(data, str):
            data = data.encode()
        seeds.setdefault(target, set()).add(bytes(data))

    anchors = []
    for path in sorted(vectors.glob("*.json")):
        if path.name == "index.json":
            continue
        vector = json.loads(path.read_text())
        credential = vector.get("credential") or {}
        response = credential.get("response") or {}
        add("wire-json", json.dumps(credential, separators=(",", ":")))
        client_data = b64url(response["clientDataJSON"]) if "clientDataJSON" in response else None
        if client_data:
            add("client-data", client_data)
        if "attestationObject" in response:
            attestation_object = b64url(response["attestationObject"])
            add("cbor", attestation_object)
            add("attestation", hashlib.sha256(client_data or b"").digest() + attestation_object)
            doubled = compound(attestation_object)
            if doubled:
                add("attestation", hashlib.sha256(client_data or b"").digest() + doubled)
            # x5c past the bound (12 certificates), and within it but with a certificate twice.
            for changed in (with_x5c(attestation_object, lambda chain: chain + [chain[-1]] * (12 - len(chain))),
                            with_x5c(attestation_object, lambda chain: chain + [chain[-1]])):
                if changed:
                    add("attestation", hashlib.sha256(client_data or b"").digest() + changed)
            try:
                decoded = CBOR(attestation_object).item()
            except (IndexError, KeyError, UnicodeDecodeError):
                decoded = None
            if isinstance(decoded, dict):
                auth_data = decoded.get("authData")
                if isinstance(auth_data, bytes):
                    add("authenticator-data", auth_data)
                    # The credential public key follows rpIdHash, flags, counter, AAGUID and the ID.
                    if len(auth_data) > 55 and auth_data[32] & 0x40:
                        id_length = int.from_bytes(auth_data[53:55], "big")
                        key_start = 55 + id_length
                        reader = CBOR(auth_data[key_start:])
                        try:
                            reader.item()
                            add("cose-key", auth_data[key_start:key_start + reader.i])
                            add("cbor", auth_data[key_start:key_start + reader.i])
                        except (IndexError, KeyError, UnicodeDecodeError):
                            pass
                statement = decoded.get("attStmt")
                if isinstance(statement, dict) and isinstance(statement.get("response"), bytes):
                    add("mds3-blob", statement["response"])  # a SafetyNet JWS
                for certificate in (statement or {}).get("x5c", []) if isinstance(statement, dict) else []:
                    if isinstance(certificate, bytes):
                        anchors.append(base64.b64encode(certificate).decode())
        if "authenticatorData" in response:
            add("authenticator-data", b64url(response["authenticatorData"]))
        stored = vector.get("stored_credential") or {}
        if stored.get("public_key"):
            key = b64url(stored["public_key"])
            add("cose-key", key + b64url(response.get("signature", "")))
            add("cbor", key)

    # Sign-in options as a relying party writes them: with and without allowed credentials.
    challenge = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
    credential_id = base64.urlsafe_b64encode(b"\x07" * 16).rstrip(b"=").decode()
    add("wire-json", json.dumps({"challenge": challenge, "timeout": 300000, "rpId": "example.com",
                                 "allowCredentials": [], "userVerification": "preferred"}, separators=(",", ":")))
    add("wire-json", json.dumps({"challenge": challenge, "allowCredentials": [
        {"type": "public-key", "id": credential_id, "transports": ["usb", "hybrid"]},
        {"type": "public-key", "id": credential_id + "AA"}], "hints": ["security-key"]}, separators=(",", ":")))

    # MDS3 BLOB payloads in the shape the FIDO Metadata Service publishes, with real certificates.
    for index, root in enumerate(sorted(set(anchors))[:8]):
        payload = {
            "legalHeader": "Retrieval and use of this BLOB indicates acceptance of the terms.",
            "no": 80 + index,
            "nextUpdate": "2026-12-01",
            "entries": [{
                "aaguid": "2fc0579f-8113-47ea-b116-bb5a8db9202a",
                "metadataStatement": {
                    "description": "YubiKey 5 Series with NFC",
                    "protocolFamily": "fido2",
                    "attestationRootCertificates": [root],
                },
                "statusReports": [{"status": "FIDO_CERTIFIED_L1", "effectiveDate": "2020-05-12"}],
                "timeOfLastStatusChange": "2020-05-12",
            }, {
                "attestationCertificateKeyIdentifiers": ["bf7bcaa0d0c6187a8c6abbdd16a15640e7c7bde2"],
                "statusReports": [{"status": "ATTESTATION_KEY_COMPROMISE"}],
            }],
        }
        text = json.dumps(payload, separators=(",", ":"))
        add("mds3-blob", text)
        header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "x5c": [root]}).encode()).rstrip(b"=")
        body = base64.urlsafe_b64encode(text.encode()).rstrip(b"=")
        add("mds3-blob", header + b"." + body + b"." + base64.urlsafe_b64encode(b"\x00" * 64).rstrip(b"="))
        # The same with x5c past the bound of 8 certificates, one certificate repeated.
        header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "x5c": [root] * 10}).encode()).rstrip(b"=")
        add("mds3-blob", header + b"." + body + b"." + base64.urlsafe_b64encode(b"\x00" * 64).rstrip(b"="))

    for target, items in sorted(seeds.items()):
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for data in items:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
