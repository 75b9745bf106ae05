extension Auth {
    /// How a request for an existing passkey is shown (`CredentialMediationRequirement`).
    public enum Mediation: Equatable, Sendable {
        /// A sheet or dialog the person answers now.
        case modal
        /// Passkeys offered among the username field's autofill suggestions; the request waits
        /// until the person picks one (or it is cancelled).
        case conditional
    }

    /// A request to the platform's passkey provider.
    public enum PasskeyRequest: Equatable, Sendable {
        /// `navigator.credentials.create()` with these options; answered by ``PasskeyResult/create(_:)``.
        case create(CreationOptionsJSON)
        /// `navigator.credentials.get()` with these options; answered by ``PasskeyResult/get(_:)``.
        case get(RequestOptionsJSON, Mediation)
        /// `navigator.credentials.create()` with `mediation: "conditional"` (WebAuthn L3): the
        /// provider may create the passkey without asking, or never answer. Answered by
        /// ``PasskeyResult/create(_:)``; a provider without it answers a failure or nothing.
        case conditionalCreate(CreationOptionsJSON)
        /// Stop the pending create or get. Its result, if one still comes, is not wanted.
        case cancel
        /// Tell the provider the relying party does not hold this credential (any more), so it can
        /// hide or remove it (`PublicKeyCredential.signalUnknownCredential`). Nothing answers.
        case signalUnknownCredential(rpID: String, credentialID: String)
        /// Tell the provider every credential the relying party holds for this user (unpadded
        /// base64url IDs), so it can hide or remove the others
        /// (`PublicKeyCredential.signalAllAcceptedCredentials`). Nothing answers.
        case signalAllAcceptedCredentials(rpID: String, userID: String, credentialIDs: [String])
        /// Tell the provider the user's current names, so the passkeys it shows carry them
        /// (`PublicKeyCredential.signalCurrentUserDetails`). Nothing answers.
        case signalCurrentUserDetails(rpID: String, userID: String, name: String, displayName: String)
    }

    /// What the passkey provider answered, narrowed to the request's type.
    public enum PasskeyResult: Equatable, Sendable {
        case create(Result<RegistrationCredentialJSON, PasskeyFailure>)
        case get(Result<AuthenticationCredentialJSON, PasskeyFailure>)
    }

    /// Why the passkey provider gave no credential (what a browser reports as a `DOMException`).
    public enum PasskeyFailure: Error, Equatable, Sendable {
        /// The person dismissed the request, or it timed out (`NotAllowedError`).
        case cancelled
        /// No passkey on this device fits the request (`NotAllowedError` without a choice).
        case noCredentials
        /// The device already holds one of the account's passkeys (`InvalidStateError`).
        case excludedCredentialExists
        /// Anything else; the text says what, for people.
        case failed(String)
    }
}
