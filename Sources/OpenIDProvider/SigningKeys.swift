import _CryptoExtras
import Crypto
import Foundation
import JWTKit
import PasskeyStore
import WebAuthn

/// The provider's signing keys: made here, kept in the store, turned into a JWKS and into
/// jwt-kit signers.
public enum SigningKeys {
    /// A new private key for `algorithm` (`RS256`: RSA 2048; `ES256`: P-256) with a random `kid`.
    public static func generate(_ algorithm: String, at now: Date) throws(OAuthError) -> SigningKeyRecord {
        let pem: String
        switch algorithm {
        case "RS256":
            do {
                pem = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
            } catch {
                throw OAuthError("server_error", "cannot make an RSA key", status: 500)
            }
        case "ES256":
            pem = P256.Signing.PrivateKey().pemRepresentation
        default:
            throw OAuthError("server_error", "unknown signing algorithm \(algorithm)", status: 500)
        }
        return SigningKeyRecord(id: Base64URL.encode(randomBytes(12)), algorithm: algorithm, privateKeyPEM: pem, createdAt: now)
    }

    /// Whether the key is still in the JWKS at `now`: it signs, or it was retired less than
    /// `retention` ago (the longest an ID token it signed stays valid).
    public static func isPublished(_ key: SigningKeyRecord, at now: Date, retention: TimeInterval) -> Bool {
        guard let retiredAt = key.retiredAt else { return true }
        return now < retiredAt.addingTimeInterval(retention)
    }

    /// A JSON Web Key Set (RFC 7517 §5) of the keys' public halves.
    public static func jwks(_ keys: [SigningKeyRecord]) throws(OAuthError) -> JWKSDocument {
        var set: [JWKDocument] = []
        for key in keys {
            switch key.algorithm {
            case "RS256":
                guard let parsed = try? _RSA.Signing.PrivateKey(pemRepresentation: key.privateKeyPEM),
                      let primitives = try? parsed.publicKey.getKeyPrimitives()
                else { throw OAuthError("server_error", "signing key \(key.id) is unreadable", status: 500) }
                set.append(JWKDocument(
                    kty: "RSA", use: "sig", alg: "RS256", kid: key.id,
                    n: Base64URL.encode(Array(primitives.modulus)), e: Base64URL.encode(Array(primitives.publicExponent))))
            case "ES256":
                guard let parsed = try? P256.Signing.PrivateKey(pemRepresentation: key.privateKeyPEM) else {
                    throw OAuthError("server_error", "signing key \(key.id) is unreadable", status: 500)
                }
                let point = Array(parsed.publicKey.rawRepresentation)
                set.append(JWKDocument(
                    kty: "EC", use: "sig", alg: "ES256", kid: key.id, crv: "P-256",
                    x: Base64URL.encode(Array(point[0..<32])), y: Base64URL.encode(Array(point[32..<64]))))
            default:
                continue
            }
        }
        return JWKSDocument(keys: set)
    }

    /// A jwt-kit key collection that signs and verifies with `keys`.
    static func collection(_ keys: [SigningKeyRecord]) async throws(OAuthError) -> JWTKeyCollection {
        let collection = JWTKeyCollection()
        for key in keys {
            do {
                switch key.algorithm {
                case "RS256":
                    let rsa = try Insecure.RSA.PrivateKey(pem: key.privateKeyPEM)
                    await collection.add(rsa: rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
                case "ES256":
                    let ec = try ES256PrivateKey(pem: key.privateKeyPEM)
                    await collection.add(ecdsa: ec, kid: JWKIdentifier(string: key.id))
                default:
                    continue
                }
            } catch {
                throw OAuthError("server_error", "signing key \(key.id) is unreadable", status: 500)
            }
        }
        return collection
    }
}

/// One public key of the JWKS.
public struct JWKDocument: Codable, Sendable, Hashable {
    public var kty: String
    public var use: String
    public var alg: String
    public var kid: String
    public var n: String?
    public var e: String?
    public var crv: String?
    public var x: String?
    public var y: String?
}

/// The JWKS served at `jwks_uri`.
public struct JWKSDocument: Codable, Sendable, Hashable {
    public var keys: [JWKDocument]
}
