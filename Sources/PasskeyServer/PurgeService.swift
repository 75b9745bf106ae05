import Foundation
import Logging
import PasskeyStore
import ServiceLifecycle
import WebAuthn

/// Deletes expired ceremonies, sessions, codes and tokens, activity older than the retention, and
/// forgets rate-limit keys whose allowance is whole, every interval until graceful shutdown.
///
/// With several server processes on one database, one of them purges at a time: each interval a
/// process takes (or renews) the store's `purge` lease for two intervals and purges only when it
/// holds it. When the holder stops, another process takes over once the lease has ended.
struct PurgeService: Service {
    static let leaseName = "purge"

    let store: any PasskeyStore
    let interval: TimeInterval
    let sessionIdleTimeout: TimeInterval
    /// Activity older than this is deleted.
    let auditRetention: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger
    /// Who this process is to the lease: unique per process.
    let holder: String

    init(
        store: any PasskeyStore, interval: TimeInterval, sessionIdleTimeout: TimeInterval,
        auditRetention: TimeInterval, now: @escaping @Sendable () -> Date, logger: Logger,
        holder: String = PurgeService.processHolder()
    ) {
        self.store = store
        self.interval = interval
        self.sessionIdleTimeout = sessionIdleTimeout
        self.auditRetention = auditRetention
        self.now = now
        self.logger = logger
        self.holder = holder
    }

    /// Host name, process ID and a random part: readable in the `leases` table, and unique even
    /// where process IDs repeat (containers).
    static func processHolder() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(hexString(randomBytes(4)))"
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                } catch {
                    return
                }
                await purgeOnce()
            }
        }
    }

    /// One purge, when this process holds the lease; returns whether it did. A failure is logged
    /// and the next interval tries again.
    @discardableResult
    func purgeOnce() async -> Bool {
        let now = now()
        do {
            guard try await store.acquireLease(named: Self.leaseName, holder: holder, now: now, duration: 2 * interval) else {
                logger.debug("another process holds the purge lease")
                return false
            }
            let purged = try await store.purgeExpired(now: now, sessionIdleTimeout: sessionIdleTimeout)
                + store.purgeExpiredOAuth(now: now)
                + store.purgeEmailCodes(now: now)
                + store.purgeRateLimits(now: now)
            if purged > 0 { logger.debug("purged expired records", metadata: ["count": "\(purged)"]) }
            let old = try await store.purgeAuditEvents(before: now.addingTimeInterval(-auditRetention))
            if old > 0 { logger.debug("purged old activity", metadata: ["count": "\(old)"]) }
            return true
        } catch {
            logger.warning("purging expired records failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}
