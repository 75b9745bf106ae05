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

/// Holds every delivery until `open()`; counts how many were in progress at once.
final class GateTransport: MailTransport {
    private let state = Mutex<(inProgress: Int, most: Int, delivered: Int, open: Bool)>((0, 0, 0, false))
    var description: String { "gate" }
    var most: Int { state.withLock { $0.most } }
    var delivered: Int { state.withLock { $0.delivered } }
    var inProgress: Int { state.withLock { $0.inProgress } }

    func open() { state.withLock { $0.open = true } }

    func send(_ message: MailMessage) async throws {
        state.withLock { $0.inProgress += 1; $0.most = max($0.most, $0.inProgress) }
        while !state.withLock({ $0.open }) { try await Task.sleep(for: .milliseconds(2)) }
        state.withLock { $0.inProgress -= 1; $0.delivered += 1 }
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

    @Test("Draining waits for the mail being delivered, and says how many are left when time runs out")
    func drain() async throws {
        let gate = GateTransport()
        let outbox = Outbox(transport: gate, logger: logger, retryDelays: [], maximumConcurrent: 2)
        for _ in 0..<3 { #expect(await outbox.send(message)) }
        #expect(await outbox.queued == 3)
        // The mail server holds them: time runs out with all three left.
        #expect(await outbox.drain(within: .milliseconds(100)) == 3)
        gate.open()
        #expect(await outbox.drain(within: .seconds(30)) == 0)
        #expect(gate.delivered == 3)
    }

    @Test("A hanging mail server gets at most maximumConcurrent deliveries at once, and at most maximumQueued wait")
    func boundedWhileTheServerHangs() async throws {
        let transport = GateTransport()
        let outbox = Outbox(transport: transport, logger: logger, retryDelays: [], maximumQueued: 5, maximumConcurrent: 2)
        var queued: [Bool] = []
        for _ in 0..<8 { queued.append(await outbox.send(message)) }
        #expect(queued == [true, true, true, true, true, false, false, false])
        for _ in 0..<500 where transport.inProgress < 2 { try await Task.sleep(for: .milliseconds(2)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(transport.inProgress == 2)
        transport.open()
        await outbox.waitUntilIdle()
        #expect(transport.delivered == 5)
        #expect(transport.most == 2)
        // Room again once they are out.
        #expect(await outbox.send(message))
        await outbox.waitUntilIdle()
        #expect(transport.delivered == 6)
    }

    @Test("A delivery the server refused for good (5yz) is not retried")
    func permanentRefusalIsNotRetried() async throws {
        final class Refusing: MailTransport {
            let attempts = Mutex(0)
            var description: String { "refusing" }
            func send(_ message: MailMessage) async throws {
                attempts.withLock { $0 += 1 }
                throw MailError(.rejected, "RCPT TO was answered 550 no such user")
            }
        }
        let transport = Refusing()
        let outbox = Outbox(transport: transport, logger: logger, retryDelays: [.milliseconds(1), .milliseconds(1)])
        await outbox.send(message)
        await outbox.waitUntilIdle()
        #expect(transport.attempts.withLock { $0 } == 1)
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
