import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OpenIDProvider
import PasskeyStore
import Synchronization
import Testing
import WebAuthn

@testable import PasskeyServer

/// The OpenID Provider over HTTP: the code flow, and each rejection of OIDC Core, RFC 6749,
/// RFC 7636, RFC 7009 and RFC 9700 it must make.
@Suite("OpenID Provider")
struct OpenIDProviderTests {
    static let kind = StoreKind.sqliteMemory

    // MARK: Discovery and keys

    @Test("The discovery document names the endpoints on the issuer and offers S256 PKCE only")
    func discovery() async throws {
        try await Harness.run(Self.kind, configure: { $0.issuer = "https://id.example.com"; $0.origins = ["https://id.example.com"]; $0.relyingPartyID = "id.example.com" }) { _, client in
            let response = try await client.execute(uri: "/.well-known/openid-configuration", method: .get)
            #expect(response.status == .ok)
            let document = try response.decode(DiscoveryDocument.self)
            #expect(document.issuer == "https://id.example.com")
            #expect(document.token_endpoint == "https://id.example.com/oauth2/token")
            #expect(document.jwks_uri == "https://id.example.com/oauth2/jwks")
            #expect(document.code_challenge_methods_supported == ["S256"])
            #expect(document.response_types_supported == ["code"])
            #expect(document.prompt_values_supported == ["none", "login", "consent", "select_account"])
        }
    }

    @Test("The issuer defaults to the first origin")
    func issuerDefault() async throws {
        try await Harness.run(Self.kind) { _, client in
            let document = try await client.execute(uri: "/.well-known/openid-configuration", method: .get).decode(DiscoveryDocument.self)
            #expect(document.issuer == Harness.origin)
        }
    }

    @Test("An issuer must be an https origin, or http on localhost", arguments: [
        ("https://id.example.com", true), ("http://localhost:8080", true), ("http://id.example.com", false),
        ("https://id.example.com/auth", false), ("https://id.example.com?x=1", false), ("id.example.com", false),
    ])
    func issuerRule(_ issuer: String, _ valid: Bool) {
        var configuration = PasskeyServerConfiguration()
        configuration.issuer = issuer
        let accepted = (try? configuration.validate()) != nil
        #expect(accepted == valid)
    }

    @Test("The access-token lifetime is 10 seconds to a day")
    func accessTokenLifetimeRule() {
        var configuration = PasskeyServerConfiguration()
        configuration.accessTokenLifetime = 5
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.accessTokenLifetime = 600
        #expect(throws: Never.self) { try configuration.validate() }
    }

    @Test("The JWKS publishes an RS256 and an ES256 key, each with its kid")
    func jwks() async throws {
        try await Harness.run(Self.kind) { _, client in
            let jwks = try await client.execute(uri: "/oauth2/jwks", method: .get).decode(JWKSDocument.self)
            #expect(Set(jwks.keys.map(\.alg)) == ["RS256", "ES256"])
            #expect(jwks.keys.allSatisfy { !$0.kid.isEmpty && $0.use == "sig" })
        }
    }

    @Test("A new database's missing keys are named, and requests that make them at once leave one key per algorithm")
    func missingKeysAreMadeOnce() async throws {
        let store = MemoryPasskeyStore()
        let provider = OpenIDProvider(configuration: .init(issuer: "https://id.example.com"), store: store, now: { Date() })
        #expect(Set(try await provider.missingSigningKeys()) == ["RS256", "ES256"])
        // What `passkeys serve` starts beside its listener, and two requests that need the keys first.
        async let started = provider.prepareSigningKeys()
        async let request = provider.prepareSigningKeys()
        async let jwks = provider.jwks()
        let (startedKeys, requestKeys, published) = try await (started, request, jwks)
        #expect(try await provider.missingSigningKeys().isEmpty)
        let stored = try await store.signingKeys()
        #expect(stored.count == 2)
        #expect(Set(startedKeys.map(\.id)) == Set(stored.map(\.id)))
        #expect(Set(requestKeys.map(\.id)) == Set(stored.map(\.id)))
        #expect(Set(published.keys.map(\.kid)) == Set(stored.map(\.id)))
    }

