import PasskeyClientCore
import Testing

/// Every event in every state: the exact effects and the exact next state.
@Suite("The transition table")
struct TransitionTableTests {
    struct NamedState: CustomTestStringConvertible, Sendable {
        let name: String
        let state: State
        var testDescription: String { name }
    }

    static let states = Table.states.map { NamedState(name: $0.name, state: $0.state) }

    @Test("every event in this state gives the listed effects and state, or changes nothing", arguments: states)
    func everyEvent(in named: NamedState) {
        for (eventName, event) in Table.events {
            var state = named.state
            let effects = Auth.update(&state, event)
            if let row = Table.transitions.first(where: { $0.state == named.name && $0.event == eventName }) {
                #expect(effects == row.effects, "\(named.name) + \(eventName): effects")
                #expect(state == row.next, "\(named.name) + \(eventName): next state")
            } else {
                #expect(effects == [], "\(named.name) + \(eventName) is not in the table, so it must ask for nothing")
                #expect(state == named.state, "\(named.name) + \(eventName) is not in the table, so it must not change the state")
            }
        }
    }

    @Test("the table names only known states and events, each pair once, and no row is a no-op")
    func tableIsWellFormed() {
        let stateNames = Set(Table.states.map(\.name))
        let eventNames = Set(Table.events.map(\.name))
        #expect(stateNames.count == Table.states.count, "state names are unique")
        #expect(eventNames.count == Table.events.count, "event names are unique")
        var seen = Set<String>()
        for row in Table.transitions {
            #expect(stateNames.contains(row.state), "unknown state \(row.state)")
            #expect(eventNames.contains(row.event), "unknown event \(row.event)")
            #expect(seen.insert(row.state + " + " + row.event).inserted, "\(row.state) + \(row.event) is listed twice")
            let before = Table.states.first { $0.name == row.state }?.state
            #expect(!(row.effects.isEmpty && row.next == before), "\(row.state) + \(row.event) changes nothing: leave it out")
        }
    }

    @Test("each kind of state appears in the table, so none is forgotten")
    func everyKindOfStateIsCovered() {
        var kinds = Set<String>()
        for (_, state) in Table.states {
            switch state {
            case .starting: kinds.insert("starting")
            case .checkingSession: kinds.insert("checkingSession")
            case .signedOut: kinds.insert("signedOut")
            case .withoutPasskey(let way): kinds.insert("withoutPasskey.\(way.step)")
            case .signingUp(let signUp): kinds.insert("signingUp.\(signUp.step)")
            case .signingIn(let signIn):
                kinds.insert("signingIn.\(signIn.mediation).\(signIn.step)" + (signIn.heldIntent == nil ? "" : "+held"))
            case .signedIn(let account):
                switch account.activity {
                case .idle: kinds.insert("idle")
                case .loadingPasskeys: kinds.insert("loadingPasskeys")
                case .addingPasskey(let step): kinds.insert("adding.\(step)")
                case .renaming: kinds.insert("renaming")
                case .deleting: kinds.insert("deleting")
                case .changingDisplayName: kinds.insert("changingDisplayName")
                case .deletingAccount: kinds.insert("deletingAccount")
                case .signingOut: kinds.insert("signingOut")
                case .confirmingEmail: kinds.insert("confirmingEmail")
                case .resendingEmailCode: kinds.insert("resendingEmailCode")
                case .removingPassword: kinds.insert("removingPassword")
                }
                if let upgrade = account.upgrade { kinds.insert("upgrade.\(upgrade)") }
            }
        }
        // 2 + 1 + 3 sign-up steps + 2 × 3 sign-in steps + autofill's options with an intent held
        // + 3 without a passkey + 11 activities, with 3 adding steps, + 4 upgrade steps.
        #expect(kinds.count == 2 + 1 + 3 + 6 + 1 + 3 + 10 + 3 + 4)
    }
}

