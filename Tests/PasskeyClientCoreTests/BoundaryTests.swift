import PasskeyClientCore
import Testing

/// The core as the browser sees it: JSON messages in, effects and views out (docs/client-core.md).
@Suite("The JSON boundary")
struct BoundaryTests {
    static let user = #"{"id":"AAECAw","username":"ada@example.com","displayName":"Ada"}"#
    static let passkey = #"{"id":"b25l","name":"Passkey","createdAt":"2026-11-22T10:00:00Z","lastUsedAt":null,"aaguid":"00000000-0000-0000-0000-000000000000","provider":null,"synced":true,"backupEligible":true,"transports":["internal","hybrid"],"algorithm":-7}"#

    /// Sends `message` and returns the answer as JSON.
    static func send(_ boundary: inout Auth.Boundary, _ message: String) -> Auth.JSON {
        let answer = boundary.receive(Array(message.utf8))
        guard let json = Auth.JSON(parsing: answer) else {
            Issue.record("the answer is not JSON: \(String(decoding: answer, as: UTF8.self))")
            return .null
        }
        return json
    }

    static func http(_ answer: Auth.JSON, _ id: Int, _ status: Int, _ body: String, retryAfter: String? = nil) -> String {
        var message: [(String, Auth.JSON)] = [
            ("event", .string("http")), ("id", .number("\(id)")), ("status", .number("\(status)")), ("body", .string(body)),
        ]
        if let retryAfter { message.append(("retryAfter", .string(retryAfter))) }
        return Auth.JSON.object(message).text
    }

