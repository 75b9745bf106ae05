import Foundation
import WebAuthn

/// The authenticator as JSON, for the command line's keychain file: configuration, counters,
/// the attestation certificates and every credential with its private key (base64url).
extension SoftwareAuthenticator: Codable {
    /// The keychain layout version written by ``exportJSON()``.
    static let keychainVersion = 1

    private enum CodingKeys: String, CodingKey {
        case version, aaguid, attestation, algorithms, userVerification, backupEligible, backedUp, residentKeys
        case signCounter, transports, attachment, misbehaviour, globalSignCount, attestationCA, credentials
        case lastRegistration, lastAuthentication
    }

    private struct StoredAttestationCA: Codable {
        var root: Base64URLData
        var certificate: Base64URLData
        var privateKey: Base64URLData
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.keychainVersion else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c, debugDescription: "keychain version \(version) is not \(Self.keychainVersion)")
        }
        let stored = try c.decode(StoredAttestationCA.self, forKey: .attestationCA)
        let attestationCA: AttestationCA
        do {
            attestationCA = try AttestationCA(
                rootDER: stored.root.bytes, certificateDER: stored.certificate.bytes, privateKey: stored.privateKey.bytes)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .attestationCA, in: c, debugDescription: error.message)
        }
        self.init(
            aaguid: try c.decode(AAGUID.self, forKey: .aaguid),
            attestation: try c.decode(Attestation.self, forKey: .attestation),
            algorithms: try c.decode([COSEAlgorithmIdentifier].self, forKey: .algorithms),
            userVerification: try c.decode(Bool.self, forKey: .userVerification),
            backupEligible: try c.decode(Bool.self, forKey: .backupEligible),
            backedUp: try c.decode(Bool.self, forKey: .backedUp),
            residentKeys: try c.decode(Bool.self, forKey: .residentKeys),
            signCounter: try c.decode(SignCounter.self, forKey: .signCounter),
            transports: try c.decode([AuthenticatorTransport].self, forKey: .transports),
            attachment: try c.decode(AuthenticatorAttachment.self, forKey: .attachment),
            misbehaviour: try c.decodeIfPresent(Misbehaviour.self, forKey: .misbehaviour),
            credentials: try c.decode([SoftwareCredential].self, forKey: .credentials),
            globalSignCount: try c.decode(UInt32.self, forKey: .globalSignCount),
            attestationCA: attestationCA,
            lastRegistration: try c.decodeIfPresent(RegistrationResponseJSON.self, forKey: .lastRegistration),
            lastAuthentication: try c.decodeIfPresent(AuthenticationResponseJSON.self, forKey: .lastAuthentication))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.keychainVersion, forKey: .version)
        try c.encode(aaguid, forKey: .aaguid)
        try c.encode(attestation, forKey: .attestation)
        try c.encode(algorithms, forKey: .algorithms)
        try c.encode(userVerification, forKey: .userVerification)
        try c.encode(backupEligible, forKey: .backupEligible)
        try c.encode(backedUp, forKey: .backedUp)
        try c.encode(residentKeys, forKey: .residentKeys)
        try c.encode(signCounter, forKey: .signCounter)
        try c.encode(transports, forKey: .transports)
        try c.encode(attachment, forKey: .attachment)
        try c.encodeIfPresent(misbehaviour, forKey: .misbehaviour)
        try c.encode(globalSignCount, forKey: .globalSignCount)
        let ca = try attestationCA
        try c.encode(
            StoredAttestationCA(
                root: Base64URLData(ca.rootDER), certificate: Base64URLData(ca.certificateDER),
                privateKey: Base64URLData(Array(ca.privateKey.rawRepresentation))),
            forKey: .attestationCA)
        try c.encode(credentials, forKey: .credentials)
        try c.encodeIfPresent(lastRegistration, forKey: .lastRegistration)
        try c.encodeIfPresent(lastAuthentication, forKey: .lastAuthentication)
    }

    /// The whole authenticator as pretty-printed JSON with sorted keys, private keys included:
    /// keep it as secret as the passkeys it holds.
    public func exportJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every value here is a string, integer, Boolean or array of them: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Reads an authenticator back from ``exportJSON()`` output, or throws
    /// ``SoftwareAuthenticatorError/Code/invalidKeychain`` saying what is wrong.
    public init(json: Data) throws(SoftwareAuthenticatorError) {
        do {
            self = try WireJSON.decode(SoftwareAuthenticator.self, from: json)
        } catch {
            throw SoftwareAuthenticatorError(.invalidKeychain, "not a software authenticator keychain: \(error.reason)")
        }
    }
}
