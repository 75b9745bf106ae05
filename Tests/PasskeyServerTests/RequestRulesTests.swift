import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// The rules every request meets: origin, content type, size, rate limits, headers, JSON errors.
@Suite struct RequestRulesTests {
    static let stateChanging: [(HTTPRequest.Method, String)] = [
        (.post, "/api/registration/options"), (.post, "/api/registration"),
        (.post, "/api/authentication/options"), (.post, "/api/authentication"),
        (.post, "/api/passkeys/options"), (.post, "/api/passkeys"),
        (.patch, "/api/passkeys/AAAA"), (.delete, "/api/passkeys/AAAA"),
        (.delete, "/api/session"), (.patch, "/api/account"), (.delete, "/api/account"),
    ]

    @Test(arguments: StoreKind.allCases)
    func aCrossOriginOrMissingOriginIsForbidden(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let body = Data(#"{"username":"bob@example.com"}"#.utf8)
            try await harness.expectNoChange(to: ["ada@example.com", "bob@example.com"]) {
                for origin in ["https://evil.example", "http://localhost:8081", "null", "http://localhost:8080/"] {
                    for (method, path) in Self.stateChanging {
                        expectError(
                            try await browser.send(method, path, body: body, headers: [.origin: origin]),
                            .forbidden, "forbidden_origin")
                    }
                }
                // Without an Origin header at all.
                for (method, path) in Self.stateChanging {
                    let response = try await client.execute(
                        uri: path, method: method,
                        headers: [.contentType: "application/json", .cookie: "passkeys_session=\(browser.sessionCookie ?? "")"],
                        body: ByteBuffer(bytes: body))
                    expectError(response, .forbidden, "forbidden_origin")
                }
                #expect(try await browser.get("/api/session").status == .ok)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBodyThatIsNotJSONIsForbidden(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let body = Data(#"{"username":"bob@example.com","name":"x","displayName":"x"}"#.utf8)
            try await harness.expectNoChange(to: ["ada@example.com", "bob@example.com"]) {
                for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", ""] {
                    for (method, path) in Self.stateChanging {
                        expectError(
                            try await browser.send(method, path, body: body, headers: [.contentType: contentType]),
                            .forbidden, "unsupported_media_type")
                    }
                }
                for (method, path) in Self.stateChanging {
                    let response = try await client.execute(
                        uri: path, method: method, headers: [.origin: Harness.origin], body: ByteBuffer(bytes: body))
                    expectError(response, .forbidden, "unsupported_media_type")
                }
            }
            // A charset parameter is fine, and a request without a body needs no type.
            let (ok, _) = try await browser.registrationOptions("carol@example.com")
            #expect(ok.status == .ok)
            let withCharset = try await browser.send(
                .post, "/api/authentication/options", body: Data("{}".utf8),
                headers: [.contentType: "application/json; charset=utf-8"])
            #expect(withCharset.status == .ok)
            let empty = try await client.execute(
                uri: "/api/authentication/options", method: .post, headers: [.origin: Harness.origin])
            #expect(empty.status == .ok, "an empty body reads as {}")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anOversizedBodyIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let padding = String(repeating: "a", count: 64 * 1024)
            let big = Data(#"{"username":"bob@example.com","pad":"\#(padding)"}"#.utf8)
            try await harness.expectNoChange(to: ["ada@example.com", "bob@example.com"]) {
                for (method, path) in Self.stateChanging + [(.get, "/api/session"), (.post, "/nowhere")] {
                    expectError(try await browser.send(method, path, body: big), .contentTooLarge, "payload_too_large")
                }
            }
            // Exactly the limit is accepted as far as size goes.
            let exact = Data(String(repeating: " ", count: 64 * 1024 - 2).utf8) + Data("{}".utf8)
            #expect(try await browser.send(.post, "/api/authentication/options", body: exact).status == .ok)
        }
    }

    @Test("A configured body limit is the one every request is held to, and the one a refusal names")
    func aConfiguredBodyLimitIsTheOneApplied() async throws {
        let limit = 96 * 1024
        try await Harness.run(.sqliteMemory, configure: { $0.maximumBodySize = limit }) { _, client in
            var browser = try Browser(client)
            // Over the default 64 KiB, within the configured limit: the size rule lets it through.
            let padded = Data(#"{"pad":"\#(String(repeating: "a", count: 80 * 1024))"}"#.utf8)
            #expect(try await browser.send(.post, "/api/authentication/options", body: padded).status == .ok)
            let exact = Data(String(repeating: " ", count: limit - 2).utf8) + Data("{}".utf8)
            #expect(try await browser.send(.post, "/api/authentication/options", body: exact).status == .ok)
            let over = exact + Data(" ".utf8)
            let refused = try await browser.send(.post, "/api/authentication/options", body: over)
            expectError(refused, .contentTooLarge, "payload_too_large")
            #expect(refused.errorMessage == "the request body is larger than \(limit) bytes")
        }
    }

    @Test("A body too large for a reader is told with the reader's limit, or without a number when there is none")
    func aTooLargeErrorNamesTheLimitItKnows() {
        let withLimit = APIError(NIOTooManyBytesError(maxBytes: 1000))
        #expect(withLimit.status == .contentTooLarge && withLimit.code == "payload_too_large")
        #expect(withLimit.message == "the request body is larger than 1000 bytes")
        let fromStatus = APIError(status: .contentTooLarge)
        #expect(fromStatus.code == "payload_too_large" && fromStatus.message == "the request body is too large")
    }

    @Test(arguments: StoreKind.allCases)
    func malformedJSONBase64AndCBORAreRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            try await browser.send(.delete, "/api/session")

            // A genuine registration for the ceremony just begun, mangled one field at a time.
            var newcomer = try Browser(client)
            let manglings: [(inout RegistrationResponseJSON) -> Data?] = [
                { _ in Data("{".utf8) }, { _ in Data("[]".utf8) }, { _ in Data("null".utf8) },
                { _ in Data(#"{"id":1}"#.utf8) }, { _ in Data([0xFF, 0xFE, 0x00]) },
                { response in
                    let json = String(decoding: (try? JSONEncoder().encode(response)) ?? Data(), as: UTF8.self)
                    return Data(json.replacingOccurrences(of: response.response.clientDataJSON.base64URL, with: "!!!not base64!!!").utf8)
                },
                { response in
                    response.response.attestationObject = Base64URLData([0xA3, 0x63, 0x66, 0x6D])  // truncated map
                    return nil
                },
                { response in
                    response.response.attestationObject = Base64URLData([0xFF, 0x00, 0x01])  // not CBOR
                    return nil
                },
                { response in
                    response.response.attestationObject = Base64URLData([0xA0])  // an empty map
                    return nil
                },
            ]
            try await harness.expectNoChange(to: ["ada@example.com", "bob@example.com"]) {
                for mangle in manglings {
                    newcomer.authenticator = try SoftwareAuthenticator()
                    let (_, creation) = try await newcomer.registrationOptions("bob@example.com")
                    var response = try newcomer.authenticator.register(options: try #require(creation), origin: newcomer.origin)
                    let body = try mangle(&response) ?? JSONEncoder().encode(response)
                    expectError(try await newcomer.send(.post, "/api/registration", body: body), .badRequest, "malformed")
                }
            }

            // A genuine assertion, mangled.
            let (_, request) = try await browser.authenticationOptions("ada@example.com")
            let assertion = try browser.authenticator.authenticate(options: try #require(request), origin: browser.origin)
            var badAuthenticatorData = assertion
            badAuthenticatorData.response.authenticatorData = Base64URLData([1, 2, 3])
            var badClientData = assertion
            badClientData.response.clientDataJSON = Base64URLData(Array("{not json".utf8))
            let assertionJSON = String(decoding: try JSONEncoder().encode(assertion), as: UTF8.self)
            let authenticationBodies: [Data] = [
                Data("{".utf8), Data(#"{"rawId":"%%%"}"#.utf8),
                Data(assertionJSON.replacingOccurrences(of: assertion.response.signature.base64URL, with: "a+b/c=").utf8),
                try JSONEncoder().encode(badAuthenticatorData), try JSONEncoder().encode(badClientData),
            ]
            try await harness.expectNoChange(to: ["ada@example.com"]) {
                for body in authenticationBodies {
                    _ = try await browser.authenticationOptions("ada@example.com")
                    expectError(try await browser.send(.post, "/api/authentication", body: body), .badRequest, "malformed")
                }
                for body in ["{", #"{"username":5}"#, "[1]", #"{"username":"\u0000"}"#] {
                    let response = try await browser.send(.post, "/api/registration/options", body: Data(body.utf8))
                    #expect(response.status == .badRequest)
                    #expect(["malformed", "invalid_username"].contains(response.errorCode))
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidUsernamesAreRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            for username in ["", "   ", String(repeating: "x", count: 65), "ada\u{0}", "ada\nlovelace", "a\u{202E}b"] {
                let (response, _) = try await browser.registrationOptions(username)
                expectError(response, .badRequest, "invalid_username")
            }
            let (displayName, _) = try await browser.registrationOptions("ada@example.com", displayName: "\u{7}")
            expectError(displayName, .badRequest, "invalid_name")
            let (unicode, _) = try await browser.registrationOptions("zoë👩‍💻@example.com", displayName: "Zoë 👩‍💻")
            #expect(unicode.status == .ok, "joiners in emoji are fine")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ceremoniesBegunAndNeverFinishedAreLimitedPerClientAddress(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.rateLimit = 30; $0.addressCeremonyLimit = 3 }) { harness, client in
            var browser = try Browser(client)
            for index in 0..<3 {
                let (response, _) = try await browser.authenticationOptions()
                #expect(response.status == .ok, "request \(index)")
            }
            let (limited, _) = try await browser.authenticationOptions()
            expectError(limited, .tooManyRequests, "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...20).contains(retryAfter))
            // Every ceremony's options share the address's allowance; other endpoints do not count.
            let (signUp, _) = try await browser.registrationOptions("ada@example.com")
            expectError(signUp, .tooManyRequests, "rate_limited")
            #expect(try await browser.get("/healthz").status == .ok)
            harness.clock.advance(by: Double(retryAfter))
            let (again, _) = try await browser.authenticationOptions()
            #expect(again.status == .ok)
        }
    }

    @Test("An IPv6 client's allowance is its /64's, and a /48 has networkShare times that in all: spreading over /64s gains no more")
    func anIPv6NetworkSharesOneAllowance() async throws {
        // Over a socket with loopback as a trusted proxy, so X-Forwarded-For names the client.
        try await Harness.run(.sqliteMemory, testing: .live, configure: { configuration in
            configuration.rateLimit = 30
            configuration.addressCeremonyLimit = 1
            configuration.trustedProxies = ["127.0.0.1", "::1"]
        }) { harness, client in
            var browser = try Browser(client)
            func options(from address: String) async throws -> TestResponse {
                try await browser.post(
                    "/api/authentication/options", [String: String](), headers: [.xForwardedFor: address])
            }
            for subnet in 0..<ClientAddress.networkShare {
                let response = try await options(from: "2001:db8:1:\(String(subnet, radix: 16))::1")
                #expect(response.status == .ok, "the /64 number \(subnet) has an allowance of its own")
            }
            expectError(try await options(from: "2001:db8:1:0:ffff::2"), .tooManyRequests, "rate_limited")
            expectError(try await options(from: "2001:db8:1:ff::1"), .tooManyRequests, "rate_limited")
            #expect(try await options(from: "2001:db8:2::1").status == .ok, "another /48 has its own")
            #expect(try await options(from: "203.0.113.9").status == .ok, "IPv4 is counted by address alone")
            // A rate, not a ban: once the /48's allowance comes back, its addresses get in again.
            harness.clock.advance(by: 60)
            #expect(try await options(from: "2001:db8:1:ff::1").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFinishedCeremonyGivesItsPlaceBack(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.rateLimit = 30; $0.addressCeremonyLimit = 2 }) { harness, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            try await browser.send(.delete, "/api/session")
            for index in 0..<10 {
                #expect(try await browser.signIn().status == .ok, "sign-in \(index)")
            }
            _ = try await browser.authenticationOptions()
            _ = try await browser.authenticationOptions()
            let (limited, _) = try await browser.authenticationOptions()
            expectError(limited, .tooManyRequests, "rate_limited")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedAnswersAreLimitedPerClientAddressButNeverAGoodOne(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.rateLimit = 30; $0.addressFailureLimit = 3 }) { harness, client in
            var browser = try Browser(client)
            #expect(try await browser.signUp("ada@example.com").status == .created)
            try await browser.send(.delete, "/api/session")
            // Good answers never use the allowance up.
            for index in 0..<5 {
                #expect(try await browser.signIn().status == .ok, "sign-in \(index)")
            }
            // Answers that fail do: one without a ceremony, two that do not verify.
            expectError(try await browser.post("/api/authentication", [String: String]()), .badRequest, "ceremony_not_found")
            for _ in 0..<2 {
                browser.authenticator.misbehaviour = .corruptedSignature
                expectError(try await browser.signIn(), .badRequest, "bad_signature")
            }
            browser.authenticator.misbehaviour = nil
            // Past the allowance even a good answer from the address waits; its ceremony is not spent.
            let (_, options) = try await browser.authenticationOptions()
            let assertion = try browser.authenticator.authenticate(options: try #require(options), origin: browser.origin)
            let limited = try await browser.post("/api/authentication", assertion)
            expectError(limited, .tooManyRequests, "rate_limited")
            harness.clock.advance(by: Double(try #require(limited.headers[.retryAfter].flatMap { Int($0) })))
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHundredPeopleBehindOneAddressSignUpAndSignInWithinAMinute(kind: StoreKind) async throws {
        // The defaults, as `passkeys serve` starts; the harness turns limits off unless told.
        let defaults = PasskeyServerConfiguration()
        try await Harness.run(kind, configure: {
            $0.rateLimit = defaults.rateLimit
            $0.addressCeremonyLimit = defaults.addressCeremonyLimit
            $0.addressFailureLimit = defaults.addressFailureLimit
        }) { harness, client in
            // The test client has no peer address: every request comes from one address.
            for person in 0..<100 {
                var browser = try Browser(client)
                // The sign-in page starts passkey autofill on load; a person who signs up leaves it unfinished.
                _ = try await browser.authenticationOptions()
                let signedUp = try await browser.signUp("person\(person)@example.com")
                #expect(signedUp.status == .created, "person \(person) signs up: \(signedUp.text)")
                try await browser.send(.delete, "/api/session")
                _ = try await browser.authenticationOptions()
                let signedIn = try await browser.signIn()
                #expect(signedIn.status == .ok, "person \(person) signs in: \(signedIn.text)")
                harness.clock.advance(by: 0.5)
            }
        }
    }

    @Test func failedSignInsAreRateLimitedPerAccountButNeverAGoodOne() async throws {
        let limiter = RateLimiter(limit: 3, store: MemoryPasskeyStore())
        let now = Date()
        for _ in 0..<3 { #expect(try await limiter.acquire("account:ada", now: now) == nil) }
        #expect(try await limiter.acquire("account:ada", now: now) == 20)
        #expect(try await limiter.acquire("account:bob", now: now) == nil, "each key has its own allowance")
        #expect(try await limiter.acquire("account:ada", now: now.addingTimeInterval(20)) == nil)

        // Failures against one account, from anywhere, share its failure allowance …
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = 2
        let services = try makeServices(
            configuration: configuration, store: MemoryPasskeyStore(), registry: .init(), logger: .init(label: "test"),
            now: { now })
        try await services.countAccountFailure("id:ada")
        try await services.countAccountFailure("id:ada")
        await #expect(throws: APIError.self) { try await services.countAccountFailure("id:ada") }
        try await services.countAccountFailure("id:bob")
        // … which is not the allowance of requests made with the account's own session.
        try await services.limitAccount("id:ada")
    }

    @Test(arguments: StoreKind.allCases)
    func everyAnswerCarriesTheSecurityHeaders(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            var responses = [
                try await browser.get("/"), try await browser.get("/account"), try await browser.get("/js/core-shell.js"),
                try await browser.get("/api/session"), try await browser.get("/nowhere"), try await browser.get("/healthz"),
                try await browser.get("/metrics"), try await browser.get("/.well-known/webauthn"),
                try await browser.send(.post, "/api/registration", body: Data("{".utf8)),
            ]
            responses.append(try await browser.send(.post, "/api/session", body: nil, headers: [.origin: "https://evil.example"]))
            // An OAuth endpoint's own error, and a rule's refusal there in the OAuth format.
            responses.append(try await browser.send(
                .post, "/oauth2/token", body: Data("grant_type=nothing".utf8),
                headers: [.contentType: "application/x-www-form-urlencoded"]))
            responses.append(try await browser.send(
                .post, "/oauth2/token", body: Data(repeating: 0x61, count: 100_000),
                headers: [.contentType: "application/x-www-form-urlencoded"]))
            // A ceremony's answer, with its cookie.
            responses.append(try await browser.registrationOptions("ada@example.com").0)
            let expected: [(HTTPField.Name, String)] = [
                (.contentSecurityPolicy,
                 "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
                (.xContentTypeOptions, "nosniff"), (.referrerPolicy, "same-origin"), (.xFrameOptions, "DENY"),
                (.crossOriginOpenerPolicy, "same-origin"), (.crossOriginResourcePolicy, "same-origin"),
            ]
            var requestIDs: Set<String> = []
            for (index, response) in responses.enumerated() {
                // Each exactly once: the server appends them without looking for a handler's own.
                for (name, value) in expected {
                    // The sign-in page (first) may be a sign-in popup's: no opener policy there.
                    let values = index == 0 && name == .crossOriginOpenerPolicy ? [] : [value]
                    #expect(response.headers[values: name] == values, "\(name) on \(response.status)")
                }
                #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS over plain HTTP")
                #expect(response.headers[values: .cacheControl].count == 1)
                let ids = response.headers[values: .xRequestID]
                #expect(ids.count == 1 && ids[0].count == 32 && ids[0].allSatisfy(\.isHexDigit))
                requestIDs.formUnion(ids)
            }
            #expect(requestIDs.count == responses.count, "every answer its own request ID")
            #expect(responses[responses.count - 3].status == .unauthorized)
            #expect(responses[responses.count - 3].text.contains(#""error":"invalid_client""#))
            #expect(responses[responses.count - 2].status == .contentTooLarge)
            #expect(responses[responses.count - 2].text.contains(#""error_description""#))
        }
    }

    @Test("The pages of an OpenID Connect sign-in popup go without Cross-Origin-Opener-Policy, so the popup keeps its opener; the rest keep it")
    func popupPagesKeepTheirOpener() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            var browser = try Browser(client)
            for path in [
                "/", "/index.html?next=/oauth2/authorize", "/consent.html", "/oauth2/authorize?client_id=x", "/oauth2/logout",
                // A password account's first passkey on the way to the app's sign-in.
                "/account?next=%2Foauth2%2Fauthorize%3Fclient_id%3Dx", "/account?lang=de&next=%2F",
            ] {
                let response = try await browser.get(path)
                #expect(response.headers[.crossOriginOpenerPolicy] == nil, "\(path)")
                #expect(response.headers[.xFrameOptions] == "DENY", "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
            for path in ["/account", "/account?nextpage=1", "/api/session", "/js/signin.js", "/continue", "/api/session?next=/"] {
                #expect(try await browser.get(path).headers[.crossOriginOpenerPolicy] == "same-origin", "\(path)")
            }
        }
    }

    /// Under TLS, whether the server terminates it or a proxy in front does (every origin https).
    @Test(arguments: ["tls", "proxy"])
    func underTLSCookiesAreHostOnlyAndSecureAndHSTSIsSent(termination: String) async throws {
        let opened = try await StoreKind.sqliteMemory.open()
        var configuration = PasskeyServerConfiguration()
        if termination == "tls" {
            configuration.tlsCertificatePath = "/unused/cert.pem"
            configuration.tlsKeyPath = "/unused/key.pem"
        } else {
            configuration.origins = ["https://LOCALHOST:8443/"]
            configuration.trustedProxies = ["10.0.0.2"]
        }
        configuration.port = 8443
        configuration.rateLimit = 0
        #expect(configuration.effectiveOrigins == ["https://localhost:8443"])
        #expect(configuration.servesHTTPSOnly)
        let services = try makeServices(
            configuration: configuration, store: opened.store, registry: .init(), logger: .init(label: "test"),
            now: { Date() })
        let app = Application(router: try buildRouter(services: services))
        try await app.test(.router) { client in
            var browser = try Browser(client)
            browser.origin = "https://localhost:8443"
            let (options, _) = try await browser.registrationOptions("ada@example.com")
            let ceremony = try #require(options.setCookie("__Host-passkeys_ceremony"))
            #expect(ceremony.contains("Secure") && ceremony.contains("HttpOnly") && ceremony.contains("Path=/"))
            #expect(!ceremony.contains("Domain"))
            #expect(options.headers[values: .strictTransportSecurity] == ["max-age=31536000"])
            let creation = try options.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
            let credential = try browser.authenticator.register(options: creation, origin: browser.origin)
            let response = try await browser.post("/api/registration", credential)
            #expect(response.status == .created, "\(response.text)")
            let session = try #require(response.setCookie("__Host-passkeys_session"))
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Lax"))
        }
        await opened.close()
    }

    @Test(arguments: StoreKind.allCases)
    func unknownRoutesAreJSON404s(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            for path in ["/nowhere", "/api", "/api/unknown", "/.well-known/nothing", "/js/missing.js", "/%ZZ", "/../etc/passwd"] {
                expectError(try await browser.get(path), .notFound, "not_found")
            }
            expectError(try await browser.send(.put, "/api/session", body: nil), .notFound, "not_found")
        }
    }
}
