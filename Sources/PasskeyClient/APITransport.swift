import Foundation
import PasskeyClientCore

/// Performs the core's ``Auth/APIRequest`` effects: sends each to the server and answers with the
/// ``Auth/APIResponse`` case of the same name. Every outcome is an answer, never a throw:
/// no connection is ``Auth/APIFailure/offline``.
public protocol APITransport: Sendable {
    func perform(_ request: Auth.APIRequest) async -> Auth.APIResponse
}

/// An API request as HTTP (docs/api.md): method, path and JSON body.
public struct APIHTTPRequest: Equatable, Sendable {
    public var method: String
    /// The path, percent-encoded, starting with `/api/`.
    public var path: String
    /// The JSON body, or `nil` for none.
    public var body: Data?

    public init(method: String, path: String, body: Data? = nil) {
        self.method = method
        self.path = path
        self.body = body
    }

    /// Whether the server treats it as state-changing: it then needs an allowed `Origin` and,
    /// with a body, `Content-Type: application/json`.
    public var changesState: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }

    public init(_ request: Auth.APIRequest) {
        switch request {
        case .registrationOptions(let username, let displayName):
            self.init(method: "POST", path: "/api/registration/options", body: APIWire.encode(RegistrationOptionsBody(username: username, displayName: displayName)))
        case .registration(let credential):
            self.init(method: "POST", path: "/api/registration", body: Data(credential.utf8))
        case .authenticationOptions(let username):
            self.init(method: "POST", path: "/api/authentication/options", body: APIWire.encode(AuthenticationOptionsBody(username: username)))
        case .authentication(let credential):
            self.init(method: "POST", path: "/api/authentication", body: Data(credential.utf8))
        case .passkeyOptions:
            self.init(method: "POST", path: "/api/passkeys/options", body: Data("{}".utf8))
        case .addPasskey(let credential):
            self.init(method: "POST", path: "/api/passkeys", body: Data(credential.utf8))
        case .session:
            self.init(method: "GET", path: "/api/session")
        case .signOut:
            self.init(method: "DELETE", path: "/api/session")
        case .listPasskeys:
            self.init(method: "GET", path: "/api/passkeys")
        case .renamePasskey(let id, let name):
            self.init(method: "PATCH", path: "/api/passkeys/" + Self.segment(id.base64URL), body: APIWire.encode(RenameBody(name: name)))
        case .deletePasskey(let id):
            self.init(method: "DELETE", path: "/api/passkeys/" + Self.segment(id.base64URL))
        case .updateAccount(let displayName):
            self.init(method: "PATCH", path: "/api/account", body: APIWire.encode(AccountBody(displayName: displayName)))
        case .deleteAccount:
            self.init(method: "DELETE", path: "/api/account")
        }
    }

    /// One path segment, percent-encoded (a base64url ID needs none, but an ID is input).
    private static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private struct RegistrationOptionsBody: Encodable {
        var username: String
        var displayName: String?
    }

    private struct AuthenticationOptionsBody: Encodable {
        var username: String?
    }

    private struct RenameBody: Encodable {
        var name: String
    }

    private struct AccountBody: Encodable {
        var displayName: String
    }
}

