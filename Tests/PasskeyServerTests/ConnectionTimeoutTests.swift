import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Prometheus
import Synchronization
import Testing

@testable import PasskeyServer

/// The connection timeouts, on an embedded channel whose clock the test moves: the real handlers
/// around NIO's real HTTP/1 codec.
@Suite struct ConnectionTimeoutTests {
    static let timeouts = ConnectionTimeouts(header: .seconds(10), body: .seconds(30), idle: .seconds(75), write: .seconds(20))

    /// A connected channel with the timeout handlers and the HTTP/1 codec, in the server's order.
    struct Connection {
        let channel = EmbeddedChannel()
        let registry = PrometheusCollectorRegistry()
        /// At the socket's end, as the server puts it.
        let writeProgress: WriteProgressHandler

        init(timeouts: ConnectionTimeouts = ConnectionTimeoutTests.timeouts) throws {
            let handler = ConnectionTimeoutHandler(
                timeouts: timeouts, metrics: ConnectionMetrics(registry: registry), logger: Logger(label: "test"))
            writeProgress = WriteProgressHandler(reportingTo: handler)
            try channel.pipeline.syncOperations.addHandlers([
                writeProgress, handler, HTTPResponseEncoder(), ByteToMessageHandler(HTTPRequestDecoder()),
                RequestProgressHandler(reportingTo: handler, logger: Logger(label: "test")),
            ])
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        func wait(_ seconds: Int64) {
            channel.embeddedEventLoop.advanceTime(by: .seconds(seconds))
        }

        var isOpen: Bool { channel.isActive }

        /// Everything written to the client so far.
        func written() throws -> String {
            var text = ""
            while let part = try channel.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let buffer) = part else { continue }
                text += String(buffer: buffer)
            }
            return text
        }

        /// Reads the request parts the server received, so the decoder's output does not pile up.
        func drainRequests() throws -> [HTTPServerRequestPart] {
            var parts: [HTTPServerRequestPart] = []
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
            return parts
        }

