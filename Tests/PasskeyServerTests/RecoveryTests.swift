import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// Email verification and recovery by email over HTTP (docs/recovery.md).
@Suite struct RecoveryTests {
    static let ada = "ada@example.com"

    /// Signs Ada up on a phone, confirms her address there, and returns another browser: the
    /// phone is lost.
    func lostPasskey(_ harness: Harness, _ client: any TestClientProtocol) async throws -> Browser {
        var phone = try Browser(client)
        let answer = try await phone.signUp(Self.ada)
        #expect(answer.status == .created)
        let confirmed = try await phone.post("/api/email/verify", ["code": try await harness.code(to: Self.ada, subject: "Confirm")])
        #expect(confirmed.status == .ok)
        return try Browser(client)
    }

    func askForRecovery(_ browser: inout Browser, _ email: String = RecoveryTests.ada) async throws -> TestResponse {
        try await browser.post("/api/recovery/options", ["email": email])
    }

    func recover(_ browser: inout Browser, code: String, email: String = RecoveryTests.ada) async throws -> TestResponse {
        try await browser.post("/api/recovery", ["email": email, "code": code])
    }

    // MARK: Email verification

    @Test("Mails are in the language of the request that sends them: sign-up in German, recovery in Japanese")
    func mailsInTheRequestsLanguage() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var phone = try Browser(client)
            #expect(try await phone.signUp(Self.ada, headers: [.acceptLanguage: "fr;q=0.9, de-AT;q=0.8"]).status == .created)
            let verification = try await harness.code(to: Self.ada, subject: "Bestätigen Sie Ihre E-Mail-Adresse")
            #expect(harness.mail.messages(to: Self.ada).first?.text.contains("Ihr Code: \(verification)") == true)
            var laptop = try Browser(client)
            let asked = try await laptop.post("/api/recovery/options", ["email": Self.ada], headers: [.acceptLanguage: "ja"])
            #expect(asked.status == .accepted)
            let code = try await harness.code(to: Self.ada, subject: "アカウントの復旧")
            let mail = try #require(harness.mail.messages(to: Self.ada).last)
            #expect(mail.text.contains("コード: \(code)") && mail.html.contains("<html lang=\"ja\">"))
            #expect(try await recover(&laptop, code: code).status == .ok)
        }
    }

    @Test("Sign-up mails a code; entering it verifies the address in the session")
    func signUpVerifiesEmail() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let before = try await browser.get("/api/session").decode(SessionStateForTests.self)
            #expect(before.user.emailVerified == false)
            let code = try await harness.code(to: Self.ada, subject: "Confirm")
            let answer = try await browser.post("/api/email/verify", ["code": code])
            #expect(answer.status == .ok, "\(answer.text)")
            let after = try await browser.get("/api/session").decode(SessionStateForTests.self)
            #expect(after.user.emailVerified == true)
            #expect(try await harness.store.user(username: Self.ada)?.emailVerified == true)
        }
    }

    @Test("A verification code with a made-up link proof is refused without using a try; with the mail's proof it works after five wrong ones")
    func verificationLinkProof() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let code = try await harness.code(to: Self.ada, subject: "Confirm")
            let mail = try #require(harness.mail.messages(to: Self.ada).first { $0.subject.contains("Confirm") })
            let proof = try #require(mail.text.split(separator: "&proof=").dropFirst().first?.prefix { !$0.isWhitespace })
            let wrong = code == "00000000" ? "11111111" : "00000000"
            for _ in 0..<6 {
                expectError(
                    try await browser.post("/api/email/verify", ["code": wrong, "proof": "AAAAAAAAAAAAAAAAAAAAAA"]), .badRequest, "invalid_code")
                // The right code with another code's proof, or a proof for recovery, proves nothing either.
                expectError(try await browser.post("/api/email/verify", ["code": code, "proof": "AAAAAAAAAAAAAAAAAAAAAA"]), .badRequest, "invalid_code")
            }
            for _ in 0..<EmailCodes.maximumAttempts {
                expectError(try await browser.post("/api/email/verify", ["code": wrong]), .badRequest, "invalid_code")
            }
            // Typed, the right code is dead now; from the mail's link it still works.
            expectError(try await browser.post("/api/email/verify", ["code": code]), .badRequest, "invalid_code")
            let confirmed = try await browser.post("/api/email/verify", ["code": code, "proof": String(proof)])
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            #expect(try await harness.store.user(username: Self.ada)?.emailVerified == true)
        }
    }

    @Test("Forged link proofs use up none of a typed verification code's tries")
    func forgedProofsUseNoTries() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let code = try await harness.code(to: Self.ada, subject: "Confirm")
            let wrong = code == "00000000" ? "11111111" : "00000000"
            for _ in 0..<10 {
                expectError(try await browser.post("/api/email/verify", ["code": wrong, "proof": "bm9wZQ"]), .badRequest, "invalid_code")
            }
            #expect(try await browser.post("/api/email/verify", ["code": code]).status == .ok)
        }
    }

    @Test("A wrong verification code is 400 invalid_code and verifies nothing")
    func wrongVerificationCode() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let code = try await harness.code(to: Self.ada, subject: "Confirm")
            let wrong = code == "00000000" ? "11111111" : "00000000"
            expectError(try await browser.post("/api/email/verify", ["code": wrong]), .badRequest, "invalid_code")
            expectError(try await browser.post("/api/email/verify", ["code": "12ab"]), .badRequest, "invalid_code")
            #expect(try await harness.store.user(username: Self.ada)?.emailVerified == false)
        }
    }

    @Test("A verification code expires after 24 hours")
    func verificationCodeExpires() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let code = try await harness.code(to: Self.ada, subject: "Confirm")
            harness.clock.advance(by: 24 * 3600)
            // The session would have expired too; sign in again with the passkey.
            try await browser.signIn()
            expectError(try await browser.post("/api/email/verify", ["code": code]), .badRequest, "invalid_code")
        }
    }

    @Test("Resending gives a new code, and the earlier one still works")
    func resendVerification() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let first = try await harness.code(to: Self.ada, subject: "Confirm")
            // The body is `{}`: anything else is malformed, and no code is sent for it.
            for body in ["[]", "null", "\"x\"", "7", "{"] {
                let refused = try await browser.send(.post, "/api/email/verify/resend", body: Data(body.utf8))
                expectError(refused, .badRequest, "malformed")
                #expect(!refused.text.contains("Dictionary"), "\(refused.text)")
            }
            let resend = try await browser.post("/api/email/verify/resend", [String: String]())
            #expect(resend.status == .accepted, "\(resend.text)")
            let second = try await harness.code(to: Self.ada, subject: "Confirm", number: 2)
            #expect(second.count == 8)
            #expect(harness.mail.messages(to: Self.ada).count == 2)
            #expect(try await browser.post("/api/email/verify", ["code": first]).status == .ok)
            expectError(try await browser.post("/api/email/verify/resend", [String: String]()), .conflict, "email_verified")
        }
    }

    @Test("Resending is capped per hour with 429 and Retry-After")
    func resendIsCapped() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            for _ in 1..<EmailCodes.maximumPerHour {
                #expect(try await browser.post("/api/email/verify/resend", [String: String]()).status == .accepted)
            }
            let capped = try await browser.post("/api/email/verify/resend", [String: String]())
            expectError(capped, .tooManyRequests, "rate_limited")
            let retryAfter = try #require(capped.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter > 0 && retryAfter <= 3600)
        }
    }

    @Test("Verifying without a session is 401 unauthenticated")
    func verifyNeedsSession() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            var browser = try Browser(client)
            expectError(try await browser.post("/api/email/verify", ["code": "12345678"]), .unauthorized, "unauthenticated")
        }
    }

    // MARK: Recovery options: no enumeration

    @Test("Recovery options answer the same for a known and an unknown address; only the known one gets mail")
    func recoveryOptionsDoNotEnumerate() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            let known = try await askForRecovery(&browser)
            let unknown = try await askForRecovery(&browser, "nobody@example.com")
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(known.text == "{}" && unknown.text == "{}")
            #expect(known.headers[values: .setCookie] == [] && unknown.headers[values: .setCookie] == [])
            _ = try await harness.code(to: Self.ada, subject: "Recover")
            #expect(harness.mail.messages(to: "nobody@example.com") == [])
        }
    }

    @Test("Recovery mails are capped per address per hour, and the answer does not change")
    func recoveryMailsCapped() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            for _ in 0..<(EmailCodes.maximumPerHour + 2) {
                let answer = try await askForRecovery(&browser)
                #expect(answer.status == .accepted && answer.text == "{}")
            }
            _ = try await harness.code(to: Self.ada, subject: "Recover", number: EmailCodes.maximumPerHour)
            try await Task.sleep(for: .milliseconds(100))
            #expect(harness.mail.messages(to: Self.ada).filter { $0.subject.contains("Recover") }.count == EmailCodes.maximumPerHour)
        }
    }

    @Test("Recovery requests past the limit answer 429 with Retry-After, the same for a known and an unknown address",
          arguments: [RecoveryTests.ada, "nobody@example.com"])
    func recoveryRateLimited(_ email: String) async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 3 }) { harness, client in
            try await harness.importAccount(Self.ada, passwordHash: nil)
            var browser = try Browser(client)
            for _ in 0..<3 { #expect(try await askForRecovery(&browser, email).status == .accepted) }
            let limited = try await askForRecovery(&browser, email)
            expectError(limited, .tooManyRequests, "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            expectError(try await recover(&browser, code: "12345678", email: email), .tooManyRequests, "rate_limited")
        }
    }

    @Test("Sign-ups as name+1@, name+2@, … mail one inbox at most a dozen times an hour (the mailbox's own address is not limited); the accounts are still made")
    func oneMailboxIsNotFlooded() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 30 }) { harness, client in
            for number in 0..<(RateLimits.mailsPerMailboxPerHour + 3) {
                var browser = try Browser(client)
                let answer = try await browser.signUp("Victim+\(number)@Example.com")
                #expect(answer.status == .created, "\(answer.text)")
            }
            let victim = { harness.mail.messages.filter { $0.to.address.lowercased().hasPrefix("victim+") }.count }
            for _ in 0..<500 where victim() < RateLimits.mailsPerMailboxPerHour { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(victim() == RateLimits.mailsPerMailboxPerHour)
            // The mailbox's own address is not held up by them: its owner still gets mail (here a
            // sign-up's, as well as a recovery's would be).
            var owner = try Browser(client)
            #expect(try await owner.signUp("victim@example.com").status == .created)
            _ = try await harness.code(to: "victim@example.com", subject: "Confirm")
            // Another mailbox is not held up, and the hour gives the allowance back.
            var other = try Browser(client)
            #expect(try await other.signUp("ada@example.com").status == .created)
            harness.clock.advance(by: 3600)
            var later = try Browser(client)
            #expect(try await later.signUp("victim+later@example.com").status == .created)
            _ = try await harness.code(to: "ada@example.com", subject: "Confirm")
            _ = try await harness.code(to: "victim+later@example.com", subject: "Confirm")
        }
    }

    @Test("The mailbox of an address: lower case, without a +tag, Gmail without dots", arguments: [
        ("Ada+news@Example.COM", "ada@example.com"), ("ada@example.com", "ada@example.com"), ("+x@example.com", "+x@example.com"),
        ("a+b+c@example.com", "a@example.com"), ("a@b+c.example", "a@b+c.example"),
        ("V.ic.tim+x@gmail.com", "victim@gmail.com"), ("v.ictim@googlemail.com", "victim@gmail.com"), ("v.ictim@example.com", "v.ictim@example.com"),
    ])
    func mailboxOfAnAddress(address: String, mailbox: String) {
        #expect(ServerServices.mailbox(address) == mailbox)
    }

    @Test("New accounts from one client address are limited to --address-ceremony-limit a minute")
    func signUpsPerAddressAreLimited() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 30; $0.addressCeremonyLimit = 3 }) { harness, client in
            for number in 0..<3 {
                var browser = try Browser(client)
                #expect(try await browser.signUp("person\(number)@example.com").status == .created)
            }
            var fourth = try Browser(client)
            let limited = try await fourth.signUp("person3@example.com")
            expectError(limited, .tooManyRequests, "rate_limited")
            #expect(try await harness.store.user(username: "person3@example.com") == nil)
            harness.clock.advance(by: 60)
            var fifth = try Browser(client)
            #expect(try await fifth.signUp("person4@example.com").status == .created)
        }
    }

    @Test("A mail server that is down fails neither the sign-up nor the recovery request")
    func mailFailureFailsNoRequest() async throws {
        try await Harness.run(.sqliteMemory, mailTransport: FailingMailTransport()) { _, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp(Self.ada).status == .created)
            try await browser.send(.delete, "/api/session")
            let answer = try await askForRecovery(&browser)
            #expect(answer.status == .accepted && answer.text == "{}")
        }
    }

    // MARK: Redeeming a recovery code

    @Test("The mailed code opens a recovery session that can read the account")
    func recoveryOpensSession() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            let answer = try await recover(&browser, code: code)
            #expect(answer.status == .ok, "\(answer.text)")
            let body = try answer.decode(RecoveryAnswerForTests.self)
            #expect(body.recovery == true && body.user.username == Self.ada)
            #expect(browser.sessionCookie != nil)
            let session = try await browser.get("/api/session")
            #expect(session.status == .ok)
            #expect(try session.decode(SessionStateForTests.self).recovery == true)
            let passkeys = try await browser.get("/api/passkeys")
            #expect(passkeys.status == .ok)
            #expect(try passkeys.decode(PasskeysAnswer.self).passkeys.count == 1, "the lost passkey is shown")
        }
    }

    @Test("A recovery session answers 403 recovery_session to everything but reading and adding a passkey")
    func recoverySessionIsRestricted() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            _ = try await recover(&browser, code: try await harness.code(to: Self.ada, subject: "Recover"))
            let lost = try #require(try await browser.get("/api/passkeys").decode(PasskeysAnswer.self).passkeys.first)
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.send(.delete, "/api/passkeys/\(lost.id)"), .forbidden, "recovery_session")
                expectError(
                    try await browser.send(.patch, "/api/passkeys/\(lost.id)", body: Data(#"{"name":"x"}"#.utf8)),
                    .forbidden, "recovery_session")
                expectError(
                    try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"x"}"#.utf8)),
                    .forbidden, "recovery_session")
                expectError(try await browser.send(.delete, "/api/account"), .forbidden, "recovery_session")
                expectError(try await browser.post("/api/email/verify", ["code": "12345678"]), .forbidden, "recovery_session")
                expectError(try await browser.send(.delete, "/api/password"), .forbidden, "recovery_session")
            }
        }
    }

    @Test("To forward-auth and the OpenID Provider a recovery session is no session: 401 and the sign-in page, not 403")
    func recoverySessionIsSignedOutForOtherApps() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            _ = try await recover(&browser, code: try await harness.code(to: Self.ada, subject: "Recover"))
            expectError(try await browser.get("/api/forward-auth"), .unauthorized, "unauthenticated")
            let app = try await TestApp.register(harness.store, trusted: true)
            let authorize = try await browser.authorize(app.authorizationQuery())
            #expect(authorize.status == .found)
            #expect(authorize.location?.hasPrefix("/?next=") == true)
        }
    }

    @Test("Adding a passkey in a recovery session makes it a full session, and the new passkey signs in")
    func addingPasskeyCompletesRecovery() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            _ = try await recover(&browser, code: try await harness.code(to: Self.ada, subject: "Recover"))
            let added = try await browser.addPasskey()
            #expect(added.status == .created, "\(added.text)")
            #expect(try await browser.get("/api/session").decode(SessionStateForTests.self).recovery == false)
            let passkeys = try await browser.get("/api/passkeys").decode(PasskeysAnswer.self).passkeys
            #expect(passkeys.count == 2)
            // Now a full session: the lost passkey can be deleted.
            let new = try #require(browser.authenticator.credentials.first?.id.base64URL)
            let lost = try #require(passkeys.first { $0.id != new })
            #expect(try await browser.send(.delete, "/api/passkeys/\(lost.id)").status == .noContent)
            try await browser.send(.delete, "/api/session")
            let signedIn = try await browser.signIn()
            #expect(signedIn.status == .ok, "\(signedIn.text)")
            let events = try await harness.store.auditEvents(
                userID: try #require(try await harness.store.user(username: Self.ada)).id, limit: 20)
            let kinds = events.map(\.kind)
            #expect(kinds.contains("recovery_code_sent") && kinds.contains("recovery_started") && kinds.contains("recovery_completed"))
            // Stored with the passkey, both name it.
            for kind: AuditEvent.Kind in ["recovery_completed", "passkey_added"] {
                #expect(events.filter { $0.kind == kind }.map { $0.credentialID?.base64URL } == [new], "\(kind)")
            }
        }
    }

    @Test("Someone who signed up with another's address loses the account at its owner's recovery: session, app tokens and passkey")
    func recoveryEndsAPreRegisteredAccount() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            // The attacker signs up with Ada's address before she does, and gets an app's refresh token.
            var attacker = try Browser(client)
            #expect(try await attacker.signUp(Self.ada).status == .created)
            let app = try await TestApp.register(harness.store)
            let code = try await attacker.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let refresh = try #require(try await exchange(client, app, code: code).decode(TokenAnswer.self).refresh_token)
            // Ada finds her address taken and recovers the account with the mailed code.
            var owner = try Browser(client)
            _ = try await askForRecovery(&owner)
            #expect(try await recover(&owner, code: try await harness.code(to: Self.ada, subject: "Recover")).status == .ok)
            expectError(try await attacker.get("/api/session"), .unauthorized, "unauthenticated")
            let refreshed = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", refresh)], authorization: app.basic)
            #expect(refreshed.status == .badRequest)
            #expect(try refreshed.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            // The attacker's passkey no longer belongs to the account, nor signs in.
            #expect(try await owner.get("/api/passkeys").decode(PasskeysAnswer.self).passkeys.isEmpty)
            // Asked by name, the account (now without a passkey) lists decoys the attacker's
            // authenticator does not hold; offered anyway, the attacker's passkey is unknown.
            let (_, options) = try await attacker.authenticationOptions(Self.ada)
            let decoys = try #require(options).allowCredentials.map(\.id)
            #expect(!decoys.isEmpty && !decoys.contains { $0 == attacker.authenticator.credentials.first?.id })
            expectError(try await attacker.signIn(), .unauthorized, "unknown_credential")
            #expect(try await owner.addPasskey().status == .created)
            #expect(try await owner.get("/api/session").decode(SessionStateForTests.self).recovery == false)
        }
    }

    @Test("A recovery signs every other browser out, and keeps the passkeys of an address that was confirmed")
    func recoverySignsOutEverywhereElse() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var phone = try Browser(client)
            #expect(try await phone.signUp(Self.ada).status == .created)
            #expect(try await phone.post("/api/email/verify", ["code": try await harness.code(to: Self.ada, subject: "Confirm")]).status == .ok)
            var laptop = try Browser(client)
            _ = try await askForRecovery(&laptop)
            #expect(try await recover(&laptop, code: try await harness.code(to: Self.ada, subject: "Recover")).status == .ok)
            expectError(try await phone.get("/api/session"), .unauthorized, "unauthenticated")
            #expect(try await laptop.get("/api/passkeys").decode(PasskeysAnswer.self).passkeys.count == 1)
            // The phone's passkey still signs in: the address was its owner's.
            #expect(try await phone.signIn(Self.ada).status == .ok)
        }
    }

    @Test("A recovery session ends after an hour; a passkey added in time gives it a full session's lifetime")
    func recoverySessionLifetime() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            #expect(try await recover(&browser, code: try await harness.code(to: Self.ada, subject: "Recover")).status == .ok)
            harness.clock.advance(by: 3601)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")

            _ = try await askForRecovery(&browser)
            #expect(try await recover(&browser, code: try await harness.code(to: Self.ada, subject: "Recover", number: 2)).status == .ok)
            harness.clock.advance(by: 3000)
            #expect(try await browser.addPasskey().status == .created)
            harness.clock.advance(by: 3000)
            let session = try await browser.get("/api/session")
            #expect(session.status == .ok)
            #expect(try session.decode(SessionStateForTests.self).recovery == false)
        }
    }

    @Test("A mailed code's activity event names the browser that asked for it, though the mail goes out later")
    func mailedCodesNameTheBrowser() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var phone = try Browser(client)
            #expect(try await phone.signUp(Self.ada, headers: [.userAgent: "Phone browser"]).status == .created)
            var laptop = try Browser(client)
            let asked = try await laptop.post("/api/recovery/options", ["email": Self.ada], headers: [.userAgent: "Laptop browser"])
            #expect(asked.status == .accepted)
            _ = try await harness.code(to: Self.ada, subject: "Recover")
            let userID = try #require(try await harness.store.user(username: Self.ada)).id
            // The event is written just after the mail is handed over, in the background.
            var mailed: [AuditEvent] = []
            for _ in 0..<300 where mailed.count < 2 {
                mailed = try await harness.store.auditEvents(userID: userID, limit: 20).filter { $0.kind.rawValue.hasSuffix("_code_sent") }
                if mailed.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(mailed.map(\.kind.rawValue).sorted() == ["recovery_code_sent", "verification_code_sent"])
            #expect(mailed.first { $0.kind.rawValue == "verification_code_sent" }?.userAgent == "Phone browser")
            #expect(mailed.first { $0.kind.rawValue == "recovery_code_sent" }?.userAgent == "Laptop browser")
            let signUp = try await harness.store.auditEvents(userID: userID, limit: 20).first { $0.kind == .signUp }
            #expect(mailed.allSatisfy { $0.ip == signUp?.ip }, "and the address it came from, as other events have it")
        }
    }

    @Test("A wrong code, a code for an unknown address and a malformed code are all 400 invalid_code")
    func wrongRecoveryCodes() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            let wrong = code == "00000000" ? "11111111" : "00000000"
            expectError(try await recover(&browser, code: wrong), .badRequest, "invalid_code")
            expectError(try await recover(&browser, code: code, email: "nobody@example.com"), .badRequest, "invalid_code")
            expectError(try await recover(&browser, code: "abc"), .badRequest, "invalid_code")
            #expect(browser.sessionCookie == nil)
        }
    }

    @Test("Someone else asking for codes to the address does not end the code its owner holds")
    func othersRequestsKeepTheOwnersCode() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            var stranger = try Browser(client)
            for _ in 0..<6 { #expect(try await askForRecovery(&stranger).status == .accepted) }
            let answer = try await recover(&browser, code: code)
            #expect(answer.status == .ok, "\(answer.text)")
        }
    }

    @Test("A recovery code works once: a replay is 400 invalid_code")
    func recoveryCodeReplay() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            #expect(try await recover(&browser, code: code).status == .ok)
            var attacker = try Browser(client)
            expectError(try await recover(&attacker, code: code), .badRequest, "invalid_code")
        }
    }

    @Test("A recovery code expires after --recovery-code-ttl")
    func recoveryCodeExpires() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.recoveryCodeTTL = 120 }) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            #expect(harness.mail.messages(to: Self.ada).last?.text.contains("2 minutes") == true)
            harness.clock.advance(by: 120)
            expectError(try await recover(&browser, code: code), .badRequest, "invalid_code")
        }
    }

    @Test("After five wrong tries the code is dead, even the right one")
    func fiveWrongTries() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            let wrong = code == "00000000" ? "11111111" : "00000000"
            for _ in 0..<EmailCodes.maximumAttempts {
                expectError(try await recover(&browser, code: wrong), .badRequest, "invalid_code")
            }
            expectError(try await recover(&browser, code: code), .badRequest, "invalid_code")
        }
    }

    @Test("The recovery mail links to the sign-in page with the code and its proof in the fragment, never in the query")
    func recoveryLink() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try await lostPasskey(harness, client)
            _ = try await askForRecovery(&browser)
            let code = try await harness.code(to: Self.ada, subject: "Recover")
            let text = try #require(harness.mail.messages(to: Self.ada).last?.text)
            #expect(text.contains("\(Harness.origin)/#recover=\(code)&email=ada%40example.com&proof="))
            #expect(try Self.proof(in: text).count == 22)
        }
    }

    /// The `proof=` of the last recovery link in `text`.
    static func proof(in text: String) throws -> String {
        let range = try #require(text.range(of: "&proof=", options: .backwards))
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test("Wrong codes from someone else use up typed codes' tries, but not the mail link's: the owner still recovers")
    func guessesDoNotLockTheLinkOut() async throws {
        // The address's allowance: ten requests a minute, which the stranger's spend.
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 10 }) { harness, client in
            var owner = try await lostPasskey(harness, client)
            var stranger = try Browser(client)
            // The stranger asks for every code of the hour and spends every try on wrong codes.
            for _ in 0..<EmailCodes.maximumPerHour { _ = try await askForRecovery(&stranger) }
            let code = try await harness.code(to: Self.ada, subject: "Recover", number: EmailCodes.maximumPerHour)
            let mails = harness.mail.messages(to: Self.ada).filter { $0.subject.contains("Recover") }
            let text = try #require(mails.last { $0.text.contains("#recover=\(code)&") }?.text)
            let proof = try Self.proof(in: text)
            let wrong = code == "00000000" ? "11111111" : "00000000"
            for _ in 0..<EmailCodes.maximumAttempts {
                expectError(try await recover(&stranger, code: wrong), .badRequest, "invalid_code")
            }
            // Typed, the right code is held up by the address's spent allowance (and its tries are
            // spent too); a proof for another code, or an altered one, counts as none.
            expectError(try await recover(&owner, code: code), .tooManyRequests, "rate_limited")
            let other = try await owner.post("/api/recovery", ["email": Self.ada, "code": code, "proof": String(proof.reversed())])
            expectError(other, .tooManyRequests, "rate_limited")
            // With the link's proof it opens the recovery session.
            let answer = try await owner.post("/api/recovery", ["email": Self.ada, "code": code, "proof": proof])
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(try answer.decode(RecoveryAnswerForTests.self).recovery == true)
            // Used once, the link is spent like the code.
            var again = try Browser(client)
            expectError(try await again.post("/api/recovery", ["email": Self.ada, "code": code, "proof": proof]), .badRequest, "invalid_code")
        }
    }

    @Test("A link's proof is for its own code and account only")
    func proofIsBound() {
        let key = SymmetricKey(size: .bits256)
        let ada = UserHandle.random(), grace = UserHandle.random()
        let proof = EmailCodes.linkProof("12345678", userID: ada, key: key)
        #expect(EmailCodes.isLinkProof(proof, code: "12345678", userID: ada, key: key))
        #expect(!EmailCodes.isLinkProof(proof, code: "12345679", userID: ada, key: key))
        #expect(!EmailCodes.isLinkProof(proof, code: "12345678", userID: grace, key: key))
        #expect(!EmailCodes.isLinkProof(proof, code: "12345678", userID: ada, key: SymmetricKey(size: .bits256)))
        #expect(!EmailCodes.isLinkProof("", code: "12345678", userID: ada, key: key))
        #expect(!EmailCodes.isLinkProof("not base64url!", code: "12345678", userID: ada, key: key))
    }
}
