import Foundation
import PasskeyClient
import PasskeyClientCore
import Testing

/// How the runtime writes each request as HTTP and reads each answer (docs/api.md), without a server.
@Suite("The API as HTTP and JSON")
struct APIWireTests {
    static let id = Auth.PasskeyID("b25l")

    static func body(_ request: APIHTTPRequest) -> String? {
        request.body.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("each request is the endpoint, method and body the API names")
    func requests() {
        let credential = #"{"id":"bmV3","type":"public-key"}"#
        let table: [(Auth.APIRequest, String, String, String?)] = [
            (.registrationOptions(username: "ada", displayName: nil), "POST", "/api/registration/options", #"{"username":"ada"}"#),
            (.registrationOptions(username: "ada", displayName: "Ada"), "POST", "/api/registration/options",
             #"{"username":"ada","displayName":"Ada"}"#),
            (.registration(Auth.RegistrationCredentialJSON(credential)), "POST", "/api/registration", credential),
            (.authenticationOptions(username: "ada"), "POST", "/api/authentication/options", #"{"username":"ada"}"#),
            (.authenticationOptions(username: nil), "POST", "/api/authentication/options", "{}"),
            (.authentication(Auth.AuthenticationCredentialJSON(credential)), "POST", "/api/authentication", credential),
            (.passkeyOptions, "POST", "/api/passkeys/options", "{}"),
            (.addPasskey(Auth.RegistrationCredentialJSON(credential)), "POST", "/api/passkeys", credential),
            (.session, "GET", "/api/session", nil),
            (.signOut, "DELETE", "/api/session", nil),
            (.listPasskeys, "GET", "/api/passkeys", nil),
            (.renamePasskey(Self.id, name: "Work / home"), "PATCH", "/api/passkeys/b25l", #"{"name":"Work / home"}"#),
            (.deletePasskey(Self.id), "DELETE", "/api/passkeys/b25l", nil),
            (.deletePasskey(Auth.PasskeyID("a/../b")), "DELETE", "/api/passkeys/a%2F%2E%2E%2Fb", nil),
            (.updateAccount(displayName: "Ada L."), "PATCH", "/api/account", #"{"displayName":"Ada L."}"#),
            (.deleteAccount, "DELETE", "/api/account", nil),
        ]
        for (request, method, path, body) in table {
            let http = APIHTTPRequest(request)
            #expect(http.method == method, "\(request)")
            #expect(http.path == path, "\(request)")
            #expect(Self.body(http) == body, "\(request)")
            #expect(http.changesState == (method != "GET"), "\(request)")
        }
    }

    static let user = #"{"id":"AAECAw","username":"ada","displayName":"Ada"}"#
    static let passkey = #"""
        {"id":"b25l","name":"iCloud Keychain","createdAt":"2026-11-22T10:00:00Z","lastUsedAt":null,
         "aaguid":"fbfc3007-154e-4ecc-8c0b-6e020557d7bd","provider":"iCloud Keychain","synced":true,
         "backupEligible":true,"transports":["internal","hybrid"],"algorithm":-7}
        """#
    static let coreUser = Auth.User(id: "AAECAw", username: "ada", displayName: "Ada")
    static let corePasskey = Auth.Passkey(
        id: Auth.PasskeyID("b25l"), name: "iCloud Keychain", createdAt: "2026-11-22T10:00:00Z",
        aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", provider: "iCloud Keychain", synced: true, backupEligible: true,
        transports: ["internal", "hybrid"], algorithm: -7)

    static func answer(_ request: Auth.APIRequest, _ status: Int, _ body: String, retryAfter: String? = nil) -> Auth.APIResponse {
        Auth.APIResponse(answering: request, status: status, retryAfter: retryAfter, body: Data(body.utf8))
    }

    @Test("each answer is read into the type its endpoint returns")
    func answers() {
        #expect(Self.answer(.registration(.init("{}")), 201, #"{"user":\#(Self.user),"passkey":\#(Self.passkey),"rpId":"example.com"}"#)
            == .registration(.success(Auth.Registered(user: Self.coreUser, passkey: Self.corePasskey, rpID: "example.com"))))
        #expect(Self.answer(.authentication(.init("{}")), 200, #"{"user":\#(Self.user),"rpId":"example.com"}"#)
            == .authentication(.success(Auth.Session(user: Self.coreUser, rpID: "example.com"))))
        #expect(Self.answer(.session, 200, #"{"user":\#(Self.user),"rpId":"example.com"}"#) == .session(.success(Auth.Session(user: Self.coreUser, rpID: "example.com"))))
        #expect(Self.answer(.addPasskey(.init("{}")), 201, #"{"passkey":\#(Self.passkey)}"#) == .addPasskey(.success(Self.corePasskey)))
        #expect(Self.answer(.renamePasskey(Self.id, name: "x"), 200, #"{"passkey":\#(Self.passkey)}"#)
            == .renamePasskey(.success(Self.corePasskey)))
        #expect(Self.answer(.listPasskeys, 200, #"{"passkeys":[\#(Self.passkey)]}"#) == .listPasskeys(.success([Self.corePasskey])))
        #expect(Self.answer(.listPasskeys, 200, #"{"passkeys":[]}"#) == .listPasskeys(.success([])))
        #expect(Self.answer(.updateAccount(displayName: "Ada"), 200, #"{"user":\#(Self.user)}"#) == .updateAccount(.success(Self.coreUser)))
        #expect(Self.answer(.signOut, 204, "") == .signOut(.success(Auth.NoContent())))
        #expect(Self.answer(.deletePasskey(Self.id), 204, "") == .deletePasskey(.success(Auth.NoContent())))
        #expect(Self.answer(.deleteAccount, 204, "") == .deleteAccount(.success(Auth.NoContent())))
    }

    @Test("options are passed on whole, with every member and with Booleans kept Booleans")
    func optionsPassThrough() throws {
        let options = #"""
            {"publicKey":{"challenge":"Y2hhbGxlbmdl","rp":{"id":"example.com","name":"Example"},
             "authenticatorSelection":{"requireResidentKey":true,"residentKey":"required"},"timeout":300000,
             "extensions":{"credProps":true,"somethingNew":{"level":1.5,"list":[null,"a"]}}}}
            """#
        guard case .registrationOptions(.success(let json)) = Self.answer(.registrationOptions(username: "ada", displayName: nil), 200, options) else {
            Issue.record("the options were not read")
            return
        }
        let passed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(options.utf8)) as? [String: Any]
        #expect(passed == original?["publicKey"] as? NSDictionary)
        let text = String(decoding: json.utf8, as: UTF8.self)
        #expect(text.contains(#""requireResidentKey":true"#))
        #expect(text.contains(#""timeout":300000"#))

        #expect(Self.answer(.authenticationOptions(username: nil), 200, #"{"publicKey":{"challenge":"AAAA","allowCredentials":[]}}"#)
            == .authenticationOptions(.success(Auth.RequestOptionsJSON(#"{"challenge":"AAAA","allowCredentials":[]}"#))))
    }

    @Test("an error answer is a refusal with its status, code, message and details")
    func refusals() {
        #expect(Self.answer(.registrationOptions(username: "ada", displayName: nil), 409,
                            #"{"error":{"code":"username_taken","message":"an account with this username exists"}}"#)
            == .registrationOptions(.failure(.refused(Auth.ServerRefusal(
                status: 409, code: "username_taken", message: "an account with this username exists")))))
        #expect(Self.answer(.authentication(.init("{}")), 401,
                            #"{"error":{"code":"unknown_credential","credentialId":"b25l","message":"not here","rpId":"example.com"}}"#)
            == .authentication(.failure(.refused(Auth.ServerRefusal(
                status: 401, code: "unknown_credential", message: "not here", credentialID: "b25l", rpID: "example.com")))))
        #expect(Self.answer(.authenticationOptions(username: nil), 429, #"{"error":{"code":"rate_limited","message":"slow down"}}"#, retryAfter: "17")
            == .authenticationOptions(.failure(.refused(Auth.ServerRefusal(status: 429, code: "rate_limited", message: "slow down", retryAfter: 17)))))
    }

    @Test("an answer that is not the API's is unreadable, not a crash")
    func unreadable() {
        #expect(Self.answer(.session, 502, "<html>Bad Gateway</html>") == .session(.failure(.unreadableResponse("HTTP 502 without an error body"))))
        guard case .listPasskeys(.failure(.unreadableResponse)) = Self.answer(.listPasskeys, 200, #"{"passkeys":"no"}"#) else {
            Issue.record("a wrong shape must be unreadable")
            return
        }
        guard case .registrationOptions(.failure(.unreadableResponse)) = Self.answer(.registrationOptions(username: "a", displayName: nil), 200, "[1") else {
            Issue.record("broken JSON must be unreadable")
            return
        }
    }
}
