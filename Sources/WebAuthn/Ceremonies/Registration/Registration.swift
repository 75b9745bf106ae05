import Crypto
import Foundation
import X509

/// What the relying party keeps between ``RelyingParty/beginRegistration(user:excludeCredentials:mediation:)``
/// and ``RelyingParty/finishRegistration(response:ceremony:)``. Store it server-side.
public struct RegistrationCeremony: Sendable, Hashable, Codable {
    public let challenge: Challenge
    public let userHandle: UserHandle
    public let userVerification: UserVerificationRequirement
    /// The algorithms offered in `pubKeyCredParams`.
    public let algorithms: [COSEAlgorithmIdentifier]
    /// How the page asked for the credential. Only `conditional` (the automatic passkey upgrade
    /// after a password sign-in) lets the credential be created without the UP flag (§7.1 step 14
    /// as WebAuthn L3 words it for conditional create); every other ceremony requires UP.
    public let mediation: CredentialMediationRequirement

    public init(
        challenge: Challenge, userHandle: UserHandle, userVerification: UserVerificationRequirement,
        algorithms: [COSEAlgorithmIdentifier], mediation: CredentialMediationRequirement = .optional
    ) {
        self.challenge = challenge
        self.userHandle = userHandle
        self.userVerification = userVerification
        self.algorithms = algorithms
        self.mediation = mediation
    }

    private enum CodingKeys: String, CodingKey {
        case challenge, userHandle, userVerification, algorithms, mediation
    }

    /// Ceremonies stored before `mediation` existed were all modal ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            challenge: try container.decode(Challenge.self, forKey: .challenge),
            userHandle: try container.decode(UserHandle.self, forKey: .userHandle),
            userVerification: try container.decode(UserVerificationRequirement.self, forKey: .userVerification),
            algorithms: try container.decode([COSEAlgorithmIdentifier].self, forKey: .algorithms),
            mediation: try container.decodeIfPresent(CredentialMediationRequirement.self, forKey: .mediation) ?? .optional)
    }
}

/// A registration that passed every check of §7.1: what to store for the new credential.
public struct VerifiedRegistration: Sendable {
    public let credentialID: CredentialID
    public let publicKey: COSEPublicKey
    public var algorithm: COSEAlgorithmIdentifier { publicKey.algorithm }
    public let signCount: UInt32
    public let aaguid: AAGUID
    public let format: AttestationFormat
    public let attestationType: AttestationType
    /// Whether the attestation chained to a root the relying party trusts.
    public let attestationTrusted: Bool
    /// The attestation certificates, leaf first (empty without a certificate chain).
    public let attestationTrustPath: [Certificate]
    public let transports: [AuthenticatorTransport]
    public let userHandle: UserHandle
    public let userVerified: Bool
    public let backupEligible: Bool
    public let backedUp: Bool
    /// §10.1.3 whether the client reports the credential as discoverable (`nil`: not reported).
    public let discoverable: Bool?
    public let authenticatorAttachment: AuthenticatorAttachment?
}

extension RelyingParty {
    /// Starts a registration: options for `navigator.credentials.create()` and the ceremony to keep.
    ///
    /// - Parameters:
    ///   - user: the account the credential is for; `id` is its user handle.
    ///   - excludeCredentials: the account's existing credentials, so an authenticator does not
    ///     register twice.
    ///   - mediation: `conditional` for an automatic passkey upgrade, whose credential may come
    ///     without the UP flag; anything else requires UP.
    public func beginRegistration(
        user: PublicKeyCredentialUserEntityJSON,
        excludeCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        mediation: CredentialMediationRequirement = .optional
    ) -> (options: PublicKeyCredentialCreationOptionsJSON, ceremony: RegistrationCeremony) {
        // §13.4.3: a fresh random challenge for every ceremony; no caller of the library picks it.
        beginRegistration(user: user, excludeCredentials: excludeCredentials, mediation: mediation, challenge: .random())
    }

