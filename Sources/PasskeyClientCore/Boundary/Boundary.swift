extension Auth {
    /// The core behind a boundary of JSON text, for a shell that cannot hold Swift values: the
    /// browser, which runs the core compiled to WebAssembly (docs/client-core.md).
    ///
    /// The shell sends one message at a time — a person's intent, the answer to an effect, or the
    /// person's languages — and gets back the effects to perform and, when the view changed, the
    /// view to show, its words in the chosen language. Nothing here decides the flow: each message
    /// becomes one ``Event`` for ``update(_:_:)``.
    public struct Boundary: Sendable {
        public private(set) var state: State
        public private(set) var language: Language
        /// The HTTP requests sent out and not answered yet, by the ID the shell repeats.
        private var requests = Requests()
        /// The page's `?next=`, as a `page` message gave it: where the view's `destination` leads.
        public private(set) var next: String?

        public init(state: State = .initial, language: Language = .english) {
            self.state = state
            self.language = language
        }

        /// Takes one message (UTF-8 JSON text) and returns the answer (UTF-8 JSON text).
        public mutating func receive(_ message: [UInt8]) -> [UInt8] {
            answer(message).utf8
        }

        /// Takes one message and returns the answer.
        public mutating func answer(_ message: [UInt8]) -> JSON {
            let (kind, json): (String, JSON)
            switch Self.open(message) {
            case .success(let opened): (kind, json) = opened
            case .failure(let failure): return failure.answer
            }
            if kind == "languages" {
                switch Self.languages(json) {
                case .success(let chosen): language = chosen
                case .failure(let failure): return failure.answer
                }
                return Self.withText(output([.render]), in: language)
            }
            if kind == "page" {
                // `{"event": "page", "next": "/x" | null}`: the page's `?next=`, read by the shell.
                next = json["next"]?.string
                return output([])
            }
            switch Self.event(kind, json, answering: &requests) {
            case .success(let event): return output(Auth.update(&state, event))
            case .failure(let failure): return failure.answer
            }
        }

        // MARK: What every machine's boundary shares

        /// A message read as one JSON object with its `event` member.
        static func open(_ message: [UInt8]) -> Result<(kind: String, json: JSON), MessageError> {
            guard let json = JSON(parsing: message), let kind = json["event"]?.string else {
                return .failure(MessageError(code: "unreadable_message", message: "a message is one JSON object with an \"event\" member"))
            }
            return .success((kind, json))
        }

        /// The language a `{"event": "languages", "languages": [tags, most wanted first]}` message asks for.
        static func languages(_ json: JSON) -> Result<Language, MessageError> {
            guard let tags = json["languages"]?.array?.compactMap({ $0.string }) else {
                return .failure(MessageError(code: "invalid_message", message: "\"languages\" needs a list of language tags"))
            }
            return .success(Language.preferred(tags))
        }

        /// The answer to `languages`, with the pages' fixed words (``Label``) in `language` as its
        /// `text`: once per language, the shell marks elements with their keys (`data-text`).
        static func withText(_ answer: JSON, in language: Language) -> JSON {
            guard case .object(var members) = answer else { return answer }
            members.append(("text", .object(Label.all.map { ($0.key, .string(language(.label($0)))) }
                + AccountPhrase.labels.map { ($0.key, .string(language(.account($0.phrase)))) })))
            return .object(members)
        }

        /// The effects as JSON, HTTP requests numbered, and the view when one of them is to render.
        private mutating func output(_ effects: [Effect]) -> JSON {
            var written: [JSON] = []
            var render = false
            for effect in effects {
                switch effect {
                case .render:
                    render = true
                case .api(let request):
                    // Signed in, every request but the session's own check acts for the account shown.
                    written.append(requests.send(request, user: request == .session ? nil : state.signedInUser))
                case .passkey(let request):
                    written.append(Self.json(request))
                }
            }
            var members: [(String, JSON)] = [("effects", .array(written))]
            if render {
                members.append(("view", Self.json(Auth.view(state, in: language), state: state, language: language, next: next)))
            }
            return .object(members)
        }

        // MARK: Messages in

        /// The HTTP requests the shell was asked to send and that are not answered yet, each by the
        /// ID its answer repeats. Every machine's boundary keeps its own.
        struct Requests: Sendable {
            private var pending: [(id: Int, request: APIRequest)] = []
            private var lastID = 0

            /// The `http` effect that asks the shell to send `request`, numbered; with `user`, the
            /// account it acts for, which the shell sends as `Passkeys-User` (the server refuses the
            /// request with `409 session_changed` when the browser's session is another account's).
            mutating func send(_ request: APIRequest, user: String? = nil) -> JSON {
                lastID += 1
                pending.append((lastID, request))
                let http = request.http
                var members: [(String, JSON)] = [
                    ("effect", .string("http")), ("id", .number("\(lastID)")), ("request", .string(request.name)),
                    ("method", .string(http.method)), ("path", .string(http.path)),
                    ("body", http.body.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
                ]
                if let user { members.append(("user", .string(user))) }
                return .object(members)
            }

            /// `{"event": "http", "id", "status", "retryAfter", "body"}`; status 0 means no answer came.
            mutating func answer(_ json: JSON) -> Result<APIResponse, MessageError> {
                guard let id = json["id"]?.int, let status = json["status"]?.int else {
                    return .failure(MessageError(code: "invalid_message", message: "\"http\" needs the numbers \"id\" and \"status\""))
                }
                guard let index = pending.firstIndex(where: { $0.id == id }) else {
                    return .failure(MessageError(code: "unknown_request", message: "no HTTP request \(id) is waiting for an answer"))
                }
                let request = pending.remove(at: index).request
                if status == 0 {
                    return .success(APIResponse(answering: request, failure: .offline))
                }
                let body = Array((json["body"]?.string ?? "").utf8)
                return .success(APIResponse(answering: request, status: status, retryAfter: json["retryAfter"]?.string, body: body))
            }
        }

        struct MessageError: Error {
            var code: String
            var message: String

            /// The `{"error": {"code", "message"}}` answer.
            var answer: JSON { Boundary.error(code, message) }
        }

        private static func event(_ kind: String, _ json: JSON, answering requests: inout Requests) -> Result<Event, MessageError> {
            func text(_ name: String) -> Result<String, MessageError> {
                guard let value = json[name]?.string else {
                    return .failure(MessageError(code: "invalid_message", message: "\"\(kind)\" needs the string \"\(name)\""))
                }
                return .success(value)
            }
            switch kind {
            case "refresh": return .success(.view(.refresh))
            case "signInAgain": return .success(.view(.signInAgain))
            case "signUp":
                return text("username").map {
                    .view(.signUp(username: $0, displayName: json["displayName"]?.string, email: json["email"]?.bool ?? false))
                }
            case "signIn": return .success(.view(.signIn(username: json["username"]?.string)))
            case "startAutofill": return .success(.view(.startAutofill))
            case "addPasskey": return .success(.view(.addPasskey))
            case "renamePasskey":
                return text("id").flatMap { id in text("name").map { .view(.renamePasskey(PasskeyID(id), name: $0)) } }
            case "deletePasskey": return text("id").map { .view(.deletePasskey(PasskeyID($0))) }
            case "changeDisplayName": return text("name").map { .view(.changeDisplayName($0)) }
            case "deleteAccount": return .success(.view(.deleteAccount))
            case "signOut": return .success(.view(.signOut))
            case "cancel": return .success(.view(.cancel))
            case "dismissProblem": return .success(.view(.dismissProblem))
            case "confirmEmail": return text("code").map { .view(.confirmEmail(code: $0, proof: json["proof"]?.string)) }
            case "resendEmailCode": return .success(.view(.resendEmailCode))
            case "removePassword": return .success(.view(.removePassword))
            case "signInWithPassword":
                return text("username").flatMap { username in text("password").map { .view(.signInWithPassword(username: username, password: $0)) } }
            case "requestRecoveryCode": return text("email").map { .view(.requestRecoveryCode(email: $0)) }
            case "redeemRecoveryCode":
                return text("email").flatMap { email in
                    text("code").map { .view(.redeemRecoveryCode(email: email, code: $0, proof: json["proof"]?.string)) }
                }
            case "http": return requests.answer(json).map { .api($0) }
            case "create": return .success(.passkey(.create(passkeyAnswer(json, creating: true).map { RegistrationCredentialJSON(utf8: $0) })))
            case "get": return .success(.passkey(.get(passkeyAnswer(json, creating: false).map { AuthenticationCredentialJSON(utf8: $0) })))
            default: return .failure(MessageError(code: "unknown_event", message: "the core has no event \"\(kind)\""))
            }
        }


        /// `{"event": "create" | "get", "credential": {…}}` or `{…, "error": {"name", "message"}}`,
        /// the `DOMException` the browser raised. `credential: null` (a conditional request that
        /// ended without one) is a cancellation.
        private static func passkeyAnswer(_ json: JSON, creating: Bool) -> Result<[UInt8], PasskeyFailure> {
            if let credential = json["credential"], case .object = credential {
                return .success(credential.utf8)
            }
            guard let error = json["error"] else { return .failure(.cancelled) }
            let message = error["message"]?.string ?? ""
            switch error["name"]?.string {
            case "NotAllowedError", "AbortError": return .failure(.cancelled)
            // WebAuthn §5.1.3 step 20: an authenticator holding an excluded credential answers InvalidStateError.
            case "InvalidStateError" where creating: return .failure(.excludedCredentialExists)
            default: return .failure(.failed(message.isEmpty ? (error["name"]?.string ?? "unknown error") : message))
            }
        }

        // MARK: Messages out

        static func error(_ code: String, _ message: String) -> JSON {
            .object([("error", .object([("code", .string(code)), ("message", .string(message))]))])
        }

        private static func json(_ request: PasskeyRequest) -> JSON {
            func options(_ utf8: [UInt8]) -> JSON { JSON(parsing: utf8) ?? .null }
            switch request {
            case .create(let creation):
                return .object([("effect", .string("create")), ("options", options(creation.utf8))])
            case .conditionalCreate(let creation):
                return .object([("effect", .string("create")), ("options", options(creation.utf8)), ("mediation", .string("conditional"))])
            case .get(let requestOptions, let mediation):
                return .object([
                    ("effect", .string("get")), ("options", options(requestOptions.utf8)),
                    ("mediation", .string(mediation == .conditional ? "conditional" : "modal")),
                ])
            case .cancel:
                return .object([("effect", .string("cancel"))])
            case .signalUnknownCredential(let rpID, let credentialID):
                return .object([
                    ("effect", .string("signalUnknownCredential")), ("rpId", .string(rpID)), ("credentialId", .string(credentialID)),
                ])
            case .signalAllAcceptedCredentials(let rpID, let userID, let credentialIDs):
                return .object([
                    ("effect", .string("signalAllAcceptedCredentials")), ("rpId", .string(rpID)), ("userId", .string(userID)),
                    ("allAcceptedCredentialIds", .array(credentialIDs.map { .string($0) })),
                ])
            case .signalCurrentUserDetails(let rpID, let userID, let name, let displayName):
                return .object([
                    ("effect", .string("signalCurrentUserDetails")), ("rpId", .string(rpID)), ("userId", .string(userID)),
                    ("name", .string(name)), ("displayName", .string(displayName)),
                ])
            }
        }

        private static func json(_ model: ViewModel, state: State, language: Language, next: String?) -> JSON {
            let screen = switch model.screen {
            case .loading: "loading"
            case .signedOut: "signedOut"
            case .signedIn: "signedIn"
            }
            var account = JSON.null
            if let row = model.account, case .signedIn(let signedIn) = state {
                let passkeys: JSON = signedIn.passkeys.map { list in
                    .array(zip(list, row.passkeys ?? []).map { passkey, shown in
                        .object([
                            ("id", .string(passkey.id.base64URL)), ("name", .string(shown.name)),
                            ("details", .string(shown.details)), ("provider", .string(passkey.providerName(in: language))),
                            ("synced", .bool(passkey.synced)), ("busy", .bool(shown.isBusy)),
                            ("backup", .string(language(.label(passkey.backupLabel)))),
                            ("createdAt", .string(passkey.createdAt)), ("created", .string(passkey.day(passkey.createdAt, in: language))),
                            ("lastUsedAt", .optional(passkey.lastUsedAt)),
                            ("lastUsed", .string(passkey.lastUsedAt.map { passkey.day($0, in: language) } ?? language(.label(.never)))),
                            ("confirmDelete", .string(language(.confirmDeletePasskey(shown.name)))),
                        ])
                    })
                } ?? .null
                account = .object([
                    ("userId", .optional(state.signedInUser)), ("username", .string(row.username)), ("displayName", .string(row.displayName)),
                    ("greeting", .string(language(.greeting(row.displayName.isEmpty ? row.username : row.displayName)))),
                    ("confirmDelete", .string(language(.confirmDeleteAccount(row.username)))),
                    ("passkeyCount", signedIn.passkeys.map { .string(language(.passkeyCount($0.count))) } ?? .null),
                    ("passkeys", passkeys),
                ] + row.offers.json)
            }
            return .object([
                ("lang", .string(language.code)), ("screen", .string(screen)),
                ("progress", .optional(model.progress)), ("problem", .optional(model.problem)),
                ("problemCode", .optional(state.shownProblem?.code)), ("notice", .optional(model.notice)),
                ("canCancel", .bool(model.canCancel)), ("canStart", .bool(model.canStart)),
                ("offersAutofill", .bool(model.offersAutofill)), ("codeSent", .bool(model.codeSent)),
                ("toAccount", .bool(model.toAccount)),
                // Signed in: where the page goes (Destination.swift), decided here so no shell decides it.
                ("destination", model.screen == .signedIn ? .string(Destination.afterSignIn(next: next, toAccount: model.toAccount, recovery: state.isRecovery)) : .null),
                ("account", account),
            ])
        }
    }
}

extension Auth.State {
    /// The signed-in account's user ID, the one the page shows.
    var signedInUser: String? {
        if case .signedIn(let account) = self { account.user.id } else { nil }
    }

    /// Signed in with a recovery session.
    var isRecovery: Bool {
        if case .signedIn(let account) = self { account.status.recovery } else { false }
    }

    /// The problem the view shows, signed in or out.
    var shownProblem: Auth.Problem? {
        switch self {
        case .signedOut(let signedOut): signedOut.problem
        case .signedIn(let account): account.problem
        case .signingIn(let signIn) where signIn.mediation == .conditional && signIn.step != .finishing: signIn.problem
        default: nil
        }
    }
}

extension Auth.Passkey {
    /// The badge saying whether it is backed up.
    var backupLabel: Auth.Label {
        synced ? .synced : backupEligible ? .notBackedUp : .thisDeviceOnly
    }

    /// The day of an ISO-8601 time in `language`; a time that is not ISO-8601 as it came.
    func day(_ time: String, in language: Auth.Language) -> String {
        Auth.Day(iso8601: time).map { language(.day($0)) } ?? time
    }
}
