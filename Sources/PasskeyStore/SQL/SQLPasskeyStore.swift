import Foundation
import SQLKit
import SQLiteKit
import WebAuthn

/// A ``PasskeyStore`` on SQL, through SQLKit: SQLite and PostgreSQL with the same statements.
///
/// ## Connections and transactions
/// SQLite (``open(url:poolSize:logger:)``) runs on **one connection** behind a first-in, first-out lock:
/// each store method holds the connection for its one statement or its whole transaction, so no
/// request's statements can land inside another request's `BEGIN … COMMIT` (one connection has one
/// transaction state; sharing it unlocked would let a request read another's uncommitted rows, or
/// be rolled back with them). SQLite allows one writer at a time in any case and the statements
/// take microseconds. Transactions start with `BEGIN IMMEDIATE`, so other processes on the same
/// file wait (WAL mode, a 5 s busy timeout) rather than fail half-way. The connection's blocking
/// calls run on one thread the store owns. Transactions that queue up there share one commit
/// (``GroupCommitConnection``; each still succeeds or fails alone, and none returns before it is
/// committed): a commit of several sign-ins writes their shared pages once.
///
/// A pool of connections (PostgreSQL, through postgres-kit) runs each transaction on one
/// connection taken with `SQLDatabase.withSession`, and locks the account's row
/// (`SELECT … FOR UPDATE`) where a rule depends on the account's other rows ("never the last
/// passkey"). A connection the server closed (a restart) is replaced on the next request; while
/// none can be opened, operations throw ``StoreError/Code-swift.struct/unavailable``.
///
/// Rules that single statements keep, on every backend: a ceremony is taken with
/// `DELETE … RETURNING`, so of two racing requests only one gets it; an insert that may collide
/// uses `ON CONFLICT DO NOTHING RETURNING`, so a taken username or credential ID is an answer,
/// not a database error to parse.
///
/// Call ``shutdown()`` before the store is released.
public final class SQLPasskeyStore: PasskeyStore {
    let model: any SQLConnectionModel
    /// The SQLite connection, when the store is on SQLite.
    private let sqlite: SQLiteDirectConnection?

    /// Whether the database is PostgreSQL, whose statements can write several tables at once.
    private let isPostgres: Bool

    private init(model: any SQLConnectionModel, sqlite: SQLiteDirectConnection? = nil, isPostgres: Bool = false) {
        self.model = model
        self.sqlite = sqlite
        self.isPostgres = isPostgres
    }

    // MARK: Opening and closing

    /// Opens (creating when missing) and migrates the database a configuration string names:
    /// - `sqlite:PATH`: a file, in WAL mode, with foreign keys on and a 5 s busy timeout;
    /// - `sqlite::memory:`: a private in-memory database, gone at ``shutdown()``;
    /// - `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]` (or `postgresql://`): a
    ///   PostgreSQL database (``PostgresDatabaseURL``), through a pool of at most `poolSize`
    ///   connections. Several processes may open one database at once: migrations take an
    ///   advisory lock.
    ///
    /// - Throws: ``StoreError/Code-swift.struct/invalidConfiguration`` for any other string;
    ///   ``StoreError/Code-swift.struct/unavailable`` when the database cannot be reached (try
    ///   again later); ``StoreError/Code-swift.struct/failure`` when it cannot be opened or migrated.
    public static func open(
        url: String,
        poolSize: Int = defaultPostgresPoolSize,
        logger: Logger = Logger(label: "passkeys.store")
    ) async throws -> SQLPasskeyStore {
        if PostgresDatabaseURL.isPostgres(url) {
            return try await openPostgres(PostgresDatabaseURL(url), poolSize: poolSize, schema: nil, logger: logger)
        }
        let storage = try sqliteStorage(url)
        let connection: SQLiteDirectConnection
        do {
            connection = try await SQLiteDirectConnection.open(path: storage)
        } catch {
            throw StoreError.failure("cannot open \(url): \(error)")
        }
        // Closing runs in a task of its own, so a cancelled caller (a shutdown during graceful
        // shutdown) cannot skip it and leave the connection and its thread behind.
        let close: @Sendable () async throws -> Void = {
            try await Task.detached { try await connection.close() }.value
        }
        do {
            // Set-up (PRAGMAs a transaction would refuse, migrations) runs one operation at a
            // time; requests' operations then commit in groups.
            let setUp = SerializedConnection(database: connection.database, executor: connection.thread, close: close)
            try await configure(setUp, isFile: storage != nil)
            try await Schema.migrate(setUp)
            return SQLPasskeyStore(model: GroupCommitConnection(connection: connection, close: close), sqlite: connection)
        } catch {
            try? await close()
            throw StoreError.failure("cannot prepare \(url): \(Self.storeError(error).reason)")
        }
    }

    /// A store on a pool of connections whose `withSession` pins one connection per session.
    /// Migrates the database; `shutdown` is called by ``shutdown()``, or before this throws.
    package static func open(
        pooled database: any SQLDatabase,
        shutdown: @escaping @Sendable () async throws -> Void
    ) async throws -> SQLPasskeyStore {
        try await open(
            model: PooledConnections(database: database, close: shutdown),
            isPostgres: database.dialect.name == "postgresql")
    }

    /// A store on `model`, migrated; the model is shut down before this throws.
    static func open(model: any SQLConnectionModel, isPostgres: Bool) async throws -> SQLPasskeyStore {
        do {
            try await Schema.migrate(model)
        } catch {
            try? await model.shutdown()
            throw storeError(error)
        }
        return SQLPasskeyStore(model: model, isPostgres: isPostgres)
    }

    /// Waits for the operation in progress, closes the database and stops the store's thread.
    /// Operations after this fail with ``StoreError/Code-swift.struct/failure``.
    public func shutdown() async throws {
        do {
            try await model.shutdown()
        } catch {
            throw Self.storeError(error)
        }
    }


    /// On SQLite, the groups of operations committed so far (`nil` on PostgreSQL): fewer groups
    /// than operations means operations that queued up were committed together.
    package func committedGroups() async throws -> Int? {
        guard let groups = model as? GroupCommitConnection else { return nil }
        return try await groups.committedGroups()
    }

    /// On SQLite, the statements SQLite had to prepare again since the store prepared them, with
    /// how often (empty on PostgreSQL). A statement on the hot path that shows up here costs a
    /// parse on every call.
    package func repreparedStatements() async throws -> [String: Int] {
        guard let sqlite else { return [:] }
        return try await sqlite.thread.run { sqlite.repreparedStatements() }
    }

    /// On SQLite, how many statements the store's connection keeps prepared (0 on PostgreSQL).
    /// A statement whose text changes from call to call adds one every call.
    package func cachedStatementCount() async throws -> Int {
        guard let sqlite else { return 0 }
        return try await sqlite.thread.run { sqlite.cachedStatementCount }
    }

