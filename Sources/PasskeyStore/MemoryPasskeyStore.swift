import Foundation
import WebAuthn

/// A ``PasskeyStore`` in memory, for tests and throwaway servers.
///
/// An actor whose methods never suspend, so each method runs whole before the next begins: every
/// method is atomic, which is the same contract the SQL store keeps with transactions.
public actor MemoryPasskeyStore: PasskeyStore {
    private var users: [UserHandle: UserRecord] = [:]
    private var userIDsByUsername: [String: UserHandle] = [:]
    private var credentialsByID: [CredentialID: CredentialRecord] = [:]
    private var ceremonies: [String: CeremonyRecord] = [:]
    private var sessions: [[UInt8]: SessionRecord] = [:]
    private var audit: [AuditEvent] = []
    /// Rate limits, settings and leases (``SharedStateStore``).
    var sharedState = MemorySharedState()

    public init() {}

    // MARK: Accounts

    public func createUser(_ user: UserRecord, credential: CredentialRecord, session: SessionRecord) async throws {
        guard credential.userID == user.id, session.userID == user.id else {
            throw StoreError.failure("the first credential and session must belong to the new user")
        }
        let username = user.normalizedUsername
        guard userIDsByUsername[username] == nil else { throw StoreError.usernameTaken }
        guard users[user.id] == nil else { throw StoreError.failure("a user with this handle exists") }
        guard credentialsByID[credential.id] == nil else { throw StoreError.credentialExists }
        guard sessions[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        users[user.id] = user
        userIDsByUsername[username] = user.id
        credentialsByID[credential.id] = credential
        sessions[session.tokenHash] = session
    }

    public func user(id: UserHandle) async throws -> UserRecord? {
        users[id]
    }

    public func user(username: String) async throws -> UserRecord? {
        userIDsByUsername[UserRecord.normalize(username)].flatMap { users[$0] }
    }

    public func updateDisplayName(userID: UserHandle, displayName: String) async throws -> UserRecord? {
        guard var user = users[userID] else { return nil }
        user.displayName = displayName
        users[userID] = user
        return user
    }

    @discardableResult
    public func deleteUser(id: UserHandle) async throws -> Bool {
        guard let user = users.removeValue(forKey: id) else { return false }
        userIDsByUsername.removeValue(forKey: user.normalizedUsername)
        credentialsByID = credentialsByID.filter { $0.value.userID != id }
        sessions = sessions.filter { $0.value.userID != id }
        ceremonies = ceremonies.filter { $0.value.userID != id }
        audit.removeAll { $0.userID == id }
        return true
    }

    // MARK: Passkeys

    public func credential(id: CredentialID) async throws -> CredentialRecord? {
        credentialsByID[id]
    }

    public func credentials(userID: UserHandle) async throws -> [CredentialRecord] {
        credentialsByID.values
            .filter { $0.userID == userID }
            .sorted(by: Self.oldestFirst)
    }

    public func addCredential(_ credential: CredentialRecord) async throws {
        guard users[credential.userID] != nil else { throw StoreError.userNotFound }
        guard credentialsByID[credential.id] == nil else { throw StoreError.credentialExists }
        credentialsByID[credential.id] = credential
    }

    public func renameCredential(id: CredentialID, userID: UserHandle, name: String) async throws -> CredentialRecord? {
        guard var credential = credentialsByID[id], credential.userID == userID else { return nil }
        credential.name = name
        credentialsByID[id] = credential
        return credential
    }

    public func deleteCredential(id: CredentialID, userID: UserHandle) async throws -> DeleteCredentialResult {
        guard let credential = credentialsByID[id], credential.userID == userID else { return .notFound }
        guard credentialsByID.values.contains(where: { $0.userID == userID && $0.id != id }) else {
            return .lastCredential
        }
        credentialsByID.removeValue(forKey: id)
        return .deleted
    }

    public func recordSignIn(
        credentialID: CredentialID,
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord
    ) async throws -> CredentialRecord? {
        guard var credential = credentialsByID[credentialID], credential.userID == session.userID else { return nil }
        guard sessions[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        guard signCount > credential.signCount || (signCount == 0 && credential.signCount == 0) else {
            throw StoreError.signCountConflict
        }
        credential.signCount = signCount
        credential.backedUp = backedUp
        credential.lastUsedAt = at
        credentialsByID[credentialID] = credential
        sessions[session.tokenHash] = session
        return credential
    }

    // MARK: Ceremonies

    public func insertCeremony(_ ceremony: CeremonyRecord) async throws {
        guard ceremonies[ceremony.id] == nil else { throw StoreError.failure("the ceremony exists") }
        ceremonies[ceremony.id] = ceremony
    }

    public func consumeCeremony(id: String) async throws -> CeremonyRecord? {
        ceremonies.removeValue(forKey: id)
    }

    // MARK: Sessions

    public func insertSession(_ session: SessionRecord) async throws {
        guard users[session.userID] != nil else { throw StoreError.userNotFound }
        guard sessions[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        sessions[session.tokenHash] = session
    }

    public func session(tokenHash: [UInt8]) async throws -> SessionRecord? {
        sessions[tokenHash]
    }

    public func touchSession(tokenHash: [UInt8], at: Date) async throws {
        guard var session = sessions[tokenHash], session.lastSeenAt < at else { return }
        session.lastSeenAt = at
        sessions[tokenHash] = session
    }

    public func deleteSession(tokenHash: [UInt8]) async throws {
        sessions.removeValue(forKey: tokenHash)
    }

    @discardableResult
    public func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int {
        let ceremoniesBefore = ceremonies.count
        ceremonies = ceremonies.filter { !$0.value.isExpired(at: now) }
        let sessionsBefore = sessions.count
        sessions = sessions.filter { !$0.value.isExpired(at: now, idleTimeout: sessionIdleTimeout) }
        return ceremoniesBefore - ceremonies.count + sessionsBefore - sessions.count
    }

    // MARK: Audit

    public func appendAudit(_ event: AuditEvent) async throws {
        guard !audit.contains(where: { $0.id == event.id }) else { throw StoreError.failure("the audit event exists") }
        audit.append(event)
    }

    public func auditEvents(userID: UserHandle, limit: Int) async throws -> [AuditEvent] {
        Array(
            audit.filter { $0.userID == userID }
                .sorted(by: Self.newestFirst)
                .prefix(max(limit, 0))
        )
    }

    /// Newest first; the event ID (compared bytewise, as SQL compares blobs) breaks ties.
    private static func newestFirst(_ a: AuditEvent, _ b: AuditEvent) -> Bool {
        if a.at != b.at { return a.at > b.at }
        return b.id.bytes.lexicographicallyPrecedes(a.id.bytes)
    }

    /// Oldest first; the credential ID (compared bytewise, as SQL compares blobs) breaks ties.
    private static func oldestFirst(_ a: CredentialRecord, _ b: CredentialRecord) -> Bool {
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        return a.id.bytes.lexicographicallyPrecedes(b.id.bytes)
    }
}
