import Foundation
import Synchronization

/// Makes failed password and recovery-code answers take the same time whatever failed.
///
/// A wrong password for an imported account costs that account's own hash (bcrypt 10 is about
/// four times faster than the cost-12 decoy an unknown username is checked against; PBKDF2 at
/// 1.5 million iterations is slower), and only a known account writes to its activity log. Timed,
/// either would tell which accounts exist or were imported with a password. So a failed answer is
/// held until a floor counted from the request's start: the configured floor, or — should this
/// machine be slower than the floor assumes — the slowest password verification this process has
/// seen, whichever is longer, but never more than ``maximumHold`` (one verification slowed by a
/// suspended machine or a busy moment must not hold every later failure for the process's life).
/// Waiting costs no CPU; only failures wait.
final class FailurePacing: Sendable {
    /// The longest a failed answer is held, whatever was observed: `--failure-floor`'s own limit.
    static let maximumHold: Duration = .seconds(10)

    /// The least time a failed answer takes.
    let floor: Duration
    private let slowestVerification = Mutex<Duration>(.zero)

    init(floor: TimeInterval) {
        self.floor = .nanoseconds(Int64((max(0, floor) * 1e9).rounded()))
    }

    /// Records how long one password verification took (the decoy's too).
    func observe(verification duration: Duration) {
        slowestVerification.withLock { slowest in slowest = min(max(slowest, duration), Self.maximumHold) }
    }

    /// What a failure started at `start` is held until.
    func deadline(forFailureStartedAt start: ContinuousClock.Instant) -> ContinuousClock.Instant {
        start + max(floor, slowestVerification.withLock { $0 })
    }

    /// Holds a failed answer until ``deadline(forFailureStartedAt:)``. A cancelled request (the
    /// client went away) stops waiting: there is no one left to time it.
    func holdFailure(startedAt start: ContinuousClock.Instant) async {
        try? await Task.sleep(until: deadline(forFailureStartedAt: start), clock: .continuous)
    }
}
