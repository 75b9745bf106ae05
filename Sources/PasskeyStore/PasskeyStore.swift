import Foundation
import WebAuthn

/// Everything the passkey server keeps: accounts, their passkeys, pending ceremonies, sessions and
/// an audit trail.
///
/// The store is the only state the server shares, so any number of server processes can serve one
/// database. Each method is one atomic step: where a rule of the server spans several rows
/// ("the sign-in updates the passkey and creates the session", "never the last passkey") the
/// method runs it as one transaction, and concurrent calls cannot break it.
///
/// Two implementations keep the same contract (`Tests/PasskeyStoreTests` runs one suite on each):
/// ``MemoryPasskeyStore`` for tests and ``SQLPasskeyStore`` for SQLite (and PostgreSQL).
///
/// Errors are ``StoreError``s. Times are kept to the microsecond by the SQL store.
public protocol PasskeyStore: SharedStateStore {
    // MARK: Accounts

    /// Creates an account with its first passkey and signs it in: the user, the credential and the
    /// session are stored together or not at all.
    ///
    /// - Throws: ``StoreError/usernameTaken`` when an account has the same normalized username;
    ///   ``StoreError/credentialExists`` when the credential ID is registered already (no user is
    ///   left behind); a ``StoreError/Code-swift.struct/failure`` when the credential or session
    ///   belongs to another user than `user`.
    func createUser(_ user: UserRecord, credential: CredentialRecord, session: SessionRecord) async throws

    /// The account with this user handle.
    func user(id: UserHandle) async throws -> UserRecord?

    /// The account whose normalized username is the normalized form of `username`.
    func user(username: String) async throws -> UserRecord?

    /// Changes the display name; returns the updated account, or `nil` when there is none.
    func updateDisplayName(userID: UserHandle, displayName: String) async throws -> UserRecord?

    /// Deletes the account and everything it owns, in one transaction: passkeys, sessions, pending
    /// ceremonies and audit events. Returns whether the account existed.
    @discardableResult
    func deleteUser(id: UserHandle) async throws -> Bool

    // MARK: Passkeys

    /// The credential with this ID, whoever owns it.
    func credential(id: CredentialID) async throws -> CredentialRecord?

    /// The account's credentials, oldest first.
    func credentials(userID: UserHandle) async throws -> [CredentialRecord]

    /// Adds a passkey to an existing account.
    ///
    /// - Throws: ``StoreError/userNotFound`` when the account is gone;
    ///   ``StoreError/credentialExists`` when the credential ID is registered already.
    func addCredential(_ credential: CredentialRecord) async throws

    /// Renames one of the account's passkeys; returns it, or `nil` when this account has no such
    /// passkey (another account's passkey is never renamed).
    func renameCredential(id: CredentialID, userID: UserHandle, name: String) async throws -> CredentialRecord?

    /// Deletes one of the account's passkeys, unless it is the account's last one. The check and the
    /// delete are one transaction: two concurrent deletes of an account's last two passkeys leave one.
    func deleteCredential(id: CredentialID, userID: UserHandle) async throws -> DeleteCredentialResult

    /// Saves what a verified sign-in tells about the credential (sign count, backup state, last
    /// use) and creates the session, in one transaction.
    ///
    /// The credential must belong to `session.userID`. Returns the updated credential, or `nil`
    /// (and no session) when that account holds no such credential any more.
    ///
    /// The counter is compared and set in the same statement: it must grow, or stay zero where it
    /// is zero (WebAuthn §7.2 step 22). When a concurrent sign-in already moved it as far, this
    /// throws ``StoreError/signCountConflict`` and changes nothing, so two racing assertions (a
    /// clone and the original) cannot both pass or move the counter back.
    func recordSignIn(
        credentialID: CredentialID,
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord
    ) async throws -> CredentialRecord?

    // MARK: Ceremonies

    /// Stores a ceremony until it is consumed or purged.
    func insertCeremony(_ ceremony: CeremonyRecord) async throws

    /// Removes the ceremony and returns it, once: of any number of concurrent calls for one ID,
    /// exactly one gets the record. An expired ceremony is returned too (so the caller can say
    /// `ceremony_expired`) and is gone all the same; the caller checks ``CeremonyRecord/isExpired(at:)``.
    func consumeCeremony(id: String) async throws -> CeremonyRecord?

    // MARK: Sessions

    /// Stores a session for an existing account.
    ///
    /// - Throws: ``StoreError/userNotFound`` when the account is gone.
    func insertSession(_ session: SessionRecord) async throws

    /// The session whose token hashes to `tokenHash`, expired or not; the caller checks
    /// ``SessionRecord/isExpired(at:idleTimeout:)``.
    func session(tokenHash: [UInt8]) async throws -> SessionRecord?

    /// Moves the session's ``SessionRecord/lastSeenAt`` forward to `at` (never backward), which
    /// restarts its idle expiry.
    func touchSession(tokenHash: [UInt8], at: Date) async throws

    /// Deletes the session (sign-out). Deleting a session that does not exist is not an error.
    func deleteSession(tokenHash: [UInt8]) async throws

    /// Deletes the ceremonies and sessions that have expired at `now`: past `expiresAt`, or, for
    /// sessions when `sessionIdleTimeout` is given, last seen that many seconds ago or more.
    /// Returns how many records were deleted.
    @discardableResult
    func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int

    // MARK: Audit

    /// Appends an event to the audit trail.
    func appendAudit(_ event: AuditEvent) async throws

    /// The account's most recent audit events, newest first, at most `limit`.
    func auditEvents(userID: UserHandle, limit: Int) async throws -> [AuditEvent]
}

extension PasskeyStore {
    /// Deletes the ceremonies and sessions past their absolute expiry at `now`.
    @discardableResult
    public func purgeExpired(now: Date) async throws -> Int {
        try await purgeExpired(now: now, sessionIdleTimeout: nil)
    }
}

/// What ``PasskeyStore/deleteCredential(id:userID:)`` did.
public enum DeleteCredentialResult: Sendable, Hashable {
    /// The passkey is gone.
    case deleted
    /// The account has no passkey with this ID (it may be another account's).
    case notFound
    /// The passkey is the account's only one and was kept (`409 last_passkey`).
    case lastCredential
}
