extension Auth.Security {
    /// What the sessions and activity part of the account page shows, in words.
    public struct View: Equatable, Sendable {
        /// Nobody is signed in: the shell goes to the sign-in page.
        public var signedOut: Bool
        /// Another account is signed in now than the one the page acts for: the shell shows the
        /// page again, for the account signed in now.
        public var sessionChanged: Bool
        /// What is happening, for a progress indicator.
        public var progress: String?
        public var problem: String?
        /// Where the problem is shown: the part it concerns.
        public var problemPart: Part
        /// A confirmation of what was just done (`Signed out everywhere else.`).
        public var notice: String?
        /// The sessions, oldest first; `nil` until loaded.
        public var sessions: [SessionRow]?
        /// `Only this browser is signed in.`, `This browser and 2 others.`; `nil` until loaded.
        public var sessionSummary: String?
        /// Whether to offer "Sign out everywhere else": other sessions exist and nothing is in flight.
        public var canEndOtherSessions: Bool
        /// The activity log as far as loaded, newest first; `nil` until loaded.
        public var activity: [ActivityRow]?
        /// Whether to offer older activity.
        public var canLoadMore: Bool
        /// The apps allowed to sign in with the account; `nil` until loaded.
        public var apps: [AppRow]?
        /// Whether the person can start something now.
        public var canStart: Bool
    }

    /// One session, as shown.
    public struct SessionRow: Equatable, Sendable {
        public var id: String
        /// The browser and address: `Mozilla/5.0 … · 203.0.113.9`, or "Unknown device".
        public var device: String
        /// "This browser" for the session of the page itself, else `nil`.
        public var currentLabel: String?
        /// `Signed in 2 Dec 2026, 14:03 with “Phone” · last seen 2 Dec 2026, 14:05`.
        public var details: String
        /// ISO-8601 times, for `<time datetime>`.
        public var createdAt: String
        public var lastSeenAt: String
        /// Whether to offer "Sign out" for it (every session but this one, when nothing is in flight).
        public var canEnd: Bool
        /// Whether it is being ended now.
        public var isBusy: Bool
    }

    /// An app allowed to sign in with the account, as shown.
    public struct AppRow: Equatable, Sendable {
        public var clientID: String
        public var name: String
        /// `Allowed 2 Dec 2026, 14:03: openid, profile`.
        public var details: String
        /// The remove button's accessible name: `Remove access for Grafana`.
        public var removeLabel: String
        /// Whether to offer "Remove access" now.
        public var canRemove: Bool
        /// Whether its access is being removed now.
        public var isBusy: Bool

        public init(clientID: String, name: String, details: String, removeLabel: String, canRemove: Bool, isBusy: Bool) {
            self.clientID = clientID
            self.name = name
            self.details = details
            self.removeLabel = removeLabel
            self.canRemove = canRemove
            self.isBusy = isBusy
        }
    }

    /// One event of the activity log, as shown.
    public struct ActivityRow: Equatable, Sendable {
        /// The API's type (`sign_in`), for styling.
        public var type: String
        /// `Signed in with “Phone”`.
        public var title: String
        /// `2 Dec 2026, 14:03 · Mozilla/5.0 … · 203.0.113.9`.
        public var details: String
        /// ISO-8601, for `<time datetime>`.
        public var at: String
    }

    /// Everything this part says, before it is put into a language.
    public enum Phrase: Equatable, Sendable {
        /// An activity log type; the language's words, or the type as it is when it has none.
        case event(type: String, passkey: PasskeyMention)
        case unknownDevice
        case thisBrowser
        /// When a session began and with which passkey, and when it was last seen.
        case session(signedIn: String, passkey: PasskeyMention, lastSeen: String)
        case onlyThisBrowser
        case thisBrowserAndOthers(Int)
        case endedSession(device: String)
        case endedOtherSessions
        case loading
        case endingSession
        case endingOtherSessions
        case loadingMore
        case moment(Auth.Moment)
        /// When an app was allowed (already a ``moment(_:)`` or the time as it came) and what it may read.
        case appAllowed(at: String, scopes: [String])
        case removeAppFor(name: String)
        case removedApp(name: String)
        case removingApp
    }

