import Foundation
import PasskeyCBOR
import Testing
import WebAuthn
import X509

/// §8.5 the `android-safetynet` attestation statement format.
@Suite("Android SafetyNet attestation (§8.5)")
struct AttestationSafetyNetTests {
    let authority: TestCertificateAuthority
    /// "Now" for every test, so timestamps are exact.
    let now = Date()
    /// The test CA stands in for the roots of attest.android.com.
    var policy: AttestationPolicy {
        AttestationPolicy(roots: [.androidSafetyNet: [authority.certificate]], verificationTime: now)
    }

    init() throws {
        authority = try TestCertificateAuthority(commonName: "Example SafetyNet Root")
    }

    func registration(_ change: (inout TestSafetyNetAttestation) -> Void = { _ in }) throws -> TestRegistration {
        var safetyNet = TestSafetyNetAttestation(authority: authority, timestamp: now.addingTimeInterval(-2))
        change(&safetyNet)
        return try TestRegistration().statement(format: "android-safetynet") { authData, clientDataHash in
            try safetyNet.statement(authData: authData, clientDataHash: clientDataHash)
        }
    }

    func rejects(_ code: WebAuthnError.Code, _ registration: TestRegistration, policy: AttestationPolicy? = nil) async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: policy ?? self.policy)
        await #expect(throws: WebAuthnError(code, "")) { try await registration.finish(with: relyingParty) }
    }

    // MARK: Accepted statements

    @Test("A SafetyNet attestation signed by attest.android.com, fresh, with ctsProfileMatch is accepted as basic and trusted")
    func validIsAccepted() async throws {
        let verified = try await registration().finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.format == .androidSafetyNet)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationTrustPath.count == 2)
    }

    @Test("A SafetyNet attestation without ctsProfileMatch is accepted when the policy does not require it")
    func ctsCanBeWaived() async throws {
        var lenient = policy
        lenient.safetyNetRequiresCTSProfileMatch = false
        let verified = try await registration { $0.ctsProfileMatch = false }.finish(with: TestRelyingParty.make(attestationPolicy: lenient))
        #expect(verified.attestationType == .basic)
    }

    @Test("A SafetyNet attestation up to 60 seconds in the future is accepted (clock skew)")
    func smallFutureSkewIsAccepted() async throws {
        let verified = try await registration { $0.timestamp = now.addingTimeInterval(59) }
            .finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.attestationType == .basic)
    }

    // MARK: Rejected statements

    @Test("A SafetyNet attestation whose nonce is not the hash of authenticatorData and clientDataHash is rejected")
    func nonceMustMatch() async throws {
        let other = Data(repeating: 0x24, count: 32).base64EncodedString()
        try await rejects(.attestationNonceMismatch, registration { $0.nonce = other })
    }

    @Test("A SafetyNet attestation with ctsProfileMatch false or absent is rejected by default", arguments: [false, nil] as [Bool?])
    func ctsProfileMatchIsRequired(value: Bool?) async throws {
        try await rejects(.attestationPolicy, registration { $0.ctsProfileMatch = value })
    }

    @Test("A SafetyNet ES256 signature that is not 64 bytes is rejected before it is read, however long", arguments: [0, 62, 66, 128, 131_200])
    func ecdsaSignatureOfTheWrongSize(size: Int) async throws {
        // 131,200 bytes once trapped while writing the DER length of a 65,600-byte integer.
        try await rejects(.badSignature, registration { $0.signatureOverride = [UInt8](repeating: 1, count: size) })
    }

    @Test("A SafetyNet attestation signed by a certificate for another host is rejected")
    func hostnameMustBeAttestAndroidCom() async throws {
        try await rejects(.attestationPolicy, registration { $0.hostname = "attest.example.com" })
    }

    @Test("A SafetyNet attestation older than five minutes is rejected")
    func staleTimestampIsRejected() async throws {
        try await rejects(.attestationPolicy, registration { $0.timestamp = now.addingTimeInterval(-301) })
    }

    @Test("A SafetyNet attestation more than a minute in the future is rejected")
    func futureTimestampIsRejected() async throws {
        try await rejects(.attestationPolicy, registration { $0.timestamp = now.addingTimeInterval(61) })
    }

    @Test("A SafetyNet attestation whose JWS signature does not verify is rejected")
    func jwsSignatureMustVerify() async throws {
        try await rejects(.badSignature, registration { $0.corruptSignature = true })
    }

    @Test("A SafetyNet attestation whose response is not a compact JWS is rejected as malformed", arguments: [
        "", "abc", "a.b", "a.b.c.d", "!!!.e30.AAAA", "e30.e30.AAAA",
    ])
    func responseMustBeAJWS(response: String) async throws {
        try await rejects(.malformed, registration { $0.responseOverride = response })
    }

    @Test("A SafetyNet attestation with an empty or missing ver is rejected as malformed", arguments: ["", nil] as [String?])
    func verMustBeNonEmpty(ver: String?) async throws {
        try await rejects(.malformed, registration { $0.ver = ver })
    }

    @Test("A SafetyNet attestation that does not chain to the roots of attest.android.com is refused by the default policy")
    func builtInRootsAreTheDefault() async throws {
        try await rejects(.attestationTrust, registration(), policy: AttestationPolicy(verificationTime: now))
    }

    @Test("An allow-list of AAGUIDs refuses a SafetyNet attestation claiming a listed AAGUID that no metadata vouches for")
    func allowListRefusesSafetyNetWithoutMetadata() async throws {
        let claimed = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        var allowList = policy
        allowList.requirement = .allowedAAGUIDs([claimed])
        try await rejects(.attestationPolicy, registration(), policy: allowList)
    }

    // MARK: Real devices (conformance vectors)

    @Test("A 2025 SafetyNet registration chains to GlobalSign Root CA, built in, once ctsProfileMatch is waived",
          .enabled(if: TestVectorRegistration.folder != nil, "PASSKEYS_VECTORS is not set"))
    func realDeviceChainsToBuiltInRoot() async throws {
        let vector = try TestVectorRegistration("simplewebauthn.android-safetynet.should-skip-cts-check-when-enforcement-option-is-false")
        let verified = try await vector.verify(statement: vector.statement) { $0.safetyNetRequiresCTSProfileMatch = false }
        #expect(verified.attestationTrusted)
        await #expect(throws: WebAuthnError(.attestationPolicy, ""), "its ctsProfileMatch is false, required by default") {
            try await vector.verify(statement: vector.statement)
        }
    }
}
