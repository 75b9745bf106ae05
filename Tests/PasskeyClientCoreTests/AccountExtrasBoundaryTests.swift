import PasskeyClientCore
import Testing

/// The account page's email confirmation, recovery session, upgrade and password over the JSON
/// boundary (docs/client-core.md).
@Suite("The account page's extras over the JSON boundary")
struct AccountExtrasBoundaryTests {
    typealias B = BoundaryTests
    static let user = #"{"id":"AAECAw","username":"grace@example.com","displayName":"Grace","emailVerified":false}"#

    /// A boundary signed in from `GET /api/session` with `session`'s extra members and no passkey.
    static func signedIn(_ extras: String, languages: String = #"["en"]"#) -> (Auth.Boundary, Auth.JSON) {
        var boundary = Auth.Boundary()
        _ = B.send(&boundary, #"{"event":"languages","languages":\#(languages)}"#)
        var answer = B.send(&boundary, #"{"event":"refresh"}"#)
        answer = B.send(&boundary, B.http(answer, 1, 200, #"{"user":\#(user),"rpId":"example.com",\#(extras)}"#))
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"passkeys":[]}"#))
        return (boundary, answer)
    }

    @Test("a password account without a passkey gets the upgrade: options asked for a conditional create, the panel and the code field shown")
    func upgradeAsked() {
        var (boundary, answer) = Self.signedIn(#""recovery":false,"hasPassword":true"#)
        #expect(answer["effects"]?.text == #"[{"effect":"signalAllAcceptedCredentials","rpId":"example.com","userId":"AAECAw","allAcceptedCredentialIds":[]},{"effect":"http","id":3,"request":"upgradeOptions","method":"POST","path":"/api/passkeys/options","body":"{\"mediation\":\"conditional\"}","user":"AAECAw"}]"#)
        #expect(answer["view"]?["account"]?["createPasskey"]?.text == #"{"heading":"Create a passkey","text":"Sign in faster and safer next time: create a passkey for this account.","button":"Create a passkey"}"#)
        #expect(answer["view"]?["account"]?["confirmEmail"] == .bool(true))
        #expect(answer["view"]?["account"]?["removePassword"] == .bool(false))
        #expect(answer["view"]?["canStart"] == .bool(true))

        answer = B.send(&boundary, B.http(answer, 3, 200, #"{"publicKey":{"challenge":"Y2g"}}"#))
        #expect(answer.text == #"{"effects":[{"effect":"create","options":{"challenge":"Y2g"},"mediation":"conditional"}]}"#)
    }

    @Test("adding a passkey while the conditional create waits cancels it first; exactly one modal create follows")
    func addCancelsUpgrade() {
        var (boundary, answer) = Self.signedIn(#""hasPassword":true"#)
        answer = B.send(&boundary, B.http(answer, 3, 200, #"{"publicKey":{"challenge":"Y2g"}}"#))
        answer = B.send(&boundary, #"{"event":"addPasskey"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"cancel"},{"effect":"http","id":4,"request":"passkeyOptions","method":"POST","path":"/api/passkeys/options","body":"{}","user":"AAECAw"}]"#)
        answer = B.send(&boundary, B.http(answer, 4, 200, #"{"publicKey":{"challenge":"bW9kYWw"}}"#))
        #expect(answer["effects"]?.text == #"[{"effect":"create","options":{"challenge":"bW9kYWw"}}]"#)
    }

    @Test("a recovery session is asked for its new passkey in words, with no upgrade and no code field")
    func recoverySession() {
        let (_, answer) = Self.signedIn(#""recovery":true,"hasPassword":true"#, languages: #"["de"]"#)
        #expect(answer["effects"]?.text == #"[{"effect":"signalAllAcceptedCredentials","rpId":"example.com","userId":"AAECAw","allAcceptedCredentialIds":[]}]"#)
        #expect(answer["view"]?["account"]?["createPasskey"]?["heading"]?.string == "Neuen Passkey erstellen")
        #expect(answer["view"]?["account"]?["confirmEmail"] == .bool(false))
    }

    @Test("confirming the address sends the code and, once confirmed, says so and asks the page to go on")
    func confirmEmail() {
        var (boundary, answer) = Self.signedIn(#""hasPassword":false"#)
        answer = B.send(&boundary, #"{"event":"confirmEmail","code":"1234 5678"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":3,"request":"confirmEmail","method":"POST","path":"/api/email/verify","body":"{\"code\":\"12345678\"}","user":"AAECAw"}]"#)
        answer = B.send(&boundary, B.http(answer, 3, 200, #"{"user":{"id":"AAECAw","username":"grace@example.com","displayName":"Grace","emailVerified":true}}"#))
        #expect(answer["view"]?["notice"]?.string == "Your email address is confirmed.")
        #expect(answer["view"]?["account"]?["confirmEmail"] == .bool(false))
        #expect(answer["view"]?["account"]?["continue"] == .bool(true))
        answer = B.send(&boundary, #"{"event":"dismissProblem"}"#)
        #expect(answer["view"]?["account"]?["continue"] == .bool(false))
    }

    @Test("a code from the mail's link is sent with its proof")
    func confirmEmailWithProof() {
        var (boundary, answer) = Self.signedIn(#""hasPassword":false"#)
        answer = B.send(&boundary, #"{"event":"confirmEmail","code":"12345678","proof":"cHJvb2Y"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":3,"request":"confirmEmail","method":"POST","path":"/api/email/verify","body":"{\"code\":\"12345678\",\"proof\":\"cHJvb2Y\"}","user":"AAECAw"}]"#)
    }

    @Test("a wrong code, a rate limit and a missing passkey are problems in words with their codes")
    func refusals() {
        var (boundary, answer) = Self.signedIn(#""hasPassword":true"#, languages: #"["ja"]"#)
        answer = B.send(&boundary, #"{"event":"confirmEmail","code":"00000000"}"#)
        answer = B.send(&boundary, B.http(answer, 4, 400, #"{"error":{"code":"invalid_code","message":"no"}}"#))
        #expect(answer["view"]?["problemCode"]?.string == "invalid_code")
        #expect(answer["view"]?["problem"]?.string == "このコードは間違っているか、使用済みか、期限切れです。メールを確認するか、新しいコードを請求してください。")
        answer = B.send(&boundary, #"{"event":"resendEmailCode"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":5,"request":"resendEmailCode","method":"POST","path":"/api/email/verify/resend","body":"{}","user":"AAECAw"}]"#)
        answer = B.send(&boundary, B.http(answer, 5, 429, #"{"error":{"code":"rate_limited","message":"slow"}}"#, retryAfter: "40"))
        #expect(answer["view"]?["problemCode"]?.string == "rate_limited")
        #expect(answer["view"]?["problem"]?.string?.contains("40") == true)
        answer = B.send(&boundary, #"{"event":"removePassword"}"#)
        #expect(answer["effects"]?.text == #"[{"effect":"http","id":6,"request":"removePassword","method":"DELETE","path":"/api/password","body":null,"user":"AAECAw"}]"#)
        answer = B.send(&boundary, B.http(answer, 6, 409, #"{"error":{"code":"no_passkey","message":"add one"}}"#))
        #expect(answer["view"]?["problemCode"]?.string == "no_passkey")
        #expect(answer["view"]?["problem"]?.string == "先にパスキーを作成してください。パスキーがないとサインインできなくなります。")
    }

    @Test("the languages answer carries the account page's fixed words")
    func labels() {
        var boundary = Auth.Boundary()
        let answer = B.send(&boundary, #"{"event":"languages","languages":["de"]}"#)
        #expect(answer["text"]?["verify.heading"]?.string == "E-Mail-Adresse bestätigen")
        #expect(answer["text"]?["password.remove"]?.string == "Passwort entfernen")
    }

    @Test("a confirmEmail without a string code is an invalid message, and the state stays")
    func malformed() {
        var (boundary, _) = Self.signedIn(#""hasPassword":true"#)
        let before = boundary.state
        #expect(B.send(&boundary, #"{"event":"confirmEmail"}"#)["error"]?["code"]?.string == "invalid_message")
        #expect(B.send(&boundary, #"{"event":"confirmEmail","code":12345678}"#)["error"]?["code"]?.string == "invalid_message")
        #expect(boundary.state == before)
    }
}
