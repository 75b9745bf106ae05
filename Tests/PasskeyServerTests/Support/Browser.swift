import Foundation
import Hummingbird
import HummingbirdTesting
import SoftwareAuthenticator
import Testing
import WebAuthn

/// A browser with its cookie jar and a passkey provider: it sends what the web app sends
/// (`Origin`, `Content-Type: application/json`, cookies) and keeps what the server sets.
struct Browser {
    let client: any TestClientProtocol
    var origin = Harness.origin
    var cookies: [String: String] = [:]
    var authenticator: SoftwareAuthenticator

    init(_ client: any TestClientProtocol, authenticator: SoftwareAuthenticator? = nil) throws {
        self.client = client
        self.authenticator = try authenticator ?? SoftwareAuthenticator()
    }

    var sessionCookie: String? { cookies["passkeys_session"] }
    var ceremonyCookie: String? { cookies["passkeys_ceremony"] }

    // MARK: Requests

    /// Sends a request as the web app does and stores the cookies the answer sets.
    @discardableResult
    mutating func send(
        _ method: HTTPRequest.Method, _ path: String, body: Data? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.accept: "application/json"]
        if method != .get, method != .head {
            headers[.origin] = origin
            headers[.contentType] = "application/json"
        }
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        for field in extra { headers[field.name] = field.value }
        let response = try await client.execute(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        keepCookies(response)
        return response
    }

    @discardableResult
    mutating func post(_ path: String, _ value: some Encodable, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(.post, path, body: try JSONEncoder().encode(value), headers: headers)
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestResponse {
        try await send(.get, path)
    }

    mutating func keepCookies(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let attributes = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if attributes.contains("Max-Age=0") || value.isEmpty {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
    }

    // MARK: Ceremonies

    /// Registration options for `username`, decoded.
    mutating func registrationOptions(
        _ username: String, displayName: String? = nil
    ) async throws -> (TestResponse, PublicKeyCredentialCreationOptionsJSON?) {
        var body = ["username": username]
        body["displayName"] = displayName
        let response = try await post("/api/registration/options", body)
        return (response, try? response.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey)
    }

    /// Sign-in options, with or without a username, decoded.
    mutating func authenticationOptions(
        _ username: String? = nil
    ) async throws -> (TestResponse, PublicKeyCredentialRequestOptionsJSON?) {
        let response = try await post("/api/authentication/options", username.map { ["username": $0] } ?? [:])
        return (response, try? response.decode(OptionsEnvelope<PublicKeyCredentialRequestOptionsJSON>.self).publicKey)
    }

    /// Signs up with a new passkey and returns the answer to the second request.
    @discardableResult
    mutating func signUp(_ username: String, displayName: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        let (_, options) = try await registrationOptions(username, displayName: displayName)
        let creation = try #require(options)
        let credential = try authenticator.register(options: creation, origin: origin)
        return try await post("/api/registration", credential, headers: headers)
    }

    /// Signs in, naming the account or not, and returns the answer to the second request.
    @discardableResult
    mutating func signIn(
        _ username: String? = nil, credentialID: CredentialID? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        let (_, options) = try await authenticationOptions(username)
        let request = try #require(options)
        let assertion = try authenticator.authenticate(options: request, origin: origin, credentialID: credentialID)
        return try await post("/api/authentication", assertion, headers: headers)
    }

    /// Adds a passkey from this browser's authenticator to the signed-in account.
    @discardableResult
    mutating func addPasskey() async throws -> TestResponse {
        let response = try await post("/api/passkeys/options", [String: String]())
        let options = try response.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
        let credential = try authenticator.register(options: options, origin: origin)
        return try await post("/api/passkeys", credential)
    }
}
