extension Auth {
    /// Something that stopped what the person asked for and that they can act on.
    public enum Problem: Equatable, Sendable {
        /// The person dismissed the passkey request, or it timed out.
        case cancelled
        /// This device has no passkey the request can use.
        case noPasskey
        /// This device already holds a passkey for the account.
        case passkeyExists
        /// The passkey used is not registered (any more): `401 unknown_credential`.
        case deletedPasskey
        /// `409 username_taken`.
        case usernameTaken
        /// Sign-up was asked for without a username.
        case usernameRequired
        /// Sign-up from an email field was asked for without an email address.
        case emailRequired
        /// Sign-up from an email field was asked for with something that is not an email address.
        case invalidEmail
        /// A sign-in's passkey request ended without a passkey: the person dismissed it, or no
        /// passkey on this device fits (browsers do not say which, WebAuthn §14.5.2).
        case signInCancelled
        /// `400 invalid_username`.
        case invalidUsername
        /// `400 invalid_name`: a passkey or display name the server does not take.
        case invalidName
        /// `409 credential_exists`: the new passkey is registered already.
        case credentialExists
        /// `400 ceremony_expired` or `ceremony_not_found`, with which: the ceremony took too long or was lost.
        case ceremonyEnded(code: String)
        /// `403 account_disabled`.
        case accountDisabled
        /// `400 invalid_code`: the emailed code is wrong, used, expired or exhausted.
        case invalidCode
        /// The server could not be reached.
        case offline
        /// The session ended (expired, or signed out elsewhere): `401 unauthenticated`.
        case sessionEnded
        /// `409 last_passkey`.
        case lastPasskey
        /// `409 session_changed`: this browser signed in to another account (in another window)
        /// since the page was loaded; the page shows that account now.
        case accountChanged
        /// `404 not_found`: the passkey is not on the account (any more).
        case passkeyNotFound
        /// `429 rate_limited`, with the seconds to wait when the server said.
        case rateLimited(retryAfter: Int?)
        /// Any other refusal, with the server's code and message.
        case refused(code: String, message: String)
        /// The passkey provider failed for another reason, in its words.
        case passkeyFailed(String)
        /// The server answered something the client cannot read.
        case unreadableResponse
        // MARK: The account page's email, recovery and password
        /// `409 no_passkey`: removing the password needs a passkey first.
        case passkeyFirst
        /// `403 recovery_session`: a recovery session must add its passkey first.
        case recoverySession
        /// `404 no_password`: the account has no password (any more).
        case noPassword
        /// `409 email_verified`: the address is confirmed already.
        case emailAlreadyConfirmed
        // MARK: The sign-in page's password and recovery code
        /// `401 invalid_credentials`: the username or the password is wrong (the server does not say which).
        case invalidCredentials
        /// A password sign-in was asked for without a username or a password.
        case passwordRequired
        /// A recovery code was asked for, or typed, without the account's email address.
        case recoveryEmailRequired

        init(_ failure: APIFailure) {
            switch failure {
            case .offline: self = .offline
            case .unreadableResponse: self = .unreadableResponse
            case .refused(let refusal):
                switch refusal.code {
                case "unknown_credential": self = .deletedPasskey
                case "username_taken": self = .usernameTaken
                case "invalid_username": self = .invalidUsername
                case "invalid_name": self = .invalidName
                case "credential_exists": self = .credentialExists
                case "ceremony_expired", "ceremony_not_found": self = .ceremonyEnded(code: refusal.code)
                case "account_disabled": self = .accountDisabled
                case "invalid_code": self = .invalidCode
                case "no_passkey": self = .passkeyFirst
                case "recovery_session": self = .recoverySession
                case "no_password": self = .noPassword
                case "email_verified": self = .emailAlreadyConfirmed
                case "invalid_credentials": self = .invalidCredentials
                case "invalid_email": self = .invalidEmail
                case "unauthenticated": self = .sessionEnded
                case "last_passkey": self = .lastPasskey
                case "session_changed": self = .accountChanged
                case "not_found": self = .passkeyNotFound
                case "rate_limited": self = .rateLimited(retryAfter: refusal.retryAfter)
                default: self = .refused(code: refusal.code, message: refusal.message)
                }
            }
        }

        init(_ failure: PasskeyFailure) {
            switch failure {
            case .cancelled: self = .cancelled
            case .noCredentials: self = .noPasskey
            case .excludedCredentialExists: self = .passkeyExists
            case .failed(let message): self = .passkeyFailed(message)
            }
        }

        /// A sign-in's passkey failure: a cancellation there may also mean that no passkey fits.
        init(signingIn failure: PasskeyFailure) {
            self = failure == .cancelled ? .signInCancelled : Problem(failure)
        }

        /// A stable, machine-readable name: the server's code where the problem is a refusal.
        public var code: String {
            switch self {
            case .cancelled: "cancelled"
            case .noPasskey: "no_passkey"
            case .passkeyExists: "passkey_exists"
            case .deletedPasskey: "unknown_credential"
            case .usernameTaken: "username_taken"
            case .usernameRequired: "username_required"
            case .emailRequired: "email_required"
            case .invalidEmail: "invalid_email"
            case .signInCancelled: "sign_in_cancelled"
            case .invalidUsername: "invalid_username"
            case .invalidName: "invalid_name"
            case .credentialExists: "credential_exists"
            case .ceremonyEnded(let code): code
            case .accountDisabled: "account_disabled"
            case .invalidCode: "invalid_code"
            case .offline: "offline"
            case .sessionEnded: "unauthenticated"
            case .lastPasskey: "last_passkey"
            case .accountChanged: "session_changed"
            case .passkeyNotFound: "not_found"
            case .rateLimited: "rate_limited"
            case .refused(let code, _): code
            case .passkeyFailed: "passkey_failed"
            case .unreadableResponse: "unreadable_response"
            case .passkeyFirst: "no_passkey"
            case .recoverySession: "recovery_session"
            case .noPassword: "no_password"
            case .emailAlreadyConfirmed: "email_verified"
            case .invalidCredentials: "invalid_credentials"
            case .passwordRequired: "password_required"
            case .recoveryEmailRequired: "recovery_email_required"
            }
        }

        /// The problem in plain English words, saying what to do next.
        public var words: String { words(in: .english) }

        /// The problem in plain words of `language`, saying what to do next.
        public func words(in language: Auth.Language) -> String {
            language(.problem(self))
        }
    }
}

extension Auth.APIFailure {
    /// `401 unauthenticated`: no session, or it ended.
    var isUnauthenticated: Bool {
        if case .refused(let refusal) = self, refusal.code == "unauthenticated" { return true }
        return false
    }

    /// `409 session_changed`: the browser's session is another account's now (signed in from
    /// another tab) than the one the page acts for.
    var isSessionChanged: Bool {
        if case .refused(let refusal) = self, refusal.code == "session_changed" { return true }
        return false
    }

    /// `404 not_found`.
    var isNotFound: Bool {
        if case .refused(let refusal) = self, refusal.code == "not_found" { return true }
        return false
    }

    /// The credential a `401 unknown_credential` names, to pass on to the passkey provider.
    var unknownCredential: (rpID: String, credentialID: String)? {
        guard case .refused(let refusal) = self, refusal.code == "unknown_credential",
              let rpID = refusal.rpID, let credentialID = refusal.credentialID
        else { return nil }
        return (rpID, credentialID)
    }
}
