import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import OpenIDProvider
import PasskeyStore
import Testing
import WebAuthn

/// An application registered for a test, with the secret it was given.
struct TestApp: Sendable {
    static let redirectURI = "https://app.example.com/cb"
    static let logoutURI = "https://app.example.com/bye"

    var id: String
    var secret: String?
    var redirectURI: String = TestApp.redirectURI

    /// Registers an application in the store.
    @discardableResult
    static func register(
        _ store: any PasskeyStore, id: String = "grafana", isPublic: Bool = false, trusted: Bool = false,
        algorithm: String = "RS256", redirectURIs: [String] = [TestApp.redirectURI]
    ) async throws -> TestApp {
        let secret = isPublic ? nil : ClientRules.newSecret()
        try await store.insertClient(OAuthClientRecord(
            id: id, name: "Grafana <Ops>", secretHash: secret.map(ClientRules.hashSecret), redirectURIs: redirectURIs,
            postLogoutRedirectURIs: [TestApp.logoutURI], trusted: trusted, idTokenAlgorithm: algorithm,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
        return TestApp(id: id, secret: secret, redirectURI: redirectURIs[0])
    }

    /// An authentication request's query.
    func authorizationQuery(
        scope: String = "openid profile email", state: String? = "xyz", nonce: String? = "n-0S6", extra: [(String, String)] = []
    ) -> [(String, String)] {
        var query = [("response_type", "code"), ("client_id", id), ("redirect_uri", redirectURI), ("scope", scope)]
        if let state { query.append(("state", state)) }
        if let nonce { query.append(("nonce", nonce)) }
        return query + extra
    }

    var basic: String {
        "Basic " + Data("\(id):\(secret ?? "")".utf8).base64EncodedString()
    }
}

/// A PKCE pair; the challenge was computed outside Swift:
/// `printf %s VERIFIER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d =`.
enum TestPKCE {
    static let verifier = "dBjftJeZ4CVP-mJ0kyJI6VKmeXHcI8RQf3yThVZsErI"
    static let challenge = "7wB42oOGvqtnj50uI09pnx_Y5DacFRWqpoK0troajto"
    static var query: [(String, String)] { [("code_challenge", challenge), ("code_challenge_method", "S256")] }
}

func formEncoded(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
}

extension TestResponse {
    /// The query items of the `Location` header.
    var locationQuery: [String: String] {
        guard let location = headers[.location], let components = URLComponents(string: location) else { return [:] }
        var items: [String: String] = [:]
        for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }

    var location: String? { headers[.location] }
}

struct RedirectAnswer: Decodable {
    var redirectTo: String
}

struct TokenAnswer: Decodable {
    var access_token: String
    var token_type: String
    var expires_in: Int
    var id_token: String
    var refresh_token: String?
    var scope: String
}

struct OAuthErrorAnswer: Decodable {
    var error: String
    var error_description: String?
}

/// The ID token's claims as a relying party reads them.
struct TestIDToken: JWTPayload {
    var iss: String
    var sub: String
    var aud: String
    var exp: Int
    var iat: Int
    var auth_time: Int
    var nonce: String?
    var at_hash: String?
    var amr: [String]
    var preferred_username: String?
    var email: String?
    var email_verified: Bool?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension Browser {
    /// GET the authorization endpoint.
    mutating func authorize(_ query: [(String, String)]) async throws -> TestResponse {
        try await get(OpenIDProvider.Path.authorization + "?" + formEncoded(query))
    }

    /// Answers the consent page for the request the server sent the browser to.
    mutating func decide(_ consentLocation: String, _ decision: String) async throws -> TestResponse {
        let query = String(consentLocation.split(separator: "?", maxSplits: 1).last ?? "")
        return try await post("/api/oidc/consent", ["request": query, "decision": decision])
    }

    /// Signs in (already signed up), authorizes, allows, and returns the code.
    mutating func code(for app: TestApp, query: [(String, String)]) async throws -> String {
        let response = try await authorize(query)
        if let location = response.location, location.hasPrefix("/consent.html") {
            let answer = try await decide(location, "allow")
            let redirect = try answer.decode(RedirectAnswer.self).redirectTo
            let items = URLComponents(string: redirect)?.queryItems ?? []
            return try #require(items.first { $0.name == "code" }?.value, "\(redirect)")
        }
        return try #require(response.locationQuery["code"], "\(response.status) \(response.location ?? response.text)")
    }
}

/// Calls the token endpoint as an application's back end does: a form post, no cookies, no Origin.
func tokenRequest(
    _ client: any TestClientProtocol, _ form: [(String, String)], authorization: String? = nil, origin: String? = nil,
    path: String = OpenIDProvider.Path.token
) async throws -> TestResponse {
    var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"]
    if let authorization { headers[.authorization] = authorization }
    if let origin { headers[.origin] = origin }
    return try await client.execute(
        uri: path, method: .post, headers: headers, body: ByteBuffer(string: formEncoded(form)))
}

/// Exchanges a code with the client's secret in a Basic header.
func exchange(
    _ client: any TestClientProtocol, _ app: TestApp, code: String, verifier: String? = nil
) async throws -> TestResponse {
    var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", app.redirectURI)]
    if let verifier { form.append(("code_verifier", verifier)) }
    if app.secret == nil { form.append(("client_id", app.id)) }
    return try await tokenRequest(client, form, authorization: app.secret == nil ? nil : app.basic)
}

/// Calls userinfo with a Bearer token.
func userinfo(_ client: any TestClientProtocol, _ token: String?, method: HTTPRequest.Method = .get) async throws -> TestResponse {
    var headers: HTTPFields = [:]
    if let token { headers[.authorization] = "Bearer \(token)" }
    return try await client.execute(uri: OpenIDProvider.Path.userinfo, method: method, headers: headers, body: nil)
}

/// Verifies an ID token against the server's JWKS, as a relying party does.
func verifyIDToken(_ client: any TestClientProtocol, _ token: String) async throws -> TestIDToken {
    let jwks = try await client.execute(uri: OpenIDProvider.Path.jwks, method: .get, headers: [:], body: nil)
    let keys = try await JWTKeyCollection().add(jwksJSON: jwks.text)
    return try await keys.verify(token, as: TestIDToken.self)
}
