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
            case .usernameTaken: "An account with that username exists. Sign in instead, or choose another username."
            case .usernameRequired: "Enter a username."
            case .invalidUsername: "Enter a username of at most 64 characters, without invisible characters."
            case .invalidName: "Use a name of 1 to 64 characters that shows, without control or invisible characters."
            case .credentialExists: "This passkey is already registered."
            case .ceremonyEnded: "That took too long or was interrupted. Please try again."
            case .accountDisabled: "This account is disabled. Ask the site’s operators to turn it on again."
            case .offline: "The server cannot be reached. Check your connection and try again."
            case .sessionEnded: "You have been signed out. Sign in again."
            case .lastPasskey: "This is the account's only passkey. Add another before deleting it."
            case .passkeyNotFound: "That passkey is no longer on your account."
            case .rateLimited(let seconds?): "Too many attempts. Try again in \(seconds) seconds."
            case .rateLimited(nil): "Too many attempts. Try again in a minute."
            case .refused(let code, let message): "The server refused: \(message) (\(code))."
            case .passkeyFailed(let message): "The passkey could not be used: \(message)."
            case .unreadableResponse: "The server's answer could not be understood. Try again later."
            }
        case .checkingSession: "Checking whether you are signed in…"
        case .contactingServer: "Contacting the server…"
        case .createPasskeyFor(let username): "Create a passkey for “\(username)” when your device asks."
        case .creatingAccount: "Creating your account…"
        case .choosePasskey: "Choose a passkey when your device asks."
        case .signingIn: "Signing in…"
        case .loadingPasskeys: "Loading your passkeys…"
        case .createPasskey: "Create a passkey when your device asks."
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
        case .mail(let mail): englishMail(mail)
        case .security(let phrase): englishSecurity(phrase)
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
        case .sessionsHeading: return "Where you’re signed in"
        case .activityHeading: return "Recent activity"
        case .endSession: return "Sign out"
        case .endOtherSessions: return "Sign out everywhere else"
        case .moreActivity: return "Show older activity"
        case .appAllowed(let at, let scopes): return "Allowed \(at): " + scopes.joined(separator: ", ")
        case .removeAppFor(let name): return "Remove access for \(name)"
        case .removedApp(let name): return "Removed the access of \(name)."
        case .removingApp: return "Removing the app’s access…"
        case .appsHeading: return "Apps"
        case .appsIntro: return "Apps you allowed to sign you in with this account."
        case .noApps: return "No apps yet."
        case .removeApp: return "Remove access"
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
}
