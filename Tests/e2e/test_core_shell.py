"""The pages run on the client core (/core.wasm) through js/core-shell.js: the module is loaded,
the words come from the core in the browser's language, what the shell does not understand is
reported, and how soon the sign-in page is usable is measured."""

import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PLATFORM, ROOT, SCREENSHOTS, WAIT, import_password_account

# The words each language's pages show (Sources/PasskeyClientCore/Languages/*.swift).
WORDS = {
    "en-US": {
        "lang": "en", "signup": "Create account", "signin": "Sign in with a passkey",
        "email_first": "Type your email first, then choose Create account.",
        "waiting": "Waiting for your passkey", "add": "Add a passkey", "sign_out": "Sign out",
        "greeting": "Hello, ada@example.com", "renamed": "Renamed the passkey to “Laptop”.",
        "delete_button": "Delete passkey", "last_passkey": "lock you out",
    },
    "ja": {
        "lang": "ja", "signup": "アカウントを作成", "signin": "パスキーでサインイン",
        "email_first": "まずメールアドレスを入力してから、「アカウントを作成」を選んでください。",
        "waiting": "パスキーを待っています", "add": "パスキーを追加", "sign_out": "サインアウト",
        "greeting": "こんにちは、ada@example.com さん", "renamed": "パスキーの名前を「Laptop」に変更しました。",
        "delete_button": "パスキーを削除", "last_passkey": "アカウントにサインインできなくなります",
    },
    "de": {
        "lang": "de", "signup": "Konto erstellen", "signin": "Mit einem Passkey anmelden",
        "email_first": "Geben Sie zuerst Ihre E-Mail-Adresse ein und wählen Sie dann „Konto erstellen“.",
        "waiting": "Warten auf Ihren Passkey", "add": "Passkey hinzufügen", "sign_out": "Abmelden",
        "greeting": "Hallo, ada@example.com", "renamed": "Der Passkey heißt jetzt „Laptop“.",
        "delete_button": "Passkey löschen", "last_passkey": "nicht mehr anmelden",
    },
}

READY = "return performance.getEntriesByName('passkeys:ready')[0]?.startTime ?? null"


def wait_ready(browser):
    """Waits for the shell's mark and returns its time after navigation start, in ms."""
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.execute_script(READY) is not None,
                                              "the shell never marked the page ready")
    return browser.driver.execute_script(READY)


def test_the_sign_in_page_loads_the_core_module_compressed(browser):
    browser.open("/")
    wait_ready(browser)
    [entry] = browser.driver.execute_script(
        """return performance.getEntriesByType('resource')
             .filter((e) => new URL(e.name).pathname === '/core.wasm')
             .map((e) => ({encoded: e.encodedBodySize, decoded: e.decodedBodySize}))""")
    module = (ROOT / "Sources" / "PasskeyServer" / "Public" / "core.wasm").stat().st_size
    assert entry["decoded"] == module
    assert 0 < entry["encoded"] < module, "the module comes gzipped"
    assert browser.driver.execute_script("return typeof window.passkeysCore?.send") == "function"


@pytest.mark.parametrize("language", ["en-US", "ja", "de"])
def test_the_pages_speak_the_browsers_language(browsers, language):
    words = WORDS[language]
    browser = browsers(f"lang-{language}", language=language)
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.open("/")
    browser.wait_for_autofill()
    assert browser.driver.execute_script("return document.documentElement.lang") == words["lang"]
    assert browser.find("#signup").text == words["signup"]
    assert browser.find("#signin").text == words["signin"]
    browser.screenshot(f"sign-in-{language}")

    browser.click("#signup")
    assert browser.wait_for_text("#username-error", words["email_first"]) == words["email_first"]
    browser.screenshot(f"email-needed-{language}")

    browser.type("#username", "ada@example.com")
    browser.click("#signup")
    browser.wait_for_path("/account")
    [item] = browser.wait_for_passkey_count(1)
    assert browser.driver.execute_script("return document.documentElement.lang") == words["lang"]
    assert browser.find("#add-passkey").text == words["add"]
    assert browser.find("#sign-out").text == words["sign_out"]
    browser.wait_for_text("#greeting", words["greeting"])
    browser.screenshot(f"account-{language}")

    item.find_element(By.CSS_SELECTOR, ".rename").click()
    field = browser.wait_for("#passkeys .rename-form input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Laptop")
    browser.screenshot(f"renaming-{language}")
    field.send_keys(Keys.ENTER)
    browser.wait_for_text("#status", words["renamed"])
    browser.screenshot(f"renamed-{language}")

    browser.find("#passkeys .delete").click()
    dialog = browser.wait_for("#confirm-dialog")
    assert "Laptop" in dialog.text
    assert browser.find("#confirm-button").text == words["delete_button"]
    browser.screenshot(f"confirm-delete-{language}", full_page=False)
    browser.click("#confirm-button")
    browser.wait_for_text("#passkeys .passkey-error", words["last_passkey"])
    browser.screenshot(f"last-passkey-kept-{language}")

    browser.sign_out()
    assert browser.find("#signup").text == words["signup"]
    # Without presence simulation the authenticator waits for a touch that never comes.
    browser.cdp("WebAuthn.setAutomaticPresenceSimulation",
                {"authenticatorId": browser.authenticator, "enabled": False})
    browser.type("#username", "grace@example.com")
    browser.click("#signup")
    browser.wait_for_text("#status", words["waiting"])
    browser.screenshot(f"waiting-for-passkey-{language}")


