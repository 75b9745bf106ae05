import Foundation
import PasskeyStore
import SQLiteKit
import Testing
import WebAuthn

/// What only the SQL store has: configuration strings, migrations, several connections to one file.
@Suite("SQL store")
struct SQLPasskeyStoreTests {
    @Test("A bound value becomes the SQLite data SQLiteKit's encoder makes of it")
    func bindsAreConvertedAsTheEncoderConvertsThem() throws {
        struct Wrapped: Codable, Sendable { let name: String }
        let values: [any Encodable & Sendable] = [
            "", "ada@example.com", "héllo ✓", Data(), Data([0, 1, 0xFF]), Data(repeating: 7, count: 1312),
            Int64.min, Int64(0), Int64.max, -1, 0, 42, Int.max, true, false,
            // Not converted here: through the encoder as before.
            1.5, Int32(7), UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"), String?.none, String?.some("x"),
            Wrapped(name: "a"),
        ]
        for value in values {
            #expect(try SQLiteBinds.data(value) == SQLiteDataEncoder().encode(value), "\(value)")
        }
    }

    @Test("Opening a database file twice keeps its data and runs no migration again")
    func migrationsAreIdempotent() async throws {
        try await withTemporaryDatabaseFile { path in
            var created: (user: UserRecord, credential: CredentialRecord, session: SessionRecord)?
            try await withSQLStore(url: "sqlite:\(path)") { store in
                #expect(try await store.schemaVersion() == SQLPasskeyStore.newestSchemaVersion)
                #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the file is in WAL mode")
                created = try await signUp(store)
            }
            #expect(FileManager.default.fileExists(atPath: path))
            try await withSQLStore(url: "sqlite:\(path)") { store in
                #expect(try await store.schemaVersion() == SQLPasskeyStore.newestSchemaVersion)
                let user = try #require(created?.user)
                #expect(try await store.user(id: user.id) == user)
                #expect(try await store.credentials(userID: user.id) == [created?.credential].compactMap { $0 })
                await #expect(throws: StoreError.usernameTaken) { try await signUp(store) }
            }
        }
    }

