import Crypto
import Foundation
import PasskeyCBOR
import SwiftASN1
import WebAuthn
import X509
import _CryptoExtras

// Fixtures for the tpm, android-key, android-safetynet and apple attestation tests: each builds
// a statement that verifies by default, with one switch per requirement or field to break.

/// DER written by hand, so the tests build the ASN.1 the verifier reads without its parsers.
enum TestDER {
    static func tlv(_ identifier: [UInt8], _ content: [UInt8]) -> [UInt8] {
        let count = content.count
        let length: [UInt8] = count < 0x80 ? [UInt8(count)]
            : count < 0x100 ? [0x81, UInt8(count)]
            : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        return identifier + length + content
    }

    static func sequence(_ items: [[UInt8]]) -> [UInt8] { tlv([0x30], items.flatMap { $0 }) }
    static func set(_ items: [[UInt8]]) -> [UInt8] { tlv([0x31], items.flatMap { $0 }) }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv([0x04], bytes) }
    static let null: [UInt8] = [0x05, 0x00]

    /// A small non-negative INTEGER.
    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        } while rest > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv([0x02], bytes)
    }

    static func enumerated(_ value: UInt8) -> [UInt8] { tlv([0x0A], [value]) }

    /// `[tag] EXPLICIT` (context-specific, constructed), with the long tag form above 30.
    static func explicit(_ tag: Int, _ content: [UInt8]) -> [UInt8] {
        if tag < 31 { return tlv([0xA0 | UInt8(tag)], content) }
        var number: [UInt8] = [UInt8(tag & 0x7F)]
        var rest = tag >> 7
        while rest > 0 {
            number.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
            rest >>= 7
        }
        return tlv([0xBF] + number, content)
    }
}

/// Certificates issued by a test CA with exactly the extensions a test names.
enum TestCertificates {
    static func issue(
        key: TestCredentialKey, subject: DistinguishedName, authority: TestCertificateAuthority,
        extensions: [Certificate.Extension], version: Certificate.Version = .v3
    ) throws -> Certificate {
        try Certificate(
            version: version, serialNumber: Certificate.SerialNumber(),
            publicKey: key.certificatePublicKey,
            notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(365 * 86_400),
            issuer: authority.name, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions),
            issuerPrivateKey: authority.key.certificatePrivateKey)
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] { try TestAttestationCertificate.der(certificate) }

    static func basicConstraints(isCA: Bool) throws -> Certificate.Extension {
        try Certificate.Extension(isCA ? .isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority, critical: true)
    }

    static func aaguid(_ aaguid: [UInt8]) -> Certificate.Extension {
        Certificate.Extension(
            oid: TestAttestationCertificate.aaguidExtensionOID, critical: false, value: TestDER.octetString(aaguid)[...])
    }
}

extension TestRegistration {
    /// The registration with a statement made from its own authenticator data and client data
    /// hash, as an authenticator makes it.
    func statement(format: String, _ make: (_ authData: [UInt8], _ clientDataHash: [UInt8]) throws -> CBORMap) rethrows -> TestRegistration {
        let authData = authenticatorData.bytes
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))
        let statement = try make(authData, clientDataHash)
        return with { $0.statement = .custom(format: format, statement: statement) }
    }
}

extension TestCredentialKey {
    /// The EC point coordinates or RSA modulus and exponent of the COSE_Key.
    func coseBytes(_ label: Int) -> [UInt8] {
        coseEntries.first { $0.key == CBOR(label) }?.value.bytesValue ?? []
    }

