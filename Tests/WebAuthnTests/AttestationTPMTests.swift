import Crypto
import Foundation
import PasskeyCBOR
import Testing
import WebAuthn
import X509

/// §8.3 the `tpm` attestation statement format and §8.3.1 its AIK certificate requirements.
@Suite("TPM attestation (§8.3)")
struct AttestationTPMTests {
    let authority: TestCertificateAuthority

    init() throws {
        authority = try TestCertificateAuthority(commonName: "Example TPM Root CA")
    }

    /// A registration carrying the tpm statement, changed as the test says.
    func registration(
        key: TestCredentialKey = .es256(), aaguid: [UInt8] = TestRelyingParty.aaguid,
        _ change: (inout TestTPMAttestation) -> Void = { _ in }
    ) throws -> TestRegistration {
        var tpm = TestTPMAttestation(authority: authority)
        change(&tpm)
        return try TestRegistration(key: key, aaguid: aaguid).statement(format: "tpm") { authData, clientDataHash in
            try tpm.statement(credentialKey: key, authData: authData, clientDataHash: clientDataHash)
        }
    }

    func rejects(_ code: WebAuthnError.Code, _ registration: TestRegistration, policy: AttestationPolicy = AttestationPolicy()) async throws {
        let relyingParty = try TestRelyingParty.make(algorithms: [.es256, .rs256], attestationPolicy: policy)
        await #expect(throws: WebAuthnError(code, "")) { try await registration.finish(with: relyingParty) }
    }

    // MARK: Accepted statements

    @Test("A TPM attestation of an ES256 key is accepted as attestation CA, untrusted without roots")
    func ecdsaKeyIsAccepted() async throws {
        let verified = try await registration().finish()
        #expect(verified.format == .tpm)
        #expect(verified.attestationType == .attCA)
        #expect(verified.attestationTrusted == false)
        #expect(verified.attestationTrustPath.count == 1)
    }

