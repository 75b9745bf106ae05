import Foundation
import WebAuthn

/// An account: the person a set of passkeys belongs to.
///
/// The ``id`` is the WebAuthn user handle (`user.id` in the creation options) and the primary key
/// of the account. ``username`` is kept as the person typed it; uniqueness and look-up use
/// ``normalizedUsername`` so `Ada@Example.com` and ` ada@example.com` name the same account.
public struct UserRecord: Sendable, Hashable, Codable {
    /// The user handle: 32 random bytes, never personally identifying.
    public var id: UserHandle
    /// The username as the person typed it, for display.
    public var username: String
    /// The name shown to the person and to their authenticator.
    public var displayName: String
    /// When the account was created.
    public var createdAt: Date
    /// Whether the person proved they receive mail at ``username`` (a code sent there, or the
    /// import said so). The OIDC claim `email_verified` is this value.
    public var emailVerified: Bool

    public init(id: UserHandle, username: String, displayName: String, createdAt: Date, emailVerified: Bool = false) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.createdAt = createdAt
        self.emailVerified = emailVerified
    }

    /// The form of ``username`` that is unique in the store and used for look-up.
    public var normalizedUsername: String { Self.normalize(username) }

    /// Trims white space, lower-cases and composes Unicode (NFC), so two spellings a person would
    /// call the same username are the same string, byte for byte, in every backend.
    public static func normalize(_ username: String) -> String {
        username.trimmingCharacters(in: .whitespacesAndNewlines)
            .lowercased()
            .precomposedStringWithCanonicalMapping
    }
}

/// A passkey registered to an account: what the relying party needs to verify its assertions,
/// and what the account page shows about it.
public struct CredentialRecord: Sendable, Hashable, Codable {
    /// The credential ID the authenticator chose.
    public var id: CredentialID
    /// The account the credential signs in to.
    public var userID: UserHandle
    /// The credential public key as a COSE_Key (CBOR bytes), exactly as attested.
    public var publicKey: [UInt8]
    /// The COSE algorithm identifier of ``publicKey`` (`-7` for ES256).
    public var algorithm: Int
    /// The signature counter last seen (§6.1.1); `0` for authenticators that do not count.
    public var signCount: UInt32
    /// The authenticator's make and model, ``AAGUID/zero`` when not attested.
    public var aaguid: AAGUID
    /// The attestation statement format at registration (`none`, `packed`, …).
    public var attestationFormat: String
    /// The transports the client reported (`internal`, `hybrid`, `usb`, …), for `allowCredentials`.
    public var transports: [String]
    /// The BE flag: the credential may be backed up (a synced passkey). Fixed at registration.
    public var backupEligible: Bool
    /// The BS flag as last seen: the credential is backed up now.
    public var backedUp: Bool
    /// The name the person gave the passkey.
    public var name: String
    /// When the passkey was registered.
    public var createdAt: Date
    /// When the passkey last signed in, if ever.
    public var lastUsedAt: Date?

    public init(
        id: CredentialID,
        userID: UserHandle,
        publicKey: [UInt8],
        algorithm: Int,
        signCount: UInt32,
        aaguid: AAGUID,
        attestationFormat: String,
        transports: [String],
        backupEligible: Bool,
        backedUp: Bool,
        name: String,
        createdAt: Date,
        lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.aaguid = aaguid
        self.attestationFormat = attestationFormat
        self.transports = transports
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A ceremony begun and not yet finished: the server's half of the state between the options
/// request and the response (ARCHITECTURE: "a challenge is never trusted from the client").
///
/// A ceremony is handed out once by ``PasskeyStore/consumeCeremony(id:)`` and is gone after that,
/// whatever the outcome.
public struct CeremonyRecord: Sendable, Hashable, Codable {
    /// What the ceremony is for. The raw values are what the store writes.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Sign-up: a new account and its first passkey.
        case registration
        /// Sign-in.
        case authentication
        /// A signed-in account adds a passkey.
        case addPasskey = "add_passkey"
    }

    /// An opaque random token; the server puts it in the cookie that binds the ceremony to a browser.
    public var id: String
    public var kind: Kind
    /// The challenge issued in the options.
    public var challenge: Challenge
    /// The account: the new account's handle for a sign-up, the signed-in account when adding a
    /// passkey, the named account for a sign-in with a username, `nil` for a username-less sign-in.
    public var userID: UserHandle?
    /// For a sign-up not yet committed: the username asked for.
    public var username: String?
    /// For a sign-up not yet committed: the display name asked for.
    public var displayName: String?
    /// The serialized ceremony value the relying party gave the server; opaque to the store.
    public var state: [UInt8]
    public var createdAt: Date
    /// The ceremony may not be finished at or after this time.
    public var expiresAt: Date

    public init(
        id: String,
        kind: Kind,
        challenge: Challenge,
        userID: UserHandle? = nil,
        username: String? = nil,
        displayName: String? = nil,
        state: [UInt8],
        createdAt: Date,
        expiresAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.challenge = challenge
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether the ceremony is too old to finish at `now`.
    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// A signed-in browser or app. The cookie holds a random token; the store keeps only its SHA-256,
/// so a copy of the database does not sign anyone in.
public struct SessionRecord: Sendable, Hashable, Codable {
    /// SHA-256 of the session token.
    public var tokenHash: [UInt8]
    public var userID: UserHandle
    public var createdAt: Date
    /// The last request seen with this session (see ``PasskeyStore/touchSession(tokenHash:at:)``);
    /// the idle expiry counts from here.
    public var lastSeenAt: Date
    /// The absolute expiry: the session ends here however active it is.
    public var expiresAt: Date
    /// A recovery session (opened with an emailed code): it may only read the account and add a
    /// passkey, and becomes a full session once a passkey is added.
    public var recovery: Bool

    public init(
        tokenHash: [UInt8], userID: UserHandle, createdAt: Date, lastSeenAt: Date, expiresAt: Date, recovery: Bool = false
    ) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.recovery = recovery
    }

    /// Whether the session has ended at `now`: past its absolute expiry, or idle for
    /// `idleTimeout` seconds or more since ``lastSeenAt`` (no idle limit when `nil`).
    public func isExpired(at now: Date, idleTimeout: TimeInterval?) -> Bool {
        if now >= expiresAt { return true }
        if let idleTimeout, now >= lastSeenAt.addingTimeInterval(idleTimeout) { return true }
        return false
    }
}

/// Something that happened to an account, for the account's own history and for operators.
/// The detail is for people; never put a secret (token, challenge, key) in it.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var id: UUID
    /// The account concerned, if any.
    public var userID: UserHandle?
    /// A stable, machine-readable kind (`sign_up`, `sign_in`, `passkey_added`, …).
    public var kind: String
    public var detail: String
    public var at: Date

    public init(id: UUID = UUID(), userID: UserHandle?, kind: String, detail: String, at: Date) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.detail = detail
        self.at = at
    }
}

extension UUID {
    /// The 16 bytes of the UUID, in order.
    var bytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }

    /// The UUID of 16 bytes, or `nil` for any other length.
    init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.init(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }
}
