import PasskeyClientCore

/// The specification of ``Auth/update(_:_:)``: every state a client can be in (one of each
/// kind), every event (each intent and each kind of result), and the transitions that do
/// something. Every pair not listed in ``transitions`` must leave the state as it is and ask for
/// nothing; `TransitionTableTests` checks all of them.
enum Table {
    struct Transition {
        var state: String
        var event: String
        var effects: [Effect]
        var next: State
    }

    static let states: [(name: String, state: State)] = {
        typealias F = Fixture
        return [
            ("starting", .starting),
            ("checkingSession", .checkingSession),
            ("signedOut", F.signedOut()),
            ("signedOut+problem", F.signedOut(.offline)),
            ("signedOut+autofillEnded", F.signedOut(.offline, autofillEnded: true)),
            ("signingUp.requestingOptions", F.signingUp(.requestingOptions)),
            ("signingUp.waitingForPasskey", F.signingUp(.waitingForPasskey)),
            ("signingUp.finishing", F.signingUp(.finishing)),
            ("signingIn.requestingOptions", F.signingIn(.requestingOptions)),
            ("signingIn.waitingForPasskey", F.signingIn(.waitingForPasskey)),
            ("signingIn.finishing", F.signingIn(.finishing)),
            ("autofill.requestingOptions", F.autofill(.requestingOptions)),
            ("autofill.waitingForPasskey", F.autofill(.waitingForPasskey)),
            ("autofill.waitingForPasskey+problem", F.autofill(.waitingForPasskey, problem: .signInCancelled)),
            ("autofill.finishing", F.autofill(.finishing)),
            ("signedIn.idle", F.signedIn()),
            ("signedIn.idle+problem", F.signedIn(problem: .lastPasskey)),
            ("signedIn.idle+notice", F.signedIn(notice: .savedDisplayName)),
            ("signedIn.loadingPasskeys", F.signedIn(.loadingPasskeys, passkeys: nil)),
            ("signedIn.adding.requestingOptions", F.signedIn(.addingPasskey(.requestingOptions))),
            ("signedIn.adding.waitingForPasskey", F.signedIn(.addingPasskey(.waitingForPasskey))),
            ("signedIn.adding.finishing", F.signedIn(.addingPasskey(.finishing))),
            ("signedIn.adding.finishing+unloaded", F.signedIn(.addingPasskey(.finishing), passkeys: nil)),
            ("signedIn.renaming", F.signedIn(.renaming(F.one.id, name: "Work"))),
            ("signedIn.deleting", F.signedIn(.deleting(F.two.id))),
            ("signedIn.changingDisplayName", F.signedIn(.changingDisplayName("Ada L."))),
            ("signedIn.deletingAccount", F.signedIn(.deletingAccount)),
            ("signedIn.signingOut", F.signedIn(.signingOut)),
            // The account page's email, recovery and password (AccountExtras.swift)
            ("signedIn.loadingPasskeys+password", F.signedIn(.loadingPasskeys, passkeys: nil, status: F.withPassword)),
            ("signedIn.loadingPasskeys+recovery", F.signedIn(.loadingPasskeys, passkeys: nil, status: F.recovering)),
            ("signedIn.adding.finishing+recovery", F.signedIn(.addingPasskey(.finishing), status: F.recovering)),
            ("signedIn.confirmingEmail", F.signedIn(.confirmingEmail, status: F.unconfirmed)),
            ("signedIn.resendingEmailCode", F.signedIn(.resendingEmailCode, status: F.unconfirmed)),
            ("signedIn.removingPassword", F.signedIn(.removingPassword, status: F.withPassword)),
            ("signedIn.upgrade.requestingOptions", F.signedIn(passkeys: [], status: F.withPassword, upgrade: .requestingOptions)),
            ("signedIn.upgrade.waitingForPasskey", F.signedIn(passkeys: [], status: F.withPassword, upgrade: .waitingForPasskey)),
            ("signedIn.upgrade.saving", F.signedIn(passkeys: [], status: F.withPassword, upgrade: .saving)),
            ("signedIn.upgrade.saving+renaming", F.signedIn(.renaming(F.one.id, name: "Work"), status: F.withPassword, upgrade: .saving)),
            ("signedIn.upgrade.yielding", F.signedIn(.addingPasskey(.requestingOptions), passkeys: [], status: F.withPassword, upgrade: .yielding)),
            // An intent held while autofill's options are on their way
            ("autofill.requestingOptions+held", F.autofill(.requestingOptions, heldIntent: .signIn(username: "ada"))),
            ("autofill.requestingOptions+held+codeSent",
             F.autofill(.requestingOptions, problem: .offline, codeSent: true, heldIntent: .redeemRecoveryCode(email: "grace@example.com", code: "1234 5678"))),
            // The sign-in page's password and recovery code (SignInExtras.swift)
            ("signedOut+codeSent", F.signedOut(codeSent: true)),
            ("autofill.waitingForPasskey+codeSent", F.autofill(.waitingForPasskey, codeSent: true)),
            ("withoutPasskey.checkingPassword", F.withoutPasskey(.checkingPassword)),
            ("withoutPasskey.sendingCode", F.withoutPasskey(.sendingCode)),
            ("withoutPasskey.sendingCode+codeSent", F.withoutPasskey(.sendingCode, codeSent: true)),
            ("withoutPasskey.checkingCode", F.withoutPasskey(.checkingCode, codeSent: true)),
        ]
    }()

