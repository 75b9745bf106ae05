import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// An SMTP connection on SwiftNIO: TCP, TLS from the start for `smtps://`, TLS added in front of
/// the pipeline for STARTTLS.
///
/// Used only inside ``connect(_:tls:_:)``'s body, by one task at a time.
public final class NIOSMTPConnection: SMTPConnection {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let host: String
    private let tls: TLSConfiguration
    private var reader = SMTPReplyReader()
    private var replies: [SMTPReply] = []
    /// Bytes taken from `inbound` so far, to tell at STARTTLS whether more have arrived.
    private var consumed = 0
    public private(set) var isSecure: Bool

    private init(
        channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, host: String, tls: TLSConfiguration, isSecure: Bool
    ) {
        self.channel = channel
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.host = host
        self.tls = tls
        self.isSecure = isSecure
    }

    /// Connects to the configured server, runs `body` with the connection and closes it.
    ///
    /// - Parameter tls: the TLS settings for `smtps://` and STARTTLS (system trust roots and
    ///   hostname verification by default).
    public static func connect<Result: Sendable>(
        _ configuration: SMTPConfiguration,
        tls: TLSConfiguration = .makeClientConfiguration(),
        _ body: (NIOSMTPConnection) async throws -> Result
    ) async throws -> Result {
        let implicitTLS = configuration.security == .implicitTLS
        let context: NIOSSLContext?
        do {
            context = implicitTLS ? try NIOSSLContext(configuration: tls) : nil
        } catch {
            throw MailError(.connectionFailed, "TLS cannot be set up: \(error)")
        }
        let host = configuration.host
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context {
                            let handler = try NIOSSLClientHandler(context: context, serverHostname: Self.serverName(host))
                            try channel.pipeline.syncOperations.addHandler(handler)
                        } else {
                            try channel.pipeline.syncOperations.addHandler(StartTLSGuard())
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailError(.connectionFailed, "cannot connect to \(host):\(configuration.port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = NIOSMTPConnection(
                channel: channel, inbound: inbound, outbound: outbound, host: host, tls: tls, isSecure: implicitTLS)
            return try await body(connection)
        }
    }

    /// SNI takes host names only (RFC 6066 §3).
    private static func serverName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }

    public func send(_ line: String) async throws {
        try await sendRaw(line + "\r\n")
    }

    public func sendRaw(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    public func readReply() async throws -> SMTPReply {
        while replies.isEmpty {
            guard let bytes = try await inbound.next() else {
                throw MailError(.protocolViolation, "\(host) closed the connection")
            }
            consumed += bytes.readableBytes
            replies += try reader.read(bytes.readableBytesView)
        }
        return replies.removeFirst()
    }

    public func startTLS() async throws {
        // Anything the server sent before the handshake was not protected by it (RFC 3207 §6):
        // bytes the reader holds, and bytes the channel received that the reader has not taken.
        guard !reader.hasBufferedData, replies.isEmpty else {
            throw MailError(.protocolViolation, "\(host) sent data after its STARTTLS reply, before TLS")
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw MailError(.connectionFailed, "TLS cannot be set up: \(error)")
        }
        let serverName = Self.serverName(host)
        let channel = channel.channel
        let consumed = consumed
        let host = host
        // On the channel's loop, so no byte arrives between the count and the handler: every byte
        // after this point goes through TLS first.
        let handshake = try await channel.eventLoop.submit { () throws -> EventLoopFuture<Void> in
            let guardHandler = try channel.pipeline.syncOperations.handler(type: StartTLSGuard.self)
            guard guardHandler.plaintextBytes == consumed else {
                throw MailError(.protocolViolation, "\(host) sent data after its STARTTLS reply, before TLS")
            }
            let handshake = guardHandler.startTLS(on: channel.eventLoop, timeout: .seconds(30))
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            return handshake
        }.get()
        // Secure only once the handshake (and the server's certificate) checked out.
        do {
            try await handshake.get()
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError(.connectionFailed, "TLS with \(host) failed: \(error)")
        }
        isSecure = true
    }
}

/// Counts the bytes that arrive in the clear, and, once STARTTLS puts TLS in front of it, waits for
/// the handshake: what ``NIOSMTPConnection/startTLS()`` needs to refuse plaintext a network
/// attacker slipped in after the server's STARTTLS reply (RFC 3207 §6), and to call the connection
/// secure only after the handshake.
final class StartTLSGuard: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private struct State {
        var plaintextBytes = 0
        var counting = true
        var handshake: EventLoopPromise<Void>?
    }
    // Touched only on the channel's event loop; the lock makes the type Sendable for NIO.
    private let state = Mutex(State())

    /// Bytes received before TLS was put in front.
    var plaintextBytes: Int { state.withLock { $0.plaintextBytes } }

    /// Stops counting and returns a future for the handshake about to start: it succeeds when TLS
    /// says the handshake completed, and fails on an error, on the connection's end, or after
    /// `timeout`.
    func startTLS(on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        state.withLock {
            $0.counting = false
            $0.handshake = promise
        }
        let timer = loop.scheduleTask(in: timeout) { [self] in
            finish(.failure(MailError(.timeout, "the TLS handshake did not finish within \(timeout.nanoseconds / 1_000_000_000) s")))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    private func finish(_ result: Result<Void, any Error>) {
        let promise = state.withLock { state -> EventLoopPromise<Void>? in
            defer { state.handshake = nil }
            return state.handshake
        }
        promise?.completeWith(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        state.withLock { if $0.counting { $0.plaintextBytes += unwrapInboundIn(data).readableBytes } }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(MailError(.protocolViolation, "the connection closed during the TLS handshake")))
        context.fireChannelInactive()
    }
}
