import Crypto
import Foundation
import PasskeyCBOR
import Testing
@testable import WebAuthn
import X509

/// §8: `x5c` is the attestation certificate followed by its chain. A list that is not one short
/// chain is refused before any path is built: path building looks issuers up by name, and
/// certificates that share a subject can each issue every other one.
@Suite("x5c certificate chains: length and shape")
struct AttestationChainShapeTests {
    /// The CA the hostile certificates copy: subject S, key K.
    let hostile: TestCertificateAuthority
    /// A root the hostile certificates do not reach, so that a path search would try every path.
    let trustedRoot: TestCertificateAuthority

    init() throws {
        hostile = try TestCertificateAuthority(commonName: "Hostile CA")
        trustedRoot = try TestCertificateAuthority(commonName: "Example Android Attestation Root")
    }

    /// `count` self-signed certificates with the hostile CA's subject and key, told apart only by
    /// a non-critical subjectAltName: each can issue every other one (and the leaf).
    func sameSubjectCertificates(_ count: Int) throws -> [Certificate] {
        try (0..<count).map { index in
            try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: hostile.key.certificatePublicKey,
                notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(365 * 86_400),
                issuer: hostile.name, subject: hostile.name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectAlternativeNames([.dnsName("c\(index).hostile.example")])
                },
                issuerPrivateKey: hostile.key.certificatePrivateKey)
        }
    }

    /// An android-key registration whose leaf `issuer` (the hostile CA unless given) issued, its
    /// x5c the leaf and then `chain`.
    func androidKeyRegistration(issuer: TestCertificateAuthority? = nil, chain: [Certificate]) throws -> TestRegistration {
        let key = TestCredentialKey.es256()
        let android = TestAndroidKeyAttestation(authority: issuer ?? hostile)
        return try TestRegistration(key: key).statement(format: "android-key") { authData, clientDataHash in
            let statement = try android.statement(credentialKey: key, authData: authData, clientDataHash: clientDataHash)
            guard let leaf = statement["x5c"]?.arrayValue?.first else { throw FixtureError("no leaf") }
            let x5c = try [leaf] + chain.map { CBOR.bytes(try TestCertificates.der($0)) }
            return CBORMap(statement.entries.map { $0.key == CBOR.text("x5c") ? (key: $0.key, value: .array(x5c)) : $0 })
        }
    }

    func relyingParty() throws -> RelyingParty {
        try TestRelyingParty.make(attestationPolicy: AttestationPolicy(roots: [.androidKey: [trustedRoot.certificate]]))
    }

    @Test("The x5c bound is 8 certificates, twice the longest chain in the conformance vectors")
    func boundIsNamed() {
        #expect(CertificateChains.maximumCertificateCount == 8)
    }

    @Test("An x5c of a leaf and ten certificates that can all issue each other is refused as malformed before a path is built")
    func hostileLongChainIsRefused() async throws {
        let registration = try androidKeyRegistration(chain: try sameSubjectCertificates(10))
        await #expect(throws: WebAuthnError(.malformed, "")) { try await registration.finish(with: relyingParty()) }
    }

    @Test("An x5c within the bound holding two certificates with the same subject is refused as malformed")
    func sameSubjectTwiceIsRefused() async throws {
        let registration = try androidKeyRegistration(chain: try sameSubjectCertificates(4))
        await #expect {
            try await registration.finish(with: relyingParty())
        } throws: { error in
            guard let error = error as? WebAuthnError else { return false }
            return error.code == .malformed && error.reason.contains("two certificates with the subject")
        }
    }

    @Test("An x5c with the same certificate twice is refused as malformed")
    func repeatedCertificateIsRefused() async throws {
        let registration = try androidKeyRegistration(chain: [hostile.certificate, hostile.certificate])
        await #expect(throws: WebAuthnError(.malformed, "")) { try await registration.finish(with: relyingParty()) }
    }

    @Test("An x5c of 9 certificates with distinct subjects is refused as malformed")
    func nineCertificatesAreRefused() async throws {
        var authorities = [try TestCertificateAuthority(commonName: "Root")]
        for index in 1..<8 { authorities.append(try TestCertificateAuthority(commonName: "CA \(index)", issuer: authorities[index - 1])) }
        let registration = try androidKeyRegistration(chain: authorities.reversed().map(\.certificate))
        await #expect(throws: WebAuthnError(.malformed, "")) { try await registration.finish(with: relyingParty()) }
    }

    @Test("An x5c of exactly 8 certificates, one chain, is verified up to its root")
    func eightCertificatesAreAccepted() async throws {
        // Root → CA 1 → … → CA 6 issues the leaf: x5c is the leaf, CA 6 … CA 1 and the root.
        var authorities = [try TestCertificateAuthority(commonName: "Root")]
        for index in 1...6 { authorities.append(try TestCertificateAuthority(commonName: "CA \(index)", issuer: authorities[index - 1])) }
        let registration = try androidKeyRegistration(issuer: authorities.last, chain: authorities.reversed().map(\.certificate))
        let policy = AttestationPolicy(roots: [.androidKey: [authorities[0].certificate]])
        let verified = try await registration.finish(with: TestRelyingParty.make(attestationPolicy: policy))
        #expect(verified.attestationTrusted)
        #expect(verified.attestationTrustPath.count == 8)
    }

    @Test("A packed x5c with two certificates of the same subject is refused as malformed, whatever the roots")
    func packedSameSubjectIsRefused() async throws {
        let chain = try sameSubjectCertificates(2)
        let registration = try TestRegistration.packedX5C(authority: hostile).with {
            if case .packedX5C(let certificate, _) = $0.statement { $0.statement = .packedX5C(certificate, chain: chain) }
        }
        await #expect(throws: WebAuthnError(.malformed, "")) { try await registration.finish() }
    }

    // MARK: The compact JWS of SafetyNet and of metadata BLOBs

    /// A compact JWS whose header carries `x5c`; its signature is never reached.
    static func jws(x5c: [Certificate]) throws -> String {
        let header: [String: Any] = ["alg": "ES256", "x5c": try x5c.map { Data(try TestCertificates.der($0)).base64EncodedString() }]
        return Base64URL.encode(try JSONSerialization.data(withJSONObject: header)) + "."
            + Base64URL.encode(Array(#"{"no":1,"nextUpdate":"2030-01-01","entries":[]}"#.utf8)) + "."
            + Base64URL.encode([UInt8](repeating: 1, count: 64))
    }

    @Test("A metadata BLOB whose x5c holds more than 8 certificates, or one subject twice, is refused as malformed", arguments: [10, 3])
    func metadataBLOBChainIsBounded(count: Int) async throws {
        let jws = try Self.jws(x5c: try sameSubjectCertificates(count))
        await #expect(throws: WebAuthnError(.malformed, "")) {
            _ = try await MetadataBLOB.verify(jws: jws, roots: [trustedRoot.certificate])
        }
    }

    @Test("A SafetyNet response whose x5c holds more than 8 certificates, or one subject twice, is refused as malformed", arguments: [10, 3])
    func safetyNetChainIsBounded(count: Int) async throws {
        let response = try Self.jws(x5c: try sameSubjectCertificates(count))
        let now = Date()
        var safetyNet = TestSafetyNetAttestation(authority: hostile, timestamp: now)
        safetyNet.responseOverride = response
        let registration = try TestRegistration().statement(format: "android-safetynet") { authData, clientDataHash in
            try safetyNet.statement(authData: authData, clientDataHash: clientDataHash)
        }
        let policy = AttestationPolicy(roots: [.androidSafetyNet: [trustedRoot.certificate]], verificationTime: now)
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.finish(with: TestRelyingParty.make(attestationPolicy: policy))
        }
    }

    @Test("Chain validation itself refuses a list that is not one chain, without building a path")
    func validationRefusesSameSubjectChains() async throws {
        let failure = await CertificateChains.validate(
            chain: [hostile.certificate] + (try sameSubjectCertificates(3)), roots: [trustedRoot.certificate], time: Date())
        #expect(failure?.contains("two certificates with the subject") == true)
    }
}
