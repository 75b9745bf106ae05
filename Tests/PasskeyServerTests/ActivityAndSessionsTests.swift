import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// The person's own view of their account: the activity log and the sessions, and ending them.
@Suite struct ActivityAndSessionsTests {
    static let ada = "ada@example.com"
    static let bob = "bob@example.com"

    struct Event: Decodable, Equatable {
        var type: String
        var at: String
        var ip: String?
        var userAgent: String?
        var passkeyId: String?
    }

    struct Page: Decodable {
        var events: [Event]
        var next: String?
    }

    struct Session: Decodable, Equatable {
        var id: String
        var createdAt: String
        var lastSeenAt: String
        var ip: String?
        var userAgent: String?
        var passkeyId: String?
        var current: Bool
    }

    struct Sessions: Decodable {
        var sessions: [Session]
    }

    @Test(arguments: StoreKind.allCases)
    func everyChangeToTheAccountIsInItsActivityNewestFirst(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let agent: HTTPFields = [.userAgent: "Firefox on Linux"]
            let first = try await browser.signUp(Self.ada, headers: agent).decode(SignedUpAnswer.self).passkey.id
            harness.clock.advance(by: 1)
            try await browser.send(.delete, "/api/session")
            harness.clock.advance(by: 1)
            #expect(try await browser.signIn(Self.ada, headers: agent).status == .ok)
            harness.clock.advance(by: 1)
            let phone = browser.authenticator
            browser.authenticator = try SoftwareAuthenticator()
            let second = try await browser.addPasskey().decode(PasskeyAnswer.self).passkey.id
            browser.authenticator = phone
            harness.clock.advance(by: 1)
            try await browser.send(.patch, "/api/passkeys/\(second)", body: Data(#"{"name":"Key"}"#.utf8))
            harness.clock.advance(by: 1)
            try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"Ada L."}"#.utf8))
            harness.clock.advance(by: 1)
            browser.authenticator.misbehaviour = .corruptedSignature
            var other = try Browser(client, authenticator: browser.authenticator)
            expectError(try await other.signIn(Self.ada), .badRequest, "bad_signature")
            browser.authenticator.misbehaviour = nil
            harness.clock.advance(by: 1)
            #expect(try await browser.send(.delete, "/api/passkeys/\(second)").status == .noContent)

            let response = try await browser.get("/api/account/activity")
            #expect(response.status == .ok)
            // Sign-up also mails a confirmation code in the background; that event's moment is
            // the mail's, so it is left out of the order checked here.
            var page = try response.decode(Page.self)
            page.events.removeAll { $0.type == "verification_code_sent" }
            #expect(page.events.map(\.type) == [
                "passkey_deleted", "sign_in_failed", "display_name_changed", "passkey_renamed", "passkey_added",
                "sign_in", "session_ended", "sign_up",
            ])
            #expect(page.events.map(\.passkeyId) == [second, first, nil, second, second, first, first, first])
            #expect(page.events.last?.userAgent == "Firefox on Linux")
            #expect(page.events.last?.at == "2027-01-15T08:00:00Z")
            #expect(page.next == nil)
            // Every event has its keys, null when unknown; passkeyId only where a passkey was concerned.
            let raw = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: Any])
            let events = try #require(raw["events"] as? [[String: Any]]).filter { $0["type"] as? String != "verification_code_sent" }
            #expect(Set(events[2].keys) == ["type", "at", "ip", "userAgent"])
            #expect(Set(events[0].keys) == ["type", "at", "ip", "userAgent", "passkeyId"])
            // Each change's event was stored with the change, in its store operation; only the
            // refused sign-in and the mailed code, which change nothing, were appended on their own.
            #expect(harness.store.calls.filter { $0 == "appendAudit" }.count == 2, "\(harness.store.calls)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theActivityLogComesInPages(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            for index in 0..<4 {
                harness.clock.advance(by: 1)
                try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"Ada \#(index)"}"#.utf8))
            }
            var seen: [Event] = []
            var path = "/api/account/activity?limit=2"
            var pages = 0
            while true {
                let page = try await browser.get(path).decode(Page.self)
                pages += 1
                seen += page.events
                guard let next = page.next else { break }
                path = "/api/account/activity?limit=2&before=\(next)"
            }
            // Five events, or six with the confirmation mail sign-up sends in the background.
            #expect(pages == 3)
            #expect(seen.map(\.type).filter { $0 != "verification_code_sent" }
                == Array(repeating: "display_name_changed", count: 4) + ["sign_up"])
            #expect(seen.map(\.at) == seen.map(\.at).sorted(by: >))
        }
    }

    // The last three: cursors of 1e300 seconds, -1 second and the year 10000, which no event has.
    @Test(arguments: [
        "limit=0", "limit=101", "limit=ten", "before=nonsense", "before=AAAA", "before=fjfkPIgAdZwAAAAAAAAAAAAAAAAAAAAA",
        "before=v_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before=Qk1_-iDAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])
    func aBadPageRequestIsMalformed(query: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            expectError(try await browser.get("/api/account/activity?\(query)"), .badRequest, "malformed")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAccountSeesOnlyItsOwnActivityAndSessions(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            var bob = try Browser(client)
            try await bob.signUp(Self.bob)
            try await bob.send(.patch, "/api/account", body: Data(#"{"displayName":"Bob B."}"#.utf8))
            #expect(try await ada.get("/api/account/activity").decode(Page.self).events.map(\.type)
                .filter { $0 != "verification_code_sent" } == ["sign_up"])
            let sessions = try await ada.get("/api/sessions").decode(Sessions.self).sessions
            #expect(sessions.count == 1)
            let bobs = try #require(try await bob.get("/api/sessions").decode(Sessions.self).sessions.first)
            // Bob's session cannot be ended from Ada's.
            expectError(try await ada.send(.delete, "/api/sessions/\(bobs.id)"), .notFound, "not_found")
            #expect(try await bob.get("/api/session").status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theSessionsListSaysWhichPasskeyOpenedEachAndWhichIsThisOne(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var laptop = try Browser(client)
            let passkey = try await laptop.signUp(Self.ada, headers: [.userAgent: "Laptop"]).decode(SignedUpAnswer.self).passkey.id
            harness.clock.advance(by: 60)
            var phone = try Browser(client, authenticator: laptop.authenticator)
            #expect(try await phone.signIn(Self.ada, headers: [.userAgent: "Phone"]).status == .ok)

            let response = try await laptop.get("/api/sessions")
            #expect(response.status == .ok)
            let sessions = try response.decode(Sessions.self).sessions
            #expect(sessions.map(\.userAgent) == ["Laptop", "Phone"])
            #expect(sessions.map(\.current) == [true, false])
            #expect(sessions.map(\.passkeyId) == [passkey, passkey])
            #expect(sessions.map(\.createdAt) == ["2027-01-15T08:00:00Z", "2027-01-15T08:01:00Z"])
            #expect(Set(sessions.map(\.id)).count == 2)
            #expect(response.text.contains("\"ip\":null"), "unknown values are null, not left out")
            #expect(try await phone.get("/api/sessions").decode(Sessions.self).sessions.map(\.current) == [false, true])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingAnotherSessionSignsThatBrowserOut(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var laptop = try Browser(client)
            try await laptop.signUp(Self.ada)
            harness.clock.advance(by: 1)
            var phone = try Browser(client, authenticator: laptop.authenticator)
            #expect(try await phone.signIn(Self.ada).status == .ok)
            harness.clock.advance(by: 1)
            let sessions = try await laptop.get("/api/sessions").decode(Sessions.self).sessions
            let phones = try #require(sessions.first { !$0.current })
            let ended = try await laptop.send(.delete, "/api/sessions/\(phones.id)")
            #expect(ended.status == .noContent)
            #expect(ended.setCookie("passkeys_session") == nil)
            expectError(try await phone.get("/api/session"), .unauthorized, "unauthenticated")
            #expect(try await laptop.get("/api/session").status == .ok)
            expectError(try await laptop.send(.delete, "/api/sessions/\(phones.id)"), .notFound, "not_found")
            let activity = try await laptop.get("/api/account/activity").decode(Page.self)
            #expect(activity.events.first?.type == "session_ended")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingThisSessionSignsThisBrowserOut(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let current = try #require(try await browser.get("/api/sessions").decode(Sessions.self).sessions.first)
            let ended = try await browser.send(.delete, "/api/sessions/\(current.id)")
            #expect(ended.status == .noContent)
            #expect(ended.setCookie("passkeys_session")?.contains("Max-Age=0") == true)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signingOutEverywhereElseKeepsOnlyThisSession(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var laptop = try Browser(client)
            try await laptop.signUp(Self.ada)
            harness.clock.advance(by: 1)
            var phone = try Browser(client, authenticator: laptop.authenticator)
            #expect(try await phone.signIn(Self.ada).status == .ok)
            // A copy of the phone's passkey, counter included (a synced passkey).
            var tablet = try Browser(client, authenticator: phone.authenticator)
            #expect(try await tablet.signIn(Self.ada).status == .ok)
            var bob = try Browser(client)
            try await bob.signUp(Self.bob)
            harness.clock.advance(by: 1)

            #expect(try await laptop.send(.delete, "/api/sessions").status == .noContent)
            expectError(try await phone.get("/api/session"), .unauthorized, "unauthenticated")
            expectError(try await tablet.get("/api/session"), .unauthorized, "unauthenticated")
            #expect(try await laptop.get("/api/session").status == .ok)
            #expect(try await bob.get("/api/session").status == .ok)
            #expect(try await laptop.get("/api/sessions").decode(Sessions.self).sessions.map(\.current) == [true])
            let types = try await laptop.get("/api/account/activity").decode(Page.self).events.map(\.type)
            #expect(types.prefix(2) == ["session_ended", "session_ended"])
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/api/sessions"), (.delete, "/api/sessions"), (.delete, "/api/sessions/AAAA"),
        (.get, "/api/account/activity"),
    ])
    func theNewEndpointsNeedASession(method: HTTPRequest.Method, path: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var stranger = try Browser(client)
            expectError(try await stranger.send(method, path), .unauthorized, "unauthenticated")
        }
    }

    @Test func activityOlderThanTheRetentionIsPurgedInTheBackground() async throws {
        let opened = try await StoreKind.sqliteMemory.open()
        let clock = TestClock()
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = 0
        configuration.auditRetention = 90 * 86400
        let services = try makeServices(
            configuration: configuration, store: opened.store, registry: .init(), logger: .init(label: "test"),
            now: { clock.now })
        let app = Application(router: try buildRouter(services: services))
        try await app.test(.router) { client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            clock.advance(by: 89 * 86400)
            #expect(try await browser.signIn(Self.ada).status == .ok)
            clock.advance(by: 2 * 86400)
            let purge = PurgeService(
                store: opened.store, interval: 60, sessionIdleTimeout: 86400 * 365,
                auditRetention: 90 * 86400, now: { clock.now }, logger: .init(label: "test"))
            await purge.purgeOnce()
            let user = try #require(try await opened.store.user(username: Self.ada))
            #expect(try await opened.store.auditEvents(userID: user.id, limit: 10).map(\.kind) == [.signIn])
        }
        await opened.close()
    }
}
