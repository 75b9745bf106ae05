import Foundation
import WebAuthn

/// An application registered to sign its users in through the OpenID Provider (an OAuth 2.0
/// client, RFC 6749 §2).
public struct OAuthClientRecord: Sendable, Hashable, Codable {
    /// The `client_id`: only characters of `[A-Za-z0-9._~-]`, so client libraries can put it in a
    /// Basic header without form-encoding it.
    public var id: String
    /// The application's name, shown on the consent page and the account page.
    public var name: String
    /// SHA-256 of the client secret; `nil` for a public client (RFC 6749 §2.1), which has none.
    public var secretHash: [UInt8]?
    /// The redirect URIs, compared as exact strings (RFC 9700 §2.1), but for the port of a
    /// loopback IP literal's (RFC 8252 §7.3).
    public var redirectURIs: [String]
    /// Where RP-Initiated Logout may send the browser afterwards.
    public var postLogoutRedirectURIs: [String]
    /// A first-party application: its users are not asked for consent.
    public var trusted: Bool
    /// The JWS algorithm of its ID tokens: `RS256` or `ES256`.
    public var idTokenAlgorithm: String
    public var createdAt: Date

    public init(
        id: String, name: String, secretHash: [UInt8]?, redirectURIs: [String], postLogoutRedirectURIs: [String],
        trusted: Bool, idTokenAlgorithm: String, createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.trusted = trusted
        self.idTokenAlgorithm = idTokenAlgorithm
        self.createdAt = createdAt
    }

    /// A public client (a single-page or native app) cannot keep a secret.
    public var isPublic: Bool { secretHash == nil }
}

/// A key the provider signs ID tokens with. Kept in the store so every server process signs
/// with the same keys and publishes the same JWKS.
public struct SigningKeyRecord: Sendable, Hashable, Codable {
    /// The `kid` of the JWS header and the JWKS.
    public var id: String
    /// `RS256` or `ES256`.
    public var algorithm: String
    /// The private key in PEM.
    public var privateKeyPEM: String
    public var createdAt: Date
    /// When a newer key replaced it for signing; `nil` while it signs. A retired key stays in the
    /// JWKS until the tokens it signed have expired.
    public var retiredAt: Date?

    public init(id: String, algorithm: String, privateKeyPEM: String, createdAt: Date, retiredAt: Date? = nil) {
        self.id = id
        self.algorithm = algorithm
        self.privateKeyPEM = privateKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

/// An authorization code (RFC 6749 §4.1.2): single use, short-lived, bound to its client, redirect
/// URI, PKCE challenge and nonce. The store keeps its SHA-256, never the code.
public struct AuthorizationCodeRecord: Sendable, Hashable, Codable {
    public var codeHash: [UInt8]
    /// The grant the tokens issued for this code belong to; a replayed code revokes it.
    public var grantID: String
    public var clientID: String
    public var userID: UserHandle
    public var redirectURI: String
    public var scopes: [String]
    public var nonce: String?
    /// The PKCE `code_challenge` (S256 only, RFC 7636 §4.2).
    public var codeChallenge: String?
    /// When the person signed in (the session's start): the ID token's `auth_time`.
    public var authTime: Date
    /// How the person signed in: the ID token's `amr`.
    public var method: SignInMethod
    public var createdAt: Date
    public var expiresAt: Date
    /// When the code was redeemed; `nil` until then.
    public var usedAt: Date?

    public init(
        codeHash: [UInt8], grantID: String, clientID: String, userID: UserHandle, redirectURI: String,
        scopes: [String], nonce: String?, codeChallenge: String?, authTime: Date, method: SignInMethod,
        createdAt: Date, expiresAt: Date, usedAt: Date? = nil
    ) {
        self.codeHash = codeHash
        self.grantID = grantID
        self.clientID = clientID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.authTime = authTime
        self.method = method
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// An access or refresh token. The store keeps its SHA-256, never the token.
public struct OAuthTokenRecord: Sendable, Hashable, Codable {
    /// Which of the two a token is.
    public enum Kind: String, Sendable, Hashable, Codable {
        case access
        case refresh
    }

    public var tokenHash: [UInt8]
    public var kind: Kind
    /// The grant (one authorization and every refresh after it): the family a reused refresh token
    /// or a replayed code revokes whole.
    public var grantID: String
    public var clientID: String
    public var userID: UserHandle
    public var scopes: [String]
    /// The sign-in the grant started from, for `auth_time` in refreshed ID tokens.
    public var authTime: Date
    /// How that sign-in was made, for `amr` in refreshed ID tokens.
    public var method: SignInMethod
    public var createdAt: Date
    public var expiresAt: Date
    /// For a refresh token: when it was exchanged for a new one. Using it again is reuse.
    public var rotatedAt: Date?

    public init(
        tokenHash: [UInt8], kind: Kind, grantID: String, clientID: String, userID: UserHandle, scopes: [String],
        authTime: Date, method: SignInMethod, createdAt: Date, expiresAt: Date, rotatedAt: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.kind = kind
        self.grantID = grantID
        self.clientID = clientID
        self.userID = userID
        self.scopes = scopes
        self.authTime = authTime
        self.method = method
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.rotatedAt = rotatedAt
    }

    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// What a person allowed an application to see, remembered so they are asked once per set of scopes.
public struct ConsentRecord: Sendable, Hashable, Codable {
    public var userID: UserHandle
    public var clientID: String
    public var scopes: [String]
    public var grantedAt: Date

    public init(userID: UserHandle, clientID: String, scopes: [String], grantedAt: Date) {
        self.userID = userID
        self.clientID = clientID
        self.scopes = scopes
        self.grantedAt = grantedAt
    }
}

/// What ``PasskeyStore/redeemAuthorizationCode(codeHash:at:issuing:)`` did.
public enum CodeRedemption: Sendable, Hashable {
    /// The code was unused: it is used now and the tokens are stored.
    case redeemed
    /// The code was redeemed before: the tokens issued for it are revoked (RFC 6749 §4.1.2).
    case replayed
    /// No such code.
    case unknown
}

/// What ``PasskeyStore/rotateRefreshToken(tokenHash:at:issuing:)`` did.
public enum RefreshRotation: Sendable, Hashable {
    /// The token was current: it is rotated and the new tokens are stored.
    case rotated
    /// The token had been rotated already: its whole grant is revoked (RFC 9700 §4.14.2).
    case reused
    /// No such refresh token (revoked, purged or never issued).
    case unknown
}