    static let events: [(name: String, event: Event)] = {
        typealias F = Fixture
        return [
            // The person
            ("refresh", .view(.refresh)),
            ("signInAgain", .view(.signInAgain)),
            ("signUp", .view(.signUp(username: "ada", displayName: "Ada"))),
            ("signUp(empty)", .view(.signUp(username: ""))),
            ("signUp(email)", .view(.signUp(username: "ada@example.com", email: true))),
            ("signUp(email: empty)", .view(.signUp(username: "", email: true))),
            ("signUp(email: not one)", .view(.signUp(username: "not an email", email: true))),
            ("signIn(ada)", .view(.signIn(username: "ada"))),
            ("signIn(nil)", .view(.signIn(username: nil))),
            ("startAutofill", .view(.startAutofill)),
            ("addPasskey", .view(.addPasskey)),
            ("renamePasskey", .view(.renamePasskey(F.one.id, name: "Work"))),
            ("deletePasskey", .view(.deletePasskey(F.two.id))),
            ("changeDisplayName", .view(.changeDisplayName("Ada L."))),
            ("deleteAccount", .view(.deleteAccount)),
            ("signOut", .view(.signOut)),
            ("cancel", .view(.cancel)),
            ("dismissProblem", .view(.dismissProblem)),
            ("confirmEmail", .view(.confirmEmail(code: "1234 5678"))),
            ("confirmEmail(empty)", .view(.confirmEmail(code: " "))),
            ("resendEmailCode", .view(.resendEmailCode)),
            ("removePassword", .view(.removePassword)),
            ("signInWithPassword", .view(.signInWithPassword(username: "grace@example.com", password: "hunter2"))),
            ("signInWithPassword(empty)", .view(.signInWithPassword(username: "grace@example.com", password: ""))),
            ("requestRecoveryCode", .view(.requestRecoveryCode(email: "grace@example.com"))),
            ("requestRecoveryCode(not one)", .view(.requestRecoveryCode(email: "grace"))),
            ("redeemRecoveryCode", .view(.redeemRecoveryCode(email: "grace@example.com", code: "1234 5678"))),
            ("redeemRecoveryCode(no code)", .view(.redeemRecoveryCode(email: "grace@example.com", code: " "))),
            ("redeemRecoveryCode(no email)", .view(.redeemRecoveryCode(email: "", code: "12345678"))),
            // The server: each answer, a failure of each, and the refusals that mean something
            ("registrationOptions.ok", .api(.registrationOptions(.success(F.creationOptions)))),
            ("registrationOptions.offline", .api(.registrationOptions(.failure(.offline)))),
            ("registrationOptions.usernameTaken", .api(.registrationOptions(.failure(F.usernameTaken)))),
            ("registration.ok", .api(.registration(.success(Auth.Registered(user: F.ada, passkey: F.one))))),
            ("registration.offline", .api(.registration(.failure(.offline)))),
            ("authenticationOptions.ok", .api(.authenticationOptions(.success(F.requestOptions)))),
            ("authenticationOptions.offline", .api(.authenticationOptions(.failure(.offline)))),
            ("authentication.ok", .api(.authentication(.success(Auth.Session(user: F.ada))))),
            ("authentication.offline", .api(.authentication(.failure(.offline)))),
            ("authentication.unknownCredential", .api(.authentication(.failure(F.unknownCredential)))),
            ("passkeyOptions.ok", .api(.passkeyOptions(.success(F.creationOptions)))),
            ("passkeyOptions.offline", .api(.passkeyOptions(.failure(.offline)))),
            ("addPasskey.ok", .api(.addPasskey(.success(F.three)))),
            ("addPasskey.offline", .api(.addPasskey(.failure(.offline)))),
            ("session.ok", .api(.session(.success(Auth.Session(user: F.ada))))),
            ("session.offline", .api(.session(.failure(.offline)))),
            ("session.unauthenticated", .api(.session(.failure(F.unauthenticated)))),
            ("signOut.ok", .api(.signOut(.success(Auth.NoContent())))),
            ("signOut.offline", .api(.signOut(.failure(.offline)))),
            ("signOut.unauthenticated", .api(.signOut(.failure(F.unauthenticated)))),
            ("listPasskeys.ok", .api(.listPasskeys(.success([F.one, F.two])))),
            ("listPasskeys.offline", .api(.listPasskeys(.failure(.offline)))),
            ("listPasskeys.unauthenticated", .api(.listPasskeys(.failure(F.unauthenticated)))),
            ("renamePasskey.ok", .api(.renamePasskey(.success(F.oneRenamed)))),
            ("renamePasskey.offline", .api(.renamePasskey(.failure(.offline)))),
            ("renamePasskey.notFound", .api(.renamePasskey(.failure(F.notFound)))),
            ("deletePasskey.ok", .api(.deletePasskey(.success(Auth.NoContent())))),
            ("deletePasskey.offline", .api(.deletePasskey(.failure(.offline)))),
            ("deletePasskey.notFound", .api(.deletePasskey(.failure(F.notFound)))),
            ("deletePasskey.lastPasskey", .api(.deletePasskey(.failure(F.lastPasskey)))),
            ("updateAccount.ok", .api(.updateAccount(.success(F.adaRenamed)))),
            ("updateAccount.offline", .api(.updateAccount(.failure(.offline)))),
            ("deleteAccount.ok", .api(.deleteAccount(.success(Auth.NoContent())))),
            ("deleteAccount.offline", .api(.deleteAccount(.failure(.offline)))),
            ("session.ok(password)", .api(.session(.success(Auth.Session(user: F.ada, status: F.withPassword))))),
            ("listPasskeys.none", .api(.listPasskeys(.success([])))),
            ("confirmEmail.ok", .api(.confirmEmail(.success(F.adaRenamed)))),
            ("confirmEmail.invalidCode", .api(.confirmEmail(.failure(F.invalidCode)))),
            ("confirmEmail.unauthenticated", .api(.confirmEmail(.failure(F.unauthenticated)))),
            ("resendEmailCode.ok", .api(.resendEmailCode(.success(Auth.NoContent())))),
            ("resendEmailCode.rateLimited", .api(.resendEmailCode(.failure(F.rateLimited)))),
            ("removePassword.ok", .api(.removePassword(.success(Auth.NoContent())))),
            ("removePassword.noPasskey", .api(.removePassword(.failure(F.noPasskey)))),
            ("removePassword.offline", .api(.removePassword(.failure(.offline)))),
            ("upgradeOptions.ok", .api(.upgradeOptions(.success(F.creationOptions)))),
            ("upgradeOptions.offline", .api(.upgradeOptions(.failure(.offline)))),
            ("upgradePasskey.ok", .api(.upgradePasskey(.success(F.three)))),
            ("upgradePasskey.unauthenticated", .api(.upgradePasskey(.failure(F.unauthenticated)))),
            ("passwordSignIn.ok", .api(.passwordSignIn(.success(Auth.PasswordSession(session: Auth.Session(user: F.grace), passwordOnly: false))))),
            ("passwordSignIn.ok(passwordOnly)",
             .api(.passwordSignIn(.success(Auth.PasswordSession(session: Auth.Session(user: F.grace), passwordOnly: true))))),
            ("passwordSignIn.invalidCredentials", .api(.passwordSignIn(.failure(F.invalidCredentials)))),
            ("passwordSignIn.rateLimited", .api(.passwordSignIn(.failure(F.rateLimited)))),
            ("recoveryCode.ok", .api(.recoveryCode(.success(Auth.NoContent())))),
            ("recoveryCode.offline", .api(.recoveryCode(.failure(.offline)))),
            ("recovery.ok", .api(.recovery(.success(Auth.Session(user: F.grace, status: Auth.AccountStatus(recovery: true)))))),
            ("recovery.invalidCode", .api(.recovery(.failure(F.invalidCode)))),
            // The sessions and activity endpoints belong to ``Auth/Security``: this machine ignores them.
            ("listSessions.ok", .api(.listSessions(.success([SecurityFixture.here, SecurityFixture.phone])))),
            ("listSessions.offline", .api(.listSessions(.failure(.offline)))),
            ("endSession.ok", .api(.endSession(.success(Auth.NoContent())))),
            ("endSession.offline", .api(.endSession(.failure(.offline)))),
            ("endOtherSessions.ok", .api(.endOtherSessions(.success(Auth.NoContent())))),
            ("endOtherSessions.offline", .api(.endOtherSessions(.failure(.offline)))),
            ("activity.ok", .api(.activity(.success(SecurityFixture.firstPage)))),
            ("activity.unauthenticated", .api(.activity(.failure(F.unauthenticated)))),
            ("listApps.ok", .api(.listApps(.success([SecurityFixture.grafana])))),
            ("listApps.offline", .api(.listApps(.failure(.offline)))),
            ("removeApp.ok", .api(.removeApp(.success(Auth.NoContent())))),
            ("removeApp.notFound", .api(.removeApp(.failure(F.notFound)))),
            // The consent page's endpoints belong to ``Auth/Consent``.
            ("consentPrompt.ok", .api(.consentPrompt(.success(.redirect("https://app.example/cb?error=x"))))),
            ("consentPrompt.offline", .api(.consentPrompt(.failure(.offline)))),
            ("consentDecision.ok", .api(.consentDecision(.success("https://app.example/cb?code=c")))),
            ("consentDecision.unauthenticated", .api(.consentDecision(.failure(F.unauthenticated)))),
            // The passkey provider
            ("create.ok", .passkey(.create(.success(F.newCredential)))),
            ("create.cancelled", .passkey(.create(.failure(.cancelled)))),
            ("create.excluded", .passkey(.create(.failure(.excludedCredentialExists)))),
            ("get.ok", .passkey(.get(.success(F.assertion)))),
            ("get.cancelled", .passkey(.get(.failure(.cancelled)))),
            ("get.noCredentials", .passkey(.get(.failure(.noCredentials)))),
        ]
    }()

