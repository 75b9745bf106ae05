extension Auth {
    /// An account, as the server describes it (docs/api.md, "User").
    public struct User: Equatable, Sendable {
        /// The user handle, unpadded base64url.
        public var id: String
        public var username: String
        public var displayName: String

        public init(id: String, username: String, displayName: String) {
            self.id = id
            self.username = username
            self.displayName = displayName
        }
    }

    /// A passkey's credential ID as the server names it: unpadded base64url.
    public struct PasskeyID: Equatable, Sendable, CustomStringConvertible {
        public var base64URL: String

        public init(_ base64URL: String) {
            self.base64URL = base64URL
        }

        public var description: String { base64URL }
    }

    /// A passkey registered on the account (docs/api.md, "Passkey").
    public struct Passkey: Equatable, Sendable {
        public var id: PasskeyID
        /// The name the person gave it, or the provider's name.
        public var name: String
        /// ISO-8601 UTC, `2026-11-22T10:00:00Z`.
        public var createdAt: String
        /// ISO-8601 UTC; `nil` when it has not been used to sign in.
        public var lastUsedAt: String?
        /// The authenticator model's AAGUID, as a UUID string.
        public var aaguid: String
        /// The passkey provider's name when the server knows the AAGUID (`iCloud Keychain`).
        public var provider: String?
        /// Backed up now (the BS flag).
        public var synced: Bool
        /// Can be backed up (the BE flag).
        public var backupEligible: Bool
        /// How the authenticator can be reached (`internal`, `hybrid`, `usb`, …).
        public var transports: [String]
        /// The COSE algorithm identifier of its key (-7 for ES256).
        public var algorithm: Int

        public init(
            id: PasskeyID, name: String, createdAt: String, lastUsedAt: String? = nil, aaguid: String,
            provider: String? = nil, synced: Bool, backupEligible: Bool, transports: [String] = [], algorithm: Int
        ) {
            self.id = id
            self.name = name
            self.createdAt = createdAt
            self.lastUsedAt = lastUsedAt
            self.aaguid = aaguid
            self.provider = provider
            self.synced = synced
            self.backupEligible = backupEligible
            self.transports = transports
            self.algorithm = algorithm
        }
    }

    /// What the server answers when a registration is finished: the new account, signed in, and
    /// its first passkey.
    public struct Registered: Equatable, Sendable {
        public var user: User
        public var passkey: Passkey
        /// The relying party's ID (`rpId`), which the passkey provider's signals name.
        public var rpID: String?

        public init(user: User, passkey: Passkey, rpID: String? = nil) {
            self.user = user
            self.passkey = passkey
            self.rpID = rpID
        }
    }

    /// Who is signed in, as `GET /api/session` and `POST /api/authentication` answer: the account
    /// and the relying party's ID (`rpId`), which the passkey provider's signals name.
    public struct Session: Equatable, Sendable {
        public var user: User
        public var rpID: String?
        /// Recovery session, confirmed address, password; what an answer leaves out is the default.
        public var status: AccountStatus

        public init(user: User, rpID: String? = nil, status: AccountStatus = AccountStatus()) {
            self.user = user
            self.rpID = rpID
            self.status = status
        }
    }

    /// A session opened with a password: `{"user": User, "passwordOnly": Bool}`.
    public struct PasswordSession: Equatable, Sendable {
        public var session: Session
        /// The account has no passkey yet: the account page offers to create one.
        public var passwordOnly: Bool

        public init(session: Session, passwordOnly: Bool) {
            self.session = session
            self.passwordOnly = passwordOnly
        }
    }

    /// The answer of a request that succeeds without a body (`204 No Content`).
    public struct NoContent: Equatable, Sendable {
        public init() {}
    }

    /// `PublicKeyCredentialCreationOptionsJSON` from the server, as UTF-8 JSON text: the core hands
    /// it to the passkey provider without reading it.
    public struct CreationOptionsJSON: Equatable, Sendable {
        public var utf8: [UInt8]

        public init(utf8: [UInt8]) {
            self.utf8 = utf8
        }

        public init(_ text: String) {
            self.utf8 = Array(text.utf8)
        }
    }

    /// `PublicKeyCredentialRequestOptionsJSON` from the server, as UTF-8 JSON text.
    public struct RequestOptionsJSON: Equatable, Sendable {
        public var utf8: [UInt8]

        public init(utf8: [UInt8]) {
            self.utf8 = utf8
        }

        public init(_ text: String) {
            self.utf8 = Array(text.utf8)
        }
    }

    /// A new credential's `RegistrationResponseJSON` (what `PublicKeyCredential.toJSON()` gives),
    /// as UTF-8 JSON text: the core hands it to the server without reading it.
    public struct RegistrationCredentialJSON: Equatable, Sendable {
        public var utf8: [UInt8]

        public init(utf8: [UInt8]) {
            self.utf8 = utf8
        }

        public init(_ text: String) {
            self.utf8 = Array(text.utf8)
        }
    }

    /// An assertion's `AuthenticationResponseJSON`, as UTF-8 JSON text.
    public struct AuthenticationCredentialJSON: Equatable, Sendable {
        public var utf8: [UInt8]

        public init(utf8: [UInt8]) {
            self.utf8 = utf8
        }

        public init(_ text: String) {
            self.utf8 = Array(text.utf8)
        }
    }
}
