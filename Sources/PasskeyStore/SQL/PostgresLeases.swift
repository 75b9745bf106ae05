import Foundation
import Logging
import NIOCore
import PostgresKit
import Synchronization

/// The PostgreSQL store's pool of connections: at most `maximum` open, each leased to one store
/// operation at a time, the callers beyond them waiting first in, first out.
///
/// Why not async-kit's `EventLoopConnectionPool`, as before (docs/performance.md, lever 39): that
/// pool keeps its state on one event loop, so every lease and every return was a hop there and a
/// chain of futures back; with the server's one event loop also serving HTTP and every
/// connection, that was about a tenth of its work on PostgreSQL. Here a lease is a few
/// instructions under a lock on the caller's thread, and only a caller that finds every connection
/// leased waits (a continuation, resumed by the return that frees one).
///
/// What it keeps from that pool: connections are opened when needed, up to `maximum`, through the
/// same `PostgresConnectionSource` (its search path); a connection found closed is dropped and its
/// place given to the next caller; a caller that waits longer than `timeout` fails with
/// `ConnectionPoolTimeoutError`, and after ``close()`` every caller fails with
/// `ConnectionPoolError.shutdown`. An attempt to open a connection that fails (the database
/// down) fails its caller at once and passes its place to the next waiting caller, which tries
/// again, so callers do not queue up behind a database that is not there. Idle connections stay
/// open until ``close()`` (at most `maximum`; the server's other work keeps them in use).
final class PostgresLeases: Sendable {
    /// What a waiting caller is given: a connection, or the right to open one.
    private enum Grant {
        case connection(PostgresConnection)
        case opening
    }

    private struct Waiter {
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        /// Open connections nobody leases, the one returned last at the end.
        var idle: [PostgresConnection] = []
        /// Connections open or being opened, leased or idle.
        var count = 0
        /// The callers waiting, the longest first (a few dozen at most: an array does).
        var waiters: [Waiter] = []
        /// Whether a task waits for the oldest waiter's deadline.
        var timing = false
        var closed = false

        /// The caller that has waited longest, out of the line.
        mutating func nextWaiter() -> Waiter? {
            waiters.isEmpty ? nil : waiters.removeFirst()
        }
    }

    private let state = Mutex(State())
    private let open: @Sendable () async throws -> PostgresConnection
    private let maximum: Int
    private let timeout: Duration

    /// - Parameters:
    ///   - maximum: the most connections open at once (at least 1).
    ///   - timeout: how long a caller waits for a connection when all are leased.
    ///   - open: opens a new connection.
    init(maximum: Int, timeout: Duration, open: @escaping @Sendable () async throws -> PostgresConnection) {
        self.maximum = max(1, maximum)
        self.timeout = timeout
        self.open = open
    }

