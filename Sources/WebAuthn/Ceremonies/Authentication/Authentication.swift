import Crypto
import Foundation

/// What the relying party keeps between ``RelyingParty/beginAuthentication(allowCredentials:userHandle:)``
/// and ``RelyingParty/finishAuthentication(response:ceremony:credential:)``. Store it server-side.
public struct AuthenticationCeremony: Sendable, Hashable, Codable {
    public let challenge: Challenge
    /// The credentials offered in `allowCredentials`; empty for discoverable credentials.
    public let allowCredentials: [CredentialID]
    public let userVerification: UserVerificationRequirement
    /// The user identified before the ceremony (by username), if any.
    public let userHandle: UserHandle?

    public init(
        challenge: Challenge, allowCredentials: [CredentialID], userVerification: UserVerificationRequirement,
        userHandle: UserHandle?
    ) {
        self.challenge = challenge
        self.allowCredentials = allowCredentials
        self.userVerification = userVerification
        self.userHandle = userHandle
    }
}

/// A credential as the relying party stored it after registration.
public struct StoredCredential: Sendable, Hashable {
    public let id: CredentialID
    /// The account the credential belongs to.
    public let userHandle: UserHandle
    /// The COSE_Key bytes from registration.
    public let publicKey: [UInt8]
    public let signCount: UInt32
    /// The BE flag recorded at registration; `nil` when it was not recorded.
    public let backupEligible: Bool?
    public let backedUp: Bool

    public init(
        id: CredentialID, userHandle: UserHandle, publicKey: [UInt8], signCount: UInt32,
        backupEligible: Bool?, backedUp: Bool
    ) {
        self.id = id
        self.userHandle = userHandle
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backedUp = backedUp
    }
}

/// A sign-in that passed every check of §7.2.
public struct VerifiedAuthentication: Sendable, Hashable {
    public let credentialID: CredentialID
    public let userHandle: UserHandle
    public let newSignCount: UInt32
    public let userVerified: Bool
    public let backupEligible: Bool
    public let backedUp: Bool
    /// The counter did not increase and the policy let it pass (possible clone).
    public let signCountRegressed: Bool
    /// Whether the stored credential must be saved again (§7.2 step 24): its sign count or
    /// backup state changed.
    public let credentialNeedsUpdate: Bool
    public let authenticatorAttachment: AuthenticatorAttachment?
}

extension RelyingParty {
    /// Starts a sign-in: options for `navigator.credentials.get()` and the ceremony to keep.
    ///
    /// - Parameters:
    ///   - allowCredentials: the credentials of the user identified by username; empty to let
    ///     the person pick any discoverable credential (and for autofill).
    ///   - userHandle: that user's handle, when one was identified.
    public func beginAuthentication(
        allowCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        userHandle: UserHandle? = nil
    ) -> (options: PublicKeyCredentialRequestOptionsJSON, ceremony: AuthenticationCeremony) {
        // §13.4.3: a fresh random challenge for every ceremony; no caller of the library picks it.
        beginAuthentication(allowCredentials: allowCredentials, userHandle: userHandle, challenge: .random())
    }

    /// ``beginAuthentication(allowCredentials:userHandle:)`` with a given challenge: the seam for
    /// tests that answer with recorded or fixed responses.
    package func beginAuthentication(
        allowCredentials: [PublicKeyCredentialDescriptorJSON] = [], userHandle: UserHandle? = nil, challenge: Challenge
    ) -> (options: PublicKeyCredentialRequestOptionsJSON, ceremony: AuthenticationCeremony) {
        let options = PublicKeyCredentialRequestOptionsJSON(
            challenge: challenge,
            timeout: configuration.timeoutMilliseconds,
            rpId: configuration.relyingPartyID,
            allowCredentials: allowCredentials,
            userVerification: configuration.userVerification
        )
        let ceremony = AuthenticationCeremony(
            challenge: challenge, allowCredentials: allowCredentials.map(\.id),
            userVerification: configuration.userVerification, userHandle: userHandle)
        return (options, ceremony)
    }

