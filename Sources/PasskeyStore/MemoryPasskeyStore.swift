import Foundation
import WebAuthn

/// A ``PasskeyStore`` in memory, for tests and throwaway servers.
///
/// An actor whose methods never suspend, so each method runs whole before the next begins: every
/// method is atomic, which is the same contract the SQL store keeps with transactions.
public actor MemoryPasskeyStore: PasskeyStore {
    var usersByID: [UserHandle: UserRecord] = [:]
    var userIDsByUsername: [String: UserHandle] = [:]
    var credentialsByID: [CredentialID: CredentialRecord] = [:]
    private var ceremonies: [String: CeremonyRecord] = [:]
    /// Spent ceremonies the browser held, and until when each mark is kept.
    private var spentCeremonies: [String: Date] = [:]
    var sessionsByHash: [[UInt8]: SessionRecord] = [:]
    private var audit: [AuditEvent] = []
    /// The OpenID Provider's tables (`MemoryPasskeyStore+OpenID.swift`).
    var openID = MemoryOpenIDTables()
    /// Imported password hashes by account (MemoryPasskeyStore+Recovery).
    var passwordHashes: [UserHandle: String] = [:]
    /// Email codes by ID (MemoryPasskeyStore+Recovery).
    var emailCodes: [UUID: EmailCodeRecord] = [:]
    /// Rate limits, settings and leases (``SharedStateStore``).
    var sharedState = MemorySharedState()

    public init() {}

    // MARK: Accounts

    public func createUser(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit event: AuditEvent?,
        endingSession previous: [UInt8]?, spending mark: CeremonyMark?
    ) async throws {
        guard credential.userID == user.id, session.userID == user.id else {
            throw StoreError.failure("the first credential and session must belong to the new user")
        }
        if let mark, spentCeremonies[mark.id] != nil { throw StoreError.ceremonySpent }
        let username = user.normalizedUsername
        guard userIDsByUsername[username] == nil else { throw StoreError.usernameTaken }
        guard usersByID[user.id] == nil else { throw StoreError.failure("a user with this handle exists") }
        guard credentialsByID[credential.id] == nil else { throw StoreError.credentialExists }
        guard sessionsByHash[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        if let event, audit.contains(where: { $0.id == event.id }) { throw StoreError.failure("the audit event exists") }
        usersByID[user.id] = user
        userIDsByUsername[username] = user.id
        credentialsByID[credential.id] = credential
        if let previous { sessionsByHash.removeValue(forKey: previous) }
        sessionsByHash[session.tokenHash] = session
        if let event { audit.append(event) }
        if let mark { spentCeremonies[mark.id] = mark.keepUntil }
    }

    public func user(id: UserHandle) async throws -> UserRecord? {
        usersByID[id]
    }

    public func user(username: String) async throws -> UserRecord? {
        userIDsByUsername[UserRecord.normalize(username)].flatMap { usersByID[$0] }
    }

    public func updateDisplayName(userID: UserHandle, displayName: String, audit event: AuditEvent?) async throws -> UserRecord? {
        guard var user = usersByID[userID] else { return nil }
        let changed = user.displayName != displayName
        if changed { try checkNew(event) }
        user.displayName = displayName
        usersByID[userID] = user
        if changed { append(event) }
        return user
    }

    @discardableResult
    public func deleteUser(id: UserHandle, audit event: AuditEvent?) async throws -> Bool {
        guard let user = usersByID[id] else { return false }
        // The account's own events go; an event with the ID of one of them may take its place.
        if let event, audit.contains(where: { $0.id == event.id && $0.userID != id }) {
            throw StoreError.failure("the audit event exists")
        }
        usersByID.removeValue(forKey: id)
        userIDsByUsername.removeValue(forKey: user.normalizedUsername)
        credentialsByID = credentialsByID.filter { $0.value.userID != id }
        sessionsByHash = sessionsByHash.filter { $0.value.userID != id }
        ceremonies = ceremonies.filter { $0.value.userID != id }
        audit.removeAll { $0.userID == id }
        openID.removeUser(id)
        passwordHashes.removeValue(forKey: id)
        emailCodes = emailCodes.filter { $0.value.userID != id }
        append(event)
        return true
    }

    /// Whether the account exists.
    func hasUser(_ id: UserHandle) -> Bool { usersByID[id] != nil }

    // MARK: Passkeys

    public func credential(id: CredentialID) async throws -> CredentialRecord? {
        credentialsByID[id]
    }

    public func credentials(userID: UserHandle) async throws -> [CredentialRecord] {
        credentialsByID.values
            .filter { $0.userID == userID }
            .sorted(by: Self.oldestFirst)
    }

    public func addCredential(
        _ credential: CredentialRecord, audit events: [AuditEvent], endingRecoveryOf recovery: RecoveryCompletion?, limit: Int?
    ) async throws {
        guard usersByID[credential.userID] != nil else { throw StoreError.userNotFound }
        guard credentialsByID[credential.id] == nil else { throw StoreError.credentialExists }
        if let limit, credentialsByID.values.count(where: { $0.userID == credential.userID }) >= limit {
            throw StoreError.credentialLimit
        }
        // Every check before the first change: all of it is stored or none of it.
        try checkNew(events)
        credentialsByID[credential.id] = credential
        if let recovery, var session = sessionsByHash[recovery.tokenHash], session.userID == credential.userID {
            session.recovery = false
            session.expiresAt = recovery.expiresAt
            sessionsByHash[recovery.tokenHash] = session
        }
        audit.append(contentsOf: events)
    }

    public func renameCredential(
        id: CredentialID, userID: UserHandle, name: String, audit event: AuditEvent?
    ) async throws -> CredentialRecord? {
        guard var credential = credentialsByID[id], credential.userID == userID else { return nil }
        try checkNew(event)
        credential.name = name
        credentialsByID[id] = credential
        append(event)
        return credential
    }

    public func deleteCredential(
        id: CredentialID, userID: UserHandle, audit event: AuditEvent?
    ) async throws -> DeleteCredentialResult {
        guard let credential = credentialsByID[id], credential.userID == userID else { return .notFound }
        guard credentialsByID.values.contains(where: { $0.userID == userID && $0.id != id }) else {
            return .lastCredential
        }
        try checkNew(event)
        credentialsByID.removeValue(forKey: id)
        sessionsByHash = sessionsByHash.filter { $0.value.credentialID != id }
        append(event)
        return .deleted
    }

    /// Throws when `event`'s ID is stored already, before an operation changes anything.
    func checkNew(_ event: AuditEvent?) throws {
        try checkNew(event.map { [$0] } ?? [])
    }

    /// Throws when two of `events` share an ID or one's ID is stored already, before an operation
    /// changes anything.
    func checkNew(_ events: [AuditEvent]) throws {
        let ids = events.map(\.id)
        guard Set(ids).count == ids.count, !audit.contains(where: { ids.contains($0.id) }) else {
            throw StoreError.failure("the audit event exists")
        }
    }

    /// Stores an event ``checkNew(_:)`` let through.
    func append(_ event: AuditEvent?) {
        if let event { audit.append(event) }
    }

    public func recordSignIn(
        credentialID: CredentialID,
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord,
        audit event: AuditEvent?,
        endingSession previous: [UInt8]?,
        spending mark: CeremonyMark?
    ) async throws -> Bool {
        if let mark, spentCeremonies[mark.id] != nil { throw StoreError.ceremonySpent }
        guard var credential = credentialsByID[credentialID], credential.userID == session.userID else { return false }
        guard sessionsByHash[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        if let event, audit.contains(where: { $0.id == event.id }) { throw StoreError.failure("the audit event exists") }
        guard signCount > credential.signCount || (signCount == 0 && credential.signCount == 0) else {
            throw StoreError.signCountConflict
        }
        // Disabled since the caller read the account: no session.
        guard usersByID[session.userID]?.disabled == false else { throw StoreError.accountDisabled }
        credential.signCount = signCount
        credential.backedUp = backedUp
        credential.lastUsedAt = at
        credentialsByID[credentialID] = credential
        if let previous { sessionsByHash.removeValue(forKey: previous) }
        sessionsByHash[session.tokenHash] = session
        if let event { audit.append(event) }
        if let mark { spentCeremonies[mark.id] = mark.keepUntil }
        return true
    }

    public func recordSignIn(
        credentialID: CredentialID,
        publicKey: [UInt8],
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord,
        audit event: AuditEvent?,
        endingSession previous: [UInt8]?,
        spending mark: CeremonyMark?
    ) async throws -> UserRecord? {
        if let mark, spentCeremonies[mark.id] != nil { throw StoreError.ceremonySpent }
        guard let credential = credentialsByID[credentialID], credential.userID == session.userID,
            credential.publicKey == publicKey, let user = usersByID[session.userID], !user.disabled,
            signCount > credential.signCount || (signCount == 0 && credential.signCount == 0)
        else { return nil }
        guard try await recordSignIn(
            credentialID: credentialID, signCount: signCount, backedUp: backedUp, at: at, session: session,
            audit: event, endingSession: previous, spending: mark)
        else { return nil }
        return user
    }

    // MARK: Sign-in, one store operation per request

    public func userWithCredentials(username: String) async throws -> (user: UserRecord, credentials: [CredentialRecord])? {
        guard let user = try await user(username: username) else { return nil }
        return (user, try await credentials(userID: user.id))
    }

    public func consumeCeremony(id: String, readingCredential credentialID: CredentialID) async throws -> SignInAnswerRecords {
        guard let ceremony = ceremonies.removeValue(forKey: id) else { return SignInAnswerRecords() }
        let credential = credentialsByID[credentialID]
        return SignInAnswerRecords(ceremony: ceremony, credential: credential, user: credential.flatMap { usersByID[$0.userID] })
    }

    // MARK: Ceremonies

    public func insertCeremony(_ ceremony: CeremonyRecord) async throws {
        guard ceremonies[ceremony.id] == nil else { throw StoreError.failure("the ceremony exists") }
        ceremonies[ceremony.id] = ceremony
    }

    public func consumeCeremony(id: String) async throws -> CeremonyRecord? {
        ceremonies.removeValue(forKey: id)
    }

    // MARK: Ceremonies the browser holds

    public func spendCeremony(id: String, keepUntil: Date) async throws -> Bool {
        spend(id, keepUntil)
    }

    public func signInRecords(credentialID: CredentialID) async throws -> SignInAnswerRecords {
        let credential = credentialsByID[credentialID]
        return SignInAnswerRecords(credential: credential, user: credential.flatMap { usersByID[$0.userID] })
    }

    private func spend(_ id: String, _ keepUntil: Date) -> Bool {
        guard spentCeremonies[id] == nil else { return false }
        spentCeremonies[id] = keepUntil
        return true
    }

    // MARK: Sessions

    public func insertSession(_ session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?) async throws {
        guard usersByID[session.userID] != nil else { throw StoreError.userNotFound }
        guard sessionsByHash[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        try checkNew(event)
        if let previous { sessionsByHash.removeValue(forKey: previous) }
        sessionsByHash[session.tokenHash] = session
        append(event)
    }

    public func insertPasswordSession(
        _ session: SessionRecord, passwordHash: String, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> Bool {
        guard let user = usersByID[session.userID], !user.disabled, passwordHashes[user.id] == passwordHash else { return false }
        try await insertSession(session, audit: event, endingSession: previous)
        return true
    }

    public func session(tokenHash: [UInt8]) async throws -> SessionRecord? {
        sessionsByHash[tokenHash]
    }

    public func touchSession(tokenHash: [UInt8], at: Date) async throws {
        guard var session = sessionsByHash[tokenHash], session.lastSeenAt < at else { return }
        session.lastSeenAt = at
        sessionsByHash[tokenHash] = session
    }

    @discardableResult
    public func deleteSession(tokenHash: [UInt8], audit event: AuditEvent?) async throws -> Bool {
        guard sessionsByHash[tokenHash] != nil else { return false }
        try checkNew(event)
        sessionsByHash.removeValue(forKey: tokenHash)
        append(event)
        return true
    }

    @discardableResult
    public func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int {
        let ceremoniesBefore = ceremonies.count
        ceremonies = ceremonies.filter { !$0.value.isExpired(at: now) }
        let sessionsBefore = sessionsByHash.count
        sessionsByHash = sessionsByHash.filter { !$0.value.isExpired(at: now, idleTimeout: sessionIdleTimeout) }
        let spentBefore = spentCeremonies.count
        spentCeremonies = spentCeremonies.filter { $0.value > now }
        return ceremoniesBefore - ceremonies.count + sessionsBefore - sessionsByHash.count + spentBefore - spentCeremonies.count
    }

    // MARK: Audit

    public func appendAudit(_ event: AuditEvent) async throws {
        try checkNew(event)
        if let userID = event.userID, usersByID[userID] == nil { return }
        append(event)
    }

    public func auditEvents(userID: UserHandle, limit: Int, before: AuditEvent.Cursor?) async throws -> [AuditEvent] {
        Array(
            audit.filter { event in
                guard event.userID == userID else { return false }
                guard let before else { return true }
                return event.at < before.at
                    || (event.at == before.at && event.id.bytes.lexicographicallyPrecedes(before.id.bytes))
            }
            .sorted(by: Self.newestFirst)
            .prefix(max(limit, 0))
        )
    }

    @discardableResult
    public func purgeAuditEvents(before cutoff: Date) async throws -> Int {
        let before = audit.count
        audit.removeAll { $0.at < cutoff }
        return before - audit.count
    }

    // MARK: Sessions and accounts, for the person and for operators

    public func sessions(userID: UserHandle) async throws -> [SessionRecord] {
        sessionsByHash.values
            .filter { $0.userID == userID }
            .sorted { a, b in
                if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
                return a.tokenHash.lexicographicallyPrecedes(b.tokenHash)
            }
    }

    @discardableResult
    public func deleteSessions(
        userID: UserHandle, keeping: [UInt8]?, audit events: @escaping @Sendable ([SessionRecord]) -> [AuditEvent]
    ) async throws -> [SessionRecord] {
        let ended = try await sessions(userID: userID).filter { $0.tokenHash != keeping }
        let made = events(ended)
        try checkNew(made)
        for session in ended { sessionsByHash.removeValue(forKey: session.tokenHash) }
        audit.append(contentsOf: made)
        return ended
    }

    public func users() async throws -> [UserRecord] {
        usersByID.values.sorted { $0.normalizedUsername.utf8.lexicographicallyPrecedes($1.normalizedUsername.utf8) }
    }

    public func setDisabled(userID: UserHandle, _ disabled: Bool, audit event: AuditEvent?) async throws -> UserRecord? {
        guard var user = usersByID[userID] else { return nil }
        try checkNew(event)
        user.disabled = disabled
        usersByID[userID] = user
        if disabled {
            sessionsByHash = sessionsByHash.filter { $0.value.userID != userID }
            openID.tokens = openID.tokens.filter { $0.value.userID != userID }
            openID.codes = openID.codes.filter { $0.value.userID != userID }
            for (id, var code) in emailCodes where code.userID == userID {
                code.used = true
                emailCodes[id] = code
            }
        }
        append(event)
        return user
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
