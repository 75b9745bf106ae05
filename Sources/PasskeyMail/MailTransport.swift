import Foundation
import Logging
import NIOSSL

/// Hands a message to someone who delivers it.
public protocol MailTransport: Sendable {
    /// Delivers the message or throws; the ``Outbox`` retries.
    func send(_ message: MailMessage) async throws
    /// What the transport is, for logs (never a password).
    var description: String { get }
}

/// The transport without an SMTP server: each message is written to the log in full, so a
/// recovery can be followed on a developer's machine.
public struct LogMailTransport: MailTransport {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws {
        logger.notice(
            "mail (no --smtp-url: written to the log, not sent)",
            metadata: ["to": .string(message.to.address), "subject": .string(message.subject)])
        logger.notice("\n\(message.rendered())")
    }

    public var description: String { "the log (no --smtp-url)" }
}

/// Delivers over SMTP, one connection per message, everything within a time limit.
public struct SMTPMailTransport: MailTransport {
    public let configuration: SMTPConfiguration
    let tls: TLSConfiguration
    let timeout: Duration

    public init(configuration: SMTPConfiguration, tls: TLSConfiguration = .makeClientConfiguration(), timeout: Duration = .seconds(60)) {
        self.configuration = configuration
        self.tls = tls
        self.timeout = timeout
    }

    public func send(_ message: MailMessage) async throws {
        let configuration = configuration, tls = tls
        let rendered = message.rendered()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await NIOSMTPConnection.connect(configuration, tls: tls) { connection in
                    try await SMTPSession(configuration: configuration)
                        .deliver(rendered, from: message.from, to: message.to, over: connection)
                }
            }
            group.addTask { [timeout] in
                try await Task.sleep(for: timeout)
                throw MailError(.timeout, "\(configuration.host) did not finish within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    public var description: String { configuration.description }
}

/// Sends mail in the background: ``send(_:)`` returns at once, so a request that causes a mail
/// never waits for, nor fails with, the mail server. A failed delivery is logged and retried after
/// growing delays, then given up (and logged as lost).
public actor Outbox {
    public let transport: any MailTransport
    let logger: Logger
    /// Seconds to wait before each retry; a message is tried `retryDelays.count + 1` times.
    let retryDelays: [Duration]
    private var pending = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    public init(transport: any MailTransport, logger: Logger, retryDelays: [Duration] = [.seconds(5), .seconds(30), .seconds(120)]) {
        self.transport = transport
        self.logger = logger
        self.retryDelays = retryDelays
    }

    /// Queues the message and returns.
    public func send(_ message: MailMessage) {
        pending += 1
        Task { await self.deliver(message) }
    }

    /// Returns once every queued message is delivered or given up (for tests and shutdown).
    public func waitUntilIdle() async {
        guard pending > 0 else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func deliver(_ message: MailMessage) async {
        defer {
            pending -= 1
            if pending == 0 {
                let waiters = idleWaiters
                idleWaiters = []
                waiters.forEach { $0.resume() }
            }
        }
        let metadata: Logger.Metadata = ["to": .string(message.to.address), "subject": .string(message.subject)]
        for attempt in 0...retryDelays.count {
            do {
                try await transport.send(message)
                logger.info("mail sent", metadata: metadata.merging(["attempt": .stringConvertible(attempt + 1)]) { $1 })
                return
            } catch {
                var details = metadata
                details["attempt"] = .stringConvertible(attempt + 1)
                details["error"] = .string(String(describing: error))
                guard attempt < retryDelays.count else {
                    logger.error("mail not sent: giving up", metadata: details)
                    return
                }
                logger.warning("mail not sent: will retry in \(retryDelays[attempt])", metadata: details)
                try? await Task.sleep(for: retryDelays[attempt])
            }
        }
    }
}
