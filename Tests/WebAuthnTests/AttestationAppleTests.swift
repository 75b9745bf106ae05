import Foundation
import PasskeyCBOR
import Testing
import WebAuthn
import X509

/// §8.8 the `apple` (Apple anonymous) attestation statement format.
@Suite("Apple anonymous attestation (§8.8)")
struct AttestationAppleTests {
    let authority: TestCertificateAuthority
    /// The test CA stands in for the Apple WebAuthn Root CA.
    let policy: AttestationPolicy

    init() throws {
        authority = try TestCertificateAuthority(commonName: "Example WebAuthn Root CA")
        policy = AttestationPolicy(roots: [.apple: [authority.certificate]])
    }

    func registration(key: TestCredentialKey = .es256(), _ change: (inout TestAppleAttestation) -> Void = { _ in }) throws -> TestRegistration {
        var apple = TestAppleAttestation(authority: authority)
        change(&apple)
        return try TestRegistration(key: key).statement(format: "apple") { authData, clientDataHash in
            try apple.statement(credentialKey: key, authData: authData, clientDataHash: clientDataHash)
        }
    }

    func rejects(_ code: WebAuthnError.Code, _ registration: TestRegistration, policy: AttestationPolicy? = nil) async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: policy ?? self.policy)
        await #expect(throws: WebAuthnError(code, "")) { try await registration.finish(with: relyingParty) }
    }

    @Test("An apple attestation with the right nonce and key is accepted as anonymization CA and trusted")
    func validIsAccepted() async throws {
        let verified = try await registration().finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.format == .apple)
        #expect(verified.attestationType == .anonCA)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationTrustPath.count == 2)
    }

    @Test("An apple attestation of a P-384 key is accepted")
    func p384KeyIsAccepted() async throws {
        let verified = try await registration(key: .es384()).finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.algorithm == .es384)
    }

    @Test("An apple attestation whose nonce is not SHA-256 of authenticatorData and clientDataHash is rejected")
    func nonceMustMatch() async throws {
        try await rejects(.attestationNonceMismatch, registration { $0.nonce = Array(repeating: 0x07, count: 32) })
    }

    @Test("An apple attestation whose certificate holds another key than the credential's is rejected")
    func keyMustMatch() async throws {
        try await rejects(.attestationPolicy, registration { $0.certificateKey = .es256() })
    }

    @Test("An apple attestation without the nonce extension is rejected")
    func nonceExtensionIsRequired() async throws {
        try await rejects(.attestationPolicy, registration { $0.hasNonceExtension = false })
    }

    @Test("An apple attestation whose nonce extension is not SEQUENCE { [1] OCTET STRING } is rejected as malformed", arguments: [
        [UInt8](), [0x04, 0x01, 0x00], [0x30, 0x00], [0x30, 0x04, 0xA2, 0x02, 0x04, 0x00], [0x30, 0x04, 0xA1, 0x02, 0x02, 0x00],
    ])
    func nonceExtensionMustParse(value: [UInt8]) async throws {
        try await rejects(.malformed, registration { $0.nonceExtensionOverride = value })
    }

    @Test("An apple attestation without x5c is rejected as malformed")
    func x5cIsRequired() async throws {
        try await rejects(.malformed, registration().attestationObject { object in
            object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "x5c" }))
        })
    }

    @Test("An apple attestation that does not chain to the Apple WebAuthn Root CA is refused by the default policy")
    func builtInRootIsTheDefault() async throws {
        try await rejects(.attestationTrust, registration(), policy: AttestationPolicy())
    }

    @Test("A Touch ID registration chains to the built-in Apple WebAuthn Root CA",
          .enabled(if: TestVectorRegistration.folder != nil, "PASSKEYS_VECTORS is not set"))
    func realDeviceChainsToBuiltInRoot() async throws {
        let vector = try TestVectorRegistration("webauthnrs.apple.touchid-attest-apple-anonymous")
        let verified = try await vector.verify(statement: vector.statement)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationType == .anonCA)
    }

    @Test("A Touch ID registration checked after its certificate expired is refused",
          .enabled(if: TestVectorRegistration.folder != nil, "PASSKEYS_VECTORS is not set"))
    func expiredRealCertificateIsRefused() async throws {
        let vector = try TestVectorRegistration("webauthnrs.apple.touchid-attest-apple-anonymous")
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await vector.verify(statement: vector.statement) { $0.verificationTime = nil }
        }
    }
}
