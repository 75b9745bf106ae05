import PasskeyClientCore
import Testing

/// Sessions and activity shared by the tests of ``Auth/Security``.
enum SecurityFixture {
    static let here = Auth.SessionInfo(
        id: "here", createdAt: "2026-12-01T09:00:00Z", lastSeenAt: "2026-12-02T14:03:00Z", ip: "203.0.113.9",
        userAgent: "Firefox", passkeyID: Fixture.one.id, current: true)
    static let phone = Auth.SessionInfo(
        id: "phone", createdAt: "2026-11-30T22:10:00Z", lastSeenAt: "2026-12-01T23:59:00Z", ip: "198.51.100.7",
        userAgent: "Safari", passkeyID: Auth.PasskeyID("Z29uZQ"), current: false)
    static let firstPage = Auth.ActivityPage(events: [
        Auth.ActivityEntry(type: "sign_in", at: "2026-12-02T14:03:00Z", ip: "203.0.113.9", userAgent: "Firefox", passkeyID: Fixture.one.id),
        Auth.ActivityEntry(type: "passkey_deleted", at: "2026-12-01T08:00:00Z", ip: nil, userAgent: nil, passkeyID: Auth.PasskeyID("Z29uZQ")),
    ], next: "cursor-2")
    static let secondPage = Auth.ActivityPage(events: [
        Auth.ActivityEntry(type: "future_kind", at: "2026-11-30T07:00:00Z"),
    ])

    static let grafana = Auth.AppAccess(clientID: "grafana", name: "Grafana", scopes: ["openid", "profile"], grantedAt: "2026-12-01T12:00:00Z")

    /// Loaded: this browser and the phone, the first page of activity, Grafana, passkeys one and two.
    static var loaded: Auth.Security.State {
        Auth.Security.State(
            sessions: [here, phone], activity: firstPage.events, nextPage: "cursor-2", apps: [grafana],
            passkeys: [Fixture.one, Fixture.two])
    }
}

@Suite("Sessions and activity")
struct SecurityTests {
    typealias S = Auth.Security
    typealias F = SecurityFixture
    static let load: [Effect] = [.api(.listPasskeys), .api(.listSessions), .api(.activity(before: nil)), .api(.listApps), .render]

    // MARK: Loading

    @Test("loading asks for the passkeys, the sessions, the newest activity and the apps at once")
    func loadAsksForThree() {
        var state = S.State()
        #expect(S.update(&state, .view(.load)) == Self.load)
        #expect(state == S.State(work: .loading(S.Missing())))
    }

    @Test("the four answers fill the lists in any order; the last makes it idle")
    func answersInAnyOrder() {
        var state = S.State(work: .loading(S.Missing()))
        #expect(S.update(&state, .api(.activity(.success(F.firstPage)))) == [.render])
        #expect(state.work == .loading(S.Missing(passkeys: true, sessions: true, activity: false, apps: true)))
        #expect(S.update(&state, .api(.listApps(.success([F.grafana])))) == [.render])
        #expect(state.work == .loading(S.Missing(passkeys: true, sessions: true, activity: false, apps: false)))
        #expect(S.update(&state, .api(.listSessions(.success([F.here, F.phone]))))  == [.render])
        #expect(state.work == .loading(S.Missing(passkeys: true, sessions: false, activity: false, apps: false)))
        #expect(S.update(&state, .api(.listPasskeys(.success([Fixture.one, Fixture.two])))) == [.render])
        #expect(state == F.loaded)
    }

    @Test("an answer that was not asked for, or came already, changes nothing")
    func unaskedAnswers() {
        var idle = F.loaded
        for response: Auth.APIResponse in [
            .listSessions(.success([])), .activity(.success(F.secondPage)), .endSession(.success(Auth.NoContent())),
            .endOtherSessions(.success(Auth.NoContent())), .listPasskeys(.success([])), .session(.failure(.offline)),
            .listApps(.success([])), .removeApp(.success(Auth.NoContent())),
        ] {
            #expect(S.update(&idle, .api(response)) == [], "\(response)")
            #expect(idle == F.loaded)
        }
        var loading = S.State(work: .loading(S.Missing(passkeys: true, sessions: false, activity: true, apps: true)))
        let before = loading
        #expect(S.update(&loading, .api(.listSessions(.success([F.here])))) == [])
        #expect(S.update(&loading, .api(.endSession(.success(Auth.NoContent())))) == [])
        #expect(loading == before)
    }

