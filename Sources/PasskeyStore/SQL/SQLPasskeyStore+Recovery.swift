import Foundation
import SQLKit
import WebAuthn

extension SQLPasskeyStore {
    // MARK: Email codes, recovery and imported passwords

    public func importUser(_ user: UserRecord, passwordHash: String?, audit event: AuditEvent?) async throws {
        try await transaction { db in
            let normalized = user.normalizedUsername
            let inserted = try await db.insert(into: "users")
                .columns("id", "username", "username_normalized", "display_name", "created_at", "email_verified", "password_hash")
                .values([
                    Column.bytes(user.id.bytes),
                    SQLBind(user.username),
                    SQLBind(normalized),
                    SQLBind(user.displayName),
                    SQLBind(try Column.microseconds(user.createdAt)),
                    SQLBind(user.emailVerified),
                    Column.optional(passwordHash),
                ] as [any SQLExpression])
                .ignoringConflicts()
                .returning("id")
                .first()
            guard inserted != nil else {
                let holder = try await db.select().column("id").from("users")
                    .where("username_normalized", .equal, normalized)
                    .first()
                throw holder != nil ? StoreError.usernameTaken : StoreError.failure("a user with this handle exists")
            }
            if let event { try await Self.insert(event, on: db) }
        }
    }

    public func passwordHash(userID: UserHandle) async throws -> String? {
        try await autocommit { db in
            guard let row = try await db.select().column("password_hash").from("users")
                .where("id", .equal, Data(userID.bytes))
                .first()
            else { return nil }
            return try RowReader(row: row).optionalString("password_hash")
        }
    }

    public func removePassword(
        userID: UserHandle, keepingSession: [UInt8]?, audit event: AuditEvent?
    ) async throws -> RemovePasswordResult {
        let key = Data(userID.bytes)
        return try await transaction { db in
            // A concurrent delete of the last passkey waits for this lock (PostgreSQL); SQLite's
            // BEGIN IMMEDIATE serializes the two already.
            guard try await Self.lockUser(userID, .update, on: db) else { return .noPassword }
            guard let row = try await db.select().column("password_hash").from("users").where("id", .equal, key).first(),
                  try RowReader(row: row).optionalString("password_hash") != nil
            else { return .noPassword }
            let passkey = try await db.select().column("id").from("credentials").where("user_id", .equal, key).limit(1).first()
            guard passkey != nil else { return .noPasskey }
            try await db.update("users").set("password_hash", to: SQLLiteral.null).where("id", .equal, key).run()
            let sessions = db.delete(from: "sessions").where("user_id", .equal, key)
            if let keepingSession { sessions.where("token_hash", .notEqual, Data(keepingSession)) }
            // A row from before migration 6 was a password session when neither a passkey nor a
            // recovery code opened it (SignInMethod.legacy).
            try await sessions.where(group: { opened in
                opened.where("sign_in_method", .equal, SignInMethod.password.rawValue)
                    .orWhere(group: { legacy in
                        legacy.where("sign_in_method", .is, SQLLiteral.null)
                            .where("credential_id", .is, SQLLiteral.null)
                            .where("recovery", .equal, false)
                    })
            }).run()
            if let event { try await Self.insert(event, on: db) }
            return .removed
        }
    }

    public func issueEmailCode(_ code: EmailCodeRecord, maximumPerHour: Int) async throws -> IssueEmailCodeResult {
        let userKey = Data(code.userID.bytes)
        return try await transaction { db in
            // Two concurrent requests for codes queue here, so the cap holds.
            guard try await Self.lockUser(code.userID, .update, on: db) else { throw StoreError.userNotFound }
            let windowStart = try Column.microseconds(code.createdAt.addingTimeInterval(-EmailCodeRecord.capWindow))
            let recent = try await db.select().column("created_at").from("email_codes")
                .where("user_id", .equal, userKey)
                .where("purpose", .equal, code.purpose.rawValue)
                .where("created_at", .greaterThan, windowStart)
                .orderBy("created_at", .descending)
                .limit(max(maximumPerHour, 0))
                .all(decodingColumn: "created_at", as: Int64.self)
            if recent.count >= maximumPerHour {
                let oldest = Column.date(microseconds: recent.min() ?? windowStart)
                return .capped(until: oldest.addingTimeInterval(EmailCodeRecord.capWindow))
            }
            // Earlier live codes stay live: anyone may ask for a code to an address, and a request
            // that ended the code the person already has would let them keep it from working.
            try await db.insert(into: "email_codes")
                .columns("id", "user_id", "purpose", "code_hash", "attempts", "used", "created_at", "expires_at")
                .values([
                    Column.bytes(code.id.bytes),
                    Column.bytes(code.userID.bytes),
                    SQLBind(code.purpose.rawValue),
                    Column.bytes(code.codeHash),
                    SQLBind(Int64(code.attempts)),
                    SQLBind(code.used),
                    SQLBind(try Column.microseconds(code.createdAt)),
                    SQLBind(try Column.microseconds(code.expiresAt)),
                ] as [any SQLExpression])
                .run()
            return .issued
        }
    }

