import Crypto
import Foundation
import Hummingbird
import Logging
import PasskeyClientCore
import PasskeyMail
import PasskeyStore
import WebAuthn

/// The server's mail: who it comes from, the outbox that sends it in the background, and the
/// origin its links point to.
struct ServerMail: Sendable {
    let outbox: Outbox
    let from: MailAddress
    let site: String
    let origin: String
    let recoveryCodeTTL: TimeInterval
    let verificationCodeTTL: TimeInterval

    init(configuration: PasskeyServerConfiguration, transport: (any MailTransport)?, logger: Logger) throws(ConfigurationError) {
        let chosen: any MailTransport
        if let transport {
            chosen = transport
        } else if let smtp = try configuration.smtpConfiguration() {
            chosen = SMTPMailTransport(configuration: smtp)
        } else {
            chosen = LogMailTransport(logger: logger)
        }
        outbox = Outbox(transport: chosen, logger: logger)
        from = try configuration.mailSender()
        site = configuration.relyingPartyName
        origin = configuration.primaryOrigin
        recoveryCodeTTL = configuration.recoveryCodeTTL
        verificationCodeTTL = configuration.verificationCodeTTL
    }
}

/// One-time codes sent by mail: eight random digits, stored only as a hash bound to the account
/// and the purpose, used once, at most ``maximumAttempts`` wrong tries, at most
/// ``maximumPerHour`` issued per account and purpose in an hour.
enum EmailCodes {
    static let digits = 8
    static let maximumAttempts = 5
    static let maximumPerHour = 5

    /// Eight digits from the system's cryptographic random source, uniformly.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0..<100_000_000, using: &generator)
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// What the store keeps: SHA-256 over the purpose, the account and the code, so a hash is
    /// useless for another account or purpose.
    static func hash(_ code: String, userID: UserHandle, purpose: EmailCodeRecord.Purpose) -> [UInt8] {
        var input = Array("passkeys-email-code\u{0}\(purpose.rawValue)\u{0}".utf8)
        input += userID.bytes
        input += [0] + Array(code.utf8)
        return Array(SHA256.hash(data: input))
    }

    /// A mail link's proof that `code` was mailed for the account `userID` and `purpose`:
    /// HMAC-SHA256 under the database's shared key (``SharedKey/recoveryLinkSettingName``), 16
    /// bytes, base64url. Only the mail carries it, so no one who guesses can make one, and a code
    /// redeemed with it is not subject to the tries wrong guesses use up.
    static func linkProof(
        _ code: String, userID: UserHandle, purpose: EmailCodeRecord.Purpose = .recovery, key: SymmetricKey
    ) -> String {
        var message = Array((purpose == .recovery ? "passkeys recovery link v1\u{0}" : "passkeys verification link v1\u{0}").utf8)
        message += userID.bytes
        message += [0] + Array(code.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return Base64URL.encode(Array(Array(mac).prefix(16)))
    }

    /// Whether `proof` is ``linkProof(_:userID:key:)`` for `code` and `userID`, compared in
    /// constant time.
    static func isLinkProof(
        _ proof: String, code: String, userID: UserHandle, purpose: EmailCodeRecord.Purpose = .recovery, key: SymmetricKey
    ) -> Bool {
        guard let given = Base64URL.decode(proof),
              let expected = Base64URL.decode(linkProof(code, userID: userID, purpose: purpose, key: key))
        else {
            return false
        }
        return constantTimeEquals(given, expected)
    }

    /// The code as typed with spaces or dashes removed, or `nil` when it is not eight digits.
    static func normalize(_ typed: String) -> String? {
        let code = typed.filter { !$0.isWhitespace && $0 != "-" }
        guard code.count == digits, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return code
    }
}

extension ServerServices {
    // MARK: Email codes and audit events

