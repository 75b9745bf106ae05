import PasskeyClientCore
import Testing

@Suite("View models")
struct ViewModelTests {
    typealias F = Fixture
    typealias VM = Auth.ViewModel

    static let rows = [
        Auth.PasskeyRow(id: F.one.id, name: "iCloud Keychain", details: "iCloud Keychain · synced · added 22 Nov 2026 · last used 23 Nov 2026"),
        Auth.PasskeyRow(id: F.two.id, name: "YubiKey", details: "this device only · added 24 Nov 2026"),
    ]
    static func account(_ rows: [Auth.PasskeyRow]? = ViewModelTests.rows) -> Auth.AccountRow {
        Auth.AccountRow(username: "ada", displayName: "Ada", passkeys: rows)
    }
    static func account(_ rows: [Auth.PasskeyRow]? = ViewModelTests.rows, offers: Auth.AccountOffers) -> Auth.AccountRow {
        Auth.AccountRow(username: "ada", displayName: "Ada", passkeys: rows, offers: offers)
    }
    static let recoveryPanel = Auth.CreatePasskeyOffer(
        heading: "Create a new passkey",
        text: "You signed in with a recovery code. Create a new passkey on this device to finish; then you can delete the passkey you lost below.",
        button: "Create a new passkey")
    static let upgradePanel = Auth.CreatePasskeyOffer(
        heading: "Create a passkey", text: "Sign in faster and safer next time: create a passkey for this account.", button: "Create a passkey")
    static func busy(_ index: Int) -> [Auth.PasskeyRow] {
        var rows = Self.rows
        rows[index].isBusy = true
        return rows
    }

