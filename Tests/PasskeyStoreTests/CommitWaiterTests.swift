import Testing
@testable import PasskeyStore

/// An operation of a SQLite group waits for its group's commit with a `CommitWaiter`: the commit
/// may come before the caller waits or after, and the caller gets its outcome exactly once.
@Suite("Commit waiter")
struct CommitWaiterTests {
    struct Failed: Error, Equatable {}

    @Test("A commit before the wait: the wait returns at once")
    func committedFirst() async throws {
        let waiter = CommitWaiter()
        waiter.complete(.success(()))
        try await waiter.wait()
    }

    @Test("A failure before the wait is thrown by it")
    func failedFirst() async {
        let waiter = CommitWaiter()
        waiter.complete(.failure(Failed()))
        await #expect(throws: Failed.self) { try await waiter.wait() }
    }

    @Test("A wait before the commit is resumed by it, with the first outcome only")
    func waitingFirst() async throws {
        for outcome in [Result<Void, any Error>.success(()), .failure(Failed())] {
            let waiter = CommitWaiter()
            let waited = Task { try await waiter.wait() }
            // Give the wait a moment to suspend, then complete it twice: the second is ignored.
            try await Task.sleep(for: .milliseconds(20))
            waiter.complete(outcome)
            waiter.complete(.failure(Failed()))
            switch outcome {
            case .success: try await waited.value
            case .failure: await #expect(throws: Failed.self) { try await waited.value }
            }
        }
    }

    @Test("Many waiters completed from another thread while they wait, each exactly once")
    func manyWaiters() async throws {
        let waiters = (0..<200).map { _ in CommitWaiter() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for waiter in waiters { group.addTask { try await waiter.wait() } }
            group.addTask {
                for (index, waiter) in waiters.enumerated() {
                    if index % 7 == 0 { await Task.yield() }
                    waiter.complete(.success(()))
                }
            }
            try await group.waitForAll()
        }
    }
}
