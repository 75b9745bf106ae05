"""Lost passkeys and old passwords (docs/recovery.md, docs/migration.md): recovery
by email through a real SMTP sink, and an imported password account moving to a
passkey."""


import pytest
import requests
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PLATFORM, WAIT, import_password_account, json_body

# "correct horse", hashed by libxcrypt.

# Records each navigator.credentials.create() call's mediation, before page scripts run.
RECORD_CREATE = r"""
(() => {
  const credentials = navigator.credentials;
  const realCreate = credentials.create.bind(credentials);
  window.__creates = [];
  credentials.create = (options) => {
    window.__creates.push(options?.mediation ?? 'modal');
    return realCreate(options);
  };
})();
"""


def wait_until(browser, condition, message):
    WebDriverWait(browser.driver, WAIT).until(lambda _: condition(), message)


def recover_by_email(browser, mailbox, email):
    browser.click("#lost-passkey")
    browser.type("#recovery-email", email)
    browser.screenshot("lost-passkey")
    browser.click("#recovery-send")
    browser.wait_for_text("#recovery-status", "on its way")
    code = mailbox.code(email, "Recover")
    browser.type("#recovery-code", code)
    browser.screenshot("recovery-code-typed")
    browser.click("#recovery-submit")
    browser.wait_for_path("/account")
    browser.wait_for_text("#upgrade-heading", "Create a new passkey")
    return code


@pytest.mark.mail
def test_a_person_who_lost_their_passkey_recovers_by_email_and_signs_in_with_a_new_one(browser, mailbox):
    email = "ada@example.com"
    browser.sign_up(email)
    # Sign-up mailed a code that confirms the address.
    browser.wait_for("#verify-email")
    browser.type("#verify-code", mailbox.code(email, "Confirm"))
    browser.click("#verify-form button[type=submit]")
    browser.wait_for_text("#status", "confirmed")
    browser.screenshot("email-confirmed")
    browser.sign_out()

    # The phone is lost: its passkey is gone from this browser.
    [lost] = browser.credential_ids(browser.authenticator)
    for credential in browser.credentials(browser.authenticator):
        browser.remove_credential(browser.authenticator, credential["credentialId"])

    recover_by_email(browser, mailbox, email)
    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert status == 200 and session["recovery"] is True
    assert browser.fetch("DELETE", "/api/account")[0] == 403
    browser.wait_for_passkey_count(1)
    browser.screenshot("recovery-session")

    browser.click("#create-passkey")
    browser.wait_for_text("#status", "Added the passkey")
    browser.wait_for_passkey_count(2)
    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert session["recovery"] is False
    browser.screenshot("new-passkey-added")

    # Now a full session: the lost passkey can go.
    browser.click(f'#passkeys > li[data-id="{lost}"] .delete')
    browser.click("#confirm-button")
    browser.wait_for_passkey_count(1)
    browser.screenshot("lost-passkey-deleted")

    browser.sign_out()
    browser.pick_passkey()
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", email)
    browser.screenshot("signed-in-with-new-passkey")


@pytest.mark.mail
def test_the_recovery_mail_link_fills_in_the_code_and_works_after_others_guessed(browser, mailbox, server):
    email = "ada@example.com"
    browser.sign_up(email)
    browser.sign_out()
    status, _ = json_body(browser.fetch("POST", "/api/recovery/options"))
    assert status == 400  # no address given
    browser.click("#lost-passkey")
    browser.type("#recovery-email", email)
    browser.click("#recovery-send")
    browser.wait_for_text("#recovery-status", "on its way")
    message = mailbox.wait_for(email, "Recover")
    text = mailbox.text(message)
    link = next(word for word in text.split() if word.startswith(server.url + "/#recover="))
    assert "<a href=" in mailbox.html(message) and "<img" not in mailbox.html(message)
    assert "&proof=" in link
    # Someone else spends every try a typed code has on wrong codes; the link's code still works.
    code = link.split("#recover=")[1].split("&")[0]
    wrong = "11111111" if code == "00000000" else "00000000"
    for _ in range(5):
        guess = requests.post(server.url + "/api/recovery", json={"email": email, "code": wrong},
                              headers={"Origin": server.url}, timeout=30)
        assert guess.status_code == 400
    browser.driver.get(link)
    # The link fills the form in and waits for Continue: a link to someone else's account must
    # not sign this browser in unasked.
    WebDriverWait(browser.driver, WAIT).until(lambda _: browser.find("#recovery-code").get_attribute("value") == code)
    assert browser.find("#recovery-email").get_attribute("value") == email
    assert browser.session_status() == 401
    browser.screenshot("recovery-link-filled-in")
    browser.click("#recovery-submit")
    browser.wait_for_path("/account")
    browser.wait_for_text("#upgrade-heading", "Create a new passkey")
    assert "#" not in browser.driver.current_url
    browser.screenshot("recovered-from-link")


