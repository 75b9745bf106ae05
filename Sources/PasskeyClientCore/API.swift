extension Auth {
    /// A request to the server's HTTP API (docs/api.md), one case per endpoint. The shell turns it
    /// into HTTP and JSON and answers with the ``APIResponse`` case of the same name.
    public enum APIRequest: Equatable, Sendable {
        /// `POST /api/registration/options`: creation options for a new account.
        case registrationOptions(username: String, displayName: String?)
        /// `POST /api/registration`: the new credential; the answer signs the account in.
        case registration(RegistrationCredentialJSON)
        /// `POST /api/authentication/options`: request options, for a username's passkeys or (with
        /// `nil`) for any discoverable passkey.
        case authenticationOptions(username: String?)
        /// `POST /api/authentication`: the assertion; the answer signs the account in.
        case authentication(AuthenticationCredentialJSON)
        /// `POST /api/passkeys/options`: creation options for another passkey on the signed-in account.
        case passkeyOptions
        /// `POST /api/passkeys`: the new credential for the signed-in account.
        case addPasskey(RegistrationCredentialJSON)
        /// `GET /api/session`: who is signed in.
        case session
        /// `DELETE /api/session`.
        case signOut
        /// `GET /api/passkeys`.
        case listPasskeys
        /// `PATCH /api/passkeys/{id}`.
        case renamePasskey(PasskeyID, name: String)
        /// `DELETE /api/passkeys/{id}`.
        case deletePasskey(PasskeyID)
        /// `PATCH /api/account`.
        case updateAccount(displayName: String)
        /// `DELETE /api/account`.
        case deleteAccount
        /// `GET /api/sessions`: where the account is signed in.
        case listSessions
        /// `DELETE /api/sessions/{id}`: end one of the account's sessions.
        case endSession(id: String)
        /// `DELETE /api/sessions`: end every session of the account but this one.
        case endOtherSessions
        /// `GET /api/account/activity`: the newest page of the activity log, or (with the `next` of
        /// the page before) the page after it.
        case activity(before: String?)
        /// `GET /api/oidc/apps`: the apps the person allowed.
        case listApps
        /// `DELETE /api/oidc/apps/{clientID}`: forget the consent and revoke the app's tokens.
        case removeApp(clientID: String)
        /// `GET /api/oidc/consent?{query}`: what the authorization request asks the person to allow.
        case consentPrompt(query: String)
        /// `POST /api/oidc/consent`: the person's decision; the answer says where to go.
        case consentDecision(query: String, allow: Bool)
        /// `POST /api/email/verify`: confirm the address with the mailed code (and its link's proof).
        case confirmEmail(code: String, proof: String? = nil)
        /// `POST /api/email/verify/resend`: mail a new code.
        case resendEmailCode
        /// `DELETE /api/password`.
        case removePassword
        /// `POST /api/passkeys/options` with `{"mediation": "conditional"}`: options for the automatic upgrade.
        case upgradeOptions
        /// `POST /api/passkeys`: the upgrade's new credential.
        case upgradePasskey(RegistrationCredentialJSON)
        /// `POST /api/password`: sign in with an imported account's password.
        case passwordSignIn(username: String, password: String)
        /// `POST /api/recovery/options`: mail a recovery code to the account with this address, if any.
        case recoveryCode(email: String)
        /// `POST /api/recovery`: sign in with the mailed code (and the mail link's proof, when the
        /// code came from the link); the answer opens a recovery session.
        case recovery(email: String, code: String, proof: String? = nil)
    }

    /// The answer to an ``APIRequest``, narrowed to the type that endpoint returns. Each case is
    /// named after the request it answers.
    public enum APIResponse: Equatable, Sendable {
        case registrationOptions(Result<CreationOptionsJSON, APIFailure>)
        case registration(Result<Registered, APIFailure>)
        case authenticationOptions(Result<RequestOptionsJSON, APIFailure>)
        case authentication(Result<Session, APIFailure>)
        case passkeyOptions(Result<CreationOptionsJSON, APIFailure>)
        case addPasskey(Result<Passkey, APIFailure>)
        case session(Result<Session, APIFailure>)
        case signOut(Result<NoContent, APIFailure>)
        case listPasskeys(Result<[Passkey], APIFailure>)
        case renamePasskey(Result<Passkey, APIFailure>)
        case deletePasskey(Result<NoContent, APIFailure>)
        case updateAccount(Result<User, APIFailure>)
        case deleteAccount(Result<NoContent, APIFailure>)
        case listSessions(Result<[SessionInfo], APIFailure>)
        case endSession(Result<NoContent, APIFailure>)
        case endOtherSessions(Result<NoContent, APIFailure>)
        case activity(Result<ActivityPage, APIFailure>)
        case listApps(Result<[AppAccess], APIFailure>)
        case removeApp(Result<NoContent, APIFailure>)
        case consentPrompt(Result<Consent.PromptAnswer, APIFailure>)
        /// Where the browser goes: back to the app.
        case consentDecision(Result<String, APIFailure>)
        case confirmEmail(Result<User, APIFailure>)
        case resendEmailCode(Result<NoContent, APIFailure>)
        case removePassword(Result<NoContent, APIFailure>)
        case upgradeOptions(Result<CreationOptionsJSON, APIFailure>)
        case upgradePasskey(Result<Passkey, APIFailure>)
        case passwordSignIn(Result<PasswordSession, APIFailure>)
        case recoveryCode(Result<NoContent, APIFailure>)
        case recovery(Result<Session, APIFailure>)
    }

    /// Why an API request did not succeed.
    public enum APIFailure: Error, Equatable, Sendable {
        /// No answer: no network, the server is down or unreachable, or the request timed out.
        case offline
        /// The server answered with an error (docs/api.md, "Errors").
        case refused(ServerRefusal)
        /// The server answered something the client cannot read; the text is for logs.
        case unreadableResponse(String)
    }

    /// An error answer from the server: `{"error": {"code", "message", …}}` with a 4xx status.
    public struct ServerRefusal: Equatable, Sendable {
        /// The HTTP status.
        public var status: Int
        /// The stable code (`username_taken`, `unknown_credential`, …).
        public var code: String
        /// For people; may change.
        public var message: String
        /// `error.credentialId` of `unknown_credential`: the passkey the server does not hold.
        public var credentialID: String?
        /// `error.rpId` of `unknown_credential`.
        public var rpID: String?
        /// The `Retry-After` header of `rate_limited`, in seconds.
        public var retryAfter: Int?

        public init(
            status: Int, code: String, message: String,
            credentialID: String? = nil, rpID: String? = nil, retryAfter: Int? = nil
        ) {
            self.status = status
            self.code = code
            self.message = message
            self.credentialID = credentialID
            self.rpID = rpID
            self.retryAfter = retryAfter
        }
    }
}