extension Auth.APIResponse {
    /// The server's answer to `request`, read from its HTTP status, `Retry-After` header and body.
    public init(answering request: Auth.APIRequest, status: Int, retryAfter: String? = nil, body: Data) {
        guard (200..<300).contains(status) else {
            self.init(answering: request, failure: APIWire.failure(status: status, retryAfter: retryAfter, body: body))
            return
        }
        switch request {
        case .registrationOptions:
            self = .registrationOptions(APIWire.publicKey(body).map(Auth.CreationOptionsJSON.init(utf8:)))
        case .registration:
            self = .registration(APIWire.decode(APIWire.RegisteredBody.self, body).map {
                Auth.Registered(user: $0.user.core, passkey: $0.passkey.core)
            })
        case .authenticationOptions:
            self = .authenticationOptions(APIWire.publicKey(body).map(Auth.RequestOptionsJSON.init(utf8:)))
        case .authentication:
            self = .authentication(APIWire.decode(APIWire.UserBody.self, body).map(\.user.core))
        case .passkeyOptions:
            self = .passkeyOptions(APIWire.publicKey(body).map(Auth.CreationOptionsJSON.init(utf8:)))
        case .addPasskey:
            self = .addPasskey(APIWire.decode(APIWire.PasskeyBody.self, body).map(\.passkey.core))
        case .session:
            self = .session(APIWire.decode(APIWire.UserBody.self, body).map(\.user.core))
        case .signOut:
            self = .signOut(.success(Auth.NoContent()))
        case .listPasskeys:
            self = .listPasskeys(APIWire.decode(APIWire.PasskeysBody.self, body).map { $0.passkeys.map(\.core) })
        case .renamePasskey:
            self = .renamePasskey(APIWire.decode(APIWire.PasskeyBody.self, body).map(\.passkey.core))
        case .deletePasskey:
            self = .deletePasskey(.success(Auth.NoContent()))
        case .updateAccount:
            self = .updateAccount(APIWire.decode(APIWire.UserBody.self, body).map(\.user.core))
        case .deleteAccount:
            self = .deleteAccount(.success(Auth.NoContent()))
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
        }
    }
}

/// The JSON of the API's answers (docs/api.md, "Objects").
enum APIWire {
    struct User: Decodable {
        var id: String
        var username: String
        var displayName: String

        var core: Auth.User { Auth.User(id: id, username: username, displayName: displayName) }
    }

    struct Passkey: Decodable {
        var id: String
        var name: String
        var createdAt: String
        var lastUsedAt: String?
        var aaguid: String
        var provider: String?
        var synced: Bool
        var backupEligible: Bool
        var transports: [String]?
        var algorithm: Int

        var core: Auth.Passkey {
            Auth.Passkey(
                id: Auth.PasskeyID(id), name: name, createdAt: createdAt, lastUsedAt: lastUsedAt, aaguid: aaguid,
                provider: provider, synced: synced, backupEligible: backupEligible, transports: transports ?? [],
                algorithm: algorithm)
        }
    }

    struct RegisteredBody: Decodable {
        var user: User
        var passkey: Passkey
    }

    struct UserBody: Decodable {
        var user: User
    }

    struct PasskeyBody: Decodable {
        var passkey: Passkey
    }

    struct PasskeysBody: Decodable {
        var passkeys: [Passkey]
    }

    struct ErrorBody: Decodable {
        struct Details: Decodable {
            var code: String
            var message: String
            var credentialId: String?
            var rpId: String?
        }

        var error: Details
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and optionals of them only: encoding cannot fail.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) -> Result<T, Auth.APIFailure> {
        do {
            return .success(try JSONDecoder().decode(T.self, from: body))
        } catch {
            return .failure(.unreadableResponse("the answer is not the expected \(T.self): \(error)"))
        }
    }

    /// The `publicKey` member of `{"publicKey": {...}}`, as JSON text, passed on as it came.
    static func publicKey(_ body: Data) -> Result<[UInt8], Auth.APIFailure> {
        struct Options: Decodable {
            var publicKey: JSONValue
        }
        return decode(Options.self, body).map { Array(encode($0.publicKey)) }
    }

    /// A 4xx or 5xx answer as a refusal; without the API's error body it is unreadable.
    static func failure(status: Int, retryAfter: String?, body: Data) -> Auth.APIFailure {
        guard let error = try? JSONDecoder().decode(ErrorBody.self, from: body).error else {
            return .unreadableResponse("HTTP \(status) without an error body")
        }
        return .refused(Auth.ServerRefusal(
            status: status, code: error.code, message: error.message, credentialID: error.credentialId,
            rpID: error.rpId, retryAfter: retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }))
    }
}

/// Any JSON value, so options pass through with every member (extensions included) and with
/// `true` kept a Boolean.
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