@pytest.mark.mail
def test_the_verification_link_confirms_by_itself_only_with_its_proof(browser, mailbox, server):
    # Another site could open the account page with codes of its own (#verify=…): such a link
    # only fills the field in, and one with a made-up proof is refused without counting, so
    # neither uses up the address's five tries; the mail's link, with its proof, confirms at once.
    email = "ada@example.com"
    browser.sign_up(email)
    message = mailbox.wait_for(email, "Confirm")
    link = next(word for word in mailbox.text(message).split() if word.startswith(server.url + "/account#verify="))
    assert "&proof=" in link
    code = link.split("#verify=")[1].split("&")[0]
    wrong = "11111111" if code == "00000000" else "00000000"
    for attempt in range(6):
        guess = f"{wrong[:-1]}{attempt}"
        browser.driver.get(server.url + "/account#verify=" + guess)
        WebDriverWait(browser.driver, WAIT).until(lambda _: browser.find("#verify-code").get_attribute("value") == guess)
        browser.driver.get(server.url + "/account#verify=" + guess + "&proof=AAAAAAAAAAAAAAAAAAAAAA")
        browser.wait_for_text("#verify-error", "code")
    assert json_body(browser.fetch("GET", "/api/session"))[1]["user"]["emailVerified"] is False
    # Not one try was used: the code typed by hand still works.
    browser.open("/account")
    browser.wait_for("#verify-email")
    browser.type("#verify-code", code)
    browser.click("#verify-form button[type=submit]")
    wait_until(browser, lambda: json_body(browser.fetch("GET", "/api/session"))[1]["user"]["emailVerified"] is True,
               "the typed code did not confirm the address")

    # Another account's mail link confirms its address by itself.
    browser.sign_out()
    browser.sign_up("grace@example.com")
    message = mailbox.wait_for("grace@example.com", "Confirm")
    link = next(word for word in mailbox.text(message).split() if word.startswith(server.url + "/account#verify="))
    browser.driver.get(link)
    wait_until(browser, lambda: json_body(browser.fetch("GET", "/api/session"))[1]["user"]["emailVerified"] is True,
               "the mail's link did not confirm the address")


def test_an_imported_password_account_signs_in_and_moves_to_a_passkey(browsers, server, tmp_path):
    email = "grace@example.com"
    import_password_account(server, tmp_path, email)

    browser = browsers("browser", extra_script=RECORD_CREATE)
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.open("/")
    assert browser.find("#username").get_attribute("autocomplete") == "username webauthn"
    assert browser.find("#password").get_attribute("autocomplete") == "current-password"
    browser.type("#username", email)
    browser.type("#password", "wrong horse")
    browser.click("#password-signin")
    browser.wait_for_text("#password-error", "wrong")
    browser.type("#password", "correct horse")
    browser.screenshot("password-typed")
    browser.click("#password-signin")
    browser.wait_for_path("/account")

    # The page tries the automatic upgrade; headless Chromium never completes it.
    wait_until(browser, lambda: "conditional" in browser.driver.execute_script("return window.__creates"),
               "the page never tried a conditional create")
    browser.wait_for("#create-passkey")
    browser.screenshot("upgrade-offered")
    browser.click("#create-passkey")
    browser.wait_for_text("#status", "Added the passkey")
    browser.wait_for_passkey_count(1)
    assert browser.driver.execute_script("return window.__creates").count("modal") == 1
    browser.screenshot("passkey-created")

    browser.click("#remove-password")
    browser.wait_for_text("#status", "password is removed")
    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert session["hasPassword"] is False
    browser.screenshot("password-removed")

    browser.sign_out()
    browser.pick_passkey()
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", email)
    browser.screenshot("signed-in-with-passkey")


