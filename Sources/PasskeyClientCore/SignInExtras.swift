extension Auth {
    /// Signing in without a passkey: with the password an imported account still has
    /// (docs/migration.md), or with a recovery code mailed after a lost passkey (docs/recovery.md).
    /// One request is in flight.
    public struct WithoutPasskey: Equatable, Sendable {
        /// The request in flight.
        public enum Step: Equatable, Sendable {
            /// `POST /api/password`.
            case checkingPassword
            /// `POST /api/recovery/options`: a code is being mailed.
            case sendingCode
            /// `POST /api/recovery`.
            case checkingCode
        }

        public var step: Step
        /// The recovery code form was showing (``SignedOut/codeSent``), so it shows again after.
        public var codeSent: Bool

        public init(_ step: Step, codeSent: Bool = false) {
            self.step = step
            self.codeSent = codeSent
        }
    }
}

extension Auth {
    /// The sign-in form's other ways in — a password, a mailed recovery code — and their results;
    /// `nil` when `event` is none of theirs in `state`, for ``update(_:_:)`` to take.
    static func signInExtras(_ state: inout State, _ event: Event) -> [Effect]? {
        switch (state, event) {

        // MARK: While autofill's options are on their way, the person's intent waits for them

        case (.signingIn(var signIn), .view(let intent))
            where signIn.isBackgroundAutofill && signIn.step == .requestingOptions && intent.overrulesAutofill:
            // The latest intent is the one taken (``SignIn/heldIntent``).
            signIn.heldIntent = intent
            state = .signingIn(signIn)
            return [.render]
        case (.signingIn(let signIn), .api(.authenticationOptions)) where signIn.step == .requestingOptions:
            guard let intent = signIn.heldIntent else { return nil }
            // Autofill's options, answered or not, are not used: the form behind it takes the intent.
            state = .signedOut(SignedOut(problem: signIn.problem, codeSent: signIn.codeSent))
            return update(&state, .view(intent))

        // MARK: The person's intents, from the signed-out form (overruling autofill waiting behind it)

        case (.signedOut(let form), .view(let intent)):
            return signInOtherwise(&state, intent, codeSent: form.codeSent, after: [])
        case (.signingIn(let signIn), .view(let intent)) where signIn.isBackgroundAutofill:
            return signInOtherwise(&state, intent, codeSent: signIn.codeSent, after: signIn.stopAutofill)

        // MARK: Their results

        case (.withoutPasskey(let way), .api(.passwordSignIn(.success(let answer)))) where way.step == .checkingPassword:
            var status = answer.session.status
            status.hasPassword = true
            // Without a passkey the list is known to be empty; otherwise it is loaded, as after any sign-in.
            let account = Account(
                user: answer.session.user, passkeys: answer.passwordOnly ? [] : nil,
                activity: answer.passwordOnly ? .idle : .loadingPasskeys, rpID: answer.session.rpID, status: status)
            state = .signedIn(account)
            return (answer.passwordOnly ? [] : [.api(.listPasskeys)]) + [.render]

        case (.withoutPasskey(let way), .api(.recoveryCode(.success))) where way.step == .sendingCode:
            state = .signedOut(SignedOut(codeSent: true))
            return [.render]

        case (.withoutPasskey(let way), .api(.recovery(.success(let session)))) where way.step == .checkingCode:
            var status = session.status
            status.recovery = true
            state = .signedIn(Account(user: session.user, activity: .loadingPasskeys, rpID: session.rpID, status: status))
            return [.api(.listPasskeys), .render]

        case (.withoutPasskey(let way), .api(.passwordSignIn(.failure(let failure)))) where way.step == .checkingPassword,
             (.withoutPasskey(let way), .api(.recoveryCode(.failure(let failure)))) where way.step == .sendingCode,
             (.withoutPasskey(let way), .api(.recovery(.failure(let failure)))) where way.step == .checkingCode:
            // A code that was typed keeps its form in view, to correct it or ask for another.
            state = .signedOut(SignedOut(problem: Problem(failure), codeSent: way.codeSent || way.step == .checkingCode))
            return [.render]

        default:
            return nil
        }
    }

    /// A password sign-in or a recovery step asked for from the signed-out form, after `earlier`
    /// (what stopping a background autofill request takes); `nil` for any other intent.
    private static func signInOtherwise(_ state: inout State, _ intent: ViewEvent, codeSent: Bool, after earlier: [Effect]) -> [Effect]? {
        let request: APIRequest
        let step: WithoutPasskey.Step
        switch intent {
        case .signInWithPassword(let username, let password):
            guard !username.isEmpty, !password.isEmpty else {
                state = .signedOut(SignedOut(problem: .passwordRequired, codeSent: codeSent))
                return earlier + [.render]
            }
            (request, step) = (.passwordSignIn(username: username, password: password), .checkingPassword)
        case .requestRecoveryCode(let email):
            guard isEmailAddress(email) else {
                state = .signedOut(SignedOut(problem: .recoveryEmailRequired, codeSent: codeSent))
                return earlier + [.render]
            }
            (request, step) = (.recoveryCode(email: email), .sendingCode)
        case .redeemRecoveryCode(let email, let code, let proof):
            // Spaces in a typed code are the person's, not the code's. A code at hand shows its form.
            let code = code.filter { $0 != " " && $0 != "\t" && $0 != "\n" }
            let problem: Problem? = !isEmailAddress(email) ? .recoveryEmailRequired : code.isEmpty ? .invalidCode : nil
            if let problem {
                state = .signedOut(SignedOut(problem: problem, codeSent: true))
                return earlier + [.render]
            }
            (request, step) = (.recovery(email: email, code: code, proof: proof), .checkingCode)
        default:
            return nil
        }
        state = .withoutPasskey(WithoutPasskey(step, codeSent: codeSent))
        return earlier + [.api(request), .render]
    }
}

extension Auth.ViewEvent {
    /// An intent from the signed-out form that overrules an autofill request in the background.
    var overrulesAutofill: Bool {
        switch self {
        case .signUp, .signIn, .signInWithPassword, .requestRecoveryCode, .redeemRecoveryCode: true
        default: false
        }
    }
}
