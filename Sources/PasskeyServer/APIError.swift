import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import PasskeyStore
import WebAuthn

/// An answer with a 4xx status and the body `{"error": {"code", "message", …}}` (docs/api.md).
///
/// Every failure a handler meets becomes one of these (``init(_:)``), so no input produces a 5xx
/// and a client can rely on ``code``.
struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// The stable, machine-readable code.
    var code: String
    /// For people; may change.
    var message: String
    /// Extra string fields inside `error` (`credentialId`, `rpId`).
    var details: [String: String]
    /// Extra response headers (`Retry-After`).
    var headers: HTTPFields

    init(
        _ status: HTTPResponse.Status, _ code: String, _ message: String,
        details: [String: String] = [:], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    var description: String { "\(status.code) \(code): \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The JSON response.
    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The body, `{"error": {"code", "message", …}}`.
    var body: Data {
        var error: [String: String] = details
        error["code"] = code
        error["message"] = message
        return (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"error":{"code":"internal_error","message":"the error could not be encoded"}}"#.utf8)
    }

    // MARK: The errors of the API

    static func malformed(_ message: String) -> APIError { APIError(.badRequest, "malformed", message) }
    /// The connection's header or body timeout ran out (docs/server.md).
    static let requestTimedOut = APIError(.requestTimeout, "request_timeout", "the request did not arrive in time")
    static func invalidUsername(_ message: String) -> APIError { APIError(.badRequest, "invalid_username", message) }
    static func invalidName(_ message: String) -> APIError { APIError(.badRequest, "invalid_name", message) }
    static let ceremonyNotFound = APIError(
        .badRequest, "ceremony_not_found",
        "no ceremony of this kind is pending for this browser: start again")
    static let ceremonyExpired = APIError(.badRequest, "ceremony_expired", "the ceremony took too long: start again")
    static let unauthenticated = APIError(.unauthorized, "unauthenticated", "sign in first")
    static let sessionChanged = APIError(
        .conflict, "session_changed",
        "this browser is signed in to another account now than the one this page shows: reload it")
    static let accountDisabled = APIError(
        .forbidden, "account_disabled", "this account is disabled: ask the site's operators to turn it on again")
    static func unknownCredential(_ id: String, rpID: String) -> APIError {
        APIError(
            .unauthorized, "unknown_credential", "this passkey is not registered here",
            details: ["credentialId": id, "rpId": rpID])
    }
    static let forbiddenOrigin = APIError(
        .forbidden, "forbidden_origin", "state-changing requests must carry an allowed Origin header")
    static let unsupportedMediaType = APIError(
        .forbidden, "unsupported_media_type", "request bodies must be JSON (Content-Type: application/json)")
    static let notFound = APIError(.notFound, "not_found", "no such resource")
    static let passkeyNotFound = APIError(.notFound, "not_found", "this account has no such passkey")
    static let sessionNotFound = APIError(.notFound, "not_found", "this account has no such session")
    static let usernameTaken = APIError(.conflict, "username_taken", "an account with this username exists")
    static let credentialExists = APIError(.conflict, "credential_exists", "this passkey is registered already")
    static let passkeyLimit = APIError(
        .conflict, "passkey_limit",
        "this account has \(AddPasskeyFlow.maximumPasskeys) passkeys, the most it may have: delete one before adding another")
    static let lastPasskey = APIError(
        .conflict, "last_passkey", "this is the account's only passkey: add another before deleting it")
    /// `413`, naming the limit when it is known.
    static func payloadTooLarge(_ limit: Int?) -> APIError {
        APIError(
            .contentTooLarge, "payload_too_large",
            limit.map { "the request body is larger than \($0) bytes" } ?? "the request body is too large")
    }
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(
            .tooManyRequests, "rate_limited", "too many requests: try again in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }
    static let internalError = APIError(.internalServerError, "internal_error", "the server failed; try again later")
    /// The database cannot be reached: nothing was done, and the same request may work shortly.
    static let unavailable = APIError(
        .serviceUnavailable, "unavailable", "the server cannot reach its database; try again shortly",
        headers: [.retryAfter: "5"])

    // MARK: Mapping any error

    /// The answer for any error a handler throws. Only failures of the server itself (the database)
    /// become a 5xx: `503 unavailable` when it cannot be reached, else `500 internal_error`.
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as WebAuthnError:
            self = APIError(.badRequest, error.code.rawValue, error.reason)
        case let error as StoreError:
            switch error.code {
            case .usernameTaken: self = .usernameTaken
            case .credentialExists: self = .credentialExists
            case .credentialLimit: self = .passkeyLimit
            case .accountDisabled: self = .accountDisabled
            case .userNotFound: self = .unauthenticated
            case .unavailable: self = .unavailable
            case .signCountConflict:
                self = APIError(.badRequest, "sign_count", "the signature counter did not grow: another sign-in with this passkey came first")
            default: self = .internalError
            }
        case let error as NIOTooManyBytesError:
            self = .payloadTooLarge(error.maxBytes)
        case is RequestTimedOut:
            self = .requestTimedOut
        case let error as HTTPParserError:
            // The body was not valid HTTP framing (a chunk size that is not one, a chunk longer than
            // it said, a body cut short by the client): the client's error, found while reading it.
            self = .malformed("the request's body is not valid HTTP/1.1: \(error)")
        case is DecodingError:
            self = .malformed("the body is not the JSON expected")
        case let error as any HTTPResponseError:
            self = APIError(status: error.status)
        default:
            self = .internalError
        }
    }

    /// The answer for a bare HTTP status raised by the framework (a missing route, a bad range).
    init(status: HTTPResponse.Status) {
        switch status.code {
        case 404: self = .notFound
        case 413: self = .payloadTooLarge(nil)
        case 400: self = .malformed("the request is not valid")
        case 405: self = APIError(status, "method_not_allowed", "this method is not allowed here")
        case 400..<500: self = APIError(status, "bad_request", status.reasonPhrase)
        default: self = .internalError
        }
    }
}
