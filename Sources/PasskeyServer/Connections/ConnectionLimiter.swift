import Foundation
import Logging
import Prometheus
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a connection was refused; a label of the refusal metric.
enum ConnectionRefusal: String, Sendable, CaseIterable {
    /// `--max-connections` connections are open.
    case maximum
    /// The client's address (an IPv6 client's /64) holds `--max-connections-per-address`.
    case perAddress = "per_address"
    /// An IPv6 client's /48 network holds ``ClientAddress/networkShare`` times
    /// `--max-connections-per-address`.
    case perNetwork = "per_network"
}

/// The connection counters `/metrics` shows: open connections, refusals and timeouts.
struct ConnectionMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    static var open: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "connections_open", unitName: "", helpText: "Client connections open now.")
    }
    static var refused: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "connections_refused", unitName: "total",
            helpText: "Connections closed at once because a connection limit was reached.")
    }
    static var timeouts: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "connection_timeouts", unitName: "total",
            helpText: "Connections ended by a timeout, by timeout and by what the client was sent.")
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        // Every series exists from the start, so dashboards see zeros rather than gaps.
        _ = registry.makeGauge(descriptor: Self.open)
        for reason in ConnectionRefusal.allCases {
            _ = registry.makeCounter(descriptor: Self.refused, labels: [("limit", reason.rawValue)])
        }
        for timeout in ConnectionTimeout.allCases {
            for outcome in TimeoutOutcome.allCases {
                _ = registry.makeCounter(
                    descriptor: Self.timeouts, labels: [("timeout", timeout.rawValue), ("outcome", outcome.rawValue)])
            }
        }
    }

    func recordTimeout(_ timeout: ConnectionTimeout, outcome: TimeoutOutcome) {
        registry.makeCounter(
            descriptor: Self.timeouts, labels: [("timeout", timeout.rawValue), ("outcome", outcome.rawValue)]
        ).increment()
    }

    func recordRefused(_ reason: ConnectionRefusal) {
        registry.makeCounter(descriptor: Self.refused, labels: [("limit", reason.rawValue)]).increment()
    }

    func recordOpen(_ count: Int) {
        registry.makeGauge(descriptor: Self.open).set(Double(count))
    }
}

/// Counts open connections, in all and per client address, and says whether one more may open.
///
/// Shared by every event loop of the server. Refusals are logged at most once a minute, with how
/// many there were since the last message: a flood must not also flood the log.
final class ConnectionLimiter: Sendable {
    /// What ``open(peer:)`` decided.
    enum Decision: Equatable, Sendable {
        /// Counted under this key (`nil`: no per-address count); hand it back to ``close(key:)``.
        case accepted(key: String?)
        case refused(ConnectionRefusal)
    }

    private struct State {
        var open = 0
        var perAddress: [String: Int] = [:]
        /// By IPv6 /48 network (``ClientAddress/networkKey(_:)``).
        var perNetwork: [String: Int] = [:]
        var refusedSinceLog = 0
        var lastLog: ContinuousClock.Instant?
    }

    let maximum: Int
    let maximumPerAddress: Int
    /// Peers whose connections carry many clients' requests: no per-address limit for them.
    let trustedProxies: Set<String>
    let metrics: ConnectionMetrics
    private let logger: Logger
    private let logInterval: Duration
    private let state = Mutex(State())

    init(
        maximum: Int, maximumPerAddress: Int, trustedProxies: Set<String>, metrics: ConnectionMetrics,
        logger: Logger, logInterval: Duration = .seconds(60)
    ) {
        self.maximum = maximum
        self.maximumPerAddress = maximumPerAddress
        self.trustedProxies = trustedProxies
        self.metrics = metrics
        self.logger = logger
        self.logInterval = logInterval
    }

    /// Counts a new connection from `peer` (an IP address as the socket reports it), or refuses it.
    func open(peer: String?) -> Decision {
        let address = peer.flatMap { ClientAddress.normalize($0) }
        let key: String? =
            if maximumPerAddress > 0, let address, !trustedProxies.contains(address) {
                ClientAddress.rateLimitKey(address)
            } else {
                nil
            }
        let network = key.flatMap(ClientAddress.networkKey)
        let maximumPerNetwork = maximumPerAddress * ClientAddress.networkShare
        let now = ContinuousClock.now
        let (decision, open, report) = state.withLock { (state: inout State) -> (Decision, Int, Int?) in
            var refusal: ConnectionRefusal?
            if state.open >= maximum {
                refusal = .maximum
            } else if let key, state.perAddress[key, default: 0] >= maximumPerAddress {
                refusal = .perAddress
            } else if let network, state.perNetwork[network, default: 0] >= maximumPerNetwork {
                refusal = .perNetwork
            }
            guard let refusal else {
                state.open += 1
                if let key { state.perAddress[key, default: 0] += 1 }
                if let network { state.perNetwork[network, default: 0] += 1 }
                return (.accepted(key: key), state.open, nil)
            }
            state.refusedSinceLog += 1
            if let last = state.lastLog, now - last < logInterval { return (.refused(refusal), state.open, nil) }
            state.lastLog = now
            defer { state.refusedSinceLog = 0 }
            return (.refused(refusal), state.open, state.refusedSinceLog)
        }
        switch decision {
        case .accepted:
            metrics.recordOpen(open)
        case .refused(let reason):
            metrics.recordRefused(reason)
            if let report {
                logger.warning(
                    "refusing connections: a connection limit is reached",
                    metadata: [
                        "limit": .string(Self.describe(reason, maximum: maximum, perAddress: maximumPerAddress)),
                        "refused_since_last_report": .stringConvertible(report), "open": .stringConvertible(open),
                    ])
            }
        }
        return decision
    }

    /// A connection counted by ``open(peer:)`` has closed.
    func close(key: String?) {
        let open = state.withLock { (state: inout State) -> Int in
            state.open = max(0, state.open - 1)
            if let key, let count = state.perAddress[key] {
                state.perAddress[key] = count > 1 ? count - 1 : nil
            }
            if let network = key.flatMap(ClientAddress.networkKey), let count = state.perNetwork[network] {
                state.perNetwork[network] = count > 1 ? count - 1 : nil
            }
            return state.open
        }
        metrics.recordOpen(open)
    }

    /// The limit a refusal's log line names.
    private static func describe(_ reason: ConnectionRefusal, maximum: Int, perAddress: Int) -> String {
        switch reason {
        case .maximum: "--max-connections \(maximum)"
        case .perAddress: "--max-connections-per-address \(perAddress)"
        case .perNetwork: "\(ClientAddress.networkShare) × --max-connections-per-address \(perAddress) for an IPv6 /48"
        }
    }

    /// How many connections are open now.
    var openConnections: Int { state.withLock { $0.open } }

    // MARK: The default limit

    /// File descriptors kept for the database, the listening socket, logs and files.
    static let reservedDescriptors = 128

    /// `--max-connections` when none is given: the process's file-descriptor limit (`ulimit -n`)
    /// less ``reservedDescriptors``, so accepting connections never starves the database.
    static func defaultMaximum(descriptorLimit: Int? = currentDescriptorLimit()) -> Int {
        guard let descriptorLimit else { return 1024 - reservedDescriptors }
        return max(16, descriptorLimit - reservedDescriptors)
    }

    /// The soft `RLIMIT_NOFILE` of this process, or `nil` when it cannot be read or is unlimited.
    static func currentDescriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        // RLIM_INFINITY is all ones, which Swift cannot import as a constant.
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}