    @Test("a list that fails to load is a problem; the other lists still come")
    func oneListFails() {
        var state = S.State(work: .loading(S.Missing()))
        #expect(S.update(&state, .api(.listSessions(.failure(.offline)))) == [.render])
        #expect(state.problem == .offline && state.sessions == nil && !state.signedOut)
        #expect(S.update(&state, .api(.activity(.success(F.firstPage)))) == [.render])
        #expect(S.update(&state, .api(.listPasskeys(.success([Fixture.one])))) == [.render])
        #expect(S.update(&state, .api(.listApps(.success([])))) == [.render])
        #expect(state.work == .idle && state.activity == F.firstPage.events && state.apps == [] && state.problem == .offline)
    }

    @Test("401 means nobody is signed in: the view says so, and offers nothing")
    func unauthenticated() {
        var state = S.State(work: .loading(S.Missing()))
        #expect(S.update(&state, .api(.listPasskeys(.failure(Fixture.unauthenticated)))) == [.render])
        #expect(state.signedOut && state.problem == .sessionEnded)
        let view = S.view(state)
        #expect(view.signedOut && !view.canStart && view.problem == "You have been signed out. Sign in again.")
    }

    @Test("409 session_changed: another account is signed in now; nothing more is offered or loaded for this one")
    func sessionChanged() {
        let changed = Auth.APIFailure.refused(Auth.ServerRefusal(status: 409, code: "session_changed", message: "reload"))
        var state = F.loaded
        #expect(S.update(&state, .view(.endOtherSessions)) == [.api(.endOtherSessions), .render])
        #expect(S.update(&state, .view(.load)) == [], "a load asked for meanwhile waits")
        #expect(S.update(&state, .api(.endOtherSessions(.failure(changed)))) == [.render], "and is not sent for the old account")
        #expect(state.sessionChanged && !state.signedOut && state.work == .idle)
        let view = S.view(state)
        #expect(view.sessionChanged && !view.signedOut && !view.canStart && !view.canEndOtherSessions && !view.canLoadMore)
        #expect(view.sessions?.allSatisfy { !$0.canEnd } == true && view.apps?.allSatisfy { !$0.canRemove } == true)
        // Buttons drawn before still send intents until the page is shown again: none is taken.
        let after = state
        for intent: S.Intent in [.load, .endOtherSessions, .endSession(id: "phone"), .removeApp(clientID: "grafana"), .moreActivity, .dismiss] {
            #expect(S.update(&state, .view(intent)) == [], "\(intent)")
        }
        #expect(state == after)
    }

    // MARK: Ending sessions

    @Test("ending another session asks the server, then confirms it and loads everything again")
    func endAnotherSession() {
        var state = F.loaded
        #expect(S.update(&state, .view(.endSession(id: "phone"))) == [.api(.endSession(id: "phone")), .render])
        #expect(state.work == .endingSession(id: "phone"))
        #expect(S.view(state).sessions?.map(\.isBusy) == [false, true])
        #expect(S.update(&state, .api(.endSession(.success(Auth.NoContent())))) == Self.load)
        #expect(state.notice == .endedSession(F.phone) && state.work == .loading(S.Missing()))
        #expect(S.view(state).notice == "Signed out Safari · 198.51.100.7.")
    }

    @Test("a session that had ended already (404) is what was asked for")
    func endEndedSession() {
        var state = F.loaded
        _ = S.update(&state, .view(.endSession(id: "phone")))
        #expect(S.update(&state, .api(.endSession(.failure(Fixture.refused(404, "not_found"))))) == Self.load)
        #expect(state.notice == .endedSession(F.phone) && state.problem == nil)
    }

