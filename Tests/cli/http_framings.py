"""A stand-in server for `passkeys bench http`'s own HTTP/1.1 client: it answers every POST with
403 and the error code `framing_MODE`, framed as MODE says, and counts the connections it
accepted in STATS (one line per connection). Usage: http_framings.py PORT MODE STATS

Modes: length (Content-Length, kept alive), chunked (chunks with an extension and a trailer),
eof (no length: the body ends with the connection), split (head and body in separate writes),
silent-close (Content-Length, then the connection is closed without a word, so the client must
open a new one for its next request)."""
import json
import socket
import sys
import threading
import time

port, mode, stats = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = json.dumps({"error": {"code": "framing_" + mode.replace("-", "_"), "message": "a test answer"}}).encode()


def read_request(conn, pending):
    while b"\r\n\r\n" not in pending:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        pending += chunk
    head, rest = pending.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return head, rest[length:]


def serve(conn):
    pending = b""
    with conn:
        while True:
            head, pending = read_request(conn, pending)
            if head is None:
                return
            status = b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
            if mode == "chunked":
                half = len(body) // 2
                conn.sendall(status + b"Transfer-Encoding: chunked\r\n\r\n"
                             + b"%x;note=1\r\n" % half + body[:half] + b"\r\n"
                             + b"%X\r\n" % (len(body) - half) + body[half:] + b"\r\n"
                             + b"0\r\nX-Trailer: yes\r\n\r\n")
            elif mode == "eof":
                conn.sendall(status + b"Connection: close\r\n\r\n" + body)
                return
            elif mode == "split":
                conn.sendall(status + b"Content-Length: %d\r\n" % len(body))
                time.sleep(0.02)
                conn.sendall(b"\r\n" + body[:5])
                time.sleep(0.02)
                conn.sendall(body[5:])
            else:
                conn.sendall(status + b"Content-Length: %d\r\n\r\n" % len(body) + body)
                if mode == "silent-close":
                    time.sleep(0.05)
                    return


listener = socket.create_server(("127.0.0.1", port))
while True:
    connection, _ = listener.accept()
    with open(stats, "a") as file:
        file.write("connection\n")
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
