import Foundation
import PasskeyStore

/// Per-key allowances: each key (a client address, an account) may make `limit` requests a
/// minute, in bursts of up to `limit`.
///
/// The counts live in the store (``SharedStateStore/acquireRateLimit(key:limit:period:now:)``), so
/// every server process on one database counts the same requests: a client that spreads its
/// requests over several processes gets the allowance of one. One statement per request; the
/// background purge forgets keys whose allowance is whole again.
struct RateLimiter: Sendable {
    /// Requests per minute per key; `0` means no limit.
    let limit: Int
    let store: any PasskeyStore

    init(limit: Int, store: any PasskeyStore) {
        self.limit = limit
        self.store = store
    }

    /// Takes one request from the key's allowance: `nil` when allowed, else the whole seconds to wait.
    func acquire(_ key: String, now: Date) async throws -> Int? {
        guard limit > 0 else { return nil }
        guard let wait = try await store.acquireRateLimit(key: key, limit: limit, period: 60, now: now) else { return nil }
        return max(1, Int(wait.rounded(.up)))
    }
}
