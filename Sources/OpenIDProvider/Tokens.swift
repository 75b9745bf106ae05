import Crypto
import Foundation
import JWTKit
import PasskeyStore
import WebAuthn

/// A bearer secret (code, access token, refresh token) and the SHA-256 the store keeps in its place.
public struct BearerSecret: Sendable, Hashable {
    public let value: String
    public let hash: [UInt8]

    /// 32 random bytes, base64url.
    public static func random() -> BearerSecret {
        let value = Base64URL.encode(randomBytes(32))
        return BearerSecret(value: value, hash: hash(value))
    }

    /// The store's key for a secret a client presents.
    public static func hash(_ value: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(value.utf8)))
    }

    private init(value: String, hash: [UInt8]) {
        self.value = value
        self.hash = hash
    }
}

/// PKCE (RFC 7636) with the S256 method only.
public enum PKCE {
    /// RFC 7636 §4.1 / §4.2: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
    public static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && ClientRules.isClientCredential(value)
    }

    /// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// RFC 7636 §4.6: the verifier matches the challenge, compared in constant time.
    public static func verify(_ verifier: String, challenge: String) -> Bool {
        constantTimeEquals(Array(Self.challenge(for: verifier).utf8), Array(challenge.utf8))
    }
}

/// The claims of an ID token (OIDC Core §2, §5.1).
struct IDTokenClaims: JWTPayload, Equatable {
    var iss: String
    var sub: String
    var aud: String
    var exp: Int
    var iat: Int
    var auth_time: Int
    var nonce: String?
    var at_hash: String?
    var amr: [String]
    var azp: String?
    var preferred_username: String?
    var name: String?
    var email: String?
    var email_verified: Bool?

    /// Signature checks are jwt-kit's; what the claims mean is checked by the provider.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The answer of the token endpoint (RFC 6749 §5.1, OIDC Core §3.1.3.3).
public struct TokenResponse: Codable, Sendable, Equatable {
    public var access_token: String
    public var token_type: String
    public var expires_in: Int
    public var id_token: String
    public var refresh_token: String?
    public var scope: String
}

/// OIDC Core §3.1.3.6: the base64url of the left half of the SHA-256 of the access token (both
/// RS256 and ES256 hash with SHA-256).
func accessTokenHash(_ token: String) -> String {
    Base64URL.encode(Array(Array(SHA256.hash(data: Array(token.utf8))).prefix(16)))
}
