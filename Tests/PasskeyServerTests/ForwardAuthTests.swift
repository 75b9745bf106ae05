import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WebAuthn

@testable import PasskeyServer

/// Forward-auth (`GET /api/forward-auth`), the way back after sign-in (`GET /continue`) and the
/// session cookie for sibling subdomains (`--cookie-domain`).
@Suite struct ForwardAuthTests {
    static let forwarded: HTTPFields = [
        .xForwardedProto: "https", .xForwardedHost: "app.example.com", .xForwardedURI: "/reports?year=2026&q=a%20b",
    ]

    /// Over a real socket, so the server sees the peer address: the test client is on loopback.
    static func live(
        trustingLoopback: Bool, allowedHosts: [String] = ["app.example.com"],
        _ body: @Sendable (Harness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await Harness.run(.sqliteMemory, testing: .live, configure: { configuration in
            configuration.allowedRedirectHosts = allowedHosts
            if trustingLoopback { configuration.trustedProxies = ["127.0.0.1", "::1"] }
        }, body)
    }

    // MARK: GET /api/forward-auth

    /// Signs up and confirms the address with the mailed code, as forward-auth requires.
    static func signUpConfirmed(
        _ browser: inout Browser, _ harness: Harness, _ username: String = "ada@example.com", displayName: String? = nil
    ) async throws {
        #expect(try await browser.signUp(username, displayName: displayName).status == .created)
        let code = try await harness.code(to: username, subject: "Confirm")
        #expect(try await browser.post("/api/email/verify", ["code": code]).status == .ok)
    }

    @Test func aSignedInBrowserIsNamedInTheRemoteHeaders() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await Self.signUpConfirmed(&browser, harness, displayName: "Ada Lovelace")
            let response = try await browser.get("/api/forward-auth")
            #expect(response.status == .ok)
            #expect(response.headers[.remoteUser] == "ada@example.com")
            #expect(response.headers[.remoteEmail] == "ada@example.com")
            #expect(response.headers[.remoteName] == "Ada Lovelace")
        }
    }

    @Test func aBrowserWithoutASessionGets401AndNoLocation() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            let browser = try Browser(client)
            var stranger = browser
            stranger.cookies = ["passkeys_session": "not-a-token"]
            for var caller in [browser, stranger] {
                let response = try await caller.get("/api/forward-auth")
                expectError(response, .unauthorized, "unauthenticated")
                #expect(response.headers[.location] == nil)
                #expect(response.headers[.remoteUser] == nil)
            }
        }
    }

    @Test func anAccountWhoseAddressIsNotConfirmedIsNotNamed() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            let response = try await browser.get("/api/forward-auth")
            expectError(response, .forbidden, "email_unverified")
            #expect(response.headers[.remoteUser] == nil && response.headers[.remoteEmail] == nil)
            let code = try await harness.code(to: "ada@example.com", subject: "Confirm")
            #expect(try await browser.post("/api/email/verify", ["code": code]).status == .ok)
            #expect(try await browser.get("/api/forward-auth").headers[.remoteUser] == "ada@example.com")
        }
    }

    @Test func aTrustedProxySendsAnUnconfirmedAccountToTheAccountPageToConfirmIt() async throws {
        try await Self.live(trustingLoopback: true) { _, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            let response = try await browser.send(.get, "/api/forward-auth", headers: Self.forwarded)
            #expect(response.status == .unauthorized)
            #expect(
                response.headers[.location]
                    == "http://localhost:8080/account?next=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026%26q%3Da%2520b")
            #expect(response.headers[.remoteUser] == nil)
        }
    }

    @Test func aSignedOutBrowserIsNoLongerNamed() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await Self.signUpConfirmed(&browser, harness)
            #expect(try await browser.get("/api/forward-auth").status == .ok)
            let cookies = browser.cookies
            #expect(try await browser.send(.delete, "/api/session").status == .noContent)
            browser.cookies = cookies  // the old cookie, kept by someone
            expectError(try await browser.get("/api/forward-auth"), .unauthorized, "unauthenticated")
        }
    }

    @Test func aTrustedProxysForwardedURLBecomesTheSignInPagesNext() async throws {
        try await Self.live(trustingLoopback: true) { _, client in
            var browser = try Browser(client)
            let response = try await browser.send(.get, "/api/forward-auth", headers: Self.forwarded)
            #expect(response.status == .unauthorized)
            #expect(
                response.headers[.location]
                    == "http://localhost:8080/?next=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2026%26q%3Da%2520b")
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.text.contains(#"href="http://localhost:8080/?next=https%3A%2F%2Fapp.example.com"#))
        }
    }

    @Test func forwardedHeadersFromAnUntrustedPeerAreIgnored() async throws {
        try await Self.live(trustingLoopback: false) { _, client in
            var browser = try Browser(client)
            let response = try await browser.send(.get, "/api/forward-auth", headers: Self.forwarded)
            expectError(response, .unauthorized, "unauthenticated")
            #expect(response.headers[.location] == nil)
        }
    }

    @Test func aForwardedHostThatIsNotAllowedIsNotWhereSignInSendsThePerson() async throws {
        try await Self.live(trustingLoopback: true, allowedHosts: ["other.example.com"]) { _, client in
            var browser = try Browser(client)
            let response = try await browser.send(.get, "/api/forward-auth", headers: Self.forwarded)
            #expect(response.status == .unauthorized)
            let location = try #require(response.headers[.location])
            let next = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "next" }?.value)
            #expect(next == "https://app.example.com/reports?year=2026&q=a%20b")
            let onward = try await browser.get("/continue?next=" + ForwardAuthController.percentEncoded(next))
            #expect(onward.status == .badRequest)
            #expect(onward.headers[.location] == nil)
        }
    }

    @Test func forwardedHeadersThatMakeNoURLGetNoLocation() async throws {
        try await Self.live(trustingLoopback: true) { _, client in
            var browser = try Browser(client)
            let broken: [HTTPFields] = [
                [.xForwardedProto: "javascript", .xForwardedHost: "app.example.com", .xForwardedURI: "/"],
                [.xForwardedProto: "https", .xForwardedHost: "app.example.com/x@evil.example", .xForwardedURI: "/"],
                [.xForwardedProto: "https", .xForwardedHost: "app.example.com", .xForwardedURI: "evil"],
                [.xForwardedProto: "https", .xForwardedURI: "/"],
                [.xForwardedProto: "https", .xForwardedHost: "app.example.com", .xForwardedURI: "/\\evil.example"],
            ]
            for headers in broken {
                let response = try await browser.send(.get, "/api/forward-auth", headers: headers)
                expectError(response, .unauthorized, "unauthenticated")
                #expect(response.headers[.location] == nil, "\(headers)")
            }
        }
    }

    // MARK: GET /continue

    @Test func continueFollowsAPathOnThisSiteOrAnAllowedHost() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.allowedRedirectHosts = ["app.example.com", "wiki.example.com:8443"] }) { _, client in
            var browser = try Browser(client)
            let allowed = [
                "/account": "/account",
                "https://app.example.com/reports?year=2026": "https://app.example.com/reports?year=2026",
                "https://APP.example.com:9000/": "https://APP.example.com:9000/",
                "https://wiki.example.com:8443/page": "https://wiki.example.com:8443/page",
                "http://localhost:8080/account": "http://localhost:8080/account",
            ]
            for (next, location) in allowed {
                let response = try await browser.get("/continue?next=" + ForwardAuthController.percentEncoded(next))
                #expect(response.status == .seeOther, "\(next)")
                #expect(response.headers[.location] == location)
            }
        }
    }

    @Test func continueRefusesEveryOtherDestinationWithAPageThatRepeatsNothing() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.allowedRedirectHosts = ["app.example.com", "wiki.example.com:8443"] }) { _, client in
            var browser = try Browser(client)
            let refused = [
                "https://evil.example/<script>alert(1)</script>",
                "//evil.example/",
                "/\\evil.example/",
                "https://app.example.com@evil.example/",
                "https://evil.example\\@app.example.com/",
                "https://evil.example#@app.example.com",
                "https://app.example.com.evil.example/",
                "https://evilapp.example.com/",
                "https://%61pp.example.com/",
                "https://wiki.example.com:9443/",
                "https://app.example.com:99999/",
                "https://app.example.com:0/",
                "https://app.example.com:99999999999999999999/",
                "https:app.example.com/",
                "ftp://app.example.com/",
                "javascript:alert(1)//app.example.com",
                "/\taccount",
                "",
            ]
            for next in refused {
                let response = try await browser.get("/continue?next=" + ForwardAuthController.percentEncoded(next))
                #expect(response.status == .badRequest, "\(next)")
                #expect(response.headers[.location] == nil)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(!response.text.contains("evil"), "the page repeats the request")
                #expect(!response.text.contains("<script"))
            }
            #expect(try await browser.get("/continue").status == .badRequest)
        }
    }

    @Test func anHTTPSOnlyServerSendsNoOneToPlainHTTP() async throws {
        try await Harness.run(.sqliteMemory, configure: {
            $0.relyingPartyID = "example.com"
            $0.origins = ["https://auth.example.com"]
            $0.allowedRedirectHosts = ["app.example.com"]
        }) { _, client in
            var browser = try Browser(client)
            browser.origin = "https://auth.example.com"
            let https = try await browser.get("/continue?next=" + ForwardAuthController.percentEncoded("https://app.example.com/x"))
            #expect(https.status == .seeOther)
            let http = try await browser.get("/continue?next=" + ForwardAuthController.percentEncoded("http://app.example.com/x"))
            #expect(http.status == .badRequest)
            #expect(http.headers[.location] == nil)
        }
    }

    // MARK: --cookie-domain

    /// The server at `https://auth.example.com`, its cookie domain `example.com`.
    static func sharingExampleCom(_ configuration: inout PasskeyServerConfiguration) {
        configuration.relyingPartyID = "example.com"
        configuration.origins = ["https://auth.example.com"]
        configuration.cookieDomain = "example.com"
    }

    @Test func underTLSTheDomainsCookieIsSecurePrefixedAndTheSessionCookieHostOnly() async throws {
        try await Harness.run(.sqliteMemory, configure: Self.sharingExampleCom) { _, client in
            var browser = try Browser(client)
            browser.origin = "https://auth.example.com"
            let (options, _) = try await browser.registrationOptions("ada@example.com")
            let ceremony = try #require(options.setCookie("__Host-passkeys_ceremony"), "the ceremony cookie stays host-only")
            #expect(!ceremony.contains("Domain"))
            browser = try await Self.finishSignUp(browser, options)
            let response = try await browser.get("/api/session")
            #expect(response.status == .ok, "the host-only session cookie signs the browser in")
            let signOut = try await browser.send(.delete, "/api/session")
            let expired = try #require(signOut.setCookie("__Secure-passkeys_forward"))
            #expect(expired.contains("Domain=example.com") && expired.contains("Max-Age=0"), "sign-out clears the domain's cookie")
            #expect(try #require(signOut.setCookie("__Host-passkeys_session")).contains("Max-Age=0"))
        }
    }

    /// The cookie every app on the domain receives, and which the proxy passes on to the app.
    @Test func theDomainsCookieSignsInAtForwardAuthOnlyAndHoldsNoSessionToken() async throws {
        try await Harness.run(.sqliteMemory, configure: Self.sharingExampleCom) { harness, client in
            var browser = try Browser(client)
            browser.origin = "https://auth.example.com"
            try await Self.signUpConfirmed(&browser, harness)
            let forward = try #require(browser.cookies["__Secure-passkeys_forward"])
            let token = try #require(browser.cookies["__Host-passkeys_session"])
            #expect(!forward.contains(token), "the token is sealed")

            // What an app behind the proxy holds: the domain's cookie only.
            var app = try Browser(client)
            app.cookies = ["__Secure-passkeys_forward": forward]
            let check = try await app.get("/api/forward-auth")
            #expect(check.status == .ok && check.headers[.remoteUser] == "ada@example.com")
            expectError(try await app.get("/api/session"), .unauthorized, "unauthenticated")
            // Nor does the API take it under the session cookie's name.
            app.cookies = ["__Host-passkeys_session": forward]
            expectError(try await app.get("/api/session"), .unauthorized, "unauthenticated")
            expectError(try await app.get("/api/forward-auth"), .unauthorized, "unauthenticated")

            // A forged or altered cookie, or two of them (one tossed in by a sibling host), sign no one in.
            var altered = Array(forward)
            altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
            app.cookies = ["__Secure-passkeys_forward": String(altered)]
            expectError(try await app.get("/api/forward-auth"), .unauthorized, "unauthenticated")
            app.cookies = [:]
            let twice = try await app.send(
                .get, "/api/forward-auth", headers: [.cookie: "__Secure-passkeys_forward=\(forward); __Secure-passkeys_forward=\(forward)"])
            expectError(twice, .unauthorized, "unauthenticated")

            // Signing out ends what the cookie stands for.
            #expect(try await browser.send(.delete, "/api/session").status == .noContent)
            app.cookies = ["__Secure-passkeys_forward": forward]
            expectError(try await app.get("/api/forward-auth"), .unauthorized, "unauthenticated")
        }
    }

    static func finishSignUp(_ browser: Browser, _ options: TestResponse) async throws -> Browser {
        var browser = browser
        let creation = try options.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
        let credential = try browser.authenticator.register(options: creation, origin: browser.origin)
        let response = try await browser.post("/api/registration", credential)
        #expect(response.status == .created, "\(response.text)")
        let forward = try #require(response.setCookie("__Secure-passkeys_forward"))
        #expect(forward.contains("Domain=example.com"))
        #expect(forward.contains("Secure") && forward.contains("HttpOnly") && forward.contains("SameSite=Lax"))
        #expect(forward.contains("Path=/"))
        let session = try #require(response.setCookie("__Host-passkeys_session"))
        #expect(!session.contains("Domain"), "the session cookie stays host-only")
        let shared = try #require(response.setCookie("__Secure-passkeys_session"), "the older shared session cookie is ended")
        #expect(shared.contains("Domain=example.com") && shared.contains("Max-Age=0"))
        return browser
    }

    /// Before the forward-auth cookie, the session cookie itself was the domain's
    /// (`__Secure-passkeys_session`), and browsers keep sending it to every app.
    @Test func theOlderSharedSessionCookieEndsItsSessionAtTheFirstCheck() async throws {
        try await Harness.run(.sqliteMemory, configure: Self.sharingExampleCom) { harness, client in
            var browser = try Browser(client)
            browser.origin = "https://auth.example.com"
            try await Self.signUpConfirmed(&browser, harness)
            let token = try #require(browser.cookies["__Host-passkeys_session"])
            #expect(try await browser.get("/api/session").status == .ok)

            var app = try Browser(client)
            app.cookies = ["__Secure-passkeys_session": token]
            expectError(try await app.get("/api/forward-auth"), .unauthorized, "unauthenticated")
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test func withoutTLSTheDomainsCookieKeepsItsPlainName() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.cookieDomain = "localhost" }) { _, client in
            var browser = try Browser(client)
            let response = try await browser.signUp("ada@example.com")
            let forward = try #require(response.setCookie("passkeys_forward"))
            #expect(forward.contains("Domain=localhost") && !forward.contains("Secure"))
            #expect(browser.sessionCookie != nil, "the host-only session cookie is kept, set after the older one's end")
            #expect(try await browser.get("/api/session").status == .ok)
        }
    }

    @Test func withoutACookieDomainTheSessionCookieIsHostOnlyAsBefore() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            var browser = try Browser(client)
            let response = try await browser.signUp("ada@example.com")
            let session = try #require(response.setCookie("passkeys_session"))
            #expect(!session.contains("Domain"))
        }
    }

    @Test func aCookieDomainMustCoverEveryOriginAndRedirectHostsMustBeHosts() {
        var configuration = PasskeyServerConfiguration()
        configuration.relyingPartyID = "example.com"
        configuration.origins = ["https://auth.example.com"]
        configuration.cookieDomain = "other.example"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.cookieDomain = ".example.com"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.cookieDomain = "example.com"
        #expect(throws: Never.self) { try configuration.validate() }
        for bad in ["https://app.example.com", "*.example.com", "app.example.com/x", "app.example.com:99999", ""] {
            configuration.allowedRedirectHosts = [bad]
            #expect(throws: ConfigurationError.self, "\(bad)") { try configuration.validate() }
        }
        configuration.allowedRedirectHosts = ["app.example.com", "wiki.example.com:8443", "10.0.0.5"]
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
