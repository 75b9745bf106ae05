"""Forward-auth behind Debian's nginx (issue 15): `auth_request` to
/api/forward-auth in front of a tiny upstream that echoes the headers it got.

nginx, the upstream and the server run on loopback on free ports, each started
here and stopped by its PID. The nginx configuration is the one in
docs/forward-auth.md, with ports filled in.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PLATFORM, WAIT, Browser, Server, free_port

NGINX = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"

# Answers every request with a JSON object of its path and the headers it received (names
# lower-cased, a list per name so a header sent twice shows twice), and logs the same line.
UPSTREAM = r"""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        seen = {}
        for name, value in self.headers.items():
            seen.setdefault(name.lower(), []).append(value)
        body = json.dumps({"path": self.path, "headers": seen}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"path": self.path, "headers": seen}) + "\n")

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
"""

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    # The browser's cookies without the server's session and forward-auth cookies, for the app.
    map $http_cookie $cookie_without_session {{
        default $http_cookie;
        "~^(?<before>.*?)(?:^|;\\s*)(?:__Host-|__Secure-)?passkeys_session=[^;]*(?<after>.*)$" "$before$after";
    }}
    map $cookie_without_session $cookie_for_app {{
        default $cookie_without_session;
        "~^(?<before>.*?)(?:^|;\\s*)(?:__Secure-)?passkeys_forward=[^;]*(?<after>.*)$" "$before$after";
    }}

    server {{
        listen 127.0.0.1:{port};

        # The check: the browser's request without its body, and where it was going.
        location = /internal/forward-auth {{
            internal;
            proxy_pass http://127.0.0.1:{passkeys}/api/forward-auth;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Uri $request_uri;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}

        location / {{
            auth_request /internal/forward-auth;
            auth_request_set $passkeys_user $upstream_http_remote_user;
            auth_request_set $passkeys_email $upstream_http_remote_email;
            auth_request_set $passkeys_name $upstream_http_remote_name;
            auth_request_set $passkeys_signin $upstream_http_location;
            error_page 401 =302 $passkeys_signin;

            # Set here, so whatever the browser sent under these names is replaced.
            proxy_set_header Remote-User $passkeys_user;
            proxy_set_header Remote-Email $passkeys_email;
            proxy_set_header Remote-Name $passkeys_name;
            proxy_set_header Cookie $cookie_for_app;
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, headers):
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=WAIT) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def wait_for_port(port, process, what, log):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}: {log()}")
        try:
            # A connection, not a request: the upstream must see only the test's requests.
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not listen on {port}: {log()}")


def stop(process):
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def proxied(tmp_path, mailbox):
    """The server (mailing to `mailbox`), an echoing upstream and nginx in front of it:
    (server, nginx URL, upstream log)."""
    if not Path(NGINX).exists():
        pytest.fail(f"no nginx at {NGINX} (.ci/e2e.sh installs Debian's nginx)")
    nginx_port, upstream_port = free_port(), free_port()
    server = Server(tmp_path, extra_args=[
        "--trusted-proxy", "127.0.0.1", "--allowed-redirect-host", f"localhost:{nginx_port}",
        "--smtp-url", f"smtp://127.0.0.1:{mailbox.port}", "--mail-from", "Passkeys <no-reply@localhost>"])
    upstream_log = tmp_path / "upstream.jsonl"
    upstream_log.touch()
    upstream = subprocess.Popen([sys.executable, "-c", UPSTREAM, str(upstream_port), str(upstream_log)],
                                stdin=subprocess.DEVNULL)
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    (nginx_dir / "nginx.conf").write_text(NGINX_CONF.format(
        dir=nginx_dir, port=nginx_port, passkeys=server.port, upstream=upstream_port))
    nginx = subprocess.Popen([NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(upstream_port, upstream, "the upstream", lambda: "")
        wait_for_port(nginx_port, nginx, "nginx",
                      lambda: (nginx_dir / "error.log").read_text(errors="replace")[-3000:]
                      if (nginx_dir / "error.log").exists() else "")
        yield server, f"http://localhost:{nginx_port}", upstream_log
    finally:
        stop(nginx)
        stop(upstream)
        server.stop()


def received(upstream_log):
    return [json.loads(line) for line in upstream_log.read_text().splitlines() if line]


def test_nginx_lets_only_signed_in_browsers_through_and_names_them(proxied, mailbox, request):
    server, app_url, upstream_log = proxied

    # Signed out: nginx sends the browser to the sign-in page with the URL it asked for, and the
    # app sees nothing, whatever the request claims.
    status, headers, _ = fetch(app_url + "/reports?year=2026", {"Remote-User": "mallory"})
    assert status == 302
    assert headers["Location"] == f"{server.url}/?next=" + urllib.parse.quote(app_url + "/reports?year=2026", safe="")
    assert received(upstream_log) == []

    # A person follows that link and signs up with a passkey. Until the address is confirmed the
    # app is not opened: the account page asks for the mailed code, then goes on to the app, named.
    browser = Browser(server, "browser", request.node.name.removeprefix("test_"))
    try:
        browser.add_authenticator(PLATFORM)
        browser.driver.get(app_url + "/reports?year=2026")
        browser.wait_ready()
        assert browser.driver.current_url.startswith(server.url + "/?next=")
        browser.type("#username", "ada@example.com")
        browser.click("#signup")
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(browser.driver, WAIT).until(
            lambda d: d.current_url.startswith(server.url + "/account?next="))
        assert received(upstream_log) == []
        browser.wait_for("#verify-email")
        browser.screenshot("confirm-before-the-app")
        browser.type("#verify-code", mailbox.code("ada@example.com", "Confirm"))
        browser.click("#verify-form button[type=submit]")
        WebDriverWait(browser.driver, WAIT).until(lambda d: d.current_url.startswith(app_url))
        browser.screenshot("back-in-the-app")
        assert browser.driver.current_url == app_url + "/reports?year=2026"
        seen = received(upstream_log)
        assert [entry["path"] for entry in seen if entry["path"] != "/favicon.ico"] == ["/reports?year=2026"]
        for entry in seen:
            assert entry["headers"]["remote-user"] == ["ada@example.com"]
            assert entry["headers"]["remote-email"] == ["ada@example.com"]
        session = browser.driver.get_cookie("passkeys_session")
        assert session is not None
        assert browser.page_errors() == []
    finally:
        browser.quit()

    # The app never saw the session's token: nginx passed on the browser's other cookies only.
    for entry in received(upstream_log):
        assert session["value"] not in json.dumps(entry), entry

    # A Remote-User header sent by the browser never reaches the app: nginx sets its own.
    status, _, body = fetch(app_url + "/reports", {
        "Cookie": f"theme=dark; passkeys_session={session['value']}; lang=en",
        "Remote-User": "mallory", "Remote-Email": "mallory@evil.example", "Remote-Name": "Mallory"})
    assert status == 200
    echoed = json.loads(body)["headers"]
    assert echoed["remote-user"] == ["ada@example.com"]
    assert "mallory" not in json.dumps(echoed).lower()
    assert echoed["cookie"] == ["theme=dark; lang=en"], echoed
    status, _, body = fetch(app_url + "/reports", {"Cookie": f"passkeys_session={session['value']}"})
    assert status == 200 and "cookie" not in json.loads(body)["headers"], body

    # Signed out again, the same cookie opens nothing.
    signed_out = fetch(server.url + "/api/session", {"Cookie": f"passkeys_session={session['value']}"})
    assert signed_out[0] == 200
    req = urllib.request.Request(server.url + "/api/session", method="DELETE", headers={
        "Cookie": f"passkeys_session={session['value']}", "Origin": server.url})
    with urllib.request.urlopen(req, timeout=WAIT) as answer:
        assert answer.status == 204
    count = len(received(upstream_log))
    status, _, _ = fetch(app_url + "/reports", {"Cookie": f"passkeys_session={session['value']}",
                                               "Remote-User": "ada@example.com"})
    assert status == 302
    assert len(received(upstream_log)) == count
