import Foundation

/// Per-key token buckets: each key (a client address, an account) may make `limit` requests a
/// minute, in bursts of up to `limit`.
///
/// Kept in the process: with several server processes each keeps its own count, so the effective
/// limit is per process.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    /// Requests per minute per key; `0` means no limit.
    let limit: Int
    private let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]
    /// The most keys kept: at this many, full buckets are dropped before a new one is made, and
    /// if that is not enough the least recently seen half is forgotten, so memory stays bounded
    /// however many addresses send requests.
    let maximumKeys: Int

    init(limit: Int, maximumKeys: Int = 100_000) {
        self.limit = limit
        self.refillPerSecond = Double(limit) / 60
        self.maximumKeys = max(2, maximumKeys)
    }

    /// Takes one request from the key's bucket: `nil` when allowed, else the whole seconds to wait.
    func acquire(_ key: String, now: Date) -> Int? {
        guard limit > 0 else { return nil }
        if buckets[key] == nil, buckets.count >= maximumKeys { makeRoom(now: now) }
        var bucket = buckets[key] ?? Bucket(tokens: Double(limit), updated: now)
        let elapsed = max(0, now.timeIntervalSince(bucket.updated))
        bucket.tokens = min(Double(limit), bucket.tokens + elapsed * refillPerSecond)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        return nil
    }

    /// Gives one request back to the key's bucket (never past full): for allowances that count only
    /// what did not end well, a request takes a token when it starts and returns it when it succeeds.
    func release(_ key: String, now: Date) {
        guard limit > 0, var bucket = buckets[key] else { return }
        let elapsed = max(0, now.timeIntervalSince(bucket.updated))
        bucket.tokens = min(Double(limit), bucket.tokens + elapsed * refillPerSecond + 1)
        bucket.updated = now
        buckets[key] = bucket
    }

    /// Forgets the keys whose buckets have refilled: they are the same as new ones.
    func prune(now: Date) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * refillPerSecond < Double(limit)
        }
    }

    private func makeRoom(now: Date) {
        prune(now: now)
        guard buckets.count >= maximumKeys else { return }
        let kept = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maximumKeys / 2)
        buckets = Dictionary(kept.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// How many keys are tracked (for tests).
    var trackedKeys: Int { buckets.count }
}

/// The server's rate limits, each a ``RateLimiter`` of its own size (`--rate-limit`,
/// `--address-ceremony-limit`, `--address-failure-limit`).
///
/// What is limited per client address is what attacks need and people rarely do: ceremonies
/// begun and never finished, and answers that fail verification. Both take a token when the
/// request comes and give it back when the ceremony finishes, so any number of people behind one
/// address can sign in. Per account: ceremonies begun with its own session, and failed sign-ins
/// against it.
struct RateLimits: Sendable {
    /// Per account (`account:` and `account-failures:` keys).
    let accounts: RateLimiter
    /// Ceremonies begun per client address, given back when they finish.
    let addressCeremonies: RateLimiter
    /// Ceremony answers per client address, given back when they verify.
    let addressFailures: RateLimiter

    init(configuration: PasskeyServerConfiguration) {
        let on = configuration.rateLimit > 0
        accounts = RateLimiter(limit: configuration.rateLimit)
        addressCeremonies = RateLimiter(limit: on ? configuration.addressCeremonyLimit : 0)
        addressFailures = RateLimiter(limit: on ? configuration.addressFailureLimit : 0)
    }

    /// Forgets the buckets that have refilled.
    func prune(now: Date) async {
        await accounts.prune(now: now)
        await addressCeremonies.prune(now: now)
        await addressFailures.prune(now: now)
    }
}
