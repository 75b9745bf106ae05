import PasskeyCBOR
import Testing
import WebAuthn

/// §8.9 the `compound` attestation statement format: two or more statements of other formats over
/// the same authenticator data and client data, each verified by its own format's procedure.
@Suite("Compound attestation (§8.9)")
struct SpecCompoundAttestationTests {
    /// One credential key for every statement, so that all of them sign the same authenticator data.
    let key = TestCredentialKey.es256()

    /// A statement of `registration` as a compound item: `{fmt, attStmt}`.
    static func item(_ registration: TestRegistration) throws -> CBOR {
        let object = try CBORDecoder().decode(registration.attestationObjectBytes())
        let map = try #require(object.mapValue)
        let format = try #require(map["fmt"])
        let statement = try #require(map["attStmt"])
        return .map(CBORMap([(key: "fmt", value: format), (key: "attStmt", value: statement)]))
    }

    /// `registration` with its attestation object's statement replaced by `attStmt` under `compound`.
    static func compound(_ registration: TestRegistration, _ attStmt: CBOR) -> TestRegistration {
        registration.attestationObject { object in
            object.fmt = "compound"
            object.attStmt = attStmt
        }
    }

    @Test("A compound of a packed self and a packed x5c statement is accepted, and keeps the certificate's result")
    func selfAndCertificateAreAccepted() async throws {
        let base = try TestRegistration.packedX5C(key: key)
        let items = [try Self.item(.packedSelf(key: key)), try Self.item(base)]
        let verified = try await Self.compound(base, .array(items)).finish()
        #expect(verified.format == .compound)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrustPath.count == 1)
        #expect(verified.attestationTrusted == false)
    }

    @Test("A compound of none and a packed self statement is self attestation")
    func noneAndSelfIsSelf() async throws {
        let base = TestRegistration.none(key: key)
        let verified = try await Self.compound(base, .array([try Self.item(base), try Self.item(.packedSelf(key: key))])).finish()
        #expect(verified.attestationType == .self)
    }

