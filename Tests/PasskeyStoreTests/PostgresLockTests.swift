import Foundation
@testable import PasskeyStore
import SQLKit
import Synchronization
import Testing
import WebAuthn

/// How the PostgreSQL store's transactions hold accounts' rows, and what it does when the server
/// ends one of two transactions that wait for each other. Runs only with a PostgreSQL server
/// (`PASSKEYS_TEST_POSTGRES_URL`).
@Suite("PostgreSQL locks", .enabled(if: Backend.postgresURL != nil))
struct PostgresLockTests {
    /// A number several tasks read and change.
    final class Counter: Sendable {
        private let value = Mutex(0)
        /// Adds one; the new value.
        func increment() -> Int { value.withLock { $0 += 1; return $0 } }
        var current: Int { value.withLock { $0 } }
    }

    /// Waits up to `seconds` for `counter` to reach `target`; whether it did.
    static func wait(for counter: Counter, toReach target: Int = 1, seconds: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if counter.current >= target { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return counter.current >= target
    }

    @Test("An operation holding an account's row does not hold up a new session for it (the foreign key's check)")
    func accountLockLetsSessionsIn() async throws {
        try await withPostgresStore(url: try #require(Backend.postgresURL)) { store, _ in
            let user = makeUser()
            try await store.createUser(user, credential: makeCredential(for: user), session: makeSession(for: user))
            let inserted = Counter()
            // The session's insert runs while the lock is held; the lock's transaction waits for it.
            let sessionInsert = Task {
                try await Task.sleep(for: .milliseconds(50))
                try await store.insertSession(makeSession(for: user))
                _ = inserted.increment()
            }
            let sawInsert = try await store.transaction { db in
                guard try await SQLPasskeyStore.lockUser(user.id, .update, on: db) else { return false }
                return try await Self.wait(for: inserted, seconds: 10)
            }
            try await sessionInsert.value
            #expect(sawInsert, "the session's insert waited for the account's lock")
        }
    }

    @Test("Deleting an account does hold up a new session for it until the delete commits")
    func deletingLockHoldsSessionsBack() async throws {
        try await withPostgresStore(url: try #require(Backend.postgresURL)) { store, _ in
            let user = makeUser()
            try await store.createUser(user, credential: makeCredential(for: user), session: makeSession(for: user))
            let inserted = Counter()
            let sessionInsert = Task {
                try await Task.sleep(for: .milliseconds(50))
                try? await store.insertSession(makeSession(for: user))
                _ = inserted.increment()
            }
            let sawInsert = try await store.transaction { db in
                guard try await SQLPasskeyStore.lockUser(user.id, .delete, on: db) else { return true }
                return try await Self.wait(for: inserted, seconds: 1)
            }
            try await sessionInsert.value
            #expect(!sawInsert)
        }
    }

    @Test("A transaction PostgreSQL ends to break a deadlock runs again, and both transactions commit")
    func deadlockedTransactionRunsAgain() async throws {
        try await withPostgresStore(url: try #require(Backend.postgresURL)) { store, _ in
            let ada = makeUser("ada@example.com"), grace = makeUser("grace@example.com")
            for user in [ada, grace] {
                try await store.createUser(user, credential: makeCredential(for: user), session: makeSession(for: user))
            }
            // Each transaction takes one account, waits until the other has taken the other, then
            // asks for the other's: a deadlock on the first attempt. Later attempts do not wait.
            let runs = Counter()
            let holding = Counter()
            func crossing(_ first: UserRecord, _ second: UserRecord) async throws {
                try await store.transaction { db in
                    let attempt = runs.increment()
                    _ = try await SQLPasskeyStore.lockUser(first.id, .update, on: db)
                    if attempt <= 2 {
                        _ = holding.increment()
                        _ = try await Self.wait(for: holding, toReach: 2, seconds: 10)
                    }
                    _ = try await SQLPasskeyStore.lockUser(second.id, .update, on: db)
                }
            }
            async let one: Void = crossing(ada, grace)
            async let other: Void = crossing(grace, ada)
            _ = try await (one, other)
            #expect(runs.current == 3, "one of the two ran again")
        }
    }
}
