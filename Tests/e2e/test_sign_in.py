"""Signing up and signing in on the sign-in page (index.html)."""

import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PLATFORM, ROAMING_KEY, SECURITY_KEY, WAIT, WITHOUT_JSON_HELPERS, b64url, json_body


def test_sign_up_creates_an_account_with_a_passkey_and_opens_the_account_page(browser):
    browser.open("/")
    browser.wait_for_autofill()
    browser.screenshot("sign-in-page")
    browser.type("#username", "ada@example.com")
    browser.click("#signup")
    browser.wait_for_path("/account")

    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert status == 200
    assert session["user"]["username"] == "ada@example.com"
    [item] = browser.wait_for_passkey_count(1)
    assert "This device only" in item.text or "Synced" in item.text
    assert "Last used" in item.text
    [credential] = browser.credentials(browser.authenticator)
    assert credential["isResidentCredential"]
    assert b64url(credential["userHandle"]) == session["user"]["id"]
    assert item.get_attribute("data-id") == b64url(credential["credentialId"])
    browser.screenshot("account-after-sign-up")


def test_signing_out_ends_the_session_and_autofill_waits_for_a_pick(browser):
    browser.sign_up("ada@example.com")
    browser.sign_out()

    assert browser.session_status() == 401
    time.sleep(1)  # autofill is pending, and nobody picked a passkey
    assert browser.path == "/"
    browser.screenshot("signed-out-autofill-waiting")


def test_sign_in_button_signs_in_with_a_discoverable_passkey(browser):
    browser.sign_up("ada@example.com")
    browser.sign_out()

    browser.click("#signin")
    browser.wait_for_path("/account")
    assert browser.session_status() == 200
    browser.wait_for_text("#username", "ada@example.com")
    browser.screenshot("account-after-button-sign-in")


def test_choosing_a_passkey_from_autofill_signs_in(browser):
    browser.sign_up("ada@example.com")
    browser.sign_out()
    browser.find("#username").click()
    browser.screenshot("autofill-offered")

    browser.pick_passkey()
    browser.wait_for_path("/account")
    assert browser.session_status() == 200
    [item] = browser.wait_for_passkey_count(1)
    assert "Never" not in item.find_element("css selector", ".last-used").text
    browser.screenshot("account-after-autofill-sign-in")


# Holds the page's first passkey options request before it reaches the server, once the test asks
# for it (localStorage.holdOptions), until the test lets it go (window.__releaseOptions()).
HOLD_FIRST_OPTIONS = """
(() => {
  const send = window.fetch.bind(window);
  window.__optionsRequests = 0;
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.endsWith('/api/authentication/options')) return send(input, init);
    window.__optionsRequests += 1;
    if (localStorage.getItem('holdOptions') !== '1') return send(input, init);
    localStorage.removeItem('holdOptions');
    return new Promise((resolve, reject) => {
      window.__releaseOptions = () => send(input, init).then(resolve, reject);
    });
  };
})();
"""


def test_signing_in_while_autofills_options_are_on_their_way_waits_for_them(browsers):
    # The server keeps one ceremony per browser, in a cookie. Autofill's options request, sent as
    # the page opens, is held before it reaches the server while the person clicks "Sign in with a
    # passkey". Had the page asked for the person's options at once, autofill's answer, arriving
    # last, would take the cookie, and the person's sign-in would fail.
    browser = browsers("browser", extra_script=HOLD_FIRST_OPTIONS)
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.sign_up("ada@example.com")
    browser.driver.execute_script("localStorage.setItem('holdOptions', '1')")
    browser.sign_out(autofill=False)
    WebDriverWait(browser.driver, WAIT).until(
        lambda d: d.execute_script("return typeof window.__releaseOptions") == "function")

    browser.click("#signin")
    time.sleep(0.5)
    assert browser.path == "/", "the person's sign-in waited for autofill's options"
    assert browser.driver.execute_script("return window.__optionsRequests") == 1, "the person's options waited"
    browser.screenshot("sign-in-waiting-for-autofills-options")
    browser.driver.execute_script("window.__releaseOptions()")
    browser.wait_for_path("/account")
    assert browser.session_status() == 200


