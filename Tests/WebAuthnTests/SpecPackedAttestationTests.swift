import Crypto
import Foundation
import PasskeyCBOR
import Testing
import WebAuthn
import X509

/// §8.2 the `packed` attestation statement format and §8.2.1 its certificate requirements, and
/// §7.1 steps 23–24 (trust and the relying party's attestation requirement).
@Suite("Packed attestation (§8.2)")
struct SpecPackedAttestationTests {
    // MARK: Self attestation (§8.2 step 3)

    @Test("A packed self attestation is accepted as self attestation", arguments: [
        COSEAlgorithmIdentifier.es256, .es384, .es512, .edDSA, .rs256, .ps256,
    ])
    func selfAttestationIsAccepted(algorithm: COSEAlgorithmIdentifier) async throws {
        let verified = try await TestRegistration.packedSelf(key: try .make(algorithm)).finish()
        #expect(verified.format == .packed)
        #expect(verified.attestationType == .self)
        #expect(verified.attestationTrusted == false)
        #expect(verified.attestationTrustPath.isEmpty)
        #expect(verified.algorithm == algorithm)
    }

    @Test("A packed self attestation with a bad signature is rejected")
    func selfAttestationSignatureMustVerify() async throws {
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            try await TestRegistration.packedSelf().with { $0.corruptAttestationSignature = true }.finish()
        }
    }

    @Test("A packed self attestation signed over other client data is rejected")
    func selfAttestationMustCoverTheClientData() async throws {
        // The statement is signed over the original client data; the response then carries other
        // client data that still passes every client-data check.
        let registration = TestRegistration.packedSelf()
        let attestationObject = try registration.attestationObjectBytes()
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            try await registration.with {
                $0.attestationObjectOverride = attestationObject
                $0.clientData = $0.clientData.field("other", json: "1")
            }.finish()
        }
    }

    @Test("A packed self attestation whose alg is not the credential key's is rejected (§8.2 step 3)")
    func selfAttestationAlgorithmMustBeTheKeys() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration(statement: .packedSelf(algorithm: .es384)).finish()
        }
    }

    @Test("A packed statement without alg is rejected")
    func packedNeedsAlg() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.packedSelf().attestationObject { object in
                object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "alg" }))
            }.finish()
        }
    }

    @Test("A packed statement without sig is rejected")
    func packedNeedsSig() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.packedSelf().attestationObject { object in
                object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "sig" }))
            }.finish()
        }
    }

    // MARK: x5c (§8.2 step 2)

    @Test("A packed attestation with a certificate is accepted as basic attestation")
    func x5cAttestationIsAccepted() async throws {
        let verified = try await TestRegistration.packedX5C().finish()
        #expect(verified.format == .packed)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrustPath.count == 1)
        #expect(verified.attestationTrusted == false)
        #expect(verified.aaguid == AAGUID(bytes: TestRelyingParty.aaguid))
    }

    @Test("A packed attestation certificate with a P-384 key is accepted")
    func x5cWithP384KeyIsAccepted() async throws {
        let verified = try await TestRegistration.packedX5C().attestationCertificate { $0.key = .es384() }.finish()
        #expect(verified.attestationType == .basic)
    }

    @Test("A packed attestation certificate without the AAGUID extension is accepted")
    func x5cWithoutAAGUIDExtensionIsAccepted() async throws {
        let verified = try await TestRegistration.packedX5C().attestationCertificate { $0.aaguid = nil }.finish()
        #expect(verified.attestationType == .basic)
    }

    @Test("A packed attestation with a bad certificate signature is rejected")
    func x5cSignatureMustVerify() async throws {
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            try await TestRegistration.packedX5C().with { $0.corruptAttestationSignature = true }.finish()
        }
    }

    @Test("A packed attestation signed by the credential key instead of the certificate's is rejected")
    func x5cSignatureMustBeByTheCertificateKey() async throws {
        let registration = try TestRegistration.packedX5C()
        let authData = registration.authenticatorData.bytes
        let clientDataHash = Array(SHA256.hash(data: registration.clientDataJSON))
        let signature = try registration.key.sign(authData + clientDataHash)
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            try await registration.attestationObject { object in
                var entries = object.attStmt?.mapValue?.entries ?? []
                if let index = entries.firstIndex(where: { $0.key == "sig" }) { entries[index].value = .bytes(signature) }
                object.attStmt = .map(CBORMap(entries))
            }.finish()
        }
    }

    @Test("A packed x5c that is an empty array is rejected")
    func x5cMustNotBeEmpty() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.packedX5C().attestationObject { object in
                var entries = object.attStmt?.mapValue?.entries ?? []
                if let index = entries.firstIndex(where: { $0.key == "x5c" }) { entries[index].value = .array([]) }
                object.attStmt = .map(CBORMap(entries))
            }.finish()
        }
    }

    @Test("A packed x5c holding bytes that are not a certificate is rejected")
    func x5cMustHoldCertificates() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.packedX5C().attestationObject { object in
                var entries = object.attStmt?.mapValue?.entries ?? []
                if let index = entries.firstIndex(where: { $0.key == "x5c" }) { entries[index].value = [.bytes([0x30, 0x03, 0x02, 0x01, 0x01])] }
                object.attStmt = .map(CBORMap(entries))
            }.finish()
        }
    }

    // MARK: §8.2.1 certificate requirements

    @Test("A packed attestation certificate that is not version 3 is rejected (§8.2.1)")
    func certificateMustBeVersion3() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.version = .v1 }.finish()
        }
    }

    @Test("A packed attestation certificate without subject C is rejected (§8.2.1)")
    func certificateNeedsCountry() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.country = nil }.finish()
        }
    }

    @Test("A packed attestation certificate whose subject C is not a two-letter code is rejected (§8.2.1)")
    func certificateCountryMustBeACode() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.country = "USA" }.finish()
        }
    }

    @Test("A packed attestation certificate without subject O is rejected (§8.2.1)")
    func certificateNeedsOrganization() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.organization = nil }.finish()
        }
    }

    @Test("A packed attestation certificate without subject OU is rejected (§8.2.1)")
    func certificateNeedsOrganizationalUnit() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.organizationalUnit = nil }.finish()
        }
    }

    @Test("A packed attestation certificate whose OU is not \"Authenticator Attestation\" is rejected (§8.2.1)")
    func certificateOrganizationalUnitMustBeTheLiteral() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.organizationalUnit = "Engineering" }.finish()
        }
    }

    @Test("A packed attestation certificate without subject CN is rejected (§8.2.1)")
    func certificateNeedsCommonName() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.commonName = nil }.finish()
        }
    }

    @Test("A packed attestation certificate that is a CA is rejected (§8.2.1)")
    func certificateMustNotBeACA() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.isCertificateAuthority = true }.finish()
        }
    }

    @Test("A packed attestation certificate's Basic Constraints that cannot be read, or say CA true, are rejected (§8.2.1)", arguments: [
        [0x30, 0x03, 0x01, 0x01], [0x04, 0x00], [0x30, 0x03, 0x01, 0x01, 0xFF],
    ] as [[UInt8]])
    func unreadableBasicConstraints(value: [UInt8]) async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.basicConstraintsValue = .some(value) }.finish()
        }
    }

    @Test("A packed attestation certificate without Basic Constraints, or with CA false written out (BER, as Chrome's virtual authenticator writes it), is accepted")
    func absentOrExplicitFalseBasicConstraints() async throws {
        _ = try await TestRegistration.packedX5C().attestationCertificate { $0.basicConstraintsValue = .some(nil) }.finish()
        _ = try await TestRegistration.packedX5C().attestationCertificate { $0.basicConstraintsValue = .some([0x30, 0x03, 0x01, 0x01, 0x00]) }.finish()
    }

    @Test("A packed attestation certificate whose AAGUID extension names another authenticator is rejected (§8.2 step 2)")
    func certificateAAGUIDMustMatch() async throws {
        await #expect(throws: WebAuthnError(.attestationAAGUIDMismatch, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.aaguid = TestRelyingParty.otherAAGUID }.finish()
        }
    }

    @Test("A packed attestation certificate with a critical AAGUID extension is rejected (§8.2.1)")
    func certificateAAGUIDExtensionMustNotBeCritical() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C().attestationCertificate { $0.aaguidCritical = true }.finish()
        }
    }

    // MARK: Trust (§7.1 steps 23–24)

    @Test("A packed certificate from the configured root is trusted")
    func certificateFromConfiguredRootIsTrusted() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.packed: [authority.certificate]]))
        let verified = try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationType == .basic)
    }

    @Test("A packed certificate from another root than those configured is rejected")
    func certificateFromOtherRootIsRejected() async throws {
        let configured = try TestCertificateAuthority(commonName: "Configured Root")
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.packed: [configured.certificate]]))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedX5C(authority: try TestCertificateAuthority(commonName: "Other Root")).finish(with: relyingParty)
        }
    }

    @Test("A packed certificate that has expired is not trusted")
    func expiredCertificateIsRejected() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.packed: [authority.certificate]]))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedX5C(authority: authority).attestationCertificate {
                $0.notValidBefore = Date().addingTimeInterval(-3 * 86_400)
                $0.notValidAfter = Date().addingTimeInterval(-86_400)
            }.finish(with: relyingParty)
        }
    }

    @Test("A packed certificate from an intermediate in x5c that chains to the configured root is trusted")
    func certificateThroughIntermediateIsTrusted() async throws {
        let root = try TestCertificateAuthority(commonName: "Example Root")
        let intermediate = try TestCertificateAuthority(commonName: "Example Intermediate", issuer: root)
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.packed: [root.certificate]]))
        let verified = try await TestRegistration.packedX5C(authority: intermediate).with {
            if case .packedX5C(let certificate, _) = $0.statement {
                $0.statement = .packedX5C(certificate, chain: [intermediate.certificate])
            }
        }.finish(with: relyingParty)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationTrustPath.count == 2)
    }

    @Test("A packed certificate whose intermediate is missing from x5c is rejected")
    func certificateWithoutItsIntermediateIsRejected() async throws {
        let root = try TestCertificateAuthority(commonName: "Example Root")
        let intermediate = try TestCertificateAuthority(commonName: "Example Intermediate", issuer: root)
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.packed: [root.certificate]]))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedX5C(authority: intermediate).finish(with: relyingParty)
        }
    }

    @Test("Certificate validity is judged at the policy's verification time")
    func verificationTimeIsThePolicys() async throws {
        let authority = try TestCertificateAuthority()
        let afterExpiry = Date().addingTimeInterval(2 * 365 * 86_400)
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            roots: [.packed: [authority.certificate]], verificationTime: afterExpiry))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        }
    }

    @Test("Skipping chain validation (dangerous) reports the certificate as untrusted rather than rejecting it")
    func skippedChainValidationIsUntrusted() async throws {
        let configured = try TestCertificateAuthority(commonName: "Configured Root")
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            roots: [.packed: [configured.certificate]], dangerouslySkipChainValidation: true))
        let verified = try await TestRegistration.packedX5C().finish(with: relyingParty)
        #expect(verified.attestationTrusted == false)
    }

    @Test("Roots configured for another format do not make a packed certificate trusted")
    func rootsOfAnotherFormatDoNotApply() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.fidoU2F: [authority.certificate]]))
        let verified = try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        #expect(verified.attestationTrusted == false)
    }

    @Test("Requiring a trusted root rejects self attestation")
    func trustedRootRequirementRejectsSelfAttestation() async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .trustedRoot))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedSelf().finish(with: relyingParty)
        }
    }

    @Test("Requiring a trusted root rejects none attestation")
    func trustedRootRequirementRejectsNoneAttestation() async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .trustedRoot))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.none().finish(with: relyingParty)
        }
    }

    @Test("Requiring a trusted root rejects a certificate when no roots are configured")
    func trustedRootRequirementRejectsUnanchoredCertificate() async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .trustedRoot))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedX5C().finish(with: relyingParty)
        }
    }

    @Test("Requiring a trusted root accepts a certificate from a configured root")
    func trustedRootRequirementAcceptsTrustedCertificate() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            requirement: .trustedRoot, roots: [.packed: [authority.certificate]]))
        let verified = try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        #expect(verified.attestationTrusted)
    }

    @Test("An allowed AAGUID from a configured root is accepted")
    func allowedAAGUIDIsAccepted() async throws {
        let authority = try TestCertificateAuthority()
        let aaguid = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            requirement: .allowedAAGUIDs([aaguid]), roots: [.packed: [authority.certificate]]))
        let verified = try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        #expect(verified.aaguid == aaguid)
    }

    @Test("An AAGUID that is not on the allowed list is rejected")
    func unlistedAAGUIDIsRejected() async throws {
        let authority = try TestCertificateAuthority()
        let other = try #require(AAGUID(bytes: TestRelyingParty.otherAAGUID))
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            requirement: .allowedAAGUIDs([other]), roots: [.packed: [authority.certificate]]))
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.packedX5C(authority: authority).finish(with: relyingParty)
        }
    }

    @Test("An allowed AAGUID without a trusted attestation is rejected")
    func allowedAAGUIDNeedsTrust() async throws {
        let aaguid = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .allowedAAGUIDs([aaguid])))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.packedSelf().finish(with: relyingParty)
        }
    }
}

