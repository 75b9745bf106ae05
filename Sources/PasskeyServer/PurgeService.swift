import Foundation
import Logging
import PasskeyStore
import ServiceLifecycle

/// Deletes expired ceremonies and sessions and activity older than the retention, and forgets idle
/// rate-limit buckets, every interval
/// until graceful shutdown.
struct PurgeService: Service {
    let store: any PasskeyStore
    let limits: RateLimits
    let interval: TimeInterval
    let sessionIdleTimeout: TimeInterval
    /// Activity older than this is deleted.
    let auditRetention: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger

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

    /// One purge; a failure is logged and the next interval tries again.
    func purgeOnce() async {
        let now = now()
        do {
            let purged = try await store.purgeExpired(now: now, sessionIdleTimeout: sessionIdleTimeout)
                + store.purgeExpiredOAuth(now: now)
                + store.purgeEmailCodes(now: now)
            if purged > 0 { logger.debug("purged expired records", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.warning("purging expired records failed", metadata: ["error": "\(error)"])
        }
        do {
            let purged = try await store.purgeAuditEvents(before: now.addingTimeInterval(-auditRetention))
            if purged > 0 { logger.debug("purged old activity", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.warning("purging old activity failed", metadata: ["error": "\(error)"])
        }
        await limits.prune(now: now)
    }
}
