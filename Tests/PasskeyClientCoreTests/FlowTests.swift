import PasskeyClientCore
import Testing

/// Whole flows, each effect resolved with a fixture answer, every step asserted.
@Suite("Flows")
struct FlowTests {
    typealias F = Fixture

    @Test("a new person signs up, adds a passkey, renames it, deletes it and signs out")
    func signUpAndManagePasskeys() {
        var store = TestStore(.starting)
        store.send(.view(.refresh), effects: [.api(.session), .render], state: .checkingSession)
        store.send(.api(.session(.failure(F.unauthenticated))), effects: [.render], state: F.signedOut())
        #expect(store.view.problem == nil)

        store.send(
            .view(.signUp(username: "ada", displayName: "Ada")),
            effects: [.api(.registrationOptions(username: "ada", displayName: "Ada")), .render],
            state: F.signingUp(.requestingOptions))
        store.send(
            .api(.registrationOptions(.success(F.creationOptions))),
            effects: [.passkey(.create(F.creationOptions)), .render], state: F.signingUp(.waitingForPasskey))
        store.send(
            .passkey(.create(.success(F.newCredential))),
            effects: [.api(.registration(F.newCredential)), .render], state: F.signingUp(.finishing))
        store.send(
            .api(.registration(.success(Auth.Registered(user: F.ada, passkey: F.one)))),
            effects: [.render], state: F.signedIn(passkeys: [F.one]))

        store.send(
            .view(.addPasskey), effects: [.api(.passkeyOptions), .render],
            state: F.signedIn(.addingPasskey(.requestingOptions), passkeys: [F.one]))
        store.send(
            .api(.passkeyOptions(.success(F.creationOptions))), effects: [.passkey(.create(F.creationOptions)), .render],
            state: F.signedIn(.addingPasskey(.waitingForPasskey), passkeys: [F.one]))
        store.send(
            .passkey(.create(.success(F.newCredential))), effects: [.api(.addPasskey(F.newCredential)), .render],
            state: F.signedIn(.addingPasskey(.finishing), passkeys: [F.one]))
        store.send(.api(.addPasskey(.success(F.two))), effects: [.render], state: F.signedIn(passkeys: [F.one, F.two], notice: .added("YubiKey")))
        #expect(store.view.notice == "Added the passkey “YubiKey”.")

        store.send(
            .view(.renamePasskey(F.one.id, name: "Work")), effects: [.api(.renamePasskey(F.one.id, name: "Work")), .render],
            state: F.signedIn(.renaming(F.one.id, name: "Work")))
        #expect(store.view.account?.passkeys?.map(\.isBusy) == [true, false])
        store.send(.api(.renamePasskey(.success(F.oneRenamed))), effects: [.render], state: F.signedIn(passkeys: [F.oneRenamed, F.two], notice: .renamed("Work")))

        store.send(
            .view(.deletePasskey(F.two.id)), effects: [.api(.deletePasskey(F.two.id)), .render],
            state: F.signedIn(.deleting(F.two.id), passkeys: [F.oneRenamed, F.two]))
        // The list again, as the server has it now.
        store.send(
            .api(.deletePasskey(.success(Auth.NoContent()))), effects: [.api(.listPasskeys), .render],
            state: F.signedIn(.loadingPasskeys, passkeys: [F.oneRenamed], notice: .deleted("YubiKey")))
        store.send(.api(.listPasskeys(.success([F.oneRenamed]))), effects: [.render], state: F.signedIn(passkeys: [F.oneRenamed], notice: .deleted("YubiKey")))

        store.send(.view(.signOut), effects: [.api(.signOut), .render], state: F.signedIn(.signingOut, passkeys: [F.oneRenamed]))
        store.send(.api(.signOut(.success(Auth.NoContent()))), effects: [.render], state: F.signedOut())
    }

    @Test("an app that starts with a session shows the account, then its passkeys")
    func startWithSession() {
        var store = TestStore(.initial)
        #expect(store.view == Auth.ViewModel(screen: .loading))
        store.send(.view(.refresh), effects: [.api(.session), .render], state: .checkingSession)
        store.send(.api(.session(.success(Auth.Session(user: F.ada)))), effects: [.api(.listPasskeys), .render], state: F.signedIn(.loadingPasskeys, passkeys: nil))
        #expect(store.view.account == Auth.AccountRow(username: "ada", displayName: "Ada", passkeys: nil))
        store.send(.api(.listPasskeys(.success([F.one, F.two]))), effects: [.render], state: F.signedIn())
        #expect(store.view.account?.passkeys?.map(\.name) == ["iCloud Keychain", "YubiKey"])
    }