    @Test("A rotated key stays in the JWKS until its ID tokens have expired")
    func rotatedKeyRetention() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let before = try await client.execute(uri: "/oauth2/jwks", method: .get).decode(JWKSDocument.self)
            try await harness.store.rotateSigningKeys([try SigningKeys.generate("RS256", at: harness.clock.now)], at: harness.clock.now)
            let during = try await client.execute(uri: "/oauth2/jwks", method: .get).decode(JWKSDocument.self)
            #expect(Set(before.keys.map(\.kid)).isSubset(of: Set(during.keys.map(\.kid))))
            #expect(during.keys.count == 3)
            harness.clock.advance(by: 3601)
            let after = try await client.execute(uri: "/oauth2/jwks", method: .get).decode(JWKSDocument.self)
            #expect(after.keys.count == 2)
        }
    }

    // MARK: The code flow

    @Test("The code flow issues an ID token that verifies against the JWKS with every claim")
    func codeFlow() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com", displayName: "Ada")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let response = try await exchange(client, app, code: code)
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.cacheControl] == "no-store")
            let tokens = try response.decode(TokenAnswer.self)
            #expect(tokens.token_type == "Bearer")
            #expect(tokens.expires_in == 600)
            #expect(tokens.refresh_token == nil)
            let claims = try await verifyIDToken(client, tokens.id_token)
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            #expect(claims.iss == Harness.origin)
            #expect(claims.aud == app.id)
            #expect(claims.sub == user.id.base64URL)
            #expect(claims.sub != "ada@example.com")
            #expect(claims.nonce == "n-0S6")
            #expect(claims.amr == ["hwk", "user"])
            #expect(claims.auth_time == Int(harness.clock.now.timeIntervalSince1970))
            #expect(claims.at_hash == Base64URL.encode(Array(sha256(tokens.access_token).prefix(16))))
            #expect(claims.preferred_username == "ada@example.com")
            #expect(claims.email == "ada@example.com")
            #expect(claims.email_verified == false)
        }
    }

    @Test("email_verified follows the account: true once the mailed code is entered")
    func emailVerifiedFollowsTheAccount() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com", displayName: "Ada")
            let mailed = try await harness.code(to: "ada@example.com", subject: "Confirm")
            #expect(try await browser.post("/api/email/verify", ["code": mailed]).status == .ok)
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await verifyIDToken(client, tokens.id_token).email_verified == true)
            #expect(try await userinfo(client, tokens.access_token, method: .get).decode(UserInfo.self).email_verified == true)
        }
    }

    @Test("The code answer carries the state and the issuer")
    func codeAnswerCarriesState() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(state: "s t&a"))
            #expect(response.status == .found)
            #expect(response.locationQuery["state"] == "s t&a")
            #expect(response.locationQuery["iss"] == Harness.origin)
            #expect(response.location?.hasPrefix(TestApp.redirectURI + "?") == true)
        }
    }

    @Test("client_secret_post authenticates the client as well as Basic")
    func clientSecretPost() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let response = try await tokenRequest(client, [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", app.redirectURI),
                ("client_id", app.id), ("client_secret", app.secret ?? ""),
            ])
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    @Test("An ES256 client gets ES256 ID tokens")
    func es256Client() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true, algorithm: "ES256")
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let header = try #require(tokens.id_token.split(separator: ".").first.flatMap { Base64URL.decode(String($0)) })
            #expect(String(decoding: header, as: UTF8.self).contains("\"ES256\""))
            _ = try await verifyIDToken(client, tokens.id_token)
        }
    }

    @Test("A public client with PKCE gets tokens without a secret")
    func publicClientWithPKCE() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, isPublic: true, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(extra: TestPKCE.query))
            let response = try await exchange(client, app, code: code, verifier: TestPKCE.verifier)
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    @Test("http redirect URIs are taken for loopback addresses only, not for names that look like one")
    func loopbackAddressesOnly() {
        for uri in ["http://127.0.0.1:53682/cb", "http://127.1.2.3/cb", "http://[::1]:8080/cb", "http://localhost:3000/cb"] {
            #expect(ClientRules.redirectURIProblem(uri) == nil, "\(uri)")
        }
        for uri in [
            "http://127.evil.example/cb", "http://127.0.0.1.nip.io/cb", "http://127.0.0.256/cb", "http://127.0.0/cb",
            "http://127.0.0.1a/cb", "http://128.0.0.1/cb", "http://10.0.0.1/cb",
        ] {
            #expect(ClientRules.redirectURIProblem(uri) != nil, "\(uri)")
        }
    }

    @Test("A redirect URI with user information is refused")
    func redirectURIWithUserInformation() {
        #expect(ClientRules.redirectURIProblem("https://user:secret@app.example.com/cb") != nil)
        #expect(ClientRules.redirectURIProblem("https://user@app.example.com/cb") != nil)
        #expect(ClientRules.redirectURIProblem("https://app.example.com/cb") == nil)
    }

    @Test("A redirect URI with a space, a control character or a character outside ASCII is refused")
    func redirectURIBytes() {
        for uri in ["https://a.example/ cb", "https://a.example/c\u{01}b", "https://a.example/caf\u{E9}", "https://a.example/cb\n",
                    "https://a.example/" + String(repeating: "a", count: 2100)] {
            #expect(ClientRules.redirectURIProblem(uri) != nil, "\(uri.debugDescription)")
        }
        #expect(ClientRules.redirectURIProblem("https://a.example/caf%C3%A9?x=1") == nil)
    }

    @Test("An application's name is refused empty, too long, or with control or invisible characters")
    func clientNames() {
        for name in ["", String(repeating: "a", count: 101), "Evil\u{1B}[2JApp", "Two\nLines", "Right\u{202E}Left",
                     "a" + String(repeating: "\u{301}", count: 5000), "Zero\u{200B}Width"] {
            #expect(ClientRules.clientNameProblem(name) != nil, "\(name.debugDescription)")
        }
        for name in ["Grafana", "Zoë's Wiki", "日本語のアプリ", "Ops 🛠"] {
            #expect(ClientRules.clientNameProblem(name) == nil, "\(name)")
        }
    }

    @Test("A loopback IP-literal redirect URI matches at any port (RFC 8252 §7.3), and its code only with the URI sent")
    func loopbackRedirect() async throws {
        try await Harness.run(Self.kind) { harness, client in
            #expect(ClientRules.redirectURIProblem("http://127.0.0.1:53682/cb") == nil)
            #expect(ClientRules.redirectURIProblem("http://app.example.com/cb") != nil)
            let app = try await TestApp.register(
                harness.store, trusted: true, redirectURIs: ["http://127.0.0.1:53682/cb", "http://[::1]/cb"])
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            for (registered, sent) in [
                ("http://127.0.0.1:53682/cb", "http://127.0.0.1:53682/cb"), ("http://127.0.0.1:53682/cb", "http://127.0.0.1:61234/cb"),
                ("http://127.0.0.1:53682/cb", "http://127.0.0.1/cb"), ("http://[::1]/cb", "http://[::1]:49152/cb"),
            ] {
                var asSent = app
                asSent.redirectURI = sent
                let response = try await browser.authorize(asSent.authorizationQuery())
                #expect(response.location?.hasPrefix(sent + "?code=") == true, "\(sent): \(response.status) \(response.location ?? "")")
                let code = try #require(response.locationQuery["code"], "\(sent)")
                if registered != sent {
                    // RFC 6749 §4.1.3: the token request repeats the authorization request's URI.
                    var asRegistered = app
                    asRegistered.redirectURI = registered
                    let refused = try await exchange(client, asRegistered, code: code)
                    #expect(try refused.decode(OAuthErrorAnswer.self).error == "invalid_grant", "\(sent)")
                }
                #expect(try await exchange(client, asSent, code: code).status == .ok, "\(sent)")
            }
        }
    }

    @Test("Every other redirect URI matches exactly: localhost, https, another address, path, query, fragment, user information")
    func otherRedirectURIsMatchExactly() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true, redirectURIs: [
                "http://localhost:3000/cb", "https://app.example.com:8443/cb", "http://127.0.0.1:53682/cb?x=1",
            ])
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            for sent in [
                "http://localhost:3001/cb", "http://localhost/cb", "https://app.example.com:9443/cb", "https://app.example.com/cb",
                "http://127.0.0.2:53682/cb?x=1", "http://[::1]:53682/cb?x=1", "http://127.0.0.1:53682/other?x=1",
                "http://127.0.0.1:53682/cb?x=2", "http://127.0.0.1:53682/cb", "http://127.0.0.1:4000/cb?x=1#f",
                "http://127.0.0.1:4000@evil.example/cb?x=1", "http://127.0.0.1:99999/cb?x=1", "http://127.0.0.1:/cb?x=1",
                "http://127.0.0.1:+1/cb?x=1", "https://127.0.0.1:4000/cb?x=1",
            ] {
                var other = app
                other.redirectURI = sent
                let refused = try await browser.authorize(other.authorizationQuery())
                #expect(refused.status == .badRequest, "\(sent)")
                #expect(refused.location == nil, "\(sent)")
            }
            var loopback = app
            loopback.redirectURI = "http://127.0.0.1:4000/cb?x=1"
            #expect(try await browser.authorize(loopback.authorizationQuery()).location?.hasPrefix("http://127.0.0.1:4000/cb?x=1&code=") == true)
        }
    }

    @Test("The loopback exception is the port of an http URI on 127.0.0.0/8 or [::1], and nothing else")
    func loopbackMatchingRule() {
        for (sent, registered) in [
            ("http://127.0.0.1:1/cb", "http://127.0.0.1:53682/cb"), ("http://127.0.0.1/cb", "http://127.0.0.1:53682/cb"),
            ("http://127.0.0.1:65535/cb", "http://127.0.0.1/cb"), ("http://127.1.2.3:8080/a/b?c=d", "http://127.1.2.3/a/b?c=d"),
            ("http://[::1]:8080/cb", "http://[::1]/cb"), ("http://[::1]/", "http://[::1]:1/"), ("http://127.0.0.1:9", "http://127.0.0.1:10"),
            ("https://app.example.com/cb", "https://app.example.com/cb"), ("com.example.app:/cb", "com.example.app:/cb"),
        ] {
            #expect(ClientRules.redirectURI(sent, matches: registered), "\(sent) for \(registered)")
        }
        for (sent, registered) in [
            ("http://localhost:1/cb", "http://localhost:2/cb"), ("http://LOCALHOST:1/cb", "http://LOCALHOST:2/cb"),
            ("https://127.0.0.1:1/cb", "https://127.0.0.1:2/cb"), ("http://127.0.0.2:1/cb", "http://127.0.0.1:1/cb"),
            ("http://127.0.0.1:1/cb/", "http://127.0.0.1:2/cb"), ("http://127.0.0.1:1/CB", "http://127.0.0.1:2/cb"),
            ("http://127.0.0.1:1/cb#x", "http://127.0.0.1:2/cb"), ("http://127.0.0.1:1/cb?", "http://127.0.0.1:2/cb"),
            ("http://a@127.0.0.1:1/cb", "http://127.0.0.1:2/cb"), ("http://127.0.0.1:1@evil.example/cb", "http://127.0.0.1:2/cb"),
            ("http://127.0.0.1:65536/cb", "http://127.0.0.1:2/cb"), ("http://127.0.0.1:/cb", "http://127.0.0.1:2/cb"),
            ("http://127.0.0.1:0x10/cb", "http://127.0.0.1:2/cb"), ("http://[::1]:1/cb", "http://127.0.0.1:2/cb"),
            ("http://[0:0:0:0:0:0:0:1]:1/cb", "http://[0:0:0:0:0:0:0:1]:2/cb"), ("HTTP://127.0.0.1:1/cb", "http://127.0.0.1:2/cb"),
            ("http://127.0.0.1.nip.io:1/cb", "http://127.0.0.1.nip.io:2/cb"), ("http://10.0.0.1:1/cb", "http://10.0.0.1:2/cb"),
        ] {
            #expect(!ClientRules.redirectURI(sent, matches: registered), "\(sent) for \(registered)")
        }
    }

    // MARK: PKCE

    @Test("A wrong PKCE verifier is refused with invalid_grant")
    func wrongVerifier() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(extra: TestPKCE.query))
            let response = try await exchange(client, app, code: code, verifier: String(repeating: "a", count: 43))
            #expect(response.status == .badRequest)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test("A missing PKCE verifier is refused with invalid_grant")
    func missingVerifier() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(extra: TestPKCE.query))
            let response = try await exchange(client, app, code: code)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
        }
    }

    @Test("A verifier sent for a code without a challenge is refused (no PKCE downgrade)")
    func verifierWithoutChallenge() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let response = try await exchange(client, app, code: code, verifier: TestPKCE.verifier)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
        }
    }

    @Test("The plain PKCE method is refused with a redirect carrying invalid_request and the state")
    func plainRefused() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(extra: [
                ("code_challenge", TestPKCE.challenge), ("code_challenge_method", "plain"),
            ]))
            #expect(response.status == .found)
            #expect(response.locationQuery["error"] == "invalid_request")
            #expect(response.locationQuery["state"] == "xyz")
            #expect(response.locationQuery["code"] == nil)
        }
    }

    @Test("A public client without PKCE is refused")
    func publicClientNeedsPKCE() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, isPublic: true, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery())
            #expect(response.locationQuery["error"] == "invalid_request")
        }
    }

    // MARK: Codes

    @Test("A replayed code is refused and revokes the tokens of the first redemption")
    func codeReplay() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let first = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await userinfo(client, first.access_token).status == .ok)
            let second = try await exchange(client, app, code: code)
            #expect(second.status == .badRequest)
            #expect(try second.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(try await userinfo(client, first.access_token).status == .unauthorized)
        }
    }

    @Test("A code replayed after its lifetime still revokes what its first redemption issued")
    func lateCodeReplay() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let first = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            harness.clock.advance(by: 61)
            let replay = try await exchange(client, app, code: code)
            #expect(try replay.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(try await userinfo(client, first.access_token).status == .unauthorized)
        }
    }

    @Test("A code redeemed by another client is refused")
    func codeOfAnotherClient() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let thief = try await TestApp.register(harness.store, id: "thief", trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let response = try await exchange(client, thief, code: code)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(try await exchange(client, app, code: code).status == .ok)
        }
    }

    @Test("A code older than 60 seconds is refused")
    func expiredCode() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            harness.clock.advance(by: 61)
            let response = try await exchange(client, app, code: code)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
        }
    }

    @Test("Token answers carry Pragma: no-cache beside Cache-Control: no-store, refusals too (RFC 6749 §5.1); discovery is cacheable")
    func tokenAnswersAreNotCached() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let issued = try await exchange(client, app, code: code)
            #expect(issued.status == .ok)
            let refresh = try #require(try issued.decode(TokenAnswer.self).refresh_token)
            let refreshed = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", refresh)], authorization: app.basic)
            #expect(refreshed.status == .ok)
            let refused = try await tokenRequest(client, [("grant_type", "password")], authorization: app.basic)
            #expect(refused.status == .badRequest)
            for response in [issued, refreshed, refused] {
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.pragma] == "no-cache")
            }
            let discovery = try await client.execute(uri: OpenIDProvider.Path.discovery, method: .get)
            #expect(discovery.headers[.cacheControl] == "public, max-age=3600")
            #expect(discovery.headers[.pragma] == nil)
        }
    }

    @Test("A redirect_uri at the token endpoint that differs from the request's is refused")
    func redirectMismatchAtToken() async throws {
        try await Harness.run(Self.kind) { harness, client in
            var app = try await TestApp.register(harness.store, trusted: true, redirectURIs: [TestApp.redirectURI, "https://app.example.com/other"])
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            app.redirectURI = "https://app.example.com/other"
            let response = try await exchange(client, app, code: code)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
        }
    }

    // MARK: Client authentication

    @Test("A wrong client secret is 401 invalid_client, audited")
    func wrongSecret() async throws {
        try await Harness.run(Self.kind) { harness, client in
            var app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            app.secret = ClientRules.newSecret()
            harness.store.clearChanges()
            harness.store.clearCalls()
            let response = try await exchange(client, app, code: code)
            #expect(response.status == .unauthorized)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_client")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(harness.store.changes == [])
            #expect(harness.store.calls.filter { $0 == "appendAudit" }.count == 1)
        }
    }

    @Test("Failed client authentications count toward the rate limit")
    func failedAuthenticationIsRateLimited() async throws {
        try await Harness.run(Self.kind, configure: { $0.rateLimit = 30; $0.addressFailureLimit = 2 }) { harness, client in
            let app = try await TestApp.register(harness.store)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                let response = try await tokenRequest(client, [("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", app.redirectURI)],
                    authorization: "Basic " + Data("\(app.id):wrong".utf8).base64EncodedString())
                statuses.append(response.status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
        }
    }

    @Test("Past the allowance of failed client authentications the answer is 429 before any secret is checked, right or wrong, and nothing more is audited")
    func limitIsConsultedBeforeTheSecret() async throws {
        try await Harness.run(Self.kind, configure: { $0.rateLimit = 30; $0.addressFailureLimit = 2 }) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            harness.store.clearCalls()
            var wrong = app
            wrong.secret = "wrong"
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 { statuses.append(try await exchange(client, wrong, code: code).status) }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests, .tooManyRequests, .tooManyRequests])
            #expect(harness.store.calls.filter { $0 == "appendAudit" }.count == 2, "only the failures under the limit")
            // Past the limit, the right secret gets no further: the code is not even looked at.
            let right = try await exchange(client, app, code: code)
            #expect(right.status == .tooManyRequests)
            #expect(try right.decode(OAuthErrorAnswer.self).error == "rate_limited")
            #expect(right.headers[.retryAfter] != nil)
            #expect(right.headers[.cacheControl] == "no-store")
            let revoke = try await tokenRequest(client, [("token", "anything")], authorization: wrong.basic, path: "/oauth2/revoke")
            #expect(revoke.status == .tooManyRequests)
            #expect(harness.store.calls.filter { $0 == "appendAudit" }.count == 2)
            // Once the allowance has come back, the unused code still works.
            harness.clock.advance(by: 30)
            #expect(try await exchange(client, app, code: code).status == .ok)
        }
    }

    @Test("A client that authenticates gives its place back: its requests never reach the limit of failures")
    func successesDoNotCountTowardTheLimit() async throws {
        try await Harness.run(Self.kind, configure: { $0.rateLimit = 30; $0.addressFailureLimit = 2 }) { harness, client in
            let app = try await TestApp.register(harness.store)
            for _ in 0..<5 {
                let response = try await tokenRequest(client, [("grant_type", "password")], authorization: app.basic)
                #expect(try response.decode(OAuthErrorAnswer.self).error == "unsupported_grant_type")
                let revoked = try await tokenRequest(client, [("token", "unknown")], authorization: app.basic, path: "/oauth2/revoke")
                #expect(revoked.status == .ok)
            }
            let wrong = try await tokenRequest(client, [("grant_type", "password")], authorization: "Basic " + Data("\(app.id):wrong".utf8).base64EncodedString())
            #expect(wrong.status == .unauthorized)
        }
    }

    @Test("A client_secret_post failure is audited once and names the body's client_id, as a Basic one names the header's")
    func bodyAuthenticationFailureNamesItsClient() async throws {
        let log = NoticeRecorder()
        try await Harness.run(Self.kind, logger: log.logger) { harness, client in
            let app = try await TestApp.register(harness.store)
            harness.store.clearCalls()
            let refused = try await tokenRequest(client, [
                ("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", app.redirectURI),
                ("client_id", app.id), ("client_secret", "wrong"),
            ])
            #expect(refused.status == .unauthorized)
            #expect(try refused.decode(OAuthErrorAnswer.self).error == "invalid_client")
            #expect(refused.headers[.wwwAuthenticate] == nil, "no Basic challenge for a client that did not use the header")
            #expect(harness.store.calls.filter { $0 == "appendAudit" }.count == 1)
            // The event's detail, as the notice logged beside it repeats it.
            let details = log.details.withLock { $0 }
            #expect(details.count == 1 && details.first?.hasPrefix("client \(app.id) from ") == true, "\(details)")
        }
        func request(_ authorization: String?) -> Request {
            var fields: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            if let authorization { fields[.authorization] = authorization }
            return Request(
                head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/oauth2/token", headerFields: fields),
                body: RequestBody(buffer: ByteBuffer()))
        }
        let body = OAuthParameters([("client_id", "grafana"), ("client_secret", "wrong")])
        #expect(OpenIDController.claimedClient(request(nil), body) == "grafana")
        #expect(OpenIDController.claimedClient(request("Basic " + Data("ops:wrong".utf8).base64EncodedString()), nil) == "ops")
        #expect(OpenIDController.claimedClient(request(nil), OAuthParameters([])) == nil)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let event = OpenIDController.failedClientAuthentication(claimed: "grafana", address: "192.0.2.1", at: at)
        #expect(event.kind == "oauth_client_authentication_failed" && event.userID == nil)
        #expect(event.detail == "client grafana from 192.0.2.1")
        // The client ID is the caller's text: escaped and cut short as every logged text is.
        let hostile = OpenIDController.failedClientAuthentication(claimed: "evil\n\u{202E}" + String(repeating: "a", count: 200), address: "192.0.2.1", at: at)
        #expect(hostile.detail.contains("\n") == false && hostile.detail.contains("\u{202E}") == false)
        #expect(hostile.detail.count < 130)
        #expect(OpenIDController.failedClientAuthentication(claimed: nil, address: "192.0.2.1", at: at).detail == "client ? from 192.0.2.1")
    }

    @Test("An unknown grant type is unsupported_grant_type")
    func unknownGrantType() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            let response = try await tokenRequest(client, [("grant_type", "password"), ("username", "a"), ("password", "b")], authorization: app.basic)
            #expect(try response.decode(OAuthErrorAnswer.self).error == "unsupported_grant_type")
        }
    }

    @Test("A body too large or JSON that is not strict gets the OAuth error format on every OAuth endpoint, not the API's")
    func guardRefusalsAreOAuthErrors() async throws {
        try await Harness.run(Self.kind) { _, client in
            let big = ByteBuffer(string: "grant_type=" + String(repeating: "a", count: 70 * 1024))
            for path in [OpenIDProvider.Path.token, OpenIDProvider.Path.revocation, OpenIDProvider.Path.userinfo] {
                let tooLarge = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: big)
                #expect(tooLarge.status == .contentTooLarge, "\(path)")
                #expect(tooLarge.headers[.cacheControl] == "no-store")
                let answer = try tooLarge.decode(OAuthErrorAnswer.self)
                #expect(answer.error == "invalid_request", "\(path)")
                #expect(answer.error_description?.contains("65536") == true)
                let json = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"a":1,}"#))
                #expect(json.status == .badRequest, "\(path)")
                #expect(try json.decode(OAuthErrorAnswer.self).error == "invalid_request", "\(path)")
            }
            // The rest of the API keeps its own format.
            let api = try await client.execute(
                uri: "/api/authentication/options", method: .post,
                headers: [.contentType: "application/json", .origin: Harness.origin], body: ByteBuffer(string: #"{"a":1,}"#))
            expectError(api, .badRequest, "malformed")
        }
    }

    @Test("An API refusal becomes an OAuth error with a code for its status and a description in printable ASCII")
    func oauthErrorOfAnAPIError() {
        let cases: [(APIError, String)] = [
            (APIError.payloadTooLarge(10), "invalid_request"), (APIError.malformed("x"), "invalid_request"),
            (APIError.rateLimited(retryAfter: 3), "rate_limited"),
            (APIError(.serviceUnavailable, "unavailable", "down"), "temporarily_unavailable"),
            (APIError(.internalServerError, "internal_error", "oops"), "server_error"),
        ]
        for (apiError, code) in cases {
            let oauth = ErrorAnswer.oauthError(apiError)
            #expect(oauth.code == code && oauth.status == apiError.status.code)
        }
        #expect(ErrorAnswer.oauthDescription("a \"b\" \\ é\u{7}") == "a ?b? ? ??")
    }

    // MARK: Authorization errors

    @Test("An unregistered redirect URI gets a 400 page, no redirect, nothing echoed")
    func unregisteredRedirect() async throws {
        try await Harness.run(Self.kind) { harness, client in
            var app = try await TestApp.register(harness.store)
            app.redirectURI = "https://evil.example/<script>alert(1)</script>"
            var browser = try Browser(client)
            let response = try await browser.authorize(app.authorizationQuery(state: "<b>state</b>"))
            #expect(response.status == .badRequest)
            #expect(response.location == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(!response.text.contains("<script>"))
            #expect(!response.text.contains("<b>"))
        }
    }

    @Test("An unknown client gets a 400 page and no redirect")
    func unknownClient() async throws {
        try await Harness.run(Self.kind) { _, client in
            var browser = try Browser(client)
            let response = try await browser.authorize(TestApp(id: "nobody", secret: nil).authorizationQuery())
            #expect(response.status == .badRequest)
            #expect(response.location == nil)
        }
    }

    @Test("A client ID outside the client alphabet (a NUL byte) is an unknown client, at both endpoints")
    func clientIDWithNULIsUnknown() async throws {
        try await Harness.run(Self.kind) { harness, client in
            var browser = try Browser(client)
            let page = try await browser.authorize(TestApp(id: "app\u{0}", secret: nil).authorizationQuery())
            #expect(page.status == .badRequest)
            #expect(page.location == nil)
            let token = try await tokenRequest(
                client, [("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", "https://a.example/cb"),
                         ("client_id", "app\u{0}"), ("client_secret", "s")])
            #expect(token.status == .unauthorized)
            #expect(try token.decode(OAuthErrorAnswer.self).error == "invalid_client")
        }
    }

    @Test("A nonce with a control character is invalid_request, back at the app")
    func nonceWithControlCharacter() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(nonce: "n\u{0}1"))
            #expect(response.locationQuery["error"] == "invalid_request")
            #expect(response.locationQuery["state"] == "xyz")
        }
    }

    @Test("A request without response_type is refused with invalid_request")
    func missingResponseType() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery().filter { $0.0 != "response_type" })
            #expect(response.locationQuery["error"] == "invalid_request")
        }
    }

    @Test("id_token_hint: the person it names gets a code; another signed-in person login_required or the sign-in page")
    func idTokenHint() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var ada = try Browser(client)
            try await ada.signUp("ada@example.com")
            var grace = try Browser(client)
            try await grace.signUp("grace@example.com")
            let adasToken = try await exchange(client, app, code: try await ada.code(for: app, query: app.authorizationQuery()))
                .decode(TokenAnswer.self).id_token
            harness.clock.advance(by: 7200)  // an expired ID token is still a hint

            let same = try await ada.authorize(app.authorizationQuery(extra: [("prompt", "none"), ("id_token_hint", adasToken)]))
            #expect(same.locationQuery["code"] != nil, "\(same.location ?? "")")
            let other = try await grace.authorize(app.authorizationQuery(extra: [("prompt", "none"), ("id_token_hint", adasToken)]))
            #expect(other.locationQuery["error"] == "login_required")
            let interactive = try await grace.authorize(app.authorizationQuery(extra: [("id_token_hint", adasToken)]))
            #expect(interactive.location?.hasPrefix("/?next=") == true)
            #expect(interactive.locationQuery["reauthenticate"] == "1")
            // Back without a sign-in: the sign-in page again. Back after one, as Grace still: the
            // app learns that Ada is not signed in (OIDC Core §3.1.2.1), instead of the browser
            // going round for ever.
            let next = try #require(interactive.locationQuery["next"])
            harness.clock.advance(by: 1)
            #expect(try await grace.get(next).locationQuery["reauthenticate"] == "1")
            try await grace.signIn("grace@example.com")
            let back = try await grace.get(next)
            #expect(back.location?.hasPrefix(TestApp.redirectURI) == true, "\(back.location ?? "")")
            #expect(back.locationQuery["error"] == "login_required")
            #expect(back.locationQuery["state"] == "xyz")
            let forged = try await ada.authorize(app.authorizationQuery(extra: [("id_token_hint", "eyJhbGciOiJub25lIn0.e30.")]))
            #expect(forged.locationQuery["error"] == "invalid_request")
        }
    }

    @Test("prompt=select_account sends a signed-in person to the sign-in page to pick an account, once")
    func selectAccount() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(extra: [("prompt", "select_account")]))
            #expect(response.locationQuery["reauthenticate"] == "1")
            let next = try #require(response.locationQuery["next"])
            #expect(!next.contains("select_account"))
            #expect(try await browser.get(next).locationQuery["code"] != nil)
        }
    }

    @Test("prompt=none without a session redirects with login_required")
    func promptNoneWithoutSession() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            let response = try await browser.authorize(app.authorizationQuery(extra: [("prompt", "none")]))
            #expect(response.locationQuery["error"] == "login_required")
            #expect(response.locationQuery["state"] == "xyz")
        }
    }

    @Test("Without a session the browser goes to the sign-in page and back, with the login hint")
    func signInFirst() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            let response = try await browser.authorize(app.authorizationQuery(extra: [("login_hint", "ada@example.com")]))
            #expect(response.status == .found)
            let location = try #require(response.location)
            #expect(location.hasPrefix("/?next="))
            let next = try #require(response.locationQuery["next"])
            #expect(next.hasPrefix("/oauth2/authorize?"))
            #expect(next.contains("client_id=grafana"))
            #expect(response.locationQuery["login_hint"] == "ada@example.com")
        }
    }

    @Test("prompt=login asks for a fresh sign-in without ending the session, and that sign-in continues the request")
    func promptLogin() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            harness.clock.advance(by: 30)
            let response = try await browser.authorize(app.authorizationQuery(extra: [("prompt", "login")]))
            #expect(response.location?.hasPrefix("/?next=") == true)
            #expect(response.locationQuery["reauthenticate"] == "1")
            let next = try #require(response.locationQuery["next"])
            #expect(!next.contains("prompt"))
            // Any site can link to prompt=login: following the link signs no one out.
            #expect(try await browser.get("/api/session").status == .ok)
            // The way back without the sign-in it asked for leads to the sign-in page again.
            harness.clock.advance(by: 1)
            let skipped = try await browser.get(next)
            #expect(skipped.locationQuery["code"] == nil)
            #expect(skipped.location?.hasPrefix("/?next=") == true && skipped.locationQuery["reauthenticate"] == "1")
            try await browser.signIn("ada@example.com")
            let back = try await browser.get(next)
            let code = try #require(back.locationQuery["code"])
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let claims = try await verifyIDToken(client, tokens.id_token)
            #expect(claims.auth_time == Int(harness.clock.now.timeIntervalSince1970))
        }
    }

    @Test("A sign-in older than max_age must be repeated")
    func maxAge() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let signedUpAt = Int(harness.clock.now.timeIntervalSince1970)
            harness.clock.advance(by: 120)
            let stale = try await browser.authorize(app.authorizationQuery(extra: [("max_age", "60")]))
            #expect(stale.location?.hasPrefix("/?next=") == true)
            #expect(stale.locationQuery["reauthenticate"] == "1")
            #expect(try await browser.get("/api/session").status == .ok)
            let next = try #require(stale.locationQuery["next"])
            #expect(next.contains("signed_in_after="))
            let skipped = try await browser.get(next)
            #expect(skipped.locationQuery["code"] == nil && skipped.locationQuery["reauthenticate"] == "1")
            try await browser.signIn("ada@example.com")
            let fresh = try await browser.authorize(app.authorizationQuery(extra: [("max_age", "60")]))
            let code = try #require(fresh.locationQuery["code"])
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let claims = try await verifyIDToken(client, tokens.id_token)
            #expect(claims.auth_time == signedUpAt + 120)
        }
    }

    @Test("max_age=0 asks for one fresh sign-in, not one after another")
    func maxAgeZero() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            harness.clock.advance(by: 5)
            let first = try await browser.authorize(app.authorizationQuery(extra: [("max_age", "0")]))
            #expect(first.locationQuery["reauthenticate"] == "1")
            let next = try #require(first.locationQuery["next"])
            harness.clock.advance(by: 1)
            #expect(try await browser.get(next).locationQuery["reauthenticate"] == "1")
            try await browser.signIn("ada@example.com")
            let signedInAt = Int(harness.clock.now.timeIntervalSince1970)
            // The browser takes a moment to come back to the request.
            harness.clock.advance(by: 2)
            let back = try await browser.get(next)
            let code = try #require(back.locationQuery["code"], "\(back.location ?? "no redirect")")
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await verifyIDToken(client, tokens.id_token).auth_time == signedInAt)
        }
    }

    @Test("With no session, the sign-in page is not asked to sign in again, and prompt=login and max_age are spent by that sign-in")
    func signInWithoutSession() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            let response = try await browser.authorize(app.authorizationQuery(extra: [("max_age", "0"), ("prompt", "login")]))
            #expect(response.location?.hasPrefix("/?next=") == true)
            #expect(response.locationQuery["reauthenticate"] == nil)
            let next = try #require(response.locationQuery["next"])
            #expect(!next.contains("prompt") && next.contains("signed_in_after="))
            try await browser.signUp("ada@example.com")
            harness.clock.advance(by: 3)
            #expect(try await browser.get(next).locationQuery["code"] != nil)
        }
    }

    @Test("signed_in_after must be a time in whole seconds, not in the future, given once")
    func signedInAfterChecked() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let now = Int(harness.clock.now.timeIntervalSince1970)
            for value in ["-1", "+5", "1.5", "abc", "9999999999999", String(now + 3600)] {
                let response = try await browser.authorize(app.authorizationQuery(extra: [("signed_in_after", value)]))
                #expect(response.locationQuery["error"] == "invalid_request", "\(value)")
            }
            let twice = try await browser.authorize(
                app.authorizationQuery(extra: [("signed_in_after", String(now)), ("signed_in_after", String(now))]))
            #expect(twice.locationQuery["error"] == "invalid_request")
            // A time before the session's sign-in: answered by it.
            let earlier = try await browser.authorize(app.authorizationQuery(extra: [("signed_in_after", String(now - 10))]))
            #expect(earlier.locationQuery["code"] != nil)
        }
    }

    @Test("A scope without openid is refused with invalid_scope")
    func scopeWithoutOpenID() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(scope: "profile"))
            #expect(response.locationQuery["error"] == "invalid_scope")
        }
    }

    @Test("A repeated parameter is refused with invalid_request")
    func repeatedParameter() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(extra: [("scope", "openid email")]))
            #expect(response.locationQuery["error"] == "invalid_request")
        }
    }

    // MARK: Consent

    @Test("An untrusted client sends the browser to the consent page")
    func consentPage() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery())
            let location = try #require(response.location)
            #expect(location.hasPrefix("/consent.html?"))
            let query = String(location.split(separator: "?", maxSplits: 1)[1])
            let details = try await browser.get("/api/oidc/consent?" + query)
            #expect(details.status == .ok)
            #expect(details.text.contains("Grafana <Ops>"))
            #expect(details.text.contains("\"email\""))
        }
    }

    @Test("The consent page's answers hold a request to the authorization endpoint's sign-in rules, whatever link reached the page")
    func consentChecksTheSessionToo() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            // A consent page reached by a link of its own, with a request that asks for a fresh
            // sign-in: the decision sends the browser through the authorization endpoint (which
            // asks for it) instead of issuing a code.
            for extra in [[("prompt", "login")], [("max_age", "0")]] {
                let query = formEncoded(app.authorizationQuery(extra: extra))
                let decided = try await browser.post("/api/oidc/consent", ["request": query, "decision": "allow"])
                let redirect = try decided.decode(RedirectAnswer.self).redirectTo
                #expect(redirect.hasPrefix("/oauth2/authorize?"), "\(extra): \(redirect)")
                #expect(!redirect.contains("code="))
                let prompt = try await browser.get("/api/oidc/consent?" + query)
                #expect(try prompt.decode(RedirectAnswer.self).redirectTo.hasPrefix("/oauth2/authorize?"))
            }
            // prompt=none shows no consent page: both answers are consent_required at the app.
            let none = formEncoded(app.authorizationQuery(extra: [("prompt", "none")]))
            let prompted = try await browser.get("/api/oidc/consent?" + none).decode(RedirectAnswer.self).redirectTo
            #expect(prompted.hasPrefix(TestApp.redirectURI) && prompted.contains("error=consent_required"))
            let decided = try await browser.post("/api/oidc/consent", ["request": none, "decision": "allow"])
            #expect(try decided.decode(RedirectAnswer.self).redirectTo.contains("error=consent_required"))
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            #expect(try await harness.store.consents(userID: user.id) == [])
        }
    }

    @Test("The consent page's decision for a request whose id_token_hint names another account gives no code")
    func consentChecksTheHint() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var other = try Browser(client)
            try await other.signUp("grace@example.com")
            let code = try await other.code(for: app, query: app.authorizationQuery())
            let hint = try await exchange(client, app, code: code).decode(TokenAnswer.self).id_token
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let query = formEncoded(app.authorizationQuery(extra: [("id_token_hint", hint)]))
            let decided = try await browser.post("/api/oidc/consent", ["request": query, "decision": "allow"])
            let redirect = try decided.decode(RedirectAnswer.self).redirectTo
            #expect(redirect.hasPrefix("/oauth2/authorize?"))
            #expect(!redirect.contains("code="))
        }
    }

    @Test("A consent page shown for one account cannot allow for another signed in since: 409 session_changed, no consent, no code")
    func consentForTheAccountShown() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let ada = try #require(try await harness.store.user(username: "ada@example.com"))
            let location = try #require(try await browser.authorize(app.authorizationQuery()).location)
            let query = String(location.split(separator: "?", maxSplits: 1)[1])
            // The prompt names the account the page shows, by its user ID too.
            struct Prompt: Decodable { var username: String; var userId: String }
            let prompt = try await browser.get("/api/oidc/consent?" + query).decode(Prompt.self)
            #expect(prompt.username == "ada@example.com" && prompt.userId == ada.id.base64URL)
            // Another window of this browser signs up as Grace; the page still shows Ada.
            try await browser.signUp("grace@example.com")
            let grace = try #require(try await harness.store.user(username: "grace@example.com"))
            let asAda: HTTPFields = [.passkeysUser: prompt.userId]
            let decided = try await browser.post("/api/oidc/consent", ["request": query, "decision": "allow"], headers: asAda)
            expectError(decided, .conflict, "session_changed")
            #expect(try await harness.store.consents(userID: grace.id) == [])
            #expect(try await harness.store.consents(userID: ada.id) == [])
            // Naming the account signed in now, the decision is made for it.
            let allowed = try await browser.post(
                "/api/oidc/consent", ["request": query, "decision": "allow"], headers: [.passkeysUser: grace.id.base64URL])
            #expect(try allowed.decode(RedirectAnswer.self).redirectTo.contains("code="))
            #expect(try await harness.store.consents(userID: grace.id).count == 1)
        }
    }

    @Test("Consent denied redirects with access_denied and the state")
    func consentDenied() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let location = try #require(try await browser.authorize(app.authorizationQuery()).location)
            let answer = try await browser.decide(location, "deny").decode(RedirectAnswer.self)
            let items = URLComponents(string: answer.redirectTo)?.queryItems ?? []
            #expect(items.first { $0.name == "error" }?.value == "access_denied")
            #expect(items.first { $0.name == "state" }?.value == "xyz")
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            #expect(try await harness.store.consents(userID: user.id) == [])
        }
    }

    @Test("Another spelling of an OAuth endpoint's path is held to that endpoint's rules and answers in OAuth's format",
          arguments: ["/oauth2/token/", "/oauth2//token"])
    func otherSpellingsOfTheTokenPath(_ path: String) async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            // A form post with no Origin, as a server-side client sends it.
            let response = try await tokenRequest(
                client, [("grant_type", "authorization_code"), ("code", "nope"), ("redirect_uri", app.redirectURI)],
                authorization: app.basic, path: path)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(try response.decode(OAuthErrorAnswer.self).error == "invalid_grant")
        }
    }

    @Test("A consent decision without an allowed Origin is refused")
    func consentNeedsOrigin() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let location = try #require(try await browser.authorize(app.authorizationQuery()).location)
            browser.origin = "https://evil.example"
            let response = try await browser.decide(location, "allow")
            expectError(response, .forbidden, "forbidden_origin")
        }
    }

    @Test("A consent is remembered per user, client and scopes")
    func consentRemembered() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            _ = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid profile"))
            let same = try await browser.authorize(app.authorizationQuery(scope: "openid profile"))
            #expect(same.locationQuery["code"] != nil)
            let wider = try await browser.authorize(app.authorizationQuery(scope: "openid profile email"))
            #expect(wider.location?.hasPrefix("/consent.html") == true)
            let forced = try await browser.authorize(app.authorizationQuery(scope: "openid profile", extra: [("prompt", "consent")]))
            #expect(forced.location?.hasPrefix("/consent.html") == true)
        }
    }

    @Test("prompt=none without consent redirects with consent_required")
    func promptNoneWithoutConsent() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.authorize(app.authorizationQuery(extra: [("prompt", "none")]))
            #expect(response.locationQuery["error"] == "consent_required")
        }
    }

    // MARK: Refresh

    @Test("offline_access gives a refresh token, and every refresh gives a new one and an ID token with auth_time and amr")
    func refreshRotates() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let signedInAt = Int(harness.clock.now.timeIntervalSince1970)
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let first = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let refresh1 = try #require(first.refresh_token)
            harness.clock.advance(by: 30)
            let second = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", refresh1)], authorization: app.basic)
            #expect(second.status == .ok, "\(second.text)")
            #expect(second.headers[.cacheControl] == "no-store")
            let answer = try second.decode(TokenAnswer.self)
            let refresh2 = try #require(answer.refresh_token)
            #expect(refresh2 != refresh1)
            let claims = try await verifyIDToken(client, answer.id_token)
            #expect(claims.auth_time == signedInAt)
            #expect(claims.amr == ["hwk", "user"])
            #expect(claims.at_hash != nil)
        }
    }

    @Test("A refresh may narrow the scope, never widen it, and never drop openid")
    func refreshScopes() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid profile offline_access"))
            let refresh = try #require(try await exchange(client, app, code: code).decode(TokenAnswer.self).refresh_token)
            for (scope, error) in [("openid email", "invalid_scope"), ("profile offline_access", "invalid_scope")] {
                let refused = try await tokenRequest(
                    client, [("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", scope)], authorization: app.basic)
                #expect(refused.status == .badRequest, "\(scope)")
                #expect(try refused.decode(OAuthErrorAnswer.self).error == error)
            }
            let narrowed = try await tokenRequest(
                client, [("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "openid offline_access")],
                authorization: app.basic)
            #expect(narrowed.status == .ok, "\(narrowed.text)")
            let answer = try narrowed.decode(TokenAnswer.self)
            #expect(answer.refresh_token != nil && answer.refresh_token != refresh)
            #expect(try await userinfo(client, answer.access_token).decode(UserInfo.self).name == nil, "no profile claims")
        }
    }

    @Test("A reused refresh token is refused and revokes its whole family")
    func refreshReuse() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let first = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let refresh1 = try #require(first.refresh_token)
            let second = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", refresh1)], authorization: app.basic)
                .decode(TokenAnswer.self)
            let reuse = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", refresh1)], authorization: app.basic)
            #expect(try reuse.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            let afterReuse = try await tokenRequest(
                client, [("grant_type", "refresh_token"), ("refresh_token", try #require(second.refresh_token))], authorization: app.basic)
            #expect(try afterReuse.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(try await userinfo(client, second.access_token).status == .unauthorized)
        }
    }

    // MARK: UserInfo

    @Test("userinfo answers GET and POST with a Bearer token, with the scopes' claims")
    func userinfoClaims() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com", displayName: "Ada Lovelace")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            for method in [HTTPRequest.Method.get, .post] {
                let response = try await userinfo(client, tokens.access_token, method: method)
                #expect(response.status == .ok, "\(method) \(response.text)")
                let info = try response.decode(UserInfo.self)
                #expect(info.name == "Ada Lovelace")
                #expect(info.email_verified == false)
            }
        }
    }

    @Test("userinfo without a token is 401 with a Bearer challenge")
    func userinfoWithoutToken() async throws {
        try await Harness.run(Self.kind) { _, client in
            let missing = try await userinfo(client, nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"passkeys\"")
            let wrong = try await userinfo(client, "not-a-token")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
        }
    }

    @Test("userinfo without any credentials gets the Bearer challenge and no error code or body; a bad token gets invalid_token (RFC 6750 §3.1)")
    func userinfoWithoutCredentialsHasNoErrorCode() async throws {
        try await Harness.run(Self.kind) { _, client in
            for (method, authorization) in [(HTTPRequest.Method.get, nil), (.post, nil), (.get, "Basic Zm9vOmJhcg=="), (.get, "Bearer ")] as [(HTTPRequest.Method, String?)] {
                var headers: HTTPFields = [:]
                if let authorization { headers[.authorization] = authorization }
                let missing = try await client.execute(uri: OpenIDProvider.Path.userinfo, method: method, headers: headers, body: nil)
                #expect(missing.status == .unauthorized, "\(method) \(authorization ?? "")")
                #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"passkeys\"")
                #expect(missing.text == "", "no error information: \(missing.text)")
                #expect(missing.headers[.cacheControl] == "no-store")
            }
            let wrong = try await userinfo(client, "not-a-token")
            #expect(wrong.status == .unauthorized)
            #expect(try wrong.decode(OAuthErrorAnswer.self).error == "invalid_token")
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"passkeys\", error=\"invalid_token\"") == true)
        }
    }

    @Test("userinfo with a token in both the header and the body is 400 invalid_request")
    func userinfoWithTwoTokens() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let both = try await client.execute(
                uri: OpenIDProvider.Path.userinfo, method: .post,
                headers: [.authorization: "Bearer \(tokens.access_token)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: formEncoded([("access_token", tokens.access_token)])))
            #expect(both.status == .badRequest)
            #expect(try both.decode(OAuthErrorAnswer.self).error == "invalid_request")
            #expect(both.headers[.wwwAuthenticate]?.contains("error=\"invalid_request\"") == true)
            let bodyOnly = try await client.execute(
                uri: OpenIDProvider.Path.userinfo, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: formEncoded([("access_token", tokens.access_token)])))
            #expect(bodyOnly.status == .ok, "\(bodyOnly.text)")
        }
    }

    @Test("An access token ends after its lifetime")
    func accessTokenExpires() async throws {
        try await Harness.run(Self.kind, configure: { $0.accessTokenLifetime = 60 }) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(tokens.expires_in == 60)
            harness.clock.advance(by: 61)
            #expect(try await userinfo(client, tokens.access_token).status == .unauthorized)
        }
    }

    // MARK: Revocation and ends

    @Test("Revoking a refresh token ends its access tokens too")
    func revocation() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let revoked = try await tokenRequest(
                client, [("token", try #require(tokens.refresh_token)), ("token_type_hint", "refresh_token")],
                authorization: app.basic, path: "/oauth2/revoke")
            #expect(revoked.status == .ok)
            #expect(try await userinfo(client, tokens.access_token).status == .unauthorized)
            let unknown = try await tokenRequest(client, [("token", "nothing")], authorization: app.basic, path: "/oauth2/revoke")
            #expect(unknown.status == .ok)
        }
    }

    @Test("Revocation with a wrong secret in the Basic header is 401 invalid_client with a Basic challenge")
    func revocationWithAWrongSecret() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let basic = "Basic " + Data("\(app.id):wrong".utf8).base64EncodedString()
            let refused = try await tokenRequest(client, [("token", "anything")], authorization: basic, path: "/oauth2/revoke")
            #expect(refused.status == .unauthorized)
            #expect(try refused.decode(OAuthErrorAnswer.self).error == "invalid_client")
            #expect(refused.headers[.wwwAuthenticate] == "Basic realm=\"passkeys\"")
        }
    }

    @Test("Deleting the account ends its tokens")
    func accountDeletionRevokes() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await browser.send(.delete, "/api/account").status == .noContent)
            #expect(try await userinfo(client, tokens.access_token).status == .unauthorized)
        }
    }

    @Test("The account lists the apps allowed, and Remove access revokes their tokens")
    func removeAccess() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let listed = try await browser.get("/api/oidc/apps")
            #expect(listed.text.contains("\"clientId\":\"grafana\""))
            let removed = try await browser.send(.delete, "/api/oidc/apps/grafana", headers: [.userAgent: "RemoveTest/1"])
            #expect(removed.status == .noContent)
            #expect(try await userinfo(client, tokens.access_token).status == .unauthorized)
            #expect(try await browser.get("/api/oidc/apps").text.contains("grafana") == false)
            // Both are in the person's activity log, with the browser that did them.
            struct Event: Decodable { var type: String; var userAgent: String? }
            struct Page: Decodable { var events: [Event] }
            let events = try await browser.get("/api/account/activity").decode(Page.self).events
            #expect(events.first { $0.type == "oauth_access_removed" }?.userAgent == "RemoveTest/1")
            #expect(events.contains { $0.type == "oauth_consent_granted" })
            expectError(try await browser.send(.delete, "/api/oidc/apps/grafana"), .notFound, "not_found")
        }
    }

    @Test("End-session with an ID token hint and a registered post-logout URI ends the session and redirects")
    func endSession() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let unregistered = try await browser.get("/oauth2/logout?" + formEncoded([
                ("id_token_hint", tokens.id_token), ("post_logout_redirect_uri", "https://evil.example/"),
            ]))
            #expect(unregistered.status == .badRequest)
            #expect(try await browser.get("/api/session").status == .ok)
            let response = try await browser.get("/oauth2/logout?" + formEncoded([
                ("id_token_hint", tokens.id_token), ("post_logout_redirect_uri", TestApp.logoutURI), ("state", "bye"),
            ]))
            #expect(response.status == .found)
            #expect(response.location == TestApp.logoutURI + "?state=bye")
            #expect(try await browser.get("/api/session").status == .unauthorized)
        }
    }

    @Test("End-session without an ID token hint does not sign anyone out, nor redirect, and asks the person to sign out")
    func endSessionNeedsHint() async throws {
        try await Harness.run(Self.kind) { harness, client in
            _ = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            for query in ["", "?" + formEncoded([("post_logout_redirect_uri", TestApp.logoutURI)])] {
                let response = try await browser.get("/oauth2/logout" + query)
                #expect(response.status == .ok)
                #expect(response.location == nil)
                #expect(response.text.contains("use the button on your account page"))
                #expect(try await browser.get("/api/session").status == .ok)
            }
        }
    }

    /// A new browser signed up as `username`, and an ID token `app` got for it (a logout's hint).
    static func signedInWithHint(
        _ client: any TestClientProtocol, _ app: TestApp, _ username: String
    ) async throws -> (Browser, String) {
        var browser = try Browser(client)
        try await browser.signUp(username)
        let code = try await browser.code(for: app, query: app.authorizationQuery())
        return (browser, try await exchange(client, app, code: code).decode(TokenAnswer.self).id_token)
    }

    @Test("End-session whose hint names another account than the one signed in neither signs out nor redirects")
    func endSessionForAnotherAccount() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let (_, hint) = try await Self.signedInWithHint(client, app, "grace@example.com")
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let response = try await browser.get("/oauth2/logout?" + formEncoded([
                ("id_token_hint", hint), ("post_logout_redirect_uri", TestApp.logoutURI),
            ]))
            #expect(response.status == .ok)
            #expect(response.location == nil)
            #expect(response.text.contains("use the button on your account page"))
            #expect(try await browser.get("/api/session").status == .ok)
        }
    }

    @Test("End-session posted without the session cookie (a form from another site) becomes a GET that can carry it")
    func endSessionPostedCrossSite() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let (signedIn, hint) = try await Self.signedInWithHint(client, app, "ada@example.com")
            var browser = signedIn
            let form = formEncoded([("id_token_hint", hint), ("post_logout_redirect_uri", TestApp.logoutURI), ("state", "s")])
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "https://app.example.com"]
            // The browser leaves the SameSite=Lax cookie off: the answer sends it to the GET form.
            var withoutCookie = browser
            withoutCookie.cookies = [:]
            let posted = try await withoutCookie.send(.post, "/oauth2/logout", body: Data(form.utf8), headers: headers)
            #expect(posted.status == .seeOther)
            let location = try #require(posted.location)
            #expect(location.hasPrefix("/oauth2/logout?logout_request="))
            // The ID token the app posted stays out of the URL (history, proxies' logs): sealed.
            #expect(!location.contains("eyJ") && !location.contains("state=") && !location.contains(hint))
            #expect(try await browser.get("/api/session").status == .ok)
            // Changed, it is refused; that GET as it was, with the cookie, ends the session and
            // goes back to the app.
            let tampered = location.dropLast() + (location.hasSuffix("A") ? "B" : "A")
            #expect(try await browser.get(String(tampered)).status == .badRequest)
            #expect(try await browser.get("/api/session").status == .ok)
            let followed = try await browser.get(location)
            #expect(followed.status == .found)
            #expect(followed.location == TestApp.logoutURI + "?state=s")
            #expect(try await browser.get("/api/session").status == .unauthorized)
        }
    }

    @Test("A sealed logout request is followed within five minutes, not later")
    func sealedLogoutRequestExpires() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let (signedIn, hint) = try await Self.signedInWithHint(client, app, "ada@example.com")
            var browser = signedIn
            var withoutCookie = browser
            withoutCookie.cookies = [:]
            let form = formEncoded([("id_token_hint", hint), ("post_logout_redirect_uri", TestApp.logoutURI)])
            let posted = try await withoutCookie.send(
                .post, "/oauth2/logout", body: Data(form.utf8),
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://app.example.com"])
            let location = try #require(posted.location)
            harness.clock.advance(by: 301)
            let late = try await browser.get(location)
            #expect(late.status == .badRequest)
            #expect(late.text.contains("expired"))
            #expect(try await browser.get("/api/session").status == .ok)
        }
    }

    @Test("End-session posted with the session cookie (a form from the same site) ends the session at once")
    func endSessionPostedSameSite() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            let (signedIn, hint) = try await Self.signedInWithHint(client, app, "ada@example.com")
            var browser = signedIn
            let form = formEncoded([("id_token_hint", hint), ("post_logout_redirect_uri", TestApp.logoutURI)])
            let posted = try await browser.send(
                .post, "/oauth2/logout", body: Data(form.utf8), headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(posted.status == .seeOther)
            #expect(posted.location == TestApp.logoutURI)
            #expect(try await browser.get("/api/session").status == .unauthorized)
            // Posted again with no cookie: through the GET form, which finds no one signed in and
            // sends the browser on to the app.
            browser.cookies = [:]
            let again = try await browser.send(
                .post, "/oauth2/logout", body: Data(form.utf8), headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(again.status == .seeOther)
            let location = try #require(again.location)
            #expect(location.hasPrefix("/oauth2/logout?"))
            #expect(try await browser.get(location).location == TestApp.logoutURI)
        }
    }

    // MARK: CORS

    @Test("The token endpoint allows CORS from a public client's redirect origin only")
    func cors() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, isPublic: true, trusted: true, redirectURIs: ["https://spa.example.com/cb"])
            let allowed = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", app.id)], origin: "https://spa.example.com")
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://spa.example.com")
            let other = try await tokenRequest(client, [("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", app.id)], origin: "https://evil.example")
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await client.execute(uri: "/oauth2/userinfo", method: .options, headers: [.origin: "https://spa.example.com"])
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
        }
    }

    @Test("A redirect URI on a loopback IP literal allows CORS from any port of it, as it allows redirects; nothing more")
    func corsOnLoopback() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, isPublic: true, trusted: true, redirectURIs: ["http://127.0.0.1/cb"])
            let refresh = [("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", app.id)]
            for origin in ["http://127.0.0.1", "http://127.0.0.1:4444"] {
                let allowed = try await tokenRequest(client, refresh, origin: origin)
                #expect(allowed.headers[.accessControlAllowOrigin] == origin)
                let preflight = try await client.execute(uri: "/oauth2/token", method: .options, headers: [.origin: origin])
                #expect(preflight.headers[.accessControlAllowOrigin] == origin)
            }
            for origin in ["http://127.0.0.2:4444", "http://localhost:4444", "https://127.0.0.1:4444", "http://127.0.0.1:99999", "http://127.0.0.1:4444/x"] {
                let refused = try await tokenRequest(client, refresh, origin: origin)
                #expect(refused.headers[.accessControlAllowOrigin] == nil, "\(origin)")
            }
        }
    }

    // MARK: Client credentials

    @Test("Client IDs and secrets use only unreserved characters")
    func credentialAlphabet() {
        for _ in 0..<50 {
            #expect(ClientRules.isClientCredential(ClientRules.newClientID()))
            #expect(ClientRules.isClientCredential(ClientRules.newSecret()))
        }
        #expect(!ClientRules.isClientCredential("a+b"))
        #expect(!ClientRules.isClientCredential("a:b"))
    }

    @Test("No client ID starts with a dash, which a command line would take for an option")
    func clientIDsDoNotLookLikeOptions() {
        // One random ID in 64 would start with "-": among 2,000 some would.
        let ids = (0..<2000).map { _ in ClientRules.newClientID() }
        #expect(ids.allSatisfy { !$0.hasPrefix("-") && $0.count == 22 })
        #expect(Set(ids).count == ids.count)
    }
}

private func sha256(_ text: String) -> [UInt8] {
    CookieToken.sha256(Array(text.utf8))
}

/// Keeps the `detail` of every notice the server logs: the audit event of a failed client
/// authentication, repeated in the log.
private final class NoticeRecorder: Sendable {
    let details = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    struct Handler: LogHandler {
        let recorder: NoticeRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .notice

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.level == .notice, case .string(let detail)? = event.metadata?["detail"] else { return }
            recorder.details.withLock { $0.append(detail) }
        }
    }
}
