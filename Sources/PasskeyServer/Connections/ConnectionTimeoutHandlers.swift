import Foundation
import Logging
import NIOCore
import NIOHTTP1
import WebAuthn

/// The error a request's body stream ends with when the body timeout cuts the connection, so a
/// handler waiting for the body fails instead of acting on part of it.
struct RequestTimedOut: Error, Sendable, Equatable {
    let timeout: ConnectionTimeout
}

/// Enforces a connection's timeouts. It sits on the plain bytes (after TLS, before the HTTP codec),
/// so it sees a request's first byte and can write a `408` the codec knows nothing about;
/// ``RequestProgressHandler`` tells it where the HTTP messages begin and end, and
/// ``WriteProgressHandler`` (at the socket's end, below TLS) when the socket takes what is written.
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

    // MARK: What the socket reports (WriteProgressHandler)

    /// A timeout or a refusal is ending the connection: its close is not to wait for anything.
    var isEnding: Bool { finished }

    /// The write timeout, which also bounds how long a close waits for pending writes.
    var writeTimeout: TimeAmount { timeouts.write }

    /// Some write reported by ``writeStarted()`` has not finished yet.
    var writesPending: Bool { progress.writesPending }

    func writeStarted() {
        progress.writeStarted(at: now)
        arm()
    }

    func writeFinished() {
        progress.writeFinished(at: now)
        arm()
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
            context.writeAndFlush(wrapOutboundOut(Self.answer(.requestTimedOut, context.channel.allocator)), promise: nil)
        }
        context.close(promise: nil)
    }

    /// Answers `error` and closes the connection, for what the HTTP layer refuses before a request
    /// reaches the server's handlers (``RequestProgressHandler``). Written as bytes, past the HTTP
    /// encoder, which would leave the body out of an answer to `CONNECT`.
    func refuse(_ error: APIError) {
        guard !finished, let context else { return }
        finished = true
        cancelTimer()
        context.writeAndFlush(wrapOutboundOut(Self.answer(error, context.channel.allocator))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// A whole HTTP/1.1 answer with `error`'s JSON body, `Connection: close`, the security headers
    /// and a request ID of its own.
    static func answer(_ error: APIError, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = error.body
        var head = "HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\nConnection: close\r\n"
            + "Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n"
        for field in SecurityHeaders.fields { head += "\(field.name.rawName): \(field.value)\r\n" }
        head += "X-Request-ID: \(hexString(randomBytes(16)))\r\nContent-Length: \(body.count)\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        return buffer
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}

/// Tells ``ConnectionTimeoutHandler`` when the socket takes what the connection writes, for the
/// write timeout. It sits at the socket's end of the pipeline, below TLS: NIO's TLS handler joins
/// the promises of every write of a flush into one, so above it a large answer would count as
/// taken only once its last byte was.
///
/// NIO reports a write done only once all its bytes are with the kernel, so a large answer (the
/// client core's module is about 400 KB) written in one piece would count as no progress until its
/// last byte went out, and a client reading it slowly but steadily would be cut off. It is written
/// in slices of at most ``progressSlice`` bytes, and each slice the kernel takes is progress: the
/// write timeout ends only a client that takes nothing for that long (`--write-timeout`).
final class WriteProgressHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The most of one write that counts as one step of progress.
    static let progressSlice = 16 * 1024

    /// Counts the writes this handler reports (``ConnectionTimeoutHandler/writesPending``).
    private let timeouts: ConnectionTimeoutHandler
    /// A close came while writes were pending: it waits for them.
    private var closeHeld = false

    init(reportingTo timeouts: ConnectionTimeoutHandler) {
        self.timeouts = timeouts
    }

    /// A full close while writes are pending waits until the socket has taken them, for at most
    /// the write timeout. Graceful shutdown (Hummingbird's connection state handler) closes a
    /// connection right after its last answer is written, and NIO drops what the socket has not
    /// taken yet: a large answer to a slow reader would be cut. The write timeout still ends a
    /// client that takes nothing meanwhile (its close, like a refusal's, is not held), and a slow
    /// one cannot hold a shutdown longer than it either.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, timeouts.writesPending, !timeouts.isEnding else {
            return context.close(mode: mode, promise: promise)
        }
        if let promise { context.channel.closeFuture.cascade(to: promise) }
        guard !closeHeld else { return }
        closeHeld = true
        context.eventLoop.assumeIsolated().scheduleTask(in: timeouts.writeTimeout) {
            guard self.closeHeld else { return }
            self.closeHeld = false
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .byteBuffer(var buffer) = unwrapOutboundIn(data), buffer.readableBytes > Self.progressSlice {
            // Slices share the buffer's storage; the last carries the caller's promise, and fails
            // with the others if the connection closes first.
            while buffer.readableBytes > Self.progressSlice, let slice = buffer.readSlice(length: Self.progressSlice) {
                write(wrapOutboundOut(.byteBuffer(slice)), context: context, promise: nil)
            }
            write(wrapOutboundOut(.byteBuffer(buffer)), context: context, promise: promise)
            return
        }
        write(data, context: context, promise: promise)
    }

    private func write(_ data: NIOAny, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        timeouts.writeStarted()
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.timeouts.writeFinished()
            if !self.timeouts.writesPending, self.closeHeld {
                self.closeHeld = false
                context.close(promise: nil)
            }
        }
        context.write(data, promise: written)
    }
}