    @Test("A TPM attestation chains through its critical subject alternative name to a configured root")
    func chainsToAConfiguredRoot() async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.tpm: [authority.certificate]]))
        let verified = try await registration().finish(with: relyingParty)
        #expect(verified.attestationTrusted)
    }

    @Test("A TPM attestation that does not chain to the configured root is rejected")
    func otherRootIsRejected() async throws {
        let other = try TestCertificateAuthority(commonName: "Other TPM Root CA")
        try await rejects(.attestationTrust, registration(), policy: AttestationPolicy(roots: [.tpm: [other.certificate]]))
    }

    @Test("A TPM attestation of an RSA key, exponent 0 meaning 65537, is accepted")
    func rsaKeyIsAccepted() async throws {
        let relyingParty = try TestRelyingParty.make(algorithms: [.rs256])
        let verified = try await registration(key: try .rs256()).finish(with: relyingParty)
        #expect(verified.attestationType == .attCA)
        #expect(verified.algorithm == .rs256)
    }

    @Test("A TPM attestation signed with RS1 by an RSA AIK is accepted")
    func rs1SignatureIsAccepted() async throws {
        let aikKey = try TestCredentialKey.rs256()
        let verified = try await registration { $0.aikKey = aikKey; $0.algorithm = .rs1 }.finish()
        #expect(verified.attestationType == .attCA)
    }

    @Test("A TPM attestation whose SAN is one multi-valued RDN (as some Windows TPMs write it) is accepted")
    func multiValuedSANIsAccepted() async throws {
        let verified = try await registration { $0.sanForm = .multiValuedRDN }.finish()
        #expect(verified.attestationType == .attCA)
    }

    @Test("A TPM attestation whose AIK certificate carries the authenticator's AAGUID is accepted")
    func matchingAAGUIDIsAccepted() async throws {
        let verified = try await registration { $0.aikAAGUID = TestRelyingParty.aaguid }.finish()
        #expect(verified.attestationType == .attCA)
    }

    // MARK: The statement (§8.3 steps 1–4)

    @Test("A TPM attestation whose ver is not 2.0 is rejected")
    func verMustBe20() async throws {
        try await rejects(.attestationPolicy, registration { $0.ver = "1.2" })
    }

    @Test("A TPM attestation without ver is rejected as malformed")
    func verIsRequired() async throws {
        try await rejects(.malformed, registration { $0.ver = nil })
    }

    @Test("A TPM attestation whose certInfo magic is not TPM_GENERATED_VALUE is rejected")
    func magicMustBeGenerated() async throws {
        try await rejects(.attestationPolicy, registration { $0.magic = 0xFF54_4348 })
    }

    @Test("A TPM attestation whose certInfo type is not TPM_ST_ATTEST_CERTIFY is rejected")
    func typeMustBeCertify() async throws {
        // TPM_ST_ATTEST_QUOTE.
        try await rejects(.attestationPolicy, registration { $0.type = 0x8018 })
    }

    @Test("A TPM attestation whose extraData is not the hash of attToBeSigned is rejected")
    func extraDataMustBeTheHash() async throws {
        try await rejects(.attestationNonceMismatch, registration { $0.extraData = Array(repeating: 0x11, count: 32) })
    }

    @Test("A TPM attestation whose extraData uses another hash than alg's is rejected")
    func extraDataMustUseAlgsHash() async throws {
        let aikKey = try TestCredentialKey.rs256()
        // RS1 means SHA-1; a SHA-256 extraData is the hash of the right data under the wrong algorithm.
        try await rejects(.attestationNonceMismatch, registration {
            $0.aikKey = aikKey
            $0.algorithm = .rs1
            $0.extraDataAlgorithm = .rs256
        })
    }

    @Test("A TPM attestation whose attested name is not pubArea's Name is rejected")
    func attestedNameMustBePubAreasName() async throws {
        try await rejects(.attestationPolicy, registration { $0.attestedName = [0x00, 0x0B] + Array(repeating: 0x33, count: 32) })
    }

    @Test("A TPM attestation whose pubArea is another key is rejected")
    func pubAreaMustBeTheCredentialKey() async throws {
        try await rejects(.attestationPolicy, registration { $0.pubAreaKey = .es256() })
    }

    @Test("A TPM attestation whose pubArea is RSA for an EC credential key is rejected")
    func pubAreaKeyTypeMustMatch() async throws {
        let rsa = try TestCredentialKey.rs256()
        try await rejects(.attestationPolicy, registration { $0.pubAreaKey = rsa })
    }

    @Test("A TPM attestation whose pubArea names another curve is rejected")
    func pubAreaCurveMustMatch() async throws {
        // Bytes 14–15 of the fixture's ECC pubArea are the curve: NIST P-384 instead of P-256.
        try await rejects(.attestationPolicy, registration { $0.pubAreaChange = { $0[15] = 0x04 } })
    }

    @Test("A TPM attestation whose pubArea is neither RSA nor ECC is rejected")
    func pubAreaTypeMustBeRSAOrECC() async throws {
        // TPM_ALG_KEYEDHASH.
        try await rejects(.attestationPolicy, registration { $0.pubAreaChange = { $0[0] = 0x00; $0[1] = 0x08 } })
    }

    @Test("A TPM attestation whose sig does not verify is rejected")
    func signatureMustVerify() async throws {
        try await rejects(.badSignature, registration { $0.corruptSignature = true })
    }

    @Test("A TPM attestation whose certInfo is cut short is rejected as malformed at every length")
    func truncatedCertInfoIsMalformed() async throws {
        let full = TestTPMAttestation(authority: authority).certInfo(pubArea: [], attToBeSigned: []).count
        for length in 0..<full {
            try await rejects(.malformed, registration { $0.certInfoChange = { $0 = Array($0.prefix(length)) } })
        }
    }

    @Test("A TPM attestation whose pubArea is cut short is rejected as malformed at every length")
    func truncatedPubAreaIsMalformed() async throws {
        let full = try TestTPMAttestation.pubArea(for: .es256()).count
        for length in 0..<full {
            try await rejects(.malformed, registration { $0.pubAreaChange = { $0 = Array($0.prefix(length)) } })
        }
    }

    @Test("A TPM attestation with bytes after certInfo or pubArea is rejected as malformed")
    func trailingBytesAreMalformed() async throws {
        try await rejects(.malformed, registration { $0.certInfoChange = { $0 += [0x00] } })
        try await rejects(.malformed, registration { $0.pubAreaChange = { $0 += [0x00] } })
    }

    @Test("A TPM attestation whose sizes claim more than there is is rejected as malformed, never read past the end")
    func oversizedLengthsAreMalformed() async throws {
        // qualifiedSigner's size (bytes 6–7) and pubArea's authPolicy size (bytes 8–9) set to 0xFFFF.
        try await rejects(.malformed, registration { $0.certInfoChange = { $0[6] = 0xFF; $0[7] = 0xFF } })
        try await rejects(.malformed, registration { $0.pubAreaChange = { $0[8] = 0xFF; $0[9] = 0xFF } })
    }

    @Test("A TPM attestation with random certInfo and pubArea bytes is rejected, never crashes")
    func randomStructuresAreRejected() async throws {
        var generator = SeededGenerator(seed: 0x7E57_7B44)
        for _ in 0..<200 {
            let certInfo = (0..<Int.random(in: 0..<140, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let pubArea = (0..<Int.random(in: 0..<140, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let registration = try registration { tpm in
                tpm.certInfoChange = { $0 = certInfo }
                tpm.pubAreaChange = { $0 = pubArea }
            }
            await #expect(throws: WebAuthnError.self) { try await registration.finish() }
        }
    }

    @Test("A TPM attestation without x5c is rejected as malformed")
    func x5cIsRequired() async throws {
        try await rejects(.malformed, registration().attestationObject { object in
            object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "x5c" }))
        })
    }

    // MARK: The AIK certificate (§8.3.1)

    @Test("A TPM attestation whose AIK certificate has a subject is rejected")
    func aikSubjectMustBeEmpty() async throws {
        let subject = try DistinguishedName { CommonName("Some TPM") }
        try await rejects(.attestationPolicy, registration { $0.aikSubject = subject })
    }

    @Test("A TPM attestation whose AIK certificate lacks the tcg-kp-AIKCertificate usage is rejected")
    func aikUsageIsRequired() async throws {
        try await rejects(.attestationPolicy, registration { $0.hasAIKUsage = false })
    }

    @Test("A TPM attestation whose AIK certificate has no subject alternative name is rejected")
    func aikSANIsRequired() async throws {
        try await rejects(.attestationPolicy, registration { $0.sanForm = nil })
    }

    @Test("A TPM attestation whose AIK subject alternative name is not critical is rejected")
    func aikSANMustBeCritical() async throws {
        try await rejects(.attestationPolicy, registration { $0.sanCritical = false })
    }

    @Test("A TPM attestation whose AIK subject alternative name lacks the manufacturer, model or version is rejected", arguments: [0, 1, 2])
    func aikSANNamesTheTPM(missing: Int) async throws {
        try await rejects(.attestationPolicy, registration {
            switch missing {
            case 0: $0.manufacturer = nil
            case 1: $0.model = nil
            default: $0.firmwareVersion = nil
            }
        })
    }

    @Test("A TPM attestation whose AIK certificate is a CA is rejected")
    func aikMustNotBeCA() async throws {
        try await rejects(.attestationPolicy, registration { $0.aikIsCA = true })
    }

    @Test("A TPM attestation whose AIK certificate names another AAGUID is rejected")
    func aikAAGUIDMustMatch() async throws {
        try await rejects(.attestationAAGUIDMismatch, registration { $0.aikAAGUID = TestRelyingParty.otherAAGUID })
    }

    @Test("A TPM manufacturer off the relying party's list is rejected, one on it accepted")
    func manufacturerAllowList() async throws {
        let listed = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(tpmManufacturers: ["id:494E5443"]))
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) { try await registration().finish(with: listed) }
        let verified = try await registration { $0.manufacturer = "id:494e5443" }.finish(with: listed)
        #expect(verified.attestationType == .attCA)
    }

    // MARK: Real TPMs (conformance vectors)

    static let vectorsAvailable = TestVectorRegistration.folder != nil

    @Test("A Windows Hello TPM registration whose certInfo or pubArea is cut short is malformed at every length",
          .enabled(if: vectorsAvailable, "PASSKEYS_VECTORS is not set"))
    func realTPMTruncations() async throws {
        let vector = try TestVectorRegistration("webauthnrs.tpm.win-hello-attest-tpm")
        _ = try await vector.verify(statement: vector.statement)
        for field in ["certInfo", "pubArea"] {
            let bytes = try #require(vector.statement[field]?.bytesValue)
            for length in 0..<bytes.count {
                await #expect(throws: WebAuthnError(.malformed, ""), "\(field) cut to \(length) bytes") {
                    try await vector.verify(statement: vector.statement(replacing: field, with: Array(bytes.prefix(length))))
                }
            }
        }
    }
}

/// A deterministic random number generator (SplitMix64), so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
