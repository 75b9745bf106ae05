import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The stores the contract suite runs on.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqliteInMemory
    case sqliteFile
    /// Several connections to one file, transactions through `withSession`: PostgreSQL's model.
    case sqlitePool
    /// PostgreSQL at `PASSKEYS_TEST_POSTGRES_URL`, a fresh schema per test.
    case postgres

    /// Every backend; PostgreSQL only when `PASSKEYS_TEST_POSTGRES_URL` names a server
    /// (`.ci/postgres.sh start` prints it; `.ci/test.sh` sets it).
    static var allCases: [Backend] {
        [.memory, .sqliteInMemory, .sqliteFile, .sqlitePool] + (postgresURL == nil ? [] : [.postgres])
    }

    /// The SQL backends that stand for server processes sharing one database.
    static var shared: [Backend] {
        [.sqliteFile] + (postgresURL == nil ? [] : [.postgres])
    }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["PASSKEYS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var testDescription: String {
        switch self {
        case .memory: "memory"
        case .sqliteInMemory: "SQLite in memory"
        case .sqliteFile: "SQLite file"
        case .sqlitePool: "SQLite file, pool of 3 connections"
        case .postgres: "PostgreSQL"
        }
    }
}

/// Runs `body` on a fresh store of `backend` and closes it afterwards, also when `body` throws.
func withStore(_ backend: Backend, _ body: (any PasskeyStore) async throws -> Void) async throws {
    switch backend {
    case .memory:
        try await body(MemoryPasskeyStore())
    case .sqliteInMemory:
        try await withSQLStore(url: "sqlite::memory:") { try await body($0) }
    case .sqliteFile:
        try await withTemporaryDatabaseFile { path in
            try await withSQLStore(url: "sqlite:\(path)") { try await body($0) }
        }
    case .sqlitePool:
        try await withTemporaryDatabaseFile { path in
            let store = try await SQLPasskeyStore.openPooledSQLite(path: path, connections: 3)
            do {
                try await body(store)
            } catch {
                try await store.shutdown()
                throw error
            }
            try await store.shutdown()
        }
    case .postgres:
        try await withPostgresSchema { open in
            let store = try await open()
            do {
                try await body(store)
            } catch {
                try await store.shutdown()
                throw error
            }
            try await store.shutdown()
        }
    }
}

/// Opens stores on one database: a file, or a fresh PostgreSQL schema; for tests where two
/// stores stand for two server processes.
func withSharedDatabase(_ backend: Backend, _ body: (@escaping @Sendable () async throws -> SQLPasskeyStore) async throws -> Void) async throws {
    switch backend {
    case .postgres:
        try await withPostgresSchema(body)
    default:
        try await withTemporaryDatabaseFile { path in
            try await body { try await SQLPasskeyStore.open(url: "sqlite:\(path)") }
        }
    }
}

/// A new schema on the test PostgreSQL server, dropped afterwards; `body` opens stores in it.
func withPostgresSchema(_ body: (@escaping @Sendable () async throws -> SQLPasskeyStore) async throws -> Void) async throws {
    let url = try #require(Backend.postgresURL)
    let schema = "test_" + hexString(randomBytes(8))
    do {
        try await body { try await SQLPasskeyStore.openPostgres(url: url, schema: schema) }
    } catch {
        try? await SQLPasskeyStore.dropPostgresSchema(url: url, schema: schema)
        throw error
    }
    try await SQLPasskeyStore.dropPostgresSchema(url: url, schema: schema)
}

/// A store opened on the PostgreSQL server at `url` in a new schema of its own; `body` gets the
/// store and the schema's name; the store is shut down and the schema dropped afterwards.
func withPostgresStore(url: String, _ body: (SQLPasskeyStore, String) async throws -> Void) async throws {
    let schema = "test_" + hexString(randomBytes(8))
    let store = try await SQLPasskeyStore.openPostgres(url: url, schema: schema)
    do {
        try await body(store, schema)
    } catch {
        try? await store.shutdown()
        try? await SQLPasskeyStore.dropPostgresSchema(url: url, schema: schema)
        throw error
    }
    try await store.shutdown()
    try await SQLPasskeyStore.dropPostgresSchema(url: url, schema: schema)
}

func withSQLStore(url: String, _ body: (SQLPasskeyStore) async throws -> Void) async throws {
    let store = try await SQLPasskeyStore.open(url: url)
    do {
        try await body(store)
    } catch {
        try await store.shutdown()
        throw error
    }
    try await store.shutdown()
}

/// A path for a database file in a new temporary directory, removed with its WAL files afterwards.
func withTemporaryDatabaseFile(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("passkey-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory.appendingPathComponent("passkeys.sqlite").path)
}

// MARK: Records

/// A fixed moment with whole seconds, so every backend stores it exactly.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func minutes(_ count: Double) -> TimeInterval { count * 60 }

func makeUser(_ username: String = "ada@example.com", displayName: String = "Ada", at: Date = t0) -> UserRecord {
    UserRecord(id: .random(), username: username, displayName: displayName, createdAt: at)
}

func makeCredential(
    for user: UserRecord,
    id: CredentialID = CredentialID(uncheckedBytes: randomBytes(16)),
    name: String = "Passkey",
    at: Date = t0
) -> CredentialRecord {
    CredentialRecord(
        id: id,
        userID: user.id,
        publicKey: randomBytes(77),
        algorithm: -7,
        signCount: 0,
        aaguid: AAGUID(uuidString: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd") ?? .zero,
        attestationFormat: "none",
        transports: ["internal", "hybrid"],
        backupEligible: true,
        backedUp: false,
        name: name,
        createdAt: at
    )
}

func makeSession(
    for user: UserRecord, at: Date = t0, lifetime: TimeInterval = minutes(60), method: SignInMethod = .passkey
) -> SessionRecord {
    SessionRecord(
        tokenHash: randomBytes(32),
        userID: user.id,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: at.addingTimeInterval(lifetime),
        method: method
    )
}

func makeCeremony(
    _ kind: CeremonyRecord.Kind = .authentication,
    userID: UserHandle? = nil,
    at: Date = t0,
    lifetime: TimeInterval = minutes(5)
) -> CeremonyRecord {
    CeremonyRecord(
        id: Base64URL.encode(randomBytes(32)),
        kind: kind,
        challenge: .random(),
        userID: userID,
        state: Array("{\"opaque\":true}".utf8),
        createdAt: at,
        expiresAt: at.addingTimeInterval(lifetime)
    )
}

/// A user signed up with one passkey and one session.
@discardableResult
func signUp(
    _ store: any PasskeyStore,
    _ username: String = "ada@example.com"
) async throws -> (user: UserRecord, credential: CredentialRecord, session: SessionRecord) {
    let user = makeUser(username)
    let credential = makeCredential(for: user)
    let session = makeSession(for: user)
    try await store.createUser(user, credential: credential, session: session)
    return (user, credential, session)
}
