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
            // At the socket's end, below TLS when there is TLS (its handler is in first).
            try channel.pipeline.syncOperations.addHandler(WriteProgressHandler(reportingTo: timeoutHandler), position: .first)
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            // Right after the HTTP/1 decoder: NIO's HTTP parts in both directions.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                RequestProgressHandler(reportingTo: timeoutHandler, logger: logger), position: .after(decoder.handler))
            return value
        }.nonisolated().flatMapErrorThrowing { (error: any Error) throws -> Value in
            channel.close(promise: nil)
            throw error
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the server's connection limits and timeouts (wrap it in `.tls(…)` for HTTPS).
    static func guardedHTTP1(timeouts: ConnectionTimeouts, limiter: ConnectionLimiter) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(http: HTTP1Channel(responder: responder), timeouts: timeouts, limiter: limiter)
        }
    }
}
