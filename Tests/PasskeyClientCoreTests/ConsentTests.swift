import PasskeyClientCore
import Testing

@Suite("The consent page")
struct ConsentTests {
    typealias C = Auth.Consent
    static let query = "client_id=grafana&redirect_uri=https%3A%2F%2Fgrafana.example%2Fcb&scope=openid%20email&state=s"
    static let prompt = C.Prompt(clientName: "Grafana", scopes: ["openid", "email", "future_scope"], username: "ada@example.com", userID: "YWRh")

    static var asked: C.State {
        C.State(query: query, prompt: prompt)
    }

    @Test("opening asks the server what the request wants, once")
    func load() {
        var state = C.State()
        #expect(C.update(&state, .view(.load(query: Self.query))) == [.api(.consentPrompt(query: Self.query)), .render])
        #expect(state == C.State(query: Self.query, work: .loading))
        #expect(C.update(&state, .view(.load(query: "other"))) == [])
        #expect(C.update(&state, .api(.consentPrompt(.success(.ask(Self.prompt))))) == [.render])
        #expect(state == Self.asked)
    }

    @Test("a request the server answers with a redirect leaves at once, replacing the page")
    func redirectAtOnce() {
        var state = C.State(query: Self.query, work: .loading)
        #expect(C.update(&state, .api(.consentPrompt(.success(.redirect("https://grafana.example/cb?error=invalid_scope"))))) == [.render])
        #expect(state.destination == C.Destination(url: "https://grafana.example/cb?error=invalid_scope", replace: true))
        #expect(C.update(&state, .view(.allow)) == [], "nothing happens once the page is leaving")
    }