def test_a_typed_username_lets_a_passkey_that_is_not_discoverable_sign_in(browsers):
    # The server asks for a discoverable credential (residentKey "required"), so
    # a security key without resident keys cannot register through the page:
    # Chromium refuses such an authenticator for that request.
    # So the passkey is registered through the page on a USB key that can keep
    # discoverable credentials, then moved, same id and private key, onto a USB
    # key that keeps none (WebAuthn.addCredential with isResidentCredential
    # false), and the first key is removed. Both are USB, so the transports the
    # server lists in allowCredentials still name the key that holds it. The
    # browser can use the passkey only when the server names it.
    browser = browsers("security-key")
    first_key = browser.add_authenticator(ROAMING_KEY)
    browser.sign_up("ada@example.com")
    # Chromium offers passkey autofill only with a platform authenticator present.
    browser.sign_out(autofill=False)
    [credential] = browser.credentials(first_key)
    browser.remove_authenticator(first_key)
    key = browser.add_authenticator(SECURITY_KEY)
    browser.add_credential(key, {
        "credentialId": credential["credentialId"], "isResidentCredential": False,
        "rpId": credential["rpId"], "privateKey": credential["privateKey"],
        "signCount": credential["signCount"],
    })
    [moved] = browser.credentials(key)
    assert not moved["isResidentCredential"]

    browser.click("#signin")  # no username: only discoverable passkeys can answer
    browser.wait_for_text("#signin-error", "no passkey for this site")
    assert browser.path == "/"
    assert browser.session_status() == 401
    browser.screenshot("no-discoverable-passkey")

    browser.type("#username", "ada@example.com")
    browser.click("#signin")
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", "ada@example.com")
    browser.screenshot("account-after-security-key-sign-in")


def test_a_browser_without_a_passkey_cannot_sign_in(browser, browsers):
    browser.sign_up("ada@example.com")

    stranger = browsers("stranger")
    stranger.authenticator = stranger.add_authenticator(PLATFORM)
    stranger.open("/")
    stranger.pick_passkey()  # autofill has nothing to offer
    stranger.click("#signin")
    stranger.wait_for_text("#signin-error", "no passkey for this site")
    assert stranger.path == "/"
    stranger.wait_until_buttons_enabled()
    assert stranger.driver.switch_to.active_element.get_attribute("id") == "signin"
    stranger.screenshot("no-passkey-on-this-device")

    stranger.type("#username", "ada@example.com")
    stranger.click("#signin")
    stranger.wait_until_buttons_enabled()
    stranger.wait_for_text("#signin-error", "no passkey for this site")
    assert stranger.path == "/"
    assert stranger.session_status() == 401
    stranger.open("/account")
    stranger.wait_for_path("/?next=/account")
    stranger.screenshot("account-page-sends-back-to-sign-in")


def test_an_email_that_has_an_account_cannot_sign_up_again(browser, browsers):
    browser.sign_up("ada@example.com")

    other = browsers("other")
    other.authenticator = other.add_authenticator(PLATFORM)
    other.open("/")
    other.type("#username", "ada@example.com")
    other.click("#signup")
    other.wait_for_text("#username-error", "already exists")
    assert other.find("#username").get_attribute("aria-invalid") == "true"
    other.wait_until_buttons_enabled()
    assert other.driver.switch_to.active_element.get_attribute("id") == "username"
    assert other.credentials(other.authenticator) == []
    assert other.path == "/"
    other.screenshot("account-exists")


def test_create_account_asks_for_an_email_first(browser):
    browser.open("/")
    browser.click("#signup")
    browser.wait_for_text("#username-error", "type your email")
    browser.type("#username", "not an email")
    browser.click("#signup")
    browser.wait_for_text("#username-error", "valid email")
    assert browser.credentials(browser.authenticator) == []
    browser.screenshot("email-needed")


@pytest.mark.parametrize("next_value, lands_on", [
    ("/.well-known/passkey-endpoints", "/.well-known/passkey-endpoints"),
    ("//evil.example", "/account"),
    ("/\\evil.example", "/account"),
    # An absolute URL is the server's to judge (/continue): this host is not allowed, so a 400 page.
    ("https://evil.example/", "/continue?next=https%3A%2F%2Fevil.example%2F"),
    ("/%09/evil.example", "/account"),
    ("/..//evil.example/x", "/account"),
    ("/.//evil.example/x", "/account"),
    ("/%2e%2e//evil.example/x", "/account"),
    ("/%2E//evil.example/x", "/account"),
    ("/a/../..//evil.example/x", "/account"),
    ("/%252e%252e//evil.example/x", "/account"),
    ("/./%5C/evil.example/x", "/account"),
    ("/account/../.well-known/passkey-endpoints", "/.well-known/passkey-endpoints"),
], ids=["same-site-path", "protocol-relative", "backslash", "absolute-url", "tab-trick",
        "dot-dot-slash-slash", "dot-slash-slash", "encoded-dot-dot", "encoded-dot-upper-case",
        "dot-dot-past-the-root", "double-encoded-dot-dot", "encoded-backslash", "dot-dot-within-the-site"])
def test_after_sign_in_next_is_followed_only_to_a_path_on_this_site(browser, next_value, lands_on):
    browser.sign_up("ada@example.com")
    browser.sign_out()
    browser.open(f"/?next={next_value}")
    browser.click("#signin")
    browser.wait_for_path(lands_on)
    assert browser.driver.current_url.startswith(browser.server.url + "/")


