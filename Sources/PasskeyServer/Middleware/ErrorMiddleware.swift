import Hummingbird
import Logging

/// Turns every error, and a missing route, into the API's JSON error answer.
///
/// Nothing escapes it: a failure of the server itself is logged and answered `500 internal_error`;
/// every other failure is a 4xx with a stable code.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError(error)
            if answer.status.kind == .serverError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                context.logger.debug("request refused", metadata: ["code": "\(answer.code)", "status": "\(answer.status.code)"])
            }
            return answer.response()
        }
    }
}
