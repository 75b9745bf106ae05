import PasskeyClientCore
import Testing

/// The account page's email confirmation, recovery session, automatic upgrade and password
/// removal, beyond the transition table: the server's codes, the upgrade over a whole page.
@Suite("The account page's extras")
struct AccountExtrasTests {
    typealias F = Fixture

    @Test("each server refusal of a confirmation, a new code or the password's removal is its own problem", arguments: [
        (F.invalidCode, Auth.Problem.invalidCode),
        (F.noPasskey, .passkeyFirst),
        (F.refused(403, "recovery_session"), .recoverySession),
        (F.refused(404, "no_password"), .noPassword),
        (F.refused(409, "email_verified"), .emailAlreadyConfirmed),
        (F.rateLimited, .rateLimited(retryAfter: 30)),
        (F.refused(400, "invalid_email"), .invalidEmail),
        (F.refused(400, "unheard_of"), .refused(code: "unheard_of", message: "refused")),
        (Auth.APIFailure.offline, .offline),
        (Auth.APIFailure.unreadableResponse("HTTP 502 without an error body"), .unreadableResponse),
    ])
    func refusal(failure: Auth.APIFailure, problem: Auth.Problem) {
        for (activity, response) in [
            (Auth.Activity.confirmingEmail, Auth.APIResponse.confirmEmail(.failure(failure))),
            (.resendingEmailCode, .resendEmailCode(.failure(failure))),
            (.removingPassword, .removePassword(.failure(failure))),
        ] {
            var state = F.signedIn(activity, status: F.unconfirmed)
            #expect(Auth.update(&state, .api(response)) == [.render])
            #expect(state == F.signedIn(problem: problem, status: F.unconfirmed))
        }
    }

    @Test("a password sign-in's page: the upgrade waits in the background, the person's own passkey cancels it, and it is not asked again")
    func upgradeOverAPage() {
        var state = Auth.State.checkingSession
        _ = Auth.update(&state, .api(.session(.success(Auth.Session(user: F.ada, status: F.withPassword)))))
        #expect(Auth.update(&state, .api(.listPasskeys(.success([])))) == [.api(.upgradeOptions), .render])
        #expect(Auth.update(&state, .api(.upgradeOptions(.success(F.creationOptions)))) == [.passkey(.conditionalCreate(F.creationOptions))])
        // Nothing waits for it: the display name changes meanwhile.
        #expect(Auth.update(&state, .view(.changeDisplayName("Grace H."))) == [.api(.updateAccount(displayName: "Grace H.")), .render])
        #expect(Auth.update(&state, .api(.updateAccount(.success(F.adaRenamed)))) == [.render])
        #expect(Auth.update(&state, .view(.addPasskey)) == [.passkey(.cancel), .api(.passkeyOptions), .render])
        #expect(Auth.update(&state, .api(.passkeyOptions(.success(F.creationOptions)))) == [.passkey(.create(F.creationOptions)), .render])
        #expect(Auth.update(&state, .passkey(.create(.success(F.newCredential)))) == [.api(.addPasskey(F.newCredential)), .render])
        #expect(Auth.update(&state, .api(.addPasskey(.success(F.three)))) == [.render])
        #expect(Auth.view(state).notice == "Added the passkey “Laptop”.")
        // The first passkey is made: a page on the way elsewhere goes on.
        #expect(Auth.view(state).account?.offers == Auth.AccountOffers(removePassword: true, continueToNext: true))
        // Reloading the list asks for no upgrade again, even after the passkey is gone.
        _ = Auth.update(&state, .view(.refresh))
        #expect(Auth.update(&state, .api(.listPasskeys(.success([])))) == [.render])
    }

    @Test("a declined conditional create is silent: no problem, no render, and the page offers the button")
    func declinedUpgradeIsSilent() {
        var state = F.signedIn(passkeys: [], status: F.withPassword, upgrade: .waitingForPasskey)
        #expect(Auth.update(&state, .passkey(.create(.failure(.failed("NotSupportedError"))))) == [])
        #expect(state == F.signedIn(passkeys: [], status: F.withPassword, upgrade: .over))
        #expect(Auth.view(state).problem == nil)
        #expect(Auth.view(state).account?.offers.createPasskey?.button == "Create a passkey")
    }

