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
        /// Whether to offer a Cancel button: the passkey provider is asking the person.
        public var canCancel: Bool
        /// Whether the person can start something now (sign up, sign in, add, rename, delete, sign out).
        public var canStart: Bool
        /// The signed-in account.
        public var account: AccountRow?

        public init(
            screen: Screen, progress: String? = nil, problem: String? = nil,
            canCancel: Bool = false, canStart: Bool = false, account: AccountRow? = nil
        ) {
            self.screen = screen
            self.progress = progress
            self.problem = problem
            self.canCancel = canCancel
            self.canStart = canStart
            self.account = account
        }
    }

    /// The signed-in account, as shown.
    public struct AccountRow: Equatable, Sendable {
        public var username: String
        public var displayName: String
        /// The passkeys, oldest first; `nil` until they are loaded.
        public var passkeys: [PasskeyRow]?

        public init(username: String, displayName: String, passkeys: [PasskeyRow]?) {
            self.username = username
            self.displayName = displayName
            self.passkeys = passkeys
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

    /// What to show for a state.
    public static func view(_ state: State) -> ViewModel {
        switch state {
        case .starting:
            ViewModel(screen: .loading)
        case .checkingSession:
            ViewModel(screen: .loading, progress: "Checking whether you are signed in…")
        case .signedOut(let signedOut):
            ViewModel(screen: .signedOut, problem: signedOut.problem?.words, canStart: true)
        case .signingUp(let signUp):
            ViewModel(
                screen: .signedOut,
                progress: signUp.progress,
                canCancel: signUp.step == .waitingForPasskey)
        case .signingIn(let signIn) where signIn.mediation == .conditional && signIn.step != .finishing:
            // Autofill waits quietly behind the form; only a waiting request can be overruled.
            ViewModel(screen: .signedOut, canStart: signIn.step == .waitingForPasskey)
        case .signingIn(let signIn):
            ViewModel(
                screen: .signedOut,
                progress: signIn.progress,
                canCancel: signIn.step == .waitingForPasskey)
        case .signedIn(let account):
            ViewModel(
                screen: .signedIn,
                progress: account.activity.progress,
                problem: account.problem?.words,
                canCancel: account.activity == .addingPasskey(.waitingForPasskey),
                canStart: account.activity == .idle,
                account: AccountRow(
                    username: account.user.username,
                    displayName: account.user.displayName,
                    passkeys: account.passkeys?.map { passkey in
                        PasskeyRow(
                            id: passkey.id, name: passkey.name, details: passkey.details,
                            isBusy: account.activity.concerns(passkey.id))
                    }))
        }
    }
}

extension Auth.SignUp {
    var progress: String {
        switch step {
        case .requestingOptions: "Contacting the server…"
        case .waitingForPasskey: "Create a passkey for “\(username)” when your device asks."
        case .finishing: "Creating your account…"
        }
    }
}

extension Auth.SignIn {
    var progress: String {
        switch step {
        case .requestingOptions: "Contacting the server…"
        case .waitingForPasskey: "Choose a passkey when your device asks."
        case .finishing: "Signing in…"
        }
    }
}

extension Auth.Activity {
    var progress: String? {
        switch self {
        case .idle: nil
        case .loadingPasskeys: "Loading your passkeys…"
        case .addingPasskey(.requestingOptions): "Contacting the server…"
        case .addingPasskey(.waitingForPasskey): "Create a passkey when your device asks."
        case .addingPasskey(.finishing): "Saving your new passkey…"
        case .renaming(_, let name): "Renaming the passkey to “\(name)”…"
        case .deleting: "Deleting the passkey…"
        case .changingDisplayName: "Saving your name…"
        case .deletingAccount: "Deleting your account…"
        case .signingOut: "Signing out…"
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
    /// `iCloud Keychain · synced · added 2026-11-22 · last used 2026-11-23`.
    var details: String {
        var parts: [String] = []
        if let provider { parts.append(provider) }
        parts.append(synced ? "synced" : backupEligible ? "not backed up yet" : "this device only")
        parts.append("added " + Self.day(createdAt))
        if let lastUsedAt { parts.append("last used " + Self.day(lastUsedAt)) }
        return parts.joined(separator: " · ")
    }

    /// The date of an ISO-8601 time: its first ten characters, all ASCII.
    private static func day(_ time: String) -> String {
        String(decoding: time.utf8.prefix(10), as: UTF8.self)
    }
}
