import PasskeyClientCore
import Testing

/// The sign-in page's password sign-in and recovery code over the JSON boundary
/// (docs/client-core.md): the routes, the bodies, the answers read, the words shown.
@Suite("The sign-in page's password and recovery code over the JSON boundary")
struct SignInExtrasBoundaryTests {
    typealias B = BoundaryTests
    static let user = #"{"id":"Z3JhY2U","username":"grace@example.com","displayName":"Grace","emailVerified":true}"#

    /// A boundary that found no session: the signed-out form, in `languages`.
    static func signedOut(languages: String = #"["en"]"#) -> (Auth.Boundary, Auth.JSON) {
        var boundary = Auth.Boundary()
        _ = B.send(&boundary, #"{"event":"languages","languages":\#(languages)}"#)
        let answer = B.send(&boundary, #"{"event":"refresh"}"#)
        let signedOut = B.send(&boundary, B.http(answer, 1, 401, #"{"error":{"code":"unauthenticated","message":"sign in"}}"#))
        return (boundary, signedOut)
    }

    @Test("a password account without a passkey signs in and is sent to the account page, its password never in a view")
    func passwordOnly() {
        var (boundary, answer) = Self.signedOut()
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":"correct horse"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":2,"request":"passwordSignIn","method":"POST","path":"/api/password","body":"{\"username\":\"grace@example.com\",\"password\":\"correct horse\"}"}]"#)
        #expect(answer["view"]?["progress"]?.string == "Signing in…")
        #expect(answer["view"]?["canStart"] == .bool(false))
        #expect(answer["view"]?.text.contains("correct horse") == false)
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"user":\#(Self.user),"passwordOnly":true}"#))
        #expect(answer["effects"]?.text == "[]", "the list is known to be empty: nothing more to ask before leaving")
        #expect(answer["view"]?["screen"]?.string == "signedIn")
        #expect(answer["view"]?["canStart"] == .bool(true))
        #expect(answer["view"]?["toAccount"] == .bool(true))
    }

    @Test("a password account with passkeys loads them and goes where the page was asked to lead")
    func passwordWithPasskeys() {
        var (boundary, answer) = Self.signedOut()
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":"pw"}"#)
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"user":\#(Self.user),"passwordOnly":false}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":3,"request":"listPasskeys","method":"GET","path":"/api/passkeys","body":null,"user":"Z3JhY2U"}]"#)
        #expect(answer["view"]?["canStart"] == .bool(false))
        answer = B.send(&boundary, B.http(answer, 3, 200, #"{"passkeys":[{"id":"b25l","name":"Phone","createdAt":"2026-11-22T10:00:00Z","aaguid":"00000000-0000-0000-0000-000000000000","synced":true,"backupEligible":true,"algorithm":-7}]}"#))
        #expect(answer["view"]?["canStart"] == .bool(true))
        #expect(answer["view"]?["toAccount"] == .bool(false))
    }

    @Test("a wrong password, a missing one and a rate limit are problems in words, in the person's language")
    func passwordRefusals() {
        var (boundary, answer) = Self.signedOut(languages: #"["de"]"#)
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":""}"#)
        #expect(answer["effects"]?.text == "[]")
        #expect(answer["view"]?["problemCode"]?.string == "password_required")
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":"wrong"}"#)
        answer = B.send(&boundary, B.http(answer, 2, 401, #"{"error":{"code":"invalid_credentials","message":"no"}}"#))
        #expect(answer["view"]?["problemCode"]?.string == "invalid_credentials")
        #expect(answer["view"]?["problem"]?.string == "Die E-Mail-Adresse oder das Passwort ist falsch.")
        #expect(answer["view"]?["screen"]?.string == "signedOut")
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":"again"}"#)
        answer = B.send(&boundary, B.http(answer, 3, 429, #"{"error":{"code":"rate_limited","message":"slow"}}"#, retryAfter: "42"))
        #expect(answer["view"]?["problemCode"]?.string == "rate_limited")
        #expect(answer["view"]?["problem"]?.string?.contains("42") == true)
    }

    @Test("a recovery code is asked for, said to be on its way, redeemed, and the recovery session sent to the account page")
    func recovery() {
        var (boundary, answer) = Self.signedOut()
        answer = B.send(&boundary, #"{"event":"requestRecoveryCode","email":"grace@example.com"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":2,"request":"recoveryCode","method":"POST","path":"/api/recovery/options","body":"{\"email\":\"grace@example.com\"}"}]"#)
        #expect(answer["view"]?["progress"]?.string == "Sending a code…")
        answer = B.send(&boundary, B.http(answer, 2, 202, "{}"))
        #expect(answer["view"]?["codeSent"] == .bool(true))
        #expect(answer["view"]?["notice"]?.string == "If an account has this address, a code is on its way. It is valid for a few minutes.")

        answer = B.send(&boundary, #"{"event":"redeemRecoveryCode","email":"grace@example.com","code":"0000 0000"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":3,"request":"recovery","method":"POST","path":"/api/recovery","body":"{\"email\":\"grace@example.com\",\"code\":\"00000000\"}"}]"#)
        answer = B.send(&boundary, B.http(answer, 3, 400, #"{"error":{"code":"invalid_code","message":"no"}}"#))
        #expect(answer["view"]?["problemCode"]?.string == "invalid_code")
        #expect(answer["view"]?["codeSent"] == .bool(true), "the code's form stays, to correct it")
        #expect(answer["view"]?["notice"] == .null)

        // From the mail's link: its proof goes with the code.
        answer = B.send(&boundary, #"{"event":"redeemRecoveryCode","email":"grace@example.com","code":"12345678","proof":"cHJvb2Y"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":4,"request":"recovery","method":"POST","path":"/api/recovery","body":"{\"email\":\"grace@example.com\",\"code\":\"12345678\",\"proof\":\"cHJvb2Y\"}"}]"#)
        answer = B.send(&boundary, B.http(answer, 4, 200, #"{"user":\#(Self.user),"recovery":true}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":5,"request":"listPasskeys","method":"GET","path":"/api/passkeys","body":null,"user":"Z3JhY2U"}]"#)
        answer = B.send(&boundary, B.http(answer, 5, 200, #"{"passkeys":[]}"#))
        #expect(answer["view"]?["screen"]?.string == "signedIn")
        #expect(answer["view"]?["toAccount"] == .bool(true))
        #expect(answer["effects"]?.text.contains("upgradeOptions") == false, "a recovery session makes its passkey with the person")
    }

    @Test("autofill waiting behind the form is stopped first, and comes back behind the code's form")
    func overrulesAutofill() {
        var (boundary, answer) = Self.signedOut(languages: #"["ja"]"#)
        answer = B.send(&boundary, #"{"event":"startAutofill"}"#)
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"publicKey":{"challenge":"Y2g"}}"#))
        answer = B.send(&boundary, #"{"event":"requestRecoveryCode","email":"grace@example.com"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"cancel"},{"effect":"http","id":3,"request":"recoveryCode","method":"POST","path":"/api/recovery/options","body":"{\"email\":\"grace@example.com\"}"}]"#)
        answer = B.send(&boundary, B.http(answer, 3, 202, "{}"))
        #expect(answer["view"]?["offersAutofill"] == .bool(true))
        answer = B.send(&boundary, #"{"event":"startAutofill"}"#)
        #expect(answer["view"]?["codeSent"] == .bool(true))
        #expect(answer["view"]?["notice"]?.string == "このアドレスのアカウントがあれば、コードを送信しました。数分間有効です。")
    }

    @Test("an address that is not one, and a link's code without one, are problems at the code's form")
    func missingAddress() {
        var (boundary, answer) = Self.signedOut()
        answer = B.send(&boundary, #"{"event":"requestRecoveryCode","email":"grace"}"#)
        #expect(answer["effects"]?.text == "[]")
        #expect(answer["view"]?["problemCode"]?.string == "recovery_email_required")
        #expect(answer["view"]?["codeSent"] == .bool(false))
        answer = B.send(&boundary, #"{"event":"redeemRecoveryCode","email":"","code":"12345678"}"#)
        #expect(answer["view"]?["problemCode"]?.string == "recovery_email_required")
        #expect(answer["view"]?["codeSent"] == .bool(true))
    }

    @Test("the three intents without their strings are invalid messages, and the state stays")
    func malformed() {
        var (boundary, _) = Self.signedOut()
        let before = boundary.state
        for message in [
            #"{"event":"signInWithPassword","username":"grace@example.com"}"#,
            #"{"event":"signInWithPassword","password":"pw"}"#,
            #"{"event":"requestRecoveryCode"}"#,
            #"{"event":"requestRecoveryCode","email":7}"#,
            #"{"event":"redeemRecoveryCode","email":"grace@example.com"}"#,
            #"{"event":"redeemRecoveryCode","code":"12345678"}"#,
        ] {
            #expect(B.send(&boundary, message)["error"]?["code"]?.string == "invalid_message", "\(message)")
        }
        #expect(boundary.state == before)
    }

    @Test("an answer that is not a session is unreadable, and says so")
    func unreadable() {
        var (boundary, answer) = Self.signedOut()
        answer = B.send(&boundary, #"{"event":"signInWithPassword","username":"grace@example.com","password":"pw"}"#)
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"passwordOnly":true}"#))
        #expect(answer["view"]?["problemCode"]?.string == "unreadable_response")
        #expect(answer["view"]?["screen"]?.string == "signedOut")
    }
}