    @Test("signing in with a username asks for that account's passkeys, then loads them")
    func signInWithUsername() {
        var store = TestStore(F.signedOut())
        store.send(
            .view(.signIn(username: "ada")), effects: [.api(.authenticationOptions(username: "ada")), .render],
            state: F.signingIn(.requestingOptions))
        store.send(
            .api(.authenticationOptions(.success(F.requestOptions))), effects: [.passkey(.get(F.requestOptions, .modal)), .render],
            state: F.signingIn(.waitingForPasskey))
        #expect(store.view.canCancel)
        store.send(.passkey(.get(.success(F.assertion))), effects: [.api(.authentication(F.assertion)), .render], state: F.signingIn(.finishing))
        store.send(.api(.authentication(.success(Auth.Session(user: F.ada)))), effects: [.api(.listPasskeys), .render], state: F.signedIn(.loadingPasskeys, passkeys: nil))
        store.send(.api(.listPasskeys(.success([F.one]))), effects: [.render], state: F.signedIn(passkeys: [F.one]))
    }

    @Test("signing in with an empty username field asks for any passkey of the site")
    func signInWithEmptyUsername() {
        var store = TestStore(F.signedOut())
        store.send(
            .view(.signIn(username: "")), effects: [.api(.authenticationOptions(username: nil)), .render],
            state: F.signingIn(.requestingOptions, username: nil))
    }

    @Test("autofill waits behind the form and signs in when the person picks a suggested passkey")
    func autofillSignsIn() {
        var store = TestStore(F.signedOut())
        store.send(.view(.startAutofill), effects: [.api(.authenticationOptions(username: nil)), .render], state: F.autofill(.requestingOptions))
        #expect(store.view == Auth.ViewModel(screen: .signedOut, canStart: true), "the form stays usable: starting something overrules autofill")
        store.send(
            .api(.authenticationOptions(.success(F.requestOptions))), effects: [.passkey(.get(F.requestOptions, .conditional)), .render],
            state: F.autofill(.waitingForPasskey))
        #expect(store.view == Auth.ViewModel(screen: .signedOut, canStart: true))
        store.send(.passkey(.get(.success(F.assertion))), effects: [.api(.authentication(F.assertion)), .render], state: F.autofill(.finishing))
        #expect(store.view.progress == "Signing in…")
        store.send(.api(.authentication(.success(Auth.Session(user: F.ada)))), effects: [.api(.listPasskeys), .render], state: F.signedIn(.loadingPasskeys, passkeys: nil))
    }

    @Test("a username typed while autofill waits stops autofill and signs in with that account's passkeys")
    func typedUsernameOverrulesAutofill() {
        var store = TestStore(F.autofill(.waitingForPasskey))
        store.send(
            .view(.signIn(username: "ada")),
            effects: [.passkey(.cancel), .api(.authenticationOptions(username: "ada")), .render], state: F.signingIn(.requestingOptions))
        // The stopped autofill request may still answer: it is not the modal request's answer.
        store.send(.passkey(.get(.failure(.cancelled))), effects: [], state: F.signingIn(.requestingOptions))
        store.send(
            .api(.authenticationOptions(.success(F.requestOptions))), effects: [.passkey(.get(F.requestOptions, .modal)), .render],
            state: F.signingIn(.waitingForPasskey))
    }

    @Test("a deleted passkey is named in plain words, reported to the provider, and another passkey then works")
    func deletedPasskey() {
        var store = TestStore(F.signingIn(.finishing, username: nil))
        store.send(
            .api(.authentication(.failure(F.unknownCredential))),
            effects: [.passkey(.signalUnknownCredential(rpID: "example.com", credentialID: "b25l")), .render],
            state: F.signedOut(.deletedPasskey))
        #expect(store.view.problem == "That passkey was deleted from its account. Choose another passkey, or sign up again.")
        store.send(
            .view(.signIn(username: nil)), effects: [.api(.authenticationOptions(username: nil)), .render],
            state: F.signingIn(.requestingOptions, username: nil))
        #expect(store.view.problem == nil)
    }

    @Test("a taken username says to sign in instead, and signing in works")
    func usernameTaken() {
        var store = TestStore(F.signingUp(.requestingOptions))
        store.send(.api(.registrationOptions(.failure(F.usernameTaken))), effects: [.render], state: F.signedOut(.usernameTaken))
        #expect(store.view.problem == "An account with that username already exists. Sign in instead, or choose another username.")
        store.send(
            .view(.signIn(username: "ada")), effects: [.api(.authenticationOptions(username: "ada")), .render],
            state: F.signingIn(.requestingOptions))
    }

    @Test("offline during sign-in says so, and trying again starts over")
    func offlineThenRetry() {
        var store = TestStore(F.signingIn(.requestingOptions))
        store.send(.api(.authenticationOptions(.failure(.offline))), effects: [.render], state: F.signedOut(.offline))
        #expect(store.view.problem == "Can’t reach the server. Check your connection and try again.")
        store.send(
            .view(.signIn(username: "ada")), effects: [.api(.authenticationOptions(username: "ada")), .render],
            state: F.signingIn(.requestingOptions))
    }

