import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WebAuthn

/// What every request passes through before its handler and after, in one frame (one middleware
/// instead of six saved about a third of what a request cost before its handler):
///
/// 1. **A request ID**: in every log line about the request (`request_id`) and in the answer's
///    `X-Request-ID` header, errors included, so a person's report and the server's logs meet.
///    The ID is the server's own (16 random bytes, hex); one a client sends is not used, so no one
///    can make two requests' logs look like one, and Hummingbird's (`hb.request.id`) is left out.
/// 2. **The request's rules** (``RequestGuard``): the client's address, the body limit, `Origin`
///    and the JSON rules.
/// 3. **Errors** (``ErrorAnswer``): every error, and a missing route, becomes the API's JSON error
///    answer, or the OAuth error body on the OAuth endpoints.
/// 4. **The security headers** (``SecurityHeaders``) on every answer.
/// 5. **Metrics** (``HTTPMetrics``) and **one log line** saying how the request went (method,
///    path, status, duration, and what a handler added: a ceremony step's fields).
struct ServerMiddleware: RouterMiddleware {
    typealias Context = PasskeyRequestContext

    let requestGuard: RequestGuard
    /// Paths whose clients are OAuth clients: a refusal there (a body over the limit, strict JSON,
    /// the database gone) is `{"error", "error_description"}` like the endpoint's own errors.
    let oauthPaths: Set<String>
    /// Whether the server speaks HTTPS, so browsers may be told to insist on it (HSTS).
    let strictTransportSecurity: Bool
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let id = hexString(randomBytes(16))
        let method = HTTPMetrics.label(request.method)
        metrics.started(method: method)
        var context = context
        // The request's one ID: Hummingbird's own (`hb.request.id`) is left out of its lines.
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(id)
        let notes = RequestLogNotes()
        context.logNotes = notes

        // Hummingbird's `uri.path` makes a new string at each call: once here.
        let path = request.uri.path
        // The rules go by the route the router chose, so that another spelling of a path that
        // reaches the same endpoint (`/oauth2/token/`) is held to that endpoint's rules; a request
        // that matches no route goes by its path.
        let routePath = context.endpointPath ?? path
        var response: Response
        var failed = false
        do {
            var request = request
            try await requestGuard.admit(&request, path: routePath, context: &context)
            response = try await next(request, context)
        } catch {
            failed = true
            response = ErrorAnswer.response(
                for: error, oauth: oauthPaths.contains(routePath), logger: context.logger)
        }
        SecurityHeaders.add(
            to: &response.headers, strictTransportSecurity: strictTransportSecurity, path: path, query: request.uri.query)
        response.headers.append(HTTPField(name: .xRequestID, value: id))

        let elapsed = ContinuousClock.now - start
        metrics.finished(
            route: context.endpointPath ?? "Unknown", method: method, status: response.status.code,
            duration: elapsed, failed: failed)
        // The line's fields as text, each key once (the request's own four win over a note's).
        var fields = notes.fields(excluding: Self.lineKeys)
        fields.append(("method", request.method.rawValue))
        fields.append(("path", ServerServices.loggable(path)))
        fields.append(("status", String(response.status.code)))
        fields.append(("duration_ms", Self.milliseconds(elapsed)))
        RequestLine.log(fields, to: context.logger)
        return response
    }

    /// The fields the middleware itself gives every request's line.
    private static let lineKeys = ["method", "path", "status", "duration_ms"]

    /// A duration in milliseconds with one decimal, rounded down: `54.8`.
    static func milliseconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10_000 + duration.components.attoseconds / 100_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
