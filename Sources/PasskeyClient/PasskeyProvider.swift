import PasskeyClientCore

/// The platform's passkeys: what answers the core's ``Auth/PasskeyRequest`` effects.
///
/// Options arrive as the server sent them and credentials leave as `PublicKeyCredential.toJSON()`
/// gives them, both JSON text. A provider reports every outcome as a result, never by throwing,
/// and returns ``Auth/PasskeyFailure/cancelled`` when its task is cancelled
/// (``AuthClient`` cancels it for ``Auth/PasskeyRequest/cancel``).
public protocol PasskeyProvider: Sendable {
    /// `navigator.credentials.create()`.
    func create(_ options: Auth.CreationOptionsJSON) async -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure>
    /// `navigator.credentials.get()`, shown as `mediation` says.
    func get(_ options: Auth.RequestOptionsJSON, mediation: Auth.Mediation) async -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure>
    /// The relying party does not hold this credential: hide or remove it if the platform can.
    func signalUnknownCredential(rpID: String, credentialID: String) async
    /// These are all the credentials the relying party holds for the user: hide or remove the others.
    func signalAllAcceptedCredentials(rpID: String, userID: String, credentialIDs: [String]) async
    /// The user's names are now these: show them with the user's passkeys.
    func signalCurrentUserDetails(rpID: String, userID: String, name: String, displayName: String) async
}

extension PasskeyProvider {
    /// Platforms without a way to be told do nothing.
    public func signalUnknownCredential(rpID: String, credentialID: String) async {}
    public func signalAllAcceptedCredentials(rpID: String, userID: String, credentialIDs: [String]) async {}
    public func signalCurrentUserDetails(rpID: String, userID: String, name: String, displayName: String) async {}
}