    @Test("a session that ends while renaming signs the person out and says why")
    func sessionEndedWhileRenaming() {
        var store = TestStore(F.signedIn(.renaming(F.one.id, name: "Work")))
        store.send(.api(.renamePasskey(.failure(F.unauthenticated))), effects: [.render], state: F.signedOut(.sessionEnded))
        #expect(store.view.problem == "You have been signed out. Sign in again.")
    }

    @Test("a session that ends while adding a passkey signs the person out and says why")
    func sessionEndedWhileAdding() {
        var store = TestStore(F.signedIn(.addingPasskey(.finishing)))
        store.send(.api(.addPasskey(.failure(F.unauthenticated))), effects: [.render], state: F.signedOut(.sessionEnded))
    }

    @Test("cancelling a sign-up drops the passkey the provider delivers afterwards")
    func resultAfterCancelIsIgnored() {
        var store = TestStore(F.signingUp(.waitingForPasskey))
        store.send(.view(.cancel), effects: [.passkey(.cancel), .render], state: F.signedOut())
        store.send(.passkey(.create(.success(F.newCredential))), effects: [], state: F.signedOut())
        store.send(.api(.registration(.success(Auth.Registered(user: F.ada, passkey: F.one)))), effects: [], state: F.signedOut())
    }

    @Test("the answer to an overtaken request changes nothing when another is awaited")
    func wrongAnswerWhileBusy() {
        var store = TestStore(F.signedIn(.deleting(F.two.id)))
        store.send(.api(.renamePasskey(.success(F.oneRenamed))), effects: [], state: F.signedIn(.deleting(F.two.id)))
        store.send(.api(.renamePasskey(.failure(F.notFound))), effects: [], state: F.signedIn(.deleting(F.two.id)))
        store.send(.api(.listPasskeys(.failure(F.unauthenticated))), effects: [], state: F.signedIn(.deleting(F.two.id)))
        store.send(.view(.signOut), effects: [], state: F.signedIn(.deleting(F.two.id)))
    }

    @Test("too many attempts says how long to wait when the server says")
    func rateLimited() {
        var store = TestStore(F.signingIn(.requestingOptions))
        let limited = Auth.APIFailure.refused(Auth.ServerRefusal(status: 429, code: "rate_limited", message: "too many", retryAfter: 42))
        store.send(.api(.authenticationOptions(.failure(limited))), effects: [.render], state: F.signedOut(.rateLimited(retryAfter: 42)))
        #expect(store.view.problem == "Too many attempts. Try again in 42 seconds.")
    }

    @Test("any other refusal shows the server's message and code")
    func otherRefusal() {
        var store = TestStore(F.signingUp(.finishing))
        store.send(
            .api(.registration(.failure(F.refused(400, "challenge_mismatch", "the challenge in clientDataJSON is not the one issued")))),
            effects: [.render],
            state: F.signedOut(.refused(code: "challenge_mismatch", message: "the challenge in clientDataJSON is not the one issued")))
        #expect(store.view.problem == "The server refused: the challenge in clientDataJSON is not the one issued (challenge_mismatch).")
    }

    @Test("a passkey already on the device is named when adding one")
    func passkeyExists() {
        var store = TestStore(F.signedIn(.addingPasskey(.waitingForPasskey)))
        store.send(.passkey(.create(.failure(.excludedCredentialExists))), effects: [.render], state: F.signedIn(problem: .passkeyExists))
        #expect(store.view.problem == "This device already has a passkey for this account.")
        store.send(.view(.dismissProblem), effects: [.render], state: F.signedIn())
    }

    @Test("deleting the only passkey is refused in plain words and the list stays")
    func lastPasskey() {
        var store = TestStore(F.signedIn(.deleting(F.one.id), passkeys: [F.one]))
        store.send(.api(.deletePasskey(.failure(F.lastPasskey))), effects: [.render], state: F.signedIn(passkeys: [F.one], problem: .lastPasskey))
        #expect(store.view.problem == "This is your only passkey. Deleting it would lock you out of your account: add another passkey first.")
    }

    @Test("changing the display name and deleting the account")
    func accountChanges() {
        var store = TestStore(F.signedIn())
        store.send(
            .view(.changeDisplayName("Ada L.")), effects: [.api(.updateAccount(displayName: "Ada L.")), .render],
            state: F.signedIn(.changingDisplayName("Ada L.")))
        store.send(.api(.updateAccount(.success(F.adaRenamed))), effects: [.render], state: F.signedIn(user: F.adaRenamed, notice: .savedDisplayName))
        store.send(.view(.deleteAccount), effects: [.api(.deleteAccount), .render], state: F.signedIn(.deletingAccount, user: F.adaRenamed))
        store.send(.api(.deleteAccount(.success(Auth.NoContent()))), effects: [.render], state: F.signedOut())
    }
}
