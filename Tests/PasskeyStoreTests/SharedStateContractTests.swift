import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// ``SharedStateStore`` on every backend: rate limits, settings, leases and availability.
@Suite("Shared state contract")
struct SharedStateContractTests {
    // MARK: Rate limits

    @Test("A rate limit allows its burst, then names the wait until the next request", arguments: Backend.allCases)
    func rateLimitBurstThenWait(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            for _ in 0..<3 {
                #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: t0) == nil)
            }
            #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: t0) == 20)
            #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: t0.addingTimeInterval(19)) == 1)
        }
    }

    @Test("A refused request uses up nothing: the allowance returns on time", arguments: Backend.allCases)
    func refusedRequestsDoNotCount(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            for _ in 0..<2 { _ = try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) }
            for _ in 0..<5 {
                #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == 30)
            }
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0.addingTimeInterval(30)) == nil)
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0.addingTimeInterval(30)) != nil)
        }
    }

    @Test("A released request is given back, and releasing never makes an allowance more than whole", arguments: Backend.allCases)
    func releaseGivesBackOneRequest(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            for _ in 0..<2 { #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == nil) }
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == 30)
            try await store.releaseRateLimit(key: "k", limit: 2, period: 60, now: t0)
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == nil)
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == 30)
            // Three releases of a spent allowance of two: whole, and no more.
            for _ in 0..<3 { try await store.releaseRateLimit(key: "k", limit: 2, period: 60, now: t0) }
            for _ in 0..<2 { #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == nil) }
            #expect(try await store.acquireRateLimit(key: "k", limit: 2, period: 60, now: t0) == 30)
            // Releasing a key never acquired changes nothing.
            try await store.releaseRateLimit(key: "other", limit: 2, period: 60, now: t0)
            for _ in 0..<2 { #expect(try await store.acquireRateLimit(key: "other", limit: 2, period: 60, now: t0) == nil) }
        }
    }

    @Test("A clock stepped back an hour does not refuse a key for that hour", arguments: Backend.allCases)
    func clockSteppedBack(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            for _ in 0..<3 {
                #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: t0) == nil)
            }
            #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: t0) == 20)
            let earlier = t0.addingTimeInterval(-3600)
            for _ in 0..<3 {
                #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: earlier) == nil)
            }
            #expect(try await store.acquireRateLimit(key: "client:a", limit: 3, period: 60, now: earlier) == 20)
        }
    }

    @Test("Each rate-limit key has its own allowance", arguments: Backend.allCases)
    func rateLimitKeysAreSeparate(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            #expect(try await store.acquireRateLimit(key: "account:ada", limit: 1, period: 60, now: t0) == nil)
            #expect(try await store.acquireRateLimit(key: "account:ada", limit: 1, period: 60, now: t0) == 60)
            #expect(try await store.acquireRateLimit(key: "account:bob", limit: 1, period: 60, now: t0) == nil)
        }
    }

    @Test("A spent allowance refills evenly over the period", arguments: Backend.allCases)
    func rateLimitRefills(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            for _ in 0..<60 { _ = try await store.acquireRateLimit(key: "k", limit: 60, period: 60, now: t0) }
            #expect(try await store.acquireRateLimit(key: "k", limit: 60, period: 60, now: t0) == 1)
            let later = t0.addingTimeInterval(10)
            for _ in 0..<10 {
                #expect(try await store.acquireRateLimit(key: "k", limit: 60, period: 60, now: later) == nil)
            }
            #expect(try await store.acquireRateLimit(key: "k", limit: 60, period: 60, now: later) != nil)
        }
    }

    @Test("Concurrent requests on one key are each counted once", arguments: Backend.allCases)
    func concurrentRateLimitRequests(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 {
                    group.addTask { try await store.acquireRateLimit(key: "burst", limit: 10, period: 60, now: t0) == nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 10)
        }
    }

    @Test("Purging forgets only the keys whose allowance is whole again", arguments: Backend.allCases)
    func purgeRateLimits(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            _ = try await store.acquireRateLimit(key: "early", limit: 60, period: 60, now: t0)
            _ = try await store.acquireRateLimit(key: "late", limit: 60, period: 60, now: t0.addingTimeInterval(30))
            #expect(try await store.purgeRateLimits(now: t0.addingTimeInterval(1)) == 1)
            #expect(try await store.purgeRateLimits(now: t0.addingTimeInterval(1)) == 0)
            // The key still counted keeps its spent request.
            for _ in 0..<59 {
                #expect(try await store.acquireRateLimit(key: "late", limit: 60, period: 60, now: t0.addingTimeInterval(30)) == nil)
            }
            #expect(try await store.acquireRateLimit(key: "late", limit: 60, period: 60, now: t0.addingTimeInterval(30)) != nil)
        }
    }

    // MARK: Settings

    @Test("A byte-string setting keeps the first value stored", arguments: Backend.allCases)
    func settingKeepsTheFirstValue(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            let first = randomBytes(32)
            #expect(try await store.setting(named: "decoy", orInsert: first) == first)
            #expect(try await store.setting(named: "decoy", orInsert: randomBytes(32)) == first)
            let other = randomBytes(32)
            #expect(try await store.setting(named: "other", orInsert: other) == other)
        }
    }

    @Test("Concurrent first calls for a setting all get one value", arguments: Backend.allCases)
    func concurrentSettingCalls(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            let values = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<10 { group.addTask { try await store.setting(named: "secret", orInsert: randomBytes(32)) } }
                return try await group.reduce(into: Set<[UInt8]>()) { $0.insert($1) }
            }
            #expect(values.count == 1)
        }
    }

    @Test("A number setting only grows", arguments: Backend.allCases)
    func numberSettingOnlyGrows(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            #expect(try await store.raiseSetting(named: "metadata", to: 7) == 7)
            #expect(try await store.raiseSetting(named: "metadata", to: 7) == 7)
            #expect(try await store.raiseSetting(named: "metadata", to: 5) == 7, "an older number is refused")
            #expect(try await store.raiseSetting(named: "metadata", to: 9) == 9)
            #expect(try await store.raiseSetting(named: "metadata", to: 8) == 9)
        }
    }

    // MARK: Leases

    @Test("A lease goes to one holder until it ends; its holder renews it", arguments: Backend.allCases)
    func leaseHasOneHolder(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            #expect(try await store.acquireLease(named: "purge", holder: "a", now: t0, duration: 60))
            #expect(try await store.acquireLease(named: "purge", holder: "b", now: t0.addingTimeInterval(30), duration: 60) == false)
            #expect(try await store.acquireLease(named: "purge", holder: "a", now: t0.addingTimeInterval(50), duration: 60), "renewed")
            #expect(try await store.acquireLease(named: "purge", holder: "b", now: t0.addingTimeInterval(100), duration: 60) == false)
            #expect(try await store.acquireLease(named: "purge", holder: "b", now: t0.addingTimeInterval(110), duration: 60), "a's lease ended")
            #expect(try await store.acquireLease(named: "purge", holder: "a", now: t0.addingTimeInterval(111), duration: 60) == false)
            #expect(try await store.acquireLease(named: "other", holder: "a", now: t0.addingTimeInterval(111), duration: 60))
        }
    }

    @Test("Of concurrent holders, one gets a free lease", arguments: Backend.allCases)
    func concurrentLeaseRequests(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for holder in 0..<10 {
                    group.addTask { try await store.acquireLease(named: "purge", holder: "h\(holder)", now: t0, duration: 60) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 1)
        }
    }

    // MARK: Health

    @Test("A reachable database answers the availability check", arguments: Backend.allCases)
    func availability(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any PasskeyStore) async throws in
            try await store.checkAvailability()
        }
    }

    // MARK: Two processes

    @Test("Two stores on one database share rate limits, settings and leases", arguments: Backend.shared)
    func twoStoresShareState(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            let first = try await open()
            let second = try await open()
            do {
                for index in 0..<4 {
                    let store = index.isMultiple(of: 2) ? first : second
                    #expect(try await store.acquireRateLimit(key: "client:a", limit: 4, period: 60, now: t0) == nil)
                }
                #expect(try await first.acquireRateLimit(key: "client:a", limit: 4, period: 60, now: t0) == 15)
                #expect(try await second.acquireRateLimit(key: "client:a", limit: 4, period: 60, now: t0) == 15)

                let secret = try await first.setting(named: "decoy", orInsert: randomBytes(32))
                #expect(try await second.setting(named: "decoy", orInsert: randomBytes(32)) == secret)
                _ = try await first.raiseSetting(named: "metadata", to: 12)
                #expect(try await second.raiseSetting(named: "metadata", to: 11) == 12)
                #expect(try await first.acquireLease(named: "purge", holder: "first", now: t0, duration: 60))
                #expect(try await second.acquireLease(named: "purge", holder: "second", now: t0, duration: 60) == false)
            } catch {
                try await first.shutdown()
                try await second.shutdown()
                throw error
            }
            try await first.shutdown()
            try await second.shutdown()
        }
    }
}
