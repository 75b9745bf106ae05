import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 connection with the server's connection rules around it: the connection
/// limits (checked before anything is set up) and the header, body, idle and write timeouts
/// (``ConnectionTimeoutHandler``).
///
/// Hummingbird's own idle timeout (`HTTP1Channel.Configuration.idleTimeout`) is left off: it is one
/// timer from the last HTTP part read, so it cannot tell a keep-alive wait from a head that stopped
/// halfway, nor a trickling body, and it closes without a `408` or a count. Its connection-state
/// handler stays, and with it graceful shutdown: idle connections close at once, busy ones after
/// their answer.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http: HTTP1Channel
    let timeouts: ConnectionTimeouts
    let limiter: ConnectionLimiter
    /// Whether the connection's requests run on its event loop (``EventLoopTaskExecutor``) rather
    /// than on the shared pool.
    let servesOnEventLoop: Bool

    /// Refused because a connection limit is reached; the channel is closed already.
    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let key: String?
        switch limiter.open(peer: channel.remoteAddress?.ipAddress) {
        case .refused:
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        case .accepted(let accepted):
            key = accepted
        }
        let limiter = self.limiter
        channel.closeFuture.whenComplete { _ in limiter.close(key: key) }

        let timeoutHandler: ConnectionTimeoutHandler
        do {
            timeoutHandler = ConnectionTimeoutHandler(timeouts: timeouts, metrics: limiter.metrics, logger: logger)
            try channel.pipeline.syncOperations.addHandler(timeoutHandler)
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            // Right after the HTTP/1 decoder: NIO's HTTP parts in both directions.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestProgressHandler(reportingTo: timeoutHandler), position: .after(decoder.handler))
            return value
        }.nonisolated().flatMapErrorThrowing { (error: any Error) throws -> Value in
            channel.close(promise: nil)
            throw error
        }
    }

    /// Serves the connection, on its own event loop when ``servesOnEventLoop`` is set.
    func handle(value: Value, logger: Logger) async {
        guard servesOnEventLoop else {
            await http.handle(value: value, logger: logger)
            return
        }
        await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)) {
            await http.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the server's connection limits and timeouts (wrap it in `.tls(…)` for HTTPS).
    ///
    /// With `servesOnEventLoop` each connection's requests run on the event loop that owns its
    /// socket: no hop to the shared pool and back for reading a request and writing its answer.
    /// Measured (`docs/performance.md`, lever 23) it saves about a tenth of the CPU per sign-in on
    /// SQLite with the same p99, but on PostgreSQL, whose connections live on the same loops, the
    /// p99 grew by about half: so the server sets it for SQLite only.
    static func guardedHTTP1(
        timeouts: ConnectionTimeouts, limiter: ConnectionLimiter, servesOnEventLoop: Bool = true
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                http: HTTP1Channel(responder: responder), timeouts: timeouts, limiter: limiter,
                servesOnEventLoop: servesOnEventLoop)
        }
    }
}
