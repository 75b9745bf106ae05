import Foundation
import PasskeyCBOR
import Testing
import WebAuthn
import X509

/// §8.4 the `android-key` attestation statement format.
@Suite("Android key attestation (§8.4)")
struct AttestationAndroidKeyTests {
    let authority: TestCertificateAuthority
    /// The test CA stands in for Google's hardware attestation roots.
    let policy: AttestationPolicy

    init() throws {
        authority = try TestCertificateAuthority(commonName: "Example Android Attestation Root")
        policy = AttestationPolicy(roots: [.androidKey: [authority.certificate]])
    }

    func registration(key: TestCredentialKey = .es256(), _ change: (inout TestAndroidKeyAttestation) -> Void = { _ in }) throws -> TestRegistration {
        var android = TestAndroidKeyAttestation(authority: authority)
        change(&android)
        return try TestRegistration(key: key).statement(format: "android-key") { authData, clientDataHash in
            try android.statement(credentialKey: key, authData: authData, clientDataHash: clientDataHash)
        }
    }

    func rejects(_ code: WebAuthnError.Code, _ registration: TestRegistration, policy: AttestationPolicy? = nil) async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: policy ?? self.policy)
        await #expect(throws: WebAuthnError(code, "")) { try await registration.finish(with: relyingParty) }
    }

    // MARK: Accepted statements

    @Test("An android-key attestation chaining to a trusted root is accepted as basic and trusted")
    func validIsAccepted() async throws {
        let verified = try await registration().finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.format == .androidKey)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationTrustPath.count == 2)
    }

    @Test("An android-key attestation that does not chain to Google's roots is refused by the default policy")
    func builtInRootsAreTheDefault() async throws {
        try await rejects(.attestationTrust, registration(), policy: AttestationPolicy())
    }

    @Test("An android-key attestation with origin and purpose only in softwareEnforced is accepted when the policy allows software keys")
    func softwareListsCountWhenAllowed() async throws {
        let registration = try registration {
            $0.teeEnforced = .init(purposes: nil, origin: nil)
            $0.softwareEnforced = .init()
        }
        var lenient = policy
        lenient.androidKeyAuthorizations = .trustedExecutionEnvironmentOrSoftware
        let verified = try await registration.finish(with: TestRelyingParty.make(attestationPolicy: lenient))
        #expect(verified.attestationType == .basic)
    }

    // MARK: Rejected statements

    @Test("An android-key attestation whose signature does not verify is rejected")
    func signatureMustVerify() async throws {
        try await rejects(.badSignature, registration { $0.corruptSignature = true })
    }

    @Test("An android-key attestation whose certificate holds another key than the credential's is rejected")
    func certificateKeyMustBeTheCredentialKey() async throws {
        try await rejects(.attestationPolicy, registration { $0.certificateKey = .es256() })
    }

    @Test("An android-key attestation whose attestationChallenge is not the client data hash is rejected")
    func challengeMustBeTheClientDataHash() async throws {
        try await rejects(.attestationNonceMismatch, registration { $0.challenge = Array(repeating: 0x42, count: 32) })
    }

    @Test("An android-key attestation with allApplications in either list is rejected", arguments: [true, false])
    func allApplicationsIsRefused(inTEE: Bool) async throws {
        try await rejects(.attestationPolicy, registration {
            if inTEE { $0.teeEnforced.allApplications = true } else { $0.softwareEnforced.allApplications = true }
        })
    }

    @Test("An android-key attestation whose key was imported, not generated, is rejected")
    func originMustBeGenerated() async throws {
        // KM_ORIGIN_IMPORTED.
        try await rejects(.attestationPolicy, registration { $0.teeEnforced.origin = 2 })
    }

    @Test("An android-key attestation whose key may not sign is rejected")
    func purposeMustIncludeSign() async throws {
        // KM_PURPOSE_ENCRYPT, KM_PURPOSE_DECRYPT.
        try await rejects(.attestationPolicy, registration { $0.teeEnforced.purposes = [0, 1] })
    }

    @Test("An android-key attestation with origin and purpose only in softwareEnforced is rejected by default")
    func softwareListsDoNotCountByDefault() async throws {
        try await rejects(.attestationPolicy, registration {
            $0.teeEnforced = .init(purposes: nil, origin: nil)
            $0.softwareEnforced = .init()
        })
    }

    @Test("An android-key attestation without the key description extension is rejected")
    func keyDescriptionIsRequired() async throws {
        try await rejects(.attestationPolicy, registration { $0.hasKeyDescription = false })
    }

    @Test("An android-key attestation whose key description is not DER is rejected as malformed", arguments: [
        [UInt8](), [0x30, 0x03, 0x02, 0x01], [0x30, 0x03, 0x02, 0x01, 0x04], [0x04, 0x02, 0x00, 0x00],
    ])
    func keyDescriptionMustParse(value: [UInt8]) async throws {
        try await rejects(.malformed, registration { $0.keyDescriptionOverride = value })
    }

    @Test("An android-key key description cut short is rejected as malformed at every length")
    func truncatedKeyDescriptionIsMalformed() async throws {
        let full = TestAndroidKeyAttestation(authority: authority).keyDescription(clientDataHash: Array(repeating: 0, count: 32))
        for length in 0..<full.count {
            let value = Array(full.prefix(length))
            try await rejects(.malformed, registration { $0.keyDescriptionOverride = value })
        }
    }

    // MARK: An allow-list of AAGUIDs

    @Test("An allow-list of AAGUIDs refuses an android-key attestation claiming a listed AAGUID that no metadata vouches for")
    func allowListRefusesAndroidKeyWithoutMetadata() async throws {
        let claimed = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        var allowList = policy
        allowList.requirement = .allowedAAGUIDs([claimed])
        try await rejects(.attestationPolicy, registration(), policy: allowList)
    }

    @Test("An allow-list of AAGUIDs accepts an android-key attestation verified by the roots FIDO metadata gives for its AAGUID")
    func allowListAcceptsAndroidKeyThroughMetadata() async throws {
        let claimed = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        let service = try MetadataTests.TestMetadataService()
        let jws = try service.blob(number: 1, entries: [
            try MetadataTests.entry(aaguid: claimed.uuidString, description: "Android model", statuses: [("FIDO_CERTIFIED", "2024-01-01")], roots: [authority.certificate]),
        ])
        let metadata = AuthenticatorMetadata(blob: try await MetadataBLOB.verify(jws: jws, roots: [service.root]))
        let allowList = AttestationPolicy(requirement: .allowedAAGUIDs([claimed]), metadata: metadata)
        let verified = try await registration().finish(with: TestRelyingParty.make(attestationPolicy: allowList))
        #expect(verified.attestationTrusted)
        #expect(verified.aaguid == claimed)
    }

    // MARK: Real devices (conformance vectors)

    @Test("A Samsung Galaxy S9 registration chains to Google's hardware attestation root, built in",
          .enabled(if: TestVectorRegistration.folder != nil, "PASSKEYS_VECTORS is not set"))
    func realDeviceChainsToBuiltInRoot() async throws {
        // The vector names the root itself; the same root is built in, so leave the vector's out.
        var vector = try TestVectorRegistration("simplewebauthn.android-key.should-verify-android-keystore-response-from-a-samsung-galaxy-s9-running-android-10")
        vector.dropTrustAnchors()
        let verified = try await vector.verify(statement: vector.statement)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationType == .basic)
    }
}
