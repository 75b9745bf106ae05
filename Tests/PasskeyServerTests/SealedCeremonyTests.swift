import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import Testing

@testable import PasskeyServer
@testable import WebAuthn

/// A sign-in ceremony kept sealed in the browser's cookie: it opens only as the server sealed it,
/// costs the store nothing until it is finished, is spent once, and falls back to the store when it
/// would not fit in a cookie.
@Suite struct SealedCeremonyTests {
    static let ada = "ada@example.com"
    static let now = Date(timeIntervalSince1970: 1_800_000_000.123456)

    static func record(userID: UserHandle? = nil, username: String? = nil, displayName: String? = nil) -> CeremonyRecord {
        CeremonyRecord(
            id: Base64URL.encode(randomBytes(16)), kind: .authentication, challenge: .random(), userID: userID,
            username: username, displayName: displayName, state: Array(#"{"challenge":"abc","n":1}"#.utf8),
            createdAt: now, expiresAt: now.addingTimeInterval(300))
    }

    @Test func aNewCeremonyIDIsUniqueAndSortsByTime() {
        let id = SealedCeremony.newID(at: Self.now)
        #expect(id.utf8.count == 28)
        #expect(id.hasPrefix(String(1_800_000_000_123, radix: 16).leftPadded(to: 12)))
        #expect(Base64URL.decode(String(id.dropFirst(12)))?.count == 12)
        let ids = (0..<100).map { _ in SealedCeremony.newID(at: Self.now) }
        #expect(Set(ids).count == 100, "96 random bits after the time")
        let later = SealedCeremony.newID(at: Self.now.addingTimeInterval(0.001))
        #expect(ids.allSatisfy { $0 < later })
        #expect(SealedCeremony.newID(at: Date(timeIntervalSince1970: 0)).hasPrefix("000000000000"))
    }

    // MARK: The seal

    @Test func aSealedRecordOpensAsItWasWithEveryFieldPresentOrAbsent() throws {
        let key = try Self.key()
        let full = Self.record(userID: UserHandle(uncheckedBytes: randomBytes(64)), username: "ada@example.com", displayName: "Ada 🦋")
        for record in [full, Self.record()] {
            let cookie = try SealedCeremony.seal(record, key: key)
            #expect(try #require(SealedCeremony.open(cookie, key: key)) == record)
        }
        var empty = Self.record(username: "", displayName: "")
        empty.state = []
        #expect(SealedCeremony.open(try SealedCeremony.seal(empty, key: key), key: key) == empty, "empty is not absent")
    }

    @Test func twoSealsOfOneRecordDifferAndBothOpen() throws {
        let key = try Self.key()
        let record = Self.record()
        let one = try SealedCeremony.seal(record, key: key)
        let other = try SealedCeremony.seal(record, key: key)
        #expect(one != other, "every seal has its own nonce")
        #expect(SealedCeremony.open(other, key: key) == record)
    }

    @Test func aCookieChangedAnywhereDoesNotOpen() throws {
        let key = try Self.key()
        let bytes = try #require(Base64URL.decode(try SealedCeremony.seal(Self.record(), key: key)))
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            #expect(SealedCeremony.open(Base64URL.encode(changed), key: key) == nil, "byte \(index) changed")
        }
        #expect(SealedCeremony.open(Base64URL.encode(Array(bytes.dropLast())), key: key) == nil, "cut short")
        #expect(SealedCeremony.open(Base64URL.encode(bytes + [0]), key: key) == nil, "a byte more")
        #expect(SealedCeremony.open(Base64URL.encode(Array(bytes.prefix(13))), key: key) == nil, "only a nonce")
        #expect(SealedCeremony.open(Base64URL.encode(bytes), key: try Self.key()) == nil, "another key")
    }

    static func key() throws -> SealingKey {
        try #require(SealingKey(bytes: randomBytes(32)))
    }

