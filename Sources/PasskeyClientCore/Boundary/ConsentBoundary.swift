extension Auth.Consent {
    /// ``Auth/Consent`` behind a boundary of JSON text, as ``Auth/Boundary`` is for the sign-in
    /// flow (docs/client-core.md, "The consent page").
    public struct Boundary: Sendable {
        public private(set) var state: State
        public private(set) var language: Auth.Language
        private var requests = Auth.Boundary.Requests()

        public init(state: State = State(), language: Auth.Language = .english) {
            self.state = state
            self.language = language
        }

        /// Takes one message (UTF-8 JSON text) and returns the answer (UTF-8 JSON text).
        public mutating func receive(_ message: [UInt8]) -> [UInt8] {
            answer(message).utf8
        }

        /// Takes one message and returns the answer.
        public mutating func answer(_ message: [UInt8]) -> Auth.JSON {
            let (kind, json): (String, Auth.JSON)
            switch Auth.Boundary.open(message) {
            case .success(let opened): (kind, json) = opened
            case .failure(let failure): return failure.answer
            }
            let event: Event
            switch kind {
            case "languages":
                switch Auth.Boundary.languages(json) {
                case .success(let chosen): language = chosen
                case .failure(let failure): return failure.answer
                }
                return Auth.Boundary.withText(output([.render]), in: language)
            case "load":
                guard let query = json["query"]?.string else {
                    return Auth.Boundary.error("invalid_message", "\"load\" needs the string \"query\"")
                }
                event = .view(.load(query: query))
            case "allow": event = .view(.allow)
            case "deny": event = .view(.deny)
            case "http":
                switch requests.answer(json) {
                case .success(let response): event = .api(response)
                case .failure(let failure): return failure.answer
                }
            default:
                return Auth.Boundary.error("unknown_event", "the consent page has no event \"\(kind)\"")
            }
            return output(update(&state, event))
        }

        /// The `http` effects (the only ones this machine asks for), and the view when it is to render.
        private mutating func output(_ effects: [Auth.Effect]) -> Auth.JSON {
            var written: [Auth.JSON] = []
            for case .api(let request) in effects {
                // The decision names the account the page showed; the prompt asks who is signed in.
                let user = if case .consentDecision = request { state.prompt?.userID } else { String?.none }
                written.append(requests.send(request, user: user))
            }
            let render = effects.contains(.render)
            var members: [(String, Auth.JSON)] = [("effects", .array(written))]
            if render { members.append(("view", Self.json(view(state, in: language), language))) }
            return .object(members)
        }

        private static func json(_ view: View, _ language: Auth.Language) -> Auth.JSON {
            typealias J = Auth.JSON
            let lede: J = view.lede.map { lede in
                .object([
                    ("beforeClient", .string(lede.beforeClient)), ("client", .string(lede.client)),
                    ("beforeUser", .string(lede.beforeUser)), ("user", .string(lede.user)), ("afterUser", .string(lede.afterUser)),
                ])
            } ?? .null
            let scopes: J = view.scopes.map { rows in
                .array(rows.map { .object([("scope", .string($0.scope)), ("words", .string($0.words))]) })
            } ?? .null
            let destination: J = view.destination.map {
                .object([("url", .string($0.url)), ("replace", .bool($0.replace))])
            } ?? .null
            return .object([
                ("lang", .string(language.code)), ("title", .string(view.title)),
                ("lede", lede), ("scopes", scopes), ("canDecide", .bool(view.canDecide)),
                ("progress", .optional(view.progress)), ("problem", .optional(view.problem)), ("destination", destination),
            ])
        }
    }
}
