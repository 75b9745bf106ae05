import Foundation
import SQLKit
import WebAuthn

extension SQLPasskeyStore {
    // MARK: OpenID Provider: clients

    public func insertClient(_ client: OAuthClientRecord) async throws {
        try await autocommit { db in
            let inserted = try await db.insert(into: "oauth_clients")
                .columns("id", "name", "secret_hash", "redirect_uris", "post_logout_redirect_uris", "trusted", "id_token_alg", "created_at")
                .values([
                    SQLBind(client.id),
                    SQLBind(client.name),
                    Column.optional(client.secretHash.map { Data($0) }),
                    SQLBind(Column.json(client.redirectURIs)),
                    SQLBind(Column.json(client.postLogoutRedirectURIs)),
                    SQLBind(client.trusted),
                    SQLBind(client.idTokenAlgorithm),
                    SQLBind(try Column.microseconds(client.createdAt)),
                ] as [any SQLExpression])
                .ignoringConflicts()
                .returning("id")
                .first()
            guard inserted != nil else { throw StoreError.clientExists }
        }
    }

    public func client(id: String) async throws -> OAuthClientRecord? {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_clients")
                .where("id", .equal, id)
                .first()
                .map { try RowReader(row: $0).client() }
        }
    }

    public func clients() async throws -> [OAuthClientRecord] {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_clients")
                .orderBy("created_at")
                .orderBy("id")
                .all()
                .map { try RowReader(row: $0).client() }
        }
    }

    @discardableResult
    public func updateClientSecret(id: String, secretHash: [UInt8]?) async throws -> Bool {
        try await autocommit { db in
            try await db.update("oauth_clients")
                .set("secret_hash", to: Column.optional(secretHash.map { Data($0) }))
                .where("id", .equal, id)
                .returning("id")
                .first() != nil
        }
    }

    @discardableResult
    public func deleteClient(id: String) async throws -> Bool {
        try await transaction { db in
            for table in ["oauth_codes", "oauth_tokens", "oauth_consents"] {
                try await db.delete(from: table).where("client_id", .equal, id).run()
            }
            return try await db.delete(from: "oauth_clients").where("id", .equal, id).returning("id").first() != nil
        }
    }

    // MARK: OpenID Provider: signing keys

    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await autocommit { db in try await Self.signingKeys(on: db) }
    }

    public func addSigningKeysIfMissing(_ keys: [SigningKeyRecord]) async throws -> [SigningKeyRecord] {
        try await transaction { db in
            let current = try await Self.signingKeys(on: db).filter { $0.retiredAt == nil }
            for key in keys where !current.contains(where: { $0.algorithm == key.algorithm }) {
                try await Self.insert(key, on: db)
            }
            return try await Self.signingKeys(on: db)
        }
    }

    public func rotateSigningKeys(_ keys: [SigningKeyRecord], at: Date) async throws {
        let retiredAt = try Column.microseconds(at)
        try await transaction { db in
            for algorithm in Set(keys.map(\.algorithm)) {
                try await db.update("oauth_signing_keys")
                    .set("retired_at", to: retiredAt)
                    .where("algorithm", .equal, algorithm)
                    .where("retired_at", .is, SQLLiteral.null)
                    .run()
            }
            for key in keys { try await Self.insert(key, on: db) }
        }
    }

    private static func signingKeys(on db: any SQLDatabase) async throws -> [SigningKeyRecord] {
        try await db.select().column("*").from("oauth_signing_keys")
            .orderBy("created_at")
            .orderBy("id")
            .all()
            .map { try RowReader(row: $0).signingKey() }
    }

    private static func insert(_ key: SigningKeyRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "oauth_signing_keys")
            .columns("id", "algorithm", "private_key", "created_at", "retired_at")
            .values([
                SQLBind(key.id),
                SQLBind(key.algorithm),
                SQLBind(key.privateKeyPEM),
                SQLBind(try Column.microseconds(key.createdAt)),
                Column.optional(try key.retiredAt.map(Column.microseconds)),
            ] as [any SQLExpression])
            .run()
    }

    // MARK: OpenID Provider: codes and tokens

    public func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws {
        try await transaction { db in
            try await Self.requireParents(userID: code.userID, clientID: code.clientID, on: db)
            try await db.insert(into: "oauth_codes")
                .columns(
                    "code_hash", "grant_id", "client_id", "user_id", "redirect_uri", "scopes", "nonce", "code_challenge",
                    "auth_time", "created_at", "expires_at", "used_at", "sign_in_method")
                .values([
                    Column.bytes(code.codeHash),
                    SQLBind(code.grantID),
                    SQLBind(code.clientID),
                    Column.bytes(code.userID.bytes),
                    SQLBind(code.redirectURI),
                    SQLBind(Column.json(code.scopes)),
                    Column.optional(code.nonce),
                    Column.optional(code.codeChallenge),
                    SQLBind(try Column.microseconds(code.authTime)),
                    SQLBind(try Column.microseconds(code.createdAt)),
                    SQLBind(try Column.microseconds(code.expiresAt)),
                    Column.optional(try code.usedAt.map(Column.microseconds)),
                    SQLBind(code.method.rawValue),
                ] as [any SQLExpression])
                .run()
        }
    }

    public func authorizationCode(codeHash: [UInt8]) async throws -> AuthorizationCodeRecord? {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_codes")
                .where("code_hash", .equal, Data(codeHash))
                .first()
                .map { try RowReader(row: $0).authorizationCode() }
        }
    }

    public func redeemAuthorizationCode(
        codeHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]
    ) async throws -> CodeRedemption {
        let usedAt = try Column.microseconds(at)
        return try await transaction { db in
            // Compare and set: of two concurrent redemptions only one sees used_at empty.
            let redeemed = try await db.update("oauth_codes")
                .set("used_at", to: usedAt)
                .where("code_hash", .equal, Data(codeHash))
                .where("used_at", .is, SQLLiteral.null)
                .returning("grant_id")
                .first()
            if redeemed != nil {
                for token in tokens { try await Self.insert(token, on: db) }
                return .redeemed
            }
            guard let code = try await db.select().column("grant_id").from("oauth_codes")
                .where("code_hash", .equal, Data(codeHash))
                .first()
            else { return .unknown }
            let grantID = try code.decode(column: "grant_id", as: String.self)
            try await db.delete(from: "oauth_tokens").where("grant_id", .equal, grantID).run()
            return .replayed
        }
    }

    public func oauthToken(tokenHash: [UInt8]) async throws -> OAuthTokenRecord? {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_tokens")
                .where("token_hash", .equal, Data(tokenHash))
                .first()
                .map { try RowReader(row: $0).oauthToken() }
        }
    }

    public func liveOAuthTokens(userID: UserHandle, at: Date) async throws -> [OAuthTokenRecord] {
        let now = try Column.microseconds(at)
        return try await autocommit { db in
            try await db.select().column("*").from("oauth_tokens")
                .where("user_id", .equal, Data(userID.bytes))
                .where("expires_at", .greaterThan, now)
                .where("rotated_at", .is, SQLLiteral.null)
                .orderBy("created_at")
                .orderBy("token_hash")
                .all()
                .map { try RowReader(row: $0).oauthToken() }
        }
    }

    public func rotateRefreshToken(
        tokenHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]
    ) async throws -> RefreshRotation {
        let rotatedAt = try Column.microseconds(at)
        return try await transaction { db in
            let rotated = try await db.update("oauth_tokens")
                .set("rotated_at", to: rotatedAt)
                .where("token_hash", .equal, Data(tokenHash))
                .where("kind", .equal, OAuthTokenRecord.Kind.refresh.rawValue)
                .where("rotated_at", .is, SQLLiteral.null)
                .returning("grant_id")
                .first()
            if rotated != nil {
                for token in tokens { try await Self.insert(token, on: db) }
                return .rotated
            }
            guard let token = try await db.select().column("grant_id").from("oauth_tokens")
                .where("token_hash", .equal, Data(tokenHash))
                .where("kind", .equal, OAuthTokenRecord.Kind.refresh.rawValue)
                .first()
            else { return .unknown }
            let grantID = try token.decode(column: "grant_id", as: String.self)
            try await db.delete(from: "oauth_tokens").where("grant_id", .equal, grantID).run()
            return .reused
        }
    }

    public func deleteOAuthToken(tokenHash: [UInt8]) async throws {
        try await autocommit { db in
            try await db.delete(from: "oauth_tokens").where("token_hash", .equal, Data(tokenHash)).run()
        }
    }

    public func revokeGrant(id: String) async throws {
        try await autocommit { db in
            try await db.delete(from: "oauth_tokens").where("grant_id", .equal, id).run()
        }
    }

    @discardableResult
    public func revokeOAuthTokens(userID: UserHandle) async throws -> Int {
        let key = Data(userID.bytes)
        return try await transaction { db in
            try await db.delete(from: "oauth_codes").where("user_id", .equal, key).run()
            return try await db.delete(from: "oauth_tokens").where("user_id", .equal, key).returning("token_hash").all().count
        }
    }

    @discardableResult
    public func purgeExpiredOAuth(now: Date) async throws -> Int {
        let cutoff = try Column.microseconds(now)
        return try await deleteInBatches("""
            DELETE FROM oauth_codes WHERE code_hash IN \
            (SELECT code_hash FROM oauth_codes WHERE expires_at <= \(bind: cutoff) LIMIT \(bind: Self.purgeBatch)) RETURNING code_hash
            """)
            + deleteInBatches("""
                DELETE FROM oauth_tokens WHERE token_hash IN \
                (SELECT token_hash FROM oauth_tokens WHERE expires_at <= \(bind: cutoff) LIMIT \(bind: Self.purgeBatch)) RETURNING token_hash
                """)
    }

    private static func insert(_ token: OAuthTokenRecord, on db: any SQLDatabase) async throws {
        try await requireParents(userID: token.userID, clientID: token.clientID, on: db)
        try await db.insert(into: "oauth_tokens")
            .columns(
                "token_hash", "kind", "grant_id", "client_id", "user_id", "scopes", "auth_time", "created_at",
                "expires_at", "rotated_at", "sign_in_method")
            .values([
                Column.bytes(token.tokenHash),
                SQLBind(token.kind.rawValue),
                SQLBind(token.grantID),
                SQLBind(token.clientID),
                Column.bytes(token.userID.bytes),
                SQLBind(Column.json(token.scopes)),
                SQLBind(try Column.microseconds(token.authTime)),
                SQLBind(try Column.microseconds(token.createdAt)),
                SQLBind(try Column.microseconds(token.expiresAt)),
                Column.optional(try token.rotatedAt.map(Column.microseconds)),
                SQLBind(token.method.rawValue),
            ] as [any SQLExpression])
            .run()
    }

    /// Throws ``StoreError/userNotFound`` or ``StoreError/clientNotFound`` when a record would
    /// name an account or application that is gone (rather than a foreign-key failure).
    private static func requireParents(userID: UserHandle, clientID: String, on db: any SQLDatabase) async throws {
        guard try await db.select().column("id").from("users").where("id", .equal, Data(userID.bytes)).first() != nil else {
            throw StoreError.userNotFound
        }
        guard try await db.select().column("id").from("oauth_clients").where("id", .equal, clientID).first() != nil else {
            throw StoreError.clientNotFound
        }
    }

    // MARK: OpenID Provider: consent

    public func consent(userID: UserHandle, clientID: String) async throws -> ConsentRecord? {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_consents")
                .where("user_id", .equal, Data(userID.bytes))
                .where("client_id", .equal, clientID)
                .first()
                .map { try RowReader(row: $0).consent() }
        }
    }

    public func saveConsent(_ consent: ConsentRecord, audit event: AuditEvent?) async throws {
        try await transaction { db in
            try await Self.requireParents(userID: consent.userID, clientID: consent.clientID, on: db)
            try await db.delete(from: "oauth_consents")
                .where("user_id", .equal, Data(consent.userID.bytes))
                .where("client_id", .equal, consent.clientID)
                .run()
            try await db.insert(into: "oauth_consents")
                .columns("user_id", "client_id", "scopes", "granted_at")
                .values([
                    Column.bytes(consent.userID.bytes),
                    SQLBind(consent.clientID),
                    SQLBind(Column.json(consent.scopes)),
                    SQLBind(try Column.microseconds(consent.grantedAt)),
                ] as [any SQLExpression])
                .run()
            if let event { try await Self.insert(event, on: db) }
        }
    }

    public func consents(userID: UserHandle) async throws -> [ConsentRecord] {
        try await autocommit { db in
            try await db.select().column("*").from("oauth_consents")
                .where("user_id", .equal, Data(userID.bytes))
                .orderBy("granted_at")
                .orderBy("client_id")
                .all()
                .map { try RowReader(row: $0).consent() }
        }
    }

    @discardableResult
    public func removeAccess(userID: UserHandle, clientID: String, at: Date, audit event: AuditEvent?) async throws -> Bool {
        let key = Data(userID.bytes)
        let now = try Column.microseconds(at)
        return try await transaction { db in
            try await db.delete(from: "oauth_codes").where("user_id", .equal, key).where("client_id", .equal, clientID).run()
            // The live tokens first (as liveOAuthTokens counts them: few), then the rest (rotated
            // refresh tokens kept to notice reuse, expired ones not purged yet: possibly many).
            let liveTokens = try await db.delete(from: "oauth_tokens")
                .where("user_id", .equal, key)
                .where("client_id", .equal, clientID)
                .where("expires_at", .greaterThan, now)
                .where("rotated_at", .is, SQLLiteral.null)
                .returning("token_hash")
                .all()
            try await db.delete(from: "oauth_tokens").where("user_id", .equal, key).where("client_id", .equal, clientID).run()
            let consent = try await db.delete(from: "oauth_consents")
                .where("user_id", .equal, key)
                .where("client_id", .equal, clientID)
                .returning("client_id")
                .first()
            guard consent != nil || !liveTokens.isEmpty else { return false }
            if let event { try await Self.insert(event, on: db) }
            return true
        }
    }
}

