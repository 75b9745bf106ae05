import Foundation
import PasskeyStore
import Synchronization
import Testing
import WebAuthn

/// The backends every server test runs on.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqliteMemory = "sqlite::memory:"
    case sqliteFile = "sqlite:FILE"
    /// A fresh schema on the server at `PASSKEYS_TEST_POSTGRES_URL` (`.ci/test.sh` starts one).
    case postgres = "postgres"

    /// Every backend; PostgreSQL only when `PASSKEYS_TEST_POSTGRES_URL` is set.
    static var allCases: [StoreKind] {
        [.sqliteMemory, .sqliteFile] + (postgresURL == nil ? [] : [.postgres])
    }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["PASSKEYS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var testDescription: String { rawValue }

    /// A fresh store of this kind; a file store lives in a new temporary folder.
    func open() async throws -> OpenedStore {
        switch self {
        case .sqliteMemory:
            return OpenedStore(store: try await SQLPasskeyStore.open(url: "sqlite::memory:"), folder: nil)
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("passkey-server-tests-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("passkeys.sqlite").path
            return OpenedStore(store: try await SQLPasskeyStore.open(url: "sqlite:\(path)"), folder: folder)
        case .postgres:
            let url = try #require(Self.postgresURL)
            let schema = "server_test_" + hexString(randomBytes(8))
            return OpenedStore(
                store: try await SQLPasskeyStore.openPostgres(url: url, schema: schema), folder: nil,
                postgresSchema: (url, schema))
        }
    }
}

/// A store opened for one test, and what to clean up after it.
struct OpenedStore: Sendable {
    let store: SQLPasskeyStore
    let folder: URL?
    var postgresSchema: (url: String, schema: String)?

    func close() async {
        try? await store.shutdown()
        if let folder { try? FileManager.default.removeItem(at: folder) }
        if let (url, schema) = postgresSchema { try? await SQLPasskeyStore.dropPostgresSchema(url: url, schema: schema) }
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A store that passes every call through and remembers each change it made, so a test can
/// assert that an attack changed nothing: no account, passkey or session was written. It also
/// keeps the name of every call, so a test can compare the work two requests made.
final class RecordingStore: PasskeyStore {
    let base: any PasskeyStore
    private let log = Mutex<[String]>([])
    private let callLog = Mutex<[String]>([])

    init(_ base: any PasskeyStore) {
        self.base = base
    }

    /// The changes made so far. Ceremonies are left out (starting and consuming them is expected),
    /// and so are audit events (an attack is meant to leave its trace in the activity log).
    var changes: [String] { log.withLock { $0 } }

    func clearChanges() { log.withLock { $0.removeAll() } }

    /// Every operation called since the last ``clearCalls()``, in order.
    var calls: [String] { callLog.withLock { $0 } }

    func clearCalls() { callLog.withLock { $0.removeAll() } }

    func record(_ change: String) { log.withLock { $0.append(change) } }

    private let readHook = Mutex<(@Sendable () async throws -> Void)?>(nil)

    /// Runs `hook` once, right after the next read of a sign-in answer's passkey and account (or
    /// of an account's password) returns: what another request could change between that read
    /// and the sign-in's write.
    func afterNextSignInRead(_ hook: @escaping @Sendable () async throws -> Void) {
        readHook.withLock { $0 = hook }
    }

    func runReadHook() async throws {
        let hook = readHook.withLock { hook in
            defer { hook = nil }
            return hook
        }
        try await hook?()
    }

    private func called(_ operation: String = #function) {
        callLog.withLock { $0.append(String(operation.prefix { $0 != "(" })) }
    }

    func createUser(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit: AuditEvent?,
        endingSession: [UInt8]?, spending mark: CeremonyMark?
    ) async throws {
        called()
        try await base.createUser(
            user, credential: credential, session: session, audit: audit, endingSession: endingSession, spending: mark)
        record("createUser")
    }

    func user(id: UserHandle) async throws -> UserRecord? {
        called()
        return try await base.user(id: id)
    }

    func user(username: String) async throws -> UserRecord? {
        called()
        return try await base.user(username: username)
    }

    func updateDisplayName(userID: UserHandle, displayName: String, audit event: AuditEvent?) async throws -> UserRecord? {
        called()
        let user = try await base.updateDisplayName(userID: userID, displayName: displayName, audit: event)
        if user != nil { record("updateDisplayName") }
        return user
    }

    func deleteUser(id: UserHandle, audit event: AuditEvent?) async throws -> Bool {
        called()
        let deleted = try await base.deleteUser(id: id, audit: event)
        if deleted { record("deleteUser") }
        return deleted
    }

    func credential(id: CredentialID) async throws -> CredentialRecord? {
        called()
        return try await base.credential(id: id)
    }

    func credentials(userID: UserHandle) async throws -> [CredentialRecord] {
        called()
        return try await base.credentials(userID: userID)
    }

    func addCredential(
        _ credential: CredentialRecord, audit events: [AuditEvent], endingRecoveryOf recovery: RecoveryCompletion?, limit: Int?
    ) async throws {
        called()
        try await base.addCredential(credential, audit: events, endingRecoveryOf: recovery, limit: limit)
        record("addCredential")
    }

    func renameCredential(id: CredentialID, userID: UserHandle, name: String, audit event: AuditEvent?) async throws -> CredentialRecord? {
        called()
        let renamed = try await base.renameCredential(id: id, userID: userID, name: name, audit: event)
        if renamed != nil { record("renameCredential") }
        return renamed
    }

    func deleteCredential(id: CredentialID, userID: UserHandle, audit event: AuditEvent?) async throws -> DeleteCredentialResult {
        called()
        let result = try await base.deleteCredential(id: id, userID: userID, audit: event)
        if result == .deleted { record("deleteCredential") }
        return result
    }

    func recordSignIn(
        credentialID: CredentialID, signCount: UInt32, backedUp: Bool, at: Date, session: SessionRecord,
        audit: AuditEvent?, endingSession: [UInt8]?, spending mark: CeremonyMark?
    ) async throws -> Bool {
        called()
        let recorded = try await base.recordSignIn(
            credentialID: credentialID, signCount: signCount, backedUp: backedUp, at: at, session: session,
            audit: audit, endingSession: endingSession, spending: mark)
        if recorded { record("recordSignIn") }
        return recorded
    }

    func recordSignIn(
        credentialID: CredentialID, publicKey: [UInt8], signCount: UInt32, backedUp: Bool, at: Date,
        session: SessionRecord, audit: AuditEvent?, endingSession: [UInt8]?, spending mark: CeremonyMark?
    ) async throws -> UserRecord? {
        called()
        let user = try await base.recordSignIn(
            credentialID: credentialID, publicKey: publicKey, signCount: signCount, backedUp: backedUp, at: at,
            session: session, audit: audit, endingSession: endingSession, spending: mark)
        if user != nil { record("recordSignIn") }
        return user
    }

    func userWithCredentials(username: String) async throws -> (user: UserRecord, credentials: [CredentialRecord])? {
        called()
        return try await base.userWithCredentials(username: username)
    }

    func consumeCeremony(id: String, readingCredential credentialID: CredentialID) async throws -> SignInAnswerRecords {
        called()
        let records = try await base.consumeCeremony(id: id, readingCredential: credentialID)
        try await runReadHook()
        return records
    }

    func insertCeremony(_ ceremony: CeremonyRecord) async throws {
        called()
        try await base.insertCeremony(ceremony)
    }

    func consumeCeremony(id: String) async throws -> CeremonyRecord? {
        called()
        return try await base.consumeCeremony(id: id)
    }

    func spendCeremony(id: String, keepUntil: Date) async throws -> Bool {
        called()
        return try await base.spendCeremony(id: id, keepUntil: keepUntil)
    }

    func signInRecords(credentialID: CredentialID) async throws -> SignInAnswerRecords {
        called()
        let records = try await base.signInRecords(credentialID: credentialID)
        try await runReadHook()
        return records
    }

    func insertPasswordSession(
        _ session: SessionRecord, passwordHash: String, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> Bool {
        called()
        let inserted = try await base.insertPasswordSession(session, passwordHash: passwordHash, audit: event, endingSession: previous)
        if inserted { record("insertSession") }
        return inserted
    }

    func insertSession(_ session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?) async throws {
        called()
        try await base.insertSession(session, audit: event, endingSession: previous)
        record("insertSession")
    }

    func session(tokenHash: [UInt8]) async throws -> SessionRecord? {
        called()
        return try await base.session(tokenHash: tokenHash)
    }

    func touchSession(tokenHash: [UInt8], at: Date) async throws {
        called()
        try await base.touchSession(tokenHash: tokenHash, at: at)
    }

    func deleteSession(tokenHash: [UInt8], audit event: AuditEvent?) async throws -> Bool {
        called()
        let deleted = try await base.deleteSession(tokenHash: tokenHash, audit: event)
        record("deleteSession")
        return deleted
    }

    func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int {
        called()
        return try await base.purgeExpired(now: now, sessionIdleTimeout: sessionIdleTimeout)
    }

    func appendAudit(_ event: AuditEvent) async throws {
        called()
        try await base.appendAudit(event)
    }

    func auditEvents(userID: UserHandle, limit: Int, before: AuditEvent.Cursor?) async throws -> [AuditEvent] {
        called()
        return try await base.auditEvents(userID: userID, limit: limit, before: before)
    }

    func purgeAuditEvents(before cutoff: Date) async throws -> Int {
        called()
        return try await base.purgeAuditEvents(before: cutoff)
    }

    func sessions(userID: UserHandle) async throws -> [SessionRecord] {
        called()
        return try await base.sessions(userID: userID)
    }

    func deleteSessions(
        userID: UserHandle, keeping: [UInt8]?, audit events: @escaping @Sendable ([SessionRecord]) -> [AuditEvent]
    ) async throws -> [SessionRecord] {
        called()
        let ended = try await base.deleteSessions(userID: userID, keeping: keeping, audit: events)
        if !ended.isEmpty { record("deleteSessions") }
        return ended
    }

    func users() async throws -> [UserRecord] {
        called()
        return try await base.users()
    }

    func setDisabled(userID: UserHandle, _ disabled: Bool, audit event: AuditEvent?) async throws -> UserRecord? {
        called()
        let user = try await base.setDisabled(userID: userID, disabled, audit: event)
        if user != nil { record("setDisabled") }
        return user
    }
}
