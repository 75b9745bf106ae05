import Crypto
import WebAuthn

extension SoftwareAuthenticator {
    /// Signs in as `navigator.credentials.get()` would, and returns what
    /// `PublicKeyCredential.toJSON()` gives.
    ///
    /// With a non-empty `allowCredentials` it uses one of those it holds for the RP ID; with an
    /// empty one it picks a discoverable credential for the RP ID, as a person would in the
    /// account chooser. Either way `credentialID` is that person's choice; without it the first
    /// (oldest) fitting credential is used.
    ///
    /// - Throws: ``SoftwareAuthenticatorError`` with ``SoftwareAuthenticatorError/Code/noCredentials``
    ///   when no credential fits (a browser's NotAllowedError), ``SoftwareAuthenticatorError/Code/unsupportedOption``
    ///   when user verification is required and it is configured without,
    ///   ``SoftwareAuthenticatorError/Code/invalidOptions`` when the RP ID does not fit the origin.
    public mutating func authenticate(
        options: PublicKeyCredentialRequestOptionsJSON, origin: String, credentialID: CredentialID? = nil
    ) throws(SoftwareAuthenticatorError) -> AuthenticationResponseJSON {
        if misbehaviour == .replay {
            guard let lastAuthentication else {
                throw SoftwareAuthenticatorError(.nothingToReplay, "there is no earlier sign-in response to replay")
            }
            return lastAuthentication
        }
        let rpID = try ClientDataBuilder.relyingPartyID(options.rpId, origin: origin)
        if options.userVerification == .required, !userVerification {
            throw SoftwareAuthenticatorError(.unsupportedOption, "user verification is required but this authenticator does not verify users")
        }

        let allowed = options.allowCredentials.map(\.id)
        let candidates = credentials.indices.filter { index in
            let credential = credentials[index]
            guard credential.rpID == rpID else { return false }
            return allowed.isEmpty ? credential.discoverable : allowed.contains(credential.id)
        }
        let chosen = credentialID.map { id in candidates.first { credentials[$0].id == id } } ?? candidates.first
        guard let index = chosen else {
            throw SoftwareAuthenticatorError(.noCredentials, credentialID.map { "credential \($0) is not one this authenticator can use for \(rpID)" }
                ?? "this authenticator holds no usable credential for \(rpID)")
        }
        var credential = credentials[index]

        // §6.1.1 the signature counter.
        var nextGlobalCount = globalSignCount
        let signCount: UInt32
        let lastCount = signCounter == .global ? globalSignCount : credential.signCount
        if misbehaviour == .counterGoingBackwards {
            signCount = lastCount == 0 ? 0 : lastCount - 1
        } else {
            switch signCounter {
            case .global:
                nextGlobalCount = globalSignCount.incremented
                signCount = nextGlobalCount
            case .perCredential:
                signCount = credential.signCount.incremented
                credential.signCount = signCount
            case .alwaysZero:
                signCount = 0
            }
        }

        let clientDataJSON = collectClientData(type: .get, challenge: options.challenge, origin: origin)
        var flags: AuthenticatorData.Flags = [.userPresent]
        if userVerification { flags.insert(.userVerified) }
        if credential.backupEligible {
            flags.insert(.backupEligible)
            if backedUp { flags.insert(.backedUp) }
        }
        let authenticatorData = Self.authenticatorData(
            rpIDHash: relyingPartyIDHash(rpID), flags: faultyFlags(flags), signCount: signCount, attested: nil)
        // §6.3.3 step 11: the signature over authenticatorData ‖ clientDataHash.
        let signature = try credential.privateKey.sign(authenticatorData + SHA256.hash(data: clientDataJSON))

        let response = AuthenticationResponseJSON(
            rawId: credential.id,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(clientDataJSON),
                authenticatorData: Base64URLData(authenticatorData),
                signature: Base64URLData(faultySignature(signature)),
                // CTAP2 returns the user only for discoverable credentials.
                userHandle: credential.discoverable ? credential.userHandle : nil),
            authenticatorAttachment: attachment)

        credentials[index] = credential
        globalSignCount = nextGlobalCount
        lastAuthentication = response
        return response
    }
}