extension RowReader {
    func stringList(_ column: String) throws -> [String] {
        do {
            return try JSONDecoder().decode([String].self, from: Data(try string(column).utf8))
        } catch {
            throw StoreError.failure("column \(column) is not a JSON list of strings")
        }
    }

    func client() throws -> OAuthClientRecord {
        OAuthClientRecord(
            id: try string("id"),
            name: try string("name"),
            secretHash: try optionalBytes("secret_hash"),
            redirectURIs: try stringList("redirect_uris"),
            postLogoutRedirectURIs: try stringList("post_logout_redirect_uris"),
            trusted: try bool("trusted"),
            idTokenAlgorithm: try string("id_token_alg"),
            createdAt: try date("created_at")
        )
    }

    func signingKey() throws -> SigningKeyRecord {
        SigningKeyRecord(
            id: try string("id"),
            algorithm: try string("algorithm"),
            privateKeyPEM: try string("private_key"),
            createdAt: try date("created_at"),
            retiredAt: try optionalDate("retired_at")
        )
    }

    func authorizationCode() throws -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            codeHash: try bytes("code_hash"),
            grantID: try string("grant_id"),
            clientID: try string("client_id"),
            userID: try userHandle("user_id"),
            redirectURI: try string("redirect_uri"),
            scopes: try stringList("scopes"),
            nonce: try optionalString("nonce"),
            codeChallenge: try optionalString("code_challenge"),
            authTime: try date("auth_time"),
            method: try signInMethod() ?? .passkey,
            createdAt: try date("created_at"),
            expiresAt: try date("expires_at"),
            usedAt: try optionalDate("used_at")
        )
    }

    func oauthToken() throws -> OAuthTokenRecord {
        let kindName = try string("kind")
        guard let kind = OAuthTokenRecord.Kind(rawValue: kindName) else {
            throw StoreError.failure("column kind holds an unknown token kind \(kindName)")
        }
        return OAuthTokenRecord(
            tokenHash: try bytes("token_hash"),
            kind: kind,
            grantID: try string("grant_id"),
            clientID: try string("client_id"),
            userID: try userHandle("user_id"),
            scopes: try stringList("scopes"),
            authTime: try date("auth_time"),
            method: try signInMethod() ?? .passkey,
            createdAt: try date("created_at"),
            expiresAt: try date("expires_at"),
            rotatedAt: try optionalDate("rotated_at")
        )
    }

    func consent() throws -> ConsentRecord {
        ConsentRecord(
            userID: try userHandle("user_id"),
            clientID: try string("client_id"),
            scopes: try stringList("scopes"),
            grantedAt: try date("granted_at")
        )
    }
}
