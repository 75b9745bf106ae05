import PasskeyClientCore

typealias State = Auth.State
typealias Event = Auth.Event
typealias Effect = Auth.Effect

/// Values the tests share: an account, three passkeys, the JSON the core passes through, and the
/// failures the server and the passkey provider report.
enum Fixture {
    static let ada = Auth.User(id: "AAECAw", username: "ada", displayName: "Ada")
    static let adaRenamed = Auth.User(id: "AAECAw", username: "ada", displayName: "Ada L.")

    static let one = Auth.Passkey(
        id: Auth.PasskeyID("b25l"), name: "iCloud Keychain", createdAt: "2026-11-22T10:00:00Z",
        lastUsedAt: "2026-11-23T08:30:00Z", aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
        provider: "iCloud Keychain", synced: true, backupEligible: true, transports: ["internal", "hybrid"], algorithm: -7)
    static let two = Auth.Passkey(
        id: Auth.PasskeyID("dHdv"), name: "YubiKey", createdAt: "2026-11-24T09:00:00Z",
        aaguid: "ee882879-721c-4913-9775-3dfcce97072a", synced: false, backupEligible: false,
        transports: ["usb", "nfc"], algorithm: -8)
    static let three = Auth.Passkey(
        id: Auth.PasskeyID("dGhyZWU"), name: "Laptop", createdAt: "2026-11-25T12:00:00Z",
        aaguid: "00000000-0000-0000-0000-000000000000", synced: false, backupEligible: true,
        transports: ["internal"], algorithm: -7)
    static var oneRenamed: Auth.Passkey {
        var passkey = one
        passkey.name = "Work"
        return passkey
    }

    static let creationOptions = Auth.CreationOptionsJSON(#"{"challenge":"Y3JlYXRl","rp":{"id":"example.com","name":"Example"}}"#)
    static let requestOptions = Auth.RequestOptionsJSON(#"{"challenge":"Z2V0","rpId":"example.com","allowCredentials":[]}"#)
    static let newCredential = Auth.RegistrationCredentialJSON(#"{"id":"bmV3","type":"public-key"}"#)
    static let assertion = Auth.AuthenticationCredentialJSON(#"{"id":"b25l","type":"public-key"}"#)

    static func refused(_ status: Int, _ code: String, _ message: String = "refused") -> Auth.APIFailure {
        .refused(Auth.ServerRefusal(status: status, code: code, message: message))
    }
    static let unauthenticated = refused(401, "unauthenticated", "sign in first")
    static let usernameTaken = refused(409, "username_taken", "an account with this username exists")
    static let notFound = refused(404, "not_found", "this account has no such passkey")
    static let lastPasskey = refused(409, "last_passkey", "this is the account's only passkey")
    static let unknownCredential = Auth.APIFailure.refused(Auth.ServerRefusal(
        status: 401, code: "unknown_credential", message: "this passkey is not registered here",
        credentialID: "b25l", rpID: "example.com"))

    // MARK: States

    static func signedOut(_ problem: Auth.Problem? = nil, autofillEnded: Bool = false, codeSent: Bool = false) -> State {
        .signedOut(Auth.SignedOut(problem: problem, autofillEnded: autofillEnded, codeSent: codeSent))
    }
    static func signingUp(_ step: Auth.Step) -> State { .signingUp(Auth.SignUp(username: "ada", displayName: "Ada", step: step)) }
    static func signingIn(_ step: Auth.Step, username: String? = "ada") -> State {
        .signingIn(Auth.SignIn(username: username, mediation: .modal, step: step))
    }
    static func autofill(_ step: Auth.Step, problem: Auth.Problem? = nil, codeSent: Bool = false, heldIntent: Auth.ViewEvent? = nil) -> State {
        .signingIn(Auth.SignIn(username: nil, mediation: .conditional, step: step, problem: problem, codeSent: codeSent, heldIntent: heldIntent))
    }
    static func withoutPasskey(_ step: Auth.WithoutPasskey.Step, codeSent: Bool = false) -> State {
        .withoutPasskey(Auth.WithoutPasskey(step, codeSent: codeSent))
    }
    static func signedIn(
        _ activity: Auth.Activity = .idle, passkeys: [Auth.Passkey]? = [one, two], problem: Auth.Problem? = nil, user: Auth.User = ada,
        notice: Auth.Notice? = nil, status: Auth.AccountStatus = Auth.AccountStatus(), upgrade: Auth.Upgrade? = nil
    ) -> State {
        .signedIn(Auth.Account(
            user: user, passkeys: passkeys, activity: activity, problem: problem, notice: notice, status: status, upgrade: upgrade))
    }

    // MARK: The account page's email, recovery and password

    /// An account moved here with a password, its address confirmed.
    static let withPassword = Auth.AccountStatus(hasPassword: true)
    /// A recovery session of an account that also has a password.
    static let recovering = Auth.AccountStatus(recovery: true, hasPassword: true)
    static let unconfirmed = Auth.AccountStatus(emailVerified: false)
    static let invalidCode = refused(400, "invalid_code", "the code is wrong or no longer valid: ask for a new one")
    static let noPasskey = refused(409, "no_passkey", "add a passkey before removing the password")
    static let rateLimited = Auth.APIFailure.refused(Auth.ServerRefusal(
        status: 429, code: "rate_limited", message: "too many requests", retryAfter: 30))

    // MARK: The sign-in page's password and recovery code

    static let invalidCredentials = refused(401, "invalid_credentials", "the username or password is wrong")
    static let grace = Auth.User(id: "Z3JhY2U", username: "grace@example.com", displayName: "Grace")
}
