extension Auth.Security {
    /// ``Auth/Security`` behind a boundary of JSON text, as ``Auth/Boundary`` is for the sign-in
    /// flow (docs/client-core.md, "Sessions and activity"): one message in, the effects to perform
    /// and the view (when it changed) out.
    public struct Boundary: Sendable {
        public private(set) var state: State
        public private(set) var language: Auth.Language
        /// Minutes east of UTC that times are shown in.
        public private(set) var utcOffsetMinutes: Int
        private var requests = Auth.Boundary.Requests()
        /// The account the page shows (its user ID), from `load`: every request names it
        /// (`Passkeys-User`), so a page left open on one account never acts on another.
        private var user: String?

        public init(state: State = State(), language: Auth.Language = .english, utcOffsetMinutes: Int = 0) {
            self.state = state
            self.language = language
            self.utcOffsetMinutes = utcOffsetMinutes
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
                if let offset = json["utcOffsetMinutes"]?.int, (-1440...1440).contains(offset) { utcOffsetMinutes = offset }
                return Auth.Boundary.withText(output([.render]), in: language)
            case "load":
                if let named = json["user"] {
                    guard let user = named.string, !user.isEmpty else {
                        return Auth.Boundary.error("invalid_message", "\"load\"'s \"user\" must be the account's user ID")
                    }
                    if let shown = self.user, shown != user {
                        // Another account: nothing of the one shown before stays on the page.
                        state.sessions = nil
                        state.activity = nil
                        state.nextPage = nil
                        state.apps = nil
                        state.passkeys = nil
                    }
                    self.user = user
                }
                event = .view(.load)
            case "endSession":
                guard let id = json["id"]?.string else {
                    return Auth.Boundary.error("invalid_message", "\"endSession\" needs the string \"id\"")
                }
                event = .view(.endSession(id: id))
            case "endOtherSessions": event = .view(.endOtherSessions)
            case "moreActivity": event = .view(.moreActivity)
            case "removeApp":
                guard let clientID = json["clientId"]?.string else {
                    return Auth.Boundary.error("invalid_message", "\"removeApp\" needs the string \"clientId\"")
                }
                event = .view(.removeApp(clientID: clientID))
            case "dismiss": event = .view(.dismiss)
            case "http":
                switch requests.answer(json) {
                case .success(let response): event = .api(response)
                case .failure(let failure): return failure.answer
                }
            default:
                return Auth.Boundary.error("unknown_event", "sessions and activity have no event \"\(kind)\"")
            }
            return output(update(&state, event))
        }

        /// The `http` effects (the only ones this machine asks for), and the view when it is to render.
        private mutating func output(_ effects: [Auth.Effect]) -> Auth.JSON {
            var written: [Auth.JSON] = []
            for case .api(let request) in effects { written.append(requests.send(request, user: user)) }
            let render = effects.contains(.render)
            var members: [(String, Auth.JSON)] = [("effects", .array(written))]
            if render { members.append(("view", Self.json(view(state, in: language, utcOffsetMinutes: utcOffsetMinutes), language))) }
            return .object(members)
        }

        private static func json(_ view: View, _ language: Auth.Language) -> Auth.JSON {
            typealias J = Auth.JSON
            let sessions: J = view.sessions.map { rows in
                .array(rows.map { row in
                    .object([
                        ("id", .string(row.id)), ("device", .string(row.device)), ("current", .optional(row.currentLabel)),
                        ("details", .string(row.details)), ("createdAt", .string(row.createdAt)),
                        ("lastSeenAt", .string(row.lastSeenAt)), ("canEnd", .bool(row.canEnd)), ("busy", .bool(row.isBusy)),
                    ])
                })
            } ?? .null
            let activity: J = view.activity.map { rows in
                .array(rows.map { row in
                    .object([("type", .string(row.type)), ("title", .string(row.title)), ("details", .string(row.details)), ("at", .string(row.at))])
                })
            } ?? .null
            let apps: J = view.apps.map { rows in
                .array(rows.map { row in
                    .object([
                        ("clientId", .string(row.clientID)), ("name", .string(row.name)), ("details", .string(row.details)),
                        ("removeLabel", .string(row.removeLabel)), ("canRemove", .bool(row.canRemove)), ("busy", .bool(row.isBusy)),
                    ])
                })
            } ?? .null
            return .object([
                ("lang", .string(language.code)), ("signedOut", .bool(view.signedOut)), ("sessionChanged", .bool(view.sessionChanged)),
                ("progress", .optional(view.progress)), ("problem", .optional(view.problem)), ("problemPart", .string(view.problemPart.rawValue)), ("notice", .optional(view.notice)),
                ("sessions", sessions), ("sessionSummary", .optional(view.sessionSummary)),
                ("canEndOtherSessions", .bool(view.canEndOtherSessions)), ("activity", activity),
                ("canLoadMore", .bool(view.canLoadMore)), ("apps", apps), ("canStart", .bool(view.canStart)),
            ])
        }
    }
}
