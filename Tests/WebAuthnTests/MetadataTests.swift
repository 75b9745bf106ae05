import Crypto
import Foundation
import PasskeyCBOR
import SwiftASN1
import Testing
import SoftwareAuthenticator
@testable import WebAuthn
import X509

/// FIDO MDS3 metadata BLOBs: signature, chain to the metadata root, rollback and status.
@Suite("Metadata BLOBs")
struct MetadataTests {
    /// A metadata service of our own: a root, a signing certificate and the key that signs BLOBs.
    struct TestMetadataService {
        let rootKey = P256.Signing.PrivateKey()
        let signingKey = P256.Signing.PrivateKey()
        let root: Certificate
        let signer: Certificate

        init(now: Date = Date()) throws {
            let rootName = try DistinguishedName { CommonName("Test Metadata Root") }
            root = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
                notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365, issuer: rootName, subject: rootName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true))
                },
                issuerPrivateKey: .init(rootKey))
            signer = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(signingKey.publicKey),
                notValidBefore: now - 3600, notValidAfter: now + 86_400 * 30, issuer: rootName,
                subject: try DistinguishedName { CommonName("Test Metadata Signer") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
                issuerPrivateKey: .init(rootKey))
        }

        static func der(_ certificate: Certificate) throws -> [UInt8] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }

        func blob(number: Int, entries: [[String: Any]], corruptSignature: Bool = false) throws -> String {
            let header: [String: Any] = ["alg": "ES256", "typ": "JWT", "x5c": [Data(try Self.der(signer)).base64EncodedString()]]
            let payload: [String: Any] = ["legalHeader": "test", "no": number, "nextUpdate": "2030-01-01", "entries": entries]
            let signingInput = Base64URL.encode(try JSONSerialization.data(withJSONObject: header))
                + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: payload))
            var signature = Array(try signingKey.signature(for: Array(signingInput.utf8)).rawRepresentation)
            if corruptSignature { signature[5] ^= 0xFF }
            return signingInput + "." + Base64URL.encode(signature)
        }
    }

    static let yubiKey = "ee882879-721c-4913-9775-3dfcce97072a"

    static func entry(aaguid: String, description: String, statuses: [(String, String)], roots: [Certificate] = []) throws -> [String: Any] {
        [
            "aaguid": aaguid,
            "metadataStatement": [
                "description": description,
                "protocolFamily": "fido2",
                "icon": "data:image/png;base64,iVBORw0KGgo=",
                "attestationRootCertificates": try roots.map { Data(try TestMetadataService.der($0)).base64EncodedString() },
            ] as [String: Any],
            "statusReports": statuses.map { ["status": $0.0, "effectiveDate": $0.1] },
            "timeOfLastStatusChange": statuses.last?.1 ?? "2024-01-01",
        ]
    }

    @Test("a BLOB signed by the trusted root is verified and its entries decoded")
    func verifiedBLOB() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 7, entries: [
            try Self.entry(aaguid: Self.yubiKey, description: "YubiKey 5 Series", statuses: [("FIDO_CERTIFIED", "2024-01-01")], roots: [service.root]),
        ])
        let blob = try await MetadataBLOB.verify(jws: jws, roots: [service.root])
        #expect(blob.number == 7)
        let aaguid = try #require(AAGUID(uuidString: Self.yubiKey))
        let entry = try #require(blob.entry(for: aaguid))
        #expect(entry.description == "YubiKey 5 Series")
        #expect(entry.latestStatus == .fidoCertified)
        #expect(!entry.isCompromised)
        #expect(entry.attestationRootCertificates == [service.root])
        #expect(entry.icon?.hasPrefix("data:image/png") == true)
    }

    @Test("a BLOB with a tampered signature is rejected with bad_signature")
    func tamperedSignature() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [], corruptSignature: true)
        await #expect(throws: WebAuthnError(.badSignature, "")) { _ = try await MetadataBLOB.verify(jws: jws, roots: [service.root]) }
    }

    @Test("a BLOB whose payload was changed after signing is rejected with bad_signature")
    func tamperedPayload() async throws {
        let service = try TestMetadataService()
        let parts = try service.blob(number: 1, entries: []).split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Array(#"{"no":99,"nextUpdate":"2030-01-01","entries":[]}"#.utf8))
        await #expect(throws: WebAuthnError(.badSignature, "")) {
            _ = try await MetadataBLOB.verify(jws: [parts[0], forged, parts[2]].joined(separator: "."), roots: [service.root])
        }
    }

    @Test("a BLOB signed under another root is rejected with attestation_trust")
    func untrustedRoot() async throws {
        let service = try TestMetadataService()
        let other = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [])
        await #expect(throws: WebAuthnError(.attestationTrust, "")) { _ = try await MetadataBLOB.verify(jws: jws, roots: [other.root]) }
    }

    @Test("a BLOB under another root of the same name is refused with the signer and its issuer named")
    func untrustedRootNamesTheChain() async throws {
        let service = try TestMetadataService()
        let other = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [])
        await #expect {
            _ = try await MetadataBLOB.verify(jws: jws, roots: [other.root])
        } throws: { error in
            guard let error = error as? WebAuthnError, error.code == .attestationTrust else { return false }
            return error.reason.contains("CN=Test Metadata Signer") && error.reason.contains("issued by CN=Test Metadata Root")
                && error.reason.contains("to a trusted root")
        }
    }

    @Test("a BLOB file ending in a line break or wrapped in ASCII whitespace is verified", arguments: [
        ("", "\n"), ("", "\r\n"), (" \t", " \n\n"),
    ])
    func surroundingWhitespace(_ before: String, _ after: String) async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 3, entries: [])
        let blob = try await MetadataBLOB.verify(jws: before + jws + after, roots: [service.root])
        #expect(blob.number == 3)
    }

    @Test("a BLOB with a line break inside, or other whitespace around it, is malformed", arguments: [
        "inside", "no-break space", "line separator",
    ])
    func whitespaceThatIsNotAround(_ variant: String) async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [])
        let broken: String
        switch variant {
        case "inside": broken = String(jws.prefix(40)) + "\n" + String(jws.dropFirst(40))
        case "no-break space": broken = jws + "\u{00A0}"
        default: broken = "\u{2028}" + jws
        }
        await #expect(throws: WebAuthnError(.malformed, "")) { _ = try await MetadataBLOB.verify(jws: broken, roots: [service.root]) }
    }

    @Test("a self-made BLOB is not trusted under the built-in FIDO root")
    func builtInRootRejectsTestBLOB() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [])
        await #expect(throws: WebAuthnError(.attestationTrust, "")) { _ = try await MetadataBLOB.verify(jws: jws) }
    }

    @Test("a BLOB checked after its signing certificate expired is rejected")
    func expiredSigner() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [])
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            _ = try await MetadataBLOB.verify(jws: jws, roots: [service.root], at: Date() + 86_400 * 60)
        }
    }

    @Test("malformed BLOBs are rejected with malformed", arguments: [
        "", "a.b", "a.b.c.d", "!!!.e30.AA", "e30.e30.AA", "eyJhbGciOiJFUzI1NiJ9.e30.AA",
    ])
    func malformedBLOB(_ jws: String) async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) { _ = try await MetadataBLOB.verify(jws: jws, roots: []) }
    }

    @Test("a payload without the BLOB number is malformed and names the field")
    func payloadMissingNumber() throws {
        #expect {
            _ = try MetadataBLOB.decodePayload(Array(#"{"nextUpdate":"2030-01-01","entries":[]}"#.utf8))
        } throws: { error in
            (error as? WebAuthnError)?.code == .malformed && (error as? WebAuthnError)?.reason.contains("no") == true
        }
    }

    @Test("loading an older or equal BLOB is refused as a rollback")
    func rollbackRefused() async throws {
        let service = try TestMetadataService()
        var metadata = AuthenticatorMetadata()
        try metadata.load(try await MetadataBLOB.verify(jws: try service.blob(number: 5, entries: []), roots: [service.root]))
        let older = try await MetadataBLOB.verify(jws: try service.blob(number: 4, entries: []), roots: [service.root])
        let same = try await MetadataBLOB.verify(jws: try service.blob(number: 5, entries: []), roots: [service.root])
        #expect(throws: WebAuthnError(.metadataRollback, "")) { try metadata.load(older) }
        #expect(throws: WebAuthnError(.metadataRollback, "")) { try metadata.load(same) }
        #expect(metadata.blob?.number == 5)
        try metadata.load(try await MetadataBLOB.verify(jws: try service.blob(number: 6, entries: []), roots: [service.root]))
        #expect(metadata.blob?.number == 6)
    }

    @Test("an authenticator whose latest status is a compromise is reported compromised")
    func compromisedStatus() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [
            try Self.entry(aaguid: Self.yubiKey, description: "Broken key", statuses: [
                ("FIDO_CERTIFIED", "2020-01-01"), ("ATTESTATION_KEY_COMPROMISE", "2023-05-01"),
            ]),
        ])
        let blob = try await MetadataBLOB.verify(jws: jws, roots: [service.root])
        let entry = try #require(blob.entries.first)
        #expect(entry.latestStatus == .attestationKeyCompromise)
        #expect(entry.isCompromised)
    }

    /// One entry with these status reports, as a BLOB's payload decodes it.
    static func entry(statuses: [(String, String)]) throws -> MetadataEntry {
        let payload: [String: Any] = [
            "no": 1, "nextUpdate": "2030-01-01", "entries": [try entry(aaguid: yubiKey, description: "Key", statuses: statuses)],
        ]
        guard let entry = try MetadataBLOB.decodePayload(Array(try JSONSerialization.data(withJSONObject: payload))).entries.first else {
            throw FixtureError("the payload has no entry")
        }
        return entry
    }

    @Test("a revocation with the same date as a certification is a compromise, in either order", arguments: [false, true])
    func sameDateRevocationIsCompromise(revokedFirst: Bool) throws {
        let reports = [("FIDO_CERTIFIED", "2024-05-01"), ("REVOKED", "2024-05-01")]
        let entry = try Self.entry(statuses: revokedFirst ? reports.reversed() : reports)
        #expect(entry.isCompromised)
    }

    @Test("a later status other than a certification does not clear a compromise", arguments: [
        "REVOKED", "ATTESTATION_KEY_COMPROMISE", "USER_VERIFICATION_BYPASS", "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE",
    ])
    func laterUpdateDoesNotClearCompromise(compromise: String) throws {
        let entry = try Self.entry(statuses: [
            ("FIDO_CERTIFIED", "2020-01-01"), (compromise, "2023-05-01"), ("UPDATE_AVAILABLE", "2024-02-01"), ("NOT_FIDO_CERTIFIED", "2024-03-01"),
        ])
        #expect(entry.latestStatus == AuthenticatorStatus(rawValue: "NOT_FIDO_CERTIFIED"))
        #expect(entry.isCompromised)
    }

    @Test("a FIDO certification of any level strictly after a compromise clears it", arguments: ["FIDO_CERTIFIED", "FIDO_CERTIFIED_L1", "FIDO_CERTIFIED_L2plus"])
    func newerCertificationClearsCompromise(certification: String) throws {
        let entry = try Self.entry(statuses: [("ATTESTATION_KEY_COMPROMISE", "2023-05-01"), (certification, "2023-05-02")])
        #expect(!entry.isCompromised)
    }

    @Test("a compromise without an effective date is not cleared by a dated certification")
    func undatedCompromiseStays() throws {
        let payload: [String: Any] = ["no": 1, "nextUpdate": "2030-01-01", "entries": [[
            "aaguid": Self.yubiKey,
            "statusReports": [["status": "REVOKED"], ["status": "FIDO_CERTIFIED", "effectiveDate": "2024-01-01"]],
        ]]]
        let entry = try #require(try MetadataBLOB.decodePayload(Array(try JSONSerialization.data(withJSONObject: payload))).entries.first)
        #expect(entry.isCompromised)
    }

    @Test("of reports with the same date, the one listed last is the latest status")
    func latestStatusOfEqualDatesIsTheLastListed() throws {
        let entry = try Self.entry(statuses: [("FIDO_CERTIFIED", "2024-05-01"), ("REVOKED", "2024-05-01")])
        #expect(entry.latestStatus == .revoked)
    }

    @Test("an entry with an invalid AAGUID makes the BLOB malformed")
    func invalidAAGUID() async throws {
        let service = try TestMetadataService()
        let jws = try service.blob(number: 1, entries: [try Self.entry(aaguid: "not-a-uuid", description: "x", statuses: [])])
        await #expect(throws: WebAuthnError(.malformed, "")) { _ = try await MetadataBLOB.verify(jws: jws, roots: [service.root]) }
    }

    @Test("raw ECDSA signatures convert to DER with minimal integers")
    func rawToDER() throws {
        let raw: [UInt8] = [0x00, 0x80] + [UInt8](repeating: 1, count: 30) + [0x7F] + [UInt8](repeating: 2, count: 31)
        let der = try #require(CompactJWS.derSignature(rawRS: raw))
        #expect(der[0] == 0x30)
        #expect(der[2] == 0x02 && der[3] == 32 && der[4] == 0x00 && der[5] == 0x80)
        #expect(CompactJWS.derSignature(rawRS: [1, 2, 3]) == nil)
        #expect(CompactJWS.derSignature(rawRS: [UInt8](repeating: 1, count: 131_200)) == nil, "longer than P-521's r ‖ s")
    }
}

