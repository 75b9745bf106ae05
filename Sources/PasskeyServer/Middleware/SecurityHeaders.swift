import HTTPTypes
import Hummingbird

/// The security headers on every response, errors and static files included
/// (``ServerMiddleware`` adds them).
enum SecurityHeaders {
    /// Scripts and styles only from the server's own files, never inline; no framing. `'wasm-unsafe-eval'`
    /// lets the pages compile the client core's WebAssembly module (`/core.wasm`), and nothing else.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// The fields every response gets, made once. No handler sets any of them (a test holds each
    /// to one field on every kind of answer), so they are appended without looking for an earlier one.
    static let fields: [HTTPField] = [
        HTTPField(name: .contentSecurityPolicy, value: contentSecurityPolicy),
        HTTPField(name: .xContentTypeOptions, value: "nosniff"),
        HTTPField(name: .referrerPolicy, value: "same-origin"),
        HTTPField(name: .xFrameOptions, value: "DENY"),
        HTTPField(name: .crossOriginOpenerPolicy, value: "same-origin"),
        HTTPField(name: .crossOriginResourcePolicy, value: "same-origin"),
    ]

    /// HSTS, for a server that speaks HTTPS: browsers are told to insist on it for a year.
    static let strictTransportSecurityField = HTTPField(name: .strictTransportSecurity, value: "max-age=31536000")

    /// Adds the security headers to `headers`, and `Cache-Control: no-store` unless the handler
    /// chose its own caching (the web app's files do).
    static func add(to headers: inout HTTPFields, strictTransportSecurity: Bool) {
        headers.append(contentsOf: fields)
        if strictTransportSecurity {
            headers.append(strictTransportSecurityField)
        }
        if headers[.cacheControl] == nil {
            headers[.cacheControl] = "no-store"
        }
    }
}
