extension Auth {
    /// What a screen shows: everything a view needs, already in words.
    public struct ViewModel: Equatable, Sendable {
        /// Which screen the shell shows.
        public enum Screen: Equatable, Sendable {
            /// Not known yet whether anyone is signed in.
            case loading
            /// The sign-up and sign-in forms.
            case signedOut
            /// The account and its passkeys.
            case signedIn
        }

        public var screen: Screen
        /// What is happening, for a progress indicator; `nil` when nothing is (or only an autofill
        /// request waits in the background).
        public var progress: String?
        /// A problem the person can act on, in plain words.
        public var problem: String?
        /// What the last activity achieved, in plain words ("Added the passkey “YubiKey”.").
        public var notice: String?
        /// Whether to offer a Cancel button: the passkey provider is asking the person.
        public var canCancel: Bool
        /// Whether the person can start something now (sign up, sign in, add, rename, delete, sign out).
        public var canStart: Bool
        /// Whether a sign-in form should offer passkeys in its username field's autofill (send
        /// ``ViewEvent/startAutofill``): signed out, and autofill has not just ended by itself.
        public var offersAutofill: Bool
        /// The signed-in account.
        public var account: AccountRow?
        /// Signed out: a recovery code was mailed or brought by a link, so the form to type it shows.
        public var codeSent: Bool
        /// Signed in with work left on the account page — a recovery session's new passkey, a
        /// password account's first — so a sign-in page goes there, not where it was asked to lead.
        public var toAccount: Bool

        public init(
            screen: Screen, progress: String? = nil, problem: String? = nil, notice: String? = nil,
            canCancel: Bool = false, canStart: Bool = false, offersAutofill: Bool = false, account: AccountRow? = nil,
            codeSent: Bool = false, toAccount: Bool = false
        ) {
            self.codeSent = codeSent
            self.toAccount = toAccount
            self.screen = screen
            self.progress = progress
            self.problem = problem
            self.notice = notice
            self.canCancel = canCancel
            self.canStart = canStart
            self.offersAutofill = offersAutofill
            self.account = account
        }
    }

    /// The signed-in account, as shown.
    public struct AccountRow: Equatable, Sendable {
        public var username: String
        public var displayName: String
        /// The passkeys, oldest first; `nil` until they are loaded.
        public var passkeys: [PasskeyRow]?
        /// Email confirmation, the recovery's or upgrade's passkey, the password.
        public var offers: AccountOffers

        public init(username: String, displayName: String, passkeys: [PasskeyRow]?, offers: AccountOffers = AccountOffers()) {
            self.username = username
            self.displayName = displayName
            self.passkeys = passkeys
            self.offers = offers
        }
    }

    /// One passkey, as shown in the account's list.
    public struct PasskeyRow: Equatable, Sendable {
        public var id: PasskeyID
        public var name: String
        /// Where it lives and when it was used: `iCloud Keychain · synced · added 2026-11-22 · last used 2026-11-23`.
        public var details: String
        /// Whether it is being renamed or deleted right now.
        public var isBusy: Bool

        public init(id: PasskeyID, name: String, details: String, isBusy: Bool = false) {
            self.id = id
            self.name = name
            self.details = details
            self.isBusy = isBusy
        }
    }

    /// What to show for a state, in words of `language`.
    public static func view(_ state: State, in language: Language = .english) -> ViewModel {
        switch state {
        case .starting:
            ViewModel(screen: .loading)
        case .checkingSession:
            ViewModel(screen: .loading, progress: language(.checkingSession))
        case .signedOut(let signedOut):
            ViewModel(
                screen: .signedOut, problem: signedOut.problem?.words(in: language),
                notice: codeSentNotice(signedOut.codeSent, signedOut.problem, language), canStart: true,
                offersAutofill: signedOut.offersAutofill, codeSent: signedOut.codeSent)
        case .signingUp(let signUp):
            ViewModel(
                screen: .signedOut,
                progress: language(signUp.progress),
                canCancel: signUp.step == .waitingForPasskey)
        case .signingIn(let signIn) where signIn.heldIntent != nil:
            // What the person asked for waits a moment for autofill's options (``SignIn/heldIntent``).
            ViewModel(screen: .signedOut, progress: language(.contactingServer), codeSent: signIn.codeSent)
        case .signingIn(let signIn) where signIn.mediation == .conditional && signIn.step != .finishing:
            // Autofill waits quietly behind the form, which shows the last attempt's problem and
            // stays usable: starting something else overrules it.
            ViewModel(
                screen: .signedOut, problem: signIn.problem?.words(in: language),
                notice: codeSentNotice(signIn.codeSent, signIn.problem, language), canStart: true, codeSent: signIn.codeSent)
        case .signingIn(let signIn):
            ViewModel(
                screen: .signedOut,
                progress: language(signIn.progress),
                canCancel: signIn.step == .waitingForPasskey)
        case .withoutPasskey(let way):
            ViewModel(screen: .signedOut, progress: language(way.progress), codeSent: way.codeSent || way.step == .checkingCode)
        case .signedIn(let account):
            ViewModel(
                screen: .signedIn,
                // Reloading a list already shown is quiet: it keeps what the page says.
                progress: account.activity == .loadingPasskeys && account.passkeys != nil
                    ? nil : account.activity.progress.map { language($0) },
                problem: account.problem?.words(in: language),
                notice: account.notice.map { language(.notice($0)) },
                canCancel: account.activity == .addingPasskey(.waitingForPasskey),
                canStart: account.activity == .idle,
                account: AccountRow(
                    username: account.user.username,
                    displayName: account.user.displayName,
                    passkeys: account.passkeys?.map { passkey in
                        PasskeyRow(
                            id: passkey.id, name: passkey.name, details: passkey.details(in: language),
                            isBusy: account.activity.concerns(passkey.id))
                    },
                    offers: account.offers(in: language)),
                toAccount: account.status.recovery || (account.status.hasPassword && account.passkeys?.isEmpty == true))
        }
    }

