"""The account page's sessions and recent activity (activity.js)."""

from conftest import PLATFORM, ROAMING_KEY


def copy_passkey_to_another_browser(browsers, laptop):
    """A second browser holding a copy of the laptop's passkey, signed in with it."""
    [credential] = laptop.credentials(laptop.authenticator)
    desktop = browsers("desktop")
    key = desktop.add_authenticator(ROAMING_KEY)
    desktop.add_credential(key, credential)
    desktop.open("/")
    desktop.click("#signin")
    desktop.wait_for_path("/account")
    return desktop


def test_recent_activity_shows_what_happened_to_the_account(browser):
    browser.sign_up("ada@example.com")
    browser.wait_for_text("#activity", "Account created")
    browser.type("#display-name", "Ada Lovelace")
    browser.click("#profile-form button[type=submit]")
    browser.wait_for_text("#status", "Saved your display name")
    text = browser.wait_for_text("#activity", "Display name changed")
    assert text.index("Display name changed") < text.index("Account created"), "newest first"
    browser.wait_for_text("#session-count", "Only this browser is signed in")
    assert not browser.find("#sign-out-others").is_displayed()
    browser.screenshot("recent-activity")


def test_sign_out_everywhere_else_ends_the_other_sessions(browsers):
    laptop = browsers("laptop")
    laptop.authenticator = laptop.add_authenticator(PLATFORM)
    laptop.sign_up("ada@example.com")
    desktop = copy_passkey_to_another_browser(browsers, laptop)

    laptop.driver.refresh()
    laptop.wait_for_text("#session-count", "This browser and 1 other")
    assert len(laptop.find_all("#sessions > li.session")) == 2
    laptop.wait_for_text("#activity", "Signed in")
    laptop.screenshot("two-sessions")
    laptop.click("#sign-out-others")
    laptop.wait_for_text("#status", "Signed out everywhere else")
    laptop.wait_for_text("#session-count", "Only this browser is signed in")
    assert desktop.session_status() == 401
    assert laptop.session_status() == 200
    laptop.screenshot("signed-out-everywhere-else")


def test_one_other_session_can_be_ended(browsers):
    laptop = browsers("laptop")
    laptop.authenticator = laptop.add_authenticator(PLATFORM)
    laptop.sign_up("ada@example.com")
    desktop = copy_passkey_to_another_browser(browsers, laptop)

    laptop.driver.refresh()
    laptop.wait_for_text("#session-count", "This browser and 1 other")
    laptop.click("#sessions > li.session .end-session")
    laptop.wait_for_text("#session-count", "Only this browser is signed in")
    assert desktop.session_status() == 401
    laptop.wait_for_text("#activity", "Signed out")
