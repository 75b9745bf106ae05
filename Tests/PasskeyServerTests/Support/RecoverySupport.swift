import Foundation
import HummingbirdTesting
import PasskeyMail
import PasskeyStore
import Synchronization
import Testing
import WebAuthn

@testable import PasskeyServer

extension RecordingStore {
    func importUser(_ user: UserRecord, passwordHash: String?, audit event: AuditEvent?) async throws {
        try await base.importUser(user, passwordHash: passwordHash, audit: event)
        record("importUser")
    }

    func passwordHash(userID: UserHandle) async throws -> String? {
        let hash = try await base.passwordHash(userID: userID)
        try await runReadHook()
        return hash
    }

    func removePassword(userID: UserHandle, keepingSession: [UInt8]?, audit event: AuditEvent?) async throws -> RemovePasswordResult {
        let result = try await base.removePassword(userID: userID, keepingSession: keepingSession, audit: event)
        if result == .removed { record("removePassword") }
        return result
    }

    func issueEmailCode(_ code: EmailCodeRecord, maximumPerHour: Int) async throws -> IssueEmailCodeResult {
        let result = try await base.issueEmailCode(code, maximumPerHour: maximumPerHour)
        if result == .issued { record("issueEmailCode") }
        return result
    }

    func redeemEmailCode(
        userID: UserHandle, purpose: EmailCodeRecord.Purpose, codeHash: [UInt8], at now: Date, maximumAttempts: Int,
        session: SessionRecord?, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> UserRecord? {
        let user = try await base.redeemEmailCode(
            userID: userID, purpose: purpose, codeHash: codeHash, at: now, maximumAttempts: maximumAttempts,
            session: session, audit: event, endingSession: previous)
        record(user == nil ? "countEmailCodeAttempt" : "redeemEmailCode")
        return user
    }

    func purgeEmailCodes(now: Date) async throws -> Int { try await base.purgeEmailCodes(now: now) }
}

/// Keeps every mail the server sends, so a test can read the codes in them.
final class RecordingMailTransport: MailTransport {
    private let sent = Mutex<[MailMessage]>([])

    var messages: [MailMessage] { sent.withLock { $0 } }
    var description: String { "recording" }

    func send(_ message: MailMessage) async throws {
        sent.withLock { $0.append(message) }
    }

    /// The mails sent to `address`, oldest first.
    func messages(to address: String) -> [MailMessage] {
        messages.filter { $0.to.address.lowercased() == address.lowercased() }
    }

    /// The eight-digit code in the last mail to `address` with `subject` in its subject.
    func lastCode(to address: String, subject: String) -> String? {
        guard let text = messages(to: address).last(where: { $0.subject.contains(subject) })?.text else { return nil }
        return text.split(whereSeparator: { !$0.isNumber }).first { $0.count == 8 }.map(String.init)
    }
}

/// A transport whose every delivery fails, for the rule that mail never fails a request.
struct FailingMailTransport: MailTransport {
    var description: String { "failing" }
    func send(_ message: MailMessage) async throws {
        throw MailError(.connectionFailed, "no mail server in this test")
    }
}

struct RecoveryAnswerForTests: Decodable {
    var user: UserJSONForTests
    var recovery: Bool
}

struct PasswordAnswerForTests: Decodable {
    var user: UserJSONForTests
    var passwordOnly: Bool
}

struct SessionStateForTests: Decodable {
    struct User: Decodable {
        var username: String
        var emailVerified: Bool
    }
    var user: User
    var recovery: Bool
    var hasPassword: Bool
}

extension Harness {
    /// The code in the `count`-th mail (1-based) to `address` whose subject contains `subject`,
    /// once the outbox has sent it (it sends in the background).
    func code(
        to address: String, subject: String, number count: Int = 1, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        for _ in 0..<500 {
            let matching = mail.messages(to: address).filter { $0.subject.contains(subject) }
            if matching.count >= count {
                let text = matching[count - 1].text
                if let code = text.split(whereSeparator: { !$0.isNumber }).first(where: { $0.count == 8 }) {
                    return String(code)
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no mail #\(count) to \(address) about \(subject); sent: \(mail.messages.map(\.subject))", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Imports an account with this password hash (or none), as `passkeys accounts import` does.
    @discardableResult
    func importAccount(_ username: String, passwordHash: String?, emailVerified: Bool = false) async throws -> UserRecord {
        var line: [String: Any] = ["username": username, "emailVerified": emailVerified]
        line["passwordHash"] = passwordHash
        let text = String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self)
        let report = try await AccountImport(store: store, now: { clock.now }).run(text)
        #expect(report.failures == [])
        return try #require(try await store.user(username: username))
    }
}

/// Known hashes of "correct horse", made by other implementations (libxcrypt, Python's hashlib,
/// libargon2), so a hash the server accepts is one the world agrees on.
enum KnownHashes {
    static let password = "correct horse"
    static let bcrypt2b = "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"
    static let bcrypt2a = "$2a$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"
    static let bcrypt2y = "$2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2"
    /// bcrypt of "é" × 40 (80 bytes): only the first 72 bytes count.
    static let bcryptLong = "$2b$05$abcdefghijklmnopqrstuu9CyuiEyTnupb4rnoYIlshaDzoYa6ZaS"
    static let pbkdf2 = "pbkdf2_sha256$10000$seasalt1234$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ="
    static let argon2id = "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y"
    static let md5crypt = "$1$saltsalt$NuzA7WTAelpl95xgBGWN60"
}
