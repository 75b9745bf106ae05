extension Auth {
    /// The consent page of the OpenID Provider: names the app and what it will see, and sends the
    /// person's decision. A machine of its own, like ``Security``: the server checks the
    /// authorization request again and says where the browser goes next.
    ///
    /// ```swift
    /// var state = Auth.Consent.State()
    /// Auth.Consent.update(&state, .view(.load(query: "client_id=grafana&…")))
    /// // [.api(.consentPrompt(query: "client_id=grafana&…")), .render]
    /// ```
    public enum Consent {
        /// What the server asks the person to allow (`GET /api/oidc/consent`).
        public struct Prompt: Equatable, Sendable {
            public var clientName: String
            public var scopes: [String]
            /// The signed-in account's username: who the app will sign in.
            public var username: String
            /// That account's user ID: the decision names it (`Passkeys-User`), so that it is
            /// refused (`409 session_changed`) once the browser is signed in to another account.
            public var userID: String?

            public init(clientName: String, scopes: [String], username: String, userID: String? = nil) {
                self.clientName = clientName
                self.scopes = scopes
                self.username = username
                self.userID = userID
            }
        }

        /// The server's answer to the authorization request: ask the person, or go elsewhere at once.
        public enum PromptAnswer: Equatable, Sendable {
            case ask(Prompt)
            /// Back to the app (an error the app must hear, or a consent given before).
            case redirect(String)
        }

        /// Where the browser goes next.
        public struct Destination: Equatable, Sendable {
            public var url: String
            /// Replace this page in the history (it never asked the person anything worth going back to).
            public var replace: Bool

            public init(url: String, replace: Bool) {
                self.url = url
                self.replace = replace
            }
        }

        /// What the page is doing: nothing, loading the request's prompt, or sending the person's
        /// decision.
        public enum Work: Equatable, Sendable {
            case idle
            case loading
            case deciding(allow: Bool)
        }

        /// The consent page's state.
        public struct State: Equatable, Sendable {
            /// The authorization request's query string, as the page received it.
            public var query: String?
            public var prompt: Prompt?
            public var work: Work
            public var problem: Problem?
            /// Set once the page must leave; nothing else happens after it.
            public var destination: Destination?

            public init(
                query: String? = nil, prompt: Prompt? = nil, work: Work = .idle, problem: Problem? = nil,
                destination: Destination? = nil
            ) {
                self.query = query
                self.prompt = prompt
                self.work = work
                self.problem = problem
                self.destination = destination
            }
        }

        /// What the person does on the page.
        public enum Intent: Equatable, Sendable {
            /// The page opened with this authorization request.
            case load(query: String)
            case allow
            case deny
        }

        /// What the state machine is told: the person's intent, or the server's answer.
        public enum Event: Equatable, Sendable {
            case view(Intent)
            case api(APIResponse)
        }

        public static func update(_ state: inout State, _ event: Event) -> [Effect] {
            guard state.destination == nil else { return [] }
            switch (state.work, event) {
            case (.idle, .view(.load(let query))) where state.query == nil:
                state.query = query
                state.work = .loading
                return [.api(.consentPrompt(query: query)), .render]

            case (.loading, .api(.consentPrompt(let result))):
                state.work = .idle
                switch result {
                case .success(.ask(let prompt)):
                    state.prompt = prompt
                case .success(.redirect(let url)):
                    state.destination = Destination(url: url, replace: true)
                case .failure(let failure):
                    fail(failure, &state)
                }
                return [.render]

            case (.idle, .view(let intent)) where intent == .allow || intent == .deny:
                guard let query = state.query, state.prompt != nil else { return [] }
                state.work = .deciding(allow: intent == .allow)
                state.problem = nil
                return [.api(.consentDecision(query: query, allow: intent == .allow)), .render]

            case (.deciding, .api(.consentDecision(let result))):
                state.work = .idle
                switch result {
                case .success(let url):
                    state.destination = Destination(url: url, replace: false)
                case .failure(let failure) where failure.isSessionChanged:
                    // Signed in to another account in another window since the page asked: nothing
                    // was decided. Ask again, for the account signed in now, and say why.
                    guard let query = state.query else { return [.render] }
                    state.prompt = nil
                    state.work = .loading
                    state.problem = .accountChanged
                    return [.api(.consentPrompt(query: query)), .render]
                case .failure(let failure):
                    fail(failure, &state)
                }
                return [.render]

            default:
                return []
            }
        }

        /// A session that ended goes to sign-in, and from there back to this authorization request.
        private static func fail(_ failure: APIFailure, _ state: inout State) {
            if failure.isUnauthenticated, let query = state.query {
                state.destination = Destination(url: signInPath(next: "/oauth2/authorize?" + query), replace: true)
            } else {
                state.problem = Problem(failure)
            }
        }

        /// `/?next=…` with `next` percent-encoded as a query value (`/` kept, as the pages write it).
        static func signInPath(next: String) -> String {
            let hex = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            for byte in next.utf8 {
                switch byte {
                case 48...57, 65...90, 97...122, 45, 46, 95, 126, 47: out.append(byte)
                default: out.append(contentsOf: [37, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                }
            }
            return "/?next=" + String(decoding: out, as: UTF8.self)
        }

        /// What the consent page shows, in words.
        public struct View: Equatable, Sendable {
            /// `Allow Grafana?`, or `Allow access?` before the app is known.
            public var title: String
            /// `Grafana wants to sign you in as ada@example.com. It will see:`, in parts so the
            /// names can stand out; `nil` until the prompt is loaded.
            public var lede: Lede?
            /// What the app will see, one line per scope; `nil` until loaded.
            public var scopes: [ScopeRow]?
            /// Whether Allow and Deny can be pressed.
            public var canDecide: Bool
            public var progress: String?
            public var problem: String?
            /// Where the page goes now, if it leaves.
            public var destination: Destination?
        }

        /// The lede's text around the app's name and the username.
        public struct Lede: Equatable, Sendable {
            public var beforeClient: String
            public var client: String
            public var beforeUser: String
            public var user: String
            public var afterUser: String

            public init(beforeClient: String, client: String, beforeUser: String, user: String, afterUser: String) {
                self.beforeClient = beforeClient
                self.client = client
                self.beforeUser = beforeUser
                self.user = user
                self.afterUser = afterUser
            }
        }

        /// One scope, in words (a scope the core does not know is shown as it is).
        public struct ScopeRow: Equatable, Sendable {
            public var scope: String
            public var words: String
        }

        /// Everything the consent page says, before it is put into a language.
        public enum Phrase: Equatable, Sendable {
            /// The heading: with the app's name once known.
            case title(app: String?)
            case ledeBeforeClient
            case ledeBeforeUser
            case ledeAfterUser
            /// A scope's words; `nil` from a language for a scope it does not know.
            case scope(String)
            case loading
            case deciding
        }

        public static func view(_ state: State, in language: Language = .english) -> View {
            let say = { (phrase: Phrase) in language(.consent(phrase)) }
            let progress: Phrase? = switch state.work {
            case .idle: nil
            case .loading: .loading
            case .deciding: .deciding
            }
            return View(
                title: say(.title(app: state.prompt?.clientName)),
                lede: state.prompt.map { prompt in
                    Lede(
                        beforeClient: say(.ledeBeforeClient), client: prompt.clientName, beforeUser: say(.ledeBeforeUser),
                        user: prompt.username, afterUser: say(.ledeAfterUser))
                },
                scopes: state.prompt?.scopes.map { scope in
                    let words = say(.scope(scope))
                    return ScopeRow(scope: scope, words: words.isEmpty ? scope : words)
                },
                canDecide: state.work == .idle && state.prompt != nil && state.destination == nil,
                progress: progress.map(say),
                problem: state.problem?.words(in: language),
                destination: state.destination)
        }
    }
}
