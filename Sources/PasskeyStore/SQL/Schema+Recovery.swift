import Foundation
import SQLKit

extension Schema {
    /// Migration 4: whether an account's address is verified, an imported password hash, recovery
    /// sessions, and the email codes (verification and recovery), kept hashed.
    static func addRecovery(_ db: any SQLDatabase) async throws {
        let boolean = SQLDataType.custom(SQLRaw("BOOLEAN"))
        // One column per statement: SQLite alters one column at a time.
        try await db.alter(table: "users").column("email_verified", type: boolean, .notNull, .default(false)).run()
        try await db.alter(table: "users").column("password_hash", type: .text).run()
        try await db.alter(table: "sessions").column("recovery", type: boolean, .notNull, .default(false)).run()

        try await db.create(table: "email_codes")
            .column("id", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("purpose", type: .text, .notNull)
            .column("code_hash", type: .blob, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("used", type: boolean, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "email_codes_user_purpose_created")
            .on("email_codes").column("user_id").column("purpose").column("created_at").run()
        try await db.create(index: "email_codes_expires_at").on("email_codes").column("expires_at").run()
    }
}
