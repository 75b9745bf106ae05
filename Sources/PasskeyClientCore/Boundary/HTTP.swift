extension Auth {
    /// An ``APIRequest`` as HTTP (docs/api.md): the one place that names the API's routes, for
    /// every shell — the browser's through ``Boundary`` and the native runtime (`APIHTTPRequest`).
    public struct HTTPRequest: Equatable, Sendable {
        public var method: String
        /// The path, percent-encoded, starting with `/api/`.
        public var path: String
        /// The JSON body, or `nil` for none.
        public var body: [UInt8]?

        public init(method: String, path: String, body: [UInt8]? = nil) {
            self.method = method
            self.path = path
            self.body = body
        }
    }
}

extension Auth.APIRequest {
    /// The request's method, path and body.
    public var http: Auth.HTTPRequest {
        typealias J = Auth.JSON
        switch self {
        case .registrationOptions(let username, let displayName):
            var members: [(String, J)] = [("username", .string(username))]
            if let displayName { members.append(("displayName", .string(displayName))) }
            return .init(method: "POST", path: "/api/registration/options", body: J.object(members).utf8)
        case .registration(let credential):
            return .init(method: "POST", path: "/api/registration", body: credential.utf8)
        case .authenticationOptions(let username):
            return .init(
                method: "POST", path: "/api/authentication/options",
                body: J.object(username.map { [("username", .string($0))] } ?? []).utf8)
        case .authentication(let credential):
            return .init(method: "POST", path: "/api/authentication", body: credential.utf8)
        case .passkeyOptions:
            return .init(method: "POST", path: "/api/passkeys/options", body: Array("{}".utf8))
        case .addPasskey(let credential):
            return .init(method: "POST", path: "/api/passkeys", body: credential.utf8)
        case .session:
            return .init(method: "GET", path: "/api/session")
        case .signOut:
            return .init(method: "DELETE", path: "/api/session")
        case .listPasskeys:
            return .init(method: "GET", path: "/api/passkeys")
        case .renamePasskey(let id, let name):
            return .init(method: "PATCH", path: "/api/passkeys/" + Self.segment(id.base64URL), body: J.object([("name", .string(name))]).utf8)
        case .deletePasskey(let id):
            return .init(method: "DELETE", path: "/api/passkeys/" + Self.segment(id.base64URL))
        case .updateAccount(let displayName):
            return .init(method: "PATCH", path: "/api/account", body: J.object([("displayName", .string(displayName))]).utf8)
        case .deleteAccount:
            return .init(method: "DELETE", path: "/api/account")
        case .listSessions:
            return .init(method: "GET", path: "/api/sessions")
        case .endSession(let id):
            return .init(method: "DELETE", path: "/api/sessions/" + Self.segment(id))
        case .endOtherSessions:
            return .init(method: "DELETE", path: "/api/sessions")
        case .activity(let before):
            return .init(method: "GET", path: "/api/account/activity" + (before.map { "?before=" + Self.segment($0) } ?? ""))
        case .listApps:
            return .init(method: "GET", path: "/api/oidc/apps")
        case .removeApp(let clientID):
            return .init(method: "DELETE", path: "/api/oidc/apps/" + Self.segment(clientID))
        case .consentPrompt(let query):
            // The query goes on as the page received it: the server reads it as the authorization request.
            return .init(method: "GET", path: "/api/oidc/consent?" + query)
        case .consentDecision(let query, let allow):
            return .init(
                method: "POST", path: "/api/oidc/consent",
                body: J.object([("request", .string(query)), ("decision", .string(allow ? "allow" : "deny"))]).utf8)
        case .confirmEmail(let code, let proof):
            var fields: [(String, J)] = [("code", .string(code))]
            if let proof { fields.append(("proof", .string(proof))) }
            return .init(method: "POST", path: "/api/email/verify", body: J.object(fields).utf8)
        case .resendEmailCode:
            return .init(method: "POST", path: "/api/email/verify/resend", body: Array("{}".utf8))
        case .removePassword:
            return .init(method: "DELETE", path: "/api/password")
        case .upgradeOptions:
            return .init(method: "POST", path: "/api/passkeys/options", body: Array(#"{"mediation":"conditional"}"#.utf8))
        case .upgradePasskey(let credential):
            return .init(method: "POST", path: "/api/passkeys", body: credential.utf8)
        case .passwordSignIn(let username, let password):
            return .init(
                method: "POST", path: "/api/password",
                body: J.object([("username", .string(username)), ("password", .string(password))]).utf8)
        case .recoveryCode(let email):
            return .init(method: "POST", path: "/api/recovery/options", body: J.object([("email", .string(email))]).utf8)
        case .recovery(let email, let code, let proof):
            var fields: [(String, J)] = [("email", .string(email)), ("code", .string(code))]
            if let proof { fields.append(("proof", .string(proof))) }
            return .init(method: "POST", path: "/api/recovery", body: J.object(fields).utf8)
        }
    }

    /// The request's name on the boundary, which its answer repeats (`session`, `renamePasskey`).
    public var name: String {
        switch self {
        case .registrationOptions: "registrationOptions"
        case .registration: "registration"
        case .authenticationOptions: "authenticationOptions"
        case .authentication: "authentication"
        case .passkeyOptions: "passkeyOptions"
        case .addPasskey: "addPasskey"
        case .session: "session"
        case .signOut: "signOut"
        case .listPasskeys: "listPasskeys"
        case .renamePasskey: "renamePasskey"
        case .deletePasskey: "deletePasskey"
        case .updateAccount: "updateAccount"
        case .deleteAccount: "deleteAccount"
        case .listSessions: "listSessions"
        case .endSession: "endSession"
        case .endOtherSessions: "endOtherSessions"
        case .activity: "activity"
        case .listApps: "listApps"
        case .removeApp: "removeApp"
        case .consentPrompt: "consentPrompt"
        case .consentDecision: "consentDecision"
        case .confirmEmail: "confirmEmail"
        case .resendEmailCode: "resendEmailCode"
        case .removePassword: "removePassword"
        case .upgradeOptions: "upgradeOptions"
        case .upgradePasskey: "upgradePasskey"
        case .passwordSignIn: "passwordSignIn"
        case .recoveryCode: "recoveryCode"
        case .recovery: "recovery"
        }
    }

    /// One path segment or query value, percent-encoded: a base64url ID needs none, but an ID is input.
    private static func segment(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 48...57, 65...90, 97...122, 45, 95: out.append(byte)
            default: out.append(contentsOf: [37, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Auth.APIResponse {
    /// The server's answer to `request`, read from its HTTP status, `Retry-After` header and body
    /// (docs/api.md): a 2xx body in the type the endpoint returns, anything else a refusal.
    public init(answering request: Auth.APIRequest, status: Int, retryAfter: String? = nil, body: [UInt8]) {
        guard (200..<300).contains(status) else {
            self.init(answering: request, failure: Self.failure(status: status, retryAfter: retryAfter, body: body))
            return
        }
        let json = Auth.JSON(parsing: body)
        func read<T>(_ what: String, _ convert: (Auth.JSON) -> T?) -> Result<T, Auth.APIFailure> {
            guard let json, let value = convert(json) else {
                return .failure(.unreadableResponse("the answer is not the expected \(what)"))
            }
            return .success(value)
        }
        switch request {
        case .registrationOptions:
            self = .registrationOptions(read("options") { $0["publicKey"].flatMap(Self.options).map { Auth.CreationOptionsJSON(utf8: $0) } })
        case .registration:
            self = .registration(read("registration") { json in
                guard let user = json["user"].flatMap(Auth.User.init(json:)),
                      let passkey = json["passkey"].flatMap(Auth.Passkey.init(json:))
                else { return nil }
                return Auth.Registered(user: user, passkey: passkey, rpID: json["rpId"]?.string)
            })
        case .authenticationOptions:
            self = .authenticationOptions(read("options") { $0["publicKey"].flatMap(Self.options).map { Auth.RequestOptionsJSON(utf8: $0) } })
        case .authentication:
            self = .authentication(read("session", Auth.Session.init(json:)))
        case .passkeyOptions:
            self = .passkeyOptions(read("options") { $0["publicKey"].flatMap(Self.options).map { Auth.CreationOptionsJSON(utf8: $0) } })
        case .addPasskey:
            self = .addPasskey(read("passkey") { $0["passkey"].flatMap(Auth.Passkey.init(json:)) })
        case .session:
            self = .session(read("session", Auth.Session.init(json:)))
        case .signOut:
            self = .signOut(.success(Auth.NoContent()))
        case .listPasskeys:
            self = .listPasskeys(read("passkeys") { json in
                guard let items = json["passkeys"]?.array else { return nil }
                let passkeys = items.compactMap(Auth.Passkey.init(json:))
                return passkeys.count == items.count ? passkeys : nil
            })
        case .renamePasskey:
            self = .renamePasskey(read("passkey") { $0["passkey"].flatMap(Auth.Passkey.init(json:)) })
        case .deletePasskey:
            self = .deletePasskey(.success(Auth.NoContent()))
        case .updateAccount:
            self = .updateAccount(read("user") { $0["user"].flatMap(Auth.User.init(json:)) })
        case .deleteAccount:
            self = .deleteAccount(.success(Auth.NoContent()))
        case .listSessions:
            self = .listSessions(read("sessions") { json in
                guard let items = json["sessions"]?.array else { return nil }
                let sessions = items.compactMap(Auth.SessionInfo.init(json:))
                return sessions.count == items.count ? sessions : nil
            })
        case .endSession:
            self = .endSession(.success(Auth.NoContent()))
        case .endOtherSessions:
            self = .endOtherSessions(.success(Auth.NoContent()))
        case .activity:
            self = .activity(read("activity page", Auth.ActivityPage.init(json:)))
        case .listApps:
            self = .listApps(read("apps") { json in
                guard let items = json["apps"]?.array else { return nil }
                let apps = items.compactMap(Auth.AppAccess.init(json:))
                return apps.count == items.count ? apps : nil
            })
        case .removeApp:
            self = .removeApp(.success(Auth.NoContent()))
        case .consentPrompt:
            self = .consentPrompt(read("consent prompt") { json in
                if let url = json["redirectTo"]?.string { return .redirect(url) }
                guard let name = json["client"]?["name"]?.string, let username = json["username"]?.string,
                      let items = json["scopes"]?.array
                else { return nil }
                let scopes = items.compactMap { $0.string }
                let prompt = Auth.Consent.Prompt(clientName: name, scopes: scopes, username: username, userID: json["userId"]?.string)
                return scopes.count == items.count ? .ask(prompt) : nil
            })
        case .consentDecision:
            self = .consentDecision(read("redirect") { $0["redirectTo"]?.string })
        case .confirmEmail:
            self = .confirmEmail(read("user") { $0["user"].flatMap(Auth.User.init(json:)) })
        case .resendEmailCode:
            self = .resendEmailCode(.success(Auth.NoContent()))
        case .removePassword:
            self = .removePassword(.success(Auth.NoContent()))
        case .upgradeOptions:
            self = .upgradeOptions(read("options") { $0["publicKey"].flatMap(Self.options).map { Auth.CreationOptionsJSON(utf8: $0) } })
        case .upgradePasskey:
            self = .upgradePasskey(read("passkey") { $0["passkey"].flatMap(Auth.Passkey.init(json:)) })
        case .passwordSignIn:
            self = .passwordSignIn(read("session") { json in
                Auth.Session(json: json).map { Auth.PasswordSession(session: $0, passwordOnly: json["passwordOnly"]?.bool ?? false) }
            })
        case .recoveryCode:
            self = .recoveryCode(.success(Auth.NoContent()))
        case .recovery:
            self = .recovery(read("session", Auth.Session.init(json:)))
        }
    }

    /// The answer to `request` when it failed.
    public init(answering request: Auth.APIRequest, failure: Auth.APIFailure) {
        switch request {
        case .registrationOptions: self = .registrationOptions(.failure(failure))
        case .registration: self = .registration(.failure(failure))
        case .authenticationOptions: self = .authenticationOptions(.failure(failure))
        case .authentication: self = .authentication(.failure(failure))
        case .passkeyOptions: self = .passkeyOptions(.failure(failure))
        case .addPasskey: self = .addPasskey(.failure(failure))
        case .session: self = .session(.failure(failure))
        case .signOut: self = .signOut(.failure(failure))
        case .listPasskeys: self = .listPasskeys(.failure(failure))
        case .renamePasskey: self = .renamePasskey(.failure(failure))
        case .deletePasskey: self = .deletePasskey(.failure(failure))
        case .updateAccount: self = .updateAccount(.failure(failure))
        case .deleteAccount: self = .deleteAccount(.failure(failure))
        case .listSessions: self = .listSessions(.failure(failure))
        case .endSession: self = .endSession(.failure(failure))
        case .endOtherSessions: self = .endOtherSessions(.failure(failure))
        case .activity: self = .activity(.failure(failure))
        case .listApps: self = .listApps(.failure(failure))
        case .removeApp: self = .removeApp(.failure(failure))
        case .consentPrompt: self = .consentPrompt(.failure(failure))
        case .consentDecision: self = .consentDecision(.failure(failure))
        case .confirmEmail: self = .confirmEmail(.failure(failure))
        case .resendEmailCode: self = .resendEmailCode(.failure(failure))
        case .removePassword: self = .removePassword(.failure(failure))
        case .upgradeOptions: self = .upgradeOptions(.failure(failure))
        case .upgradePasskey: self = .upgradePasskey(.failure(failure))
        case .passwordSignIn: self = .passwordSignIn(.failure(failure))
        case .recoveryCode: self = .recoveryCode(.failure(failure))
        case .recovery: self = .recovery(.failure(failure))
        }
    }

    /// The options object, passed on as JSON text.
    private static func options(_ json: Auth.JSON) -> [UInt8]? {
        guard case .object = json else { return nil }
        return json.utf8
    }

    /// A 4xx or 5xx answer as a refusal (docs/api.md, "Errors"); without the API's error body it
    /// is unreadable. `Retry-After` counts only as delay-seconds (RFC 9110 §10.2.3).
    public static func failure(status: Int, retryAfter: String?, body: [UInt8]) -> Auth.APIFailure {
        guard let error = Auth.JSON(parsing: body)?["error"],
              let code = error["code"]?.string, let message = error["message"]?.string
        else { return .unreadableResponse("HTTP \(status) without an error body") }
        return .refused(Auth.ServerRefusal(
            status: status, code: code, message: message, credentialID: error["credentialId"]?.string,
            rpID: error["rpId"]?.string, retryAfter: retryAfter.flatMap(Self.delaySeconds)))
    }

    /// `Retry-After: 30` as 30; an HTTP date or anything else as `nil`.
    static func delaySeconds(_ header: String) -> Int? {
        let digits = Array(header.utf8).filter { $0 != 32 && $0 != 9 }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}

extension Auth.User {
    /// docs/api.md, "User".
    init?(json: Auth.JSON) {
        guard let id = json["id"]?.string, let username = json["username"]?.string,
              let displayName = json["displayName"]?.string
        else { return nil }
        self.init(id: id, username: username, displayName: displayName)
    }
}

extension Auth.Session {
    /// `{"user": User, "rpId", "recovery", "hasPassword"}`, the user with `emailVerified`.
    init?(json: Auth.JSON) {
        guard let user = json["user"].flatMap(Auth.User.init(json:)) else { return nil }
        let status = Auth.AccountStatus(
            recovery: json["recovery"]?.bool ?? false, emailVerified: json["user"]?["emailVerified"]?.bool ?? true,
            hasPassword: json["hasPassword"]?.bool ?? false)
        self.init(user: user, rpID: json["rpId"]?.string, status: status)
    }
}

extension Auth.Passkey {
    /// docs/api.md, "Passkey"; `null` and missing are the same for the optional members.
    init?(json: Auth.JSON) {
        guard let id = json["id"]?.string, let name = json["name"]?.string, let createdAt = json["createdAt"]?.string,
              let aaguid = json["aaguid"]?.string, let synced = json["synced"]?.bool,
              let backupEligible = json["backupEligible"]?.bool, let algorithm = json["algorithm"]?.int
        else { return nil }
        var transports: [String] = []
        if let items = json["transports"]?.array {
            transports = items.compactMap { $0.string }
            guard transports.count == items.count else { return nil }
        }
        self.init(
            id: Auth.PasskeyID(id), name: name, createdAt: createdAt, lastUsedAt: json["lastUsedAt"]?.string,
            aaguid: aaguid, provider: json["provider"]?.string, synced: synced, backupEligible: backupEligible,
            transports: transports, algorithm: algorithm)
    }
}