/// Naming authenticators from their AAGUID.
@Suite("Authenticator directory")
struct AuthenticatorDirectoryTests {
    @Test("a well-known AAGUID is named from the bundled table")
    func bundledName() throws {
        let aaguid = try #require(AAGUID(uuidString: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd"))
        #expect(AuthenticatorDirectory().model(for: aaguid) == AuthenticatorModel(name: "iCloud Keychain", kind: .passkeyProvider))
    }

    @Test("the zero AAGUID and unknown AAGUIDs have no name")
    func unknown() throws {
        #expect(AuthenticatorDirectory().model(for: .zero) == nil)
        let aaguid = try #require(AAGUID(uuidString: "01234567-89ab-cdef-0123-456789abcdef"))
        #expect(AuthenticatorDirectory().model(for: aaguid) == nil)
    }

    @Test("loaded metadata overrides the bundled name and adds its icon")
    func metadataOverrides() async throws {
        let service = try MetadataTests.TestMetadataService()
        let jws = try service.blob(number: 1, entries: [
            try MetadataTests.entry(aaguid: MetadataTests.yubiKey, description: "YubiKey 5 Series with Lightning", statuses: []),
        ])
        let directory = AuthenticatorDirectory(metadata: AuthenticatorMetadata(blob: try await MetadataBLOB.verify(jws: jws, roots: [service.root])))
        let aaguid = try #require(AAGUID(uuidString: MetadataTests.yubiKey))
        let model = try #require(directory.model(for: aaguid))
        #expect(model.name == "YubiKey 5 Series with Lightning")
        #expect(model.kind == .securityKey)
        #expect(model.icon?.hasPrefix("data:image/png") == true)
    }
}

