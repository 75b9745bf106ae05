import Hummingbird
import Logging
import OpenIDProvider

/// Turns every error, and a missing route, into the API's JSON error answer — or, on the OAuth
/// endpoints, into the RFC 6749 §5.2 error body their clients read (``ServerMiddleware`` calls it).
///
/// Nothing escapes it: a failure of the server itself is logged and answered `500 internal_error`;
/// every other failure is a 4xx with a stable code.
enum ErrorAnswer {
    /// The answer to a request that failed with `error`; `oauth` when its path is an OAuth
    /// endpoint's.
    static func response(for error: any Error, oauth: Bool, logger: Logger) -> Response {
        let answer = APIError(error)
        if answer.status.kind == .serverError {
            logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
        } else {
            logger.debug("request refused", metadata: ["code": "\(answer.code)", "status": "\(answer.status.code)"])
        }
        guard oauth else { return answer.response() }
        return OAuthHTTP.error(oauthError(answer), headers: answer.headers)
    }

    /// The OAuth error for an API refusal: RFC 6749 §4.1.2.1's `server_error` and
    /// `temporarily_unavailable` for the server's own trouble, `rate_limited` as the token
    /// endpoint's own limit answers, and `invalid_request` (§5.2) for everything wrong with the
    /// request itself.
    static func oauthError(_ answer: APIError) -> OAuthError {
        let code = switch answer.status.code {
        case 429: "rate_limited"
        case 503: "temporarily_unavailable"
        case 500...: "server_error"
        default: "invalid_request"
        }
        return OAuthError(code, oauthDescription(answer.message), status: answer.status.code)
    }

    /// RFC 6749 §5.2: `error_description` is printable ASCII without `"` and `\`.
    static func oauthDescription(_ message: String) -> String {
        String(String.UnicodeScalarView(message.unicodeScalars.map { scalar in
            (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? scalar : "?"
        }))
    }
}
