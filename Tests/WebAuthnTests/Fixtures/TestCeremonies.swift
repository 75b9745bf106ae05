import Crypto
import Foundation
import PasskeyCBOR
import WebAuthn
import X509

/// The relying party the fixtures address: RP ID `example.com`, origin `https://example.com`.
enum TestRelyingParty {
    static let rpID = "example.com"
    static let origin = "https://example.com"

    /// The default configuration with the changes a test names; every other parameter is
    /// `RelyingParty.Configuration`'s own default.
    static func configuration(
        relyingPartyID: String = rpID,
        relyingPartyName: String = "Example",
        allowedOrigins: [String] = [origin],
        algorithms: [COSEAlgorithmIdentifier] = COSEAlgorithmIdentifier.recommended,
        userVerification: UserVerificationRequirement = .preferred,
        attestation: AttestationConveyancePreference = .none,
        attestationPolicy: AttestationPolicy = AttestationPolicy(),
        allowCrossOrigin: Bool = false,
        allowedTopOrigins: [String] = [],
        signCountPolicy: RelyingParty.SignCountPolicy = .reject,
        dangerouslyAllowMissingUserPresence: Bool = false
    ) throws(WebAuthnError) -> RelyingParty.Configuration {
        try RelyingParty.Configuration(
            relyingPartyID: relyingPartyID, relyingPartyName: relyingPartyName, allowedOrigins: allowedOrigins,
            algorithms: algorithms, userVerification: userVerification, attestation: attestation,
            attestationPolicy: attestationPolicy, allowCrossOrigin: allowCrossOrigin,
            allowedTopOrigins: allowedTopOrigins, signCountPolicy: signCountPolicy,
            dangerouslyAllowMissingUserPresence: dangerouslyAllowMissingUserPresence)
    }

    /// A relying party with the default configuration and the changes a test names.
    static func make(
        allowedOrigins: [String] = [origin],
        algorithms: [COSEAlgorithmIdentifier] = COSEAlgorithmIdentifier.recommended,
        userVerification: UserVerificationRequirement = .preferred,
        attestationPolicy: AttestationPolicy = AttestationPolicy(),
        allowCrossOrigin: Bool = false,
        allowedTopOrigins: [String] = [],
        signCountPolicy: RelyingParty.SignCountPolicy = .reject,
        dangerouslyAllowMissingUserPresence: Bool = false
    ) throws(WebAuthnError) -> RelyingParty {
        RelyingParty(configuration: try configuration(
            allowedOrigins: allowedOrigins, algorithms: algorithms, userVerification: userVerification,
            attestationPolicy: attestationPolicy, allowCrossOrigin: allowCrossOrigin,
            allowedTopOrigins: allowedTopOrigins, signCountPolicy: signCountPolicy,
            dangerouslyAllowMissingUserPresence: dangerouslyAllowMissingUserPresence))
    }

    static let challenge = Challenge(uncheckedBytes: Array(0..<32))
    static let userHandle = UserHandle(uncheckedBytes: Array(repeating: 0xA1, count: 32))
    static let otherUserHandle = UserHandle(uncheckedBytes: Array(repeating: 0xB2, count: 32))
    /// The AAGUID the fixture authenticator reports (`fido-u2f` reports zero).
    static let aaguid: [UInt8] = [0x6f, 0x1d, 0x9a, 0x3c, 0x21, 0x4e, 0x4b, 0x77, 0x9c, 0x0e, 0x55, 0x3f, 0x8a, 0x10, 0x42, 0x7d]
    static let otherAAGUID: [UInt8] = Array(repeating: 0x42, count: 16)
    static let credentialID: [UInt8] = Array(0x10..<0x30)
}

