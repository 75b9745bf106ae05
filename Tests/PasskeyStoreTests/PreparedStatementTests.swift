import Foundation
import NIOCore
import PostgresNIO
import SQLKit
import Testing
import WebAuthn
@testable import PasskeyStore

/// The store's hot statements as PostgreSQL prepared statements (``BoundStatement/prepared()``).
@Suite("PostgreSQL prepared statements")
struct PreparedStatementTests {
    @Test("prepared_statements=on|off in the URL; on when left out; anything else refused")
    func urlParameter() throws {
        #expect(try PostgresDatabaseURL("postgres://u@h/db").preparesStatements)
        #expect(try PostgresDatabaseURL("postgres://u@h/db?prepared_statements=on").preparesStatements)
        #expect(try !PostgresDatabaseURL("postgres://u@h/db?sslmode=require&prepared_statements=off").preparesStatements)
        #expect(try !PostgresDatabaseURL("postgres://u@/db?host=/run/postgresql&prepared_statements=off").preparesStatements)
        for bad in ["postgres://u@h/db?prepared_statements=", "postgres://u@h/db?prepared_statements",
                    "postgres://u@h/db?prepared_statements=false", "postgres://u@h/db?prepared_statements=ON"] {
            let error = #expect(throws: StoreError.self) { try PostgresDatabaseURL(bad) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.reason.contains("prepared_statements must be on or off") == true)
        }
    }

    @Test("A marked statement is its own form: one name for each text and parameter types")
    func names() {
        let names = PreparedPostgresStatement.Names()
        let first = names.name(sql: "SELECT $1", types: [.text])
        #expect(names.name(sql: "SELECT $1", types: [.text]) == first)
        #expect(names.name(sql: "SELECT $1", types: [.int8]) != first)
        #expect(names.name(sql: "SELECT $1 ", types: [.text]) != first)
        #expect(names.count == 3)
        let statement: BoundStatement = "SELECT \(bind: "a"), \(bytes: [1]), \(bind: Int64(1)), \(bind: true)"
        #expect(!statement.isPrepared)
        #expect(statement.prepared().isPrepared)
        #expect(statement.values.compactMap(\.postgresType) == [.text, .bytea, .int8, .bool])
        // Marked or not, the text and the binds are the same.
        #expect(statement.prepared().postgresText == statement.postgresText)
        // An optional integer is an integer or NULL, so the statement runs through PostgresNIO.
        let lastUsed: Int64? = 5
        let optionals: BoundStatement = "SELECT \(optional: lastUsed), \(optional: Int64?.none)"
        #expect(optionals.values.compactMap(\.postgresType) == [.int8])
        #expect(optionals.postgresText == "SELECT $1, NULL")
        #expect(optionals.postgresQuery != nil)
    }

    /// The names of the prepared statements of the connection `db` runs on, and their texts.
    private static func preparedOnConnection(_ db: any SQLDatabase) async throws -> [(name: String, text: String)] {
        try await db.all("SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time").map {
            let reader = RowReader(row: $0)
            return (try reader.string("name"), try reader.string("statement"))
        }
    }

    @Test(
        "On PostgreSQL a marked statement is prepared once per connection and reads back as unprepared; an unmarked one is not prepared",
        .enabled(if: Backend.postgresURL != nil))
    func preparedOncePerConnection() async throws {
        try await withPostgresSchema { open in
            let store = try await open()
            defer { Task { try? await store.shutdown() } }
            try await store.model.withDatabase { db in
                let direct = try #require(db as? DirectPostgresDatabase)
                #expect(direct.preparesStatements)
                // More runs than PostgreSQL's five custom plans, with other values each time.
                for run in 0..<8 {
                    let statement: BoundStatement = """
                        SELECT \(bind: "run \(run)") AS label, \(bind: Int64(run)) AS number, \(bytes: [UInt8(run)]) AS bytes, \
                        \(bind: run.isMultiple(of: 2)) AS even
                        """
                    let rows = try await db.all(statement.prepared())
                    #expect(rows.count == 1)
                    let row = try #require(rows.first)
                    #expect(row is DirectPostgresRow)
                    let reader = RowReader(row: row)
                    #expect(try reader.string("label") == "run \(run)")
                    #expect(try reader.int64("number") == Int64(run))
                    #expect(try reader.bytes("bytes") == [UInt8(run)])
                    #expect(try reader.bool("even") == run.isMultiple(of: 2))
                }
                let marked: BoundStatement = "SELECT \(bind: "a") AS label, \(bind: Int64(0)) AS number, \(bytes: [0]) AS bytes, \(bind: true) AS even"
                let unmarked: BoundStatement = "SELECT \(bind: "b") AS other"
                _ = try await db.all(unmarked)
                // The same text with other types is another statement.
                let sameTextOtherTypes: BoundStatement = "SELECT \(bind: true) AS label, \(bind: Int64(0)) AS number, \(bytes: [0]) AS bytes, \(bind: true) AS even"
                let other = try #require(try await db.first(sameTextOtherTypes.prepared()))
                #expect(try RowReader(row: other).bool("label"))

                // Eight runs, one statement; the same text with other types, a second one.
                let prepared = try await Self.preparedOnConnection(db)
                #expect(prepared.map(\.text) == [marked.postgresText, marked.postgresText])
                #expect(Set(prepared.map(\.name)).count == 2)
                #expect(prepared.allSatisfy { $0.name.hasPrefix("passkeys_") })
                #expect(!prepared.contains { $0.text == unmarked.postgresText })
                // No rows: a statement whose result is empty reads as such.
                let none: BoundStatement = "SELECT 1 AS one WHERE \(bind: false)"
                #expect(try await db.all(none.prepared()).isEmpty)
            }
        }
    }