    /// Finishes a sign-in (§7.2) against the stored credential the caller looked up by the
    /// response's `rawId` (§7.2 step 7). Save the result's sign count and backup state.
    public func finishAuthentication(
        response: AuthenticationResponseJSON, ceremony: AuthenticationCeremony, credential: StoredCredential
    ) throws(WebAuthnError) -> VerifiedAuthentication {
        guard response.type == "public-key" else {
            throw WebAuthnError(.typeMismatch, "credential type is \"\(response.type)\", expected \"public-key\"")
        }
        guard response.id == response.rawId.base64URL else {
            throw WebAuthnError(.malformed, "credential id is not the base64url of rawId")
        }
        // §7.2 step 5: the credential is one of those allowed, when a list was given.
        if !ceremony.allowCredentials.isEmpty, !ceremony.allowCredentials.contains(response.rawId) {
            throw WebAuthnError(.credentialNotAllowed, "the credential was not among those allowed for this sign-in")
        }
        // §7.2 step 7: the stored credential is the one that answered.
        guard credential.id == response.rawId else {
            throw WebAuthnError(.unknownCredential, "the stored credential is not the one in the response")
        }
        // §7.2 step 6: the credential belongs to the user. If a user was identified beforehand,
        // it is theirs and a returned user handle names them; otherwise the user handle is
        // required and must be the credential's owner.
        if let identified = ceremony.userHandle {
            guard credential.userHandle == identified else {
                throw WebAuthnError(.userMismatch, "the credential belongs to another account")
            }
            if let returned = response.response.userHandle, returned != identified {
                throw WebAuthnError(.userMismatch, "the user handle is not the identified user's")
            }
        } else {
            guard let returned = response.response.userHandle else {
                throw WebAuthnError(.userMismatch, "the authenticator returned no user handle for a discoverable sign-in")
            }
            guard returned == credential.userHandle else {
                throw WebAuthnError(.userMismatch, "the user handle does not own this credential")
            }
        }

        // §7.2 steps 8–10: parse the client data and authenticator data.
        let clientDataJSON = response.response.clientDataJSON.bytes
        let clientData = try CollectedClientData(json: clientDataJSON)
        // An assertion's authenticator data has no attested credential data (§6.3.3 step 11), but
        // §7.2 sets no check on AT, and macOS Touch ID in Chrome sent it (go-webauthn's recorded
        // assertion, accepted there and in the conformance vectors). It is parsed, must be well
        // formed, and is not used: the signature is checked with the stored key.
        let authenticatorData = try AuthenticatorData(bytes: response.response.authenticatorData.bytes)
        // §7.2 steps 11–14.
        try verifyClientData(clientData, expectedType: .get, challenge: ceremony.challenge)
        // §7.2 steps 15–18.
        try verifyAuthenticatorData(authenticatorData, userVerification: ceremony.userVerification)
        let backupEligible = authenticatorData.flags.contains(.backupEligible)
        let backedUp = authenticatorData.flags.contains(.backedUp)
        // §7.2 step 18: BE is fixed when a credential is created; a change means another authenticator.
        if let storedEligible = credential.backupEligible, storedEligible != backupEligible {
            throw WebAuthnError(.backupStateInvalid, "the BE flag changed since registration")
        }
        // §7.2 step 19: extension outputs; none were asked for.

        // §7.2 steps 20–21: the signature over authenticatorData ‖ SHA-256(clientDataJSON).
        let publicKey = try COSEPublicKey(rawRepresentation: credential.publicKey)
        var signedData = authenticatorData.rawRepresentation
        signedData.append(contentsOf: SHA256.hash(data: clientDataJSON))
        try publicKey.verify(signature: response.response.signature.bytes, for: signedData)

        // §7.2 step 22: the signature counter. When either side is non-zero it must grow.
        let newCount = authenticatorData.signCount
        var regressed = false
        if newCount != 0 || credential.signCount != 0, newCount <= credential.signCount {
            switch configuration.signCountPolicy {
            case .reject:
                throw WebAuthnError(.signCount, "the signature counter went from \(credential.signCount) to \(newCount): the authenticator may be cloned")
            case .allowRegression:
                regressed = true
            }
        }

        return VerifiedAuthentication(
            credentialID: credential.id,
            userHandle: credential.userHandle,
            newSignCount: newCount,
            userVerified: authenticatorData.flags.contains(.userVerified),
            backupEligible: backupEligible,
            backedUp: backedUp,
            signCountRegressed: regressed,
            credentialNeedsUpdate: newCount != credential.signCount || backedUp != credential.backedUp
                || credential.backupEligible == nil,
            authenticatorAttachment: response.authenticatorAttachment
        )
    }
}
