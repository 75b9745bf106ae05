import Foundation

/// What several server processes on one database must agree on besides the accounts: rate-limit
/// allowances, settings the server must not forget (a secret, the newest FIDO metadata BLOB
/// number), leases that let one process at a time run a job, and whether the database answers.
///
/// ``PasskeyStore`` refines it, so every store keeps this state where the accounts are.
public protocol SharedStateStore: Sendable {
    // MARK: Rate limits

    /// Takes one request from the key's allowance: at most `limit` requests per `period`, in
    /// bursts of up to `limit` (a token bucket that refills evenly, kept as the generic cell rate
    /// algorithm's one number per key: the time at which the bucket would be full again).
    ///
    /// Returns `nil` when the request is allowed, else how long to wait before one would be.
    /// A key should always be used with the same limit and period. Concurrent calls, from any
    /// number of processes, count every request once.
    func acquireRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval?

    /// Gives one request back to the key's allowance (never more than whole): the same `limit` and
    /// `period` as the ``acquireRateLimit(key:limit:period:now:)`` it undoes. For allowances that
    /// count only what did not end well: a request takes one when it begins and returns it when it
    /// succeeds.
    func releaseRateLimit(key: String, limit: Int, period: TimeInterval, now: Date) async throws

    /// Forgets the keys whose allowance is whole again at `now` (they are the same as new keys).
    /// Returns how many were forgotten.
    @discardableResult
    func purgeRateLimits(now: Date) async throws -> Int

    // MARK: Settings

    /// The byte string stored under `name`; the first call stores `candidate` and every later
    /// one, from any process, returns that same value.
    func setting(named name: String, orInsert candidate: [UInt8]) async throws -> [UInt8]

    /// Stores `value` under `name` unless a larger number is stored, and returns the number
    /// stored afterwards (the larger of the two). A result above `value` means `value` is out of
    /// date; nothing can move the number back.
    func raiseSetting(named name: String, to value: Int64) async throws -> Int64

    // MARK: Leases

    /// Takes or renews the lease `name` for `holder` until `now + duration`: granted when no one
    /// holds it, `holder` holds it already, or the holder's lease ended. Of any number of
    /// concurrent callers with different holders, at most one gets a lease that has not ended.
    func acquireLease(named name: String, holder: String, now: Date, duration: TimeInterval) async throws -> Bool

    // MARK: Health

    /// Returns when the database answers a trivial query; throws
    /// ``StoreError/Code-swift.struct/unavailable`` when it cannot be reached.
    func checkAvailability() async throws
}

/// The generic cell rate algorithm (ITU-T I.371) on whole microseconds: a request is allowed
/// when the bucket's "theoretical arrival time" after it stays within `period` of `now`.
enum RateLimitArithmetic {
    /// Microseconds one request adds: `period / limit`, at least one.
    static func interval(limit: Int, period: TimeInterval) -> Int64 {
        max(1, Int64((period * 1_000_000).rounded()) / Int64(max(limit, 1)))
    }

    /// How far ahead of now the arrival time may run: the period, in microseconds.
    static func tolerance(period: TimeInterval) -> Int64 {
        Int64((period * 1_000_000).rounded())
    }

    /// The stored arrival time as it counts at `now`: one further ahead than `tolerance` cannot come
    /// from a clock that only moves forward (it stepped back, or another process's runs ahead), so
    /// it counts as `now`, a whole allowance.
    static func arrival(_ stored: Int64, now: Int64, tolerance: Int64) -> Int64 {
        stored > now + tolerance ? now : stored
    }

    /// The wait, in seconds, before a request at `now` would be allowed, given the stored arrival time.
    static func wait(storedArrival: Int64, now: Int64, interval: Int64, tolerance: Int64) -> TimeInterval {
        let next = max(storedArrival, now) + interval
        return Double(max(1, next - now - tolerance)) / 1_000_000
    }
}
