/// Why a store operation failed: a stable ``code`` for the server and tests, and a reason for logs.
///
/// Errors are equal by code, so a test names the error it expects exactly
/// (`#expect(throws: StoreError.usernameTaken)`). A database failure is wrapped as
/// ``Code-swift.struct/failure`` with the driver's message as its reason: log it, but never send it
/// to a client.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable error code.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible, Codable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Another account has this username (compared in normalized form).
        public static let usernameTaken = Code(rawValue: "username_taken")
        /// The store already holds a credential with this ID.
        public static let credentialExists = Code(rawValue: "credential_exists")
        /// The account has as many passkeys as it may have.
        public static let credentialLimit = Code(rawValue: "credential_limit")
        /// The record names an account the store does not hold (deleted meanwhile, or never made).
        public static let userNotFound = Code(rawValue: "user_not_found")
        /// The store cannot be opened as configured (an unknown database URL, for instance).
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The stored sign count was already at or past the one being saved.
        public static let signCountConflict = Code(rawValue: "sign_count")
        /// The ceremony's spent mark is in the store already: another request finished it.
        public static let ceremonySpent = Code(rawValue: "ceremony_spent")
        /// The account is disabled: it signs in nowhere.
        public static let accountDisabled = Code(rawValue: "account_disabled")
        /// Another OAuth client has this `client_id`.
        public static let clientExists = Code(rawValue: "client_exists")
        /// The record names an OAuth client the store does not hold.
        public static let clientNotFound = Code(rawValue: "client_not_found")
        /// The database cannot be reached now (it is down, restarting or out of connections):
        /// nothing was changed that the caller was told of, and the same call may work later.
        public static let unavailable = Code(rawValue: "store_unavailable")
        /// The database failed, or returned data the store cannot read.
        public static let failure = Code(rawValue: "store_failure")
    }

    public let code: Code
    /// For people and logs; may include the database driver's message.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Another account has this username.
    public static let usernameTaken = StoreError(.usernameTaken, "the username is taken")
    /// The store already holds a credential with this ID.
    public static let credentialExists = StoreError(.credentialExists, "the credential is already registered")
    /// The account has as many passkeys as it may have.
    public static let credentialLimit = StoreError(.credentialLimit, "the account has as many passkeys as it may have")
    /// The record names an account the store does not hold.
    public static let userNotFound = StoreError(.userNotFound, "no such user")

    /// The stored signature counter is already at or past the new one (a concurrent sign-in).
    public static let signCountConflict = StoreError(.signCountConflict, "the signature counter did not grow")

    /// The ceremony was spent already (``PasskeyStore/createUser(_:credential:session:audit:endingSession:spending:)``).
    public static let ceremonySpent = StoreError(.ceremonySpent, "the ceremony was used already")

    /// The account was disabled before the sign-in could be stored.
    public static let accountDisabled = StoreError(.accountDisabled, "the account is disabled")

    /// Another OAuth client has this `client_id`.
    public static let clientExists = StoreError(.clientExists, "a client with this ID exists")
    /// The record names an OAuth client the store does not hold.
    public static let clientNotFound = StoreError(.clientNotFound, "no such client")
    /// The database cannot be reached now.
    public static func unavailable(_ reason: String) -> StoreError { StoreError(.unavailable, reason) }

    /// A database failure, or data the store cannot read.
    public static func failure(_ reason: String) -> StoreError { StoreError(.failure, reason) }
}
