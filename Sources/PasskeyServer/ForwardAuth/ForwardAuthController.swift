import Foundation
import Hummingbird
import HTTPTypes
import PasskeyMail

/// Forward-auth for reverse proxies (nginx `auth_request`, Caddy `forward_auth`, Traefik
/// `ForwardAuth`): `GET /api/forward-auth` answers whether the browser is signed in and as whom,
/// and `GET /continue` sends a person on after sign-in (docs/forward-auth.md).
struct ForwardAuthController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices
    /// Peers whose `X-Forwarded-*` headers are believed (normalized addresses).
    let trustedProxies: Set<String>
    let redirects: RedirectPolicy

    init(services: ServerServices) {
        self.services = services
        self.trustedProxies = Set(services.configuration.trustedProxies.compactMap { ClientAddress.normalize($0) })
        self.redirects = RedirectPolicy(
            ownOrigins: services.configuration.effectiveOrigins,
            allowedHosts: services.configuration.allowedRedirectHosts,
            httpsOnly: services.configuration.servesHTTPSOnly)
    }

    var forwardAuthEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: check)
        return routes
    }

    var continueEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: continueAfterSignIn)
        return routes
    }

    /// `200` with `Remote-User`, `Remote-Email` and `Remote-Name` for a signed-in browser whose
    /// address is confirmed; otherwise `401`, with a `Location` when a trusted proxy said which URL
    /// was asked for: to the sign-in page, or for an unconfirmed address to the account page, where
    /// the person enters the mailed code. Either page sends the person back there only through
    /// `/continue`, which decides by ``RedirectPolicy``.
    @Sendable func check(_ request: Request, context: Context) async throws -> Response {
        let target = forwardedURL(request, context: context)
        // A recovery session can only add a passkey: to the apps it is not signed in.
        if let signedIn = try await services.sessions.currentForForwardAuth(request) {
            // The username is the account's email address, and the apps behind the proxy take it
            // as the person's: until its owner has shown they receive its mail, anyone could
            // have signed up with it.
            guard signedIn.user.emailVerified else {
                guard let target else { throw APIError.emailUnverified }
                return Self.signInRequired(at: services.configuration.primaryOrigin + "/account?next=" + Self.percentEncoded(target))
            }
            return Response(
                status: .ok,
                headers: [
                    .remoteUser: signedIn.user.username, .remoteEmail: signedIn.user.username,
                    .remoteName: signedIn.user.displayName,
                ])
        }
        guard let target else { throw APIError.unauthenticated }
        if redirects.destination(target) == nil {
            // The person can sign in, but /continue will not send them back: a missing flag.
            context.logger.debug(
                "forward-auth for a host that is not an --allowed-redirect-host",
                metadata: ["url": .string(ServerServices.loggable(target))])
        }
        let signIn = services.configuration.primaryOrigin + "/?next=" + Self.percentEncoded(target)
        return Self.signInRequired(at: signIn)
    }

    /// The URL the browser asked the proxy for, from `X-Forwarded-Proto`, `X-Forwarded-Host` and
    /// `X-Forwarded-Uri`, when the request comes from a trusted proxy and the three make a URL.
    /// From anyone else the headers are ignored: they are whatever the client wrote.
    func forwardedURL(_ request: Request, context: Context) -> String? {
        guard let peer = context.peerAddress, trustedProxies.contains(peer) else { return nil }
        let proto = request.headers[values: .xForwardedProto]
        let host = request.headers[values: .xForwardedHost]
        let uri = request.headers[values: .xForwardedURI]
        guard proto.count == 1, host.count == 1, uri.count == 1 else { return nil }
        let scheme = proto[0].lowercased()
        guard scheme == "https" || scheme == "http", RedirectPolicy.isAllowedHostEntry(host[0]), uri[0].hasPrefix("/")
        else { return nil }
        let url = "\(scheme)://\(host[0].lowercased())\(uri[0])"
        return RedirectPolicy.isPlainURLText(url) ? url : nil
    }

    /// `GET /continue?next=URL`: `303` to a path on this site or to a URL on an allowed host;
    /// otherwise `400` with a page that repeats nothing of the request.
    @Sendable func continueAfterSignIn(_ request: Request, context: Context) async throws -> Response {
        guard let next = request.uri.queryParameters.get("next"), let destination = redirects.destination(next) else {
            return Self.page(
                status: .badRequest, title: "This link cannot be followed",
                body: "<p>After signing in, this server only sends people to its own pages and to the sites it serves.</p>"
                    + #"<p><a href="/account">Go to your account</a></p>"#)
        }
        return Response(status: .seeOther, headers: [.location: destination.location])
    }

    // MARK: Answers

    /// `401` with the sign-in page in `Location` (nginx passes it on with `auth_request_set`) and a
    /// small page linking to it, for proxies that hand the answer to the browser as it is.
    static func signInRequired(at url: String) -> Response {
        let escaped = HTMLText.escaped(url)
        var response = page(
            status: .unauthorized, title: "Sign in to continue",
            body: #"<p><a href="\#(escaped)">Sign in</a> to continue.</p>"#,
            refresh: escaped)
        response.headers[.location] = url
        return response
    }

    /// A small page: `title` is escaped here; `body` and `refresh` are HTML the caller escaped.
    static func page(status: HTTPResponse.Status, title: String, body: String, refresh: String? = nil) -> Response {
        let meta = refresh.map { #"<meta http-equiv="refresh" content="0; url=\#($0)">"# } ?? ""
        let title = HTMLText.escaped(title)
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\(meta)
            <title>\(title)</title></head>
            <body><main><h1>\(title)</h1>\(body)</main></body></html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Every byte but the unreserved ones (RFC 3986 §2.3) percent-encoded: safe in a query, a
    /// header and an HTML attribute alike.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
