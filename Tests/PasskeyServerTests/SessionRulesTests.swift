import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// What a session is good for: every endpoint that needs one says `401 unauthenticated` first, and
/// a session lives no longer than the passkey that opened it.
@Suite struct SessionRulesTests {
    static let ada = "ada@example.com"

    /// Every endpoint that needs a session, with a body that would be refused for another reason.
    /// (That a body is JSON at all is a rule of the message, checked before any endpoint's.)
    static let signedInEndpoints: [(HTTPRequest.Method, String, String?)] = [
        (.get, "/api/session", nil),
        (.get, "/api/passkeys", nil),
        (.post, "/api/passkeys/options", #"{"a":1}"#),
        (.post, "/api/passkeys", #"{"id":"not a credential"}"#),
        (.post, "/api/passkeys", "{}"),
        (.patch, "/api/passkeys/AAAA", #"{"name":""}"#),
        (.delete, "/api/passkeys/AAAA", nil),
        (.patch, "/api/account", #"{"displayName":"\u3164"}"#),
        (.delete, "/api/account", nil),
    ]

    @Test(arguments: StoreKind.allCases)
    func everyEndpointThatNeedsASessionAnswersUnauthenticatedBeforeAnythingElse(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var stranger = try Browser(client)
            // A pending add-passkey ceremony, and bodies that are wrong: neither is looked at.
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            _ = try await ada.post("/api/passkeys/options", [String: String]())
            stranger.cookies["passkeys_ceremony"] = ada.ceremonyCookie
            try await harness.expectNoChange(to: [Self.ada]) {
                for (method, path, body) in Self.signedInEndpoints {
                    let response = try await stranger.send(method, path, body: body.map { Data($0.utf8) })
                    #expect(response.status == .unauthorized, "\(method) \(path): \(response.text)")
                    #expect(response.errorCode == "unauthenticated", "\(method) \(path): \(response.text)")
                }
            }
            // The ceremony was not consumed by any of them: its owner can still finish it.
            ada.authenticator = try SoftwareAuthenticator()
            let options = try await ada.post("/api/passkeys/options", [String: String]())
                .decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
            let credential = try ada.authenticator.register(options: options, origin: ada.origin)
            #expect(try await ada.post("/api/passkeys", credential).status == .created)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func addingAPasskeyWithoutASessionIsUnauthenticatedNotAMissingCeremony(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var stranger = try Browser(client)
            expectError(try await stranger.post("/api/passkeys", [String: String]()), .unauthorized, "unauthenticated")
            expectError(
                try await stranger.post("/api/passkeys/options", [String: String]()), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingAPasskeyEndsTheSessionsItOpenedElsewhere(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            // Browser A signs up with passkey 1 and adds passkey 2, held by a security key.
            var browserA = try Browser(client)
            try await browserA.signUp(Self.ada)
            let phone = browserA.authenticator
            browserA.authenticator = try SoftwareAuthenticator()
            let added = try await browserA.addPasskey().decode(PasskeyAnswer.self).passkey
            let key = browserA.authenticator
            browserA.authenticator = phone
            // Browser B signs in with passkey 2, browser C with passkey 1.
            var browserB = try Browser(client, authenticator: key)
            #expect(try await browserB.signIn(Self.ada).status == .ok)
            var browserC = try Browser(client, authenticator: phone)
            #expect(try await browserC.signIn(Self.ada).status == .ok)

            let deleted = try await browserA.send(.delete, "/api/passkeys/\(added.id)")
            #expect(deleted.status == .noContent)
            #expect(deleted.setCookie("passkeys_session") == nil, "A's own session was opened by passkey 1")
            expectError(try await browserB.get("/api/session"), .unauthorized, "unauthenticated")
            #expect(try await browserA.get("/api/session").status == .ok)
            #expect(try await browserC.get("/api/session").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingThePasskeyThatOpenedThisSessionEndsItToo(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let first = try #require(browser.authenticator.credentials.first?.id)
            browser.authenticator = try SoftwareAuthenticator()
            try await browser.addPasskey()
            let token = try #require(browser.sessionCookie)
            let deleted = try await browser.send(.delete, "/api/passkeys/\(first.base64URL)")
            #expect(deleted.status == .noContent)
            #expect(deleted.setCookie("passkeys_session")?.contains("Max-Age=0") == true)
            // Not only forgotten by the browser: the session is gone from the server.
            browser.cookies["passkeys_session"] = token
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionRecordsThePasskeyAndTheDeviceThatOpenedIt(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let signedUp = try await browser.signUp(Self.ada, headers: [.userAgent: "Firefox on Linux"])
            let passkeyID = try signedUp.decode(SignedUpAnswer.self).passkey.id
            let user = try #require(try await harness.store.user(username: Self.ada))
            let sessions = try await harness.store.sessions(userID: user.id)
            #expect(sessions.map { $0.credentialID?.base64URL } == [passkeyID])
            #expect(sessions.map(\.userAgent) == ["Firefox on Linux"])
            try await browser.send(.delete, "/api/session")
            #expect(try await browser.signIn(Self.ada, headers: [.userAgent: "Chromium"]).status == .ok)
            #expect(try await harness.store.sessions(userID: user.id).map(\.userAgent) == ["Chromium"])
        }
    }
}
