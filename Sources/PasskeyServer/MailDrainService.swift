import Logging
import PasskeyMail
import ServiceLifecycle

/// Delivers the mail the server accepted before it stopped: on graceful shutdown, once the HTTP
/// server has answered its last request, it waits (at most ``limit``) for the outbox to empty,
/// and logs how many messages were not sent, so a recovery or verification code the server
/// acknowledged is not dropped without a word.
struct MailDrainService: Service {
    let outbox: Outbox
    /// How long shutdown waits for mail, well within a service manager's stop timeout.
    var limit: Duration = .seconds(10)
    let logger: Logger

    func run() async throws {
        // Until the server is asked to stop; cancelled instead, it stops at once.
        try await gracefulShutdown()
        await Self.drain(outbox, within: limit, logger: logger)
    }

    /// Waits for `outbox` to empty, at most `limit`; logs what is left. Returns how many are left.
    @discardableResult
    static func drain(_ outbox: Outbox, within limit: Duration, logger: Logger) async -> Int {
        let left = await outbox.drain(within: limit)
        if left > 0 {
            logger.error("mail not sent: the server stopped", metadata: ["messages": .stringConvertible(left)])
        }
        return left
    }
}