# The account page's email, upgrade and password words (Languages/*.swift, AccountPhrase).
ACCOUNT_WORDS = {
    "ja": {"upgrade": "パスキーを作成", "verify": "メールアドレスの確認", "resend": "新しいコードを送信",
           "wrong_code": "このコードは間違っているか、使用済みか、期限切れです。"},
    "de": {"upgrade": "Passkey erstellen", "verify": "E-Mail-Adresse bestätigen", "resend": "Neuen Code senden",
           "wrong_code": "Dieser Code ist falsch, schon benutzt oder abgelaufen."},
}


@pytest.mark.parametrize("language", ["ja", "de"])
def test_the_account_pages_confirmation_and_upgrade_speak_the_browsers_language(browsers, server, tmp_path, language):
    words = ACCOUNT_WORDS[language]
    # The password "correct horse"; the address is not confirmed yet.
    import_password_account(server, tmp_path, "grace@example.com")
    browser = browsers(f"account-lang-{language}", language=language)
    browser.open("/")
    browser.type("#username", "grace@example.com")
    browser.type("#password", "correct horse")
    browser.click("#password-signin")
    browser.wait_for_path("/account")
    browser.wait_for_text("#upgrade-heading", words["upgrade"])
    assert browser.find("#create-passkey").text == words["upgrade"]
    assert browser.wait_for_text("#verify-heading", words["verify"]) == words["verify"]
    assert browser.find("#verify-resend").text == words["resend"]
    assert browser.driver.execute_script("return document.documentElement.lang") == language
    browser.screenshot(f"upgrade-and-confirm-{language}")
    browser.type("#verify-code", "00000000")
    browser.click("#verify-form button[type=submit]")
    browser.wait_for_text("#verify-error", words["wrong_code"])
    browser.screenshot(f"wrong-code-{language}")


# The sign-in page's password and recovery words (Languages/*.swift).
SIGN_IN_WORDS = {
    "ja": {"wrong_password": "メールアドレスまたはパスワードが正しくありません。",
           "on_its_way": "このアドレスのアカウントがあれば、コードを送信しました。", "send": "コードをメールで送る"},
    "de": {"wrong_password": "Die E-Mail-Adresse oder das Passwort ist falsch.",
           "on_its_way": "Falls ein Konto diese Adresse hat, ist ein Code unterwegs.", "send": "Code per E-Mail senden"},
}


@pytest.mark.parametrize("language", ["ja", "de"])
def test_the_sign_in_pages_password_and_recovery_speak_the_browsers_language(browsers, language):
    words = SIGN_IN_WORDS[language]
    browser = browsers(f"signin-extras-{language}", language=language)
    browser.open("/")
    wait_ready(browser)
    browser.type("#username", "nobody@example.com")
    browser.type("#password", "wrong horse")
    browser.find("#password").send_keys(Keys.ENTER)  # Enter in the password field: the password sign-in
    assert browser.wait_for_text("#password-error", words["wrong_password"]) == words["wrong_password"]
    assert browser.find("#signin-error").text == ""
    browser.screenshot(f"wrong-password-{language}")
    browser.click("#lost-passkey")
    assert browser.find("#recovery-email").get_attribute("value") == "nobody@example.com"
    assert browser.find("#recovery-send").text == words["send"]
    browser.click("#recovery-send")
    browser.wait_for_text("#recovery-status", words["on_its_way"])
    assert browser.find("#recovery-redeem").is_displayed()
    browser.screenshot(f"recovery-code-sent-{language}")


