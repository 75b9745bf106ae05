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

    /// Runs several statements that only read, as ``withDatabase(_:)`` does, where the model can
    /// make them one read transaction (one snapshot, and one lock taken and given back rather
    /// than one a statement).
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Closes the connections and stops the threads the model owns; later calls do nothing.
    func shutdown() async throws
}

extension SQLConnectionModel {
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withDatabase(body)
    }

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
/// This is the model for SQLite while the store sets the file up (PRAGMAs, migrations); requests
/// then go through ``GroupCommitConnection``, which keeps this lock. A connection has one transaction state: were two requests to use
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
/// This is PostgreSQL's model (where many connections write at once and row locks keep the
/// store's rules) for any pool whose `withSession` pins a connection: a pool of SQLite connections
/// (``SQLPasskeyStore/openPooledSQLite(path:connections:)``) runs the store's PostgreSQL shape on
/// one file. PostgreSQL itself leases the same way through ``PostgresConnections``, which also
/// runs the store's own statements through PostgresNIO directly.
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
///
/// Not an actor: taking a free lock and giving up one nobody waits for are a few instructions
/// under a `Mutex` where an actor cost two hops there and back per operation (the store's
/// thread ran four extra jobs for each operation; docs/performance.md, lever 25). Only a caller
/// that finds the lock held suspends.
final class AsyncLock: Sendable {
    private struct State {
        var isLocked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    func lock() async {
        let acquired = state.withLock { state -> Bool in
            guard !state.isLocked else { return false }
            state.isLocked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Checked again under the lock: the holder may have let go since.
            let acquired = state.withLock { state -> Bool in
                guard !state.isLocked else {
                    state.waiters.append(continuation)
                    return false
                }
                state.isLocked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.isLocked = false
                return nil
            }
            // The lock stays held: it passes to the first waiter.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    /// Whether someone holds the lock (for tests).
    var isHeld: Bool { state.withLock { $0.isLocked } }

    /// How many callers wait for the lock (for tests).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    func withLock<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        await lock()
        do {
            let result = try await body()
            unlock()
            return result
        } catch {
            unlock()
            throw error
        }
    }
}

extension Mutex where Value == Bool {
    /// Sets the flag; returns whether this call was the one that set it.
    func markDone() -> Bool {
        withLock { done in
            defer { done = true }
            return !done
        }
    }
}

/// The SQLite store's one connection, with **group commit**: the operations that queue up on the
/// connection's thread while one runs share one transaction and one commit.
///
/// Each operation runs alone under the first-in, first-out lock, as in ``SerializedConnection``.
/// A transaction runs inside a savepoint of the group's transaction (`BEGIN IMMEDIATE` when the
/// group starts), and so do plain statements while a group is open (with none open they run on
/// their own, as before, and a read takes no write lock). When an operation in a group throws,
/// its savepoint is rolled back and nothing it wrote stays; the others are untouched. Its result
/// is given to its caller only after the group's `COMMIT`, which runs once no job is queued on
/// the thread (``ThreadExecutor/whenIdle(_:)``) or when the group has ``maximumGroup``
/// operations: an acknowledged write is in the WAL file as before, and no caller reads a value
/// that could still be rolled back. If the commit fails, or SQLite rolls the whole transaction
/// back by itself (a full disk, an I/O error), every operation of the group fails.
///
/// Why: a sign-in's pages at the right end of the sessions and events tables, their time indexes
/// and the small tables (spent ceremonies, passkeys) are the same for every sign-in, so a commit
/// of several sign-ins writes each of them once (docs/performance.md, lever 22).
final class GroupCommitConnection: SQLConnectionModel, @unchecked Sendable {
    private let connection: SQLiteDirectConnection
    private let database: any SQLDatabase
    private let lock = AsyncLock()
    private let close: @Sendable () async throws -> Void
    private let isShutDown = Mutex(false)

    // Touched only on the connection's thread.
    private var isGroupOpen = false
    private var isOperationRunning = false
    private var isCommitScheduled = false
    private var waiting: [CheckedContinuation<Void, any Error>] = []
    /// The groups committed so far (for tests: fewer commits than operations means grouping).
    private(set) var commits = 0

    init(connection: SQLiteDirectConnection, close: @escaping @Sendable () async throws -> Void) {
        self.connection = connection
        self.database = connection.database
        self.close = close
    }

    /// Plain statements join the open group, if there is one (so they see its writes and answer
    /// only once those are committed); otherwise they run on their own, each committed as it runs,
    /// and a read takes no write lock from other processes.
    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await grouped(body, opensGroup: false)
    }