    public func redeemEmailCode(
        userID: UserHandle, purpose: EmailCodeRecord.Purpose, codeHash: [UInt8], at now: Date, maximumAttempts: Int,
        session: SessionRecord?, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> UserRecord? {
        let userKey = Data(userID.bytes)
        let nowValue = try Column.microseconds(now)
        if let session, session.userID != userID {
            throw StoreError.failure("the session belongs to another account")
        }
        return try await transaction { db in
            // Concurrent guesses queue here, so each counts and only one can redeem a code.
            guard try await Self.lockUser(userID, .update, on: db) else { return nil }
            let live = try await db.select().columns("id", "code_hash").from("email_codes")
                .where("user_id", .equal, userKey)
                .where("purpose", .equal, purpose.rawValue)
                .where("used", .equal, false)
                .where("expires_at", .greaterThan, nowValue)
                .where("attempts", .lessThan, Int64(maximumAttempts))
                .all()
            var matched = false
            for row in live where constantTimeEquals(try RowReader(row: row).bytes("code_hash"), codeHash) { matched = true }
            guard matched else {
                // A wrong try counts against every live code, so more live codes give no more tries.
                let ids = try live.map { Data(try RowReader(row: $0).bytes("id")) }
                if !ids.isEmpty {
                    try await db.update("email_codes")
                        .set(SQLIdentifier("attempts"), to: SQLBinaryExpression(SQLIdentifier("attempts"), .add, SQLLiteral.numeric("1")))
                        .where("id", .in, ids)
                        .run()
                }
                return nil
            }
            // One redeemed code ends every other of its purpose.
            try await db.update("email_codes").set("used", to: true)
                .where("user_id", .equal, userKey)
                .where("purpose", .equal, purpose.rawValue)
                .run()
            if purpose == .recovery {
                // Recovery signs out everywhere else: every session and every application's tokens.
                try await db.delete(from: "sessions").where("user_id", .equal, userKey).run()
                try await db.delete(from: "oauth_codes").where("user_id", .equal, userKey).run()
                try await db.delete(from: "oauth_tokens").where("user_id", .equal, userKey).run()
                // An address no one had proved yet: whatever signed in to the account before was
                // never shown to be its owner's, so its passkeys, password and consents go.
                let wasVerified = try await db.select().column("email_verified").from("users")
                    .where("id", .equal, userKey)
                    .first()
                    .map { try RowReader(row: $0).bool("email_verified") } ?? false
                if !wasVerified {
                    try await db.delete(from: "credentials").where("user_id", .equal, userKey).run()
                    try await db.update("users").set("password_hash", to: SQLLiteral.null).where("id", .equal, userKey).run()
                    try await db.delete(from: "oauth_consents").where("user_id", .equal, userKey).run()
                }
            }
            // A recovery code proves the address as much as a verification code does.
            guard let updated = try await db.update("users")
                .set("email_verified", to: true)
                .where("id", .equal, userKey)
                .returning("*")
                .first()
            else { return nil }
            if purpose == .recovery, let session {
                try await Self.insert(session, on: db)
            }
            if let previous, previous != session?.tokenHash {
                try await db.delete(from: "sessions").where("token_hash", .equal, Data(previous)).run()
            }
            if let event { try await Self.insert(event, on: db) }
            return try RowReader(row: updated).user()
        }
    }

    @discardableResult
    public func purgeEmailCodes(now: Date) async throws -> Int {
        let cutoff = try Column.microseconds(now)
        let windowStart = try Column.microseconds(now.addingTimeInterval(-EmailCodeRecord.capWindow))
        return try await deleteInBatches("""
            DELETE FROM email_codes WHERE id IN (SELECT id FROM email_codes \
            WHERE expires_at <= \(bind: cutoff) AND created_at <= \(bind: windowStart) LIMIT \(bind: Self.purgeBatch)) RETURNING id
            """)
    }
}