    /// ``beginRegistration(user:excludeCredentials:mediation:)`` with a given challenge: the seam
    /// for tests that answer with recorded or fixed responses.
    package func beginRegistration(
        user: PublicKeyCredentialUserEntityJSON, excludeCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        mediation: CredentialMediationRequirement = .optional, challenge: Challenge
    ) -> (options: PublicKeyCredentialCreationOptionsJSON, ceremony: RegistrationCeremony) {
        let options = PublicKeyCredentialCreationOptionsJSON(
            rp: PublicKeyCredentialRpEntity(id: configuration.relyingPartyID, name: configuration.relyingPartyName),
            user: user,
            challenge: challenge,
            pubKeyCredParams: configuration.algorithms.map { PublicKeyCredentialParameters(alg: $0) },
            timeout: configuration.timeoutMilliseconds,
            excludeCredentials: excludeCredentials,
            authenticatorSelection: AuthenticatorSelectionCriteria(
                residentKey: configuration.residentKey, userVerification: configuration.userVerification),
            attestation: configuration.attestation,
            extensions: AuthenticationExtensionsClientInputsJSON(credProps: true)
        )
        let ceremony = RegistrationCeremony(
            challenge: challenge, userHandle: user.id, userVerification: configuration.userVerification,
            algorithms: configuration.algorithms, mediation: mediation)
        return (options, ceremony)
    }

