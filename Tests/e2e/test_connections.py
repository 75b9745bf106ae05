"""Connections that never finish a request are closed (issue 12).

The real `passkeys serve`, started with short timeouts on loopback, against raw
sockets: hundreds of half-sent heads and idle keep-alive connections, a body
that stops midway, the connection limits, and a graceful shutdown with all of
them open. No browser is needed.

The connections come from many loopback source addresses (127.0.0.2 to
127.0.0.51: Linux answers the whole 127/8 on `lo`), so the per-address limit
(128 by default) is not what closes them.
"""

import json
import re
import resource
import selectors
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
import urllib.request

import pytest

from conftest import BIN, ROOT, Server, free_port

HEADER, BODY, IDLE = 3.0, 3.0, 6.0  # the server's timeouts in these tests, seconds
SLACK = 1.5  # how late a close may be seen on a busy CI machine
EARLY = 0.3  # how early: the server's clock starts when it reads or writes, a little after ours


@pytest.fixture(autouse=True)
def enough_descriptors():
    """Hundreds of sockets: make sure this process (and the server it starts) may open them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def start(tmp_path, *args):
    return Server(tmp_path, extra_args=list(args))


def connect(port, source="127.0.0.1", timeout=5.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def request(path="/healthz", extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n".encode()


def read_response(sock):
    """One HTTP/1.1 response with a Content-Length: (status, head text, body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the connection closed before a whole head arrived: {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    text = head.decode("latin-1")
    length = int(re.search(r"(?im)^content-length:\s*(\d+)", text).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("the connection closed inside a body")
        body += chunk
    return int(text.split(" ", 2)[1]), text, body


def http_get(server, path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=timeout) as answer:
        return answer.status, answer.read().decode()


def wait_for_close(sockets, within):
    """Reads every socket until the server closes it: {socket: (time closed, bytes read)}."""
    selector = selectors.DefaultSelector()
    received = {sock: b"" for sock in sockets}
    closed = {}
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    deadline = time.monotonic() + within
    while len(closed) < len(sockets) and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            sock = key.fileobj
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                chunk = b""
            if chunk:
                received[sock] += chunk
                continue
            closed[sock] = (time.monotonic(), received[sock])
            selector.unregister(sock)
    selector.close()
    return closed


def metric(server, name):
    _, text = http_get(server, "/metrics")
    match = re.search(rf"(?m)^{re.escape(name)} (\S+)$", text)
    assert match, f"{name} is not in /metrics"
    return float(match.group(1))


def test_half_sent_heads_and_idle_connections_are_closed_in_time_while_others_are_served(tmp_path):
    server = start(tmp_path, "--header-timeout", str(HEADER), "--body-timeout", str(BODY),
                   "--idle-timeout", str(IDLE))
    sockets = []
    try:
        idle = {}
        for index in range(200):
            sock = connect(server.port, f"127.0.0.{2 + index % 50}")
            sock.sendall(request())
            status, head, _ = read_response(sock)
            assert status == 200 and "connection: close" not in head.lower()
            idle[sock] = time.monotonic()
            sockets.append(sock)
        half = {}
        for index in range(200):
            sock = connect(server.port, f"127.0.0.{2 + index % 50}")
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: loc")
            half[sock] = time.monotonic()
            sockets.append(sock)

        # With all 400 open, someone else is answered at once.
        started = time.monotonic()
        assert http_get(server, "/healthz", timeout=HEADER)[0] == 200
        assert time.monotonic() - started < 1.0

        # Closes are timed from here on; the first deadline must still be ahead.
        first_deadline = min(min(idle.values()) + IDLE, min(half.values()) + HEADER)
        assert time.monotonic() < first_deadline - 0.5, "opening the connections took longer than the timeouts"
        closed = wait_for_close(list(idle) + list(half), within=IDLE + SLACK + 2)
        assert len(closed) == 400, f"{400 - len(closed)} connections were still open after {IDLE + SLACK + 2} s"
        for sock, sent in half.items():
            at, data = closed[sock]
            assert HEADER - EARLY <= at - sent <= HEADER + SLACK, f"a half-sent head was closed after {at - sent:.2f} s"
            assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), data[:80]
            assert b'"code":"request_timeout"' in data
        for sock, answered in idle.items():
            at, data = closed[sock]
            assert IDLE - EARLY <= at - answered <= IDLE + SLACK, f"an idle connection was closed after {at - answered:.2f} s"
            assert data == b"", "an idle connection gets no answer, only a close"

        # Afterwards the server serves as before, and it counted what it did.
        assert http_get(server, "/healthz")[0] == 200
        assert metric(server, 'passkeys_connection_timeouts_total{timeout="header",outcome="408"}') == 200
        assert metric(server, 'passkeys_connection_timeouts_total{timeout="idle",outcome="closed"}') >= 200
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def table_counts(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def post_head(server, path, length, cookie=None):
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", f"Origin: {server.url}",
             "Content-Type: application/json", f"Content-Length: {length}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_body_that_stops_midway_gets_408_or_a_close_and_changes_nothing(tmp_path):
    server = start(tmp_path, "--body-timeout", str(BODY))
    database = tmp_path / "db.sqlite"
    try:
        # A sign-up whose options arrived: its ceremony is sealed in the cookie, and the finish
        # request would spend its mark in the store.
        body = b'{"username":"ada@example.com"}'
        with connect(server.port) as sock:
            sock.sendall(post_head(server, "/api/registration/options", len(body)) + body)
            status, head, _ = read_response(sock)
        assert status == 200, head
        ceremony_cookie = re.search(r"(?im)^set-cookie:\s*([^;]+)", head).group(1)
        # A new database's OpenID signing keys are made beside the server's start; asking for the
        # JWKS waits for them, so that nothing but the requests below could change the store.
        status, jwks = http_get(server, "/oauth2/jwks", timeout=10)
        assert status == 200 and len(json.loads(jwks)["keys"]) == 2, jwks
        before = table_counts(database)
        assert before["oauth_signing_keys"] == 2
        assert before["ceremonies"] == 0 and before["spent_ceremonies"] == 0 and before["users"] == 0

        cut = [
            # New options: would begin a ceremony.
            (post_head(server, "/api/registration/options", 60), b'{"username":"bob@'),
            # The finish: would spend the pending ceremony whatever its outcome.
            (post_head(server, "/api/registration", 400, ceremony_cookie), b'{"id":"AAAA","rawId":"AAAA","type":"pub'),
        ]
        for head_bytes, partial in cut:
            with connect(server.port, timeout=BODY + SLACK + 2) as sock:
                sock.sendall(head_bytes + partial)
                sent = time.monotonic()
                data = b""
                while True:
                    try:
                        chunk = sock.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    if not chunk:
                        break
                    data += chunk
                elapsed = time.monotonic() - sent
            assert BODY - EARLY <= elapsed <= BODY + SLACK, f"the cut body was ended after {elapsed:.2f} s"
            assert data == b"" or data.startswith(b"HTTP/1.1 408 "), data[:80]
            assert table_counts(database) == before, "a request whose body never arrived changed the store"

        # The check above can see a change: the same finish, sent whole, spends the ceremony.
        whole = b'{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}'
        with connect(server.port) as sock:
            sock.sendall(post_head(server, "/api/registration", len(whole), ceremony_cookie) + whole)
            status, _, _ = read_response(sock)
        assert status == 400
        assert table_counts(database)["spent_ceremonies"] == 1
        assert metric(server, 'passkeys_connection_timeouts_total{timeout="body",outcome="408"}') == 2
    finally:
        server.stop()


def closed_at_once(sock):
    """Whether the server closes this new connection without answering (within a second)."""
    sock.settimeout(1.0)
    try:
        sock.sendall(request())
        return sock.recv(65536) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_connections_over_the_limits_are_closed_at_once_and_logged_once(tmp_path):
    server = start(tmp_path, "--max-connections", "6", "--max-connections-per-address", "3")
    held = []
    try:
        for source in ("127.0.0.5", "127.0.0.5", "127.0.0.5"):
            sock = connect(server.port, source)
            sock.sendall(request())
            assert read_response(sock)[0] == 200
            held.append(sock)
        for _ in range(3):
            with connect(server.port, "127.0.0.5") as extra:
                assert closed_at_once(extra), "a fourth connection from one address was served"
        for source in ("127.0.0.6", "127.0.0.7", "127.0.0.8"):
            sock = connect(server.port, source)
            sock.sendall(request())
            assert read_response(sock)[0] == 200
            held.append(sock)
        with connect(server.port, "127.0.0.9") as extra:
            assert closed_at_once(extra), "a seventh connection was served"

        for sock in held:
            sock.close()
        held.clear()
        time.sleep(0.3)  # the server sees the closes
        assert metric(server, 'passkeys_connections_refused_total{limit="per_address"}') == 3
        assert metric(server, 'passkeys_connections_refused_total{limit="maximum"}') == 1
        assert server.log().count("refusing connections") == 1, "refusals are logged once a minute, not each"
    finally:
        for sock in held:
            sock.close()
        server.stop()


def test_graceful_shutdown_closes_waiting_connections_at_once_and_finishes_requests_in_flight(tmp_path):
    # Long timeouts: the shutdown, not a timeout, must end these connections.
    server = start(tmp_path, "--header-timeout", "60", "--body-timeout", "60", "--idle-timeout", "60")
    waiting = []
    try:
        for index in range(20):
            sock = connect(server.port, f"127.0.0.{2 + index % 10}")
            sock.sendall(request())
            assert read_response(sock)[0] == 200
            waiting.append(sock)
        for index in range(20):
            sock = connect(server.port, f"127.0.0.{2 + index % 10}")
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
            waiting.append(sock)
        body = b'{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}'
        in_flight = connect(server.port)
        in_flight.sendall(post_head(server, "/api/authentication", len(body)) + body[:10])
        time.sleep(0.3)  # the server has read the head

        server.process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        closed = wait_for_close(waiting, within=5)
        assert len(closed) == len(waiting), "waiting connections outlived the shutdown"
        assert all(at - stopped < 2.0 for at, _ in closed.values())

        in_flight.settimeout(5)
        in_flight.sendall(body[10:])
        status, _, answer = read_response(in_flight)
        assert status == 400 and b"ceremony_not_found" in answer, "the request in flight was not finished"
        assert in_flight.recv(65536) == b"", "after its answer the connection closes"
        in_flight.close()
        assert server.process.wait(timeout=10) == 0
    finally:
        for sock in waiting:
            sock.close()
        server.stop()


def chunked_head(server, path):
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", f"Origin: {server.url}",
             "Content-Type: application/json", "Transfer-Encoding: chunked"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_body_whose_http_framing_is_broken_gets_400_malformed_and_changes_nothing(tmp_path):
    server = start(tmp_path)
    try:
        broken = [
            b"ZZ\r\n{}\r\n0\r\n\r\n",  # a chunk size that is not hexadecimal
            b"FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",  # a chunk size past any integer
            b"1\r\n{X\r\n0\r\n\r\n",  # a chunk longer than its size said
        ]
        for path in ["/api/authentication/options", "/healthz"]:
            for body in broken:
                with connect(server.port) as sock:
                    sock.sendall(chunked_head(server, path) + body)
                    status, head, answer = read_response(sock)
                assert status == 400, (path, body, head)
                assert json.loads(answer)["error"]["code"] == "malformed", answer
        # A body the client stops sending (it closes its side) is no server error either.
        with connect(server.port) as sock:
            sock.sendall(post_head(server, "/api/authentication/options", 10) + b"{}")
            sock.shutdown(socket.SHUT_WR)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert not data.startswith(b"HTTP/1.1 5"), data[:80]
        # The OAuth endpoints answer in OAuth's format.
        with connect(server.port) as sock:
            sock.sendall(chunked_head(server, "/oauth2/token").replace(b"application/json", b"application/x-www-form-urlencoded")
                         + broken[0])
            status, head, answer = read_response(sock)
        assert status == 400 and json.loads(answer)["error"] == "invalid_request", answer
        _, text = http_get(server, "/metrics")
        assert re.search(r'(?m)^hb_requests\S*\{[^}]*"400"', text), "the 400s are counted"
        assert not re.search(r'(?m)^hb_requests\S*\{[^}]*"5\d\d"', text), "a 5xx was counted"
    finally:
        server.stop()


def read_until_closed(sock):
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def test_a_request_the_http_parser_refuses_gets_400_malformed_as_json_and_a_close(tmp_path):
    server = start(tmp_path)
    try:
        origin = f"Origin: {server.url}\r\n"
        unreadable = [
            b"POST /api/authentication/options HTTP/1.1\r\nHost: x\r\n" + origin.encode()
            + b"Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
            b"POST /api/authentication/options HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            b"POST /api/authentication/options HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            # CONNECT would make the connection a tunnel; the GET behind it must not be answered.
            b"CONNECT localhost:80 HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        ]
        for raw in unreadable:
            with connect(server.port, timeout=5) as sock:
                sock.sendall(raw)
                data = read_until_closed(sock)
            head, _, body = data.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 400 "), (raw, data[:200])
            assert b"connection: close" in head.lower() and b"x-request-id:" in head.lower(), head
            assert b"x-content-type-options: nosniff" in head.lower(), head
            assert json.loads(body)["error"]["code"] == "malformed", (raw, body)
            assert b"HTTP/1.1 200" not in data, "nothing after the refusal is answered"

        # A good request, then an unreadable one on the same connection: the first is answered in
        # full, then the refusal.
        with connect(server.port, timeout=5) as sock:
            sock.sendall(request() + b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n")
            data = read_until_closed(sock)
        assert data.startswith(b"HTTP/1.1 200 "), data[:200]
        assert data.count(b"HTTP/1.1 ") == 2, data
        refusal = data[data.index(b"HTTP/1.1 400 "):]
        assert json.loads(refusal.partition(b"\r\n\r\n")[2])["error"]["code"] == "malformed", refusal
        # The server still serves.
        assert http_get(server, "/healthz")[0] == 200
    finally:
        server.stop()


def test_a_request_that_does_not_keep_the_connection_gets_the_last_answer_and_a_close(tmp_path):
    """RFC 9112 §9.3 and §9.6 against the real server: HTTP/1.0 without keep-alive, and
    `Connection: close`, each get one answer that says so, then the close; a request sent behind
    them is not answered. HTTP/1.0 with keep-alive keeps the connection."""
    server = start(tmp_path)
    try:
        closing = [
            (b"GET /healthz HTTP/1.0\r\n\r\n", b"HTTP/1.0 200 "),
            (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"HTTP/1.1 200 "),
            (b"GET /healthz HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", b"HTTP/1.0 200 "),
        ]
        for raw, status in closing:
            with connect(server.port, timeout=5) as sock:
                sock.sendall(raw + request())
                started = time.monotonic()
                data = read_until_closed(sock)
            assert time.monotonic() - started < HEADER, "closed after the answer, not by a timeout"
            assert data.startswith(status), (raw, data[:200])
            assert data.count(b"HTTP/1.") == 1, ("the request behind it is not answered", data)
            assert b"\r\nconnection: close\r\n" in data.lower(), data[:400]

        with connect(server.port, timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, head, _ = read_response(sock)
            assert status == 200 and head.startswith("HTTP/1.0 200 "), head
            assert re.search(r"(?im)^connection: keep-alive$", head), head
            sock.sendall(request())
            status, head, _ = read_response(sock)
            assert status == 200 and head.startswith("HTTP/1.1 200 "), head
            assert not re.search(r"(?im)^connection:", head), head
    finally:
        server.stop()


def self_signed(directory):
    """A certificate for localhost and 127.0.0.1 and its key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_https_serves_large_answers_whole(tmp_path):
    # Under TLS the write timeout's progress is counted below the TLS handler, on the encrypted
    # bytes, which are written in 16 KB slices (ConnectionTimeoutTests has the timeouts themselves,
    # and where the handler sits): the client core's module (about 400 KB) arrives whole, again
    # and again on one server.
    cert, key = self_signed(tmp_path)
    port = free_port()
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", f"sqlite:{tmp_path / 'db.sqlite'}",
         "--rp-id", "localhost", "--tls-cert", str(cert), "--tls-key", str(key), "--rate-limit", "0",
         "--write-timeout", "1"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"https://localhost:{port}/healthz", timeout=2, context=context) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered over HTTPS"
                time.sleep(0.1)
        module = (ROOT / "Sources/PasskeyServer/Public/core.wasm").read_bytes()
        for _ in range(3):
            request = urllib.request.Request(f"https://localhost:{port}/core.wasm", headers={"Accept-Encoding": "identity"})
            with urllib.request.urlopen(request, timeout=10, context=context) as answer:
                assert answer.status == 200
                assert answer.read() == module
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
