import Foundation
import SQLKit

extension SQLPasskeyStore {
    // MARK: Shared state (every process on the database sees the same)

    /// One statement per request: an upsert that moves the key's arrival time only when the
    /// request is allowed (`DO UPDATE … WHERE`), so a row comes back exactly when it is. A refused
    /// request reads the arrival time once more to say how long to wait.
    public func acquireRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        let now = try Column.microseconds(now)
        let interval = RateLimitArithmetic.interval(limit: limit, period: period)
        let tolerance = RateLimitArithmetic.tolerance(period: period)
        return try await autocommit { db in
            // Every value bound, none written into the text: one text for every request, which
            // SQLite's statement cache keeps and each PostgreSQL connection prepares once.
            // A stored time further ahead than the tolerance cannot come from a clock that only moves
            // forward (this machine's stepped back, or another process's runs ahead): it counts as
            // now, a whole allowance, rather than refusing everyone for as long as the clocks differ.
            let after: BoundStatement = """
                (CASE WHEN rate_limits.tat > \(bind: now) AND rate_limits.tat <= \(bind: now + tolerance) \
                THEN rate_limits.tat ELSE \(bind: now) END + \(bind: interval))
                """
            let upsert: BoundStatement = """
                INSERT INTO rate_limits (name, tat) VALUES (\(bind: key), \(bind: now + interval)) \
                ON CONFLICT (name) DO UPDATE SET tat = \(after) \
                WHERE \(after) - \(bind: now) <= \(bind: tolerance) \
                RETURNING tat
                """
            let allowed = try await db.first(upsert.prepared())
            guard allowed == nil else { return nil }
            let stored = try await db.select().column("tat").from("rate_limits")
                .where("name", .equal, key)
                .first(decodingColumn: "tat", as: Int64.self)
            return RateLimitArithmetic.wait(
                storedArrival: RateLimitArithmetic.arrival(stored ?? now, now: now, tolerance: tolerance),
                now: now, interval: interval, tolerance: tolerance)
        }
    }

    /// One statement: the arrival time moves back by one request, never before now (a whole allowance).
    public func releaseRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws {
        let now = try Column.microseconds(now)
        let interval = RateLimitArithmetic.interval(limit: limit, period: period)
        try await autocommit { db in
            let release: BoundStatement = """
                UPDATE rate_limits SET tat = CASE WHEN tat - \(bind: interval) > \(bind: now) \
                THEN tat - \(bind: interval) ELSE \(bind: now) END WHERE name = \(bind: key)
                """
            try await db.run(release.prepared())
        }
    }

    @discardableResult
    public func purgeRateLimits(now: Date) async throws -> Int {
        let now = try Column.microseconds(now)
        return try await deleteInBatches("""
            DELETE FROM rate_limits WHERE name IN \
            (SELECT name FROM rate_limits WHERE tat <= \(bind: now) LIMIT \(bind: Self.purgeBatch)) RETURNING name
            """)
    }

    public func setting(named name: String, orInsert candidate: [UInt8]) async throws -> [UInt8] {
        try await autocommit { db in
            let stored = try await db.insert(into: "settings")
                .columns("name", "value")
                .values([SQLBind(name), Column.bytes(candidate)] as [any SQLExpression])
                .ignoringConflicts()
                .returning("value")
                .first(decodingColumn: "value", as: Data.self)
            if let stored { return [UInt8](stored) }
            // Another call stored its candidate first: every caller gets that one.
            guard let existing = try await db.select().column("value").from("settings")
                .where("name", .equal, name)
                .first(decodingColumn: "value", as: Data.self)
            else { throw StoreError.failure("setting \(name) holds no byte string") }
            return [UInt8](existing)
        }
    }

    public func raiseSetting(named name: String, to value: Int64) async throws -> Int64 {
        try await autocommit { db in
            let stored = try await db.raw("""
                INSERT INTO settings (name, number) VALUES (\(bind: name), \(bind: value)) \
                ON CONFLICT (name) DO UPDATE SET number = CASE \
                WHEN settings.number IS NULL OR settings.number < excluded.number THEN excluded.number \
                ELSE settings.number END \
                RETURNING number
                """).first(decodingColumn: "number", as: Int64.self)
            guard let stored else { throw StoreError.failure("setting \(name) was not stored") }
            return stored
        }
    }

    public func acquireLease(named name: String, holder: String, now: Date, duration: TimeInterval) async throws -> Bool {
        let start = try Column.microseconds(now)
        let end = try Column.microseconds(now.addingTimeInterval(duration))
        return try await autocommit { db in
            try await db.raw("""
                INSERT INTO leases (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(bind: end)) \
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
                WHERE leases.holder = excluded.holder OR leases.expires_at <= \(bind: start) \
                RETURNING holder
                """).first() != nil
        }
    }

    public func checkAvailability() async throws {
        try await autocommit { db in
            _ = try await db.raw("SELECT 1 AS one").first()
        }
    }
}

extension Schema {
    /// Migration 5: what every server process must share (``SharedStateStore``).
    ///
    /// `rate_limits` is written on every limited request and is worth nothing after a crash, so
    /// on PostgreSQL it is `UNLOGGED`: no write-ahead log, no flush at commit (measured in
    /// docs/deploy.md). A crash empties it, which only restores everyone's full allowance.
    static func createSharedStateTables(_ db: any SQLDatabase) async throws {
        if db.dialect.name == "postgresql" {
            try await db.raw("CREATE UNLOGGED TABLE rate_limits (name TEXT PRIMARY KEY NOT NULL, tat BIGINT NOT NULL)").run()
        } else {
            try await db.create(table: "rate_limits")
                .column("name", type: .text, .primaryKey(autoIncrement: false), .notNull)
                .column("tat", type: .bigint, .notNull)
                .run()
        }

        // A setting is a byte string (`value`, a secret) or a number (`number`).
        try await db.create(table: "settings")
            .column("name", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("value", type: .blob)
            .column("number", type: .bigint)
            .run()

        try await db.create(table: "leases")
            .column("name", type: .text, .primaryKey(autoIncrement: false), .notNull)
            .column("holder", type: .text, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
    }
}