    @Test("ending a session that fails shows why and loads nothing; 401 is signed out")
    func endSessionFails() {
        var state = F.loaded
        _ = S.update(&state, .view(.endSession(id: "phone")))
        #expect(S.update(&state, .api(.endSession(.failure(.offline)))) == [.render])
        #expect(state.work == .idle && state.problem == .offline && state.sessions == F.loaded.sessions)
        _ = S.update(&state, .view(.endSession(id: "phone")))
        #expect(state.problem == nil, "a new attempt clears the old problem")
        #expect(S.update(&state, .api(.endSession(.failure(Fixture.unauthenticated)))) == [.render])
        #expect(state.signedOut && state.work == .idle)
    }

    @Test("this session, or one not listed, is not ended from here")
    func endThisSession() {
        for id in ["here", "elsewhere"] {
            var state = F.loaded
            #expect(S.update(&state, .view(.endSession(id: id))) == [])
            #expect(state == F.loaded)
        }
        #expect(S.view(F.loaded).sessions?.map(\.canEnd) == [false, true])
    }

    @Test("signing out everywhere else, then confirming it and loading again")
    func endOtherSessions() {
        var state = F.loaded
        #expect(S.update(&state, .view(.endOtherSessions)) == [.api(.endOtherSessions), .render])
        #expect(state.work == .endingOtherSessions)
        #expect(S.update(&state, .api(.endOtherSessions(.success(Auth.NoContent())))) == Self.load)
        #expect(S.view(state).notice == "Signed out everywhere else.")
        var failing = F.loaded
        _ = S.update(&failing, .view(.endOtherSessions))
        #expect(S.update(&failing, .api(.endOtherSessions(.failure(Fixture.refused(429, "rate_limited"))))) == [.render])
        #expect(failing.problem == .rateLimited(retryAfter: nil) && failing.work == .idle)
    }

    @Test("with no other session there is nothing to sign out elsewhere")
    func noOtherSessions() {
        var state = F.loaded
        state.sessions = [F.here]
        #expect(S.update(&state, .view(.endOtherSessions)) == [])
        let view = S.view(state)
        #expect(!view.canEndOtherSessions && view.sessionSummary == "Only this browser is signed in.")
    }

    // MARK: Apps

    @Test("removing an app's access asks the server, then confirms it and loads everything again")
    func removeApp() {
        var state = F.loaded
        #expect(S.update(&state, .view(.removeApp(clientID: "grafana"))) == [.api(.removeApp(clientID: "grafana")), .render])
        #expect(state.work == .removingApp(clientID: "grafana"))
        let busy = S.view(state).apps?.first
        #expect(busy?.isBusy == true && busy?.canRemove == false)
        #expect(S.update(&state, .api(.removeApp(.success(Auth.NoContent())))) == Self.load)
        #expect(S.view(state).notice == "Removed the access of Grafana.")
    }

    @Test("an app removed already (404) is what was asked for; another failure shows why")
    func removeAppFails() {
        var gone = F.loaded
        _ = S.update(&gone, .view(.removeApp(clientID: "grafana")))
        #expect(S.update(&gone, .api(.removeApp(.failure(Fixture.refused(404, "not_found"))))) == Self.load)
        #expect(gone.notice == .removedApp("Grafana"))
        var failing = F.loaded
        _ = S.update(&failing, .view(.removeApp(clientID: "grafana")))
        #expect(S.update(&failing, .api(.removeApp(.failure(.offline)))) == [.render])
        #expect(failing.work == .idle && failing.problem == .offline && failing.apps == [F.grafana])
        #expect(S.view(failing).problemPart == .apps, "the problem is shown with the apps")
    }

    @Test("an app that is not listed is not removed")
    func removeUnknownApp() {
        var state = F.loaded
        #expect(S.update(&state, .view(.removeApp(clientID: "other"))) == [])
        #expect(state == F.loaded)
    }

    // MARK: Older activity

