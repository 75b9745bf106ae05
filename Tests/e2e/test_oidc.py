"""The OpenID Provider driven by authlib, an OIDC client library someone else wrote,
through Chromium with the virtual authenticator (docs/oidc.md)."""

import html
import json
import os
import secrets
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BIN, WAIT, free_port, import_password_account, json_body, password_sign_in_elsewhere

# The test server and the application both run on loopback over plain HTTP.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"


class Callback:
    """The application's redirect URI: a loopback page that only says it was reached."""

    def __init__(self):
        callback = self
        self.form_page = None  # what /form answers: a page of the app's own, set by a test
        self.callback_script = None  # when set, the redirect URI's page runs it

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                if self.path == "/form" and callback.form_page:
                    self.wfile.write(callback.form_page.encode())
                elif self.path.startswith("/cb") and callback.callback_script:
                    self.wfile.write(f"<!doctype html><title>callback</title><script>{callback.callback_script}</script>".encode())
                else:
                    self.wfile.write(b"<!doctype html><title>app</title><p>back at the app</p>")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        self.redirect_uri = f"http://127.0.0.1:{self.port}/cb"
        self.logout_uri = f"http://127.0.0.1:{self.port}/bye"
        self.form_uri = f"http://127.0.0.1:{self.port}/form"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app():
    callback = Callback()
    yield callback
    callback.stop()


def register(server, app, *options):
    """`passkeys clients add --json` against the running server's database."""
    answer = subprocess.run(
        [str(BIN), "clients", "add", "--database", server.database, "--name", "Example App",
         "--redirect-uri", app.redirect_uri, "--post-logout-redirect-uri", app.logout_uri, "--json", *options],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def discovery(server):
    return requests.get(server.url + "/.well-known/openid-configuration", timeout=10).json()


def come_back(browser, app):
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.current_url.startswith(app.redirect_uri))
    return browser.driver.current_url


def verify_id_token(server, meta, client_id, token, nonce=None):
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    params = {"client_id": client_id, "access_token": token["access_token"]}
    if nonce:
        params["nonce"] = nonce
    claims = jwt.decode(token["id_token"], keys, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
                        claims_params=params)
    claims.validate()
    return claims


def test_a_confidential_app_signs_a_new_person_in_with_consent_and_refreshes_revokes_and_logs_out(browser, server, app):
    meta = discovery(server)
    assert meta["issuer"] == server.url
    client = register(server, app)
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid profile email offline_access",
                            redirect_uri=app.redirect_uri)
    nonce = secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], nonce=nonce,
                                                  login_hint="ada@example.com")

    # Signed out: the sign-in page first (the login hint fills the username), then back to the
    # authorization.
    browser.driver.get(url)
    browser.wait_ready()
    assert browser.path.startswith("/?next=")
    WebDriverWait(browser.driver, WAIT).until(
        lambda d: browser.find("#username").get_attribute("value") == "ada@example.com")
    browser.click("#signup")
    browser.wait_for('button[name="decision"][value="allow"]')
    assert "Example App" in browser.find("#client-name").text
    assert "email address" in browser.find("#consent-scopes").text.lower()
    browser.screenshot("consent")
    browser.click('button[name="decision"][value="allow"]')
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))

    claims = verify_id_token(server, meta, client["client_id"], token, nonce)
    assert claims["sub"] != "ada@example.com"
    assert claims["amr"] == ["hwk", "user"]
    assert "auth_time" in claims
    info = session.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["email"] == "ada@example.com"
    assert info["email_verified"] is False

    old_refresh = token["refresh_token"]
    refreshed = session.refresh_token(meta["token_endpoint"])
    assert refreshed["refresh_token"] != old_refresh
    refreshed_claims = verify_id_token(server, meta, client["client_id"], refreshed)
    assert refreshed_claims["auth_time"] == claims["auth_time"]

    revoked = session.revoke_token(meta["revocation_endpoint"], token=refreshed["refresh_token"],
                                   token_type_hint="refresh_token")
    assert revoked.status_code == 200
    gone = requests.get(meta["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    assert gone.status_code == 401

    # A second authorization remembers the consent.
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce=secrets.token_urlsafe(16))
    browser.driver.get(url)
    assert "code=" in come_back(browser, app)

    browser.driver.get(meta["end_session_endpoint"] + "?" + requests.compat.urlencode({
        "id_token_hint": refreshed["id_token"], "post_logout_redirect_uri": app.logout_uri, "state": "bye"}))
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.current_url.startswith(app.logout_uri))
    assert parse_qs(urlparse(browser.driver.current_url).query)["state"] == ["bye"]
    browser.open("/account")
    assert browser.session_status() == 401


def test_an_app_on_another_site_posting_its_logout_form_signs_the_person_out(browser, server, app):
    # The app (127.0.0.1) and the server (localhost) are different sites, so the browser leaves
    # the SameSite=Lax session cookie off the form's POST; the server turns it into a GET, which
    # carries the cookie, and only then says the person is signed out.
    meta = discovery(server)
    client = register(server, app, "--trusted")
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid", redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="n")
    browser.driver.get(url)
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))
    fields = {"id_token_hint": token["id_token"], "post_logout_redirect_uri": app.logout_uri, "state": "posted"}
    inputs = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">' for name, value in fields.items())
    app.form_page = (f'<!doctype html><title>app</title><form method="post" action="{meta["end_session_endpoint"]}">'
                     f'{inputs}</form><script>document.forms[0].submit()</script>')
    browser.driver.get(app.form_uri)
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.current_url.startswith(app.logout_uri))
    assert parse_qs(urlparse(browser.driver.current_url).query)["state"] == ["posted"]
    browser.open("/account")
    assert browser.session_status() == 401


