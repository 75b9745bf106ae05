"""A browser and a software passkey for driving `passkeys serve` over HTTP from tests.

The passkey is a real one: a P-256 key pair (ES256), attestation "none", authenticator data built
as WebAuthn Level 3 §6.1 lays it out, assertions signed over authenticatorData ‖ SHA-256(clientDataJSON)
(§6.3.3). The browser keeps its cookies itself, so one ceremony can be begun at one server and
finished at another, as a load balancer would send it.
"""

import base64
import hashlib
import http.client
import json
import os
import struct
import urllib.parse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor(value) -> bytes:
    """Deterministic CBOR (RFC 8949 §4.2) for the few types a credential needs."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for size, code in ((1, 24), (2, 25), (4, 26), (8, 27)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | code]) + n.to_bytes(size, "big")
        raise ValueError("integer too large")

    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, dict):
        items = sorted((cbor(k), cbor(v)) for k, v in value.items())
        items.sort(key=lambda kv: (len(kv[0]), kv[0]))  # CTAP2 canonical: shorter keys first
        return head(5, len(items)) + b"".join(k + v for k, v in items)
    raise TypeError(f"cannot encode {type(value)}")


class Passkey:
    """One discoverable credential: its ID, key, user handle and signature counter."""

    def __init__(self, rp_id: str):
        self.rp_id = rp_id
        self.credential_id = os.urandom(16)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.user_handle = b""
        self.sign_count = 0

    def _authenticator_data(self, attested: bool) -> bytes:
        # UP (0x01) | UV (0x04), and AT (0x40) when credential data follows (§6.1).
        flags = 0x05 | (0x40 if attested else 0)
        data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.sign_count)
        if attested:
            numbers = self.key.public_key().public_numbers()
            cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
            data += bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + cbor(cose)
        return data

    def create(self, options: dict, origin: str) -> dict:
        """`navigator.credentials.create()` for these creation options."""
        public_key = options["publicKey"]
        assert public_key["rp"].get("id", self.rp_id) == self.rp_id
        self.user_handle = unb64u(public_key["user"]["id"])
        client_data = json.dumps(
            {"type": "webauthn.create", "challenge": public_key["challenge"], "origin": origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": self._authenticator_data(attested=True)})
        return {
            "id": b64u(self.credential_id),
            "rawId": b64u(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64u(client_data),
                "attestationObject": b64u(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def get(self, options: dict, origin: str) -> dict:
        """`navigator.credentials.get()` for these request options."""
        public_key = options["publicKey"]
        allowed = [unb64u(c["id"]) for c in public_key.get("allowCredentials", [])]
        assert not allowed or self.credential_id in allowed, "this passkey is not allowed"
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": public_key["challenge"], "origin": origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()
        self.sign_count += 1
        authenticator_data = self._authenticator_data(attested=False)
        signature = self.key.sign(authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64u(self.credential_id),
            "rawId": b64u(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64u(client_data),
                "authenticatorData": b64u(authenticator_data),
                "signature": b64u(signature),
                "userHandle": b64u(self.user_handle),
            },
        }


class Browser:
    """Cookies and an Origin, like a browser on `origin`; any server may be asked."""

    def __init__(self, origin: str):
        self.origin = origin
        self.cookies: dict[str, str] = {}

    def request(self, server: str, method: str, path: str, body=None, timeout: float = 10):
        """Returns (status, parsed JSON or None). Raises OSError when the server does not answer."""
        url = urllib.parse.urlsplit(server)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        headers = {"Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    self._store_cookie(value)
        finally:
            connection.close()
        parsed = json.loads(payload) if payload and payload[:1] in (b"{", b"[") else None
        return response.status, parsed

    def _store_cookie(self, header: str):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        attributes = rest.lower()
        if value == "" or "max-age=0" in attributes:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    def post(self, server: str, path: str, body=None, **kwargs):
        return self.request(server, "POST", path, {} if body is None else body, **kwargs)

    def get(self, server: str, path: str, **kwargs):
        return self.request(server, "GET", path, **kwargs)


def sign_up(browser: Browser, passkey: Passkey, username: str, begin_at: str, finish_at: str):
    """A whole sign-up: options from one server, the credential to another. Returns (status, body)."""
    status, options = browser.post(begin_at, "/api/registration/options", {"username": username})
    if status != 200:
        return status, options
    return browser.post(finish_at, "/api/registration", passkey.create(options, browser.origin))


def sign_in(browser: Browser, passkey: Passkey, begin_at: str, finish_at: str, username=None):
    """A whole sign-in. Returns (status, body)."""
    status, options = browser.post(begin_at, "/api/authentication/options", {"username": username} if username else {})
    if status != 200:
        return status, options
    return browser.post(finish_at, "/api/authentication", passkey.get(options, browser.origin))
