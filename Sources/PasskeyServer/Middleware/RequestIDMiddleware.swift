import Foundation
import Hummingbird
import Logging
import WebAuthn

/// Gives every request an ID: in every log line about it (`request_id`) and in the answer's
/// `X-Request-ID` header, errors included, so a person's report and the server's logs meet.
///
/// The ID is the server's own (16 random bytes, hex); one a client sends is not used, so no one
/// can make two requests' logs look like one. Once the answer is ready, one line says how the
/// request went (method, path, status, duration, and what a handler added: a ceremony step's
/// fields).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = PasskeyRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = hexString(randomBytes(16))
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let notes = RequestLogNotes()
        context.logNotes = notes
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = APIError(error).response()
        }
        response.headers[.xRequestID] = id
        let elapsed = ContinuousClock.now - start
        var metadata = notes.metadata
        metadata["method"] = .string(request.method.rawValue)
        metadata["path"] = .string(ServerServices.loggable(request.uri.path))
        metadata["status"] = .stringConvertible(response.status.code)
        metadata["duration_ms"] = .string(Self.milliseconds(elapsed))
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// A duration in milliseconds with one decimal, rounded down: `54.8`.
    static func milliseconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10_000 + duration.components.attoseconds / 100_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
