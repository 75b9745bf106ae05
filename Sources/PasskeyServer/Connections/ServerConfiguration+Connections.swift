import Foundation
import NIOCore

extension PasskeyServerConfiguration {
    /// The connection limit in force: ``maximumConnections``, or the default from the process's
    /// file-descriptor limit.
    public var effectiveMaximumConnections: Int {
        maximumConnections ?? ConnectionLimiter.defaultMaximum()
    }

    /// The timeouts as the connection handlers use them.
    var connectionTimeouts: ConnectionTimeouts {
        ConnectionTimeouts(
            header: Self.timeAmount(headerTimeout), body: Self.timeAmount(bodyTimeout),
            idle: Self.timeAmount(idleTimeout), write: Self.timeAmount(writeTimeout))
    }

    /// Checks the connection timeouts and limits.
    func validateConnectionLimits() throws(ConfigurationError) {
        let timeouts: [(String, TimeInterval)] = [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout),
            ("--idle-timeout", idleTimeout), ("--write-timeout", writeTimeout),
        ]
        for (option, value) in timeouts {
            guard value.isFinite, value >= 0.01, value <= 86400 else {
                throw ConfigurationError("\(option) must be 10 milliseconds to 1 day, not \(Self.format(value))")
            }
        }
        if let maximumConnections, maximumConnections < 1 {
            throw ConfigurationError("--max-connections must be 1 or more, not \(maximumConnections)")
        }
        guard maximumConnectionsPerAddress >= 0 else {
            throw ConfigurationError("--max-connections-per-address must be 0 (off) or more, not \(maximumConnectionsPerAddress)")
        }
    }

    static func timeAmount(_ seconds: TimeInterval) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