    /// Issues a code to the account's address and sends it in the background; the activity log
    /// names `client`, the browser that asked for it. Returns `false`
    /// (sending nothing) when the hourly cap is reached, the mail queue is full, or the username
    /// is no email address.
    ///
    /// - Throws: `429 rate_limited` (a cap) or `503 unavailable` (a full mail queue) only when
    ///   `answerCap`; otherwise they are silent (recovery must answer the same for every address).
    @discardableResult
    func sendEmailCode(
        _ purpose: EmailCodeRecord.Purpose, to user: UserRecord, language: Auth.Language, client: ClientDetails?,
        answerCap: Bool = false
    ) async throws -> Bool {
        // A username without an @ is no address: not parsed (the parse and the error it throws
        // were about 1 % of the server's CPU in a sign-up).
        guard user.username.utf8.contains(UInt8(ascii: "@")), let address = try? MailAddress(address: user.username) else {
            return false
        }
        let now = now()
        // Mail to another spelling of a mailbox (name+1@, n.ame@gmail.com) is limited per mailbox, so
        // a stranger's sign-ups under such spellings cannot fill one inbox. Mail to the mailbox's
        // own address is not: one account holds it, its codes are capped per account already, and
        // those sign-ups must not use up the allowance its owner's recovery needs.
        let mailbox = Self.mailbox(address.address)
        if mailbox != address.address.lowercased(),
           let wait = try await limits.mailboxes.acquire("mailbox:" + mailbox, now: now) {
            await recordActivity(
                AuditEvent.Kind(rawValue: "\(purpose.rawValue)_code_capped"), userID: user.id, client: client,
                detail: "no code sent: \(RateLimits.mailsPerMailboxPerHour) mails to this mailbox this hour already",
                logger: logger)
            if answerCap { throw APIError.rateLimited(retryAfter: wait) }
            return false
        }
        let code = EmailCodes.generate()
        let ttl = purpose == .recovery ? mail.recoveryCodeTTL : mail.verificationCodeTTL
        let record = EmailCodeRecord(
            userID: user.id, purpose: purpose, codeHash: EmailCodes.hash(code, userID: user.id, purpose: purpose),
            createdAt: now, expiresAt: now.addingTimeInterval(ttl))
        switch try await store.issueEmailCode(record, maximumPerHour: EmailCodes.maximumPerHour) {
        case .issued:
            break
        case .capped(let until):
            await recordActivity(
                AuditEvent.Kind(rawValue: "\(purpose.rawValue)_code_capped"), userID: user.id, client: client,
                detail: "no code sent: \(EmailCodes.maximumPerHour) this hour already", logger: logger)
            if answerCap {
                throw APIError.rateLimited(retryAfter: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
            }
            return false
        }
        let message: MailMessage
        // RFC 3986 unreserved characters stay; everything else (@, +, &) is percent-encoded.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let email = address.address.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        switch purpose {
        case .verification:
            // The page confirms a link's code by itself only with its proof: a page another site
            // opens with codes of its own cannot use up the address's tries.
            let proof = EmailCodes.linkProof(code, userID: user.id, purpose: .verification, key: try await recoveryLinkKey.key())
            message = AccountMails.verification(
                to: address, from: mail.from, site: mail.site, code: code,
                link: "\(mail.origin)/account#verify=\(code)&proof=\(proof)", validFor: ttl, language: language)
        case .recovery:
            let proof = EmailCodes.linkProof(code, userID: user.id, key: try await recoveryLinkKey.key())
            message = AccountMails.recovery(
                to: address, from: mail.from, site: mail.site, code: code,
                link: "\(mail.origin)/#recover=\(code)&email=\(email)&proof=\(proof)", validFor: ttl, language: language)
        }
        guard await mail.outbox.send(message) else {
            // The outbox is full (the mail server is down or slow): the code stays unsent.
            await recordActivity(
                AuditEvent.Kind(rawValue: "\(purpose.rawValue)_code_not_sent"), userID: user.id, client: client,
                detail: "no code sent: the mail queue is full", logger: logger)
            if answerCap { throw APIError.unavailable }
            return false
        }
        await recordActivity(
            AuditEvent.Kind(rawValue: "\(purpose.rawValue)_code_sent"), userID: user.id, client: client,
            detail: "a \(purpose.rawValue) code was mailed", logger: logger)
        return true
    }

    /// The mailbox an address delivers to, as far as the server can tell: lower case, without a
    /// `+tag` in the local part, and for Gmail without the dots it ignores.
    static func mailbox(_ address: String) -> String {
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return lowered }
        let local = lowered[..<at]
        var base = String(local.firstIndex(of: "+").map { local[..<$0] } ?? local)
        var domain = String(lowered[lowered.index(after: at)...])
        if domain == "gmail.com" || domain == "googlemail.com" {
            base.removeAll { $0 == "." }
            domain = "gmail.com"
        }
        return base.isEmpty ? lowered : base + "@" + domain
    }

    /// The language of a mail sent for `request`: the first of its `Accept-Language` that the
    /// client core speaks, else English.
    static func mailLanguage(_ request: Request) -> Auth.Language {
        Auth.Language.preferred(acceptLanguage: request.headers[.acceptLanguage] ?? "")
    }

    /// `429 rate_limited` when the client address has made too many password, code or mail
    /// requests for now (what guessing needs; the same allowance as failed ceremony answers,
    /// `--address-failure-limit`). A password or code that is right gives its place back
    /// (``clientRequestSucceeded(_:)``), so many people behind one address can sign in; a request
    /// for a mail keeps it.
    func limitClient(_ context: PasskeyRequestContext) async throws {
        try await limitAddress(limits.addressFailures, Self.clientRequestPrefix, context)
    }

    /// A password or code was right: its place under ``limitClient(_:)`` goes back to the address.
    func clientRequestSucceeded(_ context: PasskeyRequestContext) async {
        // A place not given back (the database is unreachable this moment) only makes the limit
        // stricter for a while; the sign-in stands.
        try? await limits.addressFailures.release(address: context.clientAddress, prefix: Self.clientRequestPrefix, now: now())
    }

    private static let clientRequestPrefix = "address-requests:"

    /// `429 rate_limited` when `key` (an account, an address being recovered) has used its
    /// requests for now (`--rate-limit` a minute).
    func limitKey(_ key: String) async throws {
        if let retryAfter = try await limits.accounts.acquire(key, now: now()) {
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
    }
}

extension AuditEvent.Kind {
    /// A signed-in person confirmed their address with the mailed code.
    static let emailVerified: Self = "email_verified"
    static let emailVerificationFailed: Self = "email_verification_failed"
    /// A recovery code opened a recovery session.
    static let recoveryStarted: Self = "recovery_started"
    static let recoveryFailed: Self = "recovery_failed"
    /// A recovery session added a passkey and became a full session.
    static let recoveryCompleted: Self = "recovery_completed"
    static let passwordSignIn: Self = "password_sign_in"
    static let passwordSignInFailed: Self = "password_sign_in_failed"
    static let passwordRemoved: Self = "password_removed"
    /// The browser created a passkey without a prompt right after a password sign-in.
    static let passkeyUpgrade: Self = "passkey_upgrade"
}