def test_the_page_scripts_stay_a_shell_of_at_most_470_lines():
    # docs/client-core.md: the pages' JavaScript performs effects and shows views; the flow is the
    # core's. Non-blank lines that are not comments, over every script the pages load.
    import re
    total = 0
    for script in sorted((ROOT / "Sources/PasskeyServer/Public/js").glob("*.js")):
        text = re.sub(r"/\*.*?\*/", "", script.read_text(), flags=re.S)
        total += sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))
    print(f"page scripts: {total} lines of at most 470")
    assert total <= 470


def test_a_message_the_core_does_not_know_is_reported(browser):
    browser.open("/")
    wait_ready(browser)
    browser.driver.execute_script("window.passkeysCore.send({event: 'teleport'})")
    report = browser.wait_for_text("#core-error", "teleport")
    assert "unknown_event" in report
    errors = browser.page_errors()
    assert any("teleport" in message for message in errors), errors
    browser.screenshot("unknown-event-reported")


# A stand-in for the module's boundary that adds an effect no shell knows to the first answer
# that shows the signed-out page, and passes everything else through to the real core.
UNKNOWN_EFFECT = r"""
(() => {
  const real = WebAssembly.instantiate;
  WebAssembly.instantiate = async (module, imports) => {
    const core = (await real(module, imports)).exports;
    let at = 0;
    let added = false;
    const exports = {
      ...core,
      passkeys_output: () => at,
      passkeys_send: (length) => {
        const size = core.passkeys_send(length);
        const answer = JSON.parse(new TextDecoder().decode(new Uint8Array(core.memory.buffer, core.passkeys_output(), size)));
        if (!added && answer.view?.screen === 'signedOut') {
          added = true;
          answer.effects.push({ effect: 'teleport', to: 'the moon' });
        }
        const bytes = new TextEncoder().encode(JSON.stringify(answer));
        at = core.passkeys_input(bytes.length);
        new Uint8Array(core.memory.buffer, at, bytes.length).set(bytes);
        return bytes.length;
      },
    };
    return { exports };
  };
})();
"""


def test_an_effect_the_shell_does_not_know_is_reported(browsers):
    browser = browsers("unknown-effect", extra_script=UNKNOWN_EFFECT)
    browser.open("/")
    report = browser.wait_for_text("#core-error", "teleport")
    assert "effect this page does not know" in report
    errors = browser.page_errors()
    assert any("teleport" in message for message in errors), errors
    browser.screenshot("unknown-effect-reported")


STEPS = """
const end = (path) => performance.getEntriesByType('resource')
  .find((e) => new URL(e.name).pathname === path)?.responseEnd ?? 0;
const [page] = performance.getEntriesByType('navigation');
const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? 0;
return [page.domInteractive, end('/core.wasm'), end('/api/session'), mark('passkeys:start'), mark('passkeys:compiled'), performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/api/session')?.startTime ?? 0].map(Math.round);
"""


def test_the_sign_in_page_is_interactive_soon_after_navigation(browser, capsys):
    # Navigation start (the Performance API's time origin) → the moment the shell has the core's
    # first signed-out view on screen (performance.mark 'passkeys:ready'). Printed, not asserted:
    # a timing depends on the machine (the target is 300 ms on the development machine).
    # The server has answered a request before, as a running one has: its first is not the page's.
    try:
        urllib.request.urlopen(f"{browser.server.url}/api/session", timeout=5).close()
    except urllib.error.HTTPError as refusal:
        assert refusal.code == 401
    browser.open("/")
    cold = wait_ready(browser)
    parsed, module, session, started, compiled, asked = browser.driver.execute_script(STEPS)
    browser.open("/")
    warm = wait_ready(browser)
    line = (f"sign-in page interactive after {cold:.0f} ms (first load: document parsed at {parsed} ms, "
            f"core.wasm loaded at {module} ms, shell started at {started} ms, module compiled at {compiled} ms, GET /api/session sent at {asked} ms and answered at {session} ms), "
            f"{warm:.0f} ms with the module cached; target 300 ms")
    with capsys.disabled():
        print(f"\n{line}")
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS.parent / "timing.txt", "a") as log:
        log.write(line + "\n")
    assert 0 < module < session < cold, "the module loads, then the core asks for the session, then the page is ready"