    @Test func theSealIsChaCha20Poly1305AsSwiftCryptoLaysItOut() throws {
        let bytes = randomBytes(32)
        let key = try #require(SealingKey(bytes: bytes))
        let symmetric = SymmetricKey(data: bytes)
        let record = Self.record(username: Self.ada)
        // What the server seals opens with swift-crypto's ChaChaPoly, and the other way round.
        let sealed = try #require(Base64URL.decode(try SealedCeremony.seal(record, key: key)))
        let box = try ChaChaPoly.SealedBox(combined: sealed.dropFirst())
        let opened = try ChaChaPoly.open(box, using: symmetric, authenticating: SealedCeremony.associatedData)
        #expect(sealed.count == 1 + SealingKey.nonceLength + opened.count + SealingKey.tagLength)
        #expect(key.open(sealed.dropFirst(), authenticating: SealedCeremony.associatedData) == Array(opened))
        let theirs = try ChaChaPoly.seal(Array(opened), using: symmetric, authenticating: SealedCeremony.associatedData)
        #expect(SealedCeremony.open([SealedCeremony.version] + Array(theirs.combined), key: key) == record)
        // The box's own rules: too short for a nonce and a tag, another key, other bound data.
        #expect(key.open(ArraySlice(randomBytes(27)), authenticating: []) == nil)
        #expect(key.open(sealed.dropFirst(), authenticating: []) == nil)
        #expect(try Self.key().open(sealed.dropFirst(), authenticating: SealedCeremony.associatedData) == nil)
        // An empty message seals to a nonce and a tag, and opens empty.
        let empty = try #require(key.seal([], authenticating: []))
        #expect(empty.count == SealingKey.nonceLength + SealingKey.tagLength)
        #expect(key.open(empty[...], authenticating: []) == [])
        // Two seals of one message differ (a new random nonce each time).
        #expect(key.seal([1, 2, 3], authenticating: []) != key.seal([1, 2, 3], authenticating: []))
        #expect(SealingKey(bytes: randomBytes(16)) == nil, "a key is 32 bytes")
    }