/// A whole registration: the `RegistrationResponseJSON` an authenticator and browser would send,
/// and the `RegistrationCeremony` the relying party kept. Valid by default (ES256, `none`);
/// each test changes one thing.
struct TestRegistration {
    var key: TestCredentialKey
    var credentialID: [UInt8]
    var challenge = TestRelyingParty.challenge
    var userHandle = TestRelyingParty.userHandle
    /// What the ceremony offered in `pubKeyCredParams`.
    var algorithms = COSEAlgorithmIdentifier.recommended
    var userVerification: UserVerificationRequirement = .preferred

    var clientData: TestClientData
    var authenticatorData: TestAuthenticatorData
    var statement: TestAttestationStatement
    /// Flip a bit of the attestation signature.
    var corruptAttestationSignature = false
    /// Change the attestation object after it is built (leave out or alter an entry).
    var attestationObjectChange: ((inout TestAttestationObject) -> Void)?
    /// When set, these bytes are the whole attestation object.
    var attestationObjectOverride: [UInt8]?

    /// `PublicKeyCredential.type`.
    var type = "public-key"
    /// `PublicKeyCredential.id`; `nil` is the base64url of rawId.
    var id: String?
    /// `rawId`; `nil` is the credential ID.
    var rawID: [UInt8]?
    var transports: [AuthenticatorTransport]? = [.internal, .hybrid]
    var residentKey: Bool? = true
    var authenticatorAttachment: AuthenticatorAttachment? = .platform

    init(
        key: TestCredentialKey = .es256(), credentialID: [UInt8] = TestRelyingParty.credentialID,
        statement: TestAttestationStatement = .none(), aaguid: [UInt8] = TestRelyingParty.aaguid
    ) {
        self.key = key
        self.credentialID = credentialID
        self.statement = statement
        self.clientData = .create(challenge: TestRelyingParty.challenge)
        self.authenticatorData = .registration(aaguid: aaguid, credentialID: credentialID, publicKey: key.coseKey)
    }

    // MARK: Valid defaults per format

    static func none(key: TestCredentialKey = .es256()) -> TestRegistration {
        TestRegistration(key: key)
    }

    static func packedSelf(key: TestCredentialKey = .es256()) -> TestRegistration {
        TestRegistration(key: key, statement: .packedSelf())
    }

    /// `packed` with an attestation certificate issued by `authority` (a fresh CA when `nil`),
    /// carrying the AAGUID extension.
    static func packedX5C(authority: TestCertificateAuthority? = nil, key: TestCredentialKey = .es256()) throws -> TestRegistration {
        let ca = try authority ?? TestCertificateAuthority()
        return TestRegistration(key: key, statement: .packedX5C(TestAttestationCertificate(authority: ca, aaguid: TestRelyingParty.aaguid)))
    }

    /// `fido-u2f` with a P-256 certificate issued by `authority` (a fresh CA when `nil`); the
    /// AAGUID is zero as U2F authenticators report it.
    static func fidoU2F(authority: TestCertificateAuthority? = nil) throws -> TestRegistration {
        let ca = try authority ?? TestCertificateAuthority()
        return TestRegistration(
            key: .es256(), statement: .fidoU2F(TestAttestationCertificate(authority: ca)), aaguid: Array(repeating: 0, count: 16))
    }

    // MARK: One change

    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    func clientData(_ change: (TestClientData) -> TestClientData) -> Self { with { $0.clientData = change($0.clientData) } }
    func authenticatorData(_ change: (TestAuthenticatorData) -> TestAuthenticatorData) -> Self {
        with { $0.authenticatorData = change($0.authenticatorData) }
    }
    func attestationObject(_ change: @escaping (inout TestAttestationObject) -> Void) -> Self {
        with { $0.attestationObjectChange = change }
    }

    /// The packed or fido-u2f attestation certificate, changed.
    func attestationCertificate(_ change: (inout TestAttestationCertificate) -> Void) -> Self {
        with {
            switch $0.statement {
            case .packedX5C(var certificate, let chain):
                change(&certificate)
                $0.statement = .packedX5C(certificate, chain: chain)
            case .fidoU2F(var certificate, let chain):
                change(&certificate)
                $0.statement = .fidoU2F(certificate, chain: chain)
            default: break
            }
        }
    }