def test_an_imported_password_account_on_its_way_elsewhere_goes_on_once_its_first_passkey_is_made(browsers, server, tmp_path):
    # An app sent the person to sign in (`?next=`). The account page comes first, for the first
    # passkey, and carries `next` on: once the passkey is made, the page goes where it led.
    email = "hopper@example.com"
    import_password_account(server, tmp_path, email)

    browser = browsers("browser")
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.open("/?next=/.well-known/openid-configuration")
    browser.type("#username", email)
    browser.type("#password", "correct horse")
    browser.click("#password-signin")
    browser.wait_for_path("/account?next=%2F.well-known%2Fopenid-configuration")
    browser.wait_for("#create-passkey")
    browser.click("#create-passkey")
    browser.wait_for_path("/.well-known/openid-configuration")
    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert status == 200 and session["user"]["username"] == email


# Holds the first POST /api/passkeys/options before it reaches the server, once the test asks for
# it (localStorage.holdPasskeyOptions), until the test lets it go (window.__releasePasskeyOptions()).
HOLD_FIRST_PASSKEY_OPTIONS = r"""
(() => {
  const send = window.fetch.bind(window);
  window.__passkeyOptionsRequests = 0;
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.endsWith('/api/passkeys/options')) return send(input, init);
    window.__passkeyOptionsRequests += 1;
    if (localStorage.getItem('holdPasskeyOptions') !== '1') return send(input, init);
    localStorage.removeItem('holdPasskeyOptions');
    return new Promise((resolve, reject) => {
      window.__releasePasskeyOptions = () => send(input, init).then(resolve, reject);
    });
  };
})();
"""


def test_creating_a_passkey_while_the_upgrades_options_are_on_their_way_waits_for_them(browsers, server, tmp_path):
    # The account page asks for the automatic upgrade's options as it opens. That request is held
    # before it reaches the server while the person clicks "Create a passkey": the person's options
    # are asked for once the upgrade's answer is in, so the two never race for the ceremony cookie.
    email = "grace@example.com"
    import_password_account(server, tmp_path, email)

    browser = browsers("browser", extra_script=RECORD_CREATE + HOLD_FIRST_PASSKEY_OPTIONS)
    browser.authenticator = browser.add_authenticator(PLATFORM)
    browser.open("/")
    browser.driver.execute_script("localStorage.setItem('holdPasskeyOptions', '1')")
    browser.type("#username", email)
    browser.type("#password", "correct horse")
    browser.click("#password-signin")
    browser.wait_for_path("/account")
    wait_until(browser, lambda: browser.driver.execute_script("return typeof window.__releasePasskeyOptions") == "function",
               "the page never asked for the upgrade's options")

    browser.click("#create-passkey")
    browser.wait_for_text("#status", "Contacting the server")
    assert browser.driver.execute_script("return window.__passkeyOptionsRequests") == 1, "the person's options waited"
    browser.driver.execute_script("window.__releasePasskeyOptions()")
    browser.wait_for_text("#status", "Added the passkey")
    browser.wait_for_passkey_count(1)
    assert browser.driver.execute_script("return window.__passkeyOptionsRequests") == 2
    # The upgrade's options went unused: the one passkey came from the person's modal request.
    assert browser.driver.execute_script("return window.__creates") == ["modal"]


@pytest.mark.mail
def test_sending_a_new_code_and_confirming_keep_the_focus_and_show_in_the_activity_list(browser, mailbox):
    # The button that sent a new code keeps the focus; once the address is confirmed its section is
    # gone and the focus goes to the page's heading. The activity list shows both without a reload.
    email = "ada@example.com"
    browser.sign_up(email)
    mailbox.wait_for(email, "Confirm")
    browser.wait_for("#verify-email")
    browser.find("#verify-resend").send_keys(Keys.ENTER)
    mailbox.wait_for(email, "Confirm", count=2)
    wait_until(browser, lambda: len(browser.find_all('#activity [data-type="verification_code_sent"]')) == 2,
               "the activity list does not show the second code")
    wait_until(browser, lambda: browser.driver.switch_to.active_element.get_attribute("id") == "verify-resend",
               "the focus left the button that sent the code")
    browser.type("#verify-code", mailbox.code(email, "Confirm", count=2))
    browser.find("#verify-code").send_keys(Keys.ENTER)
    wait_until(browser, lambda: not browser.find("#verify-email").is_displayed(), "the address was not confirmed")
    wait_until(browser, lambda: browser.find_all('#activity [data-type="email_verified"]'),
               "the activity list does not show the confirmation")
    wait_until(browser, lambda: browser.driver.switch_to.active_element.get_attribute("id") == "greeting",
               "the focus went to the page's body")
