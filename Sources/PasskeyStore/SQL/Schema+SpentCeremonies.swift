import Foundation
import SQLKit

extension Schema {
    /// Migration 7: the marks of spent ceremonies that the browser held sealed in its cookie
    /// (``PasskeyStore/spendCeremony(id:keepUntil:)``). The primary key makes each one spendable
    /// once across every process of the database; `keep_until` says when a mark may be forgotten.
    static func createSpentCeremonies(_ db: any SQLDatabase) async throws {
        try await db.create(table: "spent_ceremonies")
            .column("id", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("keep_until", type: .bigint, .notNull)
            .run()
        try await db.create(index: "spent_ceremonies_keep_until").on("spent_ceremonies").column("keep_until").run()
    }
}
