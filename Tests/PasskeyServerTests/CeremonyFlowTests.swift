import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// Sign-up, sign-in and sign-out as a person does them, on every backend.
@Suite struct CeremonyFlowTests {
    /// §7.1 step 26: a credential ID the server holds is not registered again; the sign-up
    /// stores nothing (no account, no event) and the browser's previous session stays.
    @Test(arguments: StoreKind.allCases)
    func aSignUpWithACredentialIDTheServerHoldsIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp("ada@example.com")
            let adaUser = try #require(try await harness.store.user(username: "ada@example.com"))
            let adaPasskey = try #require(try await harness.store.credentials(userID: adaUser.id).first)

            let (_, options) = try await ada.registrationOptions("grace@example.com")
            let answer = try ada.authenticator.register(options: try #require(options), origin: ada.origin)
            // The server comes to hold the new credential's ID (for Ada) before the answer arrives.
            var taken = adaPasskey
            taken.id = answer.rawId
            try await harness.store.addCredential(taken)
            let sessionsBefore = try await harness.store.sessions(userID: adaUser.id)

            expectError(try await ada.post("/api/registration", answer), .conflict, "credential_exists")
            #expect(try await harness.store.user(username: "grace@example.com") == nil)
            #expect(try await harness.store.sessions(userID: adaUser.id) == sessionsBefore, "the session this browser had stays")
            #expect(try await ada.get("/api/session").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signUpCreatesTheAccountAndSignsIn(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (optionsResponse, options) = try await browser.registrationOptions("ada@example.com", displayName: "Ada")
            #expect(optionsResponse.status == .ok)
            let creation = try #require(options)
            #expect(creation.rp.id == "localhost")
            #expect(creation.user.name == "ada@example.com")
            #expect(creation.user.displayName == "Ada")
            #expect(creation.authenticatorSelection?.residentKey == .required)
            #expect(creation.authenticatorSelection?.userVerification == .preferred)
            #expect(creation.extensions?.credProps == true)
            #expect(creation.excludeCredentials.isEmpty)
            let ceremonyCookie = try #require(optionsResponse.setCookie("passkeys_ceremony"))
            #expect(ceremonyCookie.contains("HttpOnly"))
            #expect(ceremonyCookie.contains("SameSite=Lax"))

            let credential = try browser.authenticator.register(options: creation, origin: browser.origin)
            let response = try await browser.post("/api/registration", credential)
            #expect(response.status == .created, "\(response.text)")
            let answer = try response.decode(SignedUpAnswer.self)
            #expect(answer.user.username == "ada@example.com")
            #expect(answer.user.displayName == "Ada")
            #expect(answer.user.id == creation.user.id.base64URL)
            #expect(answer.passkey.id == credential.rawId.base64URL)
            #expect(answer.passkey.synced)
            #expect(answer.passkey.backupEligible)
            #expect(answer.passkey.transports == ["internal", "hybrid"])
            #expect(answer.passkey.algorithm == -7)
            #expect(answer.passkey.lastUsedAt == nil)
            #expect(answer.rpId == "localhost")
            let sessionCookie = try #require(response.setCookie("passkeys_session"))
            #expect(sessionCookie.contains("HttpOnly"))
            #expect(sessionCookie.contains("SameSite=Lax"))
            #expect(sessionCookie.contains("Path=/"))
            #expect(!sessionCookie.contains("Secure"))
            #expect(browser.ceremonyCookie == nil, "finishing clears the ceremony cookie")

            let stored = try #require(try await harness.store.user(username: "ADA@example.com"))
            #expect(stored.displayName == "Ada")
            let credentials = try await harness.store.credentials(userID: stored.id)
            #expect(credentials.map(\.id) == [credential.rawId])
            #expect(credentials.first?.publicKey == browser.authenticator.credentials.first?.publicKey)

            let session = try await browser.get("/api/session")
            #expect(session.status == .ok)
            #expect(try session.decode(SessionAnswer.self).user == answer.user)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theStoreKeepsOnlyTheHashOfTheSessionToken(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let token = try #require(browser.sessionCookie)
            let bytes = try #require(Base64URL.decode(token))
            #expect(bytes.count == 32)
            #expect(try await harness.store.session(tokenHash: bytes) == nil)
            let hash = Array(SHA256Digest.of(bytes))
            let session = try #require(try await harness.store.session(tokenHash: hash))
            #expect(session.expiresAt == harness.clock.now.addingTimeInterval(harness.configuration.sessionLifetime))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signOutDeletesTheSession(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let token = try #require(browser.sessionCookie)
            let signOut = try await browser.send(.delete, "/api/session")
            #expect(signOut.status == .noContent)
            #expect(browser.sessionCookie == nil)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")

            // The old token no longer signs anyone in: the session is gone from the store.
            let hash = Array(SHA256Digest.of(try #require(Base64URL.decode(token))))
            #expect(try await harness.store.session(tokenHash: hash) == nil)
            browser.cookies["passkeys_session"] = token
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signInWithAUsernameListsTheAccountsPasskeys(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            try await browser.send(.delete, "/api/session")
            harness.clock.advance(by: 60)

            let (_, options) = try await browser.authenticationOptions("ada@example.com")
            let request = try #require(options)
            #expect(request.allowCredentials.map(\.id) == browser.authenticator.credentials.map(\.id))
            #expect(request.allowCredentials.first?.transports == [.internal, .hybrid])
            #expect(request.rpId == "localhost")
            let assertion = try browser.authenticator.authenticate(options: request, origin: browser.origin)
            let response = try await browser.post("/api/authentication", assertion)
            #expect(response.status == .ok, "\(response.text)")
            let answer = try response.decode(SessionAnswer.self)
            #expect(answer.user.username == "ada@example.com")
            #expect(answer.rpId == "localhost")
            #expect(browser.sessionCookie != nil)

            // Sign count, backup state and last use were saved with the session.
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            let credential = try #require(try await harness.store.credentials(userID: user.id).first)
            #expect(credential.signCount == 1)
            #expect(credential.lastUsedAt == harness.clock.now)
            #expect(try await browser.get("/api/session").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signInWithoutAUsernameUsesADiscoverablePasskey(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            try await browser.send(.delete, "/api/session")

            let (_, options) = try await browser.authenticationOptions()
            let request = try #require(options)
            #expect(request.allowCredentials.isEmpty)
            let assertion = try browser.authenticator.authenticate(options: request, origin: browser.origin)
            let response = try await browser.post("/api/authentication", assertion)
            #expect(response.status == .ok, "\(response.text)")
            #expect(try response.decode(SessionAnswer.self).user.username == "ada@example.com")
            #expect(try await browser.get("/api/session").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signingInAgainReplacesTheBrowsersSession(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let first = try #require(browser.sessionCookie)
            #expect(try await browser.signIn().status == .ok)
            let second = try #require(browser.sessionCookie)
            #expect(first != second)
            let hash = Array(SHA256Digest.of(try #require(Base64URL.decode(first))))
            #expect(try await harness.store.session(tokenHash: hash) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionEndsAfterTheIdleTimeout(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.sessionIdleTimeout = 600; $0.sessionLifetime = 3600 }) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            harness.clock.advance(by: 500)
            #expect(try await browser.get("/api/session").status == .ok, "a request restarts the idle timer")
            harness.clock.advance(by: 500)
            #expect(try await browser.get("/api/session").status == .ok)
            harness.clock.advance(by: 601)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionInUseOutlivesAShortIdleTimeout(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.sessionIdleTimeout = 20; $0.sessionLifetime = 3600 }) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            for second in stride(from: 5, through: 120, by: 5) {
                harness.clock.advance(by: 5)
                #expect(try await browser.get("/api/session").status == .ok, "a request every 5 s, at \(second) s")
            }
            harness.clock.advance(by: 21)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionEndsAtItsAbsoluteExpiryHoweverActive(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.sessionIdleTimeout = 600; $0.sessionLifetime = 1000 }) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            harness.clock.advance(by: 500)
            #expect(try await browser.get("/api/session").status == .ok)
            harness.clock.advance(by: 500)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signingUpForOwnUsernameWhileSignedInAddsAPasskey(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            browser.authenticator = try SoftwareAuthenticator()
            let (optionsResponse, options) = try await browser.registrationOptions("ada@example.com")
            #expect(optionsResponse.status == .ok)
            let creation = try #require(options)
            #expect(creation.excludeCredentials.count == 1)
            let credential = try browser.authenticator.register(options: creation, origin: browser.origin)
            let response = try await browser.post("/api/registration", credential)
            #expect(response.status == .created, "\(response.text)")
            #expect(try response.decode(SignedUpAnswer.self).passkey.id == credential.rawId.base64URL)
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            #expect(try await harness.store.credentials(userID: user.id).count == 2)
        }
    }

    @Test func theBackgroundPurgeDeletesExpiredCeremoniesAndKeepsLiveOnes() async throws {
        let opened = try await StoreKind.sqliteMemory.open()
        let clock = TestClock()
        let configuration = PasskeyServerConfiguration()
        let services = try makeServices(
            configuration: configuration, store: opened.store, registry: .init(), logger: .init(label: "test"),
            now: { clock.now })
        func ceremonyID(_ cookie: SetCookie) throws -> String {
            Base64URL.encode(CookieToken.sha256(try #require(Base64URL.decode(cookie.value))))
        }
        let old = try await services.ceremonies.begin(.addPasskey, challenge: .random(), stateJSON: Array(#"{"n":1}"#.utf8))
        clock.advance(by: configuration.ceremonyTTL - 1)
        let young = try await services.ceremonies.begin(.addPasskey, challenge: .random(), stateJSON: Array(#"{"n":2}"#.utf8))
        clock.advance(by: 1)
        let purge = PurgeService(
            store: opened.store, interval: 60, sessionIdleTimeout: 600, auditRetention: 90 * 86400, now: { clock.now },
            logger: .init(label: "test"))
        await purge.purgeOnce()
        #expect(try await opened.store.consumeCeremony(id: try ceremonyID(old)) == nil)
        #expect(try await opened.store.consumeCeremony(id: try ceremonyID(young)) != nil)
        await opened.close()
    }
}

/// SHA-256 for the tests, through the server's own dependency.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] { CookieToken.sha256(bytes) }
}
