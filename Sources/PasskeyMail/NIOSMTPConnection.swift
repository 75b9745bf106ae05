import Foundation
import NIOCore
import NIOPosix
import NIOSSL

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
            replies += try reader.read(bytes.readableBytesView)
        }
        return replies.removeFirst()
    }

    public func startTLS() async throws {
        // Anything the server sent before the handshake was not protected by it (RFC 3207 §6).
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
        // In front of everything: the bytes after the STARTTLS reply are TLS records.
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        isSecure = true
    }
}
