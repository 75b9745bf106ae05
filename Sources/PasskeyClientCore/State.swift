extension Auth {
    /// Where the person is: signed out, in a ceremony, or signed in doing something.
    public enum State: Equatable, Sendable {
        /// The app has just started and does not know yet whether a session exists; send
        /// ``ViewEvent/refresh`` to ask the server.
        case starting
        /// `GET /api/session` is in flight.
        case checkingSession
        case signedOut(SignedOut)
        case signingUp(SignUp)
        case signingIn(SignIn)
        /// Signing in without a passkey, or asking for the mailed code that does (SignInExtras.swift).
        case withoutPasskey(WithoutPasskey)
        case signedIn(Account)

        /// The state an app starts in.
        public static let initial = State.starting
    }

    /// Signed out, with the problem that ended the last attempt if there was one.
    public struct SignedOut: Equatable, Sendable {
        public var problem: Problem?
        /// The last autofill request ended on its own (the server or the provider failed it): it is
        /// not offered again until the person starts something, so a failure cannot repeat in a loop.
        public var autofillEnded: Bool
        /// A recovery code was mailed, or a mail's link brought one: the form shows where to type it.
        public var codeSent: Bool

        public init(problem: Problem? = nil, autofillEnded: Bool = false, codeSent: Bool = false) {
            self.problem = problem
            self.autofillEnded = autofillEnded
            self.codeSent = codeSent
        }

        /// Whether the form should offer passkeys in its username field's autofill now.
        public var offersAutofill: Bool { !autofillEnded }
    }

    /// How far a ceremony has come: options from the server, a credential from the passkey
    /// provider, then the server's verdict.
    public enum Step: Equatable, Sendable {
        case requestingOptions
        case waitingForPasskey
        case finishing
    }

    /// Creating an account with a new passkey.
    public struct SignUp: Equatable, Sendable {
        public var username: String
        public var displayName: String?
        public var step: Step

        public init(username: String, displayName: String? = nil, step: Step) {
            self.username = username
            self.displayName = displayName
            self.step = step
        }
    }

    /// Signing in with an existing passkey.
    public struct SignIn: Equatable, Sendable {
        /// The username typed, or `nil` to let the person pick any passkey for the site.
        public var username: String?
        public var mediation: Mediation
        public var step: Step
        /// The problem that ended the person's last attempt, still shown while autofill waits
        /// behind the form.
        public var problem: Problem?
        /// The recovery code form, still shown while autofill waits behind the form (``SignedOut/codeSent``).
        public var codeSent: Bool
        /// What the person asked for while this autofill request's options were on their way: it
        /// is taken when they arrive. The server keeps one ceremony per browser, and of two options
        /// requests in flight at once the one answered last would take it from the other.
        public var heldIntent: ViewEvent?

        public init(
            username: String? = nil, mediation: Mediation = .modal, step: Step, problem: Problem? = nil, codeSent: Bool = false,
            heldIntent: ViewEvent? = nil
        ) {
            self.username = username
            self.mediation = mediation
            self.step = step
            self.problem = problem
            self.codeSent = codeSent
            self.heldIntent = heldIntent
        }

        /// The signed-out form this background autofill request waits behind, when it ends by itself.
        var formBehind: SignedOut {
            SignedOut(problem: problem, autofillEnded: true, codeSent: codeSent)
        }

        /// An autofill request in the background (fetching its options or waiting for a pick),
        /// which the person may overrule by signing up or signing in another way.
        var isBackgroundAutofill: Bool { mediation == .conditional && step != .finishing }
    }

    /// A signed-in account.
    public struct Account: Equatable, Sendable {
        public var user: User
        /// The account's passkeys, oldest first; `nil` until they are loaded.
        public var passkeys: [Passkey]?
        public var activity: Activity
        /// The problem that ended the last activity, if one did.
        public var problem: Problem?
        /// What the last activity achieved, if it finished ("Added the passkey “YubiKey”.").
        public var notice: Notice?
        /// The relying party's ID, when the server named it: without it the core sends the
        /// passkey provider no signals, as it could not say which site they are about.
        public var rpID: String?
        /// Recovery session, confirmed address, password (AccountExtras.swift).
        public var status: AccountStatus
        /// The automatic passkey upgrade; `nil` until it is asked for.
        public var upgrade: Upgrade?

        public init(
            user: User, passkeys: [Passkey]? = nil, activity: Activity = .idle, problem: Problem? = nil, rpID: String? = nil,
            notice: Notice? = nil, status: AccountStatus = AccountStatus(), upgrade: Upgrade? = nil
        ) {
            self.status = status
            self.upgrade = upgrade
            self.user = user
            self.passkeys = passkeys
            self.activity = activity
            self.problem = problem
            self.rpID = rpID
            self.notice = notice
        }
    }

    /// An activity that finished, to confirm to the person.
    public enum Notice: Equatable, Sendable {
        /// A passkey was added, with its name.
        case added(String)
        /// A passkey was renamed, to this name.
        case renamed(String)
        /// A passkey was deleted, with the name it had.
        case deleted(String)
        case savedDisplayName
        /// Email confirmation, the password, the upgrade (AccountExtras.swift).
        case account(AccountPhrase)
    }

    /// What a signed-in account is waiting for. One thing at a time: the person's intents are
    /// taken only when it is ``idle``.
    public enum Activity: Equatable, Sendable {
        case idle
        case loadingPasskeys
        case addingPasskey(Step)
        case renaming(PasskeyID, name: String)
        case deleting(PasskeyID)
        case changingDisplayName(String)
        case deletingAccount
        case signingOut
        case confirmingEmail
        case resendingEmailCode
        case removingPassword
    }
}