    /// A signature under `algorithm`, which may differ from the key's own (RS1 for TPMs).
    func sign(_ data: [UInt8], as algorithm: COSEAlgorithmIdentifier) throws -> [UInt8] {
        if algorithm == .rs1, case .rsa(let key) = privateKey {
            return Array(try key.signature(for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
        }
        return try sign(data)
    }

    /// An ECDSA signature as JWS carries it, r ‖ s (RFC 7518 §3.4).
    func signRaw(_ data: [UInt8]) throws -> [UInt8] {
        guard case .p256(let key) = privateKey else { throw FixtureError("raw signatures are P-256 only here") }
        return Array(try key.signature(for: data).rawRepresentation)
    }
}

// MARK: - tpm

/// A `tpm` statement (§8.3): TPMT_PUBLIC for the credential key, TPMS_ATTEST certifying it over
/// attToBeSigned, signed by an AIK whose certificate meets §8.3.1.
struct TestTPMAttestation {
    enum SANForm {
        /// One RDN per attribute, as the TPM EK profile writes it.
        case rdnPerAttribute
        /// One multi-valued RDN holding the three attributes, as some Windows TPMs write it.
        case multiValuedRDN
    }

    static let manufacturerOID: ASN1ObjectIdentifier = [2, 23, 133, 2, 1]
    static let modelOID: ASN1ObjectIdentifier = [2, 23, 133, 2, 2]
    static let versionOID: ASN1ObjectIdentifier = [2, 23, 133, 2, 3]
    static let aikUsageOID: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]

    var authority: TestCertificateAuthority
    /// The attestation identity key and the `alg` it signs certInfo with.
    var aikKey: TestCredentialKey = .es256()
    var algorithm: COSEAlgorithmIdentifier = .es256
    var ver: String? = "2.0"

    // certInfo (TPMS_ATTEST)
    var magic: UInt32 = 0xFF54_4347
    var type: UInt16 = 0x8017
    /// `nil`: the hash of attToBeSigned.
    var extraData: [UInt8]?
    /// The algorithm whose hash makes extraData; `nil`: `algorithm`'s.
    var extraDataAlgorithm: COSEAlgorithmIdentifier?
    /// `nil`: the Name of pubArea.
    var attestedName: [UInt8]?
    /// Changes the finished certInfo bytes (the AIK signs the changed bytes).
    var certInfoChange: ((inout [UInt8]) -> Void)?
    /// Changes the finished pubArea bytes (certInfo names the changed bytes).
    var pubAreaChange: ((inout [UInt8]) -> Void)?
    /// `nil`: the credential key's own pubArea.
    var pubAreaKey: TestCredentialKey?
    var corruptSignature = false

    // AIK certificate (§8.3.1)
    var aikSubject = DistinguishedName()
    var sanForm: SANForm? = .rdnPerAttribute
    var sanCritical = true
    var manufacturer: String? = "id:FFFFF1D0"
    var model: String? = "Test TPM"
    var firmwareVersion: String? = "id:00020000"
    var hasAIKUsage = true
    var aikIsCA = false
    var aikAAGUID: [UInt8]?

    init(authority: TestCertificateAuthority) { self.authority = authority }

    /// TPMT_PUBLIC for an ES256 (P-256) or RSA credential key, name algorithm SHA-256.
    static func pubArea(for key: TestCredentialKey) throws -> [UInt8] {
        func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
        func sized(_ bytes: [UInt8]) -> [UInt8] { u16(UInt16(bytes.count)) + bytes }
        let attributes: [UInt8] = [0x00, 0x06, 0x04, 0x72]
        switch key.algorithm {
        case .es256:
            // type ECC, nameAlg SHA-256, attributes, no authPolicy, symmetric NULL, scheme NULL,
            // curve NIST P-256, kdf NULL, unique x and y.
            return u16(0x0023) + u16(0x000B) + attributes + sized([]) + u16(0x0010) + u16(0x0010)
                + u16(0x0003) + u16(0x0010) + sized(key.coseBytes(-2)) + sized(key.coseBytes(-3))
        case .rs256, .ps256:
            // type RSA, …, keyBits 2048, exponent 0 (the default 65537), unique the modulus.
            return u16(0x0001) + u16(0x000B) + attributes + sized([]) + u16(0x0010) + u16(0x0010)
                + u16(2048) + [0, 0, 0, 0] + sized(key.coseBytes(-1))
        default:
            throw FixtureError("no pubArea for \(key.algorithm)")
        }
    }

    func hash(_ data: [UInt8]) -> [UInt8] {
        (extraDataAlgorithm ?? algorithm) == .rs1 ? Array(Insecure.SHA1.hash(data: data)) : Array(SHA256.hash(data: data))
    }

    func certInfo(pubArea: [UInt8], attToBeSigned: [UInt8]) -> [UInt8] {
        func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
        func sized(_ bytes: [UInt8]) -> [UInt8] { u16(UInt16(bytes.count)) + bytes }
        let name = attestedName ?? (u16(0x000B) + Array(SHA256.hash(data: pubArea)))
        let magicBytes = (0..<4).map { UInt8(truncatingIfNeeded: magic >> (24 - 8 * UInt32($0))) }
        var bytes = magicBytes + u16(type)
        bytes += sized([0x00, 0x0B] + Array(repeating: 0x5A, count: 32)) // qualifiedSigner
        bytes += sized(extraData ?? hash(attToBeSigned))
        bytes += Array(repeating: 0x01, count: 17) // clockInfo
        bytes += Array(repeating: 0x02, count: 8) // firmwareVersion
        bytes += sized(name) + sized([0x00, 0x0B] + Array(repeating: 0x6B, count: 32)) // attested
        certInfoChange?(&bytes)
        return bytes
    }

    func aikCertificate() throws -> Certificate {
        var extensions: [Certificate.Extension] = [try TestCertificates.basicConstraints(isCA: aikIsCA)]
        if let sanForm {
            var attributes: [RelativeDistinguishedName.Attribute] = []
            if let manufacturer { attributes.append(.init(type: Self.manufacturerOID, value: .init(utf8String: manufacturer))) }
            if let model { attributes.append(.init(type: Self.modelOID, value: .init(utf8String: model))) }
            if let firmwareVersion { attributes.append(.init(type: Self.versionOID, value: .init(utf8String: firmwareVersion))) }
            let name: DistinguishedName = switch sanForm {
            case .rdnPerAttribute: DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
            case .multiValuedRDN: DistinguishedName([RelativeDistinguishedName(attributes)])
            }
            extensions.append(try Certificate.Extension(SubjectAlternativeNames([.directoryName(name)]), critical: sanCritical))
        }
        if hasAIKUsage {
            extensions.append(try Certificate.Extension(
                ExtendedKeyUsage([ExtendedKeyUsage.Usage(oid: Self.aikUsageOID)]), critical: false))
        }
        if let aikAAGUID { extensions.append(TestCertificates.aaguid(aikAAGUID)) }
        return try TestCertificates.issue(key: aikKey, subject: aikSubject, authority: authority, extensions: extensions)
    }

    func statement(credentialKey: TestCredentialKey, authData: [UInt8], clientDataHash: [UInt8]) throws -> CBORMap {
        var pubArea = try Self.pubArea(for: pubAreaKey ?? credentialKey)
        pubAreaChange?(&pubArea)
        let certInfo = certInfo(pubArea: pubArea, attToBeSigned: authData + clientDataHash)
        var signature = try aikKey.sign(certInfo, as: algorithm)
        if corruptSignature { signature[signature.count - 1] ^= 0x01 }
        var entries: [(key: CBOR, value: CBOR)] = []
        if let ver { entries.append((key: "ver", value: .text(ver))) }
        entries += [
            (key: "alg", value: CBOR(algorithm.rawValue)),
            (key: "x5c", value: .array([.bytes(try TestCertificates.der(aikCertificate()))])),
            (key: "sig", value: .bytes(signature)),
            (key: "certInfo", value: .bytes(certInfo)),
            (key: "pubArea", value: .bytes(pubArea)),
        ]
        return CBORMap(entries)
    }
}

// MARK: - android-key

/// An `android-key` statement (§8.4): the credential key's own certificate, carrying the key
/// description extension, signs authenticatorData ‖ clientDataHash.
struct TestAndroidKeyAttestation {
    static let keyDescriptionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    /// The fields of one AuthorizationList that §8.4 reads.
    struct AuthorizationList {
        var purposes: [Int]? = [2]
        var origin: Int? = 0
        var allApplications = false

