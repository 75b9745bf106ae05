import Foundation
import PasskeyClientCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// ``APITransport`` over `URLSession`, on Linux and Apple platforms.
///
/// It keeps the server's cookies itself (the session, and the pending ceremony's) in a
/// ``CookieJar`` you can save and give back, and sends what the server requires of a
/// state-changing request: an `Origin` header naming an allowed origin, and
/// `Content-Type: application/json` with a body.
public actor URLSessionTransport: APITransport {
    /// The server, e.g. `https://example.com` (a path prefix is kept).
    public let server: URL
    /// The web origin sent in `Origin`: the server's own unless told otherwise.
    public let origin: String
    /// The cookies held now.
    public private(set) var cookies: CookieJar

    private let session: URLSession

    /// - Parameters:
    ///   - server: where the API is.
    ///   - origin: the origin to send; by default the server's (`scheme://host[:port]`).
    ///   - cookies: cookies saved from an earlier run.
    ///   - timeout: seconds to wait for an answer before the request counts as offline.
    public init(server: URL, origin: String? = nil, cookies: CookieJar = CookieJar(), timeout: TimeInterval = 20) {
        self.server = server
        self.origin = origin ?? Self.origin(of: server)
        self.cookies = cookies
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = timeout
        self.session = URLSession(configuration: configuration)
    }

    /// `scheme://host[:port]` of a URL, the way a browser writes an origin.
    public static func origin(of url: URL) -> String {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return url.absoluteString }
        let defaultPort = scheme == "https" ? 443 : 80
        let hostPart = host.contains(":") ? "[\(host)]" : host
        if let port = url.port, port != defaultPort { return "\(scheme)://\(hostPart):\(port)" }
        return "\(scheme)://\(hostPart)"
    }

    public func perform(_ request: Auth.APIRequest) async -> Auth.APIResponse {
        let http = APIHTTPRequest(request)
        var base = server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + http.path) else {
            return Auth.APIResponse(answering: request, failure: .unreadableResponse("\(base + http.path) is not a URL"))
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = http.method
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        if http.changesState { urlRequest.setValue(origin, forHTTPHeaderField: "Origin") }
        if let body = http.body {
            urlRequest.httpBody = body
            urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let cookie = cookies.header() { urlRequest.setValue(cookie, forHTTPHeaderField: "Cookie") }

        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            return Auth.APIResponse(answering: request, failure: .offline)
        }
        guard let httpResponse = response as? HTTPURLResponse else {
            return Auth.APIResponse(answering: request, failure: .unreadableResponse("not an HTTP answer"))
        }
        if let joined = httpResponse.value(forHTTPHeaderField: "Set-Cookie") {
            cookies.receive(setCookie: CookieJar.splitJoinedSetCookie(joined))
        }
        return Auth.APIResponse(
            answering: request, status: httpResponse.statusCode,
            retryAfter: httpResponse.value(forHTTPHeaderField: "Retry-After"), body: data)
    }
}
