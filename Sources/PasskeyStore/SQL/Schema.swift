import Foundation
import SQLKit

/// The store's tables, built with SQLKit so the same definitions serve SQLite and PostgreSQL.
///
/// Portable choices: binary values are `BLOB` (`BYTEA` on PostgreSQL, through the dialect), times
/// are `BIGINT` microseconds since 1970 (SQLKit's `REAL` is single precision on PostgreSQL),
/// booleans are SQL `BOOLEAN` (an integer 0/1 on SQLite), string lists are JSON text.
enum Schema {
    /// One step of the schema. Steps run in order, each once, each in its own transaction
    /// together with the row that records it in `schema_migrations`.
    struct Migration: Sendable {
        let version: Int
        let name: String
        let apply: @Sendable (any SQLDatabase) async throws -> Void
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "initial", apply: createInitialTables),
        Migration(version: 2, name: "sessions, activity and disabled accounts", apply: addOperations),
        Migration(version: 3, name: "openid_provider", apply: createOpenIDTables),
        Migration(version: 4, name: "email codes, recovery sessions, imported passwords", apply: addRecovery),
        Migration(version: 5, name: "shared_state", apply: createSharedStateTables),
        Migration(version: 6, name: "sign_in_method", apply: addSignInMethod),
        Migration(version: 7, name: "spent_ceremonies", apply: createSpentCeremonies),
        Migration(version: 8, name: "sessions found by account, not passkey", apply: dropSessionsByCredentialIndex),
    ]

    /// Brings the database up to the newest version; a database already there is left as it is.
    ///
    /// Migrations are forward-only: a step is never undone or changed once released, and a
    /// database newer than this program (versions it does not know) is left as it is.
    ///
    /// Two processes opening one database at once are safe. On PostgreSQL each step's transaction
    /// first takes an advisory lock (``lockMigrations(_:)``), so steps run one process at a time
    /// and the second process finds them applied. On SQLite `BEGIN IMMEDIATE` does the same; and
    /// should a step still collide on its version row, it is retried after reading the versions again.
    static func migrate(_ model: any SQLConnectionModel) async throws {
        try await model.transaction { db in
            try await lockMigrations(db)
            try await db.create(table: "schema_migrations")
                .ifNotExists()
                .column("version", type: .bigint, .primaryKey(autoIncrement: false), .notNull)
                .column("name", type: .text, .notNull)
                .column("applied_at", type: .bigint, .notNull)
                .run()
        }
        for migration in migrations {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try await apply(migration, with: model)
                    break
                } catch where attempt < 2 {
                    continue
                }
            }
        }
    }

    private static func apply(_ migration: Migration, with model: any SQLConnectionModel) async throws {
        try await model.transaction { db in
            try await lockMigrations(db)
            let applied = try await db.select()
                .column("version")
                .from("schema_migrations")
                .where("version", .equal, Int64(migration.version))
                .first()
            guard applied == nil else { return }
            try await migration.apply(db)
            try await db.insert(into: "schema_migrations")
                .columns("version", "name", "applied_at")
                .values(Int64(migration.version), migration.name, try Column.microseconds(Date()))
                .run()
        }
    }

    /// The advisory lock that migrations hold on PostgreSQL until their transaction ends
    /// (a constant key: "passkeys" in ASCII). `CREATE TABLE IF NOT EXISTS` alone is not safe
    /// there: two sessions creating one table at once can fail on the catalog's unique index.
    static func lockMigrations(_ db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql" else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(literal: migrationLockKey))").run()
    }

    static let migrationLockKey: Int64 = 0x7061_7373_6b65_7973

    /// The highest applied version, `0` for an empty database.
    static func currentVersion(_ model: any SQLConnectionModel) async throws -> Int {
        try await model.withDatabase { db in
            let versions = try await db.select()
                .column("version")
                .from("schema_migrations")
                .all(decodingColumn: "version", as: Int64.self)
            return Int(versions.max() ?? 0)
        }
    }

    private static func createInitialTables(_ db: any SQLDatabase) async throws {
        let boolean = SQLDataType.custom(SQLRaw("BOOLEAN"))

        try await db.create(table: "users")
            .column("id", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("username", type: .text, .notNull)
            .column("username_normalized", type: .text, .notNull, .unique)
            .column("display_name", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()

        try await db.create(table: "credentials")
            .column("id", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("public_key", type: .blob, .notNull)
            .column("algorithm", type: .bigint, .notNull)
            .column("sign_count", type: .bigint, .notNull)
            .column("aaguid", type: .blob, .notNull)
            .column("attestation_format", type: .text, .notNull)
            .column("transports", type: .text, .notNull)
            .column("backup_eligible", type: boolean, .notNull)
            .column("backed_up", type: boolean, .notNull)
            .column("name", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("last_used_at", type: .bigint)
            .run()
        try await db.create(index: "credentials_user_id").on("credentials").column("user_id").run()

        // No foreign key on user_id: a sign-up ceremony names an account that does not exist yet.
        try await db.create(table: "ceremonies")
            .column("id", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("kind", type: .text, .notNull)
            .column("challenge", type: .blob, .notNull)
            .column("user_id", type: .blob)
            .column("username", type: .text)
            .column("display_name", type: .text)
            .column("state", type: .blob, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "ceremonies_expires_at").on("ceremonies").column("expires_at").run()
        try await db.create(index: "ceremonies_user_id").on("ceremonies").column("user_id").run()

        try await db.create(table: "sessions")
            .column("token_hash", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("created_at", type: .bigint, .notNull)
            .column("last_seen_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "sessions_expires_at").on("sessions").column("expires_at").run()
        try await db.create(index: "sessions_last_seen_at").on("sessions").column("last_seen_at").run()
        try await db.create(index: "sessions_user_id").on("sessions").column("user_id").run()

        try await db.create(table: "audit_events")
            .column("id", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("user_id", type: .blob)
            .column("kind", type: .text, .notNull)
            .column("detail", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "audit_events_user_id_at").on("audit_events").column("user_id").column("at").run()
    }

    /// Which passkey opened a session and from where; where and with which passkey an audit
    /// event happened; an account an operator turned off.
    private static func addOperations(_ db: any SQLDatabase) async throws {
        let boolean = SQLDataType.custom(SQLRaw("BOOLEAN"))
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        try await db.alter(table: "users")
            .column("disabled", type: boolean, .notNull, .default(false))
            .run()
        for (column, type) in [("credential_id", SQLDataType.blob), ("ip", .text), ("user_agent", .text)] {
            try await db.alter(table: "sessions").column(column, type: type).run()
            try await db.alter(table: "audit_events").column(column, type: type).run()
        }
        try await db.create(index: "sessions_credential_id").on("sessions").column("credential_id").run()
        try await db.create(index: "audit_events_at").on("audit_events").column("at").run()
    }
}
