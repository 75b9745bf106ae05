extension Auth {
    /// Applies one event to the state and returns what the shell must do, in order.
    ///
    /// Every arm matches a state together with an event; the last arm takes everything else — an
    /// intent that does not apply now (signing in while signed in, renaming while a deletion is in
    /// flight) or the result of an operation this state is not waiting for (it was cancelled or
    /// overtaken) — and changes nothing.
    public static func update(_ state: inout State, _ event: Event) -> [Effect] {
        if let effects = accountExtras(&state, event) ?? signInExtras(&state, event) { return effects }
        switch (state, event) {

        // MARK: Is anyone signed in?

        case (.starting, .view(.refresh)), (.signedOut, .view(.refresh)):
            state = .checkingSession
            return [.api(.session), .render]

        case (.starting, .view(.signInAgain)):
            state = .signedOut(SignedOut())
            return [.render]

        case (.checkingSession, .api(.session(.success(let session)))):
            state = .signedIn(Account(user: session.user, activity: .loadingPasskeys, rpID: session.rpID, status: session.status))
            return [.api(.listPasskeys), .render]

        case (.checkingSession, .api(.session(.failure(let failure)))):
            // No session is the ordinary answer for someone signed out, not a problem to show.
            state = .signedOut(SignedOut(problem: failure.isUnauthenticated ? nil : Problem(failure)))
            return [.render]

        // MARK: Signing up

        case (.signedOut, .view(.signUp(let username, let displayName, let email))):
            return signUp(&state, username: username, displayName: displayName, email: email, after: [])

        case (.signingIn(let signIn), .view(.signUp(let username, let displayName, let email))) where signIn.isBackgroundAutofill:
            return signUp(&state, username: username, displayName: displayName, email: email, after: signIn.stopAutofill)

        case (.signingUp(var signUp), .api(.registrationOptions(.success(let options)))) where signUp.step == .requestingOptions:
            signUp.step = .waitingForPasskey
            state = .signingUp(signUp)
            return [.passkey(.create(options)), .render]

        case (.signingUp(var signUp), .passkey(.create(.success(let credential)))) where signUp.step == .waitingForPasskey:
            signUp.step = .finishing
            state = .signingUp(signUp)
            return [.api(.registration(credential)), .render]

        case (.signingUp(let signUp), .api(.registration(.success(let registered)))) where signUp.step == .finishing:
            state = .signedIn(Account(user: registered.user, passkeys: [registered.passkey], rpID: registered.rpID))
            return [.render]

        case (.signingUp(let signUp), .api(.registrationOptions(.failure(let failure)))) where signUp.step == .requestingOptions,
             (.signingUp(let signUp), .api(.registration(.failure(let failure)))) where signUp.step == .finishing:
            state = .signedOut(SignedOut(problem: Problem(failure)))
            return [.render]

        case (.signingUp(let signUp), .passkey(.create(.failure(let failure)))) where signUp.step == .waitingForPasskey:
            state = .signedOut(SignedOut(problem: Problem(failure)))
            return [.render]

        case (.signingUp(let signUp), .view(.cancel)) where signUp.step == .waitingForPasskey:
            state = .signedOut(SignedOut())
            return [.passkey(.cancel), .render]

        // MARK: Signing in

        case (.signedOut, .view(.signIn(let username))):
            return signIn(&state, username: username, mediation: .modal, after: [])

        case (.signingIn(let signIn), .view(.signIn(let username))) where signIn.isBackgroundAutofill:
            return Auth.signIn(&state, username: username, mediation: .modal, after: signIn.stopAutofill)

        case (.signedOut(let signedOut), .view(.startAutofill)) where signedOut.offersAutofill:
            // The problem of the person's last attempt stays in view while autofill waits.
            return signIn(&state, username: nil, mediation: .conditional, after: [], problem: signedOut.problem, codeSent: signedOut.codeSent)

        case (.signingIn(var signIn), .api(.authenticationOptions(.success(let options)))) where signIn.step == .requestingOptions:
            signIn.step = .waitingForPasskey
            state = .signingIn(signIn)
            return [.passkey(.get(options, signIn.mediation)), .render]

        case (.signingIn(var signIn), .passkey(.get(.success(let credential)))) where signIn.step == .waitingForPasskey:
            signIn.step = .finishing
            signIn.problem = nil
            state = .signingIn(signIn)
            return [.api(.authentication(credential)), .render]

        case (.signingIn(let signIn), .api(.authentication(.success(let session)))) where signIn.step == .finishing:
            let account = Account(user: session.user, activity: .loadingPasskeys, rpID: session.rpID, status: session.status)
            state = .signedIn(account)
            // The provider learns the account's names now; which passkeys it still has, once the
            // list is loaded.
            return account.signalUserDetails + [.api(.listPasskeys), .render]

        case (.signingIn(let signIn), .api(.authenticationOptions(.failure(let failure)))) where signIn.step == .requestingOptions:
            // Autofill runs in the background: its failure is not the person's doing, and their
            // next action reports it if it persists.
            state = .signedOut(signIn.mediation == .conditional ? signIn.formBehind : SignedOut(problem: Problem(failure)))
            return [.render]

        case (.signingIn(let signIn), .passkey(.get(.failure(let failure)))) where signIn.step == .waitingForPasskey:
            if signIn.mediation == .conditional {
                // Autofill that ends without a pick is no failure; one that fails after a pick is.
                // Either way it is not offered again by itself: it could fail again at once.
                var form = signIn.formBehind
                if failure != .cancelled { form.problem = Problem(failure) }
                state = .signedOut(form)
            } else {
                state = .signedOut(SignedOut(problem: Problem(signingIn: failure)))
            }
            return [.render]

        case (.signingIn(let signIn), .api(.authentication(.failure(let failure)))) where signIn.step == .finishing:
            state = .signedOut(SignedOut(problem: Problem(failure)))
            if let unknown = failure.unknownCredential {
                return [.passkey(.signalUnknownCredential(rpID: unknown.rpID, credentialID: unknown.credentialID)), .render]
            }
            return [.render]

        case (.signingIn(let signIn), .view(.cancel)) where signIn.step == .waitingForPasskey:
            state = .signedOut(SignedOut())
            return [.passkey(.cancel), .render]

        case (.signedOut(var signedOut), .view(.dismissProblem)) where signedOut.problem != nil:
            signedOut.problem = nil
            state = .signedOut(signedOut)
            return [.render]

        // MARK: Signed in: the person's intents, taken when nothing else is in flight

        case (.signedIn(var account), .view(let intent)) where account.activity == .idle:
            let request: APIRequest
            var first: [Effect] = []
            switch intent {
            case .refresh:
                account.activity = .loadingPasskeys
                request = .listPasskeys
            case .addPasskey where account.upgrade == .requestingOptions:
                // The upgrade's options are on their way: the person's are asked for when they
                // arrive (``Auth/Upgrade/yielding``).
                account.activity = .addingPasskey(.requestingOptions)
                account.upgrade = .yielding
                account.problem = nil
                account.notice = nil
                state = .signedIn(account)
                return [.render]
            case .addPasskey:
                first = account.stopUpgrade()
                account.activity = .addingPasskey(.requestingOptions)
                request = .passkeyOptions
            case .renamePasskey(let id, let name):
                account.activity = .renaming(id, name: name)
                request = .renamePasskey(id, name: name)
            case .deletePasskey(let id):
                account.activity = .deleting(id)
                request = .deletePasskey(id)
            case .changeDisplayName(let name):
                account.activity = .changingDisplayName(name)
                request = .updateAccount(displayName: name)
            case .deleteAccount:
                account.activity = .deletingAccount
                request = .deleteAccount
            case .signOut:
                account.activity = .signingOut
                request = .signOut
            case .dismissProblem where account.problem != nil || account.notice != nil:
                account.problem = nil
                account.notice = nil
                state = .signedIn(account)
                return [.render]
            case .signUp, .signIn, .startAutofill, .cancel, .dismissProblem, .signInAgain:
                // Signed in already, and nothing is pending to cancel or to dismiss.
                return []
            case .confirmEmail, .resendEmailCode, .removePassword:
                return [] // accountExtras takes them
            case .signInWithPassword, .requestRecoveryCode, .redeemRecoveryCode:
                return [] // signed in already
            }
            account.problem = nil
            account.notice = nil
            state = .signedIn(account)
            return first + [.api(request), .render]

        // MARK: Signed in: results

        case (.signedIn(var account), .api(.listPasskeys(.success(let passkeys)))) where account.activity == .loadingPasskeys:
            account.passkeys = passkeys
            account.activity = .idle
            let upgrade = account.askForUpgrade()
            state = .signedIn(account)
            return account.signalAcceptedCredentials(passkeys) + upgrade + [.render]

        case (.signedIn(var account), .api(.passkeyOptions(.success(let options)))) where account.activity == .addingPasskey(.requestingOptions):
            account.activity = .addingPasskey(.waitingForPasskey)
            state = .signedIn(account)
            return [.passkey(.create(options)), .render]

        case (.signedIn(var account), .passkey(.create(.success(let credential)))) where account.activity == .addingPasskey(.waitingForPasskey):
            account.activity = .addingPasskey(.finishing)
            state = .signedIn(account)
            return [.api(.addPasskey(credential)), .render]

        case (.signedIn(var account), .passkey(.create(.failure(let failure)))) where account.activity == .addingPasskey(.waitingForPasskey):
            account.activity = .idle
            account.problem = Problem(failure)
            state = .signedIn(account)
            return [.render]

        case (.signedIn(var account), .view(.cancel)) where account.activity == .addingPasskey(.waitingForPasskey):
            account.activity = .idle
            state = .signedIn(account)
            return [.passkey(.cancel), .render]

        case (.signedIn(var account), .api(.addPasskey(.success(let passkey)))) where account.activity == .addingPasskey(.finishing):
            // A new passkey ends a recovery session (docs/recovery.md).
            account.status.recovery = false
            guard let passkeys = account.passkeys else {
                // The list never loaded, so appending would show a part of it as the whole.
                account.activity = .loadingPasskeys
                account.notice = .added(passkey.name)
                state = .signedIn(account)
                return [.api(.listPasskeys), .render]
            }
            account.passkeys = passkeys + [passkey]
            account.activity = .idle
            account.notice = .added(passkey.name)
            state = .signedIn(account)
            return [.render]

        // An answer to a rename, deletion or name change nobody waits for is ignored, as in the last arm.
        case (.signedIn(var account), .api(.renamePasskey(.success(let renamed)))):
            guard case .renaming(let id, _) = account.activity else { return [] }
            account.passkeys = account.passkeys?.map { $0.id == id ? renamed : $0 }
            account.activity = .idle
            account.notice = .renamed(renamed.name)
            state = .signedIn(account)
            return [.render]

        case (.signedIn(var account), .api(.deletePasskey(.success))):
            guard case .deleting(let id) = account.activity else { return [] }
            let deleted = account.passkeys?.first { $0.id == id }
            account.passkeys = account.passkeys?.filter { $0.id != id }
            account.notice = deleted.map { .deleted($0.name) }
            // The deleted passkey may still sit in the provider, which can drop it once told the
            // passkeys the account has: as the server lists them now, not as this page last saw
            // them (one added elsewhere since would be dropped too).
            account.activity = .loadingPasskeys
            state = .signedIn(account)
            return [.api(.listPasskeys), .render]

        case (.signedIn(var account), .api(.updateAccount(.success(let user)))):
            guard case .changingDisplayName = account.activity else { return [] }
            account.user = user
            account.activity = .idle
            account.notice = .savedDisplayName
            state = .signedIn(account)
            return account.signalUserDetails + [.render]

        case (.signedIn(let account), .api(.deleteAccount(.success))) where account.activity == .deletingAccount:
            state = .signedOut(SignedOut())
            // None of the account's passkeys works any more: the provider may drop them all.
            return account.signalAcceptedCredentials([]) + [.render]

        case (.signedIn(let account), .api(.signOut(.success))) where account.activity == .signingOut:
            state = .signedOut(SignedOut())
            return [.render]

        case (.signedIn(let account), .api(.signOut(.failure(let failure)))) where account.activity == .signingOut && failure.isUnauthenticated:
            // The session had ended already: signed out is what was asked for.
            state = .signedOut(SignedOut())
            return [.render]

        case (.signedIn(var account), .api(let response))
            where account.activity.isRenamingOrDeleting && account.activity.awaits(response) && response.failure?.isNotFound == true:
            // Removed elsewhere: say so and show the list as it is now.
            account.activity = .loadingPasskeys
            account.problem = .passkeyNotFound
            state = .signedIn(account)
            return [.api(.listPasskeys), .render]

        case (.signedIn(let account), .api(let response)):
            guard let failure = response.failure, account.activity.awaits(response) else { return [] }
            if failure.isUnauthenticated {
                state = .signedOut(SignedOut(problem: .sessionEnded))
                return [.render]
            }
            if failure.isSessionChanged {
                // Signed in to another account from another tab: the page shows who is now.
                state = .checkingSession
                return [.api(.session), .render]
            }
            var next = account
            next.activity = .idle
            next.problem = Problem(failure)
            state = .signedIn(next)
            return [.render]

        // MARK: Everything else

        default:
            // Invalid here: an intent that does not apply in this state, or the result of an
            // operation this state is not waiting for (cancelled, or overtaken). Ignored.
            return []
        }
    }

    private static func signUp(
        _ state: inout State, username: String, displayName: String?, email: Bool, after earlier: [Effect]
    ) -> [Effect] {
        let problem: Problem? = if username.isEmpty {
            email ? .emailRequired : .usernameRequired
        } else if email && !isEmailAddress(username) {
            .invalidEmail
        } else {
            nil
        }
        if let problem {
            state = .signedOut(SignedOut(problem: problem))
            return earlier + [.render]
        }
        state = .signingUp(SignUp(username: username, displayName: displayName, step: .requestingOptions))
        return earlier + [.api(.registrationOptions(username: username, displayName: displayName)), .render]
    }

    private static func signIn(
        _ state: inout State, username: String?, mediation: Mediation, after earlier: [Effect], problem: Problem? = nil,
        codeSent: Bool = false
    ) -> [Effect] {
        // An empty username field means "any passkey for this site".
        let username = username?.isEmpty == false ? username : nil
        state = .signingIn(SignIn(username: username, mediation: mediation, step: .requestingOptions, problem: problem, codeSent: codeSent))
        return earlier + [.api(.authenticationOptions(username: username)), .render]
    }

    /// A valid email address as the HTML standard defines it for `<input type=email>`
    /// (§4.10.5.1.5): `local@domain`, the local part of letters, digits and
    /// ``.!#$%&'*+/=?^_`{|}~-``, the domain of dot-separated labels of letters, digits and
    /// inner hyphens, each at most 63 long.
    static func isEmailAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let at = bytes.firstIndex(of: 64), at > 0, at < bytes.count - 1 else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        }
        let localExtras = Array(".!#$%&'*+/=?^_`{|}~-".utf8)
        guard bytes[..<at].allSatisfy({ isAlphanumeric($0) || localExtras.contains($0) }) else { return false }
        let labels = bytes[(at + 1)...].split(separator: 46, omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last) && label.allSatisfy { isAlphanumeric($0) || $0 == 45 }
        }
    }
}

