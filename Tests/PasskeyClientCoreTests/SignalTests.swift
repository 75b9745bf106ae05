import PasskeyClientCore
import Testing

/// The Signal API calls the core asks the passkey provider for, once the server has named its RP ID.
@Suite("Signals to the passkey provider")
struct SignalTests {
    typealias F = Fixture

    static let rpID = "example.com"
    static func signedIn(
        _ activity: Auth.Activity = .idle, passkeys: [Auth.Passkey]? = [F.one, F.two], user: Auth.User = F.ada, notice: Auth.Notice? = nil
    ) -> State {
        .signedIn(Auth.Account(user: user, passkeys: passkeys, activity: activity, rpID: rpID, notice: notice))
    }
    static let userDetails = Effect.passkey(.signalCurrentUserDetails(rpID: rpID, userID: "AAECAw", name: "ada", displayName: "Ada"))
    static func accepted(_ passkeys: [Auth.Passkey]) -> Effect {
        .passkey(.signalAllAcceptedCredentials(rpID: rpID, userID: "AAECAw", credentialIDs: passkeys.map(\.id.base64URL)))
    }

    @Test("signing in tells the provider the account's names, then which passkeys it still has")
    func signIn() {
        var store = TestStore(F.signingIn(.finishing))
        store.send(
            .api(.authentication(.success(Auth.Session(user: F.ada, rpID: Self.rpID)))),
            effects: [Self.userDetails, .api(.listPasskeys), .render],
            state: Self.signedIn(.loadingPasskeys, passkeys: nil))
        store.send(.api(.listPasskeys(.success([F.one, F.two]))), effects: [Self.accepted([F.one, F.two]), .render], state: Self.signedIn())
    }

    @Test("a session found at start sends the accepted passkeys once they are loaded, and no names")
    func session() {
        var store = TestStore(.checkingSession)
        store.send(
            .api(.session(.success(Auth.Session(user: F.ada, rpID: Self.rpID)))),
            effects: [.api(.listPasskeys), .render], state: Self.signedIn(.loadingPasskeys, passkeys: nil))
        store.send(.api(.listPasskeys(.success([F.one]))), effects: [Self.accepted([F.one]), .render], state: Self.signedIn(passkeys: [F.one]))
    }

    @Test("a sign-up keeps the RP ID for later signals and sends none itself")
    func signUp() {
        var store = TestStore(F.signingUp(.finishing))
        store.send(
            .api(.registration(.success(Auth.Registered(user: F.ada, passkey: F.one, rpID: Self.rpID)))),
            effects: [.render], state: Self.signedIn(passkeys: [F.one]))
    }

    @Test("deleting a passkey tells the provider the passkeys the server lists then, not the ones the page showed")
    func deletePasskey() {
        var store = TestStore(Self.signedIn(.deleting(F.two.id)))
        store.send(
            .api(.deletePasskey(.success(Auth.NoContent()))), effects: [.api(.listPasskeys), .render],
            state: Self.signedIn(.loadingPasskeys, passkeys: [F.one], notice: .deleted("YubiKey")))
        // A passkey added elsewhere since the page loaded (F.three) is in the signal: the provider keeps it.
        store.send(
            .api(.listPasskeys(.success([F.one, F.three]))), effects: [Self.accepted([F.one, F.three]), .render],
            state: Self.signedIn(passkeys: [F.one, F.three], notice: .deleted("YubiKey")))
    }

    @Test("deleting a passkey whose list never loaded signals nothing before the list comes")
    func deleteUnloaded() {
        var store = TestStore(Self.signedIn(.deleting(F.two.id), passkeys: nil))
        store.send(
            .api(.deletePasskey(.success(Auth.NoContent()))), effects: [.api(.listPasskeys), .render],
            state: Self.signedIn(.loadingPasskeys, passkeys: nil))
    }

    @Test("a request refused because the browser is signed in to another account now checks the session again and signals nothing")
    func sessionChanged() {
        let changed = Auth.APIFailure.refused(Auth.ServerRefusal(status: 409, code: "session_changed", message: "reload"))
        for (activity, response) in [
            (Auth.Activity.deleting(F.two.id), Auth.APIResponse.deletePasskey(.failure(changed))),
            (.loadingPasskeys, .listPasskeys(.failure(changed))),
            (.deletingAccount, .deleteAccount(.failure(changed))),
        ] {
            var store = TestStore(Self.signedIn(activity))
            store.send(.api(response), effects: [.api(.session), .render], state: .checkingSession)
        }
    }

    @Test("deleting the account tells the provider that none of its passkeys is accepted")
    func deleteAccount() {
        var store = TestStore(Self.signedIn(.deletingAccount))
        store.send(.api(.deleteAccount(.success(Auth.NoContent()))), effects: [Self.accepted([]), .render], state: F.signedOut())
    }

    @Test("a new display name is passed on to the provider")
    func displayName() {
        var store = TestStore(Self.signedIn(.changingDisplayName("Ada L.")))
        store.send(
            .api(.updateAccount(.success(F.adaRenamed))),
            effects: [.passkey(.signalCurrentUserDetails(rpID: Self.rpID, userID: "AAECAw", name: "ada", displayName: "Ada L.")), .render],
            state: Self.signedIn(user: F.adaRenamed, notice: .savedDisplayName))
    }

    @Test("signing out sends no signal: the passkeys still work")
    func signOut() {
        var store = TestStore(Self.signedIn(.signingOut))
        store.send(.api(.signOut(.success(Auth.NoContent()))), effects: [.render], state: F.signedOut())
    }

    @Test("a sign-out answered unauthenticated is signed out, with no problem to show")
    func signOutUnauthenticated() {
        var store = TestStore(Self.signedIn(.signingOut))
        store.send(.api(.signOut(.failure(F.unauthenticated))), effects: [.render], state: F.signedOut())
        #expect(store.view.problem == nil)
    }

    @Test("a rename, an added passkey and a failure send no signal")
    func noSignal() {
        var store = TestStore(Self.signedIn(.renaming(F.one.id, name: "Work")))
        store.send(.api(.renamePasskey(.success(F.oneRenamed))), effects: [.render], state: Self.signedIn(passkeys: [F.oneRenamed, F.two], notice: .renamed("Work")))
        store = TestStore(Self.signedIn(.addingPasskey(.finishing), passkeys: [F.one]))
        store.send(.api(.addPasskey(.success(F.two))), effects: [.render], state: Self.signedIn(passkeys: [F.one, F.two], notice: .added("YubiKey")))
        store = TestStore(Self.signedIn(.deleting(F.two.id)))
        store.send(
            .api(.deletePasskey(.failure(F.lastPasskey))), effects: [.render],
            state: .signedIn(Auth.Account(user: F.ada, passkeys: [F.one, F.two], problem: .lastPasskey, rpID: Self.rpID)))
    }
}