    @Test(
        "On PostgreSQL a sign-up is one prepared statement: all of it, nothing for a spent mark, nothing at all for a taken username or credential",
        .enabled(if: Backend.postgresURL != nil))
    func signUpInOneStatement() async throws {
        try await withPostgresSchema { open in
            let store = try await open()
            defer { Task { try? await store.shutdown() } }
            let (ada, adaCredential, adaSession) = try await signUp(store, "ada@example.com")
            let mark = SQLPasskeyStore.SpentMark(id: Base64URL.encode(randomBytes(16)), keepUntil: 1_000_000)
            let grace = makeUser("grace@example.com")
            let credential = makeCredential(for: grace)
            let session = makeSession(for: grace)
            let event = AuditEvent(userID: grace.id, kind: .signUp, at: t0, credentialID: credential.id)
            try await store.model.withDatabase { db in
                #expect(try await SQLPasskeyStore.createUserInOneStatement(
                    grace, credential: credential, session: session, audit: event, endingSession: adaSession.tokenHash,
                    spending: mark, on: db) == .created)
                let prepared = try await Self.preparedOnConnection(db)
                #expect(prepared.contains { $0.text.hasPrefix("WITH spent AS (INSERT INTO spent_ceremonies") })

                // The same ceremony again, another account: the mark is in, nothing else is written.
                let other = makeUser("other@example.com")
                let otherCredential = makeCredential(for: other)
                let otherSession = makeSession(for: other)
                #expect(try await SQLPasskeyStore.createUserInOneStatement(
                    other, credential: otherCredential, session: otherSession,
                    audit: AuditEvent(userID: other.id, kind: .signUp, at: t0), endingSession: nil, spending: mark, on: db) == .spent)
                #expect(try await SQLPasskeyStore.createUserInOneStatement(
                    other, credential: otherCredential, session: otherSession, audit: nil, endingSession: nil,
                    spending: SQLPasskeyStore.SpentMark(id: Base64URL.encode(randomBytes(16)), keepUntil: 1_000_000), on: db) == .created,
                    "the refused attempt left nothing in the way")

                // A taken username, then a registered credential ID: the statement fails as a whole.
                for (name, credentialID) in [("ada@example.com", nil), ("hopper@example.com", adaCredential.id)] as [(String, CredentialID?)] {
                    let user = makeUser(name)
                    let refusedCredential = credentialID.map { makeCredential(for: user, id: $0) } ?? makeCredential(for: user)
                    let refusedSession = makeSession(for: user)
                    let refusedMark = SQLPasskeyStore.SpentMark(id: Base64URL.encode(randomBytes(16)), keepUntil: 1_000_000)
                    #expect(try await SQLPasskeyStore.createUserInOneStatement(
                        user, credential: refusedCredential, session: refusedSession,
                        audit: AuditEvent(userID: user.id, kind: .signUp, at: t0), endingSession: session.tokenHash,
                        spending: refusedMark, on: db) == .conflict)
                    let left = try #require(try await db.first("""
                        SELECT (SELECT count(*) FROM spent_ceremonies WHERE id = \(bind: refusedMark.id)) AS marks, \
                        (SELECT count(*) FROM users WHERE id = \(bytes: user.id.bytes)) AS users, \
                        (SELECT count(*) FROM sessions WHERE token_hash = \(bytes: refusedSession.tokenHash)) AS sessions, \
                        (SELECT count(*) FROM sessions WHERE token_hash = \(bytes: session.tokenHash)) AS kept, \
                        (SELECT count(*) FROM audit_events WHERE user_id = \(bytes: user.id.bytes)) AS events
                        """))
                    let reader = RowReader(row: left)
                    #expect(try reader.int64("marks") == 0)
                    #expect(try reader.int64("users") == 0)
                    #expect(try reader.int64("sessions") == 0)
                    #expect(try reader.int64("kept") == 1, "the previous session is not ended")
                    #expect(try reader.int64("events") == 0)
                }
                // The connection is usable after the refused statements.
                #expect(try await db.first("SELECT 1 AS one") != nil)
            }
            #expect(try await store.user(id: grace.id) == grace)
            #expect(try await store.credentials(userID: grace.id) == [credential])
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.session(tokenHash: adaSession.tokenHash) == nil, "the browser's previous session is over")
            #expect(try await store.auditEvents(userID: grace.id, limit: 10) == [event])
            #expect(try await store.user(id: ada.id) == ada)
            #expect(try await store.spendCeremony(id: mark.id, keepUntil: t0) == false, "the mark is spent")
        }
    }

    @Test(
        "prepared_statements=off: marked statements run unprepared",
        .enabled(if: Backend.postgresURL != nil))
    func preparedStatementsOff() async throws {
        let url = try #require(Backend.postgresURL)
        try await withPostgresStore(url: url + (url.contains("?") ? "&" : "?") + "prepared_statements=off") { store, _ in
            try await store.model.withDatabase { db in
                let direct = try #require(db as? DirectPostgresDatabase)
                #expect(!direct.preparesStatements)
                let statement: BoundStatement = "SELECT \(bind: "x") AS label"
                let row = try #require(try await db.first(statement.prepared()))
                #expect(try RowReader(row: row).string("label") == "x")
                #expect(try await Self.preparedOnConnection(db).isEmpty)
            }
        }
    }

    @Test(
        "A prepared statement PostgreSQL no longer accepts or never prepared closes its connection; one that fails to run does not",
        .enabled(if: Backend.postgresURL != nil))
    func invalidatedStatementReplacesConnection() async throws {
        try await withPostgresSchema { open in
            let store = try await open()
            defer { Task { try? await store.shutdown() } }
            try await store.model.withDatabase { db in
                try await db.run("CREATE TABLE prepared_probe (a BIGINT)")
                try await db.run("INSERT INTO prepared_probe VALUES (1)")
            }
            // `SELECT *`, which the store's prepared statements avoid: once the table has another
            // column the prepared plan's result type no longer matches (0A000).
            let star: BoundStatement = "SELECT * FROM prepared_probe WHERE a = \(bind: Int64(1))"
            let firstBackend = try await store.model.withDatabase { db in
                _ = try await db.all(star.prepared())
                let backend = try RowReader(row: try #require(try await db.first("SELECT pg_backend_pid() AS pid"))).int64("pid")
                try await db.run("ALTER TABLE prepared_probe ADD COLUMN b BIGINT")
                let direct = try #require(db as? DirectPostgresDatabase)
                let error = await #expect(throws: PSQLError.self) { try await db.all(star.prepared()) }
                #expect(error?.serverInfo?[.sqlState] == "0A000")
                #expect(error.map { SQLPasskeyStore.isUnavailable($0) } == true)
                try await direct.connection.closeFuture.get()
                return backend
            }
            // The closed connection is not handed out again: the next lease prepares anew.
            try await store.model.withDatabase { db in
                let direct = try #require(db as? DirectPostgresDatabase)
                let backend = try RowReader(row: try #require(try await db.first("SELECT pg_backend_pid() AS pid"))).int64("pid")
                #expect(backend != firstBackend)
                #expect(!direct.connection.isClosed)
                let row = try #require(try await db.first(star.prepared()))
                #expect(try RowReader(row: row).int64("a") == 1)
                #expect(try RowReader(row: row).isNull("b"))
            }
            // A statement PostgreSQL refuses to prepare (a column that is not there yet): its
            // connection is closed too, so that once the column exists a new connection prepares
            // it afresh rather than repeating the failed preparation PostgresNIO keeps.
            let later: BoundStatement = "SELECT c FROM prepared_probe WHERE a = \(bind: Int64(1))"
            try await store.model.withDatabase { db in
                let direct = try #require(db as? DirectPostgresDatabase)
                let error = await #expect(throws: PSQLError.self) { try await db.all(later.prepared()) }
                #expect(error?.serverInfo?[.sqlState] == "42703")
                #expect(error.map { SQLPasskeyStore.isUnavailable($0) } == false)
                try await direct.connection.closeFuture.get()
            }
            try await store.model.withDatabase { db in
                try await db.run("ALTER TABLE prepared_probe ADD COLUMN c TEXT DEFAULT 'here'")
            }
            for _ in 0..<3 {
                try await store.model.withDatabase { db in
                    let row = try #require(try await db.first(later.prepared()))
                    #expect(try RowReader(row: row).string("c") == "here")
                }
            }
            // An error of running a prepared statement (here a division by zero, 22012) leaves
            // its connection open.
            let divide: BoundStatement = "SELECT 1 / \(bind: Int64(0)) AS quotient"
            try await store.model.withDatabase { db in
                let direct = try #require(db as? DirectPostgresDatabase)
                let error = await #expect(throws: PSQLError.self) { try await db.all(divide.prepared()) }
                #expect(error?.serverInfo?[.sqlState] == "22012")
                #expect(!direct.connection.isClosed)
                let row = try #require(try await db.first("SELECT 2 AS two"))
                #expect(try RowReader(row: row).int64("two") == 2)
            }
        }
    }
}
