import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// Imported password accounts over HTTP: password sign-in, the automatic passkey upgrade
/// (conditional create, UP may be missing) and removing the password (docs/migration.md).
@Suite struct PasswordTests {
    static let grace = "grace@example.com"

    func signIn(_ browser: inout Browser, _ username: String = PasswordTests.grace, _ password: String = KnownHashes.password) async throws -> TestResponse {
        try await browser.post("/api/password", ["username": username, "password": password])
    }

    /// Creation options for an upgrade (`mediation: conditional`) or a modal add.
    func addOptions(_ browser: inout Browser, conditional: Bool) async throws -> PublicKeyCredentialCreationOptionsJSON {
        let response = try await browser.post("/api/passkeys/options", conditional ? ["mediation": "conditional"] : [String: String]())
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
    }

    // MARK: Signing in with a password

    @Test("An imported account signs in with its password of each hash kind", arguments: [
        KnownHashes.bcrypt2a, KnownHashes.bcrypt2b, KnownHashes.bcrypt2y, KnownHashes.pbkdf2, KnownHashes.argon2id,
    ])
    func signsInWithEachHashKind(_ hash: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: hash)
            var browser = try Browser(client)
            let answer = try await signIn(&browser)
            #expect(answer.status == .ok, "\(answer.text)")
            let body = try answer.decode(PasswordAnswerForTests.self)
            #expect(body.user.username == Self.grace && body.passwordOnly == true)
            let session = try await browser.get("/api/session").decode(SessionStateForTests.self)
            #expect(session.hasPassword && !session.recovery)
        }
    }

    @Test("A password removed (or the account disabled) while it is being checked opens no session")
    func passwordRemovedDuringSignIn() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let grace = try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            try await harness.store.addCredential(
                CredentialRecord(
                    id: CredentialID(uncheckedBytes: randomBytes(16)), userID: grace.id, publicKey: [1], algorithm: -7, signCount: 0,
                    aaguid: .zero, attestationFormat: "none", transports: [],
                    backupEligible: false, backedUp: false, name: "Passkey", createdAt: harness.clock.now))
            let store = harness.store
            var browser = try Browser(client)
            store.afterNextSignInRead { _ = try await store.removePassword(userID: grace.id, keepingSession: nil, audit: nil) }
            let raced = try await signIn(&browser)
            expectError(raced, .unauthorized, "invalid_credentials")
            #expect(raced.headers[values: .setCookie] == [])
            #expect(try await store.sessions(userID: grace.id).isEmpty)

            let ada = try await harness.importAccount("ada@example.com", passwordHash: KnownHashes.bcrypt2b)
            store.afterNextSignInRead { _ = try await store.setDisabled(userID: ada.id, true) }
            expectError(try await signIn(&browser, "ada@example.com"), .unauthorized, "invalid_credentials")
            #expect(try await store.sessions(userID: ada.id).isEmpty)
        }
    }

    @Test("An unknown user, an account without a password and a wrong password get the same 401 invalid_credentials")
    func noEnumeration() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            try await harness.importAccount("ada@example.com", passwordHash: nil)
            var browser = try Browser(client)
            let answers = [
                try await signIn(&browser, Self.grace, "wrong horse"),
                try await signIn(&browser, "nobody@example.com"),
                try await signIn(&browser, "ada@example.com"),
            ]
            for answer in answers {
                expectError(answer, .unauthorized, "invalid_credentials")
                #expect(answer.text == answers[0].text)
                #expect(answer.headers[values: .setCookie] == [])
            }
            #expect(browser.sessionCookie == nil)
        }
    }

    @Test("bcrypt compares the first 72 bytes: a longer password with the same start signs in, and none is a 500")
    func bcryptFirst72Bytes() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcryptLong)
            var browser = try Browser(client)
            #expect(try await signIn(&browser, Self.grace, String(repeating: "é", count: 40)).status == .ok)
            var other = try Browser(client)
            #expect(try await signIn(&other, Self.grace, String(repeating: "é", count: 36) + "anything").status == .ok)
            expectError(try await signIn(&other, Self.grace, String(repeating: "é", count: 35)), .unauthorized, "invalid_credentials")
            expectError(try await signIn(&other, Self.grace, String(repeating: "x", count: 5000)), .unauthorized, "invalid_credentials")
        }
    }

    @Test("Password sign-in past the limit answers 429 with Retry-After, for a known and an unknown account alike",
          arguments: [PasswordTests.grace, "nobody@example.com"])
    func passwordRateLimited(_ username: String) async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 3 }) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            for _ in 0..<3 { expectError(try await signIn(&browser, username, "wrong"), .unauthorized, "invalid_credentials") }
            let limited = try await signIn(&browser, username)
            expectError(limited, .tooManyRequests, "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            harness.clock.advance(by: 60)
            let later = try await signIn(&browser, username)
            #expect(later.status == (username == Self.grace ? .ok : .unauthorized), "limits delay, they never lock out")
        }
    }

    @Test("Wrong passwords from others spend the account's allowance, but not that of a browser where the password was right before")
    func aKnownBrowserIsNotLockedOut() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 3 }) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var owner = try Browser(client)
            let first = try await signIn(&owner, Self.grace)
            #expect(first.status == .ok)
            let device = try #require(owner.cookies["passkeys_device"])
            #expect(first.headers[values: .setCookie].contains { $0.hasPrefix("passkeys_device=") && $0.contains("HttpOnly") })
            try await owner.send(.delete, "/api/session")
            // Someone else, without the cookie, spends what is left of the account's allowance
            // (the owner's first sign-in, from a browser then unknown, took one of the three).
            var stranger = try Browser(client)
            for _ in 0..<2 { expectError(try await signIn(&stranger, Self.grace, "wrong"), .unauthorized, "invalid_credentials") }
            expectError(try await signIn(&stranger, Self.grace), .tooManyRequests, "rate_limited")
            // The owner's browser has its own: it signs in, and keeps the same device.
            #expect(try await signIn(&owner, Self.grace).status == .ok)
            #expect(owner.cookies["passkeys_device"].map { String($0.prefix(22)) } == String(device.prefix(22)))
            // The cookie is the account's: copied onto a request for another account, or altered,
            // it is no cookie (that request shares the other account's allowance).
            try await harness.importAccount("other@example.com", passwordHash: KnownHashes.bcrypt2b)
            var copied = try Browser(client)
            copied.cookies["passkeys_device"] = device
            for _ in 0..<3 { expectError(try await signIn(&copied, "other@example.com", "wrong"), .unauthorized, "invalid_credentials") }
            expectError(try await signIn(&stranger, "other@example.com"), .tooManyRequests, "rate_limited")
            var altered = try Browser(client)
            altered.cookies["passkeys_device"] = String(device.dropLast()) + (device.hasSuffix("A") ? "B" : "A")
            expectError(try await signIn(&altered, Self.grace), .tooManyRequests, "rate_limited")
        }
    }

    @Test("Right passwords give the address its place back; wrong ones from it are stopped at the failure limit")
    func addressLimitCountsWrongPasswords() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 100; $0.addressFailureLimit = 3 }) { harness, client in
            let people = (1...5).map { "person\($0)@example.com" }
            for person in people { try await harness.importAccount(person, passwordHash: KnownHashes.bcrypt2b) }
            var browser = try Browser(client)
            for person in people {
                #expect(try await signIn(&browser, person).status == .ok, "one address, five people: \(person)")
            }
            for person in people.prefix(3) {
                expectError(try await signIn(&browser, person, "wrong"), .unauthorized, "invalid_credentials")
            }
            expectError(try await signIn(&browser, people[3], "wrong"), .tooManyRequests, "rate_limited")
        }
    }

    // MARK: The automatic passkey upgrade

    @Test("After a password sign-in, a conditional create without UP adds a passkey")
    func conditionalCreateAcceptsMissingUserPresence() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount("Grace@Example.com", passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            #expect(try await signIn(&browser, "grace@example.com").status == .ok)
            let options = try await addOptions(&browser, conditional: true)
            #expect(options.user.name == "Grace@Example.com", "the username exactly as stored")
            browser.authenticator.misbehaviour = .noUserPresence
            let credential = try browser.authenticator.register(options: options, origin: browser.origin)
            let added = try await browser.post("/api/passkeys", credential)
            #expect(added.status == .created, "\(added.text)")
            // The passkey's two events, stored with it, name it.
            let grace = try #require(try await harness.store.user(username: Self.grace))
            let events = try await harness.store.auditEvents(userID: grace.id, limit: 20)
                .filter { $0.kind == "passkey_added" || $0.kind == "passkey_upgrade" }
            #expect(Set(events.map(\.kind)) == ["passkey_added", "passkey_upgrade"] && events.count == 2)
            #expect(events.allSatisfy { $0.credentialID == credential.rawId })
            browser.authenticator.misbehaviour = nil
            try await browser.send(.delete, "/api/session")
            #expect(try await browser.signIn().status == .ok)
        }
    }

    @Test("Without mediation conditional, a passkey without UP is refused with user_presence_required")
    func modalCreateRequiresUserPresence() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            #expect(try await signIn(&browser).status == .ok)
            let options = try await addOptions(&browser, conditional: false)
            browser.authenticator.misbehaviour = .noUserPresence
            let credential = try browser.authenticator.register(options: options, origin: browser.origin)
            expectError(try await browser.post("/api/passkeys", credential), .badRequest, "user_presence_required")
            #expect(try await harness.store.credentials(userID: try #require(try await harness.store.user(username: Self.grace)).id) == [])
        }
    }

    @Test("An account without a password may not begin a conditional create: 404 no_password")
    func conditionalCreateNeedsAPassword() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            expectError(try await browser.post("/api/passkeys/options", ["mediation": "conditional"]), .notFound, "no_password")
            #expect(try await browser.post("/api/passkeys/options", [String: String]()).status == .ok, "a modal add is still fine")
        }
    }

    @Test("A recovery session may not begin a conditional create: 403 recovery_session")
    func conditionalCreateNeedsAFullSession() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            #expect(try await browser.post("/api/recovery/options", ["email": Self.grace]).status == .accepted)
            let code = try await harness.code(to: Self.grace, subject: "Recover")
            #expect(try await browser.post("/api/recovery", ["email": Self.grace, "code": code]).status == .ok)
            expectError(try await browser.post("/api/passkeys/options", ["mediation": "conditional"]), .forbidden, "recovery_session")
            #expect(try await browser.post("/api/passkeys/options", [String: String]()).status == .ok, "a modal add is how recovery goes on")
        }
    }

    @Test("A mediation other than conditional or none is 400 malformed")
    func unknownMediation() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            _ = try await signIn(&browser)
            expectError(try await browser.post("/api/passkeys/options", ["mediation": "magic"]), .badRequest, "malformed")
        }
    }

    // MARK: Removing the password

    @Test("Removing the password is 409 no_passkey without a passkey, 204 with one, and then the password no longer signs in")
    func removePassword() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.pbkdf2)
            var browser = try Browser(client)
            _ = try await signIn(&browser)
            expectError(try await browser.send(.delete, "/api/password"), .conflict, "no_passkey")
            #expect(try await browser.addPasskey().status == .created)
            #expect(try await browser.send(.delete, "/api/password").status == .noContent)
            expectError(try await browser.send(.delete, "/api/password"), .notFound, "no_password")
            #expect(try await browser.get("/api/session").decode(SessionStateForTests.self).hasPassword == false)
            // One event, for the one removal; the refusals before and after it record none.
            let grace = try #require(try await harness.store.user(username: Self.grace))
            let kinds = try await harness.store.auditEvents(userID: grace.id, limit: 20).map(\.kind)
            #expect(kinds.filter { $0 == "password_removed" }.count == 1, "\(kinds)")
            var other = try Browser(client)
            expectError(try await signIn(&other), .unauthorized, "invalid_credentials")
        }
    }

    @Test("Removing the password signs out the other browsers the password signed in, and keeps this one")
    func removePasswordEndsPasswordSessions() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            try await harness.importAccount(Self.grace, passwordHash: KnownHashes.bcrypt2b)
            var laptop = try Browser(client)
            var cafe = try Browser(client)
            #expect(try await signIn(&laptop).status == .ok)
            #expect(try await signIn(&cafe).status == .ok)
            #expect(try await laptop.addPasskey().status == .created)
            #expect(try await laptop.send(.delete, "/api/password").status == .noContent)
            #expect(try await laptop.get("/api/passkeys").status == .ok)
            expectError(try await cafe.get("/api/passkeys"), .unauthorized, "unauthenticated")
        }
    }

    @Test("Removing the password needs a session")
    func removePasswordNeedsSession() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            var browser = try Browser(client)
            expectError(try await browser.send(.delete, "/api/password"), .unauthorized, "unauthenticated")
        }
    }
}