        var der: [UInt8] {
            var fields: [[UInt8]] = []
            if let purposes { fields.append(TestDER.explicit(1, TestDER.set(purposes.map(TestDER.integer)))) }
            // Fields another list would carry, which the verifier must skip: algorithm, keySize.
            fields.append(TestDER.explicit(2, TestDER.integer(3)))
            fields.append(TestDER.explicit(3, TestDER.integer(256)))
            if allApplications { fields.append(TestDER.explicit(600, TestDER.null)) }
            if let origin { fields.append(TestDER.explicit(702, TestDER.integer(origin))) }
            return TestDER.sequence(fields)
        }
    }

    var authority: TestCertificateAuthority
    /// `nil`: the certificate holds the credential key.
    var certificateKey: TestCredentialKey?
    /// `nil`: the client data hash.
    var challenge: [UInt8]?
    var softwareEnforced = AuthorizationList(purposes: nil, origin: nil)
    var teeEnforced = AuthorizationList()
    var hasKeyDescription = true
    /// Replaces the key description extension's value.
    var keyDescriptionOverride: [UInt8]?
    var corruptSignature = false

    init(authority: TestCertificateAuthority) { self.authority = authority }

    func keyDescription(clientDataHash: [UInt8]) -> [UInt8] {
        TestDER.sequence([
            TestDER.integer(4), TestDER.enumerated(1), TestDER.integer(41), TestDER.enumerated(1),
            TestDER.octetString(challenge ?? clientDataHash), TestDER.octetString([]),
            softwareEnforced.der, teeEnforced.der,
        ])
    }