    static let transitions: [Transition] = {
        typealias F = Fixture
        func t(_ state: String, _ event: String, _ effects: [Effect], _ next: State) -> Transition {
            Transition(state: state, event: event, effects: effects, next: next)
        }
        let signUpRequest: Effect = .api(.registrationOptions(username: "ada", displayName: "Ada"))
        let list: Effect = .api(.listPasskeys)

        let emailSignUp = State.signingUp(Auth.SignUp(username: "ada@example.com", step: .requestingOptions))
        // Signing up or in, after `earlier` (what stopping a background autofill request takes);
        // `codeSent` is the recovery code form the signed-out form showed, kept by the other ways in.
        func ceremonies(_ state: String, after earlier: [Effect] = [], codeSent: Bool = false) -> [Transition] {
            otherWays(state, after: earlier, codeSent: codeSent) + [
                t(state, "signUp", earlier + [signUpRequest, .render], F.signingUp(.requestingOptions)),
                t(state, "signUp(empty)", earlier + [.render], F.signedOut(.usernameRequired)),
                t(state, "signUp(email)",
                  earlier + [.api(.registrationOptions(username: "ada@example.com", displayName: nil)), .render], emailSignUp),
                t(state, "signUp(email: empty)", earlier + [.render], F.signedOut(.emailRequired)),
                t(state, "signUp(email: not one)", earlier + [.render], F.signedOut(.invalidEmail)),
                t(state, "signIn(ada)", earlier + [.api(.authenticationOptions(username: "ada")), .render], F.signingIn(.requestingOptions)),
                t(state, "signIn(nil)", earlier + [.api(.authenticationOptions(username: nil)), .render], F.signingIn(.requestingOptions, username: nil)),
            ]
        }
        // A password sign-in or a recovery step.
        func otherWays(_ state: String, after earlier: [Effect], codeSent: Bool) -> [Transition] {
            [
                t(state, "signInWithPassword", earlier + [.api(.passwordSignIn(username: "grace@example.com", password: "hunter2")), .render],
                  F.withoutPasskey(.checkingPassword, codeSent: codeSent)),
                t(state, "signInWithPassword(empty)", earlier + [.render], F.signedOut(.passwordRequired, codeSent: codeSent)),
                t(state, "requestRecoveryCode", earlier + [.api(.recoveryCode(email: "grace@example.com")), .render],
                  F.withoutPasskey(.sendingCode, codeSent: codeSent)),
                t(state, "requestRecoveryCode(not one)", earlier + [.render], F.signedOut(.recoveryEmailRequired, codeSent: codeSent)),
                // Spaces in a typed code are the person's, not the code's.
                t(state, "redeemRecoveryCode", earlier + [.api(.recovery(email: "grace@example.com", code: "12345678")), .render],
                  F.withoutPasskey(.checkingCode, codeSent: codeSent)),
                // A code at hand shows its form, to complete it.
                t(state, "redeemRecoveryCode(no code)", earlier + [.render], F.signedOut(.invalidCode, codeSent: true)),
                t(state, "redeemRecoveryCode(no email)", earlier + [.render], F.signedOut(.recoveryEmailRequired, codeSent: true)),
            ]
        }
        // What a signed-out person can start, whatever problem is showing.
        func signedOutIntents(_ state: String, codeSent: Bool = false) -> [Transition] {
            [t(state, "refresh", [.api(.session), .render], .checkingSession)] + ceremonies(state, codeSent: codeSent)
        }
        // What a signed-in person can start when nothing is in flight; starting clears the problem.
        // With an account `status`, `passkeys` and `upgrade`; adding a passkey first ends an upgrade
        // waiting (`stop`, becoming `stopped`).
        func signedInIntents(
            _ state: String, passkeys: [Auth.Passkey]? = [F.one, F.two], status: Auth.AccountStatus = Auth.AccountStatus(),
            upgrade: Auth.Upgrade? = nil, stop: [Effect] = [], stopped: Auth.Upgrade? = nil
        ) -> [Transition] {
            func next(_ activity: Auth.Activity, problem: Auth.Problem? = nil, upgrade: Auth.Upgrade? = upgrade) -> State {
                F.signedIn(activity, passkeys: passkeys, problem: problem, status: status, upgrade: upgrade)
            }
            return [
                t(state, "refresh", [list, .render], next(.loadingPasskeys)),
                t(state, "addPasskey", stop + [.api(.passkeyOptions), .render], next(.addingPasskey(.requestingOptions), upgrade: stopped ?? upgrade)),
                t(state, "renamePasskey", [.api(.renamePasskey(F.one.id, name: "Work")), .render], next(.renaming(F.one.id, name: "Work"))),
                t(state, "deletePasskey", [.api(.deletePasskey(F.two.id)), .render], next(.deleting(F.two.id))),
                t(state, "changeDisplayName", [.api(.updateAccount(displayName: "Ada L.")), .render], next(.changingDisplayName("Ada L."))),
                t(state, "deleteAccount", [.api(.deleteAccount), .render], next(.deletingAccount)),
                t(state, "signOut", [.api(.signOut), .render], next(.signingOut)),
                // Spaces in a typed code are the person's, not the code's.
                t(state, "confirmEmail", [.api(.confirmEmail(code: "12345678")), .render], next(.confirmingEmail)),
                t(state, "confirmEmail(empty)", [.render], next(.idle, problem: .invalidCode)),
                t(state, "resendEmailCode", [.api(.resendEmailCode), .render], next(.resendingEmailCode)),
                t(state, "removePassword", [.api(.removePassword), .render], next(.removingPassword)),
            ]
        }
        // Autofill's options are on their way: an intent that overrules autofill waits for them,
        // the latest one replacing another (`heldIntent`).
        func held(_ state: String, problem: Auth.Problem? = nil, codeSent: Bool = false) -> [Transition] {
            events.compactMap { name, event in
                guard case .view(let intent) = event else { return nil }
                switch intent {
                case .signUp, .signIn, .signInWithPassword, .requestRecoveryCode, .redeemRecoveryCode:
                    return t(state, name, [.render], F.autofill(.requestingOptions, problem: problem, codeSent: codeSent, heldIntent: intent))
                default:
                    return nil
                }
            }
        }
        // A finished ceremony, however it was started.
        func finishingSignIn(_ state: String) -> [Transition] {
            [
                t(state, "authentication.ok", [list, .render], F.signedIn(.loadingPasskeys, passkeys: nil)),
                t(state, "authentication.offline", [.render], F.signedOut(.offline)),
                t(state, "authentication.unknownCredential",
                  [.passkey(.signalUnknownCredential(rpID: "example.com", credentialID: "b25l")), .render], F.signedOut(.deletedPasskey)),
            ]
        }

        return [
            t("starting", "refresh", [.api(.session), .render], .checkingSession),
            // An application asked for a fresh sign-in: the form, whether or not a session exists.
            t("starting", "signInAgain", [.render], F.signedOut()),

            t("checkingSession", "session.ok", [list, .render], F.signedIn(.loadingPasskeys, passkeys: nil)),
            t("checkingSession", "session.ok(password)", [list, .render], F.signedIn(.loadingPasskeys, passkeys: nil, status: F.withPassword)),
            t("checkingSession", "session.offline", [.render], F.signedOut(.offline)),
            t("checkingSession", "session.unauthenticated", [.render], F.signedOut()),
        ]
        + signedOutIntents("signedOut")
        + signedOutIntents("signedOut+problem")
        + signedOutIntents("signedOut+autofillEnded")
        + [
            t("signedOut", "startAutofill", [.api(.authenticationOptions(username: nil)), .render], F.autofill(.requestingOptions)),
            // The problem stays in view while autofill waits behind the form.
            t("signedOut+problem", "startAutofill", [.api(.authenticationOptions(username: nil)), .render],
              F.autofill(.requestingOptions, problem: .offline)),
            t("signedOut+problem", "dismissProblem", [.render], F.signedOut()),
            t("signedOut+autofillEnded", "dismissProblem", [.render], F.signedOut(autofillEnded: true)),

            t("signingUp.requestingOptions", "registrationOptions.ok", [.passkey(.create(F.creationOptions)), .render], F.signingUp(.waitingForPasskey)),
            t("signingUp.requestingOptions", "registrationOptions.offline", [.render], F.signedOut(.offline)),
            t("signingUp.requestingOptions", "registrationOptions.usernameTaken", [.render], F.signedOut(.usernameTaken)),

            t("signingUp.waitingForPasskey", "create.ok", [.api(.registration(F.newCredential)), .render], F.signingUp(.finishing)),
            t("signingUp.waitingForPasskey", "create.cancelled", [.render], F.signedOut(.cancelled)),
            t("signingUp.waitingForPasskey", "create.excluded", [.render], F.signedOut(.passkeyExists)),
            t("signingUp.waitingForPasskey", "cancel", [.passkey(.cancel), .render], F.signedOut()),

            t("signingUp.finishing", "registration.ok", [.render], F.signedIn(passkeys: [F.one])),
            t("signingUp.finishing", "registration.offline", [.render], F.signedOut(.offline)),

            t("signingIn.requestingOptions", "authenticationOptions.ok", [.passkey(.get(F.requestOptions, .modal)), .render], F.signingIn(.waitingForPasskey)),
            t("signingIn.requestingOptions", "authenticationOptions.offline", [.render], F.signedOut(.offline)),

            t("signingIn.waitingForPasskey", "get.ok", [.api(.authentication(F.assertion)), .render], F.signingIn(.finishing)),
            t("signingIn.waitingForPasskey", "get.cancelled", [.render], F.signedOut(.signInCancelled)),
            t("signingIn.waitingForPasskey", "get.noCredentials", [.render], F.signedOut(.noPasskey)),
            t("signingIn.waitingForPasskey", "cancel", [.passkey(.cancel), .render], F.signedOut()),
        ]
        + finishingSignIn("signingIn.finishing")
        + [
            t("autofill.requestingOptions", "authenticationOptions.ok", [.passkey(.get(F.requestOptions, .conditional)), .render], F.autofill(.waitingForPasskey)),
            // In the background: quiet, and not offered again until the person starts something.
            t("autofill.requestingOptions", "authenticationOptions.offline", [.render], F.signedOut(autofillEnded: true)),

            t("autofill.waitingForPasskey", "get.ok", [.api(.authentication(F.assertion)), .render], F.autofill(.finishing)),
            t("autofill.waitingForPasskey", "get.cancelled", [.render], F.signedOut(autofillEnded: true)),
            t("autofill.waitingForPasskey", "get.noCredentials", [.render], F.signedOut(.noPasskey, autofillEnded: true)),
            t("autofill.waitingForPasskey", "cancel", [.passkey(.cancel), .render], F.signedOut()),

            t("autofill.waitingForPasskey+problem", "get.ok", [.api(.authentication(F.assertion)), .render], F.autofill(.finishing)),
            t("autofill.waitingForPasskey+problem", "get.cancelled", [.render], F.signedOut(.signInCancelled, autofillEnded: true)),
            t("autofill.waitingForPasskey+problem", "get.noCredentials", [.render], F.signedOut(.noPasskey, autofillEnded: true)),
            t("autofill.waitingForPasskey+problem", "cancel", [.passkey(.cancel), .render], F.signedOut()),
        ]
        // The person overrules autofill: a waiting request is aborted; options on their way are
        // waited for, so that the two ceremonies' options never race for the one ceremony cookie.
        + held("autofill.requestingOptions")
        + held("autofill.requestingOptions+held")
        + held("autofill.requestingOptions+held+codeSent", problem: .offline, codeSent: true)
        + [
            // Autofill's options, answered or not, go unused: the held intent is taken.
            t("autofill.requestingOptions+held", "authenticationOptions.ok",
              [.api(.authenticationOptions(username: "ada")), .render], F.signingIn(.requestingOptions)),
            t("autofill.requestingOptions+held", "authenticationOptions.offline",
              [.api(.authenticationOptions(username: "ada")), .render], F.signingIn(.requestingOptions)),
            t("autofill.requestingOptions+held+codeSent", "authenticationOptions.ok",
              [.api(.recovery(email: "grace@example.com", code: "12345678")), .render], F.withoutPasskey(.checkingCode, codeSent: true)),
            t("autofill.requestingOptions+held+codeSent", "authenticationOptions.offline",
              [.api(.recovery(email: "grace@example.com", code: "12345678")), .render], F.withoutPasskey(.checkingCode, codeSent: true)),
        ]
        + ceremonies("autofill.waitingForPasskey", after: [.passkey(.cancel)])
        + ceremonies("autofill.waitingForPasskey+problem", after: [.passkey(.cancel)])
        + finishingSignIn("autofill.finishing")
        + signedInIntents("signedIn.idle")
        + signedInIntents("signedIn.idle+problem")
        + signedInIntents("signedIn.idle+notice")
        + [
            t("signedIn.idle+problem", "dismissProblem", [.render], F.signedIn()),
            t("signedIn.idle+notice", "dismissProblem", [.render], F.signedIn()),

            t("signedIn.loadingPasskeys", "listPasskeys.ok", [.render], F.signedIn()),
            t("signedIn.loadingPasskeys", "listPasskeys.none", [.render], F.signedIn(passkeys: [])),
            t("signedIn.loadingPasskeys", "listPasskeys.offline", [.render], F.signedIn(passkeys: nil, problem: .offline)),
            t("signedIn.loadingPasskeys", "listPasskeys.unauthenticated", [.render], F.signedOut(.sessionEnded)),

            t("signedIn.adding.requestingOptions", "passkeyOptions.ok", [.passkey(.create(F.creationOptions)), .render], F.signedIn(.addingPasskey(.waitingForPasskey))),
            t("signedIn.adding.requestingOptions", "passkeyOptions.offline", [.render], F.signedIn(problem: .offline)),

            t("signedIn.adding.waitingForPasskey", "create.ok", [.api(.addPasskey(F.newCredential)), .render], F.signedIn(.addingPasskey(.finishing))),
            t("signedIn.adding.waitingForPasskey", "create.cancelled", [.render], F.signedIn(problem: .cancelled)),
            t("signedIn.adding.waitingForPasskey", "create.excluded", [.render], F.signedIn(problem: .passkeyExists)),
            t("signedIn.adding.waitingForPasskey", "cancel", [.passkey(.cancel), .render], F.signedIn()),

            t("signedIn.adding.finishing", "addPasskey.ok", [.render], F.signedIn(passkeys: [F.one, F.two, F.three], notice: .added("Laptop"))),
            t("signedIn.adding.finishing", "addPasskey.offline", [.render], F.signedIn(problem: .offline)),
            t("signedIn.adding.finishing+unloaded", "addPasskey.ok", [list, .render],
              F.signedIn(.loadingPasskeys, passkeys: nil, notice: .added("Laptop"))),
            t("signedIn.adding.finishing+unloaded", "addPasskey.offline", [.render], F.signedIn(passkeys: nil, problem: .offline)),

            t("signedIn.renaming", "renamePasskey.ok", [.render], F.signedIn(passkeys: [F.oneRenamed, F.two], notice: .renamed("Work"))),
            t("signedIn.renaming", "renamePasskey.offline", [.render], F.signedIn(problem: .offline)),
            t("signedIn.renaming", "renamePasskey.notFound", [list, .render], F.signedIn(.loadingPasskeys, problem: .passkeyNotFound)),

            t("signedIn.deleting", "deletePasskey.ok", [list, .render], F.signedIn(.loadingPasskeys, passkeys: [F.one], notice: .deleted("YubiKey"))),
            t("signedIn.deleting", "deletePasskey.offline", [.render], F.signedIn(problem: .offline)),
            t("signedIn.deleting", "deletePasskey.notFound", [list, .render], F.signedIn(.loadingPasskeys, problem: .passkeyNotFound)),
            t("signedIn.deleting", "deletePasskey.lastPasskey", [.render], F.signedIn(problem: .lastPasskey)),

            t("signedIn.changingDisplayName", "updateAccount.ok", [.render], F.signedIn(user: F.adaRenamed, notice: .savedDisplayName)),
            t("signedIn.changingDisplayName", "updateAccount.offline", [.render], F.signedIn(problem: .offline)),

            t("signedIn.deletingAccount", "deleteAccount.ok", [.render], F.signedOut()),
            t("signedIn.deletingAccount", "deleteAccount.offline", [.render], F.signedIn(problem: .offline)),

            t("signedIn.signingOut", "signOut.ok", [.render], F.signedOut()),
            t("signedIn.signingOut", "signOut.offline", [.render], F.signedIn(problem: .offline)),
            t("signedIn.signingOut", "signOut.unauthenticated", [.render], F.signedOut()),
        ]
        + accountExtras(t: t, list: list, signedInIntents: signedInIntents)
        + signedOutIntents("signedOut+codeSent", codeSent: true)
        + ceremonies("autofill.waitingForPasskey+codeSent", after: [.passkey(.cancel)], codeSent: true)
        + signInExtras(t: t, list: list)
    }()

