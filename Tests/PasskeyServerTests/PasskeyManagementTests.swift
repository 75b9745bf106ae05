import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// The account page's operations: passkeys added, listed, renamed and deleted; the display
/// name changed; the account deleted.
@Suite struct PasskeyManagementTests {
    @Test("A request naming another account than the session's (a page left open before another sign-in) is 409 session_changed and changes nothing")
    func requestsForAnotherAccountAreRefused() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            let ada = try #require(try await harness.store.user(username: "ada@example.com"))
            // The page still shows Ada; the browser signs up as Grace in another tab.
            #expect(try await browser.signUp("grace@example.com").status == .created)
            let grace = try #require(try await harness.store.user(username: "grace@example.com"))
            let passkey = try #require(try await harness.store.credentials(userID: grace.id).first)
            let asAda: HTTPFields = [.passkeysUser: ada.id.base64URL]
            try await harness.expectNoChange(to: ["ada@example.com", "grace@example.com"]) {
                expectError(try await browser.send(.delete, "/api/account", headers: asAda), .conflict, "session_changed")
                expectError(try await browser.send(.delete, "/api/passkeys/\(passkey.id.base64URL)", headers: asAda), .conflict, "session_changed")
                expectError(
                    try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"x"}"#.utf8), headers: asAda),
                    .conflict, "session_changed")
                expectError(try await browser.send(.get, "/api/passkeys", headers: asAda), .conflict, "session_changed")
                expectError(try await browser.send(.delete, "/api/session", headers: asAda), .conflict, "session_changed")
            }
            // The refused sign-out left Grace signed in.
            #expect(try await browser.send(.get, "/api/session").status == .ok)
            // Naming the account the session is: as without the field.
            #expect(try await browser.send(.get, "/api/passkeys", headers: [.passkeysUser: grace.id.base64URL]).status == .ok)
            #expect(try await browser.send(.delete, "/api/account", headers: [.passkeysUser: grace.id.base64URL]).status == .noContent)
        }
    }

    @Test("Adding a passkey through the sign-up options with one's own username counts against the account's limit too")
    func ownUsernameOptionsAreLimitedPerAccount() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.rateLimit = 2 }) { harness, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            for _ in 0..<2 {
                #expect(try await browser.post("/api/registration/options", ["username": "ada@example.com"]).status == .ok)
            }
            expectError(try await browser.post("/api/registration/options", ["username": "ada@example.com"]), .tooManyRequests, "rate_limited")
            // The same account's allowance: the other way in is spent too.
            expectError(try await browser.post("/api/passkeys/options", [String: String]()), .tooManyRequests, "rate_limited")
        }
    }

    @Test("An account has at most 100 passkeys: the options for another are refused before any authenticator makes one")
    func passkeyLimit() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            for number in 1..<(AddPasskeyFlow.maximumPasskeys - 1) {
                try await harness.store.addCredential(CredentialRecord(
                    id: CredentialID(uncheckedBytes: Array(repeating: UInt8(number), count: 16)), userID: user.id,
                    publicKey: [1, 2, 3], algorithm: -7, signCount: 0, aaguid: .zero, attestationFormat: "none",
                    transports: [], backupEligible: false, backedUp: false, name: "Key \(number)", createdAt: harness.clock.now))
            }
            // The hundredth is taken (from another authenticator: this one holds an excluded passkey).
            browser.authenticator = try SoftwareAuthenticator()
            #expect(try await browser.addPasskey().status == .created)
            let refused = try await browser.post("/api/passkeys/options", [String: String]())
            expectError(refused, .conflict, "passkey_limit")
            #expect(refused.headers[values: .setCookie].isEmpty, "no ceremony begun")
            #expect(try await harness.store.credentials(userID: user.id).count == AddPasskeyFlow.maximumPasskeys)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func addingAPasskeyExcludesTheOnesTheAccountHas(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let first = try #require(browser.authenticator.credentials.first?.id)

            let optionsResponse = try await browser.post("/api/passkeys/options", [String: String]())
            #expect(optionsResponse.status == .ok)
            let options = try optionsResponse.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
            #expect(options.excludeCredentials.map(\.id) == [first])
            #expect(options.user.name == "ada@example.com")

            // The same authenticator refuses, as a browser does: it holds an excluded credential.
            #expect(throws: SoftwareAuthenticatorError.self) {
                _ = try browser.authenticator.register(options: options, origin: browser.origin)
            }
            harness.clock.advance(by: 1)
            browser.authenticator = try SoftwareAuthenticator(aaguid: AAGUID(uuidString: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd") ?? .zero)
            let credential = try browser.authenticator.register(options: options, origin: browser.origin)
            let response = try await browser.post("/api/passkeys", credential)
            #expect(response.status == .created, "\(response.text)")
            let passkey = try response.decode(PasskeyAnswer.self).passkey
            #expect(passkey.id == credential.rawId.base64URL)
            #expect(passkey.provider == "iCloud Keychain")
            #expect(passkey.name == "iCloud Keychain")
            #expect(passkey.aaguid == "fbfc3007-154e-4ecc-8c0b-6e020557d7bd")

            let list = try await browser.get("/api/passkeys")
            #expect(list.status == .ok)
            let passkeys = try list.decode(PasskeysAnswer.self).passkeys
            #expect(passkeys.map(\.id) == [first.base64URL, credential.rawId.base64URL], "oldest first")
            #expect(passkeys.first?.provider == nil)
            #expect(list.text.contains("\"provider\":null"), "unknown values are null, not left out")
            #expect(list.text.contains("\"lastUsedAt\":null"))

            // A second passkey of a provider already listed gets a number.
            harness.clock.advance(by: 1)
            browser.authenticator = try SoftwareAuthenticator(aaguid: AAGUID(uuidString: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd") ?? .zero)
            #expect(try await browser.addPasskey().decode(PasskeyAnswer.self).passkey.name == "iCloud Keychain 2")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aPasskeyCanBeRenamed(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let id = try #require(browser.authenticator.credentials.first?.id)
            let response = try await browser.send(
                .patch, "/api/passkeys/\(id.base64URL)", body: Data(#"{"name":"  Work laptop  "}"#.utf8))
            #expect(response.status == .ok, "\(response.text)")
            #expect(try response.decode(PasskeyAnswer.self).passkey.name == "Work laptop")
            #expect(try await harness.store.credential(id: id)?.name == "Work laptop")

            for bad in [#"{"name":""}"#, #"{"name":"   "}"#, #"{"name":"a\u0007b"}"#, "{\"name\":\"\(String(repeating: "x", count: 65))\"}"] {
                try await harness.expectNoChange(to: ["ada@example.com"]) {
                    expectError(
                        try await browser.send(.patch, "/api/passkeys/\(id.base64URL)", body: Data(bad.utf8)),
                        .badRequest, "invalid_name")
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aPasskeyCanBeDeletedButNeverTheLastOne(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let first = try #require(browser.authenticator.credentials.first?.id)

            try await harness.expectNoChange(to: ["ada@example.com"]) {
                expectError(try await browser.send(.delete, "/api/passkeys/\(first.base64URL)"), .conflict, "last_passkey")
            }

            let original = browser.authenticator
            browser.authenticator = try SoftwareAuthenticator()
            #expect(try await browser.addPasskey().status == .created)
            let second = try #require(browser.authenticator.credentials.first?.id)
            let secondAuthenticator = browser.authenticator
            browser.authenticator = original

            let response = try await browser.send(.delete, "/api/passkeys/\(first.base64URL)")
            #expect(response.status == .noContent)
            #expect(try await harness.store.credential(id: first) == nil)
            // This session was opened by the deleted passkey, so it ended with it.
            expectError(try await browser.get("/api/passkeys"), .unauthorized, "unauthenticated")
            browser.authenticator = secondAuthenticator
            #expect(try await browser.signIn("ada@example.com").status == .ok)
            let passkeys = try await browser.get("/api/passkeys").decode(PasskeysAnswer.self).passkeys
            #expect(passkeys.map(\.id) == [second.base64URL])
            expectError(try await browser.send(.delete, "/api/passkeys/\(first.base64URL)"), .notFound, "not_found")
            expectError(try await browser.send(.delete, "/api/passkeys/\(second.base64URL)"), .conflict, "last_passkey")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theDisplayNameCanBeChanged(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com", displayName: "Ada")
            let response = try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"Ada L."}"#.utf8))
            #expect(response.status == .ok, "\(response.text)")
            #expect(try response.decode(UserAnswer.self).user.displayName == "Ada L.")
            #expect(try await harness.store.user(username: "ada@example.com")?.displayName == "Ada L.")
            #expect(try await browser.get("/api/session").decode(SessionAnswer.self).user.displayName == "Ada L.")

            try await harness.expectNoChange(to: ["ada@example.com"]) {
                expectError(
                    try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":""}"#.utf8)),
                    .badRequest, "invalid_name")
                expectError(
                    try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"a\u202Eb"}"#.utf8)),
                    .badRequest, "invalid_name")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingTheAccountRemovesEverythingItOwns(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            let token = try #require(browser.sessionCookie)
            let credentialID = try #require(browser.authenticator.credentials.first?.id)

            let response = try await browser.send(.delete, "/api/account")
            #expect(response.status == .noContent)
            #expect(browser.sessionCookie == nil)
            #expect(try await harness.store.user(id: user.id) == nil)
            #expect(try await harness.store.credential(id: credentialID) == nil)
            let hash = CookieToken.sha256(try #require(Base64URL.decode(token)))
            #expect(try await harness.store.session(tokenHash: hash) == nil)

            // The passkey left in the authenticator is unknown now, and the answer names it.
            let signIn = try await browser.signIn()
            expectError(signIn, .unauthorized, "unknown_credential")
            let error = try signIn.decode(ErrorEnvelope.self).error
            #expect(error.credentialId == credentialID.base64URL)
            #expect(error.rpId == "localhost")

            // The username is free again.
            browser.authenticator = try SoftwareAuthenticator()
            #expect(try await browser.signUp("ada@example.com").status == .created)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyAccountEndpointNeedsASession(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let id = try #require(browser.authenticator.credentials.first?.id).base64URL
            var stranger = try Browser(client)
            let requests: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/session", nil),
                (.get, "/api/passkeys", nil),
                (.post, "/api/passkeys/options", "{}"),
                (.patch, "/api/passkeys/\(id)", #"{"name":"x"}"#),
                (.delete, "/api/passkeys/\(id)", nil),
                (.patch, "/api/account", #"{"displayName":"x"}"#),
                (.delete, "/api/account", nil),
            ]
            try await harness.expectNoChange(to: ["ada@example.com"]) {
                for (method, path, body) in requests {
                    expectError(
                        try await stranger.send(method, path, body: body.map { Data($0.utf8) }), .unauthorized,
                        "unauthenticated")
                }
                // A made-up session token is no better than none.
                stranger.cookies["passkeys_session"] = Base64URL.encode([UInt8](repeating: 7, count: 32))
                expectError(try await stranger.get("/api/passkeys"), .unauthorized, "unauthenticated")
                stranger.cookies["passkeys_session"] = "not a token"
                expectError(try await stranger.get("/api/passkeys"), .unauthorized, "unauthenticated")
            }
        }
    }
}
