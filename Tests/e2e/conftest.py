"""Browser tests for the web app: the real `passkeys serve` and Debian's Chromium.

Each test gets a fresh server (free port, its own SQLite file) and one or more
fresh Chromium profiles driven by Selenium, each with a DevTools (CDP) virtual
authenticator standing in for the person's passkey provider.

Environment: PASSKEYS_BIN (the server binary, default .build/debug/passkeys),
PASSKEYS_SCREENSHOTS (where each page state is saved as a PNG), CHROMIUM and
CHROMEDRIVER (default Debian's /usr/bin/chromium and /usr/bin/chromedriver).

Holding passkey autofill
------------------------
The sign-in page starts a conditional (autofill) `navigator.credentials.get`
as it loads. Chromium with its UI off answers that request at once from the
virtual authenticator when a matching discoverable credential exists: a page
that starts autofill would sign itself straight back in (seen with Chromium
156: after signing out, the page was back on /account within a second).
Turning `automaticPresenceSimulation` off is no way to hold it either: the
request then waits for a touch that the DevTools protocol cannot give later.

So before any page script runs (`Page.addScriptToEvaluateOnNewDocument`), each
browser wraps `navigator.credentials.get`: a request with `mediation:
'conditional'` waits until the test calls `window.__pickPasskey()`, the moment
a person would pick a passkey from the field's suggestions, and only then goes
to the real `get`, so the real browser and virtual authenticator answer it. The
wait honours the request's AbortSignal as a browser does, so the page can still
abort autofill to start a modal request. Modal requests are not touched.
"""

import base64
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("PASSKEYS_BIN") or ROOT / ".build" / "debug" / "passkeys")
SCREENSHOTS = Path(os.environ.get("PASSKEYS_SCREENSHOTS") or ROOT / ".ci" / "artifacts" / "screenshots")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

WAIT = 15  # seconds for anything the page does

HOLD_AUTOFILL = r"""
(() => {
  const credentials = navigator.credentials;
  const realGet = credentials.get.bind(credentials);
  let waiting = [];
  window.__autofillPending = () => waiting.length;
  window.__pickPasskey = () => {
    const picked = waiting;
    waiting = [];
    picked.forEach((go) => go());
    return picked.length;
  };
  credentials.get = (options) => {
    if (!options || options.mediation !== 'conditional') return realGet(options);
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', abort);
        realGet(options).then(resolve, reject);
      };
      const abort = () => {
        waiting = waiting.filter((entry) => entry !== go);
        reject(signal.reason ?? new DOMException('The request was aborted.', 'AbortError'));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      waiting.push(go);
    });
  };
})();
"""

# Removes the browser's WebAuthn JSON helpers so the pages' own base64url code runs.
WITHOUT_JSON_HELPERS = r"""
delete PublicKeyCredential.parseCreationOptionsFromJSON;
delete PublicKeyCredential.parseRequestOptionsFromJSON;
delete PublicKeyCredential.prototype.toJSON;
"""

PLATFORM = {  # a phone's or laptop's built-in passkey provider
    "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
    "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
}
ROAMING_KEY = {  # a USB security key that can keep discoverable credentials
    "protocol": "ctap2", "transport": "usb", "hasResidentKey": True,
    "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
}
SECURITY_KEY = {  # a USB security key that keeps no discoverable credentials
    "protocol": "ctap2", "transport": "usb", "hasResidentKey": False,
    "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
}