extension TransitionTableTests {
    @Test("the events include every intent, every answer (success and failure) and every passkey result")
    func everyKindOfEventIsCovered() {
        var kinds = Set<String>()
        for (_, event) in Table.events {
            switch event {
            case .view(let intent): kinds.insert("view." + Self.name(of: intent))
            case .api(let response): kinds.insert("api." + Self.name(of: response))
            case .passkey(.create(.success)): kinds.insert("create.ok")
            case .passkey(.create(.failure)): kinds.insert("create.failure")
            case .passkey(.get(.success)): kinds.insert("get.ok")
            case .passkey(.get(.failure)): kinds.insert("get.failure")
            }
        }
        // 19 intents; 29 endpoints, each answered with a success and a failure; create and get.
        #expect(kinds.count == 19 + 58 + 4, "\(kinds.sorted())")
    }

    static func name(of intent: Auth.ViewEvent) -> String {
        switch intent {
        case .refresh: "refresh"
        case .signInAgain: "signInAgain"
        case .signUp: "signUp"
        case .signIn: "signIn"
        case .startAutofill: "startAutofill"
        case .addPasskey: "addPasskey"
        case .renamePasskey: "renamePasskey"
        case .deletePasskey: "deletePasskey"
        case .changeDisplayName: "changeDisplayName"
        case .deleteAccount: "deleteAccount"
        case .signOut: "signOut"
        case .cancel: "cancel"
        case .dismissProblem: "dismissProblem"
        case .confirmEmail: "confirmEmail"
        case .resendEmailCode: "resendEmailCode"
        case .removePassword: "removePassword"
        case .signInWithPassword: "signInWithPassword"
        case .requestRecoveryCode: "requestRecoveryCode"
        case .redeemRecoveryCode: "redeemRecoveryCode"
        }
    }

    static func name(of response: Auth.APIResponse) -> String {
        func outcome<T, E>(_ result: Result<T, E>) -> String {
            if case .success = result { "ok" } else { "failure" }
        }
        switch response {
        case .registrationOptions(let r): return "registrationOptions." + outcome(r)
        case .registration(let r): return "registration." + outcome(r)
        case .authenticationOptions(let r): return "authenticationOptions." + outcome(r)
        case .authentication(let r): return "authentication." + outcome(r)
        case .passkeyOptions(let r): return "passkeyOptions." + outcome(r)
        case .addPasskey(let r): return "addPasskey." + outcome(r)
        case .session(let r): return "session." + outcome(r)
        case .signOut(let r): return "signOut." + outcome(r)
        case .listPasskeys(let r): return "listPasskeys." + outcome(r)
        case .renamePasskey(let r): return "renamePasskey." + outcome(r)
        case .deletePasskey(let r): return "deletePasskey." + outcome(r)
        case .updateAccount(let r): return "updateAccount." + outcome(r)
        case .deleteAccount(let r): return "deleteAccount." + outcome(r)
        case .listSessions(let r): return "listSessions." + outcome(r)
        case .endSession(let r): return "endSession." + outcome(r)
        case .endOtherSessions(let r): return "endOtherSessions." + outcome(r)
        case .activity(let r): return "activity." + outcome(r)
        case .listApps(let r): return "listApps." + outcome(r)
        case .removeApp(let r): return "removeApp." + outcome(r)
        case .consentPrompt(let r): return "consentPrompt." + outcome(r)
        case .consentDecision(let r): return "consentDecision." + outcome(r)
        case .confirmEmail(let r): return "confirmEmail." + outcome(r)
        case .resendEmailCode(let r): return "resendEmailCode." + outcome(r)
        case .removePassword(let r): return "removePassword." + outcome(r)
        case .upgradeOptions(let r): return "upgradeOptions." + outcome(r)
        case .upgradePasskey(let r): return "upgradePasskey." + outcome(r)
        case .passwordSignIn(let r): return "passwordSignIn." + outcome(r)
        case .recoveryCode(let r): return "recoveryCode." + outcome(r)
        case .recovery(let r): return "recovery." + outcome(r)
        }
    }
}