    /// The sign-in page's password and recovery code.
    static func signInExtras(t: (String, String, [Effect], State) -> Transition, list: Effect) -> [Transition] {
        typealias F = Fixture
        return [
            // Autofill waits behind the code's form and keeps it when it starts or ends by itself.
            t("signedOut+codeSent", "startAutofill", [.api(.authenticationOptions(username: nil)), .render],
              .signingIn(Auth.SignIn(mediation: .conditional, step: .requestingOptions, codeSent: true))),
            t("autofill.waitingForPasskey+codeSent", "get.ok", [.api(.authentication(F.assertion)), .render],
              F.autofill(.finishing, codeSent: true)),
            t("autofill.waitingForPasskey+codeSent", "get.cancelled", [.render], F.signedOut(autofillEnded: true, codeSent: true)),
            t("autofill.waitingForPasskey+codeSent", "get.noCredentials", [.render], F.signedOut(.noPasskey, autofillEnded: true, codeSent: true)),
            t("autofill.waitingForPasskey+codeSent", "cancel", [.passkey(.cancel), .render], F.signedOut()),

            // A password account without a passkey: its list is known to be empty.
            t("withoutPasskey.checkingPassword", "passwordSignIn.ok(passwordOnly)", [.render],
              F.signedIn(passkeys: [], user: F.grace, status: F.withPassword)),
            t("withoutPasskey.checkingPassword", "passwordSignIn.ok", [list, .render],
              F.signedIn(.loadingPasskeys, passkeys: nil, user: F.grace, status: F.withPassword)),
            t("withoutPasskey.checkingPassword", "passwordSignIn.invalidCredentials", [.render], F.signedOut(.invalidCredentials)),
            t("withoutPasskey.checkingPassword", "passwordSignIn.rateLimited", [.render], F.signedOut(.rateLimited(retryAfter: 30))),

            t("withoutPasskey.sendingCode", "recoveryCode.ok", [.render], F.signedOut(codeSent: true)),
            t("withoutPasskey.sendingCode", "recoveryCode.offline", [.render], F.signedOut(.offline)),
            t("withoutPasskey.sendingCode+codeSent", "recoveryCode.ok", [.render], F.signedOut(codeSent: true)),
            t("withoutPasskey.sendingCode+codeSent", "recoveryCode.offline", [.render], F.signedOut(.offline, codeSent: true)),

            // A recovery session: its passkeys are loaded, and it makes its new one on the account page.
            t("withoutPasskey.checkingCode", "recovery.ok", [list, .render],
              F.signedIn(.loadingPasskeys, passkeys: nil, user: F.grace, status: Auth.AccountStatus(recovery: true))),
            t("withoutPasskey.checkingCode", "recovery.invalidCode", [.render], F.signedOut(.invalidCode, codeSent: true)),
        ]
    }

