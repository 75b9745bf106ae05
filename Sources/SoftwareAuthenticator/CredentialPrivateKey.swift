import Crypto
import _CryptoExtras
import Foundation
import PasskeyCBOR
import SwiftASN1
import WebAuthn
import X509

/// A credential's private key, in one of the algorithms the software authenticator makes.
///
/// Stored as bytes in the keychain JSON: the raw scalar for P-256 and Ed25519, PKCS #1 DER for RSA.
struct CredentialPrivateKey: Sendable {
    enum Backing: Sendable {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    /// The COSE algorithm the key signs with; it is also the `alg` of its COSE key.
    let algorithm: COSEAlgorithmIdentifier
    let backing: Backing
    /// The public key as a COSE_Key (§5.8.5), CTAP2 canonical CBOR.
    let coseKey: [UInt8]
    /// The public key as DER SubjectPublicKeyInfo, as `getPublicKey()` gives it in browsers.
    let subjectPublicKeyInfo: [UInt8]

    /// Every algorithm a key can be made for, in the authenticator's default preference.
    static let supportedAlgorithms: [COSEAlgorithmIdentifier] = [.es256, .edDSA, .ed25519, .rs256]

    /// A new random key for `algorithm`.
    static func generate(_ algorithm: COSEAlgorithmIdentifier) throws(SoftwareAuthenticatorError) -> CredentialPrivateKey {
        switch algorithm {
        case .es256:
            return try CredentialPrivateKey(algorithm: algorithm, backing: .p256(try randomP256Key()))
        case .edDSA, .ed25519:
            return try CredentialPrivateKey(algorithm: algorithm, backing: .ed25519(Curve25519.Signing.PrivateKey()))
        case .rs256:
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            } catch {
                throw SoftwareAuthenticatorError(.cryptoFailure, "could not generate an RSA key: \(error)")
            }
            return try CredentialPrivateKey(algorithm: algorithm, backing: .rsa(key))
        default:
            throw SoftwareAuthenticatorError(.unsupportedAlgorithm, "the software authenticator cannot make \(algorithm) keys")
        }
    }

    /// A P-256 key whose scalar is 32 random bytes, drawn again in the rare case (about 2⁻³²)
    /// that they are zero or not below the group's order.
    ///
    /// Why not `P256.Signing.PrivateKey()`: on Linux it proves each new key with a signature and
    /// its verification (BoringSSL's FIPS pairwise test) and draws again until the key has a
    /// compact form, which made a software passkey's registration cost several signatures.
    static func randomP256Key() throws(SoftwareAuthenticatorError) -> P256.Signing.PrivateKey {
        for _ in 0..<8 {
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: randomBytes(32)) { return key }
        }
        throw SoftwareAuthenticatorError(.cryptoFailure, "could not generate a P-256 key")
    }

    /// Reads a key back from its stored bytes (see ``bytes``).
    init(algorithm: COSEAlgorithmIdentifier, bytes: [UInt8]) throws(SoftwareAuthenticatorError) {
        let backing: Backing
        do {
            switch algorithm {
            case .es256: backing = .p256(try P256.Signing.PrivateKey(rawRepresentation: bytes))
            case .edDSA, .ed25519: backing = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: bytes))
            case .rs256: backing = .rsa(try _RSA.Signing.PrivateKey(derRepresentation: bytes))
            default:
                throw SoftwareAuthenticatorError(.invalidKeychain, "algorithm \(algorithm) is not one the software authenticator uses")
            }
        } catch let error as SoftwareAuthenticatorError {
            throw error
        } catch {
            throw SoftwareAuthenticatorError(.invalidKeychain, "the \(algorithm) private key is not valid")
        }
        try self.init(algorithm: algorithm, backing: backing)
    }

    private init(algorithm: COSEAlgorithmIdentifier, backing: Backing) throws(SoftwareAuthenticatorError) {
        self.algorithm = algorithm
        self.backing = backing
        self.coseKey = try Self.coseKey(algorithm: algorithm, backing: backing)
        self.subjectPublicKeyInfo = try Self.subjectPublicKeyInfo(backing)
    }

    /// The private key as stored: raw for P-256 and Ed25519, PKCS #1 DER for RSA.
    var bytes: [UInt8] {
        switch backing {
        case .p256(let key): Array(key.rawRepresentation)
        case .ed25519(let key): Array(key.rawRepresentation)
        case .rsa(let key): Array(key.derRepresentation)
        }
    }

    private static func coseKey(algorithm: COSEAlgorithmIdentifier, backing: Backing) throws(SoftwareAuthenticatorError) -> [UInt8] {
        let map: CBORMap
        switch backing {
        case .p256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            map = [1: 2, 3: CBOR(algorithm.rawValue), -1: 1, -2: .bytes(Array(raw[0..<32])), -3: .bytes(Array(raw[32..<64]))]
        case .ed25519(let key):
            map = [1: 1, 3: CBOR(algorithm.rawValue), -1: 6, -2: .bytes(Array(key.publicKey.rawRepresentation))]
        case .rsa(let key):
            let primitives: _RSA.Signing.PublicKey.Primitives
            do {
                primitives = try key.publicKey.getKeyPrimitives()
            } catch {
                throw SoftwareAuthenticatorError(.cryptoFailure, "could not read the RSA public key: \(error)")
            }
            map = [
                1: 3, 3: CBOR(algorithm.rawValue),
                -1: .bytes(Array(primitives.modulus)), -2: .bytes(Array(primitives.publicExponent)),
            ]
        }
        return CBOREncoder.encode(.map(map))
    }

    private static func subjectPublicKeyInfo(_ backing: Backing) throws(SoftwareAuthenticatorError) -> [UInt8] {
        let publicKey: Certificate.PublicKey
        switch backing {
        case .p256(let key): publicKey = Certificate.PublicKey(key.publicKey)
        case .ed25519(let key): publicKey = Certificate.PublicKey(key.publicKey)
        case .rsa(let key): publicKey = Certificate.PublicKey(key.publicKey)
        }
        // Not `subjectPublicKeyInfoBytes`: that is only the BIT STRING's contents.
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(publicKey)
        } catch {
            throw SoftwareAuthenticatorError(.cryptoFailure, "could not encode the public key: \(error)")
        }
        return serializer.serializedBytes
    }

    /// The uncompressed point `0x04 ‖ x ‖ y` of a P-256 key, as FIDO U2F registers it (§8.6).
    var p256UncompressedPoint: [UInt8]? {
        guard case .p256(let key) = backing else { return nil }
        return Array(key.publicKey.x963Representation)
    }

    /// Signs `data` as WebAuthn expects for the algorithm: ECDSA as DER, Ed25519 raw, RSA
    /// PKCS #1 v1.5 over SHA-256.
    func sign(_ data: [UInt8]) throws(SoftwareAuthenticatorError) -> [UInt8] {
        do {
            switch backing {
            case .p256(let key): return Array(try key.signature(for: data).derRepresentation)
            case .ed25519(let key): return Array(try key.signature(for: data))
            case .rsa(let key):
                return Array(try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        } catch {
            throw SoftwareAuthenticatorError(.cryptoFailure, "signing with the \(algorithm) key failed: \(error)")
        }
    }
}
