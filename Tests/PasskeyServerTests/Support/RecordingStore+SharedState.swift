import Foundation
import PasskeyStore

/// Shared state passes straight through: rate limits, settings and leases are not account
/// changes an attack could make.
extension RecordingStore {
    func acquireRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        try await base.acquireRateLimit(key: key, limit: limit, period: period, now: now)
    }

    func releaseRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws {
        try await base.releaseRateLimit(key: key, limit: limit, period: period, now: now)
    }

    func purgeRateLimits(now: Date) async throws -> Int {
        try await base.purgeRateLimits(now: now)
    }

    func setting(named name: String, orInsert candidate: [UInt8]) async throws -> [UInt8] {
        try await base.setting(named: name, orInsert: candidate)
    }

    func raiseSetting(named name: String, to value: Int64) async throws -> Int64 {
        try await base.raiseSetting(named: name, to: value)
    }

    func acquireLease(named name: String, holder: String, now: Date, duration: TimeInterval) async throws -> Bool {
        try await base.acquireLease(named: name, holder: holder, now: now, duration: duration)
    }

    func checkAvailability() async throws {
        try await base.checkAvailability()
    }
}