    /// On SQLite, the integer value of the setting `PRAGMA name` (`nil` on PostgreSQL, or for a
    /// name that is not a plain identifier).
    package func sqliteSetting(_ name: String) async throws -> Int64? {
        guard sqlite != nil, !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLetter) }) else { return nil }
        return try await autocommit { db in
            try await db.first(BoundStatement(stringLiteral: "PRAGMA \(name)")).map { try RowReader(row: $0).int64(name) }
        }
    }

    /// The schema version the database is at.
    package func schemaVersion() async throws -> Int {
        try await Schema.currentVersion(model)
    }

    /// The migrations applied to the database, oldest version first.
    public func appliedMigrations() async throws -> [AppliedMigration] {
        try await autocommit { db in
            try await db.select().columns("version", "name", "applied_at").from("schema_migrations")
                .orderBy("version")
                .all()
                .map { row in
                    let reader = RowReader(row: row)
                    return AppliedMigration(
                        version: Int(try reader.int64("version")), name: try reader.string("name"),
                        appliedAt: Column.date(microseconds: try reader.int64("applied_at")))
                }
        }
    }

    /// The newest schema version this program knows.
    package static var newestSchemaVersion: Int { Schema.migrations.map(\.version).max() ?? 0 }

    /// How many migrations this program knows.
    package static var migrationCount: Int { Schema.migrations.count }

    /// The file a `sqlite:` URL names, or `nil` for `sqlite::memory:`.
    private static func sqliteStorage(_ url: String) throws -> String? {
        let prefix = "sqlite:"
        guard url.hasPrefix(prefix) else {
            throw StoreError(.invalidConfiguration, "unsupported database \(url): expected sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB")
        }
        let path = String(url.dropFirst(prefix.count))
        if path == ":memory:" { return nil }
        guard !path.isEmpty else {
            throw StoreError(.invalidConfiguration, "the database URL \(url) names no file")
        }
        return path
    }

    /// The page size of a new SQLite file, in bytes (SQLite's default is 4,096). Every commit
    /// writes each page it changed whole to the WAL (and a checkpoint copies it back), and a
    /// sign-in changes some fifteen pages of small rows (a session and its indexes, an activity
    /// event, the passkey's counter, the spent ceremony): with half-size pages that is half the
    /// bytes copied and checksummed (docs/performance.md, lever 17: a few per cent of a
    /// sign-in's server CPU); 2,048 still holds a post-quantum public key (1,312 bytes) in one page.
    package static let sqlitePageSize = 2048

    /// How many pages the WAL file holds before a commit copies them back to the database
    /// (SQLite's default is 1,000). Each checkpoint writes every page changed since the last one
    /// once and syncs both files; the pages a sign-in changes are mostly the same few (the right
    /// ends of the sessions' and events' tables and indexes), so a longer interval copies far fewer
    /// pages in all and syncs less often (docs/performance.md, lever 30). The WAL file then grows
    /// to about 8 MB. (Twice as many pages took no more off, and each checkpoint's pause showed
    /// in the slowest sign-ins.)
    package static let walCheckpointPages = 4000

    private static func configure(_ model: SerializedConnection, isFile: Bool) async throws {
        try await model.withDatabase { db in
            // Other processes on the same file make a statement wait up to 5 s, not fail at once.
            try await db.execute(sql: SQLRaw("PRAGMA busy_timeout = 5000")) { _ in }
            try await db.execute(sql: SQLRaw("PRAGMA foreign_keys = ON")) { _ in }
            if isFile {
                // Readers in other processes do not block the writer; NORMAL is durable enough in
                // WAL: a commit survives the process being killed (only a power loss may lose the last ones).
                // Switching a new file to WAL needs it alone for a moment, and SQLite answers
                // SQLITE_BUSY at once, without the busy timeout, while another process opens it
                // too: try again for up to the busy timeout.
                // A new file's pages: set before its first table and before WAL, a no-op on a file
                // that has tables (it keeps its size). See `sqlitePageSize`.
                try await db.execute(sql: SQLRaw("PRAGMA page_size = \(sqlitePageSize)")) { _ in }
                var attempt = 0
                while true {
                    attempt += 1
                    do {
                        try await db.execute(sql: SQLRaw("PRAGMA journal_mode = WAL")) { _ in }
                        break
                    } catch let error as SQLiteDirectError where error.isBusy && attempt < 250 {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                try await db.execute(sql: SQLRaw("PRAGMA synchronous = NORMAL")) { _ in }
                // The savepoint of each operation in a group commit keeps its pages' earlier
                // contents in a sub-journal, a temporary file once it passes 64 KB; from then on
                // every later operation of the group wrote it too (a third of a sign-up's writes).
                // In memory it is never written (docs/performance.md, lever 33).
                try await db.execute(sql: SQLRaw("PRAGMA temp_store = MEMORY")) { _ in }
                try await db.execute(sql: SQLRaw("PRAGMA wal_autocheckpoint = \(walCheckpointPages)")) { _ in }
            }
        }
    }

    // MARK: Accounts

    public func createUser(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit event: AuditEvent?,
        endingSession previous: [UInt8]?, spending mark: CeremonyMark?
    ) async throws {
        guard credential.userID == user.id, session.userID == user.id else {
            throw StoreError.failure("the first credential and session must belong to the new user")
        }
        let markUntil = try mark.map { try Column.microseconds($0.keepUntil) }
        if isPostgres {
            let spent = mark.flatMap { mark in markUntil.map { SpentMark(id: mark.id, keepUntil: $0) } }
            let outcome = try await autocommit { db in
                try await Self.createUserInOneStatement(
                    user, credential: credential, session: session, audit: event, endingSession: previous,
                    spending: spent, on: db)
            }
            switch outcome {
            case .created: return
            case .spent: throw StoreError.ceremonySpent
            // Nothing was written; the transaction below names the conflict (or, if the row in
            // the way is gone by now, creates the account).
            case .conflict: break
            }
        }
        try await transaction { db in
            // The mark first: a ceremony another request finished writes nothing else.
            if let mark, let markUntil {
                guard try await Self.spendCeremony(id: mark.id, keepUntil: markUntil, on: db) else {
                    throw StoreError.ceremonySpent
                }
            }
            let normalized = user.normalizedUsername
            let inserted = try await db.insertedRow(BoundStatement("""
                INSERT INTO users (id, username, username_normalized, display_name, created_at, email_verified) \
                VALUES (\(bytes: user.id.bytes), \(bind: user.username), \(bind: normalized), \
                \(bind: user.displayName), \(bind: try Column.microseconds(user.createdAt)), \(bind: user.emailVerified)) \
                ON CONFLICT DO NOTHING
                """).prepared())
            guard inserted else {
                let holder = try await db.select().column("id").from("users")
                    .where("username_normalized", .equal, normalized)
                    .first()
                throw holder != nil ? StoreError.usernameTaken : StoreError.failure("a user with this handle exists")
            }
            guard try await Self.insert(credential, on: db) else { throw StoreError.credentialExists }
            try await Self.insert(session, on: db)
            if let previous, previous != session.tokenHash {
                try await db.raw("DELETE FROM sessions WHERE token_hash = \(Column.bytes(previous))").run()
            }
            if let event { try await Self.insert(event, on: db) }
        }
    }

    /// The `WITH` parts of a one-statement sign-up or sign-in that follow its `gate` (a part that
    /// returns one row when the rest is to be written, none otherwise): the new session, the end of
    /// the browser's previous session and the activity event. The values are cast to their columns'
    /// types, as `INSERT … SELECT` does not take them from the table.
    private static func sessionPart(
        _ session: SessionRecord, endingSession previous: [UInt8]?, audit event: AuditEvent?, gate: BoundStatement
    ) throws -> BoundStatement {
        var part: BoundStatement = """
            new_session AS (\
            INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, credential_id, ip, \
            user_agent, recovery, sign_in_method) \
            SELECT CAST(\(bytes: session.tokenHash) AS BYTEA), CAST(\(bytes: session.userID.bytes) AS BYTEA), \
            CAST(\(bind: try Column.microseconds(session.createdAt)) AS BIGINT), \
            CAST(\(bind: try Column.microseconds(session.lastSeenAt)) AS BIGINT), \
            CAST(\(bind: try Column.microseconds(session.expiresAt)) AS BIGINT), \
            CAST(\(optionalBytes: session.credentialID?.bytes) AS BYTEA), \
            CAST(\(optional: session.ip) AS TEXT), CAST(\(optional: session.userAgent) AS TEXT), \
            CAST(\(bind: session.recovery) AS BOOLEAN), CAST(\(bind: session.method.rawValue) AS TEXT) FROM \(gate))
            """
        if let previous, previous != session.tokenHash {
            part.appendInterpolation("""
                , ended AS (DELETE FROM sessions WHERE token_hash = \(bytes: previous) \
                AND EXISTS (SELECT 1 FROM \(gate)))
                """ as BoundStatement)
        }
        if let event {
            part.appendInterpolation("""
                , event AS (\
                INSERT INTO audit_events (id, user_id, kind, detail, at, ip, user_agent, credential_id) \
                SELECT CAST(\(bytes: event.id.bytes) AS BYTEA), \
                CAST(\(optionalBytes: event.userID?.bytes) AS BYTEA), \
                CAST(\(bind: event.kind.rawValue) AS TEXT), CAST(\(bind: event.detail) AS TEXT), \
                CAST(\(bind: try Column.microseconds(event.at)) AS BIGINT), \
                CAST(\(optional: event.ip) AS TEXT), CAST(\(optional: event.userAgent) AS TEXT), \
                CAST(\(optionalBytes: event.credentialID?.bytes) AS BYTEA) FROM \(gate))
                """ as BoundStatement)
        }
        return part
    }

    /// What ``createUserInOneStatement(_:credential:session:audit:endingSession:spending:on:)`` did.
    enum CreatedUser: Sendable, Equatable {
        /// The account and everything with it are in.
        case created
        /// The ceremony's mark was in already: nothing was written.
        case spent
        /// A row in the way (a username, a user handle, a credential ID, a session token): the
        /// statement failed as a whole and nothing was written.
        case conflict
    }

    /// ``createUser(_:credential:session:audit:endingSession:spending:)`` on PostgreSQL: one
    /// statement whose data-modifying `WITH` parts run together or not at all, so one round trip
    /// instead of a transaction's eight. The values are cast to their columns' types, as
    /// `INSERT … SELECT` does not take them from the table.
    ///
    /// The account is inserted only once the ceremony's mark is (`spent`; with no mark, at once),
    /// and the passkey, the session, the event and the end of the previous session only with the
    /// account. The account's and the passkey's inserts have no `ON CONFLICT`: a username, handle
    /// or credential ID that is taken (`23505`, also when another request takes it at the same
    /// moment) fails the whole statement, the mark included, so nothing is half-written; the
    /// caller then tells the conflicts apart as the transaction does. The foreign keys (the
    /// passkey's and the session's account) are checked at the end of the statement, when the
    /// account is in.
    static func createUserInOneStatement(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit event: AuditEvent?,
        endingSession previous: [UInt8]?, spending mark: SpentMark?, on db: any SQLDatabase
    ) async throws -> CreatedUser {
        var statement: BoundStatement = "WITH "
        let source: BoundStatement
        if let mark {
            statement.appendInterpolation("""
                spent AS (\
                INSERT INTO spent_ceremonies (id, keep_until) VALUES (\(bind: mark.id), \(bind: mark.keepUntil)) \
                ON CONFLICT (id) DO NOTHING RETURNING id), 
                """ as BoundStatement)
            source = " FROM spent"
        } else {
            source = ""
        }
        statement.appendInterpolation("""
            new_user AS (\
            INSERT INTO users (id, username, username_normalized, display_name, created_at, email_verified) \
            SELECT CAST(\(bytes: user.id.bytes) AS BYTEA), CAST(\(bind: user.username) AS TEXT), \
            CAST(\(bind: user.normalizedUsername) AS TEXT), CAST(\(bind: user.displayName) AS TEXT), \
            CAST(\(bind: try Column.microseconds(user.createdAt)) AS BIGINT), \
            CAST(\(bind: user.emailVerified) AS BOOLEAN)\(source) RETURNING id), \
            new_credential AS (\
            INSERT INTO credentials (id, user_id, public_key, algorithm, sign_count, aaguid, attestation_format, \
            transports, backup_eligible, backed_up, name, created_at, last_used_at) \
            SELECT CAST(\(bytes: credential.id.bytes) AS BYTEA), new_user.id, CAST(\(bytes: credential.publicKey) AS BYTEA), \
            CAST(\(bind: Int64(credential.algorithm)) AS BIGINT), CAST(\(bind: Int64(credential.signCount)) AS BIGINT), \
            CAST(\(bytes: credential.aaguid.bytes) AS BYTEA), CAST(\(bind: credential.attestationFormat) AS TEXT), \
            CAST(\(bind: Column.json(credential.transports)) AS TEXT), CAST(\(bind: credential.backupEligible) AS BOOLEAN), \
            CAST(\(bind: credential.backedUp) AS BOOLEAN), CAST(\(bind: credential.name) AS TEXT), \
            CAST(\(bind: try Column.microseconds(credential.createdAt)) AS BIGINT), \
            CAST(\(optional: try credential.lastUsedAt.map(Column.microseconds)) AS BIGINT) FROM new_user), \
            \(try sessionPart(session, endingSession: previous, audit: event, gate: "new_user"))
            """ as BoundStatement)
        statement.appendInterpolation(" SELECT (SELECT count(*) FROM new_user) AS created" as BoundStatement)
        let row: (any SQLRow)?
        do {
            // A few forms at most (a mark or not, a previous session, an event), each prepared
            // once per connection.
            row = try await db.first(statement.prepared())
        } catch where PreparedPostgresStatement.isUniqueViolation(error) {
            return .conflict
        }
        guard let row else { throw StoreError.failure("creating an account returned no row") }
        return try RowReader(row: row).int64("created") == 1 ? .created : .spent
    }

    public func user(id: UserHandle) async throws -> UserRecord? {
        try await autocommit { db in try await Self.user(id, on: db) }
    }

    public func user(username: String) async throws -> UserRecord? {
        let normalized = UserRecord.normalize(username)
        return try await autocommit { db in
            let statement: BoundStatement = """
                SELECT \(RowReader.plainUserColumns) FROM users WHERE username_normalized = \(bind: normalized)
                """
            return try await db.first(statement.prepared()).map { try RowReader(row: $0).user() }
        }
    }

    public func updateDisplayName(userID: UserHandle, displayName: String, audit event: AuditEvent?) async throws -> UserRecord? {
        let key = Data(userID.bytes)
        return try await transaction { db in
            // Two changes of one account's name queue here, so each compares with the name before it.
            guard try await Self.lockUser(userID, .update, on: db),
                  let before = try await db.select().column("display_name").from("users").where("id", .equal, key).first(),
                  let updated = try await db.update("users")
                    .set("display_name", to: displayName)
                    .where("id", .equal, key)
                    .returning("*")
                    .first()
            else { return nil }
            if let event, try RowReader(row: before).string("display_name") != displayName {
                try await Self.insert(event, on: db)
            }
            return try RowReader(row: updated).user()
        }
    }

    @discardableResult
    public func deleteUser(id: UserHandle, audit event: AuditEvent?) async throws -> Bool {
        let key = Data(id.bytes)
        return try await transaction { db in
            // The foreign keys cascade too; deleting explicitly also covers the tables without one.
            // The rows a sign-in or a token exchange writes first (it then takes the account's row
            // for its new row's foreign key), in that order, so the two cannot deadlock.
            for table in ["ceremonies", "sessions", "credentials", "oauth_codes", "oauth_tokens", "oauth_consents", "email_codes"] {
                try await db.delete(from: table).where("user_id", .equal, key).run()
            }
            // Then the account's row, before its events: an event being written holds that row
            // (`appendAudit`) and commits first, and the delete below, reading anew, takes it
            // along (PostgreSQL; SQLite's transactions already exclude each other).
            _ = try await Self.lockUser(id, .delete, on: db)
            try await db.delete(from: "audit_events").where("user_id", .equal, key).run()
            guard try await db.delete(from: "users").where("id", .equal, key).returning("id").first() != nil else {
                return false
            }
            if let event { try await Self.insert(event, on: db) }
            return true
        }
    }

    // MARK: Passkeys

    public func credential(id: CredentialID) async throws -> CredentialRecord? {
        try await autocommit { db in
            try await db.select().column("*").from("credentials")
                .where("id", .equal, Data(id.bytes))
                .first()
                .map { try RowReader(row: $0).credential() }
        }
    }

    public func credentials(userID: UserHandle) async throws -> [CredentialRecord] {
        try await autocommit { db in
            try await db.select().column("*").from("credentials")
                .where("user_id", .equal, Data(userID.bytes))
                .orderBy("created_at")
                .orderBy("id")
                .all()
                .map { try RowReader(row: $0).credential() }
        }
    }

    public func addCredential(
        _ credential: CredentialRecord, audit events: [AuditEvent], endingRecoveryOf recovery: RecoveryCompletion?, limit: Int?
    ) async throws {
        try await transaction { db in
            // With a limit, adds to one account queue on its row, so the count below holds.
            guard try await Self.lockUser(credential.userID, limit == nil ? .share : .update, on: db) else {
                throw StoreError.userNotFound
            }
            if let limit {
                let count = try await db.first("""
                    SELECT COUNT(*) AS n FROM credentials WHERE user_id = \(bytes: credential.userID.bytes)
                    """).map { try RowReader(row: $0).int64("n") } ?? 0
                guard count < Int64(limit) else { throw StoreError.credentialLimit }
            }
            guard try await Self.insert(credential, on: db) else { throw StoreError.credentialExists }
            if let recovery {
                try await db.update("sessions")
                    .set("recovery", to: false)
                    .set("expires_at", to: try Column.microseconds(recovery.expiresAt))
                    .where("token_hash", .equal, Data(recovery.tokenHash))
                    .where("user_id", .equal, Data(credential.userID.bytes))
                    .run()
            }
            for event in events { try await Self.insert(event, on: db) }
        }
    }

    public func renameCredential(
        id: CredentialID, userID: UserHandle, name: String, audit event: AuditEvent?
    ) async throws -> CredentialRecord? {
        try await transaction { db in
            guard let renamed = try await db.update("credentials")
                .set("name", to: name)
                .where("id", .equal, Data(id.bytes))
                .where("user_id", .equal, Data(userID.bytes))
                .returning("*")
                .first()
            else { return nil }
            if let event { try await Self.insert(event, on: db) }
            return try RowReader(row: renamed).credential()
        }
    }

    public func deleteCredential(
        id: CredentialID, userID: UserHandle, audit event: AuditEvent?
    ) async throws -> DeleteCredentialResult {
        let credentialKey = Data(id.bytes)
        let userKey = Data(userID.bytes)
        return try await transaction { db in
            // Two deletes of the account's last two passkeys queue on this lock, and the second then
            // counts one passkey. (SQLite's BEGIN IMMEDIATE has serialized them already.)
            guard try await Self.lockUser(userID, .update, on: db) else { return .notFound }
            let owned = try await db.select().column("id").from("credentials")
                .where("user_id", .equal, userKey)
                .all(decodingColumn: "id", as: Data.self)
            guard owned.contains(credentialKey) else { return .notFound }
            guard owned.count > 1 else { return .lastCredential }
            try await db.delete(from: "credentials")
                .where("id", .equal, credentialKey)
                .where("user_id", .equal, userKey)
                .run()
            try await db.delete(from: "sessions")
                .where("credential_id", .equal, credentialKey)
                .where("user_id", .equal, userKey)
                .run()
            if let event { try await Self.insert(event, on: db) }
            return .deleted
        }
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
        try await recordSignIn(
            credentialID: credentialID, assuming: nil, signCount: signCount, backedUp: backedUp, at: at,
            session: session, audit: event, endingSession: previous, spending: mark) != nil
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
        guard case .assumed(let user) = try await recordSignIn(
            credentialID: credentialID, assuming: publicKey, signCount: signCount, backedUp: backedUp, at: at,
            session: session, audit: event, endingSession: previous, spending: mark)
        else { return nil }
        return user
    }

    /// What a sign-in's transaction wrote.
    private enum RecordedSignIn {
        /// Recorded against the credential as read before it.
        case recorded
        /// Recorded against the passkey the caller assumed; the account as the transaction read it.
        case assumed(UserRecord)
    }

    /// Both forms of `recordSignIn`: with `publicKey` the update also requires the credential to
    /// have that key and its account to be there and not disabled, and returns the account.
    /// `nil` when nothing was written: the account holds no such credential (or, assumed, not as
    /// assumed, or its counter did not grow).
    private func recordSignIn(
        credentialID: CredentialID, assuming publicKey: [UInt8]?, signCount: UInt32, backedUp: Bool, at: Date,
        session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?, spending mark: CeremonyMark?
    ) async throws -> RecordedSignIn? {
        let lastUsed = try Column.microseconds(at)
        let count = Int64(signCount)
        let spent = try mark.map { SpentMark(id: $0.id, keepUntil: try Column.microseconds($0.keepUntil)) }
        if isPostgres {
            // Its one write is its first statement, so a deadlock there wrote nothing: run again.
            return try await autocommit(retryingDeadlocks: true) { db in
                try await Self.recordSignInInOneStatement(
                    credentialID: credentialID, assuming: publicKey, signCount: count, backedUp: backedUp,
                    lastUsed: lastUsed, session: session, audit: event, endingSession: previous, spending: spent, on: db)
            }
        }
        return try await transaction { db in
            // Compare and set: the counter grows, or stays zero where it is zero.
            let grows: BoundStatement = signCount == 0 ? "sign_count = 0" : "sign_count < \(bind: count)"
            // Assumed: the passkey the answer was verified against. Either way, of an account that
            // may sign in (disabled since the caller read it: nothing written).
            let assumed: BoundStatement = publicKey.map { (key: [UInt8]) -> BoundStatement in
                """
                 AND public_key = \(bytes: key) AND EXISTS (SELECT 1 FROM users \
                WHERE users.id = credentials.user_id AND NOT users.disabled)
                """
            } ?? Self.accountEnabled
            // No `RETURNING`: SQLite builds a temporary table for it; the count of changed rows says as much.
            let updated = try await db.sqliteChanges("""
                UPDATE credentials SET sign_count = \(bind: count), backed_up = \(bind: backedUp), \
                last_used_at = \(bind: lastUsed) \
                WHERE id = \(bytes: credentialID.bytes) AND user_id = \(bytes: session.userID.bytes) \
                AND \(grows)\(assumed)
                """)
            guard updated == 1 else {
                // Nothing was written. A ceremony another answer finished comes first, as it would
                // have had this answer spent it before its counter was compared.
                if let spent, try await Self.isSpent(spent.id, on: db) { throw StoreError.ceremonySpent }
                // Assumed: the caller reads the credential and verifies again.
                if publicKey != nil { return nil }
                let exists = try await db.first("""
                    SELECT id FROM credentials \
                    WHERE id = \(bytes: credentialID.bytes) AND user_id = \(bytes: session.userID.bytes)
                    """)
                guard exists != nil else { return nil }
                if try await Self.user(session.userID, on: db)?.disabled != false { throw StoreError.accountDisabled }
                throw StoreError.signCountConflict
            }
            // The ceremony's mark in the same transaction: one already there rolls the update back.
            if let spent, !(try await Self.spendCeremony(id: spent.id, keepUntil: spent.keepUntil, on: db)) {
                throw StoreError.ceremonySpent
            }
            try await Self.insert(session, on: db)
            if let previous, previous != session.tokenHash {
                try await db.run("DELETE FROM sessions WHERE token_hash = \(bytes: previous)")
            }
            if let event { try await Self.insert(event, on: db) }
            guard publicKey != nil else { return .recorded }
            guard let user = try await Self.user(session.userID, on: db) else {
                throw StoreError.failure("the account of an updated credential is gone")
            }
            return .assumed(user)
        }
    }

    /// The condition on a credential's row that its account is there and not disabled.
    static let accountEnabled: BoundStatement = """
         AND EXISTS (SELECT 1 FROM users WHERE users.id = credentials.user_id AND NOT users.disabled)
        """

    /// A ceremony's spent mark as its columns hold it.
    struct SpentMark: Sendable {
        var id: String
        var keepUntil: Int64
    }

    /// Whether the ceremony `id` is marked spent.
    private static func isSpent(_ id: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.first("SELECT id FROM spent_ceremonies WHERE id = \(bind: id)") != nil
    }

    /// ``recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)`` on
    /// PostgreSQL: one statement whose data-modifying `WITH` parts run together or not at all, so
    /// one round trip instead of a transaction's seven. The values are cast to their columns'
    /// types, as `INSERT … SELECT` does not take them from the table.
    ///
    /// The counter's compare-and-set (`updated`) runs only while the ceremony's mark is absent from
    /// the statement's snapshot; the mark is inserted only for a row it updated (`spent`), and the
    /// session, the event and the end of the previous session only once the mark is in (or, with
    /// no mark, for a row it updated). When no row was updated a second statement tells a spent
    /// ceremony, a counter that did not grow and a credential the account does not hold apart, and
    /// nothing was written. Two answers to one ceremony that run at once both see no mark: the
    /// second's insert waits for the first's and then finds the mark (`ON CONFLICT DO NOTHING`), so
    /// it writes no session and no event and answers ``StoreError/ceremonySpent``; its counter
    /// update stays, which for the same passkey moves nothing a later sign-in checks (the
    /// compare-and-set refused a counter that did not grow; one that stays zero is set to zero).
    private static func recordSignInInOneStatement(
        credentialID: CredentialID, assuming publicKey: [UInt8]?, signCount count: Int64, backedUp: Bool, lastUsed: Int64,
        session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?, spending mark: SpentMark?,
        on db: any SQLDatabase
    ) async throws -> RecordedSignIn? {
        let grows: BoundStatement = count == 0 ? "sign_count = 0" : "sign_count < \(bind: count)"
        // Assumed: the passkey the answer was verified against. Either way, of an account that may
        // sign in (disabled since the caller read it: nothing written).
        let assumed: BoundStatement = publicKey.map { (key: [UInt8]) -> BoundStatement in
            """
             AND public_key = \(bytes: key) AND EXISTS (SELECT 1 FROM users \
            WHERE users.id = credentials.user_id AND NOT users.disabled)
            """
        } ?? accountEnabled
        let unspent: BoundStatement = mark.map { (mark: SpentMark) -> BoundStatement in
            " AND NOT EXISTS (SELECT 1 FROM spent_ceremonies WHERE id = \(bind: mark.id))"
        } ?? ""
        var statement: BoundStatement = """
            WITH updated AS (\
            UPDATE credentials SET sign_count = \(bind: count), backed_up = \(bind: backedUp), \
            last_used_at = \(bind: lastUsed) \
            WHERE id = \(bytes: credentialID.bytes) AND user_id = \(bytes: session.userID.bytes) \
            AND \(grows)\(assumed)\(unspent) RETURNING id), 
            """
        // What the sign-in's other writes follow: the mark once it is in, else the updated row.
        let gate: BoundStatement
        if let mark {
            statement.appendInterpolation("""
                spent AS (\
                INSERT INTO spent_ceremonies (id, keep_until) \
                SELECT CAST(\(bind: mark.id) AS TEXT), CAST(\(bind: mark.keepUntil) AS BIGINT) FROM updated \
                ON CONFLICT (id) DO NOTHING RETURNING id), 
                """ as BoundStatement)
            gate = "spent"
        } else {
            gate = "updated"
        }
        statement.appendInterpolation(try sessionPart(session, endingSession: previous, audit: event, gate: gate))
        statement.appendInterpolation("""
             SELECT (SELECT count(*) FROM updated) AS updated_now, (SELECT count(*) FROM \(gate)) AS recorded
            """ as BoundStatement)
        if publicKey != nil {
            // The account as the statement's snapshot holds it, for the caller to answer with.
            statement.appendInterpolation("""
                , \(RowReader.userColumns) FROM (SELECT 1) AS one \
                LEFT JOIN users ON users.id = \(bytes: session.userID.bytes)
                """ as BoundStatement)
        }
        // A few forms at most (a ceremony's mark or not, a previous session, an event, the
        // account read back), each prepared once per connection.
        guard let row = try await db.first(statement.prepared()) else {
            throw StoreError.failure("recording a sign-in returned no row")
        }
        let reader = RowReader(row: row)
        if try reader.int64("recorded") == 1 {
            guard publicKey != nil else { return .recorded }
            guard try !reader.isNull(RowReader.userPrefix + "id") else {
                throw StoreError.failure("the account of an updated credential is gone")
            }
            return .assumed(try reader.user(prefix: RowReader.userPrefix))
        }
        // The counter was updated but another answer's mark was in first.
        if try reader.int64("updated_now") == 1 { throw StoreError.ceremonySpent }
        if publicKey != nil {
            // Nothing written; a spent ceremony comes first, else the caller verifies again.
            guard let mark else { return nil }
            if try await db.raw("SELECT id FROM spent_ceremonies WHERE id = \(bind: mark.id)").first() != nil {
                throw StoreError.ceremonySpent
            }
            return nil
        }
        let spentCheck: SQLQueryString = mark.map { (mark: SpentMark) -> SQLQueryString in
            "EXISTS (SELECT 1 FROM spent_ceremonies WHERE id = \(bind: mark.id))"
        } ?? "FALSE"
        let check = try await db.raw("""
            SELECT EXISTS (SELECT 1 FROM credentials \
            WHERE id = \(Column.bytes(credentialID.bytes)) AND user_id = \(Column.bytes(session.userID.bytes))) AS held, \
            EXISTS (SELECT 1 FROM users WHERE id = \(Column.bytes(session.userID.bytes)) AND NOT disabled) AS enabled, \
            \(spentCheck) AS spent
            """).first()
        guard let check else { throw StoreError.failure("checking a sign-in returned no row") }
        let checked = RowReader(row: check)
        if try checked.bool("spent") { throw StoreError.ceremonySpent }
        guard try checked.bool("held") else { return nil }
        if try !checked.bool("enabled") { throw StoreError.accountDisabled }
        throw StoreError.signCountConflict
    }

    // MARK: Sign-in, one store operation per request

    public func userWithCredentials(username: String) async throws -> (user: UserRecord, credentials: [CredentialRecord])? {
        let normalized = UserRecord.normalize(username)
        if isPostgres {
            return try await autocommit { db in try await Self.userWithCredentialsInOneStatement(normalized: normalized, on: db) }
        }
        return try await reading { db in
            let user = try await db.first("SELECT * FROM users WHERE username_normalized = \(bind: normalized)")
                .map { try RowReader(row: $0).user() }
            // By the username, not the user's ID, so that this runs whether or not the account exists.
            let credentials = try await db.all("""
                SELECT * FROM credentials \
                WHERE user_id = (SELECT id FROM users WHERE username_normalized = \(bind: normalized)) \
                ORDER BY created_at, id
                """)
                .map { try RowReader(row: $0).credential() }
            guard let user else { return nil }
            // On a pool the two statements may see different moments: only the account's own count.
            return (user, credentials.filter { $0.userID == user.id })
        }
    }

    /// ``userWithCredentials(username:)`` on PostgreSQL: one round trip, the account's columns
    /// (named apart) on every row, one row per passkey, or one row of nulls for the passkey when
    /// the account has none. (SQLite would plan a join again for every new bound value, so it keeps
    /// two statements prepared once; they cost no round trip there.)
    private static func userWithCredentialsInOneStatement(
        normalized: String, on db: any SQLDatabase
    ) async throws -> (user: UserRecord, credentials: [CredentialRecord])? {
        let statement: BoundStatement = """
            SELECT \(RowReader.userColumns), \(RowReader.credentialColumns) FROM users \
            LEFT JOIN credentials ON credentials.user_id = users.id \
            WHERE users.username_normalized = \(bind: normalized) \
            ORDER BY credentials.created_at, credentials.id
            """
        let rows = try await db.all(statement.prepared())
        guard let first = rows.first else { return nil }
        let user = try RowReader(row: first).user(prefix: RowReader.userPrefix)
        let credentials = try rows.map(RowReader.init(row:)).filter { try !$0.isNull("id") }.map { try $0.credential() }
        return (user, credentials)
    }

    public func consumeCeremony(id: String, readingCredential credentialID: CredentialID) async throws -> SignInAnswerRecords {
        try await autocommit { db in
            guard let ceremony = try await Self.consumeCeremony(id: id, on: db) else { return SignInAnswerRecords() }
            var records = try await Self.credentialWithUser(credentialID, on: db)
            records.ceremony = ceremony
            return records
        }
    }

    /// The account with this handle (read by the sign-in's answer and every signed-in request).
    @inline(__always)
    private static func user(_ id: UserHandle, on db: any SQLDatabase) async throws -> UserRecord? {
        let statement: BoundStatement = "SELECT \(RowReader.plainUserColumns) FROM users WHERE id = \(bytes: id.bytes)"
        return try await db.first(statement.prepared()).map { try RowReader(row: $0).user() }
    }

    /// The credential an answer names and its account (each `nil` when there is none).
    @inline(__always)
    private static func credentialWithUser(_ credentialID: CredentialID, on db: any SQLDatabase) async throws -> SignInAnswerRecords {
        let credential = try await db.first("SELECT * FROM credentials WHERE id = \(bytes: credentialID.bytes)")
            .map { try RowReader(row: $0).credential() }
        guard let credential else { return SignInAnswerRecords() }
        let user = try await Self.user(credential.userID, on: db)
        return SignInAnswerRecords(credential: credential, user: user)
    }

    /// The credential of a row that holds one, and its account's columns (``RowReader/userColumns``)
    /// when the account is there.
    private static func credentialAndUser(_ reader: RowReader) throws -> SignInAnswerRecords {
        let credential = try reader.credential()
        let user = try reader.isNull(RowReader.userPrefix + "id") ? nil : try reader.user(prefix: RowReader.userPrefix)
        return SignInAnswerRecords(credential: credential, user: user)
    }

    // MARK: Ceremonies

    public func insertCeremony(_ ceremony: CeremonyRecord) async throws {
        try await autocommit { db in
            try await db.raw("""
                INSERT INTO ceremonies (id, kind, challenge, user_id, username, display_name, state, created_at, expires_at) \
                VALUES (\(bind: ceremony.id), \(bind: ceremony.kind.rawValue), \(Column.bytes(ceremony.challenge.bytes)), \
                \(Column.optional(ceremony.userID.map { Data($0.bytes) })), \(Column.optional(ceremony.username)), \
                \(Column.optional(ceremony.displayName)), \(Column.bytes(ceremony.state)), \
                \(bind: try Column.microseconds(ceremony.createdAt)), \(bind: try Column.microseconds(ceremony.expiresAt)))
                """).run()
        }
    }

    public func consumeCeremony(id: String) async throws -> CeremonyRecord? {
        try await autocommit { db in try await Self.consumeCeremony(id: id, on: db) }
    }

    private static func consumeCeremony(id: String, on db: any SQLDatabase) async throws -> CeremonyRecord? {
        try await db.raw("DELETE FROM ceremonies WHERE id = \(bind: id) RETURNING *")
            .first()
            .map { try RowReader(row: $0).ceremony() }
    }

    // MARK: Ceremonies the browser holds

    public func spendCeremony(id: String, keepUntil: Date) async throws -> Bool {
        let until = try Column.microseconds(keepUntil)
        return try await autocommit { db in try await Self.spendCeremony(id: id, keepUntil: until, on: db) }
    }

    public func signInRecords(credentialID: CredentialID) async throws -> SignInAnswerRecords {
        if isPostgres {
            return try await autocommit { db in try await Self.signInRecordsInOneStatement(credentialID, on: db) }
        }
        return try await reading { db in try await Self.credentialWithUser(credentialID, on: db) }
    }

    /// On PostgreSQL the credential and its account are one statement (the account's columns named
    /// apart, null when there is none).
    private static func signInRecordsInOneStatement(
        _ credentialID: CredentialID, on db: any SQLDatabase
    ) async throws -> SignInAnswerRecords {
        let statement: BoundStatement = """
            SELECT \(RowReader.credentialColumns), \(RowReader.userColumns) FROM credentials \
            LEFT JOIN users ON users.id = credentials.user_id \
            WHERE credentials.id = \(bytes: credentialID.bytes)
            """
        let row = try await db.first(statement.prepared())
        guard let row else { return SignInAnswerRecords() }
        return try Self.credentialAndUser(RowReader(row: row))
    }

    /// The insert either adds the mark or meets the one already there.
    @inline(__always)
    private static func spendCeremony(id: String, keepUntil: Int64, on db: any SQLDatabase) async throws -> Bool {
        try await db.insertedRow(BoundStatement("""
            INSERT INTO spent_ceremonies (id, keep_until) VALUES (\(bind: id), \(bind: keepUntil)) \
            ON CONFLICT (id) DO NOTHING
            """).prepared())
    }

    // MARK: Sessions

    public func insertSession(_ session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?) async throws {
        try await transaction { db in
            guard try await Self.lockUser(session.userID, .share, on: db) else { throw StoreError.userNotFound }
            try await Self.insert(session, on: db)
            if let previous, previous != session.tokenHash {
                try await db.delete(from: "sessions").where("token_hash", .equal, Data(previous)).run()
            }
            if let event { try await Self.insert(event, on: db) }
        }
    }

    public func insertPasswordSession(
        _ session: SessionRecord, passwordHash: String, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> Bool {
        try await transaction { db in
            // The lock the password's removal takes: one waits for the other.
            guard try await Self.lockUser(session.userID, .update, on: db) else { return false }
            let current = try await db.first("""
                SELECT password_hash FROM users WHERE id = \(bytes: session.userID.bytes) AND NOT disabled
                """)
            guard let current, try RowReader(row: current).optionalString("password_hash") == passwordHash else { return false }
            try await Self.insert(session, on: db)
            if let previous, previous != session.tokenHash {
                try await db.delete(from: "sessions").where("token_hash", .equal, Data(previous)).run()
            }
            if let event { try await Self.insert(event, on: db) }
            return true
        }
    }

    public func session(tokenHash: [UInt8]) async throws -> SessionRecord? {
        try await autocommit { db in try await Self.session(tokenHash, on: db) }
    }

    /// The session whose token hashes to `tokenHash`: read on every signed-in request, so
    /// prepared once per PostgreSQL connection.
    private static func session(_ tokenHash: [UInt8], on db: any SQLDatabase) async throws -> SessionRecord? {
        let statement: BoundStatement = """
            SELECT \(RowReader.sessionColumns) FROM sessions WHERE token_hash = \(bytes: tokenHash)
            """
        return try await db.first(statement.prepared()).map { try RowReader(row: $0).session() }
    }

    /// One statement on PostgreSQL (the session's columns and the account's, named apart), one
    /// read of two prepared statements on SQLite's thread (SQLite would plan a join again for
    /// every new bound value): one round trip or one hop for every signed-in request, where the
    /// session and then the account were two.
    public func sessionWithUser(tokenHash: [UInt8]) async throws -> (session: SessionRecord, user: UserRecord)? {
        if isPostgres {
            return try await autocommit { db in
                let statement: BoundStatement = """
                    SELECT \(RowReader.qualifiedSessionColumns), \(RowReader.userColumns) FROM sessions \
                    JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = \(bytes: tokenHash)
                    """
                guard let row = try await db.first(statement.prepared()) else { return nil }
                let reader = RowReader(row: row)
                return (try reader.session(), try reader.user(prefix: RowReader.userPrefix))
            }
        }
        return try await reading { db in
            guard let session = try await Self.session(tokenHash, on: db),
                  let user = try await Self.user(session.userID, on: db) else { return nil }
            return (session, user)
        }
    }

    public func touchSession(tokenHash: [UInt8], at: Date) async throws {
        try await autocommit { db in
            let seen = try Column.microseconds(at)
            let statement: BoundStatement = """
                UPDATE sessions SET last_seen_at = \(bind: seen) \
                WHERE token_hash = \(bytes: tokenHash) AND last_seen_at < \(bind: seen)
                """
            try await db.run(statement.prepared())
        }
    }

    @discardableResult
    public func deleteSession(tokenHash: [UInt8], audit event: AuditEvent?) async throws -> Bool {
        let delete: @Sendable (any SQLDatabase) async throws -> Bool = { db in
            guard try await db.delete(from: "sessions").where("token_hash", .equal, Data(tokenHash))
                .returning("token_hash").first() != nil
            else { return false }
            if let event { try await Self.insert(event, on: db) }
            return true
        }
        // One statement needs no transaction of its own; with the event, two do.
        return event == nil ? try await autocommit(delete) : try await transaction(delete)
    }

    @discardableResult
    public func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int {
        let cutoff = try Column.microseconds(now)
        let idleCutoff = try sessionIdleTimeout.map { try Column.microseconds(now.addingTimeInterval(-$0)) }
        let idle: BoundStatement = idleCutoff.map { " OR last_seen_at <= \(bind: $0)" } ?? ""
        return try await deleteInBatches("""
            DELETE FROM ceremonies WHERE id IN \
            (SELECT id FROM ceremonies WHERE expires_at <= \(bind: cutoff) LIMIT \(bind: Self.purgeBatch)) RETURNING id
            """)
            + deleteInBatches("""
                DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions \
                WHERE expires_at <= \(bind: cutoff)\(idle) LIMIT \(bind: Self.purgeBatch)) RETURNING token_hash
                """)
            + deleteInBatches("""
                DELETE FROM spent_ceremonies WHERE id IN \
                (SELECT id FROM spent_ceremonies WHERE keep_until <= \(bind: cutoff) LIMIT \(bind: Self.purgeBatch)) RETURNING id
                """)
    }

    /// Rows a purge deletes in one statement at most.
    static let purgeBatch: Int64 = 1000

    /// Runs `statement`, a `DELETE … WHERE key IN (SELECT key … LIMIT purgeBatch) RETURNING key`,
    /// as operations of their own until one deletes fewer than ``purgeBatch`` rows; how many it
    /// deleted in all. A backlog (a database that filled while no purge ran) is deleted a
    /// thousand rows at a time: no transaction holds SQLite's write lock (or PostgreSQL's row
    /// locks) for long, requests go on between the batches, and no answer brings every key back
    /// into memory at once.
    func deleteInBatches(_ statement: BoundStatement) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await autocommit { db in try await db.all(statement).count }
            total += deleted
            if deleted < Self.purgeBatch { return total }
        }
    }

    // MARK: Audit

    public func appendAudit(_ event: AuditEvent) async throws {
        guard let userID = event.userID else {
            try await autocommit { db in try await Self.insert(event, on: db) }
            return
        }
        // The account's row is held (FOR SHARE) until the event is committed: a deletion, which
        // takes that row first (FOR UPDATE, `deleteUser`), waits for it and then deletes the event
        // with the account's others, or goes first and this finds no account.
        try await transaction { db in
            guard try await Self.lockUser(userID, .share, on: db) else { return }
            try await Self.insert(event, on: db)
        }
    }

    @inline(__always)
    static func insert(_ event: AuditEvent, on db: any SQLDatabase) async throws {
        try await db.run(BoundStatement("""
            INSERT INTO audit_events (id, user_id, kind, detail, at, ip, user_agent, credential_id) \
            VALUES (\(bytes: event.id.bytes), \(optionalBytes: event.userID?.bytes), \
            \(bind: event.kind.rawValue), \(bind: event.detail), \(bind: try Column.microseconds(event.at)), \
            \(optional: event.ip), \(optional: event.userAgent), \
            \(optionalBytes: event.credentialID?.bytes))
            """).prepared())
    }

    public func auditEvents(userID: UserHandle, limit: Int, before: AuditEvent.Cursor?) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        let cursor = try before.map { (try Column.microseconds($0.at), Data($0.id.bytes)) }
        return try await autocommit { db in
            let query = db.select().column("*").from("audit_events")
                .where("user_id", .equal, Data(userID.bytes))
            if let cursor {
                let (at, id) = cursor
                // Older than the cursor in (at, id) order, written out: not every dialect has row values.
                query.where(group: { group in
                    group.where("at", .lessThan, at)
                        .orWhere(group: { tie in tie.where("at", .equal, at).where("id", .lessThan, id) })
                })
            }
            return try await query
                .orderBy("at", .descending)
                .orderBy("id", .descending)
                .limit(limit)
                .all()
                .map { try RowReader(row: $0).auditEvent() }
        }
    }

    @discardableResult
    public func purgeAuditEvents(before cutoff: Date) async throws -> Int {
        let cutoff = try Column.microseconds(cutoff)
        return try await deleteInBatches("""
            DELETE FROM audit_events WHERE id IN \
            (SELECT id FROM audit_events WHERE at < \(bind: cutoff) LIMIT \(bind: Self.purgeBatch)) RETURNING id
            """)
    }

    // MARK: Sessions and accounts, for the person and for operators

    public func sessions(userID: UserHandle) async throws -> [SessionRecord] {
        try await autocommit { db in
            try await Self.sessions(userID: userID, on: db)
        }
    }

    @discardableResult
    public func deleteSessions(
        userID: UserHandle, keeping: [UInt8]?, audit events: @escaping @Sendable ([SessionRecord]) -> [AuditEvent]
    ) async throws -> [SessionRecord] {
        try await transaction { db in
            let delete = db.delete(from: "sessions").where("user_id", .equal, Data(userID.bytes))
            if let keeping { delete.where("token_hash", .notEqual, Data(keeping)) }
            let ended = try await delete.returning("*").all()
                .map { try RowReader(row: $0).session() }
                .sorted { a, b in
                    if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
                    return a.tokenHash.lexicographicallyPrecedes(b.tokenHash)
                }
            for event in events(ended) { try await Self.insert(event, on: db) }
            return ended
        }
    }

    public func users() async throws -> [UserRecord] {
        try await autocommit { db in
            try await db.select().column("*").from("users")
                .orderBy("username_normalized")
                .all()
                .map { try RowReader(row: $0).user() }
        }
    }

    public func setDisabled(userID: UserHandle, _ disabled: Bool, audit event: AuditEvent?) async throws -> UserRecord? {
        let key = Data(userID.bytes)
        return try await transaction { db in
            guard let updated = try await db.update("users")
                .set("disabled", to: disabled)
                .where("id", .equal, key)
                .returning("*")
                .first()
            else { return nil }
            if disabled {
                try await db.delete(from: "sessions").where("user_id", .equal, key).run()
                try await db.delete(from: "oauth_codes").where("user_id", .equal, key).run()
                try await db.delete(from: "oauth_tokens").where("user_id", .equal, key).run()
                // Used up, not deleted: they still count against the hourly cap.
                try await db.update("email_codes").set("used", to: true).where("user_id", .equal, key).run()
            }
            if let event { try await Self.insert(event, on: db) }
            return try RowReader(row: updated).user()
        }
    }

    // MARK: Statements shared by several operations

    /// Inserts a credential; `false` when its ID is taken.
    static func insert(_ credential: CredentialRecord, on db: any SQLDatabase) async throws -> Bool {
        try await db.insertedRow(BoundStatement("""
            INSERT INTO credentials (id, user_id, public_key, algorithm, sign_count, aaguid, attestation_format, \
            transports, backup_eligible, backed_up, name, created_at, last_used_at) \
            VALUES (\(bytes: credential.id.bytes), \(bytes: credential.userID.bytes), \
            \(bytes: credential.publicKey), \(bind: Int64(credential.algorithm)), \(bind: Int64(credential.signCount)), \
            \(bytes: credential.aaguid.bytes), \(bind: credential.attestationFormat), \
            \(bind: Column.json(credential.transports)), \(bind: credential.backupEligible), \(bind: credential.backedUp), \
            \(bind: credential.name), \(bind: try Column.microseconds(credential.createdAt)), \
            \(optional: try credential.lastUsedAt.map(Column.microseconds))) \
            ON CONFLICT DO NOTHING
            """).prepared())
    }

    @inline(__always)
    static func insert(_ session: SessionRecord, on db: any SQLDatabase) async throws {
        try await db.run(BoundStatement("""
            INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, credential_id, ip, user_agent, \
            recovery, sign_in_method) \
            VALUES (\(bytes: session.tokenHash), \(bytes: session.userID.bytes), \
            \(bind: try Column.microseconds(session.createdAt)), \(bind: try Column.microseconds(session.lastSeenAt)), \
            \(bind: try Column.microseconds(session.expiresAt)), \(optionalBytes: session.credentialID?.bytes), \
            \(optional: session.ip), \(optional: session.userAgent), \(bind: session.recovery), \
            \(bind: session.method.rawValue))
            """).prepared())
    }

    private static func sessions(userID: UserHandle, on db: any SQLDatabase) async throws -> [SessionRecord] {
        try await db.select().column("*").from("sessions")
            .where("user_id", .equal, Data(userID.bytes))
            .orderBy("created_at")
            .orderBy("token_hash")
            .all()
            .map { try RowReader(row: $0).session() }
    }

    /// Whether the account exists, locking its row until the transaction ends where the dialect
    /// has row locks (PostgreSQL; SQLKit leaves the clause out for SQLite, whose transactions
    /// already exclude each other).
    /// How an operation holds an account's row until it commits (PostgreSQL; SQLite's write
    /// transactions exclude each other whole, and its dialect writes no lock).
    enum UserLock: SQLExpression {
        /// `FOR KEY SHARE`: the account stays while the operation writes rows that belong to it
        /// (as a foreign key's check holds it), and ``update`` holders go on.
        case share
        /// `FOR NO KEY UPDATE`: one such operation on an account at a time. It does not wait for,
        /// nor hold up, the foreign-key checks of rows other operations add for the account (a
        /// sign-in's new session), so it cannot deadlock with them.
        case update
        /// `FOR UPDATE`: deleting the account; foreign-key checks wait for it.
        case delete

        func serialize(to serializer: inout SQLSerializer) {
            guard serializer.dialect.exclusiveSelectLockExpression != nil else { return }
            switch self {
            case .share: serializer.write("FOR KEY SHARE")
            case .update: serializer.write("FOR NO KEY UPDATE")
            case .delete: serializer.write("FOR UPDATE")
            }
        }
    }

    static func lockUser(_ id: UserHandle, _ mode: UserLock, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("id").from("users")
            .where("id", .equal, Data(id.bytes))
            .lockingClause(mode)
            .first() != nil
    }

    // MARK: Running statements

    /// Runs `body`'s statements, each its own transaction. `retryingDeadlocks` (only for a body
    /// whose one write is its first statement, so that a deadlock there wrote nothing) runs it
    /// again as ``transaction(_:)`` does.
    func autocommit<R: Sendable>(
        retryingDeadlocks: Bool = false, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await model.withDatabase(body)
            } catch where retryingDeadlocks && attempt < Self.transactionAttempts && Self.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// Statements that only read, as one read transaction where the connection model makes one
    /// (``SQLConnectionModel/read(_:)``).
    func reading<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            return try await model.read(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` in one transaction. On PostgreSQL a transaction the server ended to break a
    /// deadlock (or a serialization failure) changed nothing, so it runs again, up to
    /// ``transactionAttempts`` times in all, after a short random pause.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await model.transaction(body)
            } catch where attempt < Self.transactionAttempts && Self.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// How many times a transaction runs before a deadlock is reported as a failure.
    static let transactionAttempts = 3

    /// A ``StoreError`` as it is; a driver error that means the database cannot be reached as
    /// ``StoreError/Code-swift.struct/unavailable``; any other error as a failure.
    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if isUnavailable(error) { return .unavailable(describe(error)) }
        return .failure(describe(error))
    }
}

/// One step of the schema as the database records it.
public struct AppliedMigration: Sendable, Hashable {
    /// The step's number; steps run in order of it.
    public let version: Int
    /// What the step does, in a word or two (`initial`, `shared_state`).
    public let name: String
    /// When it was applied to this database.
    public let appliedAt: Date
}
