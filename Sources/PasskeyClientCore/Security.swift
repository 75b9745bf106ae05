extension Auth {
    /// The account page's second part: where the account is signed in (ending those sessions), the
    /// apps allowed to sign in with it (removing their access), and what happened to it lately. A state machine of its own beside ``update(_:_:)``: it needs a
    /// session, and says so (``State/signedOut``) when there is none, but shares nothing else with
    /// the passkey flow.
    ///
    /// ```swift
    /// var state = Auth.Security.State()
    /// Auth.Security.update(&state, .view(.load))
    /// // [.api(.listPasskeys), .api(.listSessions), .api(.activity(before: nil)), .api(.listApps), .render]
    /// ```
    public enum Security {
        /// The sessions, the activity loaded so far, and what is in flight.
        public struct State: Equatable, Sendable {
            /// The account's sessions, oldest first; `nil` until loaded.
            public var sessions: [SessionInfo]?
            /// The activity log, newest first, as far as it was loaded; `nil` until loaded.
            public var activity: [ActivityEntry]?
            /// The cursor of the next, older page; `nil` when there is none.
            public var nextPage: String?
            /// The apps the person allowed; `nil` until loaded.
            public var apps: [AppAccess]?
            /// The account's passkeys, to name the one that opened a session or that an event
            /// concerns; `nil` until loaded.
            public var passkeys: [Passkey]?
            public var work: Work
            /// The problem that ended the last thing asked for, if one did.
            public var problem: Problem?
            /// The part of the page the problem concerns, so it is shown there.
            public var problemPart: Part = .sessions
            /// What the last thing asked for did, to confirm it.
            public var notice: Notice?
            /// The server answered `401 unauthenticated`: nobody is signed in (any more).
            public var signedOut: Bool
            /// The server answered `409 session_changed`: the browser's session is another
            /// account's now (signed in from another tab) than the one the page acts for, so the
            /// shell shows the page again for the account signed in now.
            public var sessionChanged: Bool
            /// ``Intent/load`` came while something was in flight: load again once it is done, so
            /// that a change made meanwhile is not missed.
            public var reloadRequested: Bool

            public init(
                sessions: [SessionInfo]? = nil, activity: [ActivityEntry]? = nil, nextPage: String? = nil,
                apps: [AppAccess]? = nil, passkeys: [Passkey]? = nil, work: Work = .idle, problem: Problem? = nil, notice: Notice? = nil,
                signedOut: Bool = false, sessionChanged: Bool = false, reloadRequested: Bool = false
            ) {
                self.sessions = sessions
                self.activity = activity
                self.nextPage = nextPage
                self.apps = apps
                self.passkeys = passkeys
                self.work = work
                self.problem = problem
                self.notice = notice
                self.signedOut = signedOut
                self.sessionChanged = sessionChanged
                self.reloadRequested = reloadRequested
            }
        }

        /// What the machine waits for. One thing at a time: intents are taken only when ``idle``.
        public enum Work: Equatable, Sendable {
            case idle
            /// The four lists, with the answers still missing.
            case loading(Missing)
            case endingSession(id: String)
            case endingOtherSessions
            case removingApp(clientID: String)
            /// The next page of the activity log.
            case loadingMore
        }

        /// Which of the four lists a load still waits for.
        public struct Missing: Equatable, Sendable {
            public var passkeys: Bool
            public var sessions: Bool
            public var activity: Bool
            public var apps: Bool

            public init(passkeys: Bool = true, sessions: Bool = true, activity: Bool = true, apps: Bool = true) {
                self.passkeys = passkeys
                self.sessions = sessions
                self.activity = activity
                self.apps = apps
            }

            var isEmpty: Bool { !passkeys && !sessions && !activity && !apps }
        }

        /// A part of what this machine shows.
        public enum Part: String, Equatable, Sendable {
            case sessions, activity, apps
        }

        /// A confirmation of what was done.
        public enum Notice: Equatable, Sendable {
            /// One session ended; the device it was on, as shown.
            case endedSession(SessionInfo)
            case endedOtherSessions
            /// An app's access was removed; its name.
            case removedApp(String)
        }

        /// What the person asks for.
        public enum Intent: Equatable, Sendable {
            /// Load (or load again) the sessions, the apps and the newest activity.
            case load
            /// End another session of the account (this one ends by signing out).
            case endSession(id: String)
            /// End every session but this one.
            case endOtherSessions
            /// Load the next, older page of the activity log.
            case moreActivity
            /// Remove an app's access: forget the consent, end its tokens.
            case removeApp(clientID: String)
            /// The person has read the problem or the confirmation.
            case dismiss
        }

        /// A person's intent, or the answer to an ``Effect/api(_:)`` effect.
        public enum Event: Equatable, Sendable {
            case view(Intent)
            case api(APIResponse)
        }

        /// The requests that load the four lists.
        static let loadRequests: [Effect] = [.api(.listPasskeys), .api(.listSessions), .api(.activity(before: nil)), .api(.listApps)]

        /// Applies one event and returns the effects, in order. An intent while something is in
        /// flight, or an answer nothing waits for, changes nothing.
        public static func update(_ state: inout State, _ event: Event) -> [Effect] {
            // Signed out, or another account signed in: the shell leaves or shows the page again,
            // and nothing more is asked for this account meanwhile.
            if case .view = event, state.signedOut || state.sessionChanged { return [] }
            switch (state.work, event) {
            case (.idle, .view(let intent)):
                return take(intent, &state)

            case (.loading(var missing), .api(let response)):
                switch response {
                case .listPasskeys(let result) where missing.passkeys:
                    missing.passkeys = false
                    if case .success(let passkeys) = result { state.passkeys = passkeys }
                case .listSessions(let result) where missing.sessions:
                    missing.sessions = false
                    if case .success(let sessions) = result { state.sessions = sessions }
                case .activity(let result) where missing.activity:
                    missing.activity = false
                    if case .success(let page) = result {
                        state.activity = page.events
                        state.nextPage = page.next
                    }
                case .listApps(let result) where missing.apps:
                    missing.apps = false
                    if case .success(let apps) = result { state.apps = apps }
                default:
                    return []
                }
                state.work = missing.isEmpty ? .idle : .loading(missing)
                if let failure = response.failure {
                    let part: Part = switch response {
                    case .activity: .activity
                    case .listApps: .apps
                    default: .sessions
                    }
                    fail(failure, &state, in: part)
                }
                return settle(&state)

            case (.endingSession(let id), .api(.endSession(let result))):
                let ended = state.sessions?.first { $0.id == id }
                switch result {
                case .success:
                    return reload(&state, notice: ended.map { .endedSession($0) })
                case .failure(let failure) where failure.isNotFound:
                    // It had ended already, which is what was asked for.
                    return reload(&state, notice: ended.map { .endedSession($0) })
                case .failure(let failure):
                    state.work = .idle
                    fail(failure, &state, in: .sessions)
                    return settle(&state)
                }

            case (.endingOtherSessions, .api(.endOtherSessions(let result))):
                switch result {
                case .success:
                    return reload(&state, notice: .endedOtherSessions)
                case .failure(let failure):
                    state.work = .idle
                    fail(failure, &state, in: .sessions)
                    return settle(&state)
                }

            case (.removingApp(let clientID), .api(.removeApp(let result))):
                let removed = state.apps?.first { $0.clientID == clientID }
                switch result {
                case .success:
                    return reload(&state, notice: removed.map { .removedApp($0.name) })
                case .failure(let failure) where failure.isNotFound:
                    // Removed already (elsewhere): what was asked for.
                    return reload(&state, notice: removed.map { .removedApp($0.name) })
                case .failure(let failure):
                    state.work = .idle
                    fail(failure, &state, in: .apps)
                    return settle(&state)
                }

            case (.loadingMore, .api(.activity(let result))):
                state.work = .idle
                switch result {
                case .success(let page):
                    state.activity = (state.activity ?? []) + page.events
                    state.nextPage = page.next
                case .failure(let failure):
                    fail(failure, &state, in: .activity)
                }
                return settle(&state)

            case (_, .view(.load)) where !state.reloadRequested:
                state.reloadRequested = true
                return []

            default:
                return []
            }
        }

        private static func take(_ intent: Intent, _ state: inout State) -> [Effect] {
            switch intent {
            case .load:
                state.problem = nil
                return reload(&state, notice: nil)
            case .endSession(let id):
                // This session ends by signing out, which the passkey flow does; the view offers
                // only the others.
                guard let session = state.sessions?.first(where: { $0.id == id }), !session.current else { return [] }
                state.work = .endingSession(id: id)
                state.problem = nil
                state.notice = nil
                return [.api(.endSession(id: id)), .render]
            case .endOtherSessions:
                guard state.sessions?.contains(where: { !$0.current }) == true else { return [] }
                state.work = .endingOtherSessions
                state.problem = nil
                state.notice = nil
                return [.api(.endOtherSessions), .render]
            case .removeApp(let clientID):
                guard state.apps?.contains(where: { $0.clientID == clientID }) == true else { return [] }
                state.work = .removingApp(clientID: clientID)
                state.problem = nil
                state.notice = nil
                return [.api(.removeApp(clientID: clientID)), .render]
            case .moreActivity:
                guard let next = state.nextPage else { return [] }
                state.work = .loadingMore
                state.problem = nil
                return [.api(.activity(before: next)), .render]
            case .dismiss:
                guard state.problem != nil || state.notice != nil else { return [] }
                state.problem = nil
                state.notice = nil
                return [.render]
            }
        }

        /// After something finished: the view, or a load asked for meanwhile (unless signed out).
        private static func settle(_ state: inout State) -> [Effect] {
            guard state.work == .idle, state.reloadRequested, !state.signedOut, !state.sessionChanged else { return [.render] }
            return reload(&state, notice: state.notice)
        }

        private static func reload(_ state: inout State, notice: Notice?) -> [Effect] {
            state.reloadRequested = false
            state.work = .loading(Missing())
            state.notice = notice
            return loadRequests + [.render]
        }

        /// A failure shown as a problem; `401` means signed out and `409 session_changed` another
        /// account signed in, which the shell acts on.
        private static func fail(_ failure: APIFailure, _ state: inout State, in part: Part) {
            state.problemPart = part
            if failure.isUnauthenticated {
                state.signedOut = true
                state.problem = .sessionEnded
            } else if failure.isSessionChanged {
                state.sessionChanged = true
                state.problem = Problem(failure)
            } else {
                state.problem = Problem(failure)
            }
        }
    }
}