    /// "A code is on its way", while the code's form shows and no problem is shown instead.
    private static func codeSentNotice(_ codeSent: Bool, _ problem: Problem?, _ language: Language) -> String? {
        codeSent && problem == nil ? language(.account(.recoveryCodeSent)) : nil
    }
}

extension Auth.WithoutPasskey {
    var progress: Auth.Phrase {
        switch step {
        case .checkingPassword: .signingIn
        case .sendingCode: .account(.sendingRecoveryCode)
        case .checkingCode: .account(.checkingRecoveryCode)
        }
    }
}

extension Auth.SignUp {
    var progress: Auth.Phrase {
        switch step {
        case .requestingOptions: .contactingServer
        case .waitingForPasskey: .createPasskeyFor(username: username)
        case .finishing: .creatingAccount
        }
    }
}

extension Auth.SignIn {
    var progress: Auth.Phrase {
        switch step {
        case .requestingOptions: .contactingServer
        case .waitingForPasskey: .choosePasskey
        case .finishing: .signingIn
        }
    }
}

extension Auth.Activity {
    var progress: Auth.Phrase? {
        switch self {
        case .idle: nil
        case .loadingPasskeys: .loadingPasskeys
        case .addingPasskey(.requestingOptions): .contactingServer
        case .addingPasskey(.waitingForPasskey): .createPasskey
        case .addingPasskey(.finishing): .savingPasskey
        case .renaming(_, let name): .renamingPasskey(to: name)
        case .deleting: .deletingPasskey
        case .changingDisplayName: .savingName
        case .deletingAccount: .deletingAccount
        case .signingOut: .signingOut
        case .confirmingEmail: .account(.confirmingEmail)
        case .resendingEmailCode: .account(.sendingCode)
        case .removingPassword: .account(.removingPassword)
        }
    }

    func concerns(_ id: Auth.PasskeyID) -> Bool {
        switch self {
        case .renaming(let busy, _), .deleting(let busy): busy == id
        default: false
        }
    }
}

extension Auth.Passkey {
    /// Where the passkey lives: the provider the server names, else what its transports say —
    /// a removable key (USB, NFC, Bluetooth, smart card) that is not also on the device is a
    /// security key, anything else a passkey. The server names new passkeys by the same rule.
    public var providerPhrase: Auth.Phrase? {
        if provider != nil { return nil }
        let removable = ["usb", "nfc", "ble", "smart-card"]
        let onDevice = ["internal", "hybrid"]
        let isRemovable = transports.contains { removable.contains($0) } && !transports.contains { onDevice.contains($0) }
        return isRemovable ? .securityKey : .genericPasskey
    }

    /// The provider's name in `language`.
    public func providerName(in language: Auth.Language) -> String {
        provider ?? providerPhrase.map { language($0) } ?? ""
    }

    /// `iCloud Keychain · synced · added 22 Nov 2026 · last used 23 Nov 2026`, in `language`;
    /// the provider is left out when the server does not know it.
    func details(in language: Auth.Language) -> String {
        var parts: [String] = []
        if let provider { parts.append(provider) }
        parts.append(language(synced ? .synced : backupEligible ? .notBackedUp : .thisDeviceOnly))
        parts.append(Self.when(createdAt, language, Auth.Phrase.added))
        if let lastUsedAt { parts.append(Self.when(lastUsedAt, language, Auth.Phrase.lastUsed)) }
        return parts.joined(separator: " · ")
    }

    /// `phrase` of the day `time` names; a time that is not ISO-8601 is shown as it came.
    private static func when(_ time: String, _ language: Auth.Language, _ phrase: (Auth.Day) -> Auth.Phrase) -> String {
        guard let day = Auth.Day(iso8601: time) else { return time }
        return language(phrase(day))
    }
}