/// Registration with FIDO metadata loaded: roots from the authenticator's entry, and status.
@Suite("Registration with metadata")
struct RegistrationWithMetadataTests {
    static let origin = "https://example.com"

    /// Registers `authenticator`'s new passkey; `compound` sends its statement in a §8.9 compound
    /// object, beside a `none` statement, instead.
    static func register(
        authenticator: inout SoftwareAuthenticator, metadata: AuthenticatorMetadata,
        requirement: AttestationPolicy.Requirement = .acceptAny, compound: Bool = false
    ) async throws -> VerifiedRegistration {
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: [origin],
            attestation: .direct, attestationPolicy: AttestationPolicy(requirement: requirement, metadata: metadata)))
        let (options, ceremony) = relyingParty.beginRegistration(
            user: .init(id: .random(), name: "ada@example.com", displayName: "Ada"))
        var response = try authenticator.register(options: options, origin: origin)
        if compound {
            let object = try #require(try CBORDecoder().decode(response.response.attestationObject.bytes).mapValue)
            let item = CBOR.map(CBORMap([
                (key: "fmt", value: try #require(object["fmt"])), (key: "attStmt", value: try #require(object["attStmt"])),
            ]))
            response.response.attestationObject = Base64URLData(CBOREncoder.encode(.map(CBORMap([
                (key: "fmt", value: "compound"),
                (key: "attStmt", value: .array([item, .map(CBORMap([(key: "fmt", value: "none"), (key: "attStmt", value: .map(CBORMap([])))]))])),
                (key: "authData", value: try #require(object["authData"])),
            ]))))
        }
        return try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
    }

    static func metadata(for authenticator: SoftwareAuthenticator, roots: [Certificate], statuses: [(String, String)]) async throws -> AuthenticatorMetadata {
        let service = try MetadataTests.TestMetadataService()
        let jws = try service.blob(number: 1, entries: [
            try MetadataTests.entry(aaguid: authenticator.aaguid.uuidString, description: "Software Key", statuses: statuses, roots: roots),
        ])
        return AuthenticatorMetadata(blob: try await MetadataBLOB.verify(jws: jws, roots: [service.root]))
    }

    @Test("an attestation chaining to the roots in the authenticator's metadata entry is trusted")
    func metadataRootsTrusted() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let metadata = try await Self.metadata(
            for: authenticator, roots: [(try authenticator.attestationRootCertificate)], statuses: [("FIDO_CERTIFIED", "2024-01-01")])
        let result = try await Self.register(authenticator: &authenticator, metadata: metadata, requirement: .trustedRoot)
        #expect(result.attestationTrusted)
    }

    @Test("an attestation not chaining to the roots in its metadata entry is rejected with attestation_trust")
    func metadataRootsMismatch() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let other = try SoftwareAuthenticator(attestation: .packedX5C)
        let metadata = try await Self.metadata(
            for: authenticator, roots: [(try other.attestationRootCertificate)], statuses: [("FIDO_CERTIFIED", "2024-01-01")])
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            _ = try await Self.register(authenticator: &authenticator, metadata: metadata)
        }
    }

    @Test("an authenticator reported compromised in metadata is refused with attestation_policy, alone or in a compound", arguments: [false, true])
    func compromisedRefused(compound: Bool) async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let metadata = try await Self.metadata(
            for: authenticator, roots: [(try authenticator.attestationRootCertificate)],
            statuses: [("FIDO_CERTIFIED", "2020-01-01"), ("ATTESTATION_KEY_COMPROMISE", "2024-01-01")])
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            _ = try await Self.register(authenticator: &authenticator, metadata: metadata, compound: compound)
        }
        // The same model, certified, is accepted in a compound too.
        var certified = try SoftwareAuthenticator(attestation: .packedX5C)
        let good = try await Self.metadata(
            for: certified, roots: [(try certified.attestationRootCertificate)], statuses: [("FIDO_CERTIFIED", "2024-01-01")])
        let result = try await Self.register(authenticator: &certified, metadata: good, requirement: .trustedRoot, compound: compound)
        #expect(result.attestationTrusted)
        #expect(result.format == (compound ? .compound : .packed))
    }

    @Test("an authenticator revoked on the day it was certified, or compromised before a later update, is refused with attestation_policy", arguments: [
        [("FIDO_CERTIFIED", "2024-05-01"), ("REVOKED", "2024-05-01")],
        [("FIDO_CERTIFIED", "2020-01-01"), ("ATTESTATION_KEY_COMPROMISE", "2023-05-01"), ("UPDATE_AVAILABLE", "2024-01-01")],
    ])
    func compromiseNotClearedIsRefused(statuses: [(String, String)]) async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let metadata = try await Self.metadata(for: authenticator, roots: [(try authenticator.attestationRootCertificate)], statuses: statuses)
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            _ = try await Self.register(authenticator: &authenticator, metadata: metadata)
        }
    }

    @Test("an authenticator that metadata does not list is verified as without metadata")
    func unlistedAuthenticator() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let listed = try SoftwareAuthenticator(aaguid: try #require(AAGUID(uuidString: "11111111-2222-3333-4444-555555555555")), attestation: .packedX5C)
        let metadata = try await Self.metadata(for: listed, roots: [(try listed.attestationRootCertificate)], statuses: [])
        let result = try await Self.register(authenticator: &authenticator, metadata: metadata)
        #expect(!result.attestationTrusted)
        #expect(result.attestationType == .basic)
    }
}

