import Foundation
import Logging
import Prometheus
import Synchronization
import Testing

@testable import PasskeyServer

/// `--max-connections` and `--max-connections-per-address`.
@Suite struct ConnectionLimitTests {
    /// Keeps every log message, to count them.
    final class LogRecorder: Sendable {
        let messages = Mutex<[String]>([])

        var logger: Logger {
            Logger(label: "test") { _ in Handler(recorder: self) }
        }

        struct Handler: LogHandler {
            let recorder: LogRecorder
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                recorder.messages.withLock { $0.append("\(event.message)") }
            }
        }
    }

    static func limiter(
        maximum: Int = 100, perAddress: Int = 100, trustedProxies: Set<String> = [],
        logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) -> ConnectionLimiter {
        ConnectionLimiter(
            maximum: maximum, maximumPerAddress: perAddress, trustedProxies: trustedProxies,
            metrics: ConnectionMetrics(registry: registry), logger: logger)
    }

    @Test func connectionsOverTheMaximumAreRefusedUntilOneCloses() {
        let limiter = Self.limiter(maximum: 2)
        let first = limiter.open(peer: "192.0.2.1")
        #expect(first == .accepted(key: "192.0.2.1"))
        #expect(limiter.open(peer: "192.0.2.2") == .accepted(key: "192.0.2.2"))
        #expect(limiter.open(peer: "192.0.2.3") == .refused(.maximum))
        limiter.close(key: "192.0.2.1")
        #expect(limiter.open(peer: "192.0.2.3") == .accepted(key: "192.0.2.3"))
        #expect(limiter.openConnections == 2)
    }

    @Test func oneAddressCannotTakeMoreThanItsShare() {
        let limiter = Self.limiter(perAddress: 2)
        #expect(limiter.open(peer: "192.0.2.1") == .accepted(key: "192.0.2.1"))
        #expect(limiter.open(peer: "::ffff:192.0.2.1") == .accepted(key: "192.0.2.1"))
        #expect(limiter.open(peer: "192.0.2.1") == .refused(.perAddress))
        #expect(limiter.open(peer: "192.0.2.9") == .accepted(key: "192.0.2.9"), "other addresses still get in")
        limiter.close(key: "192.0.2.1")
        #expect(limiter.open(peer: "192.0.2.1") == .accepted(key: "192.0.2.1"))
    }

    @Test func anIPv6ClientIsCountedByItsSlash64() {
        let limiter = Self.limiter(perAddress: 2)
        #expect(limiter.open(peer: "2001:db8:1:2::1") == .accepted(key: "2001:db8:1:2::/64"))
        #expect(limiter.open(peer: "2001:db8:1:2:ffff::7") == .accepted(key: "2001:db8:1:2::/64"))
        #expect(limiter.open(peer: "2001:db8:1:2::99") == .refused(.perAddress))
        #expect(limiter.open(peer: "2001:db8:1:3::1") == .accepted(key: "2001:db8:1:3::/64"))
    }

    @Test("An IPv6 /48 holds at most networkShare times the per-address limit, however many /64s it spreads over")
    func anIPv6NetworkIsCountedByItsSlash48() throws {
        let limiter = Self.limiter(perAddress: 1)
        var keys: [String] = []
        for subnet in 0..<ClientAddress.networkShare {
            let peer = "2001:db8:1:\(String(subnet, radix: 16))::1"
            let decision = limiter.open(peer: peer)
            #expect(decision == .accepted(key: ClientAddress.rateLimitKey(peer)))
            keys.append(ClientAddress.rateLimitKey(peer))
        }
        #expect(limiter.open(peer: "2001:db8:1:ff::1") == .refused(.perNetwork))
        #expect(limiter.open(peer: "2001:db8:2::1") == .accepted(key: "2001:db8:2:0::/64"), "another /48 still gets in")
        // A connection of the /48 closing makes room for one more of it.
        limiter.close(key: try #require(keys.first))
        #expect(limiter.open(peer: "2001:db8:1:ff::1") == .accepted(key: "2001:db8:1:ff::/64"))
        #expect(limiter.open(peer: "2001:db8:1:fe::1") == .refused(.perNetwork))
    }

    @Test func aTrustedProxyHasNoPerAddressLimitButCountsTowardsTheMaximum() {
        let limiter = Self.limiter(maximum: 4, perAddress: 1, trustedProxies: ["10.0.0.2"])
        for _ in 0..<4 { #expect(limiter.open(peer: "10.0.0.2") == .accepted(key: nil)) }
        #expect(limiter.open(peer: "10.0.0.2") == .refused(.maximum))
    }

    @Test func aPerAddressLimitOfZeroIsOff() {
        let limiter = Self.limiter(maximum: 10, perAddress: 0)
        for _ in 0..<10 { #expect(limiter.open(peer: "192.0.2.1") == .accepted(key: nil)) }
    }

    @Test func refusalsAreLoggedOnceAMinuteWithTheirCount() {
        let recorder = LogRecorder()
        let limiter = Self.limiter(maximum: 1, logger: recorder.logger)
        _ = limiter.open(peer: "192.0.2.1")
        for _ in 0..<50 { _ = limiter.open(peer: "192.0.2.2") }
        #expect(recorder.messages.withLock { $0 } == ["refusing connections: a connection limit is reached"])
    }

    @Test func refusalsAndOpenConnectionsAreInTheMetrics() {
        let registry = PrometheusCollectorRegistry()
        let limiter = Self.limiter(maximum: 3, perAddress: 2, registry: registry)
        for address in ["192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.3"] { _ = limiter.open(peer: address) }
        let text = registry.emitToString()
        #expect(text.contains("passkeys_connections_open 3.0"))
        #expect(text.contains(#"passkeys_connections_refused_total{limit="per_address"} 1"#))
        #expect(text.contains(#"passkeys_connections_refused_total{limit="maximum"} 1"#))
    }

    @Test func theDefaultMaximumLeavesDescriptorsForTheDatabaseAndFiles() {
        #expect(ConnectionLimiter.defaultMaximum(descriptorLimit: 1024) == 1024 - 128)
        #expect(ConnectionLimiter.defaultMaximum(descriptorLimit: 65536) == 65536 - 128)
        #expect(ConnectionLimiter.defaultMaximum(descriptorLimit: 100) == 16)
        #expect(ConnectionLimiter.defaultMaximum(descriptorLimit: nil) == 1024 - 128)
    }

    @Test func timeoutsAndLimitsMustBeSensible() {
        var configuration = PasskeyServerConfiguration()
        configuration.headerTimeout = 0
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = PasskeyServerConfiguration()
        configuration.bodyTimeout = .infinity
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = PasskeyServerConfiguration()
        configuration.maximumConnections = 0
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = PasskeyServerConfiguration()
        configuration.maximumConnectionsPerAddress = -1
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = PasskeyServerConfiguration()
        configuration.idleTimeout = 0.5
        configuration.maximumConnections = 10
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
