import Foundation
import Logging
import PasskeyMail
import Synchronization
import Testing

/// Fails the first `failures` deliveries, then records.
final class FlakyTransport: MailTransport {
    private let state: Mutex<(failuresLeft: Int, attempts: Int, delivered: [MailMessage])>

    init(failures: Int) {
        state = Mutex((failures, 0, []))
    }

    var attempts: Int { state.withLock { $0.attempts } }
    var delivered: [MailMessage] { state.withLock { $0.delivered } }
    var description: String { "flaky" }

    func send(_ message: MailMessage) async throws {
        try state.withLock { state in
            state.attempts += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw MailError(.connectionFailed, "down")
            }
            state.delivered.append(message)
        }
    }
}

@Suite("Outbox")
struct OutboxTests {
    let message: MailMessage
    let logger: Logger

    init() throws {
        var logger = Logger(label: "outbox-test")
        logger.logLevel = .critical
        self.logger = logger
        message = MailMessage(
            from: try MailAddress(address: "no-reply@example.com"), to: try MailAddress(address: "ada@example.com"),
            subject: "Code", text: "12345678", html: "<p>12345678</p>")
    }

    @Test("A failed delivery is retried until it succeeds")
    func retriesUntilDelivered() async throws {
        let transport = FlakyTransport(failures: 2)
        let outbox = Outbox(transport: transport, logger: logger, retryDelays: [.milliseconds(1), .milliseconds(1), .milliseconds(1)])
        await outbox.send(message)
        await outbox.waitUntilIdle()
        #expect(transport.attempts == 3)
        #expect(transport.delivered == [message])
    }

    @Test("A delivery that keeps failing is given up after the last retry")
    func givesUp() async throws {
        let transport = FlakyTransport(failures: 10)
        let outbox = Outbox(transport: transport, logger: logger, retryDelays: [.milliseconds(1), .milliseconds(1)])
        await outbox.send(message)
        await outbox.waitUntilIdle()
        #expect(transport.attempts == 3)
        #expect(transport.delivered == [])
    }
}