@pytest.mark.parametrize("next_value", [
    "/..//evil.example/x", "/.//evil.example/x", "/%2e%2e//evil.example/x", "/%2E//evil.example/x",
    "/a/../..//evil.example/x",
], ids=["dot-dot-slash-slash", "dot-slash-slash", "encoded-dot-dot", "encoded-dot-upper-case",
        "dot-dot-past-the-root"])
def test_after_sign_up_next_never_leaves_the_site(browser, next_value):
    browser.open(f"/?next={next_value}")
    browser.type("#username", "ada@example.com")
    browser.click("#signup")
    browser.wait_for_path("/account")
    assert browser.driver.current_url.startswith(browser.server.url + "/")


def test_a_signed_in_visitor_of_the_sign_in_page_goes_to_the_account_page(browser):
    browser.sign_up("ada@example.com")
    browser.open("/")
    browser.wait_for_path("/account")


def test_sign_up_and_sign_in_work_without_the_browsers_json_helpers(browsers):
    # Browsers without parseCreationOptionsFromJSON / toJSON get the pages' own
    # base64url conversion.
    browser = browsers("no-json-helpers", extra_script=WITHOUT_JSON_HELPERS)
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.open("/")
    assert browser.driver.execute_script(
        "return typeof PublicKeyCredential.parseRequestOptionsFromJSON") == "undefined"
    browser.sign_up("ada@example.com")
    browser.sign_out()
    browser.click("#signin")
    browser.wait_for_path("/account")
    browser.wait_for_passkey_count(1)


def test_signing_in_brings_the_provider_in_step_with_the_account(browser):
    browser.sign_up("ada@example.com")
    [passkey] = browser.credentials(browser.authenticator)
    # The display name changes elsewhere, so this provider has not heard of it.
    browser.driver.execute_async_script(
        """fetch('/api/account', {method: 'PATCH', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json'},
             body: JSON.stringify({displayName: 'Ada Lovelace'})}).then(() => arguments[0]());""")
    # A security key holds a passkey for this account that the server no longer does
    # (deleted while the key was elsewhere).
    key = browser.add_authenticator(ROAMING_KEY)
    browser.add_credential(key, dict(passkey, credentialId="c3RhbGUtcGFzc2tleS0xMjM0NTY3ODkw", signCount=0))
    browser.sign_out()

    browser.type("#username", "ada@example.com")  # the server names the passkey it holds
    browser.click("#signin")
    browser.wait_for_path("/account")
    WebDriverWait(browser.driver, WAIT).until(
        lambda _: browser.credentials(key) == [], "the key still holds the stale passkey")
    WebDriverWait(browser.driver, WAIT).until(
        lambda _: browser.credentials(browser.authenticator)[0]["userDisplayName"] == "Ada Lovelace",
        "the provider still shows the old display name")
    [kept] = browser.credentials(browser.authenticator)
    assert kept["credentialId"] == passkey["credentialId"]


def test_buttons_are_disabled_while_a_passkey_is_being_created(browser):
    # Without presence simulation the authenticator waits for a touch that never comes.
    browser.cdp("WebAuthn.setAutomaticPresenceSimulation",
                {"authenticatorId": browser.authenticator, "enabled": False})
    browser.open("/")
    browser.type("#username", "ada@example.com")
    browser.click("#signup")
    browser.wait_for_text("#status", "Waiting for your passkey")
    assert not browser.find("#signin").is_enabled()
    assert not browser.find("#signup").is_enabled()
    assert browser.find("#signin-form").get_attribute("aria-busy") == "true"
    browser.screenshot("waiting-for-passkey")


def test_a_server_that_cannot_be_reached_is_reported(browser, server):
    browser.open("/")
    browser.wait_for_autofill()
    server.stop()
    browser.type("#username", "ada@example.com")
    browser.click("#signup")
    browser.wait_for_text("#signup-error", "reach the server")
    browser.wait_until_buttons_enabled()
    browser.screenshot("server-unreachable")
    browser.driver.get_log("browser")  # the refused connections are expected here


def test_a_password_typed_before_the_page_script_runs_never_lands_in_the_url(browser):
    # The sign-in page's script blocked (a slow first load, a script blocker): pressing Enter in
    # the form submits it as the browser does by itself, which must not put the password in the URL.
    browser.driver.execute_cdp_cmd("Network.enable", {})
    browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/js/signin.js"]})
    try:
        browser.driver.get(browser.server.url + "/?next=/account")
        browser.wait_ready()
        browser.find("#username").send_keys("grace@example.com")
        field = browser.find("#password")
        field.send_keys("correct horse")
        field.submit()
        WebDriverWait(browser.driver, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        assert "correct" not in browser.driver.current_url
        assert "password" not in browser.driver.current_url
    finally:
        browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
