import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import Synchronization
import Testing

@testable import PasskeyStore

/// The PostgreSQL store's own pool (`PostgresLeases`), on real connections to the test server.
@Suite("PostgreSQL connection pool", .enabled(if: Backend.postgresURL != nil))
struct PostgresLeasesTests {
    struct Refused: Error {}

    /// A value that tasks share.
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
    }

    /// Opens connections to the test server and counts the attempts.
    final class Opener: Sendable {
        let attempts = Mutex(0)
        private let configuration: PostgresConnection.Configuration

        init() throws {
            let url = try PostgresDatabaseURL(try #require(Backend.postgresURL))
            configuration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password,
                database: url.database, tls: .disable)
        }

        func open() async throws -> PostgresConnection {
            let id = attempts.withLock { count in
                count += 1
                return count
            }
            return try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id,
                logger: Logger(label: "test"))
        }
    }

    /// A pool on the test server. Tests that are not about the timeout wait up to two minutes: with
    /// the whole suite running at once on two cores, a caller can be kept waiting for seconds.
    func pool(maximum: Int, timeout: Duration = .seconds(120), opener: Opener) -> PostgresLeases {
        PostgresLeases(maximum: maximum, timeout: timeout) { try await opener.open() }
    }

    /// Waits (up to five seconds) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test("Never more connections than the maximum, each opened once and used again")
    func atMostMaximum() async throws {
        let opener = try Opener()
        let leases = pool(maximum: 2, opener: opener)
        let leased = Shared((now: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    let connection = try await leases.lease()
                    leased.value.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                    _ = try await connection.query("SELECT 1", logger: Logger(label: "test")).collect()
                    try await Task.sleep(for: .milliseconds(20))
                    leased.value.withLock { $0.now -= 1 }
                    leases.release(connection)
                }
            }
            try await group.waitForAll()
        }
        #expect(leased.value.withLock { $0.most } == 2)
        #expect(opener.attempts.withLock { $0 } == 2)
        #expect(leases.openCount == 2)
        #expect(leases.waiterCount == 0)
        await leases.close()
        #expect(leases.openCount == 0)
    }

    @Test("Callers that wait are served first in, first out")
    func firstInFirstOut() async throws {
        let leases = pool(maximum: 1, opener: try Opener())
        let held = try await leases.lease()
        let order = Shared<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<4 {
                group.addTask {
                    let connection = try await leases.lease()
                    order.value.withLock { $0.append(number) }
                    leases.release(connection)
                }
                // Each in line before the next starts.
                try await eventually { leases.waiterCount == number + 1 }
            }
            leases.release(held)
            try await group.waitForAll()
        }
        #expect(order.value.withLock { $0 } == [0, 1, 2, 3])
        await leases.close()
    }

    @Test("A caller waits no longer than the timeout, and the pool works on")
    func waitsNoLongerThanTheTimeout() async throws {
        let opener = try Opener()
        let leases = pool(maximum: 1, timeout: .milliseconds(200), opener: opener)
        let held = try await leases.lease()
        let start = ContinuousClock.now
        await #expect(throws: ConnectionPoolTimeoutError.self) { _ = try await leases.lease() }
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        #expect(leases.waiterCount == 0)
        leases.release(held)
        let again = try await leases.lease()
        #expect(again === held)
        #expect(opener.attempts.withLock { $0 } == 1)
        leases.release(again)
        await leases.close()
    }

    @Test("A connection that comes back closed is dropped, and a waiting caller opens a new one")
    func closedConnectionIsReplaced() async throws {
        let opener = try Opener()
        let leases = pool(maximum: 1, opener: opener)
        let first = try await leases.lease()
        let second = Task { try await leases.lease() }
        try await eventually { leases.waiterCount == 1 }
        try await first.close()
        leases.release(first)
        let replacement = try await second.value
        #expect(replacement !== first)
        #expect(!replacement.isClosed)
        #expect(opener.attempts.withLock { $0 } == 2)
        #expect(leases.openCount == 1)
        // A closed one found idle is dropped too.
        leases.release(replacement)
        try await replacement.close()
        let third = try await leases.lease()
        #expect(third !== replacement)
        #expect(!third.isClosed)
        #expect(leases.openCount == 1)
        leases.release(third)
        await leases.close()
    }

    @Test("An attempt to open that fails fails its caller at once and hands its place on")
    func failedOpenHandsItsPlaceOn() async throws {
        let attempts = Shared(0)
        let leases = PostgresLeases(maximum: 1, timeout: .seconds(120)) {
            attempts.value.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(100))
            throw Refused()
        }
        let start = ContinuousClock.now
        let first = Task { try await leases.lease() }
        try await eventually { attempts.value.withLock { $0 } == 1 }
        let second = Task { try await leases.lease() }
        try await eventually { leases.waiterCount == 1 }
        await #expect(throws: Refused.self) { _ = try await first.value }
        await #expect(throws: Refused.self) { _ = try await second.value }
        #expect(attempts.value.withLock { $0 } == 2)
        // Both failed with the attempts' own error, long before the second could have timed out.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(leases.openCount == 0)
        #expect(leases.waiterCount == 0)
        await leases.close()
    }

    @Test("After closing, waiting callers and new leases fail; connections are closed as they come back")
    func closing() async throws {
        let leases = pool(maximum: 2, opener: try Opener())
        let idle = try await leases.lease()
        let kept = try await leases.lease()
        leases.release(idle)
        let taken = try await leases.lease()
        #expect(taken === idle)
        let waiting = Task { try await leases.lease() }
        try await eventually { leases.waiterCount == 1 }
        await leases.close()
        await #expect(throws: ConnectionPoolError.self) { _ = try await waiting.value }
        await #expect(throws: ConnectionPoolError.self) { _ = try await leases.lease() }
        #expect(!kept.isClosed)
        leases.release(kept)
        leases.release(taken)
        try await eventually { kept.isClosed && taken.isClosed }
        #expect(leases.openCount == 0)

        // An idle connection is closed with the pool.
        let other = pool(maximum: 1, opener: try Opener())
        let connection = try await other.lease()
        other.release(connection)
        await other.close()
        try await eventually { connection.isClosed }
        #expect(other.openCount == 0)
    }

    @Test("A pool dropped without closing closes its idle connections, each once it is closed")
    func droppedPoolClosesItsIdleConnections() async throws {
        weak var given: PostgresConnection?
        do {
            let leases = pool(maximum: 1, opener: try Opener())
            let connection = try await leases.lease()
            given = connection
            leases.release(connection)
            #expect(!connection.isClosed)
        }
        // The pool is gone here and with it the test's last reference; a debug build stops at
        // PostgresNIO's assertion if the connection went while still open.
        try await eventually { given == nil }
    }

    /// PostgresNIO asserts that a connection is closed when it goes; a connection given back after
    /// the pool closed is closed by the pool, and must live until that close is done.
    @Test("A connection given back after closing lives until it is closed, then goes")
    func connectionGivenBackAfterClosingLivesUntilClosed() async throws {
        let opener = try Opener()
        for _ in 0..<20 {
            let leases = pool(maximum: 1, opener: opener)
            weak var given: PostgresConnection?
            do {
                let connection = try await leases.lease()
                given = connection
                await leases.close()
                leases.release(connection)
            }
            // Dropped here by the test; a debug build stops at PostgresNIO's assertion if the
            // connection went while still open.
            try await eventually { given == nil }
        }
        #expect(opener.attempts.withLock { $0 } == 20)
    }
}