    /// The view model of every state in the transition table.
    static let expected: [String: VM] = [
        "starting": VM(screen: .loading),
        "checkingSession": VM(screen: .loading, progress: "Checking whether you are signed in…"),
        "signedOut": VM(screen: .signedOut, canStart: true, offersAutofill: true),
        "signedOut+problem": VM(
            screen: .signedOut, problem: "Can’t reach the server. Check your connection and try again.", canStart: true,
            offersAutofill: true),
        "signedOut+autofillEnded": VM(
            screen: .signedOut, problem: "Can’t reach the server. Check your connection and try again.", canStart: true),
        "signingUp.requestingOptions": VM(screen: .signedOut, progress: "Contacting the server…"),
        "signingUp.waitingForPasskey": VM(screen: .signedOut, progress: "Waiting for your passkey: create one for “ada” when your device asks.", canCancel: true),
        "signingUp.finishing": VM(screen: .signedOut, progress: "Creating your account…"),
        "signingIn.requestingOptions": VM(screen: .signedOut, progress: "Contacting the server…"),
        "signingIn.waitingForPasskey": VM(screen: .signedOut, progress: "Waiting for your passkey: choose one when your device asks.", canCancel: true),
        "signingIn.finishing": VM(screen: .signedOut, progress: "Signing in…"),
        "autofill.requestingOptions": VM(screen: .signedOut, canStart: true),
        // The person's intent waits for autofill's options: the form shows it is under way.
        "autofill.requestingOptions+held": VM(screen: .signedOut, progress: "Contacting the server…"),
        "autofill.requestingOptions+held+codeSent": VM(screen: .signedOut, progress: "Contacting the server…", codeSent: true),
        "autofill.waitingForPasskey": VM(screen: .signedOut, canStart: true),
        "autofill.waitingForPasskey+problem": VM(
            screen: .signedOut, problem: "Sign-in was cancelled, or there is no passkey for this site on this device.", canStart: true),
        "autofill.finishing": VM(screen: .signedOut, progress: "Signing in…"),
        "signedIn.idle": VM(screen: .signedIn, canStart: true, account: account()),
        "signedIn.idle+problem": VM(
            screen: .signedIn,
            problem: "This is your only passkey. Deleting it would lock you out of your account: add another passkey first.",
            canStart: true, account: account()),
        "signedIn.idle+notice": VM(screen: .signedIn, notice: "Saved your display name.", canStart: true, account: account()),
        "signedIn.loadingPasskeys": VM(screen: .signedIn, progress: "Loading your passkeys…", account: account(nil)),
        "signedIn.adding.requestingOptions": VM(screen: .signedIn, progress: "Contacting the server…", account: account()),
        "signedIn.adding.waitingForPasskey": VM(
            screen: .signedIn, progress: "Waiting for your new passkey: create it when your device asks.", canCancel: true, account: account()),
        "signedIn.adding.finishing": VM(screen: .signedIn, progress: "Saving your new passkey…", account: account()),
        "signedIn.adding.finishing+unloaded": VM(screen: .signedIn, progress: "Saving your new passkey…", account: account(nil)),
        "signedIn.renaming": VM(screen: .signedIn, progress: "Renaming the passkey to “Work”…", account: account(busy(0))),
        "signedIn.deleting": VM(screen: .signedIn, progress: "Deleting the passkey…", account: account(busy(1))),
        "signedIn.changingDisplayName": VM(screen: .signedIn, progress: "Saving your name…", account: account()),
        "signedIn.deletingAccount": VM(screen: .signedIn, progress: "Deleting your account…", account: account()),
        "signedIn.signingOut": VM(screen: .signedIn, progress: "Signing out…", account: account()),
        // The account page's email, recovery and password: the panels each state offers.
        "signedIn.loadingPasskeys+password": VM(screen: .signedIn, progress: "Loading your passkeys…", account: account(nil)),
        "signedIn.loadingPasskeys+recovery": VM(
            screen: .signedIn, progress: "Loading your passkeys…", account: account(nil, offers: .init(createPasskey: recoveryPanel)),
            toAccount: true),
        "signedIn.adding.finishing+recovery": VM(
            screen: .signedIn, progress: "Saving your new passkey…", account: account(offers: .init(createPasskey: recoveryPanel)),
            toAccount: true),
        "signedIn.confirmingEmail": VM(
            screen: .signedIn, progress: "Confirming your email address…", account: account(offers: .init(confirmEmail: true))),
        "signedIn.resendingEmailCode": VM(
            screen: .signedIn, progress: "Sending a new code…", account: account(offers: .init(confirmEmail: true))),
        "signedIn.removingPassword": VM(
            screen: .signedIn, progress: "Removing your password…", account: account(offers: .init(removePassword: true))),
        // The upgrade waits quietly: the page stays usable. A password account without a passkey
        // has its first to make on the account page.
        "signedIn.upgrade.requestingOptions": VM(
            screen: .signedIn, canStart: true, account: account([], offers: .init(createPasskey: upgradePanel)), toAccount: true),
        // Adding a passkey waits for the upgrade's options: the page shows it is under way.
        "signedIn.upgrade.yielding": VM(
            screen: .signedIn, progress: "Contacting the server…", account: account([], offers: .init(createPasskey: upgradePanel)),
            toAccount: true),
        "signedIn.upgrade.waitingForPasskey": VM(
            screen: .signedIn, canStart: true, account: account([], offers: .init(createPasskey: upgradePanel)), toAccount: true),
        "signedIn.upgrade.saving": VM(
            screen: .signedIn, canStart: true, account: account([], offers: .init(createPasskey: upgradePanel)), toAccount: true),
        "signedIn.upgrade.saving+renaming": VM(
            screen: .signedIn, progress: "Renaming the passkey to “Work”…", account: account(busy(0), offers: .init(removePassword: true))),
        // The sign-in page's password and recovery code: the code's form shows once a code is mailed or at hand.
        "signedOut+codeSent": VM(screen: .signedOut, notice: codeSent, canStart: true, offersAutofill: true, codeSent: true),
        "autofill.waitingForPasskey+codeSent": VM(screen: .signedOut, notice: codeSent, canStart: true, codeSent: true),
        "withoutPasskey.checkingPassword": VM(screen: .signedOut, progress: "Signing in…"),
        "withoutPasskey.sendingCode": VM(screen: .signedOut, progress: "Sending a code…"),
        "withoutPasskey.sendingCode+codeSent": VM(screen: .signedOut, progress: "Sending a code…", codeSent: true),
        "withoutPasskey.checkingCode": VM(screen: .signedOut, progress: "Checking the code…", codeSent: true),
    ]
    static let codeSent = "If an account has this address, a code is on its way. It is valid for a few minutes."

    @Test("a problem takes the place of the code's notice, and the code's form stays")
    func problemOverCodeNotice() {
        let view = Auth.view(F.signedOut(.invalidCode, codeSent: true))
        #expect(view.notice == nil)
        #expect(view.codeSent)
        #expect(view.problem == "This code is wrong, used or expired. Check the mail, or ask for a new code.")
    }

    @Test("a password account goes on to the account page only while it has no passkey")
    func passwordAccountGoesToAccount() {
        #expect(Auth.view(F.signedIn(passkeys: [], status: F.withPassword)).toAccount)
        #expect(!Auth.view(F.signedIn(status: F.withPassword)).toAccount)
        #expect(!Auth.view(F.signedIn(passkeys: nil, status: F.withPassword)).toAccount)
        #expect(!Auth.view(F.signedIn(passkeys: [])).toAccount)
    }

