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

    /// The pages an application may open in a popup to sign its user in (OpenID Connect's popup
    /// mode, as oidc-client-ts's `signinPopup` does): the authorization and end-session endpoints,
    /// and the sign-in and consent pages they lead to. `Cross-Origin-Opener-Policy: same-origin`
    /// on any of them would cut the popup from the application's window for good, so its callback
    /// page could never hand the code back; they go without it (framing stays refused).
    static let popupPaths: Set<String> = ["/", "/index.html", "/consent.html", "/oauth2/authorize", "/oauth2/logout"]

    /// Whether a request for `path` with `query` is a page a sign-in popup may pass through:
    /// one of ``popupPaths``, or the account page on the way elsewhere (`/account?next=…`: a
    /// password account's first passkey comes before the app's sign-in goes on).
    /// (`query` is read only for the account page: it costs a new string.)
    static func isPopupPage(path: String, query: () -> String?) -> Bool {
        if popupPaths.contains(path) { return true }
        guard path == "/account" || path == "/account.html", let query = query() else { return false }
        return query.split(separator: "&").contains { $0.hasPrefix("next=") }
    }

    /// ``fields`` without `Cross-Origin-Opener-Policy`, for ``popupPaths``.
    static let popupFields: [HTTPField] = fields.filter { $0.name != .crossOriginOpenerPolicy }

    /// HSTS, for a server that speaks HTTPS: browsers are told to insist on it for a year.
    static let strictTransportSecurityField = HTTPField(name: .strictTransportSecurity, value: "max-age=31536000")

    /// Adds the security headers to `headers`, and `Cache-Control: no-store` unless the handler
    /// chose its own caching (the web app's files do).
    static func add(
        to headers: inout HTTPFields, strictTransportSecurity: Bool, path: String = "", query: @autoclosure () -> String? = nil
    ) {
        headers.append(contentsOf: isPopupPage(path: path, query: query) ? popupFields : fields)
        if strictTransportSecurity {
            headers.append(strictTransportSecurityField)
        }
        if headers[.cacheControl] == nil {
            headers[.cacheControl] = "no-store"
        }
    }
}