    @Test("no upgrade for an account with a passkey, without a password, or in a recovery session")
    func noUpgrade() {
        for (status, passkeys) in [
            (F.withPassword, [F.one]), (Auth.AccountStatus(), []), (F.recovering, []),
        ] {
            var state = F.signedIn(.loadingPasskeys, passkeys: nil, status: status)
            #expect(Auth.update(&state, .api(.listPasskeys(.success(passkeys)))).contains(.api(.upgradeOptions)) == false)
            guard case .signedIn(let account) = state else { Issue.record("signed out"); return }
            #expect(account.upgrade == nil)
        }
    }

    @Test("a recovery session points to the lost passkey below only when the account still has one")
    func recoveryWords() {
        let withLost = Auth.view(F.signedIn(passkeys: [F.one], status: F.recovering)).account?.offers.createPasskey?.text
        #expect(withLost == Auth.Language.english(.account(.recoveryText)))
        #expect(withLost?.contains("delete the passkey you lost below") == true)
        // An address never confirmed loses its passkeys at recovery: nothing below to delete.
        let none = Auth.view(F.signedIn(passkeys: [], status: F.recovering)).account?.offers.createPasskey?.text
        #expect(none == "You signed in with a recovery code. Create a new passkey on this device to finish.")
    }

    @Test("the page goes on to its next once the address is confirmed or a first passkey is made; not in a recovery session, not for other notices")
    func continuesToNext() {
        for notice: Auth.Notice in [.account(.emailConfirmed), .account(.upgraded("Phone")), .added("Phone")] {
            #expect(Auth.view(F.signedIn(passkeys: [F.one], notice: notice, status: F.withPassword)).account?.offers.continueToNext == true)
            #expect(Auth.view(F.signedIn(passkeys: [F.one], notice: notice, status: F.recovering)).account?.offers.continueToNext == false)
        }
        for notice: Auth.Notice? in [nil, .renamed("Phone"), .deleted("Phone"), .savedDisplayName, .account(.codeSent)] {
            #expect(Auth.view(F.signedIn(passkeys: [F.one], notice: notice, status: F.withPassword)).account?.offers.continueToNext == false)
        }
    }

    @Test("an ended session while confirming signs out with the problem that says so")
    func sessionEnded() {
        var state = F.signedIn(.removingPassword, status: F.withPassword)
        #expect(Auth.update(&state, .api(.removePassword(.failure(F.unauthenticated)))) == [.render])
        #expect(state == F.signedOut(.sessionEnded))
    }

    @Test("the new words are in English, Japanese and German, and none is empty")
    func words() {
        let phrases: [Auth.AccountPhrase] = [
            .upgradeHeading, .upgradeText, .upgradeButton, .recoveryHeading, .recoveryText, .recoveryTextNoPasskeys, .recoveryButton,
            .verifyHeading, .verifyText, .verifyCode, .verifyConfirm, .verifyResend, .passwordHeading, .passwordText,
            .removePassword, .confirmingEmail, .sendingCode, .removingPassword, .emailConfirmed, .codeSent, .passwordRemoved,
            .upgraded("Phone"),
        ]
        let problems: [Auth.Problem] = [.invalidCode, .passkeyFirst, .recoverySession, .noPassword, .emailAlreadyConfirmed]
        for language in Auth.Language.all {
            for phrase in phrases { #expect(!language(.account(phrase)).isEmpty, "\(language.code) \(phrase)") }
            for problem in problems { #expect(!problem.words(in: language).isEmpty, "\(language.code) \(problem)") }
            #expect(language(.notice(.account(.codeSent))) == language(.account(.codeSent)))
        }
        #expect(Auth.Language.english(.account(.upgraded("Phone"))).contains("“Phone”"))
        #expect(Auth.Language.japanese(.account(.upgraded("Phone"))).contains("「Phone」"))
        #expect(Auth.Language.german(.account(.upgraded("Phone"))).contains("„Phone“"))
    }
}
