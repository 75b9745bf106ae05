import PasskeyClientCore

/// An example of an app's own core that nests the auth core: a notes app that needs a
/// signed-in user. Its state holds the auth state, its events wrap the auth events, and its
/// effects carry the auth effects mapped into its own. The app never re-implements signing in:
/// it only reacts when the signed-in user changes.
enum Notes {
    struct Note: Equatable, Sendable {
        var id: Int
        var text: String
    }

    struct State: Equatable, Sendable {
        var auth: Auth.State = .initial
        /// The signed-in user's notes; `nil` until loaded, and whenever nobody is signed in.
        var notes: [Note]?
        /// Whose notes ``notes`` are, so a change of user is noticed.
        var owner: String?
    }

    enum Event: Equatable, Sendable {
        /// An event for the auth core: the person's sign-in intents and the auth effects' results.
        case auth(Auth.Event)
        case addNote(String)
        case deleteNote(id: Int)
        /// Answers of the notes API.
        case notesLoaded([Note])
        case noteSaved(Note)
        case noteDeleted(id: Int)
    }

    /// The app's requests to its server: the auth core's, and its own.
    enum Request: Equatable, Sendable {
        case auth(Auth.APIRequest)
        case listNotes
        case saveNote(String)
        case deleteNote(id: Int)
    }

    enum Effect: Equatable, Sendable {
        case http(Request)
        case passkey(Auth.PasskeyRequest)
        case render

        /// The auth core's effect as one of the app's.
        init(_ effect: Auth.Effect) {
            switch effect {
            case .api(let request): self = .http(.auth(request))
            case .passkey(let request): self = .passkey(request)
            case .render: self = .render
            }
        }
    }

    struct ViewModel: Equatable, Sendable {
        var auth: Auth.ViewModel
        /// The notes' texts, when signed in and loaded.
        var notes: [String]?
        var canWrite: Bool
    }

    static func update(_ state: inout State, _ event: Event) -> [Effect] {
        switch (state.auth, event) {
        case (_, .auth(let authEvent)):
            var effects = Auth.update(&state.auth, authEvent).map(Effect.init)
            let user = state.auth.signedInUserID
            if user != state.owner {
                // Another person (or nobody) now: never show the last person's notes.
                // The auth core renders whenever its state changes, so one render at the end stays.
                state.owner = user
                state.notes = nil
                if user != nil {
                    effects.removeAll { $0 == .render }
                    effects += [.http(.listNotes), .render]
                }
            }
            return effects

        case (.signedIn, .addNote(let text)) where !text.isEmpty && state.notes != nil:
            return [.http(.saveNote(text))]

        case (.signedIn, .deleteNote(let id)) where state.notes?.contains(where: { $0.id == id }) == true:
            return [.http(.deleteNote(id: id))]

        case (.signedIn, .notesLoaded(let notes)) where state.notes == nil:
            state.notes = notes
            return [.render]

        case (.signedIn, .noteSaved(let note)) where state.notes != nil:
            state.notes?.append(note)
            return [.render]

        case (.signedIn, .noteDeleted(let id)) where state.notes != nil:
            state.notes?.removeAll { $0.id == id }
            return [.render]

        default:
            // Notes while nobody is signed in, or an answer nobody waits for: ignored.
            return []
        }
    }

    static func view(_ state: State) -> ViewModel {
        ViewModel(
            auth: Auth.view(state.auth),
            notes: state.notes?.map(\.text),
            canWrite: state.notes != nil && Auth.view(state.auth).canStart)
    }
}

extension Auth.State {
    /// The signed-in user's ID, or `nil` when nobody is signed in.
    var signedInUserID: String? {
        if case .signedIn(let account) = self { account.user.id } else { nil }
    }
}
