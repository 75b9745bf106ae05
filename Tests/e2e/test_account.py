"""The account page (account.html): session, passkeys, profile and the account itself."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROAMING_KEY, WAIT, import_password_account, json_body, password_sign_in_elsewhere


def add_passkey_on_security_key(browser):
    """Adds a passkey from a second authenticator; returns (key id, passkey id)."""
    before = {item.get_attribute("data-id") for item in browser.passkey_items()}
    key = browser.add_authenticator(ROAMING_KEY)
    # The platform authenticator already holds this account's passkey, which the
    # server excludes; with its presence check off it cannot answer, so the
    # browser takes the new passkey from the key.
    browser.cdp("WebAuthn.setAutomaticPresenceSimulation",
                {"authenticatorId": browser.authenticator, "enabled": False})
    browser.click("#add-passkey")
    items = browser.wait_for_passkey_count(len(before) + 1)
    browser.cdp("WebAuthn.setAutomaticPresenceSimulation",
                {"authenticatorId": browser.authenticator, "enabled": True})
    [added] = [item.get_attribute("data-id") for item in items if item.get_attribute("data-id") not in before]
    assert browser.credential_ids(key) == {added}
    return key, added


def item_for(browser, passkey_id):
    return browser.find(f'#passkeys > li[data-id="{passkey_id}"]')


def confirm(browser, expected_title):
    dialog = browser.wait_for("#confirm-dialog")
    assert expected_title.lower() in dialog.text.lower()
    browser.screenshot("confirm-dialog", full_page=False)
    browser.click("#confirm-button")


def wait_until(browser, condition, message):
    WebDriverWait(browser.driver, WAIT).until(lambda _: condition(), message)


def test_reload_keeps_the_session_and_sign_out_ends_it(browser):
    browser.sign_up("ada@example.com")
    browser.driver.refresh()
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", "ada@example.com")
    browser.wait_for_passkey_count(1)
    browser.screenshot("account-after-reload")

    browser.sign_out()
    assert browser.session_status() == 401
    browser.open("/account")
    browser.wait_for_path("/?next=/account")
    browser.screenshot("sign-in-after-sign-out")


def test_the_account_page_without_a_session_sends_to_sign_in_and_back(browser):
    browser.sign_up("ada@example.com")
    browser.sign_out()
    browser.open("/account")
    browser.wait_for_path("/?next=/account")
    browser.pick_passkey()
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", "ada@example.com")


def test_a_second_passkey_can_be_added_renamed_and_deleted(browser):
    browser.sign_up("ada@example.com")
    browser.wait_for_passkey_count(1)
    key, added = add_passkey_on_security_key(browser)
    browser.wait_for_text("#status", "Added the passkey")
    browser.screenshot("two-passkeys")

    item = item_for(browser, added)
    item.find_element(By.CSS_SELECTOR, ".rename").click()
    field = browser.wait_for(f'#passkeys > li[data-id="{added}"] .rename-form input')
    assert field == browser.driver.switch_to.active_element
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Blue USB key")
    browser.screenshot("renaming")
    field.send_keys(Keys.ENTER)
    browser.wait_for_text("#status", "Renamed the passkey")
    browser.wait_for_text(f'#passkeys > li[data-id="{added}"] .passkey-name', "Blue USB key")
    _, listed = json_body(browser.fetch("GET", "/api/passkeys"))
    assert {p["id"]: p["name"] for p in listed["passkeys"]}[added] == "Blue USB key"
    browser.driver.refresh()
    browser.wait_for_text(f'#passkeys > li[data-id="{added}"] .passkey-name', "Blue USB key")
    browser.screenshot("renamed")

    item_for(browser, added).find_element(By.CSS_SELECTOR, ".delete").click()
    confirm(browser, "Delete “Blue USB key”?")
    [kept] = browser.wait_for_passkey_count(1)
    assert kept.get_attribute("data-id") != added
    browser.wait_for_text("#status", "Deleted the passkey")
    browser.screenshot("second-passkey-deleted")
    # signalAllAcceptedCredentials told the key that the account no longer has it.
    wait_until(browser, lambda: browser.credential_ids(key) == set(),
               "the deleted passkey is still on the security key")
    assert len(browser.credentials(browser.authenticator)) == 1


def test_renaming_can_be_cancelled_with_escape(browser):
    browser.sign_up("ada@example.com")
    [item] = browser.wait_for_passkey_count(1)
    name = item.find_element(By.CSS_SELECTOR, ".passkey-name").text
    item.find_element(By.CSS_SELECTOR, ".rename").click()
    field = browser.wait_for("#passkeys .rename-form input")
    field.send_keys(" changed", Keys.ESCAPE)
    WebDriverWait(browser.driver, WAIT).until(lambda _: not field.is_displayed())
    assert browser.find("#passkeys .passkey-name").text == name
    assert browser.driver.switch_to.active_element == browser.find("#passkeys .rename")


def test_the_last_passkey_cannot_be_deleted(browser):
    browser.sign_up("ada@example.com")
    [item] = browser.wait_for_passkey_count(1)
    item.find_element(By.CSS_SELECTOR, ".delete").click()
    confirm(browser, "Delete")
    browser.wait_for_text("#passkeys .passkey-error", "lock you out")
    browser.wait_for_passkey_count(1)
    assert len(browser.credentials(browser.authenticator)) == 1
    browser.screenshot("last-passkey-kept")


def test_signing_in_with_a_deleted_passkey_fails_and_the_provider_forgets_it(browser):
    browser.sign_up("ada@example.com")
    browser.wait_for_passkey_count(1)
    key, deleted = add_passkey_on_security_key(browser)
    [stale] = browser.credentials(key)
    item_for(browser, deleted).find_element(By.CSS_SELECTOR, ".delete").click()
    confirm(browser, "Delete")
    browser.wait_for_passkey_count(1)
    wait_until(browser, lambda: browser.credential_ids(key) == set(),
               "the deleted passkey is still on the security key")

    # A device that missed that signal (switched off, another browser) still
    # holds the passkey: put it back, and leave it the only one that can answer.
    browser.add_credential(key, stale)
    browser.sign_out()
    for credential in browser.credentials(browser.authenticator):
        browser.remove_credential(browser.authenticator, credential["credentialId"])

    browser.click("#signin")
    browser.wait_for_text("#signin-error", "passkey was deleted")
    assert browser.path == "/"
    assert browser.session_status() == 401
    browser.screenshot("deleted-passkey-refused")
    # signalUnknownCredential told the key to drop it.
    wait_until(browser, lambda: browser.credential_ids(key) == set(),
               "the security key still holds the deleted passkey")


def test_the_display_name_can_be_changed(browser):
    browser.sign_up("ada@example.com")
    browser.type("#display-name", "Ada Lovelace")
    browser.find("#display-name").send_keys(Keys.ENTER)
    browser.wait_for_text("#status", "Saved your display name")
    browser.wait_for_text("#greeting", "Hello, Ada Lovelace")
    _, session = json_body(browser.fetch("GET", "/api/session"))
    assert session["user"]["displayName"] == "Ada Lovelace"
    browser.screenshot("display-name-changed")
    # signalCurrentUserDetails updated the name the provider shows.
    wait_until(browser, lambda: browser.credentials(browser.authenticator)[0].get("userDisplayName")
               == "Ada Lovelace", "the provider still shows the old display name")


def test_deleting_the_account_signs_out_and_the_passkey_no_longer_works(browser):
    browser.sign_up("ada@example.com")
    [credential] = browser.credentials(browser.authenticator)
    browser.click("#delete-account")
    browser.wait_for("#confirm-dialog")
    browser.click("#confirm-cancel")
    assert browser.path == "/account"

    browser.click("#delete-account")
    confirm(browser, "Delete your account?")
    browser.wait_for_path("/")
    assert browser.session_status() == 401
    # The account is gone; a stale copy of its passkey is refused.
    wait_until(browser, lambda: browser.credentials(browser.authenticator) == [],
               "the provider still holds the deleted account's passkey")
    browser.add_credential(browser.authenticator, credential)
    browser.click("#signin")
    browser.wait_for_text("#signin-error", "passkey was deleted")
    browser.screenshot("deleted-account-passkey-refused")


def test_the_pages_fit_a_phone_screen(browser):
    browser.cdp("Emulation.setDeviceMetricsOverride",
                {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    browser.open("/")
    browser.wait_for_autofill()
    assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.screenshot("phone-sign-in")
    browser.type("#username", "ada.lovelace.with.a.long.address@example.com")
    browser.click("#signup")
    browser.wait_for_path("/account")
    browser.wait_for_passkey_count(1)
    assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.screenshot("phone-account")
    browser.find("#passkeys .rename").click()
    browser.wait_for("#passkeys .rename-form input")
    assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.screenshot("phone-renaming")


def test_everything_works_from_the_keyboard(browser):
    browser.open("/")
    browser.wait_for_autofill()
    ActionChains(browser.driver).send_keys(Keys.TAB).perform()  # into the email field
    field = browser.driver.switch_to.active_element
    assert field.get_attribute("id") == "username"
    # Past the password field and its button (imported accounts), then the passkey button.
    field.send_keys("ada@example.com", Keys.TAB)
    assert browser.driver.switch_to.active_element.get_attribute("id") == "password"
    browser.driver.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB, Keys.TAB)
    assert browser.driver.switch_to.active_element.get_attribute("id") == "signup"
    browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
    browser.wait_for_path("/account")
    browser.wait_for_passkey_count(1)

    browser.sign_out()
    browser.find("#username").send_keys(Keys.ENTER)  # submitting the form signs in
    browser.wait_for_path("/account")


def test_deleting_a_passkey_signs_out_the_browsers_it_signed_in(browsers):
    laptop = browsers("laptop")
    laptop.authenticator = laptop.add_authenticator()
    laptop.sign_up("ada@example.com")
    laptop.wait_for_passkey_count(1)
    key, on_key = add_passkey_on_security_key(laptop)

    # The security key is plugged into a second computer and signs in there.
    [credential] = laptop.credentials(key)
    desktop = browsers("desktop")
    desktop_key = desktop.add_authenticator(ROAMING_KEY)
    desktop.add_credential(desktop_key, credential)
    desktop.open("/")
    desktop.click("#signin")
    desktop.wait_for_path("/account")
    assert desktop.session_status() == 200

    item_for(laptop, on_key).find_element(By.CSS_SELECTOR, ".delete").click()
    dialog = laptop.wait_for("#confirm-dialog")
    assert "signed in with it is signed out" in dialog.text
    confirm(laptop, "Delete")
    laptop.wait_for_passkey_count(1)
    assert desktop.session_status() == 401, "the session the deleted passkey opened ended with it"
    assert laptop.session_status() == 200, "the laptop signed in with the other passkey"


def test_the_account_page_signed_out_keeps_where_it_was_leading(browser):
    # Forward-auth sends someone to /account?next=… (to confirm their address); with no session
    # the page goes to the sign-in page, which is to come back here with that next, not without.
    browser.open("/account?next=https%3A%2F%2Fapp.example%2F")
    browser.wait_for_path("/?next=/account%3Fnext%3Dhttps%253A%252F%252Fapp.example%252F")


def sessions_loaded(browser):
    WebDriverWait(browser.driver, WAIT).until(
        lambda d: d.find_element(By.ID, "sessions").get_attribute("aria-busy") == "false", "the sessions never loaded")


def test_a_page_left_open_on_one_account_never_acts_on_another_in_its_sessions_block(browser, server, tmp_path):
    # The sessions, apps and activity block names the account it shows on each request
    # (Passkeys-User): once another account is signed in from elsewhere in this browser, the
    # server refuses it (409 session_changed) and the page shows itself again, for that account.
    import_password_account(server, tmp_path, "grace@example.com")
    browser.sign_up("ada@example.com")
    sessions_loaded(browser)
    assert password_sign_in_elsewhere(browser, "grace@example.com") == 200
    assert browser.find("#username").text == "ada@example.com", "the open page still shows the account it was opened on"
    # What account.js says after a change on the page: the block loads its lists again.
    browser.driver.execute_script("document.dispatchEvent(new CustomEvent('account:changed'))")
    browser.wait_for_text("#username", "grace@example.com")
    assert browser.path == "/account"
    assert browser.page_errors() == []


def test_sign_out_on_a_page_left_open_on_one_account_keeps_the_other_signed_in(browser, server, tmp_path):
    # Sign out names the account the page shows (Passkeys-User): once another account is signed
    # in from elsewhere in this browser, the server refuses it (409 session_changed) and the page
    # shows the account signed in now instead of signing it out.
    import_password_account(server, tmp_path, "grace@example.com")
    browser.sign_up("ada@example.com")
    assert password_sign_in_elsewhere(browser, "grace@example.com") == 200
    assert browser.find("#username").text == "ada@example.com"
    browser.click("#sign-out")
    browser.wait_for_text("#username", "grace@example.com")
    assert browser.path == "/account"
    status, session = json_body(browser.fetch("GET", "/api/session"))
    assert status == 200 and session["user"]["username"] == "grace@example.com", "the account signed in since was signed out"
    assert browser.page_errors() == []


def test_the_sessions_block_follows_the_page_to_another_account_even_without_passkeys(browser, server, tmp_path):
    # Two imported accounts, neither with a passkey. The page's own request meets 409
    # session_changed and shows the account signed in now; the sessions block must follow it,
    # though both accounts' passkey lists are the same (empty).
    for email in ("grace@example.com", "hopper@example.com"):
        import_password_account(server, tmp_path, email)
    browser.open("/")
    browser.type("#username", "grace@example.com")
    browser.type("#password", "correct horse")
    browser.click("#password-signin")
    browser.wait_for_path("/account")
    browser.wait_for_text("#username", "grace@example.com")
    sessions_loaded(browser)
    assert password_sign_in_elsewhere(browser, "hopper@example.com") == 200
    browser.type("#display-name", "Grace Hopper")
    browser.driver.find_element(By.CSS_SELECTOR, "#profile-form button[type=submit]").click()
    browser.wait_for_text("#username", "hopper@example.com")
    _, sessions = json_body(browser.fetch("GET", "/api/sessions"))
    [current] = [session["id"] for session in sessions["sessions"] if session["current"]]
    WebDriverWait(browser.driver, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f'#sessions li[data-id="{current}"]'),
        "the sessions block still shows the account the page was opened on")
    _, hopper = json_body(browser.fetch("GET", "/api/session"))
    assert hopper["user"]["displayName"] != "Grace Hopper", "nothing was changed on the account signed in since"


def active_id(browser):
    return browser.driver.switch_to.active_element.get_attribute("id") or browser.driver.switch_to.active_element.tag_name


def test_the_keyboard_focus_stays_in_its_section_when_a_view_takes_its_button_away(browsers, server, tmp_path):
    # "Sign out everywhere else" disappears once the other sessions are gone: the focus goes to its
    # section's heading, not to the page's body, where a keyboard user would lose their place.
    email = "grace@example.com"
    import_password_account(server, tmp_path, email)
    other, browser = browsers("other"), browsers("browser")
    for person in (other, browser):
        person.open("/")
        assert password_sign_in_elsewhere(person, email) == 200
    browser.open("/account")
    WebDriverWait(browser.driver, WAIT).until(lambda _: browser.find("#sign-out-others").is_displayed())
    browser.find("#sign-out-others").send_keys(Keys.ENTER)
    WebDriverWait(browser.driver, WAIT).until(lambda _: not browser.find("#sign-out-others").is_displayed())
    WebDriverWait(browser.driver, WAIT).until(lambda _: active_id(browser) == "sessions-heading",
                                              f"the focus went to {active_id(browser)}")