@available(*, unavailable)
extension WriteProgressHandler: Sendable {}

/// Tells ``ConnectionTimeoutHandler`` where requests and responses begin and end. It sits right
/// after the HTTP/1 decoder, so it sees NIO's HTTP parts in both directions.
///
/// It also answers what never becomes a request for the server's handlers, with the API's JSON
/// error (`400 malformed`) rather than the framework's bare `400`, and closes the connection: a
/// request the HTTP parser cannot read (a `Content-Length` that is not a number, both
/// `Content-Length` and `Transfer-Encoding`, an unknown method, a head too large), and `CONNECT`,
/// which would turn the connection into a tunnel. An error inside a request's body is that
/// request's: its body stream fails and its handler answers. A refusal that comes while earlier
/// requests are still being answered waits for their answers, so two answers never interleave.
///
/// And it keeps HTTP/1's rules on persistence (RFC 9112 §9.3, §9.6), which the framework's
/// version-less request type cannot: a request that does not keep the connection open (HTTP/1.0
/// without `keep-alive`, or `Connection: close`) is the last one read, its answer says
/// `Connection: close`, and the connection closes once that answer is written. An HTTP/1.0
/// request is answered as HTTP/1.0, so an answer without a length is delimited by the close, not
/// chunked (§6.1); one that asks to keep the connection is told `Connection: keep-alive`.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: ConnectionTimeoutHandler
    private let logger: Logger
    /// Requests whose head was read and whose answer has not ended yet.
    private var unanswered = 0
    /// A request's head was read and its end not yet.
    private var readingBody = false
    /// The refusal's message, once the connection is being refused: nothing more is read from it.
    private var refusal: String?
    /// How each request read and not yet answered wants its connection (RFC 9112 §9.3), in order:
    /// HTTP/1.1 answers requests in the order they came.
    private var persistence: [Persistence] = []
    /// A request that closes the connection was read to its end: nothing after it is read (§9.6).
    private var lastRequestRead = false
    /// The answer being written closes the connection once it is written.
    private var closeAfterAnswer = false

    /// What a request's version and `Connection` field ask of the connection.
    struct Persistence: Equatable {
        var http10: Bool
        var keepAlive: Bool
        /// A `HEAD` request: its answer has no body, whatever its fields say.
        var isHead: Bool

        /// RFC 9112 §9.3, in its order: a `close` option ends the connection after this answer; else
        /// HTTP/1.1 keeps it; else HTTP/1.0 keeps it only with a `keep-alive` option. (NIO's
        /// `isKeepAlive` lets HTTP/1.0's `keep-alive` win over a `close` beside it.)
        init(_ head: HTTPRequestHead) {
            http10 = head.version.major == 1 && head.version.minor == 0
            isHead = head.method == .HEAD
            var close = false
            var keepAliveOption = false
            for (name, value) in head.headers where name.utf8.elementsEqual("connection".utf8, by: Self.asciiCaseInsensitive) {
                for option in value.split(separator: ",") {
                    switch Self.token(option) {
                    case "close": close = true
                    case "keep-alive": keepAliveOption = true
                    default: break
                    }
                }
            }
            keepAlive = !close && (!http10 || keepAliveOption)
        }

        /// A connection option without the white space around it (RFC 9110 §5.6.1), in lower case.
        private static func token(_ option: Substring) -> String {
            let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
            guard let first = option.firstIndex(where: { !blank($0) }), let last = option.lastIndex(where: { !blank($0) }) else {
                return ""
            }
            return option[first...last].lowercased()
        }

        private static func asciiCaseInsensitive(_ a: UInt8, _ b: UInt8) -> Bool {
            a | (a >= 0x41 && a <= 0x5A ? 0x20 : 0) == b
        }
    }

    init(reportingTo timeouts: ConnectionTimeoutHandler, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil, !lastRequestRead else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.method == .CONNECT {
                refuse("CONNECT is not served here: this server is no proxy")
                return
            }
            if let problem = Self.headProblem(head) {
                refuse(problem)
                return
            }
            unanswered += 1
            persistence.append(Persistence(head))
            readingBody = true
            timeouts.requestHeadRead()
            // RFC 9110 §10.1.1: a client that waits for `100 Continue` before its body is told to
            // send it (an HTTP/1.0 client is sent no 1xx). A request refused later, as for its size
            // or origin, is refused all the same; its body is then read and dropped.
            if Self.expectsContinue(head) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body: break
        case .end:
            readingBody = false
            timeouts.requestEndRead()
            // RFC 9112 §9.6: after a request that closes the connection, no further request is read.
            if persistence.last?.keepAlive == false { lastRequestRead = true }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError, !readingBody else {
            context.fireErrorCaught(error)
            return
        }
        // Bytes after the last request are not read (RFC 9112 §9.6): the connection closes after its answer.
        if refusal == nil, !lastRequestRead { refuse("the request is not valid HTTP/1.1: \(error)") }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var answered = false
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:  // not an interim 1xx
            timeouts.responseHeadWritten()
            if let request = persistence.first {
                if request.http10 { head.version = .http1_0 }
                // HTTP/1.0 has no chunked bodies: a body without a length ends only at the close (§6.3).
                let hasBody = !request.isHead && head.status != .noContent && head.status != .notModified
                let closeDelimited = request.http10 && hasBody && !head.headers.contains(name: "content-length")
                if !request.keepAlive || closeDelimited {
                    closeAfterAnswer = true
                    head.headers.replaceOrAdd(name: "Connection", value: "close")
                } else if request.http10 {
                    head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
                }
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
        case .head, .body: break
        case .end:
            unanswered = max(0, unanswered - 1)
            if !persistence.isEmpty { persistence.removeFirst() }
            answered = unanswered == 0
            timeouts.responseEndWritten()
            if closeAfterAnswer {
                // RFC 9112 §9.6: the answer to a request that closes the connection is its last.
                let written = promise ?? context.eventLoop.makePromise()
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                context.write(data, promise: written)
                return
            }
        }
        context.write(data, promise: promise)
        if answered, let refusal { timeouts.refuse(.malformed(refusal)) }
    }

    /// What in a request's head this server cannot take as it stands, or `nil`:
    /// - RFC 9112 §3.2: an HTTP/1.1 request has exactly one `Host`, and any request at most one,
    ///   whose value is a host and an optional port (RFC 3986 §3.2.2's characters);
    /// - RFC 9112 §6.1: HTTP/1.0 has no `Transfer-Encoding` (its framing is faulty, and a proxy of
    ///   1.0 could read it otherwise), and the one coding taken is `chunked`, once (a coding not
    ///   understood would leave the body unread as the client meant it).
    /// One pass over the fields, with nothing copied unless there is a `Transfer-Encoding`.
    static func headProblem(_ head: HTTPRequestHead) -> String? {
        var hosts = 0
        var codings: [String] = []
        for (name, value) in head.headers {
            if Self.named(name, "host") {
                hosts += 1
                if !value.utf8.allSatisfy(Self.isHostByte) { return "the Host field is not a host and port" }
            } else if Self.named(name, "transfer-encoding") {
                codings += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            }
        }
        if head.version.minor >= 1, hosts != 1 { return "an HTTP/1.1 request has one Host field, not \(hosts)" }
        if hosts > 1 { return "a request has at most one Host field" }
        if !codings.isEmpty {
            if head.version.minor == 0 { return "an HTTP/1.0 request has no Transfer-Encoding" }
            if codings != ["chunked"] { return "the only transfer coding taken is chunked, once" }
        }
        return nil
    }

    /// RFC 9110 §10.1.1: an HTTP/1.1 request whose client waits for `100 Continue` before its body.
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.version.minor >= 1
            && head.headers.contains { Self.named($0.name, "expect") && $0.value.lowercased() == "100-continue" }
    }

    /// Whether a field's `name` is `lowercase`, in any case (RFC 9110 §5.1).
    private static func named(_ name: String, _ lowercase: String) -> Bool {
        name.utf8.count == lowercase.utf8.count
            && name.utf8.elementsEqual(lowercase.utf8) { ($0 | ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0)) == $1 }
    }

    /// RFC 3986 §3.2.2: the characters of a host (a name, IPv4, or an IP literal in brackets) and
    /// §3.2.3 its port after `:`.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-._~!$&'()*+,;=%:[]".utf8.contains(byte)
        }
    }

    /// `400 malformed` and the close (``ConnectionTimeoutHandler/refuse(_:)``), now or once the
    /// answers still owed are written.
    private func refuse(_ message: String) {
        refusal = message
        logger.debug("request refused before routing", metadata: ["reason": .string(message)])
        if unanswered == 0 { timeouts.refuse(.malformed(message)) }
    }
}

@available(*, unavailable)
extension RequestProgressHandler: Sendable {}