    @Test func whatTheServerCouldNotHaveSealedDoesNotOpen() throws {
        let bytes = randomBytes(32)
        let key = try #require(SealingKey(bytes: bytes))
        let symmetric = SymmetricKey(data: bytes)
        let record = Self.record()
        // Well sealed, but not a ceremony: other bound data, another version, fields out of place.
        let payload = Array(#"{"not":"fields"}"#.utf8)
        let otherData = try ChaChaPoly.seal(payload, using: symmetric, authenticating: Array("something else".utf8))
        #expect(SealedCeremony.open(Base64URL.encode([1] + Array(otherData.combined)), key: key) == nil)
        let notFields = try ChaChaPoly.seal(payload, using: symmetric, authenticating: SealedCeremony.associatedData)
        #expect(SealedCeremony.open(Base64URL.encode([1] + Array(notFields.combined)), key: key) == nil)
        let sealed = try #require(Base64URL.decode(try SealedCeremony.seal(record, key: key)))
        #expect(SealedCeremony.open(Base64URL.encode([2] + sealed.dropFirst()), key: key) == nil)
        for junk in ["", "%%%", "AA", String(repeating: "A", count: SealedCeremony.maximumCookieLength + 1)] {
            #expect(SealedCeremony.open(junk, key: key) == nil, "\(junk.prefix(8))")
        }
    }

    // MARK: Sign-in over HTTP

    /// Ada signs up in `browser` and asks to sign in: her answer, and the cookie that holds the ceremony.
    static func pendingSignIn(
        _ browser: inout Browser, _ username: String = ada
    ) async throws -> (assertion: AuthenticationResponseJSON, cookie: String) {
        try await browser.signUp(username)
        let (_, options) = try await browser.authenticationOptions(username)
        let assertion = try browser.authenticator.authenticate(options: try #require(options), origin: browser.origin)
        return (assertion, try #require(browser.ceremonyCookie))
    }

    /// The server's sealing key and what `cookie` holds sealed under it.
    static func open(
        _ cookie: String, _ harness: Harness
    ) async throws -> (key: SealingKey, opened: (record: CeremonyRecord, passkeys: [SealedPasskey])) {
        let key = try await SharedKey(store: harness.store, settingName: SharedKey.ceremonySealSettingName).sealingKey()
        let bytes = try #require(Base64URL.decode(cookie))
        return (key, try #require(SealedCeremony.opened(bytes, key: key)))
    }

    /// Six browsers post `answer` to `path` at once, each with the same ceremony cookie: their
    /// statuses and error codes.
    static func concurrentAnswers(
        _ client: any TestClientProtocol, _ path: String, _ answer: some Encodable & Sendable, cookie: String
    ) async throws -> [(status: HTTPResponse.Status, code: String?)] {
        try await withThrowingTaskGroup(of: (status: HTTPResponse.Status, code: String?).self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var replay = try Browser(client)
                    replay.cookies["passkeys_ceremony"] = cookie
                    let response = try await replay.post(path, answer)
                    return (response.status, response.errorCode)
                }
            }
            return try await group.reduce(into: [(status: HTTPResponse.Status, code: String?)]()) { $0.append($1) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signInOptionsWriteNothingAndTheAnswerSpendsTheCeremonyOnce(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            for username in [Self.ada, nil] {
                harness.store.clearCalls()
                let (_, options) = try await browser.authenticationOptions(username)
                #expect(!harness.store.calls.contains("insertCeremony"), "\(harness.store.calls)")
                let cookie = try #require(browser.ceremonyCookie)
                #expect(cookie.count > 43, "the record itself, not a token for one")

                let assertion = try browser.authenticator.authenticate(options: try #require(options), origin: browser.origin)
                harness.store.clearCalls()
                #expect(try await browser.post("/api/authentication", assertion).status == .ok)
                // The sign-in's transaction spends the ceremony: no store operation of its own.
                #expect(harness.store.calls.filter { $0.hasPrefix("recordSignIn") }.count == 1, "\(harness.store.calls)")
                #expect(!harness.store.calls.contains { $0.hasPrefix("spendCeremony") }, "\(harness.store.calls)")

                var replay = try Browser(client)
                replay.cookies["passkeys_ceremony"] = cookie
                try await harness.expectNoChange(to: [Self.ada]) {
                    expectError(try await replay.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signUpOptionsWriteNothingAndTheAnswerSpendsTheCeremonyOnce(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            harness.store.clearCalls()
            let (_, options) = try await browser.registrationOptions(Self.ada, displayName: "Ada Lovelace")
            #expect(!harness.store.calls.contains("insertCeremony"), "\(harness.store.calls)")
            let cookie = try #require(browser.ceremonyCookie)
            #expect(cookie.count > 43, "the record itself, not a token for one")
            let credential = try browser.authenticator.register(options: try #require(options), origin: browser.origin)

            harness.store.clearCalls()
            #expect(try await browser.post("/api/registration", credential).status == .created)
            // The account's transaction spends the ceremony: no store operation of its own.
            #expect(harness.store.calls.filter { $0 == "createUser" }.count == 1, "\(harness.store.calls)")
            #expect(!harness.store.calls.contains("spendCeremony"), "\(harness.store.calls)")
            #expect(try await harness.store.user(username: Self.ada)?.displayName == "Ada Lovelace")

            // The same answer again, from another browser with the same cookie: the ceremony is spent.
            var replay = try Browser(client)
            replay.cookies["passkeys_ceremony"] = cookie
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await replay.post("/api/registration", credential), .badRequest, "ceremony_not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedSignUpAnswerSpendsTheSealedCeremony(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (_, options) = try await browser.registrationOptions(Self.ada)
            let request = try #require(options)
            let cookie = try #require(browser.ceremonyCookie)
            browser.authenticator.misbehaviour = .wrongOrigin
            let forged = try browser.authenticator.register(options: request, origin: browser.origin)
            browser.authenticator.misbehaviour = nil
            let genuine = try browser.authenticator.register(options: request, origin: browser.origin)

            harness.store.clearCalls()
            let refused = try await browser.post("/api/registration", forged)
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode != nil && refused.errorCode != "ceremony_not_found", "\(refused.errorCode ?? "")")
            #expect(harness.store.calls.filter { $0 == "spendCeremony" }.count == 1, "\(harness.store.calls)")
            #expect(!harness.store.calls.contains("createUser"), "\(harness.store.calls)")
            // The genuine answer to the same ceremony comes too late.
            browser.cookies["passkeys_ceremony"] = cookie
            expectError(try await browser.post("/api/registration", genuine), .badRequest, "ceremony_not_found")
            #expect(try await harness.store.user(username: Self.ada) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSignUpRefusedByTheStoreSpendsTheSealedCeremony(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var late = try Browser(client)
            let (_, options) = try await late.registrationOptions(Self.ada)
            let cookie = try #require(late.ceremonyCookie)
            let credential = try late.authenticator.register(options: try #require(options), origin: late.origin)
            // Someone else takes the username between the options and the answer.
            var early = try Browser(client)
            try await early.signUp(Self.ada)

            let refused = try await late.post("/api/registration", credential)
            #expect(refused.status == .conflict, "\(refused.status)")
            #expect(refused.errorCode == "username_taken")
            late.cookies["passkeys_ceremony"] = cookie
            expectError(try await late.post("/api/registration", credential), .badRequest, "ceremony_not_found")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAnswersToOneSealedSignUpMakeOneAccount(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (_, options) = try await browser.registrationOptions(Self.ada)
            let cookie = try #require(browser.ceremonyCookie)
            let credential = try browser.authenticator.register(options: try #require(options), origin: browser.origin)
            let answers = try await Self.concurrentAnswers(client, "/api/registration", credential, cookie: cookie)
            #expect(answers.filter { $0.status == .created }.count == 1, "\(answers)")
            #expect(answers.filter { $0.status == .badRequest && $0.code == "ceremony_not_found" }.count == 5, "\(answers)")
            let user = try #require(try await harness.store.user(username: Self.ada))
            #expect(try await harness.store.sessions(userID: user.id).count == 1)
        }
    }

    // MARK: The account's passkeys sealed with a sign-in's ceremony

    @Test func passkeysSealedWithARecordOpenAsTheyWere() throws {
        let key = try Self.key()
        let record = Self.record(userID: UserHandle(uncheckedBytes: randomBytes(32)))
        let passkeys = [
            SealedPasskey(
                id: CredentialID(uncheckedBytes: randomBytes(16)), publicKey: randomBytes(77), signCount: 0,
                backupEligible: true, backedUp: true),
            SealedPasskey(
                id: CredentialID(uncheckedBytes: randomBytes(64)), publicKey: randomBytes(270), signCount: 0xFFFF_FFFE,
                backupEligible: false, backedUp: false),
        ]
        let sealed = try #require(Base64URL.decode(try SealedCeremony.seal(record, passkeys: passkeys, key: key)))
        let opened = try #require(SealedCeremony.opened(sealed, key: key))
        #expect(opened.record == record)
        #expect(opened.passkeys == passkeys)
        #expect(SealedCeremony.open(sealed, key: key) == record)
        // Too many bytes of passkeys: the record is sealed without them.
        let large = SealedPasskey(
            id: CredentialID(uncheckedBytes: randomBytes(16)), publicKey: randomBytes(1312), signCount: 0,
            backupEligible: true, backedUp: true)
        let withoutPasskeys = try #require(Base64URL.decode(try SealedCeremony.seal(record, passkeys: [large], key: key)))
        #expect(SealedCeremony.opened(withoutPasskeys, key: key)?.passkeys == [])
        #expect(SealedCeremony.opened(withoutPasskeys, key: key)?.record == record)
    }

    @Test func aRecordWithMalformedPasskeysDoesNotOpen() throws {
        let key = try Self.key()
        let record = Self.record()
        let sealed = try #require(Base64URL.decode(try SealedCeremony.seal(record, key: key)))
        let fields = try #require(key.open(sealed.dropFirst(), authenticating: SealedCeremony.associatedData))
        func field(_ bytes: [UInt8]) -> [UInt8] {
            (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bytes.count) >> UInt32(24 - 8 * $0)) } + bytes
        }
        let good = field(randomBytes(16)) + field(randomBytes(77)) + field([0, 0, 0, 1, 3])
        let one = try #require(key.seal(fields + field(good), authenticating: SealedCeremony.associatedData, after: [1]))
        #expect(SealedCeremony.opened(one, key: key)?.passkeys.count == 1)
        let malformed: [(String, [UInt8])] = [
            ("an empty list", []),
            ("flags beyond the two", field(randomBytes(16)) + field(randomBytes(77)) + field([0, 0, 0, 1, 4])),
            ("a counter cut short", field(randomBytes(16)) + field(randomBytes(77)) + field([0, 0, 1, 3])),
            ("no key", field(randomBytes(16)) + field([]) + field([0, 0, 0, 1, 3])),
            ("no ID", field([]) + field(randomBytes(77)) + field([0, 0, 0, 1, 3])),
            ("a passkey cut short", Array(good.dropLast())),
        ]
        for (name, list) in malformed {
            let box = try #require(key.seal(fields + field(list), authenticating: SealedCeremony.associatedData, after: [1]))
            #expect(SealedCeremony.opened(box, key: key) == nil, "\(name)")
        }
        let twoFields = try #require(key.seal(fields + field(good) + field(good), authenticating: SealedCeremony.associatedData, after: [1]))
        #expect(SealedCeremony.opened(twoFields, key: key) == nil, "a field after the passkeys")
    }

    @Test(arguments: StoreKind.allCases)
    func anAnswerIsVerifiedAgainstThePasskeysItsOptionsSealedWithoutReadingThemAgain(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, cookie) = try await Self.pendingSignIn(&browser)
            let (_, opened) = try await Self.open(cookie, harness)
            let user = try #require(try await harness.store.user(username: Self.ada))
            #expect(opened.record.userID == user.id)
            #expect(opened.passkeys == (try await harness.store.credentials(userID: user.id)).map(SealedPasskey.init))

            harness.store.clearCalls()
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
            #expect(harness.store.calls.filter { ["recordSignIn", "signInRecords"].contains($0) } == ["recordSignIn"], "\(harness.store.calls)")
            #expect(try await harness.store.credential(id: assertion.rawId)?.lastUsedAt != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSealedPasskeyTheStoreHoldsOtherwiseIsReadAgainAndDecides(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, cookie) = try await Self.pendingSignIn(&browser)
            let (key, opened) = try await Self.open(cookie, harness)
            // Sealed with another passkey's key (as if it had been replaced since the options): the
            // answer does not verify against it, so the passkey is read again and the answer signs in.
            var grace = try Browser(client)
            try await grace.signUp("grace@example.com")
            let graceID = try #require(try await harness.store.user(username: "grace@example.com")).id
            var changed = opened.passkeys
            changed[0].publicKey = try await harness.store.credentials(userID: graceID)[0].publicKey
            browser.cookies["passkeys_ceremony"] = try SealedCeremony.seal(opened.record, passkeys: changed, key: key)
            harness.store.clearCalls()
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
            #expect(harness.store.calls.filter { ["recordSignIn", "signInRecords"].contains($0) } == ["signInRecords", "recordSignIn"], "\(harness.store.calls)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAccountDisabledOrAPasskeyDeletedAfterTheOptionsIsRefusedAsAlways(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, _) = try await Self.pendingSignIn(&browser)
            let user = try #require(try await harness.store.user(username: Self.ada))
            _ = try await harness.store.setDisabled(userID: user.id, true)
            harness.clock.advance(by: 1)
            harness.store.clearCalls()
            let refused = try await browser.post("/api/authentication", assertion)
            expectError(refused, .forbidden, "account_disabled")
            #expect(refused.setCookie("passkeys_session") == nil)
            #expect(harness.store.calls.filter { ["recordSignIn", "signInRecords"].contains($0) } == ["recordSignIn", "signInRecords"], "\(harness.store.calls)")
            #expect(try await harness.store.sessions(userID: user.id).isEmpty)
            #expect(try await harness.store.auditEvents(userID: user.id, limit: 1).map(\.kind) == [.signInFailed])
            _ = try await harness.store.setDisabled(userID: user.id, false)

            // The account deleted, its passkey with it, after the options: unknown_credential.
            var other = try Browser(client)
            let (answer, _) = try await Self.pendingSignIn(&other, "grace@example.com")
            let grace = try #require(try await harness.store.user(username: "grace@example.com"))
            #expect(try await harness.store.deleteUser(id: grace.id))
            expectError(try await other.post("/api/authentication", answer), .unauthorized, "unknown_credential")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theSealedStateIsCompactAndACookieWithTheEarlierJSONStateStillSignsIn(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, genuine) = try await Self.pendingSignIn(&browser)
            let key = try await SharedKey(store: harness.store, settingName: SharedKey.ceremonySealSettingName).sealingKey()
            let sealed = try #require(Base64URL.decode(genuine))
            var record = try #require(SealedCeremony.open(sealed, key: key))
            #expect(record.state.first == 0x01, "the compact form, not JSON")
            let ceremony = try AuthenticationCeremony(compact: record.state)
            #expect(ceremony.challenge == record.challenge)
            // A cookie sealed by the build before the compact form: the same ceremony as JSON.
            record.state = ceremony.jsonBytes()
            browser.cookies["passkeys_ceremony"] = try SealedCeremony.seal(record, key: key)
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aChangedCeremonyCookieIsNotFoundAndSpendsNothing(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, genuine) = try await Self.pendingSignIn(&browser)
            var bytes = try #require(Base64URL.decode(genuine))
            bytes[bytes.count / 2] ^= 0x80
            browser.cookies["passkeys_ceremony"] = Base64URL.encode(bytes)
            harness.store.clearCalls()
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
            }
            #expect(!harness.store.calls.contains("spendCeremony"), "\(harness.store.calls)")
            // The genuine cookie was not spent by the forged one.
            browser.cookies["passkeys_ceremony"] = genuine
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aMalformedAnswerSpendsTheSealedCeremony(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, cookie) = try await Self.pendingSignIn(&browser)
            // JSON, but not an answer: the handler takes the ceremony before it says so.
            let notAnAnswer = try await browser.send(.post, "/api/authentication", body: Data(#"{"id":1}"#.utf8))
            #expect(notAnAnswer.status == .badRequest)
            #expect(notAnAnswer.errorCode != "ceremony_not_found")
            browser.cookies["passkeys_ceremony"] = cookie
            expectError(try await browser.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedAnswerSpendsTheSealedCeremony(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let (_, options) = try await browser.authenticationOptions(Self.ada)
            let request = try #require(options)
            let cookie = try #require(browser.ceremonyCookie)
            browser.authenticator.misbehaviour = .corruptedSignature
            let forged = try browser.authenticator.authenticate(options: request, origin: browser.origin)
            browser.authenticator.misbehaviour = nil
            let genuine = try browser.authenticator.authenticate(options: request, origin: browser.origin)

            try await harness.expectNoChange(to: [Self.ada]) {
                harness.store.clearCalls()
                expectError(try await browser.post("/api/authentication", forged), .badRequest, "bad_signature")
                #expect(harness.store.calls.filter { $0 == "spendCeremony" }.count == 1, "\(harness.store.calls)")
                #expect(!harness.store.calls.contains("recordSignIn"), "\(harness.store.calls)")
                // The genuine answer to the same ceremony comes too late.
                browser.cookies["passkeys_ceremony"] = cookie
                expectError(try await browser.post("/api/authentication", genuine), .badRequest, "ceremony_not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRefusedAnswersToOneSealedCeremonyAreRecordedOnce(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let user = try #require(try await harness.store.user(username: Self.ada))
            let (_, options) = try await browser.authenticationOptions(Self.ada)
            let cookie = try #require(browser.ceremonyCookie)
            browser.authenticator.misbehaviour = .corruptedSignature
            let forged = try browser.authenticator.authenticate(options: try #require(options), origin: browser.origin)
            let failuresBefore = try await harness.store.auditEvents(userID: user.id, limit: 100)
                .filter { $0.kind == .signInFailed }.count
            let answers = try await Self.concurrentAnswers(client, "/api/authentication", forged, cookie: cookie)
            // One answer spends the ceremony and is refused for its signature; the others find it spent.
            #expect(answers.filter { $0.code == "bad_signature" }.count == 1, "\(answers)")
            #expect(answers.filter { $0.status == .badRequest && $0.code == "ceremony_not_found" }.count == 5, "\(answers)")
            let failures = try await harness.store.auditEvents(userID: user.id, limit: 100).filter { $0.kind == .signInFailed }
            #expect(failures.count == failuresBefore + 1, "one failed sign-in recorded for one ceremony")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAnswersToOneSealedCeremonySignInOnce(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (assertion, cookie) = try await Self.pendingSignIn(&browser)
            let user = try #require(try await harness.store.user(username: Self.ada))
            let sessionsBefore = try await harness.store.sessions(userID: user.id).count
            let answers = try await Self.concurrentAnswers(client, "/api/authentication", assertion, cookie: cookie)
            #expect(answers.filter { $0.status == .ok }.count == 1, "\(answers)")
            #expect(answers.filter { $0.status == .badRequest && $0.code == "ceremony_not_found" }.count == 5, "\(answers)")
            #expect(try await harness.store.sessions(userID: user.id).count == sessionsBefore + 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSignInTooBigForACookieIsKeptInTheStore(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let user = try #require(try await harness.store.user(username: Self.ada))
            let real = try #require(try await harness.store.credentials(userID: user.id).first)
            // Three more passkeys with the longest IDs there are: allowCredentials no longer fits.
            for _ in 0..<3 {
                var long = real
                long.id = CredentialID(uncheckedBytes: randomBytes(1023))
                try await harness.store.addCredential(long)
            }
            harness.store.clearCalls()
            let (_, options) = try await browser.authenticationOptions(Self.ada)
            let request = try #require(options)
            #expect(request.allowCredentials.count == 4)
            #expect(browser.ceremonyCookie?.count == 43, "a token for a stored record")
            #expect(harness.store.calls.contains("insertCeremony"), "\(harness.store.calls)")

            let assertion = try browser.authenticator.authenticate(
                options: request, origin: browser.origin, credentialID: real.id)
            let cookie = try #require(browser.ceremonyCookie)
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
            var replay = try Browser(client)
            replay.cookies["passkeys_ceremony"] = cookie
            expectError(try await replay.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
        }
    }

    // MARK: Several processes

    @Test(arguments: SharedStateTests.sharedKinds)
    func twoServersOnOneDatabaseSealWithOneKey(kind: StoreKind) async throws {
        try await SharedStateTests.withTwoStores(kind) { first, second in
            let one = try SharedStateTests.services(first)
            let other = try SharedStateTests.services(second)
            let cookie = try await one.ceremonies.begin(.authentication, challenge: .random(), stateJSON: Array("{}".utf8))
            let opened = SealedCeremony.open(cookie.value, key: try await other.ceremonies.sealKey.sealingKey())
            #expect(opened?.kind == .authentication)
            #expect(try await one.ceremonies.sealKey.key() == other.ceremonies.sealKey.key())
            #expect(try await one.ceremonies.sealKey.key() != one.decoyKey.key(), "each purpose has its own key")
        }
    }
}

extension String {
    /// The string with zeros in front, `count` characters long at least.
    fileprivate func leftPadded(to count: Int) -> String {
        String(repeating: "0", count: max(0, count - self.count)) + self
    }
}
