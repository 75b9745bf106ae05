import Synchronization
import Testing

@testable import PasskeyStore

/// A value tasks share, behind a lock.
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// The store's first-in, first-out lock (`AsyncLock`): one holder at a time, waiters served in the
/// order they came, and the lock given up when the body throws.
@Suite("AsyncLock")
struct AsyncLockTests {
    @Test("No two bodies run at once, and every body runs")
    func mutualExclusion() async throws {
        let lock = AsyncLock()
        let inside = Shared((now: 0, most: 0, runs: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await lock.withLock {
                        inside.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.runs += 1 }
                        await Task.yield()
                        inside.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        let result = inside.withLock { $0 }
        #expect(result.most == 1)
        #expect(result.runs == 200)
        #expect(result.now == 0)
    }

    @Test("Waiters get the lock in the order they asked for it")
    func firstInFirstOut() async throws {
        let lock = AsyncLock()
        let order = Shared<[Int]>([])
        await lock.lock()
        var waiters: [Task<Void, any Error>] = []
        for number in 0..<10 {
            waiters.append(Task { try await lock.withLock { order.withLock { $0.append(number) } } })
            // Each waiter is queued before the next one starts.
            while lock.waiterCount < number + 1 { await Task.yield() }
        }
        #expect(order.withLock { $0 }.isEmpty)
        lock.unlock()
        for waiter in waiters { try await waiter.value }
        #expect(order.withLock { $0 } == Array(0..<10))
        #expect(!lock.isHeld)
    }

    @Test("A body that throws gives the lock up")
    func throwingBodyUnlocks() async throws {
        struct Refused: Error {}
        let lock = AsyncLock()
        await #expect(throws: Refused.self) {
            try await lock.withLock { () async throws -> Int in throw Refused() }
        }
        #expect(!lock.isHeld)
        let value = try await lock.withLock { 7 }
        #expect(value == 7)
    }
}