def b64url(standard_b64: str) -> str:
    """CDP speaks standard base64; the API and the pages speak base64url."""
    return base64.urlsafe_b64encode(base64.b64decode(standard_b64)).rstrip(b"=").decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, directory: Path, extra_args=()):
        if not BIN.exists():
            pytest.fail(f"no server binary at {BIN} (build it: swift build --product passkeys)")
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.log_path = directory / "server.log"
        self.database = f"sqlite:{directory / 'db.sqlite'}"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(BIN), "serve",
             "--host", "127.0.0.1", "--port", str(self.port),
             "--database", self.database,
             "--rp-id", "localhost", "--origin", self.url,
             "--rate-limit", "0", *extra_args],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not answer /healthz within 60 s:\n{self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Browser:
    """One Chromium profile: a person's browser with its own passkey provider."""

    def __init__(self, server: Server, label: str, test_name: str, hold_autofill=True, extra_script=None,
                 language="en-US"):
        self.server = server
        self.label = label
        self.test_name = test_name
        self.shots = 0
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1280,900", f"--lang={language}", "--no-first-run"):
            options.add_argument(argument)
        # The browser's languages: navigator.languages and the Accept-Language header.
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        self.driver.set_script_timeout(WAIT)
        if hold_autofill:
            self.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": HOLD_AUTOFILL})
        if extra_script:
            self.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": extra_script})
        self.cdp("WebAuthn.enable", {"enableUI": False})
        self.console = []

    # DevTools and the virtual authenticator

    def cdp(self, command, params=None):
        return self.driver.execute_cdp_cmd(command, params or {})

    def add_authenticator(self, options=None) -> str:
        return self.cdp("WebAuthn.addVirtualAuthenticator", {"options": options or PLATFORM})["authenticatorId"]

    def remove_authenticator(self, authenticator: str):
        self.cdp("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})

    def credentials(self, authenticator: str) -> list:
        return self.cdp("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]

    def credential_ids(self, authenticator: str) -> set:
        return {b64url(c["credentialId"]) for c in self.credentials(authenticator)}

    def add_credential(self, authenticator: str, credential: dict):
        self.cdp("WebAuthn.addCredential", {"authenticatorId": authenticator, "credential": credential})

    def remove_credential(self, authenticator: str, credential_id_b64: str):
        self.cdp("WebAuthn.removeCredential",
                 {"authenticatorId": authenticator, "credentialId": credential_id_b64})

    # Pages

    def open(self, path="/"):
        self.driver.get(self.server.url + path)
        self.wait_ready()

    def wait_ready(self):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    @property
    def path(self) -> str:
        return self.driver.execute_script("return location.pathname + location.search")

    def wait_for_path(self, path: str):
        try:
            WebDriverWait(self.driver, WAIT).until(lambda d: self.path == path)
        except Exception:
            raise AssertionError(f"expected to be on {path}, still on {self.path}; "
                                 f"page says: {self.visible_messages()!r}") from None
        self.wait_ready()

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css):
        element = self.wait_for(css)
        WebDriverWait(self.driver, WAIT).until(lambda d: element.is_enabled())
        element.click()

    def type(self, css, text, clear=True):
        element = self.wait_for(css)
        if clear:
            element.clear()
        element.send_keys(text)

    def wait_for(self, css):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, css)),
            f"nothing visible matches {css}")
        return next(e for e in self.find_all(css) if e.is_displayed())

    def wait_for_text(self, css, fragment) -> str:
        def has_text(_):
            return any(fragment.lower() in e.text.lower() for e in self.find_all(css))
        try:
            # A page that reloads meanwhile leaves the elements found before it stale: look again.
            WebDriverWait(self.driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(has_text)
        except Exception:
            raise AssertionError(f"{css} never said {fragment!r}; page says: "
                                 f"{self.visible_messages()!r}") from None
        return next(e.text for e in self.find_all(css) if fragment.lower() in e.text.lower())

    def visible_messages(self):
        return [e.text for e in self.find_all(".error, .status") if e.text]

    def wait_until_buttons_enabled(self, css="#signin-form button"):
        WebDriverWait(self.driver, WAIT).until(lambda d: all(b.is_enabled() for b in self.find_all(css)))

    def fetch(self, method, path):
        """Calls the API from the page, with its cookies; returns (status, body)."""
        return self.driver.execute_async_script(
            """const [method, path, done] = arguments;
               fetch(path, {method, credentials: 'same-origin',
                            headers: {'Content-Type': 'application/json'}})
                 .then(async (r) => done([r.status, await r.text()]))
                 .catch((e) => done([0, String(e)]));""", method, path)

    def session_status(self) -> int:
        return self.fetch("GET", "/api/session")[0]

    # Autofill (see the module docstring)

    def wait_for_autofill(self):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script("return window.__autofillPending?.() ?? 0") > 0,
            "the page never started passkey autofill")

    def pick_passkey(self):
        self.wait_for_autofill()
        assert self.driver.execute_script("return window.__pickPasskey()") == 1

    # Flows a person goes through

    def sign_up(self, email):
        self.open("/")
        self.type("#username", email)
        self.click("#signup")
        self.wait_for_path("/account")
        self.wait_for_text("#username", email)

    def sign_out(self, autofill=True):
        self.click("#sign-out")
        self.wait_for_path("/")
        if autofill:
            self.wait_for_autofill()
        else:
            self.wait_until_buttons_enabled()

    def passkey_items(self):
        return self.find_all("#passkeys > li.passkey")

    def wait_for_passkey_count(self, count):
        try:
            WebDriverWait(self.driver, WAIT).until(
                lambda d: self.find("#passkeys").get_attribute("aria-busy") == "false"
                and len(self.passkey_items()) == count)
        except Exception:
            raise AssertionError(f"expected {count} passkeys, the page lists "
                                 f"{len(self.passkey_items())}; it says {self.visible_messages()!r}") from None
        return self.passkey_items()

    # Evidence

    def screenshot(self, state: str, full_page=True):
        """Saves the page as it is now: <test>--<browser>-<n>-<state>.png."""
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.test_name}--{self.label}-{self.shots:02d}-{state}.png"
        if full_page:
            metrics = self.cdp("Page.getLayoutMetrics")
            size = metrics["cssContentSize"]
            viewport = metrics["cssLayoutViewport"]
            shot = self.cdp("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "scale": 1,
                         "width": max(size["width"], viewport["clientWidth"]),
                         "height": max(size["height"], viewport["clientHeight"])},
            })
            (SCREENSHOTS / name).write_bytes(base64.b64decode(shot["data"]))
        else:
            self.driver.save_screenshot(str(SCREENSHOTS / name))
        return SCREENSHOTS / name

    def page_errors(self):
        """Console errors other than expected 4xx answers (CSP violations, script errors)."""
        entries = self.console + self.driver.get_log("browser")
        self.console = []
        return [e["message"] for e in entries
                if e["level"] == "SEVERE"
                and not ("Failed to load resource" in e["message"]
                         and "status of 4" in e["message"])]

    def quit(self):
        self.driver.quit()


