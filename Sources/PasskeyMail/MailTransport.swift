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
/// growing delays, then given up (and logged as lost). At most ``maximumConcurrent`` deliveries
/// talk to the mail server at once, and at most ``maximumQueued`` messages wait: past that a
/// message is refused (and logged), so a slow or hanging mail server cannot make the server hold
/// ever more tasks and sockets.
public actor Outbox {
    public let transport: any MailTransport
    let logger: Logger
    /// Seconds to wait before each retry; a message is tried `retryDelays.count + 1` times.
    let retryDelays: [Duration]
    /// Messages queued or being delivered, at most.
    public let maximumQueued: Int
    /// Deliveries in progress at once, at most.
    public let maximumConcurrent: Int
    private var pending = 0
    private var delivering = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []

    public init(
        transport: any MailTransport, logger: Logger, retryDelays: [Duration] = [.seconds(5), .seconds(30), .seconds(120)],
        maximumQueued: Int = 1000, maximumConcurrent: Int = 4
    ) {
        self.transport = transport
        self.logger = logger
        self.retryDelays = retryDelays
        self.maximumQueued = max(1, maximumQueued)
        self.maximumConcurrent = max(1, maximumConcurrent)
    }

    /// Queues the message and returns whether it was queued: `false` (and an error logged) when
    /// ``maximumQueued`` messages wait already.
    @discardableResult
    public func send(_ message: MailMessage) -> Bool {
        guard pending < maximumQueued else {
            logger.error("mail not sent: the outbox is full", metadata: [
                "to": .string(message.to.address), "subject": .string(message.subject), "queued": .stringConvertible(pending),
            ])
            return false
        }
        pending += 1
        Task { await self.deliver(message) }
        return true
    }

    /// Waits for one of the ``maximumConcurrent`` places to deliver in.
    private func takeSlot() async {
        if delivering < maximumConcurrent {
            delivering += 1
            return
        }
        // The place of the delivery that ends is handed over (`giveSlot`), so `delivering` stays.
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    private func giveSlot() {
        if slotWaiters.isEmpty {
            delivering -= 1
        } else {
            slotWaiters.removeFirst().resume()
        }
    }

    /// Messages queued or being delivered now.
    public var queued: Int { pending }

    /// Waits until every queued message is delivered or given up, or `limit` has passed, and
    /// returns how many are still queued then (for the server's shutdown: mail it acknowledged
    /// goes out, or is counted in the log as not sent).
    public func drain(within limit: Duration) async -> Int {
        let deadline = ContinuousClock.now + limit
        while pending > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return pending
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
            await takeSlot()
            do {
                try await transport.send(message)
                giveSlot()
                logger.info("mail sent", metadata: metadata.merging(["attempt": .stringConvertible(attempt + 1)]) { $1 })
                return
            } catch {
                giveSlot()
                var details = metadata
                details["attempt"] = .stringConvertible(attempt + 1)
                details["error"] = .string(String(describing: error))
                guard attempt < retryDelays.count else {
                    logger.error("mail not sent: giving up", metadata: details)
                    return
                }
                if let error = error as? MailError, error.isPermanent {
                    logger.error("mail not sent: refused for good, not retried", metadata: details)
                    return
                }
                logger.warning("mail not sent: will retry in \(retryDelays[attempt])", metadata: details)
                try? await Task.sleep(for: retryDelays[attempt])
            }
        }
    }
}
