import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Prometheus
import Testing

@testable import PasskeyServer

/// A connection's requests are served on the event loop that owns its socket
/// (``EventLoopTaskExecutor``), and come back to it after work elsewhere.
@Suite struct ConnectionExecutorTests {
    /// Where a handler found itself running: on an event loop, and on which.
    static func whereAmI() -> String {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return "off-loop" }
        return "\(ObjectIdentifier(loop).hashValue)"
    }

    @Test func requestsRunOnTheirConnectionsEventLoopBeforeAndAfterAnAwait() async throws {
        let router = Router()
        router.get("/where") { _, _ -> String in
            let before = Self.whereAmI()
            // Work on another thread, as a store operation or a password hash does.
            try await NIOThreadPool.singleton.runIfActive { }
            try await Task.sleep(for: .milliseconds(1))
            return before + " " + Self.whereAmI()
        }
        let limiter = ConnectionLimiter(
            maximum: 10, maximumPerAddress: 10, trustedProxies: [],
            metrics: ConnectionMetrics(registry: PrometheusCollectorRegistry()),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let timeouts = ConnectionTimeouts(header: .seconds(10), body: .seconds(30), idle: .seconds(75), write: .seconds(20))
        let app = Application(
            router: router, server: .guardedHTTP1(timeouts: timeouts, limiter: limiter),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try await app.test(.live) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/where", method: .get) { response in
                    #expect(response.status == .ok)
                    let places = String(buffer: response.body).split(separator: " ")
                    #expect(places.count == 2)
                    #expect(places.first != "off-loop")
                    #expect(places.first == places.last)
                }
            }
        }
    }

    @Test func aTaskThatPrefersTheExecutorRunsOnItsLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let onLoop = await withTaskExecutorPreference(executor) { () async -> [Bool] in
            let first = loop.inEventLoop
            try? await Task.sleep(for: .milliseconds(1))
            return [first, loop.inEventLoop]
        }
        #expect(onLoop == [true, true])
    }
}