    deinit {
        // A pool dropped without `close()` (a store never shut down, a test that failed): its idle
        // connections are closed all the same, each held until its close is done (PostgresNIO
        // requires a connection to be closed when it goes).
        for connection in state.withLock({ $0.idle }) {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// A pool opening its connections as postgres-kit's pool did (`PostgresConnectionSource`: the
    /// configuration's search path set on each) on `eventLoop`.
    convenience init(
        configuration: SQLPostgresConfiguration, maximum: Int, timeout: Duration, logger: Logger, on eventLoop: any EventLoop
    ) {
        self.init(maximum: maximum, timeout: timeout) {
            try await PostgresConnectionSource(sqlConfiguration: configuration).makeConnection(logger: logger, on: eventLoop).get()
        }
    }

    private enum Next {
        case ready(PostgresConnection)
        case open
        case wait
        case closed
    }

    /// A connection for the caller alone until it gives it back with ``release(_:)``.
    func lease() async throws -> PostgresConnection {
        let next = state.withLock { state -> Next in
            if state.closed { return .closed }
            while let connection = state.idle.popLast() {
                if !connection.isClosed { return .ready(connection) }
                state.count -= 1
            }
            if state.count < maximum {
                state.count += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .ready(let connection):
            return connection
        case .closed:
            throw ConnectionPoolError.shutdown
        case .open:
            return try await openConnection()
        case .wait:
            switch try await waitForGrant() {
            case .connection(let connection): return connection
            case .opening: return try await openConnection()
            }
        }
    }

    /// Gives a leased connection back: to the caller that has waited longest, else to the idle ones.
    /// A closed connection is dropped, and its place given to the caller that has waited longest.
    func release(_ connection: PostgresConnection) {
        let (waiter, grant, closing) = state.withLock { state -> (Waiter?, Grant?, Bool) in
            if state.closed {
                state.count -= 1
                return (nil, nil, true)
            }
            if connection.isClosed {
                state.count -= 1
                return Self.passPlace(&state)
            }
            if let waiter = state.nextWaiter() { return (waiter, .connection(connection), false) }
            state.idle.append(connection)
            return (nil, nil, false)
        }
        if let waiter, let grant { waiter.continuation.resume(returning: grant) }
        // The close completes on the connection's event loop, later; until then the completion
        // holds the connection (PostgresNIO requires a connection to be closed when it goes).
        if closing { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
    }

    /// Closes the idle connections and fails the waiting callers; a leased connection is closed
    /// when it comes back. Later leases fail with `ConnectionPoolError.shutdown`.
    func close() async {
        let (idle, waiters) = state.withLock { state -> ([PostgresConnection], [Waiter]) in
            state.closed = true
            defer {
                state.count -= state.idle.count
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: ConnectionPoolError.shutdown) }
        for connection in idle { try? await connection.close() }
    }

    /// Connections open or being opened now (for tests).
    var openCount: Int { state.withLock { $0.count } }

    /// Callers waiting now (for tests).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    // MARK: -

    /// Opens a connection in a place already counted; gives the place on when that fails.
    private func openConnection() async throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await open()
        } catch {
            let (waiter, grant, _) = state.withLock { state -> (Waiter?, Grant?, Bool) in
                state.count -= 1
                return state.closed ? (nil, nil, false) : Self.passPlace(&state)
            }
            if let waiter, let grant { waiter.continuation.resume(returning: grant) }
            throw error
        }
        let closed = state.withLock { state -> Bool in
            if state.closed { state.count -= 1 }
            return state.closed
        }
        if closed {
            try? await connection.close()
            throw ConnectionPoolError.shutdown
        }
        return connection
    }

    /// A place became free (`count` already lowered): the caller that has waited longest may open
    /// a connection in it.
    private static func passPlace(_ state: inout State) -> (Waiter?, Grant?, Bool) {
        guard let waiter = state.nextWaiter() else { return (nil, nil, false) }
        state.count += 1
        return (waiter, .opening, false)
    }

    private func waitForGrant() async throws -> Grant {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
            enum Outcome {
                case grant(Grant)
                case closed
                case waiting(startTimer: Bool)
            }
            let outcome = state.withLock { state -> Outcome in
                // Checked again under the lock: a connection may have come back since.
                if state.closed { return .closed }
                while let connection = state.idle.popLast() {
                    if !connection.isClosed { return .grant(.connection(connection)) }
                    state.count -= 1
                }
                if state.count < maximum {
                    state.count += 1
                    return .grant(.opening)
                }
                state.waiters.append(Waiter(deadline: .now + timeout, continuation: continuation))
                let startTimer = !state.timing
                state.timing = true
                return .waiting(startTimer: startTimer)
            }
            switch outcome {
            case .grant(let grant):
                continuation.resume(returning: grant)
            case .closed:
                continuation.resume(throwing: ConnectionPoolError.shutdown)
            case .waiting(let startTimer):
                if startTimer { Task { await self.failExpiredWaiters() } }
            }
        }
    }

    /// Sleeps until the oldest waiter's deadline and fails the waiters past theirs, while any wait.
    private func failExpiredWaiters() async {
        while true {
            let (expired, next) = state.withLock { state -> ([Waiter], ContinuousClock.Instant?) in
                let now = ContinuousClock.now
                var expired: [Waiter] = []
                while let first = state.waiters.first, first.deadline <= now {
                    expired.append(first)
                    state.waiters.removeFirst()
                }
                guard let first = state.waiters.first else {
                    state.timing = false
                    return (expired, nil)
                }
                return (expired, first.deadline)
            }
            for waiter in expired { waiter.continuation.resume(throwing: ConnectionPoolTimeoutError.connectionRequestTimeout) }
            guard let next else { return }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }
}