    /// A transaction opens a group (`BEGIN IMMEDIATE`) or joins the open one.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await grouped(body, opensGroup: true)
    }

    /// Reads join the open group as plain statements do, without a savepoint (they write nothing
    /// to take back); with none open they run in one deferred
    /// transaction (`BEGIN … COMMIT`), which takes no write lock: each statement on its own would
    /// be a read transaction of its own, with its own file locks (`fcntl` calls) taken and given
    /// back (docs/performance.md, lever 34).
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await grouped(body, opensGroup: false, readsTogether: true)
    }

    func shutdown() async throws {
        guard isShutDown.markDone() else { return }
        // Waits for the operation in progress, commits its group, then closes.
        try await lock.withLock { [connection, close] in
            try await connection.thread.run { self.commitGroup() }
            try await close()
        }
    }

    /// The groups committed so far, read on the connection's thread.
    func committedGroups() async throws -> Int {
        try await connection.thread.run { self.commits }
    }

    private func grouped<R: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> R, opensGroup: Bool, readsTogether: Bool = false
    ) async throws -> R {
        try await withTaskExecutorPreference(connection.thread) {
            let result: (value: R, grouped: Bool)
            do {
                result = try await lock.withLock { () async throws -> (value: R, grouped: Bool) in
                    guard opensGroup || self.isGroupOpen else {
                        return (readsTogether ? try await self.inReadTransaction(body) : try await body(self.database), false)
                    }
                    // Reads write nothing a savepoint would have to take back.
                    return (try await self.inGroup(body, savepoint: !readsTogether), true)
                }
            } catch {
                scheduleCommit()  // the group's other operations still wait for theirs
                throw error
            }
            guard result.grouped else { return result.value }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiting.append(continuation)
                // A group that never ends would keep other processes from writing (they give up
                // after the busy timeout): a full group commits at once.
                if waiting.count >= Self.maximumGroup {
                    commitGroup()
                } else {
                    scheduleCommit()
                }
            }
            return result.value
        }
    }

    /// The most operations one commit takes.
    static let maximumGroup = 32

    /// `BEGIN` (deferred: no lock until the first statement reads), `body`, `COMMIT`; nothing to
    /// roll back, as `body` only reads.
    private func inReadTransaction<R>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try execute("BEGIN")
        do {
            let result = try await body(database)
            try execute("COMMIT")
            return result
        } catch {
            if connection.isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` in the open group, opening it if none is, in a savepoint of its own unless
    /// `body` only reads (it changes nothing to roll back). Like any operation of the group it
    /// answers once the group is committed.
    private func inGroup<R>(
        _ body: @Sendable (any SQLDatabase) async throws -> R, savepoint: Bool
    ) async throws -> R {
        if !isGroupOpen {
            // Takes the write lock at once (other processes wait through the busy timeout).
            try execute("BEGIN IMMEDIATE")
            isGroupOpen = true
        }
        if savepoint { try execute("SAVEPOINT operation") }
        isOperationRunning = true
        defer { isOperationRunning = false }
        do {
            let result = try await body(database)
            if savepoint { try execute("RELEASE operation") }
            return result
        } catch {
            if connection.isInTransaction {
                if savepoint {
                    try? execute("ROLLBACK TO operation")
                    try? execute("RELEASE operation")
                }
            } else {
                // SQLite ended the whole transaction: the group's earlier operations are lost too.
                isGroupOpen = false
                failWaiting(error)
            }
            throw error
        }
    }

    private func scheduleCommit() {
        guard !isCommitScheduled else { return }
        isCommitScheduled = true
        connection.thread.whenIdle {
            self.isCommitScheduled = false
            self.commitGroup()
        }
    }

    /// Commits the open group and gives its operations their results. Runs on the thread when no
    /// job is queued; an operation suspended mid-way (its body awaiting something else) keeps the
    /// group open, and schedules the commit again when it ends.
    private func commitGroup() {
        guard !isOperationRunning else { return }
        let waiters = waiting
        waiting.removeAll()
        guard isGroupOpen else {
            for waiter in waiters { waiter.resume() }
            return
        }
        isGroupOpen = false
        commits += 1
        do {
            try execute("COMMIT")
            for waiter in waiters { waiter.resume() }
        } catch {
            if connection.isInTransaction { try? execute("ROLLBACK") }
            for waiter in waiters { waiter.resume(throwing: error) }
        }
    }

    private func failWaiting(_ error: any Error) {
        let waiters = waiting
        waiting.removeAll()
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    private func execute(_ sql: String) throws {
        try connection.execute(sql, []) { _ in }
    }
}
