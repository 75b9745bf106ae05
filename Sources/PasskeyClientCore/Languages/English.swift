extension Auth.Language {
    /// English.
    public static let english = Auth.Language(code: "en", name: "English") { phrase in
        switch phrase {
        case .problem(let problem):
            switch problem {
            case .cancelled: "The passkey request was cancelled. Try again when you are ready."
            case .noPasskey: "This device has no passkey for this account. Sign up, or sign in on a device that has one."
            case .passkeyExists: "This device already has a passkey for this account."
            case .deletedPasskey: "That passkey was deleted from its account. Choose another passkey, or sign up again."
            case .usernameTaken: "An account with that username already exists. Sign in instead, or choose another username."
            case .usernameRequired: "Enter a username."
            case .emailRequired: "Type your email first, then choose Create account."
            case .invalidEmail: "Enter a valid email address, like ada@example.com."
            case .signInCancelled: "Sign-in was cancelled, or there is no passkey for this site on this device."
            case .invalidUsername: "Enter a username of at most 64 characters, without invisible characters."
            case .invalidName: "Use a name of 1 to 64 characters that shows, without control or invisible characters."
            case .credentialExists: "This passkey is already registered."
            case .ceremonyEnded: "That took too long or was interrupted. Please try again."
            case .accountDisabled: "This account is disabled. Ask the site’s operators to turn it on again."
            case .invalidCode: "This code is wrong, used or expired. Check the mail, or ask for a new code."
            case .offline: "Can’t reach the server. Check your connection and try again."
            case .sessionEnded: "You have been signed out. Sign in again."
            case .lastPasskey: "This is your only passkey. Deleting it would lock you out of your account: add another passkey first."
            case .passkeyNotFound: "That passkey is no longer on your account."
            case .accountChanged: "This browser signed in to another account in another window. Check the account shown here before you go on."
            case .rateLimited(let seconds?): "Too many attempts. Try again in \(seconds) seconds."
            case .rateLimited(nil): "Too many attempts. Try again in a minute."
            case .refused(let code, let message): "The server refused: \(message) (\(code))."
            case .passkeyFailed(let message): "The passkey could not be used: \(message)."
            case .unreadableResponse: "The server's answer could not be understood. Try again later."
            case .passkeyFirst: "Create a passkey first: without one you could not sign in."
            case .recoverySession: "Create your new passkey first: until then this recovery session can do nothing else."
            case .noPassword: "This account has no password any more."
            case .emailAlreadyConfirmed: "Your email address is confirmed already."
            case .invalidCredentials: "The email or password is wrong."
            case .passwordRequired: "Type your email and password, or sign in with a passkey."
            case .recoveryEmailRequired: "Enter the email address of your account."
            }
        case .checkingSession: "Checking whether you are signed in…"
        case .contactingServer: "Contacting the server…"
        case .createPasskeyFor(let username): "Waiting for your passkey: create one for “\(username)” when your device asks."
        case .creatingAccount: "Creating your account…"
        case .choosePasskey: "Waiting for your passkey: choose one when your device asks."
        case .signingIn: "Signing in…"
        case .loadingPasskeys: "Loading your passkeys…"
        case .createPasskey: "Waiting for your new passkey: create it when your device asks."
        case .savingPasskey: "Saving your new passkey…"
        case .renamingPasskey(let name): "Renaming the passkey to “\(name)”…"
        case .deletingPasskey: "Deleting the passkey…"
        case .savingName: "Saving your name…"
        case .deletingAccount: "Deleting your account…"
        case .signingOut: "Signing out…"
        case .synced: "synced"
        case .notBackedUp: "not backed up yet"
        case .thisDeviceOnly: "this device only"
        case .added(let day): "added " + englishDay(day)
        case .lastUsed(let day): "last used " + englishDay(day)
        case .securityKey: "Security key"
        case .genericPasskey: "Passkey"
        case .passkeyCount(let count): count == 1 ? "1 passkey" : "\(count) passkeys"
        case .day(let day): englishDay(day)
        case .greeting(let name): "Hello, \(name)"
        case .notice(.added(let name)): "Added the passkey “\(name)”."
        case .notice(.renamed(let name)): "Renamed the passkey to “\(name)”."
        case .notice(.deleted(let name)): "Deleted the passkey “\(name)”."
        case .notice(.savedDisplayName): "Saved your display name."
        case .confirmDeletePasskey(let name): "Delete “\(name)”?"
        case .confirmDeleteAccount(let username): "This deletes \(username) and all of its passkeys from this site. It cannot be undone."
        case .label(let label):
            switch label {
            case .signInTitle: "Sign in · Passkeys"
            case .signInHeading: "Sign in"
            case .signInLede: "Use a passkey: your fingerprint, face, screen lock or security key. No password needed."
            case .email: "Email"
            case .emailHint: "Your saved passkeys appear as suggestions here."
            case .password: "Password"
            case .passwordNote: "(only for accounts moved here with one)"
            case .signInWithPassword: "Sign in with password"
            case .signInWithPasskey: "Sign in with a passkey"
            case .newHere: "New here?"
            case .createAccount: "Create account"
            case .createAccountHint: "Creates an account for the email above and a passkey on this device."
            case .lostPasskey: "Lost your passkey?"
            case .recoverHeading: "Recover your account"
            case .recoveryEmail: "Your account’s email"
            case .emailMeACode: "Email me a code"
            case .recoveryCode: "The 8-digit code from the mail"
            case .recoveryContinue: "Continue"
            case .accountTitle: "Your account · Passkeys"
            case .signOut: "Sign out"
            case .yourAccount: "Your account"
            case .signedInAs: "Signed in as"
            case .displayName: "Display name"
            case .save: "Save"
            case .displayNameHint: "Shown by your devices next to your passkeys for this site."
            case .passkeys: "Passkeys"
            case .addPasskey: "Add a passkey"
            case .deleteAccountHeading: "Delete account"
            case .deleteAccountText: "Removes your account and all of its passkeys from this site. This cannot be undone."
            case .deleteAccountButton: "Delete account…"
            case .newNameFor: "New name for"
            case .cancel: "Cancel"
            case .created: "Created"
            case .lastUsed: "Last used"
            case .rename: "Rename"
            case .delete: "Delete"
            case .synced: "Synced"
            case .thisDeviceOnly: "This device only"
            case .notBackedUp: "Not backed up yet"
            case .never: "Never"
            case .deletePasskeyText: "You will no longer be able to sign in with this passkey, and every browser signed in with it is signed out, this one too if you signed in here with it. Your device may keep showing it until it learns that it was deleted."
            case .deletePasskeyConfirm: "Delete passkey"
            case .deleteAccountTitle: "Delete your account?"
            case .deleteAccountConfirm: "Delete account"
            case .sessionsHeading: "Where you’re signed in"
            case .activityHeading: "Recent activity"
            case .endSession: "Sign out"
            case .endOtherSessions: "Sign out everywhere else"
            case .moreActivity: "Show older activity"
            case .appsHeading: "Apps"
            case .appsIntro: "Apps you allowed to sign you in with this account."
            case .noApps: "No apps yet."
            case .removeApp: "Remove access"
            case .consentPageTitle: "Allow access · Passkeys"
            case .allow: "Allow"
            case .deny: "Deny"
            case .consentHint: "You can remove this access at any time from your account page."
            }
        case .mail(let mail): englishMail(mail)
        case .security(let phrase): englishSecurity(phrase)
        case .consent(let phrase): englishConsent(phrase)
        case .account(let phrase), .notice(.account(let phrase)): englishAccount(phrase)
        }
    }

    private static func englishAccount(_ phrase: Auth.AccountPhrase) -> String {
        switch phrase {
        case .upgradeHeading: "Create a passkey"
        case .upgradeText: "Sign in faster and safer next time: create a passkey for this account."
        case .upgradeButton: "Create a passkey"
        case .recoveryHeading: "Create a new passkey"
        case .recoveryText: "You signed in with a recovery code. Create a new passkey on this device to finish; then you can delete the passkey you lost below."
        case .recoveryTextNoPasskeys: "You signed in with a recovery code. Create a new passkey on this device to finish."
        case .recoveryButton: "Create a new passkey"
        case .verifyHeading: "Confirm your email"
        case .verifyText: "Confirm your address with an 8-digit code we mail to it: enter the code from the mail, or send one if you have none. A confirmed address lets you recover your account if you lose your passkeys."
        case .verifyCode: "Code"
        case .verifyConfirm: "Confirm"
        case .verifyResend: "Send a new code"
        case .passwordHeading: "Password"
        case .passwordText: "This account still has the password it was moved here with. Your passkeys make it unnecessary."
        case .removePassword: "Remove password"
        case .confirmingEmail: "Confirming your email address…"
        case .sendingCode: "Sending a new code…"
        case .removingPassword: "Removing your password…"
        case .emailConfirmed: "Your email address is confirmed."
        case .codeSent: "A new code is on its way. Check your mail."
        case .passwordRemoved: "Your password is removed. You sign in with your passkeys now."
        case .sendingRecoveryCode: "Sending a code…"
        case .recoveryCodeSent: "If an account has this address, a code is on its way. It is valid for a few minutes."
        case .checkingRecoveryCode: "Checking the code…"
        case .upgraded(let name): "Your browser created the passkey “\(name)”. Next time, sign in with it."
        }
    }

    private static func englishDay(_ day: Auth.Day) -> String {
        "\(day.day) " + ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][day.month - 1]
                + " \(day.year)"
    }

    private static func englishMail(_ mail: Auth.Mail) -> String {
        switch mail {
        case .yourCode: "Your code:"
        case .orOpenLink: "Or open this link:"
        case .duration(let seconds):
            if seconds % 3600 == 0 { seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
            else if seconds % 60 == 0 { seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
            else { seconds == 1 ? "1 second" : "\(seconds) seconds" }
        case .verificationSubject(let site): "Confirm your email address for \(site)"
        case .verificationTitle: "Confirm your email address"
        case .verificationIntro(let site): "Confirm your email address for \(site)."
        case .verificationLink: "Confirm my address"
        case .verificationFooter(let validFor):
            "The code is valid for \(validFor). If you did not create an account, ignore this mail."
        case .recoverySubject(let site): "Recover your \(site) account"
        case .recoveryTitle: "Recover your account"
        case .recoveryIntro(let site): "Someone asked to recover the \(site) account of this address."
        case .recoveryLink: "Create a new passkey"
        case .recoveryFooter(let validFor):
            "With it you can create a new passkey. The code is valid for \(validFor) and works once. If you did not ask for it, ignore this mail: nothing changes without the code."
        }
    }

    private static func englishSecurity(_ phrase: Auth.Security.Phrase) -> String {
        func with(_ passkey: Auth.Security.PasskeyMention) -> String {
            switch passkey {
            case .none: ""
            case .named(let name): " with “\(name)”"
            case .deleted: " with a passkey since deleted"
            }
        }
        switch phrase {
        case .event(let type, let passkey): return (englishEvents.first { $0.type == type }?.words ?? type) + with(passkey)
        case .unknownDevice: return "Unknown device"
        case .thisBrowser: return "This browser"
        case .session(let signedIn, let passkey, let lastSeen): return "Signed in \(signedIn)\(with(passkey)) · last seen \(lastSeen)"
        case .onlyThisBrowser: return "Only this browser is signed in."
        case .thisBrowserAndOthers(let count): return "This browser and \(count == 1 ? "1 other" : "\(count) others")."
        case .endedSession(let device): return "Signed out \(device)."
        case .endedOtherSessions: return "Signed out everywhere else."
        case .loading: return "Loading where you are signed in and your recent activity…"
        case .endingSession: return "Signing that device out…"
        case .endingOtherSessions: return "Signing out everywhere else…"
        case .loadingMore: return "Loading older activity…"
        case .moment(let moment): return englishDay(moment.day) + ", " + moment.clock
        case .appAllowed(let at, let scopes): return "Allowed \(at): " + scopes.joined(separator: ", ")
        case .removeAppFor(let name): return "Remove access for \(name)"
        case .removedApp(let name): return "Removed the access of \(name)."
        case .removingApp: return "Removing the app’s access…"
        }
    }

    /// The activity log's kinds of event, in the words of this language.
    private static let englishEvents: [(type: String, words: String)] = [
        ("sign_up", "Account created"),
        ("sign_in", "Signed in"),
        ("sign_in_failed", "A sign-in failed"),
        ("passkey_added", "Passkey added"),
        ("passkey_renamed", "Passkey renamed"),
        ("passkey_deleted", "Passkey deleted"),
        ("display_name_changed", "Display name changed"),
        ("session_ended", "Signed out"),
        ("account_disabled", "Account disabled by the site"),
        ("account_enabled", "Account enabled by the site"),
        ("sessions_revoked", "Signed out everywhere by the site"),
        ("account_imported", "Account moved here"),
        ("verification_code_sent", "Confirmation code mailed"),
        ("verification_code_capped", "No confirmation code mailed (too many this hour)"),
        ("email_verified", "Email address confirmed"),
        ("email_verification_failed", "A confirmation code was wrong"),
        ("recovery_code_sent", "Recovery code mailed"),
        ("recovery_code_capped", "No recovery code mailed (too many this hour)"),
        ("recovery_started", "Signed in with a recovery code"),
        ("recovery_failed", "A recovery code was wrong"),
        ("recovery_completed", "Recovery finished with a new passkey"),
        ("password_sign_in", "Signed in with password"),
        ("password_sign_in_failed", "A password sign-in failed"),
        ("password_removed", "Password removed"),
        ("passkey_upgrade", "Passkey created automatically"),
        ("oauth_consent_granted", "App allowed"),
        ("oauth_access_removed", "App access removed"),
    ]

    private static func englishConsent(_ phrase: Auth.Consent.Phrase) -> String {
        switch phrase {
        case .title(let app?): "Allow \(app)?"
        case .title(nil): "Allow access?"
        case .ledeBeforeClient: ""
        case .ledeBeforeUser: " wants to sign you in as "
        case .ledeAfterUser: ". It will see:"
        case .scope("openid"): "An identifier for your account (not your email)"
        case .scope("profile"): "Your username and display name"
        case .scope("email"): "Your email address"
        case .scope("offline_access"): "Access while you are away: it stays signed in until you remove it"
        case .scope: ""
        case .loading: "Loading the request…"
        case .deciding: "Sending your answer…"
        }
    }
}