    @Test("A database file keeps its savepoints' sub-journal in memory, and is in WAL mode with NORMAL sync")
    func fileSettings() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withSQLStore(url: "sqlite:\(path)") { store in
                _ = try await signUp(store)
                #expect(try await store.sqliteSetting("temp_store") == 2, "MEMORY")
                #expect(try await store.sqliteSetting("synchronous") == 1, "NORMAL")
                #expect(try await store.sqliteSetting("foreign_keys") == 1)
                #expect(try await store.sqliteSetting("temp_store; DROP TABLE users") == nil)
            }
        }
    }

    @Test("A new database file has pages of 2,048 bytes, and keeps them when opened again")
    func newFilesHaveSmallerPages() async throws {
        try await withTemporaryDatabaseFile { path in
            // The file header (https://sqlite.org/fileformat.html §1.3): bytes 16–17, big-endian.
            func pageSize() throws -> Int {
                let header = try #require(FileManager.default.contents(atPath: path))
                try #require(header.count >= 100)
                return Int(header[16]) << 8 | Int(header[17])
            }
            try await withSQLStore(url: "sqlite:\(path)") { store in _ = try await signUp(store) }
            #expect(try pageSize() == SQLPasskeyStore.sqlitePageSize)
            #expect(SQLPasskeyStore.sqlitePageSize == 2048)
            try await withSQLStore(url: "sqlite:\(path)") { store in _ = try await signUp(store, "grace@example.com") }
            #expect(try pageSize() == 2048)
        }
    }

    @Test("The WAL file grows past SQLite's default of 1,000 pages, and is checkpointed and reused before 4,000")
    func walIsCheckpointedEveryFourThousandPages() async throws {
        #expect(SQLPasskeyStore.walCheckpointPages == 4000)
        try await withTemporaryDatabaseFile { path in
            let page = SQLPasskeyStore.sqlitePageSize
            // A WAL file is 32 bytes of header and, per frame, 24 bytes of header and a page.
            func walPages() -> Int {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                return max(0, size - 32) / (24 + page)
            }
            try await withSQLStore(url: "sqlite:\(path)") { store in
                var written = 0
                while walPages() <= 1_200, written < 2_000 {
                    _ = try await signUp(store, "person-\(written)@example.com")
                    written += 1
                }
                #expect(walPages() > 1_200, "SQLite's default would have checkpointed at 1,000 pages")
                // Four times as many again writes far past 4,000 pages' worth of frames: the file
                // is reused from its start after each checkpoint instead of growing.
                for index in written..<(written * 5) { _ = try await signUp(store, "person-\(index)@example.com") }
                #expect(walPages() <= SQLPasskeyStore.walCheckpointPages + 100, "\(walPages()) pages")
            }
        }
    }

    @Test("Rate limits keep one text for every request on SQLite: its statement cache does not grow with them")
    func rateLimitStatementsKeepOneText() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withSQLStore(url: "sqlite:\(path)") { store in
                _ = try await store.acquireRateLimit(key: "warm", limit: 1, period: 60, now: t0)
                _ = try await store.acquireRateLimit(key: "warm", limit: 1, period: 60, now: t0)
                try await store.releaseRateLimit(key: "warm", limit: 1, period: 60, now: t0)
                let before = try await store.cachedStatementCount()
                #expect(before > 0)
                for request in 1...40 {
                    let now = t0.addingTimeInterval(Double(request) * 0.37)
                    let key = "client-\(request % 7)"
                    let limit = 2 + request % 3
                    let period = Double(30 + request)
                    _ = try await store.acquireRateLimit(key: key, limit: limit, period: period, now: now)
                    _ = try await store.acquireRateLimit(key: key, limit: limit, period: period, now: now)
                    _ = try await store.acquireRateLimit(key: key, limit: limit, period: period, now: now)
                    try await store.releaseRateLimit(key: key, limit: limit, period: period, now: now)
                }
                #expect(try await store.cachedStatementCount() == before)
            }
        }
    }

    @Test("A sign-in's statements are prepared once on SQLite: none is parsed again for new bound values")
    func signInStatementsAreNotPreparedAgain() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withSQLStore(url: "sqlite:\(path)") { store in
                var people: [(user: UserRecord, credential: CredentialRecord, session: SessionRecord)] = []
                for name in ["ada@example.com", "grace@example.com", "alan@example.com"] {
                    people.append(try await signUp(store, name))
                }
                // The migrations changed the schema, so their statements were prepared again: the
                // counts from here on must not move.
                let before = try await store.repreparedStatements()
                for round in 1...3 {
                    for (user, credential, session) in people {
                        let found = try #require(try await store.userWithCredentials(username: user.username))
                        #expect(found.credentials == [try #require(try await store.credential(id: credential.id))])
                        #expect(try await store.userWithCredentials(username: "nobody-\(round)@example.com") == nil)
                        let ceremony = makeCeremony()
                        try await store.insertCeremony(ceremony)
                        let taken = try await store.consumeCeremony(id: ceremony.id, readingCredential: credential.id)
                        #expect(taken.user == user)
                        #expect(try await store.signInRecords(credentialID: credential.id).user == user)
                        let now = t0.addingTimeInterval(minutes(Double(round)))
                        let next = makeSession(for: user, at: now)
                        let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
                        #expect(try await store.recordSignIn(
                            credentialID: credential.id, signCount: UInt32(round), backedUp: false, at: now, session: next,
                            audit: AuditEvent(userID: user.id, kind: .signIn, at: now), endingSession: session.tokenHash,
                            spending: mark))
                        #expect(try await store.credential(id: credential.id)?.signCount == UInt32(round))
                        #expect(try await store.session(tokenHash: next.tokenHash) == next)
                    }
                }
                #expect(try await store.repreparedStatements() == before)
            }
        }
    }

    @Test("Two stores opening one new file at once both migrate it")
    func concurrentOpens() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await withSQLStore(url: "sqlite:\(path)") { (store) async throws in
                            #expect(try await store.schemaVersion() == SQLPasskeyStore.newestSchemaVersion)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("A database string that is not sqlite:PATH, sqlite::memory: or a whole postgres:// URL is refused", arguments: [
        "postgres://localhost/passkeys", "postgres://user@localhost", "postgres://user@localhost/",
        "postgres://user@/passkeys", "postgres://user@localhost/passkeys?sslmode=prefer",
        "postgres://user@localhost/passkeys?sslmode=require&sslrootcert=/ca.pem",
        "postgres://user@localhost/passkeys?search_path=x", "postgres://user@localhost:0/passkeys",
        "mysql://user@localhost/passkeys", "sqlite:", "passkeys.sqlite", "",
    ])
    func invalidURL(_ url: String) async throws {
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: url)
            try await store.shutdown()
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("A file in a directory that does not exist cannot be opened, and says so")
    func missingDirectory() async throws {
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: "sqlite:/nonexistent-\(UUID().uuidString)/passkeys.sqlite")
            try await store.shutdown()
        }
        #expect(error?.code == .failure)
    }

    @Test("Two in-memory stores do not share data")
    func inMemoryStoresArePrivate() async throws {
        try await withSQLStore(url: "sqlite::memory:") { first in
            try await withSQLStore(url: "sqlite::memory:") { second in
                let (user, _, _) = try await signUp(first)
                #expect(try await second.user(id: user.id) == nil)
            }
        }
    }

    @Test("Times are kept to the microsecond")
    func microsecondTimes() async throws {
        try await withSQLStore(url: "sqlite::memory:") { store in
            let (user, credential, _) = try await signUp(store)
            let at = Date(timeIntervalSince1970: 1_800_000_000.123456)
            let session = makeSession(for: user, at: at)
            #expect(try await store.recordSignIn(credentialID: credential.id, signCount: 1, backedUp: false, at: at, session: session))
            let lastUsed = try #require(try await store.credential(id: credential.id)?.lastUsedAt)
            #expect(abs(lastUsed.timeIntervalSince(at)) < 0.000_001)
        }
    }

    @Test("An operation after shutdown fails as a store failure, and a second shutdown is harmless")
    func afterShutdown() async throws {
        let store = try await SQLPasskeyStore.open(url: "sqlite::memory:")
        try await store.shutdown()
        let error = await #expect(throws: StoreError.self) { try await store.user(id: .random()) }
        #expect(error?.code == .failure)
        try await store.shutdown()
    }

    // Two stores on one database stand for two server processes sharing it.

    @Test("Two stores on one database keep the last-passkey rule between them", arguments: Backend.shared)
    func twoStoresKeepTheLastPasskey(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            try await withStores(open) { first, second in
                for round in 0..<10 {
                    let (user, one, _) = try await signUp(first, "user\(round)@example.com")
                    let two = makeCredential(for: user, at: t0.addingTimeInterval(1))
                    try await first.addCredential(two)
                    async let a = first.deleteCredential(id: one.id, userID: user.id)
                    async let b = second.deleteCredential(id: two.id, userID: user.id)
                    let results = try await [a, b]
                    #expect(results.filter { $0 == .deleted }.count == 1)
                    #expect(results.filter { $0 == .lastCredential }.count == 1)
                    #expect(try await second.credentials(userID: user.id).count == 1)
                }
            }
        }
    }

    @Test("Two stores on one database hand a ceremony out once", arguments: Backend.shared)
    func twoStoresConsumeOnce(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            try await withStores(open) { first, second in
                for _ in 0..<10 {
                    let ceremony = makeCeremony()
                    try await first.insertCeremony(ceremony)
                    async let a = first.consumeCeremony(id: ceremony.id)
                    async let b = second.consumeCeremony(id: ceremony.id)
                    let taken = try await [a, b].compactMap { $0 }
                    #expect(taken == [ceremony])
                }
            }
        }
    }

    @Test("Stores opening one new database at once all migrate it, once", arguments: Backend.shared)
    func concurrentMigrations(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            // Every store that opened is shut down even when another failed (a pool released
            // unclosed stops the process).
            let opened = await withTaskGroup(of: Result<SQLPasskeyStore, any Error>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do { return .success(try await open()) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let stores = opened.compactMap { try? $0.get() }
            for case .failure(let error) in opened {
                Issue.record(error, "a store failed to open")
            }
            for store in stores {
                #expect(try await store.schemaVersion() == SQLPasskeyStore.newestSchemaVersion)
                #expect(try await store.appliedMigrations().count == SQLPasskeyStore.migrationCount)
                try await store.shutdown()
            }
        }
    }

    @Test("Opening a database that is already migrated applies nothing", arguments: Backend.shared)
    func reopeningAppliesNothing(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            let first = try await open()
            let applied = try await first.appliedMigrations()
            try await first.shutdown()
            let second = try await open()
            #expect(try await second.appliedMigrations() == applied)
            try await second.shutdown()
        }
    }
}

/// Opens two stores with `open` and closes both after `body`, also when it throws.
func withStores(
    _ open: @Sendable () async throws -> SQLPasskeyStore,
    _ body: (SQLPasskeyStore, SQLPasskeyStore) async throws -> Void
) async throws {
    let first = try await open()
    let second: SQLPasskeyStore
    do {
        second = try await open()
    } catch {
        try await first.shutdown()
        throw error
    }
    do {
        try await body(first, second)
    } catch {
        try await first.shutdown()
        try await second.shutdown()
        throw error
    }
    try await first.shutdown()
    try await second.shutdown()
}