    @Test("Requiring a trusted root: a compound holding a statement that chains to a configured root is accepted")
    func trustedStatementSatisfiesTrustedRoot() async throws {
        let authority = try TestCertificateAuthority()
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            requirement: .trustedRoot, roots: [.packed: [authority.certificate]]))
        let base = try TestRegistration.packedX5C(authority: authority, key: key)
        // The trusted statement second: it is kept whatever its place.
        let verified = try await Self.compound(base, .array([try Self.item(.packedSelf(key: key)), try Self.item(base)]))
            .finish(with: relyingParty)
        #expect(verified.attestationTrusted)
        #expect(verified.attestationType == .basic)
    }

    @Test("Requiring a trusted root: a compound of statements that prove no model is rejected")
    func untrustedCompoundFailsTrustedRoot() async throws {
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(requirement: .trustedRoot))
        let base = TestRegistration.packedSelf(key: key)
        await #expect(throws: WebAuthnError(.attestationTrust, "")) {
            try await Self.compound(base, .array([try Self.item(.none(key: key)), try Self.item(base)])).finish(with: relyingParty)
        }
    }

    @Test("An allowed AAGUID is met by the compound's trusted statement, wherever it stands")
    func allowedAAGUIDWhateverTheOrder() async throws {
        let authority = try TestCertificateAuthority()
        let aaguid = try #require(AAGUID(bytes: TestRelyingParty.aaguid))
        let relyingParty = try TestRelyingParty.make(attestationPolicy: AttestationPolicy(
            requirement: .allowedAAGUIDs([aaguid]), roots: [.packed: [authority.certificate]]))
        let base = try TestRegistration.packedX5C(authority: authority, key: key)
        let trusted = try Self.item(base), selfStatement = try Self.item(.packedSelf(key: key))
        for items in [[trusted, selfStatement], [selfStatement, trusted]] {
            let verified = try await Self.compound(base, .array(items)).finish(with: relyingParty)
            #expect(verified.attestationTrusted && verified.attestationType == .basic)
        }
    }

    @Test("A compound of more statements than this relying party takes, or with one repeated, is rejected before any is verified")
    func tooManyOrRepeatedStatements() async throws {
        let base = try TestRegistration.packedX5C(key: key)
        let u2f = TestRegistration(key: key, statement: .fidoU2F(TestAttestationCertificate(authority: try TestCertificateAuthority())))
        let other = try TestRegistration.packedX5C(key: key)
        let distinct = [try Self.item(.none(key: key)), try Self.item(.packedSelf(key: key)), try Self.item(base), try Self.item(u2f)]
        #expect(distinct.count == AttestationObject.maximumCompoundStatements)
        // As many different statements as allowed: accepted, the certificate's result kept.
        #expect(try await Self.compound(base, .array(distinct)).finish().attestationType == .basic)
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await Self.compound(base, .array(distinct + [try Self.item(other)])).finish()
        }
        // The same statement twice (one signature: each signing makes another).
        let same = try Self.item(base)
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await Self.compound(base, .array([same, same])).finish()
        }
    }

    @Test("A compound in which one statement's signature does not verify is rejected, naming the statement")
    func oneBadStatementFailsTheWhole() async throws {
        let base = try TestRegistration.packedX5C(key: key)
        let bad = TestRegistration.packedSelf(key: key).with { $0.corruptAttestationSignature = true }
        do {
            _ = try await Self.compound(base, .array([try Self.item(base), try Self.item(bad)])).finish()
            Issue.record("a compound with a bad statement was accepted")
        } catch let error as WebAuthnError {
            #expect(error.code == .badSignature)
            #expect(error.reason.contains("statement 1 (packed)"))
        }
    }

    @Test("A compound statement of a format this relying party does not know is rejected")
    func unknownFormatInsideIsRejected() async throws {
        let base = TestRegistration.packedSelf(key: key)
        let unknown = CBOR.map(CBORMap([(key: "fmt", value: "example-format"), (key: "attStmt", value: .map(CBORMap([])))]))
        await #expect(throws: WebAuthnError(.unsupportedAttestationFormat, "")) {
            try await Self.compound(base, .array([try Self.item(base), unknown])).finish()
        }
    }

    @Test("A compound object whose statements break §8.9's syntax is rejected", arguments: [
        "one statement", "no statements", "a map", "nested compound", "item not a map",
        "item without fmt", "item fmt not text", "item attStmt not a map", "item with another entry",
    ])
    func malformedCompoundIsRejected(shape: String) async throws {
        let base = TestRegistration.packedSelf(key: key)
        let good = try Self.item(base)
        let goodEntries = good.mapValue?.entries ?? []
        let attStmt: CBOR
        switch shape {
        case "one statement": attStmt = .array([good])
        case "no statements": attStmt = .array([])
        case "a map": attStmt = .map(CBORMap([(key: "0", value: good), (key: "1", value: good)]))
        case "nested compound":
            attStmt = .array([good, .map(CBORMap([(key: "fmt", value: "compound"), (key: "attStmt", value: .array([good, good]))]))])
        case "item not a map": attStmt = .array([good, .array([good])])
        case "item without fmt": attStmt = .array([good, .map(CBORMap(goodEntries.filter { $0.key != "fmt" }))])
        case "item fmt not text":
            attStmt = .array([good, .map(CBORMap(goodEntries.map { $0.key == "fmt" ? (key: $0.key, value: .bytes(Array("packed".utf8))) : $0 }))])
        case "item attStmt not a map":
            attStmt = .array([good, .map(CBORMap(goodEntries.map { $0.key == "attStmt" ? (key: $0.key, value: .array([])) : $0 }))])
        default: attStmt = .array([good, .map(CBORMap(goodEntries + [(key: "authData", value: .bytes([0]))]))])
        }
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await Self.compound(base, attStmt).finish()
        }
    }

    @Test("The same two valid statements under another format name are not read as compound")
    func anArrayIsOnlyForCompound() async throws {
        let base = TestRegistration.packedSelf(key: key)
        let items = CBOR.array([try Self.item(base), try Self.item(base)])
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await base.attestationObject { $0.attStmt = items }.finish()
        }
    }
}
