import PasskeyClientCore
import Testing

/// The notes example nests the auth core; it is tested the same way: exact effects and states.
@Suite("Nesting the core in an app: the notes example")
struct NotesTests {
    typealias F = Fixture

    struct Store {
        private(set) var state: Notes.State

        mutating func send(
            _ event: Notes.Event, effects expected: [Notes.Effect], state expectedState: Notes.State,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let effects = Notes.update(&state, event)
            #expect(effects == expected, sourceLocation: sourceLocation)
            #expect(state == expectedState, sourceLocation: sourceLocation)
        }
    }

    static let groceries = Notes.Note(id: 1, text: "groceries")
    static let call = Notes.Note(id: 2, text: "call Charles")

    @Test("signing in through the app maps the auth effects and then loads the notes")
    func signInLoadsNotes() {
        var store = Store(state: Notes.State(auth: F.signedOut()))
        store.send(
            .auth(.view(.signIn(username: "ada"))),
            effects: [.http(.auth(.authenticationOptions(username: "ada"))), .render],
            state: Notes.State(auth: F.signingIn(.requestingOptions)))
        store.send(
            .auth(.api(.authenticationOptions(.success(F.requestOptions)))),
            effects: [.passkey(.get(F.requestOptions, .modal)), .render],
            state: Notes.State(auth: F.signingIn(.waitingForPasskey)))
        store.send(
            .auth(.passkey(.get(.success(F.assertion)))),
            effects: [.http(.auth(.authentication(F.assertion))), .render],
            state: Notes.State(auth: F.signingIn(.finishing)))
        store.send(
            .auth(.api(.authentication(.success(Auth.Session(user: F.ada))))),
            effects: [.http(.auth(.listPasskeys)), .http(.listNotes), .render],
            state: Notes.State(auth: F.signedIn(.loadingPasskeys, passkeys: nil), owner: F.ada.id))
        #expect(Notes.view(store.state).canWrite == false)
        store.send(
            .notesLoaded([Self.groceries]), effects: [.render],
            state: Notes.State(auth: F.signedIn(.loadingPasskeys, passkeys: nil), notes: [Self.groceries], owner: F.ada.id))
        store.send(
            .auth(.api(.listPasskeys(.success([F.one])))), effects: [.render],
            state: Notes.State(auth: F.signedIn(passkeys: [F.one]), notes: [Self.groceries], owner: F.ada.id))
        #expect(Notes.view(store.state) == Notes.ViewModel(auth: Auth.view(F.signedIn(passkeys: [F.one])), notes: ["groceries"], canWrite: true))
    }

    @Test("notes can be written and deleted while signed in")
    func writeNotes() {
        let signedIn = Notes.State(auth: F.signedIn(), notes: [Self.groceries], owner: F.ada.id)
        var store = Store(state: signedIn)
        store.send(.addNote("call Charles"), effects: [.http(.saveNote("call Charles"))], state: signedIn)
        store.send(.addNote(""), effects: [], state: signedIn)
        store.send(.noteSaved(Self.call), effects: [.render], state: Notes.State(auth: F.signedIn(), notes: [Self.groceries, Self.call], owner: F.ada.id))
        store.send(.deleteNote(id: 1), effects: [.http(.deleteNote(id: 1))], state: Notes.State(auth: F.signedIn(), notes: [Self.groceries, Self.call], owner: F.ada.id))
        store.send(.noteDeleted(id: 1), effects: [.render], state: Notes.State(auth: F.signedIn(), notes: [Self.call], owner: F.ada.id))
        store.send(.deleteNote(id: 1), effects: [], state: Notes.State(auth: F.signedIn(), notes: [Self.call], owner: F.ada.id))
    }

    @Test("signing out forgets the notes, and notes events are then ignored")
    func signOutForgetsNotes() {
        var store = Store(state: Notes.State(auth: F.signedIn(), notes: [Self.groceries], owner: F.ada.id))
        store.send(
            .auth(.view(.signOut)), effects: [.http(.auth(.signOut)), .render],
            state: Notes.State(auth: F.signedIn(.signingOut), notes: [Self.groceries], owner: F.ada.id))
        store.send(.auth(.api(.signOut(.success(Auth.NoContent())))), effects: [.render], state: Notes.State(auth: F.signedOut()))
        store.send(.addNote("secret"), effects: [], state: Notes.State(auth: F.signedOut()))
        store.send(.notesLoaded([Self.groceries]), effects: [], state: Notes.State(auth: F.signedOut()))
        store.send(.noteSaved(Self.call), effects: [], state: Notes.State(auth: F.signedOut()))
        #expect(Notes.view(store.state) == Notes.ViewModel(auth: Auth.view(F.signedOut()), notes: nil, canWrite: false))
    }

    @Test("a session that ends forgets the notes and shows why")
    func sessionEnded() {
        var store = Store(state: Notes.State(auth: F.signedIn(.loadingPasskeys), notes: [Self.groceries], owner: F.ada.id))
        store.send(
            .auth(.api(.listPasskeys(.failure(F.unauthenticated)))), effects: [.render],
            state: Notes.State(auth: F.signedOut(.sessionEnded)))
        #expect(Notes.view(store.state).auth.problem == "You have been signed out. Sign in again.")
    }

    @Test("an auth event that changes nothing asks the app for nothing")
    func authNoOp() {
        let signedIn = Notes.State(auth: F.signedIn(), notes: [Self.groceries], owner: F.ada.id)
        var store = Store(state: signedIn)
        store.send(.auth(.view(.signIn(username: "ada"))), effects: [], state: signedIn)
        store.send(.auth(.api(.session(.success(Auth.Session(user: F.ada))))), effects: [], state: signedIn)
    }

    @Test("an app that starts with a session loads the notes with the passkeys")
    func startWithSession() {
        var store = Store(state: Notes.State())
        store.send(.auth(.view(.refresh)), effects: [.http(.auth(.session)), .render], state: Notes.State(auth: .checkingSession))
        store.send(
            .auth(.api(.session(.success(Auth.Session(user: F.ada))))),
            effects: [.http(.auth(.listPasskeys)), .http(.listNotes), .render],
            state: Notes.State(auth: F.signedIn(.loadingPasskeys, passkeys: nil), owner: F.ada.id))
    }
}