        /// A complete `204` answer, written and flushed as the server writes one.
        func answer() throws {
            try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .noContent)))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }

        func timeouts(_ timeout: ConnectionTimeout, _ outcome: TimeoutOutcome) -> String {
            let prefix = #"passkeys_connection_timeouts_total{timeout="\#(timeout.rawValue)",outcome="\#(outcome.rawValue)"} "#
            let line = registry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.map { String($0.dropFirst(prefix.count)) } ?? "missing"
        }
    }

    static let completeRequest = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test(arguments: [
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "CONNECT localhost:80 HTTP/1.1\r\nHost: x\r\n\r\n",
        // RFC 9112 §3.2: one Host, a host and port.
        "GET /healthz HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /healthz HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a b/c@d\r\n\r\n",
        // RFC 9112 §6.1: no Transfer-Encoding in HTTP/1.0; chunked, once, and nothing else.
        "POST /api/authentication/options HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "POST /api/authentication/options HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "POST /api/authentication/options HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    ])
    func aRequestNoHandlerCanTakeIsAnswered400MalformedAndClosed(_ request: String) throws {
        let connection = try Connection()
        try? connection.send(request)
        #expect(try connection.drainRequests().isEmpty, "nothing reaches the server's handlers")
        #expect(!connection.isOpen)
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(written.contains("Connection: close\r\n") && written.contains("X-Content-Type-Options: nosniff\r\n"))
        #expect(written.contains(#""code":"malformed""#))
    }

    @Test(arguments: ["", "[::1]:8080", "127.0.0.1", "login.example.com:443"])
    func aHostOfAHostAndPortOrEmptyIsTaken(_ host: String) throws {
        let connection = try Connection()
        try connection.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        #expect(try connection.drainRequests().count == 2, "the request's head and end")
        #expect(connection.isOpen)
    }

    @Test func aClientWaitingForContinueIsToldToSendItsBodyButNotAnHTTP10One() throws {
        let connection = try Connection()
        try connection.send("POST /api/authentication/options HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.written() == "HTTP/1.1 100 Continue\r\n\r\n")
        try connection.send("{}")
        #expect(try connection.drainRequests().count == 3, "the head, the body and the end reach the handlers")
        try connection.answer()
        #expect(try connection.written().hasPrefix("HTTP/1.1 204 No Content\r\n"))
        let old = try Connection()
        try old.send("POST /api/authentication/options HTTP/1.0\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(try old.written() == "")
    }

    @Test func aRequestUnreadableAfterAnAnsweredOneIsRefusedOnlyAfterThatAnswer() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest + "GET /healthz HTTP/1.1\r\nContent-Length: x\r\n\r\n")
        #expect(try connection.drainRequests().count == 2, "the first request, head and end")
        #expect(connection.isOpen, "its answer is still owed")
        try connection.answer()
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 204 No Content\r\n"))
        let refusal = try #require(written.range(of: "HTTP/1.1 400 Bad Request\r\n"))
        #expect(written[refusal.upperBound...].contains(#""code":"malformed""#))
        #expect(!connection.isOpen)
    }

    @Test(arguments: [
        ("GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n", "HTTP/1.0 204 No Content\r\n"),
        ("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 204 No Content\r\n"),
        ("GET /healthz HTTP/1.0\r\nHost: x\r\nConnection: Keep-Alive, close\r\n\r\n", "HTTP/1.0 204 No Content\r\n"),
    ])
    func aRequestThatDoesNotKeepTheConnectionGetsTheLastAnswerAndTheClose(_ request: String, _ statusLine: String) throws {
        let connection = try Connection()
        // A second request right behind it, and bytes no parser takes: neither is read (RFC 9112 §9.6).
        try connection.send(request + Self.completeRequest + "FOO / HTTP/1.1\r\n\r\n")
        #expect(try connection.drainRequests().count == 2, "the first request's head and end only")
        #expect(connection.isOpen, "its answer is still owed")
        try connection.answer()
        let written = try connection.written()
        #expect(written.hasPrefix(statusLine))
        #expect(written.lowercased().contains("\r\nconnection: close\r\n"))
        #expect(!written.contains("400"), "what followed the last request was not read")
        #expect(!connection.isOpen, "closed once its answer is written")
    }

    @Test func anHTTP10RequestThatKeepsTheConnectionIsToldSoAndTheNextOneIsRead() throws {
        let connection = try Connection()
        try connection.send("GET /healthz HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n" + Self.completeRequest)
        #expect(try connection.drainRequests().count == 4, "both requests, head and end")
        try connection.answer()
        var written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.0 204 No Content\r\n"))
        #expect(written.lowercased().contains("\r\nconnection: keep-alive\r\n"))
        #expect(connection.isOpen)
        try connection.answer()
        written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 204 No Content\r\n"), "the HTTP/1.1 request is answered as HTTP/1.1")
        #expect(!written.lowercased().contains("connection:"), "an HTTP/1.1 connection stays open without saying so")
        #expect(connection.isOpen)
    }

    @Test(arguments: ["", "Connection: keep-alive\r\n"])
    func anHTTP10AnswerWithoutALengthIsDelimitedByTheCloseNotChunked(_ keepAlive: String) throws {
        let connection = try Connection()
        try connection.send("GET /stream HTTP/1.0\r\nHost: x\r\n\(keepAlive)\r\n")
        _ = try connection.drainRequests()
        try connection.channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try connection.channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "streamed"))))
        try connection.channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(!written.lowercased().contains("transfer-encoding"))
        #expect(written.hasSuffix("\r\n\r\nstreamed"))
        #expect(written.lowercased().contains("\r\nconnection: close\r\n"), "even when the request asked to keep it")
        #expect(!connection.isOpen)
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheHeaderTimeoutWithoutAnAnswer() throws {
        let connection = try Connection()
        connection.wait(9)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(try connection.written() == "")
        #expect(connection.timeouts(.header, .closed) == "1")
    }

    @Test func aHeadThatStopsHalfwayIsAnswered408AtTheHeaderTimeout() throws {
        let connection = try Connection()
        connection.wait(3)
        try connection.send("GET /healthz HTTP/1.1\r\nHost: local")
        connection.wait(9)
        #expect(connection.isOpen, "the header timeout runs from the first byte")
        connection.wait(1)
        #expect(!connection.isOpen)
        let written = try connection.written()
        #expect(written.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(written.contains("Connection: close\r\n"))
        #expect(written.hasSuffix(#"{"error":{"code":"request_timeout","message":"the request did not arrive in time"}}"#))
        #expect(connection.timeouts(.header, .requestTimeout) == "1")
    }

    @Test func aBodyThatStopsMidwayIsAnswered408AndItsStreamFails() throws {
        let connection = try Connection()
        try connection.send("POST /api/registration/options HTTP/1.1\r\nHost: localhost\r\nContent-Length: 40\r\n\r\n{\"username\":")
        connection.wait(29)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(try connection.written().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        // The handler waiting for the body sees an error, never a clean end of a short body.
        #expect(throws: RequestTimedOut(timeout: .body)) { try connection.channel.throwIfErrorCaught() }
        let parts = try connection.drainRequests()
        #expect(!parts.contains { if case .end = $0 { true } else { false } })
        #expect(connection.timeouts(.body, .requestTimeout) == "1")
    }

    @Test func aTricklingBodyStillEndsAtTheBodyTimeout() throws {
        let connection = try Connection()
        try connection.send("POST /api/authentication HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n")
        for _ in 0..<5 {
            connection.wait(5)
            try connection.send("x")
        }
        #expect(connection.isOpen)
        connection.wait(5)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.body, .requestTimeout) == "1")
    }

    @Test func aBodyWhoseAnswerHasBegunIsClosedWithoutA408() throws {
        let connection = try Connection()
        try connection.send("POST /api/authentication HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n")
        // The server refused the request before reading its body (a 413, say) and is draining it.
        try connection.channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .payloadTooLarge)))
        _ = try connection.written()
        connection.wait(30)
        #expect(!connection.isOpen)
        #expect(try connection.written() == "")
        #expect(connection.timeouts(.body, .closed) == "1")
    }

    @Test func anIdleKeepAliveConnectionWaitsTheIdleTimeoutNotTheHeaderTimeout() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest)
        #expect(try connection.drainRequests().count == 2)
        try connection.answer()
        _ = try connection.written()
        connection.wait(74)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(try connection.written() == "", "an idle connection is closed without an answer")
        #expect(connection.timeouts(.idle, .closed) == "1")
    }

    @Test func theNextRequestsFirstByteStartsTheHeaderTimeout() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest)
        _ = try connection.drainRequests()
        try connection.answer()
        _ = try connection.written()
        connection.wait(50)
        try connection.send("GET /")
        connection.wait(10)
        #expect(!connection.isOpen)
        #expect(try connection.written().hasPrefix("HTTP/1.1 408"))
        #expect(connection.timeouts(.header, .requestTimeout) == "1")
    }

    @Test func aRequestTheServerIsStillAnsweringIsNotTimedOut() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest)
        _ = try connection.drainRequests()
        connection.wait(300)
        #expect(connection.isOpen)
        try connection.answer()
        connection.wait(74)
        #expect(connection.isOpen, "the idle timeout runs from the end of the answer")
    }

    @Test func aResponseTheClientDoesNotTakeIsAbandonedAtTheWriteTimeout() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest)
        _ = try connection.drainRequests()
        // Written but never flushed: as a write into a socket whose peer reads nothing stays pending.
        connection.channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)), promise: nil)
        connection.wait(19)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.write, .closed) == "1")
    }

    /// The socket under a client that reads slowly: it holds what is written and takes bytes only
    /// when the test says, completing each write once all of its bytes are taken, as NIO does.
    final class SlowSocket: ChannelOutboundHandler {
        typealias OutboundIn = IOData
        typealias OutboundOut = IOData

        private var held: [(buffer: ByteBuffer, promise: EventLoopPromise<Void>?)] = []
        private(set) var taken = ByteBuffer()

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            guard case .byteBuffer(let buffer) = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
            held.append((buffer, promise))
        }

        func flush(context: ChannelHandlerContext) {}

        /// The client reads `count` bytes.
        func take(_ count: Int) {
            var left = count
            while left > 0, !held.isEmpty {
                let length = min(left, held[0].buffer.readableBytes)
                if var bytes = held[0].buffer.readSlice(length: length) { taken.writeBuffer(&bytes) }
                left -= length
                if held[0].buffer.readableBytes == 0 { held.removeFirst().promise?.succeed() }
            }
        }
    }

    /// Answers one request with a `200` whose body is `body`, written and flushed at once (with its
    /// end unless `ended` is false) into a ``SlowSocket`` the test drains; with `throughTLS`, through
    /// ``JoiningWrites`` above the write progress, as NIO's TLS handler sits.
    static func answerSlowly(
        _ connection: Connection, _ body: ByteBuffer, ended: Bool = true, throughTLS: Bool = false
    ) throws -> SlowSocket {
        let socket = SlowSocket()
        try connection.channel.pipeline.syncOperations.addHandler(socket, position: .first)
        if throughTLS {
            try connection.channel.pipeline.syncOperations.addHandler(JoiningWrites(), position: .after(connection.writeProgress))
        }
        try connection.send(Self.completeRequest)
        _ = try connection.drainRequests()
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "\(body.readableBytes)"])
        connection.channel.write(HTTPServerResponsePart.head(head), promise: nil)
        connection.channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        if ended { connection.channel.write(HTTPServerResponsePart.end(nil), promise: nil) }
        connection.channel.flush()
        return socket
    }

    /// The client takes 16 KB every `seconds`, `times` times; the connection is open before each.
    static func takeSteadily(
        _ connection: Connection, _ socket: SlowSocket, every seconds: Int64, times: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for _ in 0..<times {
            connection.wait(seconds)
            #expect(connection.isOpen, sourceLocation: sourceLocation)
            socket.take(16 * 1024)
        }
    }

    /// What NIO's TLS handler does with writes: it holds them until the flush, then writes them as
    /// one buffer whose promise completes all of theirs.
    final class JoiningWrites: ChannelOutboundHandler {
        typealias OutboundIn = IOData
        typealias OutboundOut = IOData

        private var held = ByteBuffer()
        private var promises: [EventLoopPromise<Void>] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            guard case .byteBuffer(var buffer) = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
            held.writeBuffer(&buffer)
            if let promise { promises.append(promise) }
        }

        func flush(context: ChannelHandlerContext) {
            let joined = context.eventLoop.makePromise(of: Void.self)
            let waiting = promises
            joined.futureResult.whenComplete { result in waiting.forEach { $0.completeWith(result) } }
            promises = []
            context.write(wrapOutboundOut(.byteBuffer(held)), promise: joined)
            held = ByteBuffer()
            context.flush()
        }
    }

    @Test func theServersPipelineCountsWritesBelowTLS() throws {
        let channel = EmbeddedChannel()
        // Where NIO's TLS handler is: Hummingbird adds it before the server's own handlers.
        try channel.pipeline.syncOperations.addHandler(JoiningWrites())
        let guarded = GuardedHTTP1Channel(
            http: HTTP1Channel(responder: { _, _, _ in }), timeouts: Self.timeouts,
            limiter: ConnectionLimitTests.limiter())
        _ = try guarded.setup(channel: channel, logger: Logger(label: "test")).wait()
        let pipeline = channel.pipeline.debugDescription
        let order = ["WriteProgressHandler", "JoiningWrites", "ConnectionTimeoutHandler", "RequestProgressHandler"].map {
            pipeline.range(of: $0)?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil }, "\(pipeline)")
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "from the socket up: \(pipeline)")
        _ = try? channel.finish()
    }

    @Test(arguments: [false, true])
    func aLargeAnswerReadSlowlyButSteadilyIsNotCutByTheWriteTimeout(throughTLS: Bool) throws {
        let connection = try Connection()
        let body = ByteBuffer(bytes: (0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
        let socket = try Self.answerSlowly(connection, body, throughTLS: throughTLS)
        // 16 KB every 15 s, under the 20 s write timeout each time: 100 KB takes 105 s, longer than
        // the idle timeout (75 s), which runs only once the answer is out.
        Self.takeSteadily(connection, socket, every: 15, times: 7)
        #expect(socket.taken.readableBytes > 100_000, "the head and the whole body")
        #expect(socket.taken.readableBytesView.suffix(100_000).elementsEqual(body.readableBytesView))
        #expect(connection.timeouts(.write, .closed) == "0")
        connection.wait(74)
        #expect(connection.isOpen, "idle from the last byte taken")
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.idle, .closed) == "1" && connection.timeouts(.write, .closed) == "0")
    }

    @Test func aHeadBegunWhileALargeAnswerGoesOutGetsItsFullTimeAfterTheAnswer() throws {
        let connection = try Connection()
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 100_000))
        try connection.send("GET /healthz HTTP/1.1\r\nHost: lo")
        // The header timeout is 10 s; the answer goes out 16 KB every 12 s (under the write timeout,
        // 20 s), 84 s in all, and the head is not cut meanwhile.
        Self.takeSteadily(connection, socket, every: 12, times: 7)
        #expect(socket.taken.readableBytes > 100_000)
        connection.wait(9)
        #expect(connection.isOpen, "the head's time runs from the last byte taken")
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.header, .requestTimeout) == "1", "no answer was under way: a 408")
    }

    @Test func theIdleTimeoutWaitsForAnAnswerStillGoingOutEvenWhenShorterThanTheWriteTimeout() throws {
        let connection = try Connection(timeouts: ConnectionTimeouts(header: .seconds(10), body: .seconds(30), idle: .seconds(5), write: .seconds(20)))
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 50_000))
        Self.takeSteadily(connection, socket, every: 10, times: 4)
        #expect(socket.taken.readableBytes > 50_000)
        connection.wait(4)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen, "idle 5 s after the last byte taken")
        #expect(connection.timeouts(.idle, .closed) == "1" && connection.timeouts(.write, .closed) == "0")
    }

    /// Whether `future` succeeded (`true`), failed (`false`) or is still pending (`nil`), without waiting.
    static func outcome(of future: EventLoopFuture<Void>) -> Bool? {
        let outcome = Mutex<Bool?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = if case .success = result { true } else { false } }
        }
        return outcome.withLock { $0 }
    }

    @Test func aCloseWhileAnAnswerGoesOutWaitsForItsLastByte() throws {
        // As graceful shutdown closes a connection right after its last answer is written.
        let connection = try Connection()
        let body = ByteBuffer(bytes: (0..<50_000).map { UInt8(truncatingIfNeeded: $0) })
        let socket = try Self.answerSlowly(connection, body)
        let closed = connection.channel.close()
        Self.takeSteadily(connection, socket, every: 5, times: 3)
        #expect(connection.isOpen, "a few bytes are still to go")
        socket.take(16 * 1024)
        #expect(!connection.isOpen, "closed once the last byte is taken")
        #expect(socket.taken.readableBytesView.suffix(50_000).elementsEqual(body.readableBytesView))
        connection.channel.embeddedEventLoop.run()
        #expect(Self.outcome(of: closed) == true, "the close's promise kept")
        #expect(connection.timeouts(.write, .closed) == "0")
    }

    @Test func aCloseWaitsForAnAnswerGoingOutNoLongerThanTheWriteTimeout() throws {
        let connection = try Connection()
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 100_000))
        let closed = connection.channel.close()
        // Steady enough for the write timeout (20 s), but the close waits 20 s at most.
        Self.takeSteadily(connection, socket, every: 6, times: 3)
        connection.wait(1)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen, "20 s after the close was asked for")
        #expect(connection.timeouts(.write, .closed) == "0")
        #expect(Self.outcome(of: closed) == true, "the close's promise kept")
    }

    @Test func aCloseHeldForAClientThatTakesNothingEndsAtTheWriteTimeout() throws {
        let connection = try Connection()
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 50_000))
        socket.take(1_000)
        connection.wait(5)
        let closed = connection.channel.close()
        connection.wait(14)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.write, .closed) == "1")
        #expect(Self.outcome(of: closed) == true, "the close's promise kept")
    }

    @Test func aTimeoutWhileAnAnswerIsStillGoingOutClosesWithoutA408() throws {
        let connection = try Connection(timeouts: ConnectionTimeouts(header: .seconds(10), body: .seconds(5), idle: .seconds(75), write: .seconds(20)))
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 50_000))
        // The next request's head, then a body that stops: the body timeout ends it while the
        // first answer is still going out, and a 408 behind it would be dropped by the close.
        try connection.send("POST /api/session HTTP/1.1\r\nHost: lo\r\nContent-Length: 10\r\n\r\nab")
        connection.wait(4)
        socket.take(16 * 1024)
        connection.wait(1)
        #expect(!connection.isOpen)
        #expect(connection.timeouts(.body, .closed) == "1" && connection.timeouts(.body, .requestTimeout) == "0")
    }

    @Test func aLargeAnswerTheClientStopsTakingIsAbandonedAtTheWriteTimeout() throws {
        let connection = try Connection()
        let socket = try Self.answerSlowly(connection, ByteBuffer(repeating: 7, count: 100_000), ended: false)
        connection.wait(15)
        socket.take(40_000)
        connection.wait(19)
        #expect(connection.isOpen)
        connection.wait(1)
        #expect(!connection.isOpen, "20 s without a byte taken")
        #expect(connection.timeouts(.write, .closed) == "1")
    }

    @Test func aResponseThatKeepsMovingIsNotCutByTheWriteTimeout() throws {
        let connection = try Connection()
        try connection.send(Self.completeRequest)
        _ = try connection.drainRequests()
        try connection.channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        for _ in 0..<5 {
            connection.channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "chunk"))), promise: nil)
            connection.wait(15)
            connection.channel.flush()
        }
        #expect(connection.isOpen)
        #expect(connection.timeouts(.write, .closed) == "0")
    }
}