/// §8.6 the `fido-u2f` attestation statement format.
@Suite("FIDO U2F attestation (§8.6)")
struct SpecFIDOU2FAttestationTests {
    @Test("A fido-u2f attestation is accepted as basic attestation")
    func fidoU2FIsAccepted() async throws {
        let verified = try await TestRegistration.fidoU2F().finish()
        #expect(verified.format == .fidoU2F)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrustPath.count == 1)
        #expect(verified.attestationTrusted == false)
        #expect(verified.aaguid == .zero)
        #expect(verified.algorithm == .es256)
    }

    @Test("A fido-u2f certificate from the configured root is trusted")
    func fidoU2FFromConfiguredRootIsTrusted() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.fidoU2F: [authority.certificate]]))
        let verified = try await TestRegistration.fidoU2F(authority: authority).finish(with: relyingParty)
        #expect(verified.attestationTrusted)
    }

    @Test("A fido-u2f certificate from another root than those configured is rejected")
    func fidoU2FFromOtherRootIsRejected() async throws {
        let configured = try TestCertificateAuthority(commonName: "Configured Root")
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.fidoU2F: [configured.certificate]]))
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await TestRegistration.fidoU2F().finish(with: relyingParty)
        }
    }

    @Test("A fido-u2f certificate whose key is not on P-256 is rejected (§8.6 step 2)")
    func fidoU2FCertificateMustBeP256() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.fidoU2F().attestationCertificate { $0.key = .es384() }.finish()
        }
    }

    @Test("A fido-u2f x5c with two certificates is rejected (§8.6 step 2)")
    func fidoU2FNeedsExactlyOneCertificate() async throws {
        let authority = try TestCertificateAuthority()
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration.fidoU2F(authority: authority).with {
                if case .fidoU2F(let certificate, _) = $0.statement {
                    $0.statement = .fidoU2F(certificate, chain: [authority.certificate])
                }
            }.finish()
        }
    }

    @Test("A fido-u2f registration of a credential key that is not ES256 is rejected (§8.6 step 4)")
    func fidoU2FCredentialKeyMustBeES256() async throws {
        let authority = try TestCertificateAuthority()
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration(
                key: .edDSA(), statement: .fidoU2F(TestAttestationCertificate(authority: authority)),
                aaguid: Array(repeating: 0, count: 16)
            ).finish()
        }
    }

    @Test("A fido-u2f attestation with a bad signature is rejected (§8.6 step 6)")
    func fidoU2FSignatureMustVerify() async throws {
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            try await TestRegistration.fidoU2F().with { $0.corruptAttestationSignature = true }.finish()
        }
    }

    @Test("A fido-u2f statement without sig is rejected")
    func fidoU2FNeedsSig() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.fidoU2F().attestationObject { object in
                object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "sig" }))
            }.finish()
        }
    }

    @Test("A fido-u2f statement without x5c is rejected")
    func fidoU2FNeedsX5C() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.fidoU2F().attestationObject { object in
                object.attStmt = .map(CBORMap((object.attStmt?.mapValue?.entries ?? []).filter { $0.key != "x5c" }))
            }.finish()
        }
    }
}