    func statement(credentialKey: TestCredentialKey, authData: [UInt8], clientDataHash: [UInt8]) throws -> CBORMap {
        let key = certificateKey ?? credentialKey
        var extensions: [Certificate.Extension] = [try TestCertificates.basicConstraints(isCA: false)]
        if hasKeyDescription {
            let value = keyDescriptionOverride ?? keyDescription(clientDataHash: clientDataHash)
            extensions.append(Certificate.Extension(oid: Self.keyDescriptionOID, critical: false, value: value[...]))
        }
        let leaf = try TestCertificates.issue(
            key: key, subject: try DistinguishedName { CommonName("Android Keystore Key") }, authority: authority, extensions: extensions)
        var signature = try key.sign(authData + clientDataHash)
        if corruptSignature { signature[signature.count - 1] ^= 0x01 }
        return CBORMap([
            (key: "alg", value: CBOR(key.algorithm.rawValue)),
            (key: "sig", value: .bytes(signature)),
            (key: "x5c", value: .array([.bytes(try TestCertificates.der(leaf)), .bytes(try TestCertificates.der(authority.certificate))])),
        ])
    }
}

// MARK: - android-safetynet

/// An `android-safetynet` statement (§8.5): a compact JWS by attest.android.com whose payload
/// carries the nonce, the time and the device's integrity verdict.
struct TestSafetyNetAttestation {
    var authority: TestCertificateAuthority
    var signingKey: TestCredentialKey = .es256()
    var hostname = "attest.android.com"
    var ver: String? = "241713000"
    /// `nil`: base64(SHA-256(authenticatorData ‖ clientDataHash)).
    var nonce: String?
    var timestamp: Date
    var ctsProfileMatch: Bool? = true
    var corruptSignature = false
    /// Replaces the JWS's signature bytes.
    var signatureOverride: [UInt8]?
    /// Replaces the whole JWS.
    var responseOverride: String?

    init(authority: TestCertificateAuthority, timestamp: Date) {
        self.authority = authority
        self.timestamp = timestamp
    }

    func leafCertificate() throws -> Certificate {
        try TestCertificates.issue(
            key: signingKey, subject: try DistinguishedName { CommonName(hostname) }, authority: authority,
            extensions: [
                try TestCertificates.basicConstraints(isCA: false),
                try Certificate.Extension(SubjectAlternativeNames([.dnsName(hostname)]), critical: false),
            ])
    }

    func response(authData: [UInt8], clientDataHash: [UInt8]) throws -> String {
        if let responseOverride { return responseOverride }
        let x5c = try [leafCertificate(), authority.certificate].map { Data(try TestCertificates.der($0)).base64EncodedString() }
        let header: [String: Any] = ["alg": "ES256", "x5c": x5c]
        var payload: [String: Any] = [
            "nonce": nonce ?? Data(SHA256.hash(data: authData + clientDataHash)).base64EncodedString(),
            "timestampMs": Int64(timestamp.timeIntervalSince1970 * 1000),
            "apkPackageName": "com.google.android.gms",
            "basicIntegrity": true,
        ]
        if let ctsProfileMatch { payload["ctsProfileMatch"] = ctsProfileMatch }
        let signingInput = Base64URL.encode(try JSONSerialization.data(withJSONObject: header))
            + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: payload))
        var signature = try signingKey.signRaw(Array(signingInput.utf8))
        if corruptSignature { signature[signature.count - 1] ^= 0x01 }
        return signingInput + "." + Base64URL.encode(signatureOverride ?? signature)
    }

    func statement(authData: [UInt8], clientDataHash: [UInt8]) throws -> CBORMap {
        var entries: [(key: CBOR, value: CBOR)] = []
        if let ver { entries.append((key: "ver", value: .text(ver))) }
        entries.append((key: "response", value: .bytes(Array(try response(authData: authData, clientDataHash: clientDataHash).utf8))))
        return CBORMap(entries)
    }
}

// MARK: - apple

/// An `apple` statement (§8.8): a certificate for the credential key from Apple's anonymization
/// CA, carrying the nonce extension.
struct TestAppleAttestation {
    static let nonceOID: ASN1ObjectIdentifier = [1, 2, 840, 113635, 100, 8, 2]

    var authority: TestCertificateAuthority
    /// `nil`: the certificate holds the credential key.
    var certificateKey: TestCredentialKey?
    /// `nil`: SHA-256(authenticatorData ‖ clientDataHash).
    var nonce: [UInt8]?
    var hasNonceExtension = true
    /// Replaces the nonce extension's value.
    var nonceExtensionOverride: [UInt8]?

    init(authority: TestCertificateAuthority) { self.authority = authority }

