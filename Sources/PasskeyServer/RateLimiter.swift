import Foundation
import PasskeyStore

/// Per-key allowances: each key (a client address, an account) may make `limit` requests a
/// `period` (a minute unless said otherwise), in bursts of up to `limit`.
///
/// The counts live in the store (``SharedStateStore/acquireRateLimit(key:limit:period:now:)``), so
/// every server process on one database counts the same requests: a client that spreads its
/// requests over several processes gets the allowance of one. One statement per request; the
/// background purge forgets keys whose allowance is whole again.
struct RateLimiter: Sendable {
    /// Requests per `period` per key; `0` means no limit.
    let limit: Int
    /// Seconds in which a key's whole allowance comes back.
    let period: TimeInterval
    let store: any PasskeyStore

    init(limit: Int, period: TimeInterval = 60, store: any PasskeyStore) {
        self.limit = limit
        self.period = period
        self.store = store
    }

    /// Takes one request from the key's allowance: `nil` when allowed, else the whole seconds to wait.
    func acquire(_ key: String, now: Date) async throws -> Int? {
        guard limit > 0 else { return nil }
        guard let wait = try await store.acquireRateLimit(key: key, limit: limit, period: period, now: now) else { return nil }
        return max(1, Int(wait.rounded(.up)))
    }

    /// Gives one request back to the key's allowance (never past whole): for allowances that count
    /// only what did not end well, a request takes one when it starts and returns it when it succeeds.
    func release(_ key: String, now: Date) async throws {
        guard limit > 0 else { return }
        try await store.releaseRateLimit(key: key, limit: limit, period: period, now: now)
    }
}

extension RateLimiter {
    /// Takes one place for a client address (`nil`: unknown): under `prefix` and its address key
    /// (``ClientAddress/rateLimitKey(_:)``) and, for an IPv6 client, under its /48 network's
    /// (``ClientAddress/networkKey(_:)``), whose allowance is ``ClientAddress/networkShare`` times
    /// an address's. `nil` when allowed, else the whole seconds to wait. A refusal by the network
    /// gives the address's place back: a refused request takes nothing.
    func acquire(address: String?, prefix: String, now: Date) async throws -> Int? {
        if let retryAfter = try await acquire(prefix + Self.addressKey(address), now: now) { return retryAfter }
        guard let network = address.flatMap(ClientAddress.networkKey) else { return nil }
        guard let retryAfter = try await networkLimiter.acquire(prefix + network, now: now) else { return nil }
        try? await release(prefix + Self.addressKey(address), now: now)
        return retryAfter
    }

    /// Gives one place back to a client address and, for IPv6, to its /48 network
    /// (``acquire(address:prefix:now:)``).
    func release(address: String?, prefix: String, now: Date) async throws {
        try await release(prefix + Self.addressKey(address), now: now)
        if let network = address.flatMap(ClientAddress.networkKey) {
            try await networkLimiter.release(prefix + network, now: now)
        }
    }

    /// The key a client address (`nil`: unknown) is limited under.
    static func addressKey(_ address: String?) -> String {
        address.map(ClientAddress.rateLimitKey) ?? "unknown"
    }

    /// The same limiter for /48 networks: ``ClientAddress/networkShare`` times the allowance.
    private var networkLimiter: RateLimiter {
        RateLimiter(limit: limit * ClientAddress.networkShare, period: period, store: store)
    }
}

/// The server's rate limits, each a ``RateLimiter`` of its own size, all kept in the store (each key
/// prefix belongs to one limiter, so a key always has the same allowance) (`--rate-limit`,
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
    /// New accounts per client address (`sign-ups:` keys), `--address-ceremony-limit` a minute
    /// (many people may sign up behind one address); never given back.
    let addressSignUps: RateLimiter
    /// Account mails (codes) per mailbox (`mailbox:` keys), ``mailsPerMailboxPerHour`` an hour, so
    /// that sign-ups of `name+1@`, `name+2@`, … cannot fill one inbox.
    let mailboxes: RateLimiter

    /// One account's worth of codes in an hour (five of each purpose) and a little more.
    static let mailsPerMailboxPerHour = 12

    init(configuration: PasskeyServerConfiguration, store: any PasskeyStore) {
        let on = configuration.rateLimit > 0
        accounts = RateLimiter(limit: configuration.rateLimit, store: store)
        addressCeremonies = RateLimiter(limit: on ? configuration.addressCeremonyLimit : 0, store: store)
        addressFailures = RateLimiter(limit: on ? configuration.addressFailureLimit : 0, store: store)
        addressSignUps = RateLimiter(limit: on ? configuration.addressCeremonyLimit : 0, store: store)
        mailboxes = RateLimiter(limit: on ? Self.mailsPerMailboxPerHour : 0, period: 3600, store: store)
    }
}