extension Auth.SignIn {
    /// What overruling this background autofill request takes: aborting the passkey request if one
    /// is waiting. (While its options are on their way, the person's intent waits for them instead:
    /// ``Auth/SignIn/heldIntent``.)
    var stopAutofill: [Auth.Effect] {
        step == .waitingForPasskey ? [.passkey(.cancel)] : []
    }
}

extension Auth.Account {
    /// `signalCurrentUserDetails` with the account's names, when the relying party is known.
    var signalUserDetails: [Auth.Effect] {
        guard let rpID else { return [] }
        return [.passkey(.signalCurrentUserDetails(
            rpID: rpID, userID: user.id, name: user.username, displayName: user.displayName))]
    }

    /// `signalAllAcceptedCredentials` with `passkeys`, when the relying party is known.
    func signalAcceptedCredentials(_ passkeys: [Auth.Passkey]) -> [Auth.Effect] {
        guard let rpID else { return [] }
        return [.passkey(.signalAllAcceptedCredentials(
            rpID: rpID, userID: user.id, credentialIDs: passkeys.map { $0.id.base64URL }))]
    }
}

extension Auth.Activity {
    var isRenamingOrDeleting: Bool {
        switch self {
        case .renaming, .deleting: true
        default: false
        }
    }

    /// Whether this activity is waiting for the answer to `response`'s request.
    func awaits(_ response: Auth.APIResponse) -> Bool {
        switch (self, response) {
        case (.loadingPasskeys, .listPasskeys),
             (.addingPasskey(.requestingOptions), .passkeyOptions),
             (.addingPasskey(.finishing), .addPasskey),
             (.renaming, .renamePasskey),
             (.deleting, .deletePasskey),
             (.changingDisplayName, .updateAccount),
             (.deletingAccount, .deleteAccount),
             (.signingOut, .signOut):
            true
        default:
            false
        }
    }
}

extension Auth.APIResponse {
    /// The failure, whatever the operation; `nil` for a success.
    var failure: Auth.APIFailure? {
        switch self {
        case .registrationOptions(.failure(let f)), .passkeyOptions(.failure(let f)): f
        case .registration(.failure(let f)): f
        case .authenticationOptions(.failure(let f)): f
        case .authentication(.failure(let f)), .session(.failure(let f)), .updateAccount(.failure(let f)): f
        case .addPasskey(.failure(let f)), .renamePasskey(.failure(let f)): f
        case .signOut(.failure(let f)), .deletePasskey(.failure(let f)), .deleteAccount(.failure(let f)): f
        case .listPasskeys(.failure(let f)), .listSessions(.failure(let f)), .activity(.failure(let f)): f
        case .endSession(.failure(let f)), .endOtherSessions(.failure(let f)): f
        case .listApps(.failure(let f)), .removeApp(.failure(let f)): f
        case .consentPrompt(.failure(let f)), .consentDecision(.failure(let f)): f
        default: nil
        }
    }
}