    @Test("older activity is the next page, appended; the last page offers no more")
    func moreActivity() {
        var state = F.loaded
        #expect(S.update(&state, .view(.moreActivity)) == [.api(.activity(before: "cursor-2")), .render])
        #expect(state.work == .loadingMore && !S.view(state).canLoadMore)
        #expect(S.update(&state, .api(.activity(.success(F.secondPage)))) == [.render])
        #expect(state.activity == F.firstPage.events + F.secondPage.events && state.nextPage == nil)
        #expect(S.update(&state, .view(.moreActivity)) == [])
        #expect(!S.view(state).canLoadMore)
    }

    @Test("older activity that fails keeps what was shown")
    func moreActivityFails() {
        var state = F.loaded
        _ = S.update(&state, .view(.moreActivity))
        #expect(S.update(&state, .api(.activity(.failure(.offline)))) == [.render])
        #expect(state.activity == F.firstPage.events && state.nextPage == "cursor-2" && state.problem == .offline)
    }

    // MARK: One thing at a time

    @Test("while something is in flight the other intents wait: nothing is asked, nothing changes")
    func busyIgnoresIntents() {
        let busy: [S.Work] = [.loading(S.Missing()), .endingSession(id: "phone"), .endingOtherSessions, .loadingMore, .removingApp(clientID: "grafana")]
        let intents: [S.Intent] = [.endSession(id: "phone"), .endOtherSessions, .moreActivity, .removeApp(clientID: "grafana"), .dismiss]
        for work in busy {
            for intent in intents {
                var state = F.loaded
                state.work = work
                state.problem = .offline
                let before = state
                #expect(S.update(&state, .view(intent)) == [], "\(work) + \(intent)")
                #expect(state == before)
            }
        }
    }

    @Test("a load asked for while something is in flight is remembered, once, and done when it finishes")
    func loadWhileBusy() {
        var state = F.loaded
        state.work = .loadingMore
        #expect(S.update(&state, .view(.load)) == [])
        #expect(state.reloadRequested)
        let remembered = state
        #expect(S.update(&state, .view(.load)) == [], "asked twice, loaded once")
        #expect(state == remembered)
        #expect(S.update(&state, .api(.activity(.success(F.secondPage)))) == Self.load)
        #expect(!state.reloadRequested && state.work == .loading(S.Missing()))

        var loading = S.State(work: .loading(S.Missing(passkeys: false, sessions: false, activity: true, apps: false)), reloadRequested: true)
        #expect(S.update(&loading, .api(.activity(.success(F.firstPage)))) == Self.load, "the load that was running counts as before the change")

        var ending = F.loaded
        _ = S.update(&ending, .view(.endSession(id: "phone")))
        _ = S.update(&ending, .view(.load))
        #expect(S.update(&ending, .api(.endSession(.failure(.offline)))) == Self.load)
        #expect(ending.problem == .offline, "the problem stays shown while it loads again")

        var signedOut = S.State(work: .loading(S.Missing(passkeys: false, sessions: false, activity: true, apps: false)), reloadRequested: true)
        #expect(S.update(&signedOut, .api(.activity(.failure(Fixture.unauthenticated)))) == [.render], "signed out: nothing to load")
    }

    @Test("dismissing clears the problem and the confirmation; with neither it does nothing")
    func dismiss() {
        var state = F.loaded
        #expect(S.update(&state, .view(.dismiss)) == [])
        state.problem = .offline
        state.notice = .endedOtherSessions
        #expect(S.update(&state, .view(.dismiss)) == [.render])
        #expect(state == F.loaded)
    }

    // MARK: The view