def pytest_configure(config):
    config.addinivalue_line("markers", "mail: the server sends mail to the mailbox fixture's SMTP sink")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def mailbox():
    """An SMTP sink on a free loopback port (smtp_sink.py)."""
    from smtp_sink import SMTPSink
    sink = SMTPSink()
    yield sink
    sink.stop()


@pytest.fixture
def server(tmp_path, request):
    extra = []
    # @pytest.mark.mail: the server sends its mail to the `mailbox` sink over SMTP.
    if request.node.get_closest_marker("mail"):
        sink = request.getfixturevalue("mailbox")
        extra = ["--smtp-url", f"smtp://127.0.0.1:{sink.port}", "--mail-from", "Passkeys <no-reply@localhost>"]
    running = Server(tmp_path, extra)
    yield running
    running.stop()
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        print(f"\n--- server log ({running.log_path}) ---\n{running.log()}")


@pytest.fixture
def browsers(server, request):
    """Opens Chromium profiles: browsers() or browsers(label='phone', ...)."""
    opened = []
    test_name = request.node.name.removeprefix("test_").replace("[", "-").replace("]", "")

    def open_browser(label=None, **options):
        browser = Browser(server, label or f"browser{len(opened) + 1}", test_name, **options)
        opened.append(browser)
        return browser

    yield open_browser
    errors = []
    for browser in opened:
        try:
            errors += [f"{browser.label}: {message}" for message in browser.page_errors()]
        finally:
            browser.quit()
    failed = getattr(request.node, "report_call", None)
    if errors and not (failed is not None and failed.failed):
        pytest.fail("the pages logged errors:\n" + "\n".join(errors))


@pytest.fixture
def browser(browsers):
    """A person's browser with a platform passkey provider."""
    person = browsers("browser")
    person.authenticator = person.add_authenticator(PLATFORM)
    return person


# "correct horse", hashed by libxcrypt.
BCRYPT = "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"


def import_password_account(server, tmp_path, email, display_name="Grace"):
    """Imports an account with the password "correct horse" (its address not confirmed), as an
    operator moving people from an old system does: `passkeys accounts import`."""
    accounts = tmp_path / f"accounts-{email}.jsonl"
    accounts.write_text(json.dumps({"username": email, "displayName": display_name, "passwordHash": BCRYPT}) + "\n")
    result = subprocess.run([str(BIN), "accounts", "import", "--database", server.database, str(accounts)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "imported 1 account" in result.stdout


def password_sign_in_elsewhere(browser, email):
    """Signs this browser in to an imported account as another tab would: the open page is not told."""
    return browser.driver.execute_async_script(
        """const [username, done] = arguments;
           fetch('/api/password', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
                                   body: JSON.stringify({username, password: 'correct horse'})})
             .then((r) => done(r.status)).catch((e) => done(String(e)));""", email)


def json_body(answer):
    status, text = answer
    return status, (json.loads(text) if text else None)