    /// The account page's email confirmation, recovery session, automatic upgrade and password.
    static func accountExtras(
        t: (String, String, [Effect], State) -> Transition, list: Effect,
        signedInIntents: (String, [Auth.Passkey]?, Auth.AccountStatus, Auth.Upgrade?, [Effect], Auth.Upgrade?) -> [Transition]
    ) -> [Transition] {
        typealias F = Fixture
        let pw = F.withPassword
        return [
            // The upgrade is asked for once the list shows no passkey, for a password account in a full session.
            t("signedIn.loadingPasskeys+password", "listPasskeys.ok", [.render], F.signedIn(status: pw)),
            t("signedIn.loadingPasskeys+password", "listPasskeys.none", [.api(.upgradeOptions), .render],
              F.signedIn(passkeys: [], status: pw, upgrade: .requestingOptions)),
            t("signedIn.loadingPasskeys+password", "listPasskeys.offline", [.render], F.signedIn(passkeys: nil, problem: .offline, status: pw)),
            t("signedIn.loadingPasskeys+password", "listPasskeys.unauthenticated", [.render], F.signedOut(.sessionEnded)),
            // A recovery session makes its passkey with the person: no upgrade.
            t("signedIn.loadingPasskeys+recovery", "listPasskeys.ok", [.render], F.signedIn(status: F.recovering)),
            t("signedIn.loadingPasskeys+recovery", "listPasskeys.none", [.render], F.signedIn(passkeys: [], status: F.recovering)),
            t("signedIn.loadingPasskeys+recovery", "listPasskeys.offline", [.render],
              F.signedIn(passkeys: nil, problem: .offline, status: F.recovering)),
            t("signedIn.loadingPasskeys+recovery", "listPasskeys.unauthenticated", [.render], F.signedOut(.sessionEnded)),
            // The new passkey ends the recovery session.
            t("signedIn.adding.finishing+recovery", "addPasskey.ok", [.render],
              F.signedIn(passkeys: [F.one, F.two, F.three], notice: .added("Laptop"), status: Auth.AccountStatus(hasPassword: true))),
            t("signedIn.adding.finishing+recovery", "addPasskey.offline", [.render], F.signedIn(problem: .offline, status: F.recovering)),

            t("signedIn.confirmingEmail", "confirmEmail.ok", [.render],
              F.signedIn(user: F.adaRenamed, notice: .account(.emailConfirmed), status: Auth.AccountStatus())),
            t("signedIn.confirmingEmail", "confirmEmail.invalidCode", [.render], F.signedIn(problem: .invalidCode, status: F.unconfirmed)),
            t("signedIn.confirmingEmail", "confirmEmail.unauthenticated", [.render], F.signedOut(.sessionEnded)),
            t("signedIn.resendingEmailCode", "resendEmailCode.ok", [.render], F.signedIn(notice: .account(.codeSent), status: F.unconfirmed)),
            t("signedIn.resendingEmailCode", "resendEmailCode.rateLimited", [.render],
              F.signedIn(problem: .rateLimited(retryAfter: 30), status: F.unconfirmed)),
            t("signedIn.removingPassword", "removePassword.ok", [.render], F.signedIn(notice: .account(.passwordRemoved))),
            t("signedIn.removingPassword", "removePassword.noPasskey", [.render], F.signedIn(problem: .passkeyFirst, status: pw)),
            t("signedIn.removingPassword", "removePassword.offline", [.render], F.signedIn(problem: .offline, status: pw)),

            // In the background: quiet, and a failure is silent.
            t("signedIn.upgrade.requestingOptions", "upgradeOptions.ok", [.passkey(.conditionalCreate(F.creationOptions))],
              F.signedIn(passkeys: [], status: pw, upgrade: .waitingForPasskey)),
            t("signedIn.upgrade.requestingOptions", "upgradeOptions.offline", [], F.signedIn(passkeys: [], status: pw, upgrade: .over)),
            t("signedIn.upgrade.waitingForPasskey", "create.ok", [.api(.upgradePasskey(F.newCredential))],
              F.signedIn(passkeys: [], status: pw, upgrade: .saving)),
            t("signedIn.upgrade.waitingForPasskey", "create.cancelled", [], F.signedIn(passkeys: [], status: pw, upgrade: .over)),
            t("signedIn.upgrade.waitingForPasskey", "create.excluded", [], F.signedIn(passkeys: [], status: pw, upgrade: .over)),
            t("signedIn.upgrade.saving", "upgradePasskey.ok", [.render],
              F.signedIn(passkeys: [F.three], notice: .account(.upgraded("Laptop")), status: pw, upgrade: .over)),
            t("signedIn.upgrade.saving", "upgradePasskey.unauthenticated", [], F.signedIn(passkeys: [], status: pw, upgrade: .over)),
            // What the person is doing keeps the page: the passkey joins the list, with no notice over theirs.
            t("signedIn.upgrade.saving+renaming", "upgradePasskey.ok", [.render],
              F.signedIn(.renaming(F.one.id, name: "Work"), passkeys: [F.one, F.two, F.three], status: pw, upgrade: .over)),
            t("signedIn.upgrade.saving+renaming", "upgradePasskey.unauthenticated", [],
              F.signedIn(.renaming(F.one.id, name: "Work"), status: pw, upgrade: .over)),
            t("signedIn.upgrade.saving+renaming", "renamePasskey.ok", [.render],
              F.signedIn(passkeys: [F.oneRenamed, F.two], notice: .renamed("Work"), status: pw, upgrade: .saving)),
            t("signedIn.upgrade.saving+renaming", "renamePasskey.offline", [.render], F.signedIn(problem: .offline, status: pw, upgrade: .saving)),
            t("signedIn.upgrade.saving+renaming", "renamePasskey.notFound", [list, .render],
              F.signedIn(.loadingPasskeys, problem: .passkeyNotFound, status: pw, upgrade: .saving)),
        ]
        // The person's intents while the upgrade runs: adding a passkey cancels a waiting one first.
        // Adding a passkey while the upgrade's options are on their way waits for them (`yielding`).
        + signedInIntents("signedIn.upgrade.requestingOptions", [], pw, .requestingOptions, [], .over).map { transition in
            guard transition.event == "addPasskey" else { return transition }
            return t(transition.state, "addPasskey", [.render],
                     F.signedIn(.addingPasskey(.requestingOptions), passkeys: [], status: pw, upgrade: .yielding))
        }
        + [
            t("signedIn.upgrade.yielding", "upgradeOptions.ok", [.api(.passkeyOptions)],
              F.signedIn(.addingPasskey(.requestingOptions), passkeys: [], status: pw, upgrade: .over)),
            t("signedIn.upgrade.yielding", "upgradeOptions.offline", [.api(.passkeyOptions)],
              F.signedIn(.addingPasskey(.requestingOptions), passkeys: [], status: pw, upgrade: .over)),
        ]
        + signedInIntents("signedIn.upgrade.waitingForPasskey", [], pw, .waitingForPasskey, [.passkey(.cancel)], .over)
        + signedInIntents("signedIn.upgrade.saving", [], pw, .saving, [], nil)
    }
}