    @Test("sessions and activity in English: devices, which passkey, times in the shell's time zone")
    func englishView() {
        let view = S.view(F.loaded, in: .english, utcOffsetMinutes: 60)
        let sessions = try? #require(view.sessions)
        #expect(sessions?.map(\.device) == ["Firefox · 203.0.113.9", "Safari · 198.51.100.7"])
        #expect(sessions?.map(\.currentLabel) == ["This browser", nil])
        #expect(sessions?.first?.details == "Signed in 1 Dec 2026, 10:00 with “iCloud Keychain” · last seen 2 Dec 2026, 15:03")
        #expect(sessions?.last?.details == "Signed in 30 Nov 2026, 23:10 with a passkey since deleted · last seen 2 Dec 2026, 00:59")
        #expect(view.sessionSummary == "This browser and 1 other.")
        #expect(view.canEndOtherSessions && view.canLoadMore && view.canStart && view.progress == nil)
        #expect(view.activity?.map(\.title) == ["Signed in with “iCloud Keychain”", "Passkey deleted"])
        #expect(view.activity?.map(\.details) == ["2 Dec 2026, 15:03 · Firefox · 203.0.113.9", "1 Dec 2026, 09:00 · Unknown device"])
        let english = Auth.Language.english
        #expect([Auth.Label.sessionsHeading, .activityHeading, .endSession, .endOtherSessions, .moreActivity, .appsHeading,
                  .appsIntro, .noApps, .removeApp].map { english(.label($0)) } == [
            "Where you’re signed in", "Recent activity", "Sign out", "Sign out everywhere else", "Show older activity", "Apps",
            "Apps you allowed to sign you in with this account.", "No apps yet.", "Remove access",
        ], "the part's fixed words are page labels, which the boundary sends with `languages`")
        #expect(view.apps == [S.AppRow(
            clientID: "grafana", name: "Grafana", details: "Allowed 1 Dec 2026, 13:00: openid, profile",
            removeLabel: "Remove access for Grafana", canRemove: true, isBusy: false)])
        var more = F.loaded
        more.sessions = [F.here, F.phone, F.phone]
        more.activity = F.secondPage.events
        #expect(S.view(more).sessionSummary == "This browser and 2 others.")
        #expect(S.view(more).activity?.first?.title == "future_kind", "a type the core does not know is shown as it is")
    }

    @Test("before anything is loaded the lists are absent and the progress says what loads")
    func loadingView() {
        let view = S.view(S.State(work: .loading(S.Missing())))
        #expect(view.sessions == nil && view.activity == nil && view.apps == nil && view.sessionSummary == nil)
        #expect(view.progress == "Loading where you are signed in and your recent activity…")
        #expect(!view.canStart && !view.canEndOtherSessions && !view.canLoadMore)
    }

    @Test("sessions and activity in Japanese and German")
    func otherLanguages() {
        let japanese = S.view(F.loaded, in: .japanese, utcOffsetMinutes: 540)
        #expect(Auth.Language.japanese(.label(.sessionsHeading)) == "サインインしている場所")
        #expect(japanese.sessionSummary == "このブラウザとほかに1か所でサインインしています。")
        #expect(japanese.activity?.first?.title == "サインイン(パスキー「iCloud Keychain」)")
        #expect(japanese.activity?.first?.details == "2026年12月2日 23:03 · Firefox · 203.0.113.9")
        #expect(japanese.apps?.first?.details == "2026年12月1日 21:00に許可: openid, profile")
        #expect(Auth.Language.japanese(.label(.noApps)) == "まだアプリはありません。")
        let german = S.view(F.loaded, in: .german, utcOffsetMinutes: 60)
        #expect(Auth.Language.german(.label(.endOtherSessions)) == "Überall sonst abmelden")
        #expect(german.sessions?.first?.details == "Angemeldet am 1.12.2026, 10:00 mit „iCloud Keychain“ · zuletzt gesehen am 2.12.2026, 15:03")
        #expect(german.activity?.last?.title == "Passkey gelöscht")
        #expect(german.apps?.first?.removeLabel == "Zugriff für Grafana entfernen")
    }

    static let eventTypes = [
        "sign_up", "sign_in", "sign_in_failed", "passkey_added", "passkey_renamed", "passkey_deleted", "display_name_changed",
        "session_ended", "account_disabled", "account_enabled", "sessions_revoked", "account_imported", "verification_code_sent",
        "verification_code_capped", "email_verified", "email_verification_failed", "recovery_code_sent", "recovery_code_capped",
        "recovery_started", "recovery_failed", "recovery_completed", "password_sign_in", "password_sign_in_failed",
        "password_removed", "passkey_upgrade", "oauth_consent_granted", "oauth_access_removed",
    ]

    @Test("every kind of event the server writes has its own words in every language")
    func everyEventType() {
        for language in Auth.Language.all {
            let words = Self.eventTypes.map { language(.security(.event(type: $0, passkey: .none))) }
            #expect(Set(words).count == words.count, "\(language.code): two kinds read the same")
            #expect(zip(words, Self.eventTypes).allSatisfy { $0 != $1 }, "\(language.code): a kind has no words")
        }
        for type in Self.eventTypes {
            let english = Auth.Language.english(.security(.event(type: type, passkey: .none)))
            #expect(Auth.Language.japanese(.security(.event(type: type, passkey: .none))) != english)
            #expect(Auth.Language.german(.security(.event(type: type, passkey: .none))) != english)
        }
    }
}

