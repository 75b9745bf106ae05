import Foundation
import Hummingbird
import HummingbirdTesting
import OpenIDProvider
import PasskeyStore
import Testing
import WebAuthn

@testable import PasskeyServer

/// The account page's applications (`/api/oidc/apps`): every application that can see the
/// account is listed and can be removed, a trusted one (never asked for consent) included.
@Suite("OpenID Provider: the account's applications")
struct OpenIDAccountAppsTests {
    static let kind = StoreKind.sqliteMemory

    struct App: Decodable, Equatable {
        var clientId: String
        var name: String
        var scopes: [String]
        var grantedAt: String
        var consented: Bool
    }

    struct Apps: Decodable {
        var apps: [App]
    }

    struct Activity: Decodable {
        struct Event: Decodable {
            var type: String
        }
        var events: [Event]
    }

    @Test("A trusted app's offline_access grant is listed, and Remove access ends it: 204, an event, and its refresh token refused")
    func trustedGrantIsListedAndRemoved() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            let refresh = try #require(tokens.refresh_token)
            let user = try #require(try await harness.store.user(username: "ada@example.com"))
            #expect(try await harness.store.consents(userID: user.id) == [], "a trusted app stores no consent")

            let listed = try await browser.get("/api/oidc/apps").decode(Apps.self).apps
            #expect(listed.map(\.clientId) == [app.id])
            #expect(listed.first?.consented == false)
            #expect(listed.first?.scopes == ["openid", "offline_access"])
            #expect(listed.first?.name == "Grafana <Ops>")

            let removed = try await browser.send(.delete, "/api/oidc/apps/\(app.id)")
            #expect(removed.status == .noContent, "\(removed.text)")
            let events = try await browser.get("/api/account/activity").decode(Activity.self).events
            #expect(events.filter { $0.type == "oauth_access_removed" }.count == 1)
            let refused = try await tokenRequest(
                client, [("grant_type", "refresh_token"), ("refresh_token", refresh)], authorization: app.basic)
            #expect(refused.status == .badRequest)
            #expect(try refused.decode(OAuthErrorAnswer.self).error == "invalid_grant")
            #expect(try await userinfo(client, tokens.access_token).status == .unauthorized)
            #expect(try await browser.get("/api/oidc/apps").decode(Apps.self).apps == [])
            expectError(try await browser.send(.delete, "/api/oidc/apps/\(app.id)"), .notFound, "not_found")
        }
    }

    @Test("An app the person allowed is listed as consented, with the consent's scopes")
    func consentedAppIsMarked() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            _ = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid email"))
            let listed = try await browser.get("/api/oidc/apps").decode(Apps.self).apps
            #expect(listed.map(\.clientId) == [app.id])
            #expect(listed.first?.consented == true)
            #expect(listed.first?.scopes == ["openid", "email"])
        }
    }

    @Test("A trusted app is listed while its access token lives; once it has expired the app is gone and removing it is 404")
    func expiredTokensShowNothing() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid profile"))
            #expect(try await exchange(client, app, code: code).status == .ok)
            let listed = try await browser.get("/api/oidc/apps").decode(Apps.self).apps
            #expect(listed.map(\.scopes) == [["openid", "profile"]])
            harness.clock.advance(by: 601)
            #expect(try await browser.get("/api/oidc/apps").decode(Apps.self).apps == [])
            expectError(try await browser.send(.delete, "/api/oidc/apps/\(app.id)"), .notFound, "not_found")
            let events = try await browser.get("/api/account/activity").decode(Activity.self).events
            #expect(!events.contains { $0.type == "oauth_access_removed" })
        }
    }

    @Test("Removing an app that has neither a consent nor a token is 404 and writes no event, registered or not")
    func nothingToRemove() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            expectError(try await browser.send(.delete, "/api/oidc/apps/\(app.id)"), .notFound, "not_found")
            expectError(try await browser.send(.delete, "/api/oidc/apps/nobody"), .notFound, "not_found")
            let events = try await browser.get("/api/account/activity").decode(Activity.self).events
            #expect(!events.contains { $0.type == "oauth_access_removed" })
        }
    }

    @Test("Another person's grant is neither listed nor removable")
    func anotherPersonsGrant() async throws {
        try await Harness.run(Self.kind) { harness, client in
            let app = try await TestApp.register(harness.store, trusted: true)
            var ada = try Browser(client)
            try await ada.signUp("ada@example.com")
            let code = try await ada.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            var bob = try Browser(client)
            try await bob.signUp("bob@example.com")
            #expect(try await bob.get("/api/oidc/apps").decode(Apps.self).apps == [])
            expectError(try await bob.send(.delete, "/api/oidc/apps/\(app.id)"), .notFound, "not_found")
            #expect(try await userinfo(client, tokens.access_token).status == .ok)
        }
    }
}