    // MARK: What the relying party receives and keeps

    var ceremony: RegistrationCeremony {
        RegistrationCeremony(challenge: challenge, userHandle: userHandle, userVerification: userVerification, algorithms: algorithms)
    }

    var clientDataJSON: [UInt8] { clientData.bytes }

    func attestationObjectBytes() throws -> [UInt8] {
        if let attestationObjectOverride { return attestationObjectOverride }
        let authData = authenticatorData.bytes
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))
        var statementEntries: [(key: CBOR, value: CBOR)]
        switch statement {
        case .none(let extra):
            statementEntries = extra
        case .packedSelf(let algorithm):
            statementEntries = [
                (key: "alg", value: CBOR((algorithm ?? key.algorithm).rawValue)),
                (key: "sig", value: .bytes(corrupt(try key.sign(authData + clientDataHash)))),
            ]
        case .packedX5C(let certificate, let chain):
            statementEntries = [
                (key: "alg", value: CBOR(certificate.key.algorithm.rawValue)),
                (key: "sig", value: .bytes(corrupt(try certificate.key.sign(authData + clientDataHash)))),
                (key: "x5c", value: .array(try ([certificate.certificate()] + chain).map { .bytes(try TestAttestationCertificate.der($0)) })),
            ]
        case .fidoU2F(let certificate, let chain):
            // §8.6 step 5: 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y.
            let x = key.coseEntries.first { $0.key == CBOR(-2) }?.value.bytesValue ?? []
            let y = key.coseEntries.first { $0.key == CBOR(-3) }?.value.bytesValue ?? []
            let signed = [0x00] + authenticatorData.rpIDHash + clientDataHash + credentialID + [0x04] + x + y
            statementEntries = [
                (key: "sig", value: .bytes(corrupt(try certificate.key.sign(signed)))),
                (key: "x5c", value: .array(try ([certificate.certificate()] + chain).map { .bytes(try TestAttestationCertificate.der($0)) })),
            ]
        case .custom(_, let statement):
            statementEntries = statement.entries
        }
        var object = TestAttestationObject(fmt: statement.format, attStmt: CBORMap(statementEntries), authData: authData)
        attestationObjectChange?(&object)
        return object.bytes
    }

    private func corrupt(_ signature: [UInt8]) -> [UInt8] {
        guard corruptAttestationSignature, !signature.isEmpty else { return signature }
        var copy = signature
        copy[copy.count - 1] ^= 0x01
        return copy
    }

    func response() throws -> RegistrationResponseJSON {
        let rawID = CredentialID(uncheckedBytes: rawID ?? credentialID)
        var response = RegistrationResponseJSON(
            rawId: rawID,
            response: AuthenticatorAttestationResponseJSON(
                clientDataJSON: Base64URLData(clientDataJSON),
                attestationObject: Base64URLData(try attestationObjectBytes()),
                transports: transports),
            authenticatorAttachment: authenticatorAttachment,
            clientExtensionResults: AuthenticationExtensionsClientOutputsJSON(
                credProps: residentKey.map { AuthenticationExtensionsClientOutputsJSON.CredentialProperties(rk: $0) }),
            type: type)
        if let id { response.id = id }
        return response
    }

    /// The response as the JSON `PublicKeyCredential.toJSON()` gives.
    func responseJSON() throws -> Data { try JSONEncoder().encode(response()) }

    /// Runs `finishRegistration` on `relyingParty` (the default one unless given).
    func finish(with relyingParty: RelyingParty? = nil) async throws -> VerifiedRegistration {
        let relyingParty = try relyingParty ?? TestRelyingParty.make()
        return try await relyingParty.finishRegistration(response: response(), ceremony: ceremony)
    }
}

