import SQLKit
import Synchronization

/// How ``SQLPasskeyStore`` reaches its database: plain statements, and transactions that no other
/// request's statements can interleave with.
protocol SQLConnectionModel: Sendable {
    /// Runs statements that need no transaction (each is atomic on its own).
    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back
    /// when it throws.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Closes the connections and stops the threads the model owns; later calls do nothing.
    func shutdown() async throws
}

extension SQLConnectionModel {
    /// `BEGIN`, `body`, then `COMMIT`; `ROLLBACK` if either throws. `db` must be one connection.
    ///
    /// SQLite gets `BEGIN IMMEDIATE`: it takes the write lock at once, so a transaction that reads
    /// before it writes cannot fail half-way with `SQLITE_BUSY` when another process writes to the
    /// same file; the busy timeout makes it wait instead. On PostgreSQL a plain `BEGIN` (read
    /// committed) is enough because the store locks the rows a decision rests on (`FOR UPDATE`).
    static func runTransaction<R: Sendable>(
        on db: any SQLDatabase,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        let begin = db.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN"
        try await db.execute(sql: SQLRaw(begin)) { _ in }
        do {
            let result = try await body(db)
            try await db.execute(sql: SQLRaw("COMMIT")) { _ in }
            return result
        } catch {
            // SQLite ends the transaction itself after some errors (a full disk, an I/O error);
            // the ROLLBACK then fails harmlessly with "no transaction is active".
            try? await db.execute(sql: SQLRaw("ROLLBACK")) { _ in }
            throw error
        }
    }
}

/// One connection shared by every request, with a first-in, first-out lock so that exactly one
/// operation (one statement, or one whole transaction) uses it at a time.
///
/// This is the model for SQLite. A connection has one transaction state: were two requests to use
/// it at once, one request's statements would run inside the other's `BEGIN … COMMIT` and read its
/// uncommitted rows or be rolled back with it. The lock covers reads too for that reason. SQLite
/// runs one writer at a time anyway, and the store's statements take microseconds, so a single
/// connection costs little; its blocking calls run on a thread the store owns, so waiting for
/// another process's lock (busy timeout) never takes a thread from the rest of the server.
///
/// With an `executor` (``SQLiteDirectConnection``'s thread) the whole operation, lock included,
/// runs on that executor: one hop there and one back per operation, not per statement.
final class SerializedConnection: SQLConnectionModel {
    private let database: any SQLDatabase
    private let executor: (any TaskExecutor)?
    private let lock = AsyncLock()
    private let close: @Sendable () async throws -> Void
    private let isShutDown = Mutex(false)

    init(database: any SQLDatabase, executor: (any TaskExecutor)? = nil, close: @escaping @Sendable () async throws -> Void) {
        self.database = database
        self.executor = executor
        self.close = close
    }

    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withTaskExecutorPreference(executor) { [lock, database] in
            try await lock.withLock { try await body(database) }
        }
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withTaskExecutorPreference(executor) { [lock, database] in
            try await lock.withLock { try await Self.runTransaction(on: database, body) }
        }
    }

    func shutdown() async throws {
        guard isShutDown.markDone() else { return }
        // Waits for the operation in progress, then closes; later operations fail cleanly.
        try await lock.withLock { [close] in try await close() }
    }
}

/// A pool of connections: each operation leases one connection through `SQLDatabase.withSession`
/// (postgres-kit's pool and ``SQLiteConnectionPool`` give a session one connection; a lone
/// connection's `sql()` does not pin anything and must not be used here) and gives it back when it
/// ends. A transaction runs on its session; plain statements share theirs, each still atomic on
/// its own: one lease per operation rather than one per statement (the pool's bookkeeping was
/// about 8 % of a sign-in's samples on PostgreSQL, with a lease for every statement).
///
/// This is the model for PostgreSQL, where many connections write at once and row locks keep
/// the store's rules.
final class PooledConnections: SQLConnectionModel {
    private let database: any SQLDatabase
    private let close: @Sendable () async throws -> Void
    private let isShutDown = Mutex(false)

    init(database: any SQLDatabase, close: @escaping @Sendable () async throws -> Void) {
        self.database = database
        self.close = close
    }

    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await database.withSession { session in try await body(session) }
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await database.withSession { session in try await Self.runTransaction(on: session, body) }
    }

    func shutdown() async throws {
        guard isShutDown.markDone() else { return }
        try await close()
    }
}

/// A first-in, first-out mutual exclusion lock for async code. Ownership passes straight from
/// `unlock` to the next waiter, so no caller can overtake one that is waiting.
actor AsyncLock {
    private var isLocked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        guard isLocked else {
            isLocked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            isLocked = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    nonisolated func withLock<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        await lock()
        do {
            let result = try await body()
            await unlock()
            return result
        } catch {
            await unlock()
            throw error
        }
    }
}

extension Mutex where Value == Bool {
    /// Sets the flag; returns whether this call was the one that set it.
    fileprivate func markDone() -> Bool {
        withLock { done in
            defer { done = true }
            return !done
        }
    }
}