    @Test("signed out, the page goes to sign-in and from there back to this request")
    func signedOut() {
        var state = C.State(query: Self.query, work: .loading)
        #expect(C.update(&state, .api(.consentPrompt(.failure(Fixture.unauthenticated)))) == [.render])
        #expect(state.destination == C.Destination(
            url: "/?next=/oauth2/authorize%3Fclient_id%3Dgrafana%26redirect_uri%3Dhttps%253A%252F%252Fgrafana.example%252Fcb%26scope%3Dopenid%2520email%26state%3Ds",
            replace: true))
    }

    @Test("a request the server refuses is shown, and nothing can be decided")
    func refused() {
        var state = C.State(query: Self.query, work: .loading)
        let failure = Fixture.refused(400, "invalid_request", "redirect_uri is not registered for this client")
        #expect(C.update(&state, .api(.consentPrompt(.failure(failure)))) == [.render])
        #expect(state.problem == .refused(code: "invalid_request", message: "redirect_uri is not registered for this client"))
        let view = C.view(state)
        #expect(!view.canDecide && view.lede == nil && view.scopes == nil)
        #expect(C.update(&state, .view(.allow)) == [])
    }

    @Test("allowing and denying send the decision; the answer says where to go", arguments: [true, false])
    func decide(allow: Bool) {
        var state = Self.asked
        #expect(C.update(&state, .view(allow ? .allow : .deny)) == [.api(.consentDecision(query: Self.query, allow: allow)), .render])
        #expect(state.work == .deciding(allow: allow) && !C.view(state).canDecide)
        #expect(C.update(&state, .view(.deny)) == [], "one decision at a time")
        #expect(C.update(&state, .api(.consentDecision(.success("https://grafana.example/cb?code=c&state=s")))) == [.render])
        #expect(state.destination == C.Destination(url: "https://grafana.example/cb?code=c&state=s", replace: false))
    }

    @Test("a decision that fails can be made again")
    func decisionFails() {
        var state = Self.asked
        _ = C.update(&state, .view(.allow))
        #expect(C.update(&state, .api(.consentDecision(.failure(.offline)))) == [.render])
        #expect(state.work == .idle && state.problem == .offline && C.view(state).canDecide)
        #expect(C.update(&state, .view(.allow)) == [.api(.consentDecision(query: Self.query, allow: true)), .render])
        #expect(state.problem == nil)
    }

    @Test("a decision refused because the browser signed in to another account since asks again, for that account, and says why")
    func anotherAccountSignedInSince() {
        var state = Self.asked
        _ = C.update(&state, .view(.allow))
        let changed = Fixture.refused(409, "session_changed", "another account is signed in")
        #expect(C.update(&state, .api(.consentDecision(.failure(changed)))) == [.api(.consentPrompt(query: Self.query)), .render])
        #expect(state.prompt == nil && state.work == .loading && state.destination == nil)
        #expect(!C.view(state).canDecide && C.view(state).lede == nil, "the old account is no longer shown, nor can it be decided for")
        #expect(C.update(&state, .view(.allow)) == [])
        let grace = C.Prompt(clientName: "Grafana", scopes: ["openid"], username: "grace@example.com", userID: "Z3JhY2U")
        #expect(C.update(&state, .api(.consentPrompt(.success(.ask(grace))))) == [.render])
        let view = C.view(state)
        #expect(view.lede?.user == "grace@example.com" && view.canDecide)
        #expect(view.problem == Auth.Problem.accountChanged.words)
        // Deciding now is for the account shown, and clears the notice.
        #expect(C.update(&state, .view(.deny)) == [.api(.consentDecision(query: Self.query, allow: false)), .render])
        #expect(state.problem == nil)
    }

    @Test("nothing is decided before the request is known, and unasked answers change nothing")
    func nothingEarly() {
        var fresh = C.State()
        #expect(C.update(&fresh, .view(.allow)) == [])
        #expect(C.update(&fresh, .api(.consentDecision(.success("https://x")))) == [])
        var asked = Self.asked
        #expect(C.update(&asked, .api(.consentPrompt(.success(.ask(Self.prompt))))) == [])
        #expect(asked == Self.asked)
    }

    @Test("the page in English: the app, the account, each scope (an unknown one as it is), the buttons")
    func englishView() {
        let view = C.view(Self.asked)
        #expect(view.title == "Allow Grafana?")
        #expect([Auth.Label.consentPageTitle, .allow, .deny].map { Auth.Language.english(.label($0)) } == ["Allow access · Passkeys", "Allow", "Deny"])
        #expect(view.lede == C.Lede(
            beforeClient: "", client: "Grafana", beforeUser: " wants to sign you in as ", user: "ada@example.com",
            afterUser: ". It will see:"))
        #expect(view.scopes?.map(\.words) == ["An identifier for your account (not your email)", "Your email address", "future_scope"])
        #expect(view.canDecide)
        #expect(C.view(C.State(query: Self.query, work: .loading)).title == "Allow access?")
        #expect(C.view(C.State(query: Self.query, work: .loading)).progress == "Loading the request…")
    }

    @Test("the page in Japanese and German")
    func otherLanguages() {
        let japanese = C.view(Self.asked, in: .japanese)
        #expect(japanese.title == "Grafana を許可しますか?" && Auth.Language.japanese(.label(.allow)) == "許可")
        #expect(japanese.scopes?[1].words == "メールアドレス")
        let german = C.view(Self.asked, in: .german)
        #expect(german.title == "Grafana erlauben?" && Auth.Language.german(.label(.deny)) == "Ablehnen")
        #expect(german.lede?.beforeUser == " möchte Sie anmelden als ")
        for language in Auth.Language.all {
            for scope in ["openid", "profile", "email", "offline_access"] {
                #expect(!language(.consent(.scope(scope))).isEmpty, "\(language.code) has no words for \(scope)")
            }
        }
    }

    @Test("the requests and answers over HTTP")
    func http() {
        #expect(Auth.APIRequest.consentPrompt(query: Self.query).http == Auth.HTTPRequest(method: "GET", path: "/api/oidc/consent?" + Self.query))
        let decision = Auth.APIRequest.consentDecision(query: "a=1&b=2", allow: false).http
        #expect(decision.method == "POST" && decision.path == "/api/oidc/consent")
        #expect(decision.body.map { String(decoding: $0, as: UTF8.self) } == #"{"request":"a=1&b=2","decision":"deny"}"#)
        let asked = #"{"client":{"id":"grafana","name":"Grafana"},"scopes":["openid","email","future_scope"],"username":"ada@example.com","userId":"YWRh"}"#
        #expect(Auth.APIResponse(answering: .consentPrompt(query: "q"), status: 200, body: Array(asked.utf8)) == .consentPrompt(.success(.ask(Self.prompt))))
        #expect(Auth.APIResponse(answering: .consentPrompt(query: "q"), status: 200, body: Array(#"{"redirectTo":"https://x/cb"}"#.utf8))
            == .consentPrompt(.success(.redirect("https://x/cb"))))
        #expect(Auth.APIResponse(answering: .consentDecision(query: "q", allow: true), status: 200, body: Array(#"{"redirectTo":"https://x/cb?code=c"}"#.utf8))
            == .consentDecision(.success("https://x/cb?code=c")))
        guard case .consentPrompt(.failure(.unreadableResponse)) = Auth.APIResponse(answering: .consentPrompt(query: "q"), status: 200, body: Array(#"{"client":{"name":"G"},"scopes":["openid"]}"#.utf8)) else {
            Issue.record("a prompt without the username must be unreadable")
            return
        }
    }
}
