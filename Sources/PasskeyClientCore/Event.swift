extension Auth {
    /// Something that happened: a person's intent, or the result of an effect.
    public enum Event: Equatable, Sendable {
        /// From the person, through the view.
        case view(ViewEvent)
        /// The answer to an ``Effect/api(_:)`` effect.
        case api(APIResponse)
        /// The answer to a ``PasskeyRequest/create(_:)`` or ``PasskeyRequest/get(_:_:)`` effect.
        case passkey(PasskeyResult)
    }

    /// What the person asks for.
    public enum ViewEvent: Equatable, Sendable {
        /// Find out whether a session exists (at start), or reload the account's passkeys.
        case refresh
        /// At start, instead of ``refresh``: show the sign-in form even if a session exists, because
        /// an application asked for a fresh sign-in (OpenID Connect's `prompt=login` or `max_age`).
        /// Signing in then replaces the session; leaving the page keeps it.
        case signInAgain
        /// Create an account with a new passkey. With `email`, the username must be an email
        /// address (a web form's email field): the core checks it before asking the server.
        case signUp(username: String, displayName: String? = nil, email: Bool = false)
        /// Sign in with a passkey: one of this username's, or (`nil` or empty) any for the site.
        case signIn(username: String? = nil)
        /// The sign-in form is showing: offer passkeys in its username field's autofill.
        case startAutofill
        /// Add another passkey to the signed-in account.
        case addPasskey
        case renamePasskey(PasskeyID, name: String)
        case deletePasskey(PasskeyID)
        case changeDisplayName(String)
        /// Delete the account, its passkeys and its sessions.
        case deleteAccount
        case signOut
        /// Stop waiting for the passkey provider.
        case cancel
        /// The person has read the problem shown.
        case dismissProblem
        /// Confirm the account's email address with the mailed code (and the mail link's `proof`,
        /// when the code came from the link).
        case confirmEmail(code: String, proof: String? = nil)
        /// Mail a new code that confirms the address.
        case resendEmailCode
        /// Remove the account's password: it signs in with its passkeys.
        case removePassword
        /// Sign in with the password an imported account still has (docs/migration.md).
        case signInWithPassword(username: String, password: String)
        /// Mail a recovery code to the account with this address (docs/recovery.md).
        case requestRecoveryCode(email: String)
        /// Sign in with the mailed recovery code: a recovery session, which adds a new passkey.
        /// `proof` is the mail link's (its `proof=`), which no wrong guess can use up.
        case redeemRecoveryCode(email: String, code: String, proof: String? = nil)
    }

    /// What the shell must do. Effects are data: the shell performs them and sends their results
    /// back as events.
    public enum Effect: Equatable, Sendable {
        /// Send this request to the server and answer with ``Event/api(_:)``.
        case api(APIRequest)
        /// Ask the platform's passkey provider and answer with ``Event/passkey(_:)`` (``PasskeyRequest/cancel``
        /// and the three signals have no answer; a shell whose platform cannot signal ignores them).
        case passkey(PasskeyRequest)
        /// Show ``Auth/view(_:)`` of the new state.
        case render
    }
}
