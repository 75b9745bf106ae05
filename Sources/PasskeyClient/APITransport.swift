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

    /// The request as the core names it (``Auth/APIRequest/http``).
    public init(_ request: Auth.APIRequest) {
        let http = request.http
        self.init(method: http.method, path: http.path, body: http.body.map { Data($0) })
    }
}

extension Auth.APIResponse {
    /// The server's answer to `request`, read by the core from its HTTP status, `Retry-After`
    /// header and body.
    public init(answering request: Auth.APIRequest, status: Int, retryAfter: String? = nil, body: Data) {
        self.init(answering: request, status: status, retryAfter: retryAfter, body: Array(body))
    }
}
