import SQLKit

extension Schema {
    /// Migration 8: no index of sessions by passkey. The sessions a deleted passkey opened are
    /// found through the account's sessions (`sessions_user_id`; every such delete names the
    /// account too), and every sign-in paid for the index with a page of its own, at a random
    /// place in the file, written to the WAL (docs/performance.md, lever 35).
    static func dropSessionsByCredentialIndex(_ db: any SQLDatabase) async throws {
        try await db.drop(index: "sessions_credential_id").ifExists().run()
    }
}