def test_an_app_signs_in_through_a_popup_and_its_callback_hands_the_code_to_the_opener(browser, server, app):
    # oidc-client-ts's signinPopup: the app opens the authorization request in a popup; the
    # callback page in the popup posts its URL to window.opener. The popup's pages on the server
    # must not cut it from its opener (Cross-Origin-Opener-Policy).
    meta = discovery(server)
    client = register(server, app, "--trusted")
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid", redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="popup")
    app.callback_script = "window.opener && window.opener.postMessage(location.href, '*'); window.close();"
    app.form_page = ('<!doctype html><title>app</title><button id="open">Sign in</button><script>'
                     'addEventListener("message", (e) => { document.title = "got " + e.data; });'
                     f'document.getElementById("open").onclick = () => window.open({json.dumps(url)}, "signin", "popup");'
                     '</script>')
    browser.driver.get(app.form_uri)
    browser.driver.find_element("css selector", "#open").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.title.startswith("got "))
    handed = browser.driver.title[len("got "):]
    assert handed.startswith(app.redirect_uri) and "code=" in handed


def test_a_public_app_uses_pkce_without_a_secret(browser, server, app):
    meta = discovery(server)
    client = register(server, app, "--public")
    assert "client_secret" not in client
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], scope="openid profile", redirect_uri=app.redirect_uri,
                            token_endpoint_auth_method="none", code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                              nonce="public-nonce")
    browser.driver.get(url)
    browser.click('button[name="decision"][value="allow"]')
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app),
                                code_verifier=verifier)
    claims = verify_id_token(server, meta, client["client_id"], token, "public-nonce")
    assert claims["preferred_username"] == "ada@example.com"


def test_an_es256_app_gets_es256_id_tokens_and_a_denied_consent_is_access_denied(browser, server, app):
    meta = discovery(server)
    client = register(server, app, "--id-token-alg", "ES256")
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid",
                            redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="n1")
    browser.driver.get(url)
    browser.click('button[name="decision"][value="deny"]')
    assert parse_qs(urlparse(come_back(browser, app)).query)["error"] == ["access_denied"]

    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="n2")
    browser.driver.get(url)
    browser.click('button[name="decision"][value="allow"]')
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))
    header = jwt.decode(token["id_token"], JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())).header
    assert header["alg"] == "ES256"
    verify_id_token(server, meta, client["client_id"], token, "n2")


def test_a_consent_page_left_open_on_one_account_asks_again_for_the_account_signed_in_since(browser, server, app, tmp_path):
    # The decision names the account the page shows (Passkeys-User): once this browser signed in
    # to another account in another window, the server refuses it (409 session_changed), nothing
    # is allowed, and the page asks again for the account signed in now, and says why.
    meta = discovery(server)
    client = register(server, app)
    import_password_account(server, tmp_path, "grace@example.com")
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid email",
                            redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="n")
    browser.driver.get(url)
    browser.wait_for_text("#consent-username", "ada@example.com")
    assert password_sign_in_elsewhere(browser, "grace@example.com") == 200
    browser.click('button[name="decision"][value="allow"]')
    browser.wait_for_text("#consent-username", "grace@example.com")
    assert "another account" in browser.find("#status").text
    assert browser.path.startswith("/consent.html?")
    status, apps = json_body(browser.fetch("GET", "/api/oidc/apps"))
    assert status == 200 and apps["apps"] == [], "nothing was allowed for the account signed in since"
    # Allowed now, for the account the page shows.
    browser.click('button[name="decision"][value="allow"]')
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))
    assert session.get(meta["userinfo_endpoint"]).json()["email"] == "grace@example.com"
    assert token["id_token"]


def test_the_account_page_lists_an_allowed_app_and_removes_its_access(browser, server, app):
    meta = discovery(server)
    client = register(server, app)
    browser.sign_up("ada@example.com")
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid offline_access",
                            redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="n")
    browser.driver.get(url)
    browser.click('button[name="decision"][value="allow"]')
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))

    browser.open("/account")
    browser.wait_for_text("#apps", "Example App")
    browser.screenshot("apps")
    browser.click("#apps .remove-access")
    browser.wait_for("#apps-empty")
    gone = requests.get(meta["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert gone.status_code == 401


def test_prompt_login_asks_a_signed_in_person_for_a_passkey_again_without_signing_them_out_first(browser, server, app):
    meta = discovery(server)
    client = register(server, app, "--trusted")
    browser.sign_up("ada@example.com")
    time.sleep(1.1)  # so that a new sign-in's auth_time is a later second than the sign-up's
    before = int(time.time())
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid",
                            redirect_uri=app.redirect_uri)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], nonce="again", prompt="login")

    # Signed in, and still the sign-in form: the page asks for a passkey, and the session the
    # browser had is left as it was until that sign-in (a link can carry prompt=login).
    browser.driver.get(url)
    browser.wait_ready()
    assert browser.path.startswith("/?next=") and "reauthenticate=1" in browser.path
    browser.wait_for_autofill()
    assert browser.session_status() == 200
    browser.pick_passkey()
    token = session.fetch_token(meta["token_endpoint"], authorization_response=come_back(browser, app))
    claims = verify_id_token(server, meta, client["client_id"], token, "again")
    assert claims["auth_time"] >= before