    @Test("every state of the table has its view model")
    func everyState() {
        #expect(Set(Self.expected.keys) == Set(Table.states.map(\.name)))
        for (name, state) in Table.states {
            #expect(Auth.view(state) == Self.expected[name], "\(name)")
        }
    }

    @Test("reloading a list already shown shows no progress, so the page keeps what it says")
    func quietReload() {
        var state = F.signedIn(notice: .added("Laptop"))
        _ = Auth.update(&state, .view(.refresh))
        #expect(Auth.view(state).progress == nil)
        #expect(Auth.view(F.signedIn(.loadingPasskeys, passkeys: nil)).progress == "Loading your passkeys…")
    }

    @Test("each notice in plain words")
    func notices() {
        let notices: [(Auth.Notice, String)] = [
            (.added("YubiKey"), "Added the passkey “YubiKey”."), (.renamed("Work"), "Renamed the passkey to “Work”."),
            (.deleted("YubiKey"), "Deleted the passkey “YubiKey”."), (.savedDisplayName, "Saved your display name."),
        ]
        for (notice, words) in notices {
            #expect(Auth.view(F.signedIn(notice: notice)).notice == words)
        }
    }

    @Test("a passkey that is eligible for backup but not backed up says so")
    func notBackedUp() {
        var state = F.signedIn(passkeys: [F.three])
        _ = Auth.update(&state, .view(.dismissProblem))
        #expect(Auth.view(state).account?.passkeys?.map(\.details) == ["not backed up yet · added 25 Nov 2026"])
    }

    /// Each problem in the words a person reads, and its stable code.
    static let problems: [(Auth.Problem, code: String, words: String)] = [
        (.cancelled, "cancelled", "The passkey request was cancelled. Try again when you are ready."),
        (.noPasskey, "no_passkey", "This device has no passkey for this account. Sign up, or sign in on a device that has one."),
        (.passkeyExists, "passkey_exists", "This device already has a passkey for this account."),
        (.deletedPasskey, "unknown_credential", "That passkey was deleted from its account. Choose another passkey, or sign up again."),
        (.usernameTaken, "username_taken", "An account with that username already exists. Sign in instead, or choose another username."),
        (.usernameRequired, "username_required", "Enter a username."),
        (.emailRequired, "email_required", "Type your email first, then choose Create account."),
        (.invalidEmail, "invalid_email", "Enter a valid email address, like ada@example.com."),
        (.signInCancelled, "sign_in_cancelled", "Sign-in was cancelled, or there is no passkey for this site on this device."),
        (.offline, "offline", "Can’t reach the server. Check your connection and try again."),
        (.sessionEnded, "unauthenticated", "You have been signed out. Sign in again."),
        (.lastPasskey, "last_passkey", "This is your only passkey. Deleting it would lock you out of your account: add another passkey first."),
        (.passkeyNotFound, "not_found", "That passkey is no longer on your account."),
        (.rateLimited(retryAfter: 3), "rate_limited", "Too many attempts. Try again in 3 seconds."),
        (.rateLimited(retryAfter: nil), "rate_limited", "Too many attempts. Try again in a minute."),
        (.refused(code: "invalid_username", message: "a username has at most 64 characters"), "invalid_username",
         "The server refused: a username has at most 64 characters (invalid_username)."),
        (.passkeyFailed("the authenticator broke"), "passkey_failed", "The passkey could not be used: the authenticator broke."),
        (.invalidUsername, "invalid_username", "Enter a username of at most 64 characters, without invisible characters."),
        (.invalidName, "invalid_name", "Use a name of 1 to 64 characters that shows, without control or invisible characters."),
        (.credentialExists, "credential_exists", "This passkey is already registered."),
        (.ceremonyEnded(code: "ceremony_not_found"), "ceremony_not_found", "That took too long or was interrupted. Please try again."),
        (.accountDisabled, "account_disabled", "This account is disabled. Ask the site’s operators to turn it on again."),
        (.unreadableResponse, "unreadable_response", "The server's answer could not be understood. Try again later."),
    ]

    @Test("every problem reads as plain words with a stable code")
    func problemWords() {
        for (problem, code, words) in Self.problems {
            #expect(problem.code == code)
            #expect(problem.words == words)
            #expect(Auth.view(F.signedOut(problem)).problem == words)
        }
    }
}