    /// Finishes a registration (§7.1). The caller must still check that the credential ID is not
    /// already registered (§7.1 step 26) and then store the result.
    public func finishRegistration(
        response: RegistrationResponseJSON, ceremony: RegistrationCeremony
    ) async throws(WebAuthnError) -> VerifiedRegistration {
        // §5.1: the credential's type and its id, which must be the base64url of rawId.
        guard response.type == "public-key" else {
            throw WebAuthnError(.typeMismatch, "credential type is \"\(response.type)\", expected \"public-key\"")
        }
        guard response.id == response.rawId.base64URL else {
            throw WebAuthnError(.malformed, "credential id is not the base64url of rawId")
        }

        // §7.1 steps 5–6: parse the client data.
        let clientDataJSON = response.response.clientDataJSON.bytes
        let clientData = try CollectedClientData(json: clientDataJSON)
        // §7.1 steps 7–10.
        try verifyClientData(clientData, expectedType: .create, challenge: ceremony.challenge)
        // §7.1 step 11: hash the client data.
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))
        // §7.1 step 12: decode the attestation object.
        let attestationObject = try AttestationObject(bytes: response.response.attestationObject.bytes)
        let authenticatorData = attestationObject.authenticatorData
        // §7.1 steps 13–16; step 14 (UP) is skipped for a conditional create only.
        try verifyAuthenticatorData(
            authenticatorData, userVerification: ceremony.userVerification,
            userPresenceRequired: ceremony.mediation != .conditional)

        guard let attested = authenticatorData.attestedCredentialData else {
            throw WebAuthnError(.malformed, "authenticator data carries no attested credential data (AT)")
        }
        // §7.1 step 25: the credential ID is at most 1023 bytes.
        let credentialID = try CredentialID(bytes: attested.credentialID.bytes)
        guard credentialID == response.rawId else {
            throw WebAuthnError(.malformed, "rawId is not the credential ID in the authenticator data")
        }
        // §7.1 step 19: the key's algorithm is one offered in pubKeyCredParams, and it fits the key.
        let publicKey = try attested.publicKey()
        guard ceremony.algorithms.contains(publicKey.algorithm) else {
            throw WebAuthnError(.unsupportedAlgorithm, "algorithm \(publicKey.algorithm) was not offered")
        }
        // §7.1 step 20: client and authenticator extension outputs; nothing here was asked for
        // that needs checking beyond credProps, which is only reported.

        // §7.1 steps 21–24: verify the attestation statement and assess its trust path.
        let trust = AttestationTrustEvaluator(policy: configuration.attestationPolicy, aaguid: attested.aaguid)
        let input = AttestationInput(
            statement: attestationObject.statement, authenticatorData: authenticatorData,
            clientDataHash: clientDataHash, aaguid: attested.aaguid, credentialID: credentialID,
            credentialPublicKey: publicKey, trust: trust)
        // One statement, or a §8.9 compound object's, strongest first.
        let statements = try await AttestationVerifier.verify(attestationObject, input: input)
        // FIDO metadata: an authenticator model reported compromised is refused whatever it
        // proved, by any of the statements.
        for statement in statements {
            if let entry = trust.metadataEntry(format: statement.format, chain: statement.result.trustPath),
               let compromise = entry.outstandingCompromise {
                throw WebAuthnError(.attestationPolicy, "authenticator \(entry.description ?? attested.aaguid.uuidString) is reported \(compromise.status.rawValue) in FIDO metadata")
            }
        }
        // §7.1 step 24: one statement must meet the relying party's requirement on its own; it
        // answers for the object. The strongest one's reason is given when none does.
        var kept: AttestationResult?
        var refusal: WebAuthnError?
        for statement in statements {
            do {
                try enforceAttestationRequirement(statement.result, aaguid: attested.aaguid, format: statement.format, trust: trust)
                kept = statement.result
                break
            } catch {
                refusal = refusal ?? error
            }
        }
        guard let attestation = kept else {
            throw refusal ?? WebAuthnError(.malformed, "the attestation object holds no statement")
        }

        return VerifiedRegistration(
            credentialID: credentialID,
            publicKey: publicKey,
            signCount: authenticatorData.signCount,
            aaguid: attested.aaguid,
            format: attestationObject.format,
            attestationType: attestation.type,
            attestationTrusted: attestation.trusted,
            attestationTrustPath: attestation.trustPath,
            transports: response.response.transports ?? [],
            userHandle: ceremony.userHandle,
            userVerified: authenticatorData.flags.contains(.userVerified),
            backupEligible: authenticatorData.flags.contains(.backupEligible),
            backedUp: authenticatorData.flags.contains(.backedUp),
            discoverable: response.clientExtensionResults.credProps?.rk,
            authenticatorAttachment: response.authenticatorAttachment
        )
    }

    /// §7.1 step 24: refuse what the relying party's requirement does not accept.
    private func enforceAttestationRequirement(
        _ attestation: AttestationResult, aaguid: AAGUID, format: AttestationFormat, trust: AttestationTrustEvaluator
    ) throws(WebAuthnError) {
        switch configuration.attestationPolicy.requirement {
        case .acceptAny:
            return
        case .trustedRoot:
            guard attestation.trusted else {
                throw WebAuthnError(.attestationTrust, "the attestation does not chain to a trusted root (\(attestation.type))")
            }
        case .allowedAAGUIDs(let allowed):
            guard attestation.trusted else {
                throw WebAuthnError(.attestationTrust, "the attestation does not chain to a trusted root (\(attestation.type))")
            }
            // A fido-u2f signature does not cover the authenticator data's AAGUID: it proves no model.
            guard format != .fidoU2F else {
                throw WebAuthnError(.attestationPolicy, "fido-u2f attestation does not attest an AAGUID, so it cannot be on the allowed list")
            }
            // §8.4, §8.5: an android-key or android-safetynet chain to Google's roots proves an
            // Android device, not a model: any app can have the TEE make a key over its own
            // challenge and sign authenticator data claiming any AAGUID (and SafetyNet vouches
            // for whatever nonce an app gives it). Only roots from FIDO metadata for this
            // AAGUID, having verified the chain, tie the AAGUID to a model.
            if format == .androidKey || format == .androidSafetyNet, !trust.trustedThroughMetadata(attestation, format: format) {
                throw WebAuthnError(.attestationPolicy, "\(format) attestation proves an Android device, not authenticator \(aaguid): an allowed list accepts it only through FIDO metadata roots for that AAGUID")
            }
            guard allowed.contains(aaguid) else {
                throw WebAuthnError(.attestationPolicy, "authenticator \(aaguid) is not on the allowed list")
            }
        }
    }
}