/// fido-u2f signs no AAGUID: its model is found by the attestation key, never by the AAGUID.
@Suite("fido-u2f and metadata")
struct FIDOU2FMetadataTests {
    static func keyIdentifier(_ certificate: Certificate) -> String {
        hexString(Array(Insecure.SHA1.hash(data: certificate.publicKey.subjectPublicKeyInfoBytes)))
    }

    @Test("an allow-list of AAGUIDs refuses fido-u2f, whose AAGUID nothing proves")
    func allowListRefusesU2F() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: ["https://example.com"],
            attestation: .direct,
            attestationPolicy: AttestationPolicy(
                requirement: .allowedAAGUIDs([.zero, authenticator.aaguid]),
                roots: [.fidoU2F: [(try authenticator.attestationRootCertificate)]])))
        let (options, ceremony) = relyingParty.beginRegistration(user: .init(id: .random(), name: "a", displayName: "A"))
        let response = try authenticator.register(options: options, origin: "https://example.com")
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            _ = try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
        }
    }

    @Test("a U2F key whose attestation key metadata reports compromised is refused")
    func compromisedU2FKeyRefused() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let service = try MetadataTests.TestMetadataService()
        let jws = try service.blob(number: 1, entries: [[
            "attestationCertificateKeyIdentifiers": [Self.keyIdentifier(try authenticator.attestationCertificate)],
            "metadataStatement": ["description": "Leaky U2F key", "protocolFamily": "u2f"],
            "statusReports": [["status": "ATTESTATION_KEY_COMPROMISE", "effectiveDate": "2024-01-01"]],
        ]])
        let metadata = AuthenticatorMetadata(blob: try await MetadataBLOB.verify(jws: jws, roots: [service.root]))
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: ["https://example.com"],
            attestation: .direct, attestationPolicy: AttestationPolicy(metadata: metadata)))
        let (options, ceremony) = relyingParty.beginRegistration(user: .init(id: .random(), name: "a", displayName: "A"))
        let response = try authenticator.register(options: options, origin: "https://example.com")
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            _ = try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
        }
    }
}
