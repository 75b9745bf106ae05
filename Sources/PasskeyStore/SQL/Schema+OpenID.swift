import Foundation
import SQLKit

extension Schema {
    /// Migration 3: the OpenID Provider's clients, signing keys, codes, tokens and consents.
    /// Codes and tokens are stored as SHA-256 hashes; client secrets too.
    static func createOpenIDTables(_ db: any SQLDatabase) async throws {
        let boolean = SQLDataType.custom(SQLRaw("BOOLEAN"))

        try await db.create(table: "oauth_clients")
            .column("id", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("name", type: .text, .notNull)
            .column("secret_hash", type: .blob)
            .column("redirect_uris", type: .text, .notNull)
            .column("post_logout_redirect_uris", type: .text, .notNull)
            .column("trusted", type: boolean, .notNull)
            .column("id_token_alg", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()

        try await db.create(table: "oauth_signing_keys")
            .column("id", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("algorithm", type: .text, .notNull)
            .column("private_key", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("retired_at", type: .bigint)
            .run()

        try await db.create(table: "oauth_codes")
            .column("code_hash", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("grant_id", type: .text, .notNull)
            .column("client_id", type: .text, .notNull, .references("oauth_clients", "id", onDelete: .cascade))
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("redirect_uri", type: .text, .notNull)
            .column("scopes", type: .text, .notNull)
            .column("nonce", type: .text)
            .column("code_challenge", type: .text)
            .column("auth_time", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("used_at", type: .bigint)
            .run()
        try await db.create(index: "oauth_codes_expires_at").on("oauth_codes").column("expires_at").run()
        try await db.create(index: "oauth_codes_user_id").on("oauth_codes").column("user_id").run()

        try await db.create(table: "oauth_tokens")
            .column("token_hash", type: .blob, .primaryKey(autoIncrement: false), .notNull)
            .column("kind", type: .text, .notNull)
            .column("grant_id", type: .text, .notNull)
            .column("client_id", type: .text, .notNull, .references("oauth_clients", "id", onDelete: .cascade))
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("scopes", type: .text, .notNull)
            .column("auth_time", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("rotated_at", type: .bigint)
            .run()
        try await db.create(index: "oauth_tokens_grant_id").on("oauth_tokens").column("grant_id").run()
        try await db.create(index: "oauth_tokens_user_id").on("oauth_tokens").column("user_id").run()
        try await db.create(index: "oauth_tokens_client_id").on("oauth_tokens").column("client_id").run()
        try await db.create(index: "oauth_tokens_expires_at").on("oauth_tokens").column("expires_at").run()

        try await db.create(table: "oauth_consents")
            .column("user_id", type: .blob, .notNull, .references("users", "id", onDelete: .cascade))
            .column("client_id", type: .text, .notNull, .references("oauth_clients", "id", onDelete: .cascade))
            .column("scopes", type: .text, .notNull)
            .column("granted_at", type: .bigint, .notNull)
            .primaryKey("user_id", "client_id")
            .run()
    }
}
