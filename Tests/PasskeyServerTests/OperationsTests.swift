import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// Well-known files, liveness, metrics and the web app's files.
@Suite struct OperationsTests {
    @Test func wellKnownFilesComeFromTheConfiguration() async throws {
        let fingerprint = (0..<32).map { String(format: "%02x", $0 * 7 % 256) }.joined(separator: ":")
        try await Harness.run(.sqliteMemory, configure: { configuration in
            configuration.relatedOrigins = ["https://example.co.uk", "https://example.de"]
            configuration.appleAppIDs = ["ABCDE12345.com.example.app"]
            configuration.androidApps = [.init(packageName: "com.example.app", sha256CertFingerprints: [fingerprint])]
        }) { harness, client in
            var browser = try Browser(client)
            let webauthn = try await browser.get("/.well-known/webauthn")
            #expect(webauthn.status == .ok)
            #expect(webauthn.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try webauthn.decode([String: [String]].self) == ["origins": ["https://example.co.uk", "https://example.de"]])

            let apple = try await browser.get("/.well-known/apple-app-site-association")
            #expect(try apple.decode([String: [String: [String]]].self) == ["webcredentials": ["apps": ["ABCDE12345.com.example.app"]]])

            let android = try await browser.get("/.well-known/assetlinks.json")
            let statements = try #require(try JSONSerialization.jsonObject(with: android.data) as? [[String: Any]])
            #expect(statements.count == 1)
            let target = try #require(statements.first?["target"] as? [String: Any])
            #expect(target["namespace"] as? String == "android_app")
            #expect(target["package_name"] as? String == "com.example.app")
            #expect(target["sha256_cert_fingerprints"] as? [String] == [fingerprint.uppercased()])
            let relations = try #require(statements.first?["relation"] as? [String])
            #expect(relations.contains("delegate_permission/common.get_login_creds"))

            let endpoints = try await browser.get("/.well-known/passkey-endpoints")
            #expect(try endpoints.decode([String: String].self) == [
                "enroll": "http://localhost:8080/account", "manage": "http://localhost:8080/account",
            ])

            // The Android app's origin is accepted in ceremonies.
            let hash = Base64URL.encode(try #require(PasskeyServerConfiguration.fingerprintBytes(fingerprint)))
            #expect(harness.configuration.androidOrigins == ["android:apk-key-hash:\(hash)"])
            browser.origin = "android:apk-key-hash:\(hash)"
            var appClient = browser
            appClient.origin = Harness.origin  // the app's HTTP client sends the site's Origin
            let (_, options) = try await appClient.registrationOptions("ada@example.com")
            let credential = try appClient.authenticator.register(options: try #require(options), origin: browser.origin)
            #expect(try await appClient.post("/api/registration", credential).status == .created)
        }
    }

    @Test func healthzAnswersOK() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(try response.decode([String: String].self) == ["status": "ok"])
            #expect(try await client.execute(uri: "/healthz", method: .head).status == .ok)
        }
    }

    @Test func metricsCountCeremoniesByOutcomeAndCode() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            try await browser.signIn("ada@example.com")
            expectError(try await browser.post("/api/authentication", [String: String]()), .badRequest, "ceremony_not_found")
            // A sign-up's answer with no ceremony fails before its kind is known: counted as a sign-up's.
            expectError(try await browser.post("/api/registration", [String: String]()), .badRequest, "ceremony_not_found")

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            // Only at that spelling, which a proxy's exact rule can keep private.
            for other in ["/metrics/", "//metrics", "/metrics//"] {
                expectError(try await client.execute(uri: other, method: .get), .notFound, "not_found")
            }
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains(#"passkeys_ceremonies_started_total{ceremony="registration"} 1"#))
            #expect(text.contains(#"passkeys_ceremonies_succeeded_total{ceremony="registration"} 1"#))
            #expect(text.contains(#"passkeys_ceremonies_started_total{ceremony="authentication"} 1"#))
            #expect(text.contains(#"passkeys_ceremonies_succeeded_total{ceremony="authentication"} 1"#))
            #expect(text.contains(#"passkeys_ceremonies_failed_total{ceremony="authentication",step="finish",code="ceremony_not_found"} 1"#))
            #expect(text.contains(#"passkeys_ceremonies_failed_total{ceremony="registration",step="finish",code="ceremony_not_found"} 1"#))
            #expect(text.contains("# TYPE passkeys_ceremony_request_duration_seconds histogram"))
            #expect(text.contains(#"passkeys_ceremony_request_duration_seconds_count{ceremony="registration",step="finish"} 2"#))
        }
    }

    @Test func metricsCountEveryRequestByRouteMethodAndStatus() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            _ = try await browser.get("/healthz")
            _ = try await browser.get("/healthz")
            expectError(try await browser.get("/nowhere"), .notFound, "not_found")
            expectError(try await browser.post("/api/authentication", [String: String]()), .badRequest, "ceremony_not_found")
            // A method of no route is counted under `_OTHER`, so no client can make new series
            // (refused here for its missing `Origin`, as any state-changing request would be).
            let odd = try await client.execute(uri: "/healthz", method: HTTPRequest.Method("PROPFIND")!)
            #expect(odd.status == .forbidden)

            let text = try await client.execute(uri: "/metrics", method: .get).text
            let healthz = #"http_route="/healthz",http_request_method="GET""#
            #expect(text.contains("hb_requests{\(healthz),http_response_status_code=\"200\"} 2"))
            #expect(text.contains("http_server_request_duration_count{\(healthz),http_response_status_code=\"200\"} 2"))
            #expect(text.contains("hb_request_errors{\(healthz),error_type=\"200\"} 0"))
            #expect(text.contains(#"hb_requests{http_route="/api/registration",http_request_method="POST",http_response_status_code="201"} 1"#))
            // Refusals: counted as requests and as errors, by their status.
            let refused = #"http_route="/api/authentication",http_request_method="POST""#
            #expect(text.contains("hb_requests{\(refused),http_response_status_code=\"400\"} 1"))
            #expect(text.contains("hb_request_errors{\(refused),error_type=\"400\"} 1"))
            // A path no route has is `NotFound`; a request refused before it was routed, `Unknown`.
            #expect(text.contains(#"hb_requests{http_route="NotFound",http_request_method="GET",http_response_status_code="404"} 1"#))
            #expect(text.contains(#"hb_request_errors{http_route="NotFound",http_request_method="GET",error_type="404"} 1"#))
            #expect(text.contains(#"hb_requests{http_route="Unknown",http_request_method="_OTHER",http_response_status_code="403"} 1"#))
            #expect(!text.contains("PROPFIND"))
            // Nothing is being answered but `/metrics` itself.
            #expect(text.contains(#"http_server_active_requests{http_request_method="POST"} 0.0"#))
            #expect(text.contains(#"http_server_active_requests{http_request_method="_OTHER"} 0.0"#))
            #expect(text.contains(#"http_server_active_requests{http_request_method="GET"} 1.0"#))
        }
    }

    @Test func theWebAppIsServedWithItsTypesAndValidators() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let index = try await client.execute(uri: "/", method: .get)
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "text/html; charset=utf-8")
            #expect(index.text.contains("<html"))
            let account = try await client.execute(uri: "/account", method: .get)
            #expect(account.status == .ok)
            #expect(account.text.contains("<html"))
            let script = try await client.execute(uri: "/js/core-shell.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let css = try await client.execute(uri: "/app.css", method: .get)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let eTag = try #require(script.headers[.eTag])
            let cached = try await client.execute(uri: "/js/core-shell.js", method: .get, headers: [.ifNoneMatch: eTag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
        }
    }
}
