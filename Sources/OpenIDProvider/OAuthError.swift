/// An OAuth 2.0 / OpenID Connect error: the `error` code of RFC 6749 §4.1.2.1 / §5.2 and
/// OIDC Core §3.1.2.6, a description for people, and the HTTP status the endpoint answers with.
///
/// Equal by code, so a test names the error it expects exactly.
public struct OAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable `error` value.
    public let code: String
    /// The `error_description`: printable ASCII only (RFC 6749 §5.2), never a secret.
    public let description: String
    /// 400, or 401 for `invalid_client` and `invalid_token`.
    public let status: Int

    public init(_ code: String, _ description: String, status: Int = 400) {
        self.code = code
        self.description = description
        self.status = status
    }

    public static func == (lhs: OAuthError, rhs: OAuthError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static func invalidRequest(_ description: String) -> OAuthError { OAuthError("invalid_request", description) }
    public static func invalidClient(_ description: String) -> OAuthError { OAuthError("invalid_client", description, status: 401) }
    public static func invalidGrant(_ description: String) -> OAuthError { OAuthError("invalid_grant", description) }
    public static func invalidScope(_ description: String) -> OAuthError { OAuthError("invalid_scope", description) }
    public static func invalidToken(_ description: String) -> OAuthError { OAuthError("invalid_token", description, status: 401) }
    public static let unauthorizedClient = OAuthError("unauthorized_client", "the token was not issued to this client")
    public static let unsupportedGrantType = OAuthError(
        "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
    public static let unsupportedResponseType = OAuthError(
        "unsupported_response_type", "only the authorization code flow is supported: response_type=code")
    public static let accessDenied = OAuthError("access_denied", "the person declined the request")
    public static let loginRequired = OAuthError("login_required", "the person is not signed in")
    public static let consentRequired = OAuthError("consent_required", "the person has not allowed this application")
}

/// The request parameters of an OAuth endpoint (query or form), each given at most once
/// (RFC 6749 §3.1, §3.2: "parameters MUST NOT be included more than once").
public struct OAuthParameters: Sendable, Hashable {
    private var values: [String: String] = [:]
    /// Names that appeared more than once.
    public private(set) var repeated: Set<String> = []

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs {
            if values[name] != nil { repeated.insert(name) }
            values[name] = value
        }
    }

    /// The value of `name`; an empty value counts as absent (RFC 6749 §3.1).
    public subscript(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// Every parameter, for rebuilding a request URL.
    public var pairs: [(String, String)] { values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// A copy with `name` set to `value`, or removed when `value` is `nil`.
    public func setting(_ name: String, to value: String?) -> OAuthParameters {
        var copy = self
        copy.values[name] = value
        return copy
    }

    /// `invalid_request` when one of `names` was given twice.
    func requireSingle(_ names: [String]) throws(OAuthError) {
        if let name = names.first(where: repeated.contains) {
            throw .invalidRequest("the parameter \(name) is repeated")
        }
    }
}