@Suite("Moments")
struct MomentTests {
    typealias M = Auth.Moment

    @Test("an ISO-8601 time is read to the minute and moved into the shell's time zone")
    func reads() {
        #expect(M(iso8601: "2026-12-02T14:03:00Z") == M(day: Auth.Day(year: 2026, month: 12, day: 2), hour: 14, minute: 3))
        #expect(M(iso8601: "2026-12-02T14:03:59.999Z") == M(day: Auth.Day(year: 2026, month: 12, day: 2), hour: 14, minute: 3))
        #expect(M(iso8601: "2026-12-02T14:03Z", utcOffsetMinutes: 540) == M(day: Auth.Day(year: 2026, month: 12, day: 2), hour: 23, minute: 3))
        #expect(M(iso8601: "2026-12-31T20:00:00Z", utcOffsetMinutes: 300) == M(day: Auth.Day(year: 2027, month: 1, day: 1), hour: 1, minute: 0))
        #expect(M(iso8601: "2026-03-01T00:30:00Z", utcOffsetMinutes: -60) == M(day: Auth.Day(year: 2026, month: 2, day: 28), hour: 23, minute: 30))
        #expect(M(iso8601: "2028-03-01T00:30:00Z", utcOffsetMinutes: -60) == M(day: Auth.Day(year: 2028, month: 2, day: 29), hour: 23, minute: 30), "a leap year")
        #expect(M(iso8601: "2026-12-02T23:03:00+09:00") == M(day: Auth.Day(year: 2026, month: 12, day: 2), hour: 14, minute: 3))
        #expect(M(iso8601: "1969-12-31T23:59:00-00:30", utcOffsetMinutes: 0) == M(day: Auth.Day(year: 1970, month: 1, day: 1), hour: 0, minute: 29))
        #expect(M(day: Auth.Day(year: 2026, month: 1, day: 1), hour: 7, minute: 5).clock == "07:05")
    }

    @Test("a time that is not ISO-8601 with a zone is not a moment", arguments: [
        "", "2026-12-02", "2026-12-02T14:03:00", "2026-12-02 14:03:00Z", "2026-12-02T24:00:00Z", "2026-12-02T14:60:00Z",
        "2026-12-02T14:03:00+9:00", "2026-12-02T14:03:00+09:60", "2026-13-02T14:03:00Z", "2026-12-02T1a:03:00Z",
        "2026-12-02T14:03:00ZZ",
    ])
    func refuses(_ text: String) {
        #expect(M(iso8601: text) == nil)
    }
}

