import Crypto
import Foundation
import PasskeyCBOR
@testable import WebAuthn
import X509
import _CryptoExtras

/// A credential key pair for one COSE algorithm: its COSE_Key encoding, with one entry changed
/// when a test asks, and its signatures in the form WebAuthn carries them.
struct TestCredentialKey: Sendable {
    enum PrivateKey: Sendable {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
        case mldsa44(MLDSA44.PrivateKey)
    }

    /// The algorithm the key signs with (not necessarily the `alg` its COSE_Key claims).
    let algorithm: COSEAlgorithmIdentifier
    let privateKey: PrivateKey
    /// The COSE_Key entries, in the order an authenticator would write them.
    var coseEntries: [(key: CBOR, value: CBOR)]

    // MARK: Keys of each algorithm

    static func es256() -> TestCredentialKey {
        let key = P256.Signing.PrivateKey()
        return TestCredentialKey(
            algorithm: .es256, privateKey: .p256(key),
            coseEntries: ec2Entries(algorithm: .es256, curve: 1, point: Array(key.publicKey.rawRepresentation)))
    }

    static func es384() -> TestCredentialKey {
        let key = P384.Signing.PrivateKey()
        return TestCredentialKey(
            algorithm: .es384, privateKey: .p384(key),
            coseEntries: ec2Entries(algorithm: .es384, curve: 2, point: Array(key.publicKey.rawRepresentation)))
    }

    static func es512() -> TestCredentialKey {
        let key = P521.Signing.PrivateKey()
        return TestCredentialKey(
            algorithm: .es512, privateKey: .p521(key),
            coseEntries: ec2Entries(algorithm: .es512, curve: 3, point: Array(key.publicKey.rawRepresentation)))
    }

    static func edDSA() -> TestCredentialKey {
        let key = Curve25519.Signing.PrivateKey()
        return TestCredentialKey(
            algorithm: .edDSA, privateKey: .ed25519(key),
            coseEntries: [
                (key: 1, value: 1), (key: 3, value: CBOR(COSEAlgorithmIdentifier.edDSA.rawValue)),
                (key: -1, value: 6), (key: -2, value: .bytes(Array(key.publicKey.rawRepresentation))),
            ])
    }

    /// An ML-DSA-44 key: COSE key type AKP (7) with the FIPS 204 public key as `pub` (-1).
    static func mldsa44() throws -> TestCredentialKey {
        let key = try MLDSA44.PrivateKey()
        return TestCredentialKey(
            algorithm: .mldsa44, privateKey: .mldsa44(key),
            coseEntries: [(key: 1, value: 7), (key: 3, value: CBOR(COSEAlgorithmIdentifier.mldsa44.rawValue)), (key: -1, value: .bytes(key.publicKey))])
    }

    static func rs256() throws -> TestCredentialKey { try rsa(.rs256) }

    static func ps256() throws -> TestCredentialKey { try rsa(.ps256) }

    /// A key for any of the algorithms the relying party implements and these fixtures sign with.
    static func make(_ algorithm: COSEAlgorithmIdentifier) throws -> TestCredentialKey {
        switch algorithm {
        case .es256: return es256()
        case .es384: return es384()
        case .es512: return es512()
        case .edDSA: return edDSA()
        case .rs256, .ps256: return try rsa(algorithm)
        case .mldsa44: return try mldsa44()
        default: throw FixtureError("no test key for \(algorithm)")
        }
    }

    private static func rsa(_ algorithm: COSEAlgorithmIdentifier) throws -> TestCredentialKey {
        let key = try SharedRSAKey.key()
        let primitives = try key.publicKey.getKeyPrimitives()
        return TestCredentialKey(
            algorithm: algorithm, privateKey: .rsa(key),
            coseEntries: [
                (key: 1, value: 3), (key: 3, value: CBOR(algorithm.rawValue)),
                (key: -1, value: .bytes(Array(primitives.modulus))),
                (key: -2, value: .bytes(Array(primitives.publicExponent))),
            ])
    }

    private static func ec2Entries(algorithm: COSEAlgorithmIdentifier, curve: Int, point: [UInt8]) -> [(key: CBOR, value: CBOR)] {
        let half = point.count / 2
        return [
            (key: 1, value: 2), (key: 3, value: CBOR(algorithm.rawValue)), (key: -1, value: CBOR(curve)),
            (key: -2, value: .bytes(Array(point[..<half]))), (key: -3, value: .bytes(Array(point[half...]))),
        ]
    }

    // MARK: One change to the COSE_Key

    /// The key with COSE_Key label `label` left out.
    func removing(_ label: Int) -> TestCredentialKey {
        var copy = self
        copy.coseEntries.removeAll { $0.key == CBOR(label) }
        return copy
    }

    /// The key with COSE_Key label `label` set to `value` (added when absent).
    func setting(_ label: Int, to value: CBOR) -> TestCredentialKey {
        var copy = self
        if let index = copy.coseEntries.firstIndex(where: { $0.key == CBOR(label) }) {
            copy.coseEntries[index].value = value
        } else {
            copy.coseEntries.append((key: CBOR(label), value: value))
        }
        return copy
    }

    /// The key claiming another algorithm in its COSE_Key (label 3).
    func claiming(_ algorithm: COSEAlgorithmIdentifier) -> TestCredentialKey {
        setting(3, to: CBOR(algorithm.rawValue))
    }

    /// The COSE_Key in CTAP2 canonical CBOR, as an authenticator writes it.
    var coseKey: [UInt8] { CBOREncoder.encode(.map(CBORMap(coseEntries))) }

    // MARK: Signing

    /// A signature over `data` as WebAuthn carries it: DER for ECDSA, raw for EdDSA and RSA.
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch privateKey {
        case .p256(let key): return Array(try key.signature(for: data).derRepresentation)
        case .p384(let key): return Array(try key.signature(for: data).derRepresentation)
        case .p521(let key): return Array(try key.signature(for: data).derRepresentation)
        case .ed25519(let key): return Array(try key.signature(for: data))
        case .rsa(let key):
            let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
            return Array(try key.signature(for: data, padding: padding).rawRepresentation)
        case .mldsa44(let key): return try key.signature(for: data)
        }
    }

    // MARK: As a certificate's key

    var certificatePublicKey: Certificate.PublicKey {
        switch privateKey {
        case .p256(let key): Certificate.PublicKey(key.publicKey)
        case .p384(let key): Certificate.PublicKey(key.publicKey)
        case .p521(let key): Certificate.PublicKey(key.publicKey)
        case .ed25519(let key): Certificate.PublicKey(key.publicKey)
        case .rsa(let key): Certificate.PublicKey(key.publicKey)
        case .mldsa44: preconditionFailure("the fixtures issue no certificates for ML-DSA-44 keys")
        }
    }

    var certificatePrivateKey: Certificate.PrivateKey {
        switch privateKey {
        case .p256(let key): Certificate.PrivateKey(key)
        case .p384(let key): Certificate.PrivateKey(key)
        case .p521(let key): Certificate.PrivateKey(key)
        case .ed25519(let key): Certificate.PrivateKey(key)
        case .rsa(let key): Certificate.PrivateKey(key)
        case .mldsa44: preconditionFailure("the fixtures issue no certificates for ML-DSA-44 keys")
        }
    }
}

/// RSA key generation takes a while, so the fixtures share one 2048-bit key.
private enum SharedRSAKey {
    static let result: Result<_RSA.Signing.PrivateKey, any Error> = Result {
        try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    static func key() throws -> _RSA.Signing.PrivateKey { try result.get() }
}

/// A fixture that could not be built (never the relying party's verdict).
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