    func statement(credentialKey: TestCredentialKey, authData: [UInt8], clientDataHash: [UInt8]) throws -> CBORMap {
        var extensions: [Certificate.Extension] = [try TestCertificates.basicConstraints(isCA: false)]
        if hasNonceExtension {
            let nonce = nonce ?? Array(SHA256.hash(data: authData + clientDataHash))
            let value = nonceExtensionOverride ?? TestDER.sequence([TestDER.explicit(1, TestDER.octetString(nonce))])
            extensions.append(Certificate.Extension(oid: Self.nonceOID, critical: false, value: value[...]))
        }
        let leaf = try TestCertificates.issue(
            key: certificateKey ?? credentialKey,
            subject: try DistinguishedName { CommonName(String(repeating: "a", count: 64)); OrganizationName("Apple Inc.") },
            authority: authority, extensions: extensions)
        return CBORMap([
            (key: "alg", value: CBOR(COSEAlgorithmIdentifier.es256.rawValue)),
            (key: "x5c", value: .array([.bytes(try TestCertificates.der(leaf)), .bytes(try TestCertificates.der(authority.certificate))])),
        ])
    }
}

// MARK: - Conformance vectors as fixtures

/// A registration vector from `PASSKEYS_VECTORS`, whose attestation statement a test may change
/// before it is verified with the vector's own expectations.
struct TestVectorRegistration {
    static let folder = ProcessInfo.processInfo.environment["PASSKEYS_VECTORS"]

    private(set) var json: [String: Any]
    let statement: CBORMap
    let authData: [UInt8]
    let format: String

    init(_ name: String) throws {
        guard let folder = Self.folder else { throw FixtureError("PASSKEYS_VECTORS is not set") }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name + ".json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let credential = json["credential"] as? [String: Any],
              let response = credential["response"] as? [String: Any],
              let attestationObject = (response["attestationObject"] as? String).flatMap(Base64URL.decode),
              let map = try CBORDecoder().decode(attestationObject).mapValue,
              let statement = map["attStmt"]?.mapValue, let authData = map["authData"]?.bytesValue,
              let format = map["fmt"]?.textValue else {
            throw FixtureError("\(name) is not a registration vector")
        }
        self.json = json
        self.statement = statement
        self.authData = authData
        self.format = format
    }

    /// Runs the vector with `statement` in place of its own, under the vector's expectations
    /// (RP ID, origins, challenge, verification time, trust anchors).
    func verify(statement: CBORMap, policy adjust: (inout AttestationPolicy) -> Void = { _ in }) async throws -> VerifiedRegistration {
        guard let expected = json["expected"] as? [String: Any], let rpID = expected["rp_id"] as? String,
              let origins = expected["origins"] as? [String], let challengeText = expected["challenge"] as? String,
              var credential = json["credential"] as? [String: Any], var response = credential["response"] as? [String: Any] else {
            throw FixtureError("the vector lacks its expectations")
        }
        let attestationObject = CBOREncoder.encode(.map(CBORMap([
            (key: "fmt", value: .text(format)), (key: "attStmt", value: .map(statement)), (key: "authData", value: .bytes(authData)),
        ])))
        response["attestationObject"] = Base64URL.encode(attestationObject)
        credential["response"] = response
        let registration = try RegistrationResponseJSON.parse(try JSONSerialization.data(withJSONObject: credential))

        var roots: [AttestationFormat: [Certificate]] = [:]
        for (format, pems) in json["trust_anchors"] as? [String: [String]] ?? [:] {
            roots[AttestationFormat(rawValue: format)] = try pems.flatMap { try AttestationPolicy.certificates(pem: $0) }
        }
        let time = (json["verification_time"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        var policy = AttestationPolicy(roots: roots, verificationTime: time)
        adjust(&policy)
        let configuration = try RelyingParty.Configuration(
            relyingPartyID: rpID, relyingPartyName: "Vector", allowedOrigins: origins,
            algorithms: COSEAlgorithmIdentifier.implemented, attestationPolicy: policy)
        let ceremony = RegistrationCeremony(
            challenge: Challenge(uncheckedBytes: Base64URL.decode(challengeText) ?? []), userHandle: UserHandle.random(),
            userVerification: .preferred, algorithms: COSEAlgorithmIdentifier.implemented)
        return try await RelyingParty(configuration: configuration).finishRegistration(response: registration, ceremony: ceremony)
    }

    /// Verify with the built-in roots instead of the vector's trust anchors.
    mutating func dropTrustAnchors() { json["trust_anchors"] = nil }

    /// The statement with one entry's bytes replaced.
    func statement(replacing key: String, with bytes: [UInt8]) -> CBORMap {
        CBORMap(statement.entries.map { $0.key == CBOR.text(key) ? (key: $0.key, value: .bytes(bytes)) : $0 })
    }
}
