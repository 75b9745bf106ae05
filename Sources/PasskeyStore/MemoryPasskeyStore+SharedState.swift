import Foundation

extension MemoryPasskeyStore {
    // MARK: Shared state (one process: the memory store has only the one)

    public func acquireRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        let now = try microseconds(now)
        let interval = RateLimitArithmetic.interval(limit: limit, period: period)
        let tolerance = RateLimitArithmetic.tolerance(period: period)
        let stored = RateLimitArithmetic.arrival(sharedState.arrivals[key] ?? now, now: now, tolerance: tolerance)
        let next = max(stored, now) + interval
        guard next - now <= tolerance else {
            return RateLimitArithmetic.wait(storedArrival: stored, now: now, interval: interval, tolerance: tolerance)
        }
        sharedState.arrivals[key] = next
        return nil
    }

    public func releaseRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws {
        let now = try microseconds(now)
        guard let stored = sharedState.arrivals[key] else { return }
        let earlier = stored - RateLimitArithmetic.interval(limit: limit, period: period)
        if earlier > now { sharedState.arrivals[key] = earlier } else { sharedState.arrivals.removeValue(forKey: key) }
    }

    @discardableResult
    public func purgeRateLimits(now: Date) async throws -> Int {
        let now = try microseconds(now)
        let before = sharedState.arrivals.count
        sharedState.arrivals = sharedState.arrivals.filter { $0.value > now }
        return before - sharedState.arrivals.count
    }

    public func setting(named name: String, orInsert candidate: [UInt8]) async throws -> [UInt8] {
        if let stored = sharedState.secrets[name] { return stored }
        sharedState.secrets[name] = candidate
        return candidate
    }

    public func raiseSetting(named name: String, to value: Int64) async throws -> Int64 {
        let raised = max(sharedState.numbers[name] ?? value, value)
        sharedState.numbers[name] = raised
        return raised
    }

    public func acquireLease(named name: String, holder: String, now: Date, duration: TimeInterval) async throws -> Bool {
        let start = try microseconds(now)
        let end = try microseconds(now.addingTimeInterval(duration))
        if let lease = sharedState.leases[name], lease.holder != holder, lease.expiresAt > start { return false }
        sharedState.leases[name] = (holder, end)
        return true
    }

    public func checkAvailability() async throws {}

    /// Times in microseconds, as the SQL store keeps them, so both round alike.
    private func microseconds(_ date: Date) throws -> Int64 {
        try Column.microseconds(date)
    }
}

/// What ``MemoryPasskeyStore`` keeps for ``SharedStateStore``.
struct MemorySharedState {
    /// Rate-limit keys and their theoretical arrival times (microseconds).
    var arrivals: [String: Int64] = [:]
    var secrets: [String: [UInt8]] = [:]
    var numbers: [String: Int64] = [:]
    var leases: [String: (holder: String, expiresAt: Int64)] = [:]
}