    /// Which passkey an event or a session concerns.
    public enum PasskeyMention: Equatable, Sendable {
        case none
        case named(String)
        /// One that is no longer on the account.
        case deleted
    }

    /// The view of `state` in `language`, times shown `utcOffsetMinutes` east of UTC.
    public static func view(_ state: State, in language: Auth.Language = .english, utcOffsetMinutes: Int = 0) -> View {
        let say = { (phrase: Phrase) in language(.security(phrase)) }
        func time(_ iso: String) -> String {
            Auth.Moment(iso8601: iso, utcOffsetMinutes: utcOffsetMinutes).map { say(.moment($0)) } ?? iso
        }
        func mention(_ id: Auth.PasskeyID?) -> PasskeyMention {
            guard let id, let passkeys = state.passkeys else { return .none }
            return passkeys.first { $0.id == id }.map { .named($0.name) } ?? .deleted
        }
        func device(_ userAgent: String?, _ ip: String?) -> String {
            let parts = [userAgent, ip].compactMap { $0 }.filter { !$0.isEmpty }
            return parts.isEmpty ? say(.unknownDevice) : parts.joined(separator: " · ")
        }
        let idle = state.work == .idle && !state.sessionChanged
        let others = state.sessions?.filter { !$0.current }.count
        let progress: Phrase? = switch state.work {
        case .idle: nil
        case .loading: .loading
        case .endingSession: .endingSession
        case .endingOtherSessions: .endingOtherSessions
        case .loadingMore: .loadingMore
        case .removingApp: .removingApp
        }
        let notice: String? = switch state.notice {
        case .endedSession(let session)?: say(.endedSession(device: device(session.userAgent, session.ip)))
        case .endedOtherSessions?: say(.endedOtherSessions)
        case .removedApp(let name)?: say(.removedApp(name: name))
        case nil: nil
        }
        return View(
            signedOut: state.signedOut,
            sessionChanged: state.sessionChanged,
            progress: progress.map(say),
            problem: state.problem?.words(in: language),
            problemPart: state.problemPart,
            notice: notice,
            sessions: state.sessions?.map { session in
                SessionRow(
                    id: session.id, device: device(session.userAgent, session.ip),
                    currentLabel: session.current ? say(.thisBrowser) : nil,
                    details: say(.session(
                        signedIn: time(session.createdAt), passkey: mention(session.passkeyID), lastSeen: time(session.lastSeenAt))),
                    createdAt: session.createdAt, lastSeenAt: session.lastSeenAt,
                    canEnd: idle && !session.current, isBusy: state.work == .endingSession(id: session.id))
            },
            sessionSummary: others.map { $0 == 0 ? say(.onlyThisBrowser) : say(.thisBrowserAndOthers($0)) },
            canEndOtherSessions: idle && (others ?? 0) > 0,
            activity: state.activity?.map { entry in
                ActivityRow(
                    // A deleted passkey's event names the passkey it deleted, always gone: it says
                    // "Passkey deleted", not that a deleted passkey did it.
                    type: entry.type,
                    title: say(.event(type: entry.type, passkey: entry.type == "passkey_deleted" ? .none : mention(entry.passkeyID))),
                    details: time(entry.at) + " · " + device(entry.userAgent, entry.ip), at: entry.at)
            },
            canLoadMore: idle && state.nextPage != nil,
            apps: state.apps?.map { app in
                AppRow(
                    clientID: app.clientID, name: app.name, details: say(.appAllowed(at: time(app.grantedAt), scopes: app.scopes)),
                    removeLabel: say(.removeAppFor(name: app.name)), canRemove: idle,
                    isBusy: state.work == .removingApp(clientID: app.clientID))
            },
            canStart: idle && !state.signedOut && !state.sessionChanged)
    }
}
