import Logging
import NIOCore
import NIOHTTP1

/// The error a request's body stream ends with when the body timeout cuts the connection, so a
/// handler waiting for the body fails instead of acting on part of it.
struct RequestTimedOut: Error, Sendable, Equatable {
    let timeout: ConnectionTimeout
}

/// Enforces a connection's timeouts. It sits on the plain bytes (after TLS, before the HTTP codec),
/// so it sees a request's first byte, can write a `408` the codec knows nothing about, and sees
/// every write the connection makes; ``RequestProgressHandler`` tells it where the HTTP messages
/// begin and end.
///
/// One timer per connection, armed for the earliest deadline ``ConnectionProgress`` names. A later
/// deadline leaves the timer as it is; when it fires early it is armed again for the real one.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    /// What the HTTP encoder writes; passed on untouched.
    typealias OutboundIn = IOData
    typealias OutboundOut = ByteBuffer

    private let timeouts: ConnectionTimeouts
    private var progress: ConnectionProgress
    private let metrics: ConnectionMetrics
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var finished = false

    init(timeouts: ConnectionTimeouts, metrics: ConnectionMetrics, logger: Logger) {
        self.timeouts = timeouts
        self.progress = ConnectionProgress(timeouts: timeouts, openedAt: .uptimeNanoseconds(0))
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The connection counts as open from here: the server sets a connection up as it accepts it.
        progress = ConnectionProgress(timeouts: timeouts, openedAt: context.eventLoop.now)
        if context.channel.isActive { arm() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finished = true
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        progress.bytesRead(at: context.eventLoop.now)
        arm()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let eventLoop = context.eventLoop
        progress.writeStarted(at: eventLoop.now)
        arm()
        let written = promise ?? eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.progress.writeFinished(at: eventLoop.now)
            self.arm()
        }
        context.write(data, promise: written)
    }

    // MARK: What the HTTP layer reports

    func requestHeadRead() {
        progress.requestHeadRead(at: now)
        arm()
    }

    func requestEndRead() {
        progress.requestEndRead()
        arm()
    }

    func responseHeadWritten() {
        progress.responseHeadWritten()
    }

    func responseEndWritten() {
        progress.responseEndWritten(at: now)
        arm()
    }

    private var now: NIODeadline { context?.eventLoop.now ?? .now() }

    // MARK: The timer

    private func arm() {
        guard !finished, let context, context.channel.isActive, let next = progress.nextDeadline else { return }
        if let timerDeadline, timerDeadline <= next.deadline { return }
        cancelTimer()
        timerDeadline = next.deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: next.deadline) { [self] in
            self.timer = nil
            self.timerDeadline = nil
            self.fire()
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }

    private func fire() {
        guard !finished, let context, let next = progress.nextDeadline else { return }
        guard next.deadline <= context.eventLoop.now else {
            arm()
            return
        }
        finished = true
        let outcome = progress.outcome(of: next.timeout)
        metrics.recordTimeout(next.timeout, outcome: outcome)
        logger.debug(
            "connection timed out",
            metadata: ["timeout": .string(next.timeout.rawValue), "outcome": .string(outcome.rawValue)])
        if next.timeout == .body {
            // Ends the request's body stream with an error rather than a clean end.
            context.fireErrorCaught(RequestTimedOut(timeout: .body))
        }
        if outcome == .requestTimeout {
            context.writeAndFlush(wrapOutboundOut(Self.requestTimeoutResponse(context.channel.allocator)), promise: nil)
        }
        context.close(promise: nil)
    }

    /// `408 Request Timeout` with the API's error body, and `Connection: close`.
    static func requestTimeoutResponse(_ allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = #"{"error":{"code":"request_timeout","message":"the request did not arrive in time"}}"#
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeString(
            "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n"
                + "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                + body)
        return buffer
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}

/// Tells ``ConnectionTimeoutHandler`` where requests and responses begin and end. It sits right
/// after the HTTP/1 decoder, so it sees NIO's HTTP parts in both directions.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: ConnectionTimeoutHandler

    init(reportingTo timeouts: ConnectionTimeoutHandler) {
        self.timeouts = timeouts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: timeouts.requestHeadRead()
        case .body: break
        case .end: timeouts.requestEndRead()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:  // not an interim 1xx
            timeouts.responseHeadWritten()
        case .head, .body: break
        case .end: timeouts.responseEndWritten()
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension RequestProgressHandler: Sendable {}
