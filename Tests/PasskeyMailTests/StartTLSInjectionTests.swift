import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PasskeyMail
import SwiftASN1
import Synchronization
import Testing
import X509

/// A mail server on loopback that answers EHLO with STARTTLS, then answers STARTTLS with `220`
/// and, a moment later in a write of its own, with `injected` in the clear: what a network
/// attacker does to forge the replies that follow (RFC 3207 §6).
final class InjectingSMTPServer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let injected: String
    /// When set, the server really starts TLS after its STARTTLS reply (and injects nothing).
    let tls: NIOSSLContext?
    private let line = Mutex("")

    init(injected: String, tls: NIOSSLContext? = nil) {
        self.injected = injected
        self.tls = tls
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 test ready\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = String(buffer: unwrapInboundIn(data))
        let lines: [String] = line.withLock { pending in
            pending += text
            var complete: [String] = []
            while let end = pending.range(of: "\r\n") {
                complete.append(String(pending[..<end.lowerBound]))
                pending = String(pending[end.upperBound...])
            }
            return complete
        }
        for command in lines {
            if command.hasPrefix("EHLO") {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "250-test\r\n250 STARTTLS\r\n")), promise: nil)
            } else if command == "STARTTLS", let tls {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 go ahead\r\n")), promise: nil)
                try? context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } else if command == "STARTTLS" {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 go ahead\r\n")), promise: nil)
                let injected = injected
                let loop = context.eventLoop
                let channel = context.channel
                loop.scheduleTask(in: .milliseconds(20)) {
                    channel.writeAndFlush(ByteBuffer(string: injected), promise: nil)
                }
            }
        }
    }
}

@Suite("STARTTLS")
struct StartTLSInjectionTests {
    /// Runs `InjectingSMTPServer` on a free loopback port for `body`, which gets the port.
    static func withServer(
        injected: String, tls: NIOSSLContext? = nil, _ body: (Int) async throws -> Void
    ) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InjectingSMTPServer(injected: injected, tls: tls))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        try await body(try #require(server.localAddress?.port))
    }

    /// The greeting, EHLO and STARTTLS, each answered as expected.
    static func askForTLS(_ connection: NIOSMTPConnection) async throws {
        #expect(try await connection.readReply().code == 220)
        try await connection.send("EHLO localhost")
        #expect(try await connection.readReply().code == 250)
        try await connection.send("STARTTLS")
        #expect(try await connection.readReply().code == 220)
    }
    /// A self-signed P-256 certificate for 127.0.0.1 and its key, as NIOSSL takes them.
    static func loopbackCertificate() throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("127.0.0.1") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return (
            try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der),
            try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der))
    }

    @Test("STARTTLS with a server that does start TLS: the handshake completes, and then the connection is secure")
    func realHandshakeIsSecure() async throws {
        let (certificate, key) = try Self.loopbackCertificate()
        let serverTLS = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates([certificate])
        try await Self.withServer(injected: "", tls: serverTLS) { port in
            try await NIOSMTPConnection.connect(try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)"), tls: clientTLS) { connection in
                try await Self.askForTLS(connection)
                try await connection.startTLS()
                #expect(connection.isSecure)
                // The conversation goes on inside TLS.
                try await connection.send("EHLO localhost")
                #expect(try await connection.readReply().code == 250)
            }
        }
    }

    @Test("Plaintext the connection received after the STARTTLS reply, not yet read, is refused rather than read as if it came over TLS")
    func injectedPlaintextIsRefused() async throws {
        try await Self.withServer(injected: "250 forged\r\n") { port in
            try await NIOSMTPConnection.connect(try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)")) { connection in
                try await Self.askForTLS(connection)
                // The forged reply arrives now, before TLS is in front.
                try await Task.sleep(for: .milliseconds(200))
                await #expect(throws: MailError(.protocolViolation, "")) { try await connection.startTLS() }
                #expect(!connection.isSecure)
            }
        }
    }

    @Test("A server that speaks no TLS after STARTTLS is a failed handshake, and the connection is not called secure")
    func noHandshakeIsNotSecure() async throws {
        // Plaintext after the handshake began is not TLS: the handshake fails.
        try await Self.withServer(injected: "250 forged\r\n") { port in
            try await NIOSMTPConnection.connect(try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)")) { connection in
                try await Self.askForTLS(connection)
                // At once: TLS is in front before the server's plaintext arrives.
                await #expect(throws: MailError.self) { try await connection.startTLS() }
                #expect(!connection.isSecure)
            }
        }
    }
}
