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
    /// An operator turned the account off (`passkeys admin users disable`): it has no sessions and
    /// cannot sign in until it is turned on again. Every way in honours this.
    public var disabled: Bool

    /// Whether the person proved they receive mail at ``username`` (a code sent there, or the
    /// import said so). The OIDC claim `email_verified` is this value.
    public var emailVerified: Bool

    public init(id: UserHandle, username: String, displayName: String, createdAt: Date, disabled: Bool = false, emailVerified: Bool = false) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.createdAt = createdAt
        self.disabled = disabled
        self.emailVerified = emailVerified
    }

    /// The form of ``username`` that is unique in the store and used for look-up.
    public var normalizedUsername: String { Self.normalize(username) }

    /// Trims white space, lower-cases and composes Unicode (NFC), so two spellings a person would
    /// call the same username are the same string, byte for byte, in every backend.
    public static func normalize(_ username: String) -> String {
        let trimmed = username.trimmingWhitespaceAndNewlines()
        // ASCII is its own canonical composition: only the case is folded (Foundation's NFC was
        // about 1 % of a sign-in's server CPU, for the username each sign-in carries).
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return trimmed.lowercased() }
        return trimmed.lowercased().precomposedStringWithCanonicalMapping
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

/// How a person proved who they are when a session opened. The OpenID Provider names it to apps
/// in the ID token's `amr`.
public enum SignInMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// A WebAuthn assertion, or the passkey created at sign-up.
    case passkey
    /// An imported password.
    case password
    /// A one-time code mailed to the account's address (recovery).
    case emailCode = "email_code"
}

/// The end of a recovery session's recovery, as a passkey is added in it: the session
/// (`tokenHash`) becomes a full session, and expires when a full session started then would.
public struct RecoveryCompletion: Sendable, Hashable {
    public var tokenHash: [UInt8]
    public var expiresAt: Date

    public init(tokenHash: [UInt8], expiresAt: Date) {
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
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
    /// The passkey that opened the session; deleting that passkey ends the session. `nil` for a
    /// session no passkey opened.
    public var credentialID: CredentialID?
    /// The client address the session was opened from, for the person's list of sessions.
    public var ip: String?
    /// The `User-Agent` the session was opened with, for the person's list of sessions.
    public var userAgent: String?

    /// A recovery session (opened with an emailed code): it may only read the account and add a
    /// passkey, and becomes a full session once a passkey is added.
    public var recovery: Bool
    /// How the person proved who they are when the session opened; it stays so when a recovery
    /// session becomes a full one.
    public var method: SignInMethod

    public init(
        tokenHash: [UInt8], userID: UserHandle, createdAt: Date, lastSeenAt: Date, expiresAt: Date,
        credentialID: CredentialID? = nil, ip: String? = nil, userAgent: String? = nil, recovery: Bool = false,
        method: SignInMethod
    ) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.credentialID = credentialID
        self.ip = ip
        self.userAgent = userAgent
        self.recovery = recovery
        self.method = method
    }

    /// Whether the session has ended at `now`: past its absolute expiry, or idle for
    /// `idleTimeout` seconds or more since ``lastSeenAt`` (no idle limit when `nil`).
    public func isExpired(at now: Date, idleTimeout: TimeInterval?) -> Bool {
        if now >= expiresAt { return true }
        if let idleTimeout, now >= lastSeenAt.addingTimeInterval(idleTimeout) { return true }
        return false
    }
}

/// Something that happened to an account, for the account's own history (`GET /api/account/activity`)
/// and for operators. The detail is for people; never put a secret (token, challenge, key) in it.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// What happened: a stable, machine-readable name, the `type` the API shows.
    ///
    /// One open set of names: a feature adds its own as a `static let` in an extension
    /// (`recovery_…`, `app_access_…`) without touching the others.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
        public var description: String { rawValue }

        /// An account was created with its first passkey.
        public static let signUp: Kind = "sign_up"
        /// A passkey signed in (the event names it and where from).
        public static let signIn: Kind = "sign_in"
        /// A passkey of the account was presented and failed verification, or the account is disabled.
        public static let signInFailed: Kind = "sign_in_failed"
        public static let passkeyAdded: Kind = "passkey_added"
        public static let passkeyRenamed: Kind = "passkey_renamed"
        /// A passkey was deleted; the sessions it had opened ended with it.
        public static let passkeyDeleted: Kind = "passkey_deleted"
        public static let displayNameChanged: Kind = "display_name_changed"
        /// A session ended before its time: signed out, ended from another session, or revoked.
        public static let sessionEnded: Kind = "session_ended"
        /// An operator turned the account off (`passkeys admin users disable`).
        public static let accountDisabled: Kind = "account_disabled"
        /// An operator turned the account on again.
        public static let accountEnabled: Kind = "account_enabled"
        /// An operator deleted the account; kept without an account, naming it in the detail.
        public static let accountDeleted: Kind = "account_deleted"
        /// An operator ended all of the account's sessions (`passkeys admin sessions revoke`).
        public static let sessionsRevoked: Kind = "sessions_revoked"
    }

    /// Where an ``PasskeyStore/auditEvents(userID:limit:before:)`` page ends: the next page starts
    /// after this event.
    public struct Cursor: Sendable, Hashable {
        public var at: Date
        public var id: UUID

        public init(at: Date, id: UUID) {
            self.at = at
            self.id = id
        }
    }

    public var id: UUID
    /// The account concerned, if any.
    public var userID: UserHandle?
    public var kind: Kind
    public var detail: String
    public var at: Date
    /// The client address of the request that caused the event, when there was one.
    public var ip: String?
    /// The `User-Agent` of that request.
    public var userAgent: String?
    /// The passkey concerned, when there is one.
    public var credentialID: CredentialID?

    /// An event; its ID, unless given, is a version 7 UUID of `at` (``Foundation/UUID/timeOrdered(at:)``).
    public init(
        id: UUID? = nil, userID: UserHandle?, kind: Kind, detail: String = "", at: Date,
        ip: String? = nil, userAgent: String? = nil, credentialID: CredentialID? = nil
    ) {
        self.id = id ?? .timeOrdered(at: at)
        self.userID = userID
        self.kind = kind
        self.detail = detail
        self.at = at
        self.ip = ip
        self.userAgent = userAgent
        self.credentialID = credentialID
    }

    /// The cursor for the page after this event.
    public var cursor: Cursor { Cursor(at: at, id: id) }
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