@Suite("Sessions and activity over HTTP")
struct SecurityHTTPTests {
    @Test("each request's method and path, its ID and cursor percent-encoded")
    func requests() {
        #expect(Auth.APIRequest.listSessions.http == Auth.HTTPRequest(method: "GET", path: "/api/sessions"))
        #expect(Auth.APIRequest.endSession(id: "a/b c").http == Auth.HTTPRequest(method: "DELETE", path: "/api/sessions/a%2Fb%20c"))
        #expect(Auth.APIRequest.endOtherSessions.http == Auth.HTTPRequest(method: "DELETE", path: "/api/sessions"))
        #expect(Auth.APIRequest.activity(before: nil).http == Auth.HTTPRequest(method: "GET", path: "/api/account/activity"))
        #expect(Auth.APIRequest.activity(before: "MTIz&x=1").http == Auth.HTTPRequest(method: "GET", path: "/api/account/activity?before=MTIz%26x%3D1"))
        #expect(Auth.APIRequest.listApps.http == Auth.HTTPRequest(method: "GET", path: "/api/oidc/apps"))
        #expect(Auth.APIRequest.removeApp(clientID: "my app").http == Auth.HTTPRequest(method: "DELETE", path: "/api/oidc/apps/my%20app"))
        #expect([Auth.APIRequest.listSessions, .endSession(id: "x"), .endOtherSessions, .activity(before: nil), .listApps, .removeApp(clientID: "x")].map(\.name)
            == ["listSessions", "endSession", "endOtherSessions", "activity", "listApps", "removeApp"])
    }

    @Test("the answers are read as docs/api.md describes them; a session or event missing a member is unreadable")
    func answers() {
        let sessions = #"{"sessions":[{"id":"here","createdAt":"2026-12-01T09:00:00Z","lastSeenAt":"2026-12-02T14:03:00Z","ip":"203.0.113.9","userAgent":"Firefox","passkeyId":"b25l","current":true},{"id":"x","createdAt":"a","lastSeenAt":"b","ip":null,"userAgent":null,"passkeyId":null,"current":false}]}"#
        #expect(Auth.APIResponse(answering: .listSessions, status: 200, body: Array(sessions.utf8)) == .listSessions(.success([
            SecurityFixture.here, Auth.SessionInfo(id: "x", createdAt: "a", lastSeenAt: "b"),
        ])))
        let missing = #"{"sessions":[{"id":"x","createdAt":"a","lastSeenAt":"b"}]}"#
        guard case .listSessions(.failure(.unreadableResponse)) = Auth.APIResponse(answering: .listSessions, status: 200, body: Array(missing.utf8)) else {
            Issue.record("a session without \"current\" must be unreadable")
            return
        }
        let page = #"{"events":[{"type":"sign_in","at":"2026-12-02T14:03:00Z","ip":"203.0.113.9","userAgent":"Firefox","passkeyId":"b25l"}],"next":"c"}"#
        #expect(Auth.APIResponse(answering: .activity(before: nil), status: 200, body: Array(page.utf8)) == .activity(.success(Auth.ActivityPage(
            events: [SecurityFixture.firstPage.events[0]], next: "c"))))
        let last = #"{"events":[],"next":null}"#
        #expect(Auth.APIResponse(answering: .activity(before: "c"), status: 200, body: Array(last.utf8)) == .activity(.success(Auth.ActivityPage(events: []))))
        guard case .activity(.failure(.unreadableResponse)) = Auth.APIResponse(answering: .activity(before: nil), status: 200, body: Array(#"{"events":[{"type":"x"}]}"#.utf8)) else {
            Issue.record("an event without \"at\" must be unreadable")
            return
        }
        let apps = #"{"apps":[{"clientId":"grafana","name":"Grafana","scopes":["openid","profile"],"grantedAt":"2026-12-01T12:00:00Z"}]}"#
        #expect(Auth.APIResponse(answering: .listApps, status: 200, body: Array(apps.utf8)) == .listApps(.success([SecurityFixture.grafana])))
        guard case .listApps(.failure(.unreadableResponse)) = Auth.APIResponse(answering: .listApps, status: 200, body: Array(#"{"apps":[{"clientId":"x","name":"X","scopes":[1],"grantedAt":"t"}]}"#.utf8)) else {
            Issue.record("an app whose scopes are not strings must be unreadable")
            return
        }
        #expect(Auth.APIResponse(answering: .removeApp(clientID: "x"), status: 204, body: []) == .removeApp(.success(Auth.NoContent())))
        #expect(Auth.APIResponse(answering: .endSession(id: "x"), status: 204, body: []) == .endSession(.success(Auth.NoContent())))
        #expect(Auth.APIResponse(answering: .endOtherSessions, status: 204, body: []) == .endOtherSessions(.success(Auth.NoContent())))
        #expect(Auth.APIResponse(answering: .endSession(id: "x"), status: 404, body: Array(#"{"error":{"code":"not_found","message":"no"}}"#.utf8))
            == .endSession(.failure(Fixture.refused(404, "not_found", "no"))))
    }
}