/// A whole sign-in: the `AuthenticationResponseJSON`, the `AuthenticationCeremony` the relying
/// party kept, and the `StoredCredential` it looked up. Valid by default (ES256, counter 0 → 1,
/// user identified by username, credential in allowCredentials); each test changes one thing.
struct TestAuthentication {
    var key: TestCredentialKey
    var credentialID = TestRelyingParty.credentialID
    var challenge = TestRelyingParty.challenge
    var userVerification: UserVerificationRequirement = .preferred

    var clientData: TestClientData
    var authenticatorData: TestAuthenticatorData
    /// What the signature is over; `nil` is authenticatorData ‖ SHA-256(clientDataJSON).
    var signedDataOverride: [UInt8]?
    /// Replaces the signature outright.
    var signatureOverride: [UInt8]?

    /// `userHandle` in the response; `nil` leaves it out.
    var returnedUserHandle: UserHandle? = TestRelyingParty.userHandle
    var type = "public-key"
    var id: String?
    var rawID: [UInt8]?
    var authenticatorAttachment: AuthenticatorAttachment? = .platform

    /// The ceremony: `allowCredentials` (`nil` is just this credential) and the user identified
    /// before it (`nil` for a discoverable sign-in).
    var allowCredentials: [CredentialID]?
    var identifiedUser: UserHandle? = TestRelyingParty.userHandle

    /// The stored credential.
    var storedCredentialID: [UInt8]?
    var storedUserHandle = TestRelyingParty.userHandle
    var storedPublicKey: [UInt8]?
    var storedSignCount: UInt32 = 0
    var storedBackupEligible: Bool? = false
    var storedBackedUp = false

    init(key: TestCredentialKey = .es256()) {
        self.key = key
        self.clientData = .get(challenge: TestRelyingParty.challenge)
        self.authenticatorData = .authentication(signCount: 1)
    }

    // MARK: One change

    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    func clientData(_ change: (TestClientData) -> TestClientData) -> Self { with { $0.clientData = change($0.clientData) } }
    func authenticatorData(_ change: (TestAuthenticatorData) -> TestAuthenticatorData) -> Self {
        with { $0.authenticatorData = change($0.authenticatorData) }
    }

    /// A discoverable sign-in: nobody identified, no allowCredentials.
    func discoverable() -> Self {
        with {
            $0.identifiedUser = nil
            $0.allowCredentials = []
        }
    }

    // MARK: What the relying party receives, keeps and has stored

    var ceremony: AuthenticationCeremony {
        AuthenticationCeremony(
            challenge: challenge, allowCredentials: allowCredentials ?? [CredentialID(uncheckedBytes: credentialID)],
            userVerification: userVerification, userHandle: identifiedUser)
    }

    var storedCredential: StoredCredential {
        StoredCredential(
            id: CredentialID(uncheckedBytes: storedCredentialID ?? credentialID), userHandle: storedUserHandle,
            publicKey: storedPublicKey ?? key.coseKey, signCount: storedSignCount,
            backupEligible: storedBackupEligible, backedUp: storedBackedUp)
    }

    func response() throws -> AuthenticationResponseJSON {
        let authData = authenticatorData.bytes
        let clientDataJSON = clientData.bytes
        let signed = signedDataOverride ?? authData + Array(SHA256.hash(data: clientDataJSON))
        let signature = try signatureOverride ?? key.sign(signed)
        var response = AuthenticationResponseJSON(
            rawId: CredentialID(uncheckedBytes: rawID ?? credentialID),
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(clientDataJSON), authenticatorData: Base64URLData(authData),
                signature: Base64URLData(signature), userHandle: returnedUserHandle),
            authenticatorAttachment: authenticatorAttachment, type: type)
        if let id { response.id = id }
        return response
    }

    func responseJSON() throws -> Data { try JSONEncoder().encode(response()) }

    /// Runs `finishAuthentication` on `relyingParty` (the default one unless given).
    func finish(with relyingParty: RelyingParty? = nil) throws -> VerifiedAuthentication {
        let relyingParty = try relyingParty ?? TestRelyingParty.make()
        return try relyingParty.finishAuthentication(response: response(), ceremony: ceremony, credential: storedCredential)
    }
}