    @Test("a sign-up runs through the boundary: each effect named with its route, the view in words")
    func signUp() {
        var boundary = Auth.Boundary()
        var answer = Self.send(&boundary, #"{"event":"refresh"}"#)
        #expect(answer.text == #"{"effects":[{"effect":"http","id":1,"request":"session","method":"GET","path":"/api/session","body":null}],"view":{"lang":"en","screen":"loading","progress":"Checking whether you are signed in…","problem":null,"problemCode":null,"notice":null,"canCancel":false,"canStart":false,"offersAutofill":false,"codeSent":false,"toAccount":false,"destination":null,"account":null}}"#)

        answer = Self.send(&boundary, Self.http(answer, 1, 401, #"{"error":{"code":"unauthenticated","message":"sign in first"}}"#))
        #expect(answer["effects"] == .array([]))
        #expect(answer["view"]?["screen"]?.string == "signedOut")
        #expect(answer["view"]?["problem"] == .null, "no session is no problem")

        answer = Self.send(&boundary, #"{"event":"signUp","username":"ada@example.com","displayName":"Ada"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":2,"request":"registrationOptions","method":"POST","path":"/api/registration/options","body":"{\"username\":\"ada@example.com\",\"displayName\":\"Ada\"}"}]"#)

        answer = Self.send(&boundary, Self.http(answer, 2, 200, #"{"publicKey":{"challenge":"Y2g","rp":{"id":"example.com"},"timeout":300000}}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"create","options":{"challenge":"Y2g","rp":{"id":"example.com"},"timeout":300000}}]"#)
        #expect(answer["view"]?["canCancel"] == .bool(true))

        answer = Self.send(&boundary, #"{"event":"create","credential":{"id":"b25l","type":"public-key"}}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":3,"request":"registration","method":"POST","path":"/api/registration","body":"{\"id\":\"b25l\",\"type\":\"public-key\"}"}]"#)

        answer = Self.send(&boundary, Self.http(answer, 3, 201, #"{"user":\#(Self.user),"passkey":\#(Self.passkey),"rpId":"example.com"}"#))
        #expect(answer["effects"] == .array([]))
        #expect(answer["view"]?["screen"]?.string == "signedIn")
        #expect(answer["view"]?["account"]?.text == #"{"userId":"AAECAw","username":"ada@example.com","displayName":"Ada","greeting":"Hello, Ada","confirmDelete":"This deletes ada@example.com and all of its passkeys from this site. It cannot be undone.","passkeyCount":"1 passkey","passkeys":[{"id":"b25l","name":"Passkey","details":"synced · added 22 Nov 2026","provider":"Passkey","synced":true,"busy":false,"backup":"Synced","createdAt":"2026-11-22T10:00:00Z","created":"22 Nov 2026","lastUsedAt":null,"lastUsed":"Never","confirmDelete":"Delete “Passkey”?"}],"createPasskey":null,"confirmEmail":false,"removePassword":false,"continue":false}"#)
    }

    @Test("a sign-in asks for the Signal API calls as effects")
    func signInSignals() {
        var boundary = Auth.Boundary(state: .signedOut(Auth.SignedOut()))
        var answer = Self.send(&boundary, #"{"event":"signIn"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":1,"request":"authenticationOptions","method":"POST","path":"/api/authentication/options","body":"{}"}]"#)
        answer = Self.send(&boundary, Self.http(answer, 1, 200, #"{"publicKey":{"challenge":"Z2V0"}}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"get","options":{"challenge":"Z2V0"},"mediation":"modal"}]"#)
        answer = Self.send(&boundary, #"{"event":"get","credential":{"id":"b25l"}}"#)
        answer = Self.send(&boundary, Self.http(answer, 2, 200, #"{"user":\#(Self.user),"rpId":"example.com"}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"signalCurrentUserDetails","rpId":"example.com","userId":"AAECAw","name":"ada@example.com","displayName":"Ada"},{"effect":"http","id":3,"request":"listPasskeys","method":"GET","path":"/api/passkeys","body":null,"user":"AAECAw"}]"#)
        answer = Self.send(&boundary, Self.http(answer, 3, 200, #"{"passkeys":[\#(Self.passkey)]}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"signalAllAcceptedCredentials","rpId":"example.com","userId":"AAECAw","allAcceptedCredentialIds":["b25l"]}]"#)
    }

    @Test("asked to sign in again, the page shows the form without asking for the session, then goes on to next")
    func signInAgain() {
        var boundary = Auth.Boundary()
        _ = Self.send(&boundary, #"{"event":"page","next":"/oauth2/authorize?client_id=app"}"#)
        var answer = Self.send(&boundary, #"{"event":"signInAgain"}"#)
        #expect(answer["effects"] == .array([]), "no GET /api/session: the session that may exist is not used")
        #expect(answer["view"]?["screen"]?.string == "signedOut")
        #expect(answer["view"]?["destination"] == .null)
        answer = Self.send(&boundary, #"{"event":"signIn"}"#)
        answer = Self.send(&boundary, Self.http(answer, 1, 200, #"{"publicKey":{"challenge":"Z2V0"}}"#))
        answer = Self.send(&boundary, #"{"event":"get","credential":{"id":"b25l"}}"#)
        answer = Self.send(&boundary, Self.http(answer, 2, 200, #"{"user":\#(Self.user),"rpId":"example.com"}"#))
        answer = Self.send(&boundary, Self.http(answer, 3, 200, #"{"passkeys":[\#(Self.passkey)]}"#))
        #expect(answer["view"]?["screen"]?.string == "signedIn")
        #expect(answer["view"]?["destination"]?.string == "/oauth2/authorize?client_id=app")
    }

    @Test("autofill asks for a conditional request, and a deleted passkey is signalled as unknown")
    func autofillUnknownCredential() {
        var boundary = Auth.Boundary(state: .signedOut(Auth.SignedOut()))
        var answer = Self.send(&boundary, #"{"event":"startAutofill"}"#)
        answer = Self.send(&boundary, Self.http(answer, 1, 200, #"{"publicKey":{"challenge":"Z2V0"}}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"get","options":{"challenge":"Z2V0"},"mediation":"conditional"}]"#)
        answer = Self.send(&boundary, #"{"event":"get","credential":{"id":"b25l"}}"#)
        answer = Self.send(&boundary, Self.http(answer, 2, 401, #"{"error":{"code":"unknown_credential","message":"gone","credentialId":"b25l","rpId":"example.com"}}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"signalUnknownCredential","rpId":"example.com","credentialId":"b25l"}]"#)
        #expect(answer["view"]?["problemCode"]?.string == "unknown_credential")
    }

    @Test("the browser's exceptions become the core's passkey failures")
    func domExceptions() {
        func failure(_ name: String, creating: Bool) -> Auth.JSON? {
            var boundary = Auth.Boundary(state: creating ? .signingUp(Auth.SignUp(username: "ada", step: .waitingForPasskey))
                : .signingIn(Auth.SignIn(step: .waitingForPasskey)))
            let event = creating ? "create" : "get"
            return Self.send(&boundary, #"{"event":"\#(event)","error":{"name":"\#(name)","message":"it broke"}}"#)["view"]?["problemCode"]
        }
        #expect(failure("InvalidStateError", creating: true) == .string("passkey_exists"), "this device already has a passkey")
        #expect(failure("InvalidStateError", creating: false) == .string("passkey_failed"))
        #expect(failure("NotAllowedError", creating: true) == .string("cancelled"))
        #expect(failure("AbortError", creating: false) == .string("sign_in_cancelled"), "or no passkey fits: browsers do not say")
        #expect(failure("SecurityError", creating: false) == .string("passkey_failed"))
    }

    @Test("no answer (status 0) is offline, and Retry-After reaches the words")
    func offlineAndRetryAfter() {
        var boundary = Auth.Boundary(state: .signedOut(Auth.SignedOut()))
        var answer = Self.send(&boundary, #"{"event":"signIn","username":"ada"}"#)
        answer = Self.send(&boundary, Self.http(answer, 1, 0, ""))
        #expect(answer["view"]?["problemCode"]?.string == "offline")
        answer = Self.send(&boundary, #"{"event":"signIn","username":"ada"}"#)
        answer = Self.send(&boundary, Self.http(answer, 2, 429, #"{"error":{"code":"rate_limited","message":"slow"}}"#, retryAfter: "12"))
        #expect(answer["view"]?["problem"]?.string == "Too many attempts. Try again in 12 seconds.")
    }

    @Test("the languages message picks the view's language")
    func languages() {
        var boundary = Auth.Boundary(state: .signedOut(Auth.SignedOut(problem: .offline)))
        let answer = Self.send(&boundary, #"{"event":"languages","languages":["fr","de-DE","ja"]}"#)
        #expect(answer["effects"] == .array([]))
        #expect(answer["view"]?["lang"]?.string == "de")
        #expect(answer["view"]?["problem"]?.string == "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.")
        #expect(boundary.language == .german)
    }

    @Test("a message the core does not understand is answered with an error, and the state stays")
    func unknown() {
        var boundary = Auth.Boundary(state: .signedOut(Auth.SignedOut()))
        #expect(Self.send(&boundary, #"{"event":"teleport"}"#).text == #"{"error":{"code":"unknown_event","message":"the core has no event \"teleport\""}}"#)
        #expect(Self.send(&boundary, "not json")["error"]?["code"]?.string == "unreadable_message")
        #expect(Self.send(&boundary, #"{"event":"signUp"}"#)["error"]?["code"]?.string == "invalid_message")
        #expect(Self.send(&boundary, #"{"event":"http","id":9,"status":200,"body":"{}"}"#)["error"]?["code"]?.string == "unknown_request")
        #expect(Self.send(&boundary, #"{"event":"languages","languages":"de"}"#)["error"]?["code"]?.string == "invalid_message")
        #expect(boundary.state == .signedOut(Auth.SignedOut()))
        #expect(boundary.language == .english)
    }

    @Test("an HTTP answer is taken once: the same ID again is unknown")
    func answeredOnce() {
        var boundary = Auth.Boundary()
        let answer = Self.send(&boundary, #"{"event":"refresh"}"#)
        _ = Self.send(&boundary, Self.http(answer, 1, 401, #"{"error":{"code":"unauthenticated","message":"no"}}"#))
        #expect(Self.send(&boundary, Self.http(answer, 1, 401, #"{"error":{"code":"unauthenticated","message":"no"}}"#))["error"]?["code"]?.string
            == "unknown_request")
    }

    @Test("rename, delete and the account's name go to their routes, IDs percent-encoded")
    func routes() {
        let table: [(Auth.APIRequest, String, String, String?)] = [
            (.renamePasskey(Auth.PasskeyID("a/b"), name: "Work"), "PATCH", "/api/passkeys/a%2Fb", #"{"name":"Work"}"#),
            (.deletePasskey(Auth.PasskeyID("b25l")), "DELETE", "/api/passkeys/b25l", nil),
            (.updateAccount(displayName: "Ada \"L\""), "PATCH", "/api/account", #"{"displayName":"Ada \"L\""}"#),
            (.deleteAccount, "DELETE", "/api/account", nil),
            (.signOut, "DELETE", "/api/session", nil),
        ]
        for (request, method, path, body) in table {
            #expect(request.http.method == method)
            #expect(request.http.path == path)
            #expect(request.http.body.map { String(decoding: $0, as: UTF8.self) } == body)
        }
    }
}

/// What the three machines' boundaries share: reading a message, `languages` and the page words.
@Suite("The boundaries of sessions and consent")
struct OtherBoundaryTests {
    static func json(_ answer: [UInt8]) -> Auth.JSON {
        Auth.JSON(parsing: answer) ?? .null
    }

    @Test("sessions and activity: `languages` answers the view and the page words in that language")
    func securityLanguages() {
        var boundary = Auth.Security.Boundary()
        let answer = Self.json(boundary.receive(Array(#"{"event":"languages","languages":["de-CH"],"utcOffsetMinutes":60}"#.utf8)))
        #expect(answer["view"]?["lang"]?.string == "de")
        #expect(answer["text"]?["security.endOtherSessions"]?.string == "Überall sonst abmelden")
        #expect(answer["text"]?["signIn.createAccount"]?.string == "Konto erstellen", "one table of page words for every part")
        #expect(answer["view"]?["labels"] == nil, "no second way to send fixed words")
        #expect(boundary.utcOffsetMinutes == 60)
    }

    @Test("sessions and activity: a failed removal says the problem belongs to the apps")
    func securityProblemPart() {
        var boundary = Auth.Security.Boundary(state: SecurityFixture.loaded)
        var answer = Self.json(boundary.receive(Array(#"{"event":"removeApp","clientId":"grafana"}"#.utf8)))
        let id = answer["effects"]?.array?.first?["id"]?.int ?? -1
        answer = Self.json(boundary.receive(Array(#"{"event":"http","id":\#(id),"status":0,"body":""}"#.utf8)))
        #expect(answer["view"]?["problemPart"]?.string == "apps")
        #expect(answer["view"]?["problem"]?.string == "Can’t reach the server. Check your connection and try again.")
    }

    @Test("sessions and activity: `load` with `user` names that account on every request; a `user` not text is refused")
    func securityActsForTheAccountShown() {
        var boundary = Auth.Security.Boundary()
        var answer = Self.json(boundary.receive(Array(#"{"event":"load"}"#.utf8)))
        #expect(answer["effects"]?.array?.count == 4)
        #expect(answer["effects"]?.array?.allSatisfy { $0["user"] == nil } == true, "no account named, none sent")
        for bad in [#"{"event":"load","user":7}"#, #"{"event":"load","user":""}"#, #"{"event":"load","user":null}"#] {
            #expect(Self.json(boundary.receive(Array(bad.utf8)))["error"]?["code"]?.string == "invalid_message", "\(bad)")
        }
        boundary = Auth.Security.Boundary(state: SecurityFixture.loaded)
        answer = Self.json(boundary.receive(Array(#"{"event":"load","user":"dXNlci1h"}"#.utf8)))
        let effects = answer["effects"]?.array ?? []
        #expect(effects.count == 4 && effects.allSatisfy { $0["user"]?.string == "dXNlci1h" })
        // The account's answers come; then an intent names the same account.
        for effect in effects {
            _ = boundary.receive(Array(#"{"event":"http","id":\#(effect["id"]?.int ?? -1),"status":0,"body":""}"#.utf8))
        }
        answer = Self.json(boundary.receive(Array(#"{"event":"endOtherSessions"}"#.utf8)))
        #expect(answer["effects"]?.array?.first?["user"]?.string == "dXNlci1h")
    }

    @Test("sessions and activity: a `load` for another account drops the lists shown of the one before")
    func securityAnotherAccountDropsTheLists() {
        var boundary = Auth.Security.Boundary(state: SecurityFixture.loaded)
        var answer = Self.json(boundary.receive(Array(#"{"event":"load","user":"dXNlci1h"}"#.utf8)))
        for effect in answer["effects"]?.array ?? [] {
            // No answer comes: the lists of the first account stay as they were.
            answer = Self.json(boundary.receive(Array(#"{"event":"http","id":\#(effect["id"]?.int ?? -1),"status":0,"body":""}"#.utf8)))
        }
        #expect(answer["view"]?["sessions"]?.array?.count == 2 && answer["view"]?["apps"]?.array?.count == 1)
        answer = Self.json(boundary.receive(Array(#"{"event":"load","user":"dXNlci1i"}"#.utf8)))
        #expect(answer["view"]?["sessions"] == .null && answer["view"]?["apps"] == .null && answer["view"]?["activity"] == .null)
        #expect(answer["effects"]?.array?.allSatisfy { $0["user"]?.string == "dXNlci1i" } == true)
        answer = Self.json(boundary.receive(Array(#"{"event":"load","user":"dXNlci1i"}"#.utf8)))
        #expect(answer["effects"]?.array?.isEmpty == true, "the same account again while loading: once it is done")
    }

    @Test("sessions and activity: `409 session_changed` tells the page another account is signed in")
    func securitySessionChanged() {
        var boundary = Auth.Security.Boundary(state: SecurityFixture.loaded)
        var answer = Self.json(boundary.receive(Array(#"{"event":"removeApp","clientId":"grafana"}"#.utf8)))
        #expect(answer["view"]?["sessionChanged"] == .bool(false))
        let id = answer["effects"]?.array?.first?["id"]?.int ?? -1
        let refusal = #"{\"error\":{\"code\":\"session_changed\",\"message\":\"another account\"}}"#
        answer = Self.json(boundary.receive(Array(#"{"event":"http","id":\#(id),"status":409,"body":"\#(refusal)"}"#.utf8)))
        #expect(answer["view"]?["sessionChanged"] == .bool(true))
        #expect(answer["view"]?["signedOut"] == .bool(false) && answer["view"]?["canStart"] == .bool(false))
        #expect(answer["effects"]?.array?.isEmpty == true)
    }

    @Test("consent: `languages` answers the page words; the view carries no fixed words")
    func consentLanguages() {
        var boundary = Auth.Consent.Boundary()
        let answer = Self.json(boundary.receive(Array(#"{"event":"languages","languages":["ja"]}"#.utf8)))
        #expect(answer["text"]?["consent.allow"]?.string == "許可")
        #expect(answer["text"]?["consent.pageTitle"]?.string == "アクセスの許可 · Passkeys")
        #expect(answer["view"]?["allow"] == nil && answer["view"]?["hint"] == nil)
    }

    @Test("consent: the decision names the account the page showed (`user`), the prompt names none")
    func consentDecisionNamesItsAccount() {
        var consent = Auth.Consent.Boundary()
        let load = Self.json(consent.receive(Array(#"{"event":"load","query":"client_id=grafana"}"#.utf8)))
        let prompt = load["effects"]?.array?.first
        #expect(prompt?["request"]?.string == "consentPrompt" && prompt?["user"] == nil)
        let asked = #"{\"client\":{\"id\":\"grafana\",\"name\":\"Grafana\"},\"scopes\":[\"openid\"],\"username\":\"ada@example.com\",\"userId\":\"YWRh\"}"#
        let id = prompt?["id"]?.int ?? 0
        let shown = Self.json(consent.receive(Array(#"{"event":"http","id":\#(id),"status":200,"body":"\#(asked)"}"#.utf8)))
        #expect(shown["view"]?["canDecide"] == .bool(true))
        let decision = Self.json(consent.receive(Array(#"{"event":"allow"}"#.utf8)))["effects"]?.array?.first
        #expect(decision?["request"]?.string == "consentDecision")
        #expect(decision?["user"]?.string == "YWRh")
    }

    @Test("every machine refuses what is not a message, and a `languages` without a list, the same way")
    func sharedRefusals() {
        var auth = Auth.Boundary()
        var security = Auth.Security.Boundary()
        var consent = Auth.Consent.Boundary()
        let sends: [([UInt8]) -> [UInt8]] = [
            { auth.receive($0) }, { security.receive($0) }, { consent.receive($0) },
        ]
        for send in sends {
            #expect(Self.json(send(Array("[1,".utf8)))["error"]?["code"]?.string == "unreadable_message")
            #expect(Self.json(send(Array(#"{"kind":"load"}"#.utf8)))["error"]?["code"]?.string == "unreadable_message")
            #expect(Self.json(send(Array(#"{"event":"languages","languages":"de"}"#.utf8)))["error"]?["code"]?.string == "invalid_message")
        }
    }
}
