import Foundation
import Hummingbird
import OpenIDProvider
import PasskeyStore
import WebAuthn

/// The OpenID Provider's endpoints: discovery, JWKS, authorization, token, userinfo, revocation
/// and end-session. `OpenIDProvider` decides; this translates HTTP.
struct OpenIDController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices
    let provider: OpenIDProvider

    /// The paths that take cross-site form posts from applications (no `Origin` check, no JSON
    /// rule): the OAuth endpoints authenticate clients themselves.
    static let crossSitePaths: Set<String> = [
        OpenIDProvider.Path.authorization, OpenIDProvider.Path.token, OpenIDProvider.Path.userinfo,
        OpenIDProvider.Path.revocation, OpenIDProvider.Path.endSession,
    ]

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(OpenIDProvider.Path.discovery)) { _, _ in
            var response = try OAuthHTTP.json(provider.discoveryDocument)
            response.headers[.cacheControl] = "public, max-age=3600"
            response.headers[.pragma] = nil
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        router.get(RouterPath(OpenIDProvider.Path.jwks)) { request, _ in
            var response = try OAuthHTTP.json(try await provider.jwks())
            response.headers[.cacheControl] = "public, max-age=300"
            response.headers[.pragma] = nil
            return try await withCORS(response, request)
        }
        router.get(RouterPath(OpenIDProvider.Path.authorization), use: authorize)
        router.post(RouterPath(OpenIDProvider.Path.authorization), use: authorize)
        router.post(RouterPath(OpenIDProvider.Path.token), use: token)
        router.get(RouterPath(OpenIDProvider.Path.userinfo), use: userinfo)
        router.post(RouterPath(OpenIDProvider.Path.userinfo), use: userinfo)
        router.post(RouterPath(OpenIDProvider.Path.revocation), use: revoke)
        router.get(RouterPath(OpenIDProvider.Path.endSession), use: endSession)
        router.post(RouterPath(OpenIDProvider.Path.endSession), use: endSession)
        for path in [OpenIDProvider.Path.token, OpenIDProvider.Path.userinfo, OpenIDProvider.Path.jwks, OpenIDProvider.Path.revocation] {
            router.on(RouterPath(path), method: .options) { request, _ in
                try await withCORS(Response(status: .noContent), request, preflight: true)
            }
        }
    }

    // MARK: Authorization

    @Sendable func authorize(_ request: Request, context: Context) async throws -> Response {
        let parameters: OAuthParameters
        do {
            parameters = request.method == .post ? try await OAuthHTTP.form(request) : try OAuthHTTP.query(request)
        } catch let error as OAuthError {
            return OAuthHTTP.page(title: "This sign-in link is not valid", message: error.description, status: .badRequest)
        }
        let signedIn = try await services.sessions.currentFull(request)
        let session = signedIn.map { SignedInSession(userID: $0.user.id, authTime: $0.session.createdAt, method: $0.session.method) }
        let outcome = try await provider.authorize(parameters, session: session)
        return respond(outcome, parameters: parameters, method: request.method)
    }

    /// The response for what the provider decided.
    func respond(_ outcome: AuthorizationOutcome, parameters: OAuthParameters, method: HTTPRequest.Method) -> Response {
        switch outcome {
        case .errorPage(let error):
            // RFC 6749 §4.1.2.1: never redirect to an unverified client or redirect URI.
            return OAuthHTTP.page(title: "This sign-in link is not valid", message: error.description, status: .badRequest)
        case .redirect(let location):
            return OAuthHTTP.redirect(location, after: method)
        case .signIn(let loginHint, let reauthenticate, let returnTo):
            // OIDC Core §3.1.2.1 prompt=login / max_age: the sign-in page asks for a passkey even
            // when the browser has a session (`reauthenticate`), and a sign-in there replaces that
            // session. The session is not ended here: a link from any site can carry prompt=login,
            // and following one must not sign anyone out. The page comes back to `returnTo`, which
            // only a sign-in made since answers (the provider's `signed_in_after`).
            var query = [("next", Self.authorizationPath(returnTo))]
            if let loginHint { query.append(("login_hint", loginHint)) }
            if reauthenticate { query.append(("reauthenticate", "1")) }
            return OAuthHTTP.redirect("/?" + Self.encode(query), after: method)
        case .consent:
            return OAuthHTTP.redirect("/consent.html?" + Self.encode(parameters.pairs), after: method)
        }
    }

    static func authorizationPath(_ parameters: OAuthParameters) -> String {
        OpenIDProvider.Path.authorization + "?" + encode(parameters.pairs)
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    }

    // MARK: Token

    @Sendable func token(_ request: Request, context: Context) async throws -> Response {
        try await authenticatingClient(request, context) { parameters, basic in
            try OAuthHTTP.json(try await provider.token(parameters, basic: basic))
        }
    }

    /// Runs an endpoint that authenticates its client (RFC 6749 §2.3: token; RFC 7009 §2.1:
    /// revocation) under the caller's allowance of failed client authentications
    /// (`--address-failure-limit` a minute per client address).
    ///
    /// The allowance is consulted before any credential is looked at: past it the answer is `429`
    /// (RFC 6749 §5.2's format, with `Retry-After`), no secret is checked, so none can be guessed
    /// there, however right, and nothing is written, so no one can grow the audit trail at will.
    /// Each request takes a place and gives it back unless its client authentication failed; such
    /// a failure is an audit event naming the client it claimed to be (from the `Authorization`
    /// header or the body's `client_id`, RFC 6749 §2.3.1).
    private func authenticatingClient(
        _ request: Request, _ context: Context,
        _ endpoint: (OAuthParameters, (id: String, secret: String)?) async throws -> Response
    ) async throws -> Response {
        let address = context.clientAddress
        if let retryAfter = try await services.limits.addressFailures.acquire(
            address: address, prefix: Self.clientFailuresPrefix, now: services.now())
        {
            return try await withCORS(OAuthHTTP.error(
                OAuthError("rate_limited", "too many failed client authentications: try again in \(retryAfter) s", status: 429),
                headers: [.retryAfter: String(retryAfter)]), request)
        }
        var parameters: OAuthParameters?
        do {
            parameters = try await OAuthHTTP.form(request)
            let response = try await endpoint(parameters ?? OAuthParameters([]), try OAuthHTTP.basicCredentials(request))
            await giveBackClientPlace(address)
            return try await withCORS(response, request)
        } catch let error as OAuthError {
            if error.code == "invalid_client" {
                await auditFailedClientAuthentication(Self.claimedClient(request, parameters), context: context)
            } else {
                await giveBackClientPlace(address)
            }
            return try await withCORS(OAuthHTTP.clientError(error, request), request)
        } catch {
            await giveBackClientPlace(address)
            throw error
        }
    }

    /// The client a request says it is: the `Authorization: Basic` header's ID, else the body's
    /// `client_id` (client_secret_post, or a public client). Attacker-supplied: only logged through
    /// ``ServerServices/loggable(_:)``.
    static func claimedClient(_ request: Request, _ parameters: OAuthParameters?) -> String? {
        (try? OAuthHTTP.basicCredentials(request))?.id ?? parameters?["client_id"]
    }

    /// The audit event of a failed client authentication from `address`, naming the client claimed.
    static func failedClientAuthentication(claimed: String?, address: String, at: Date) -> AuditEvent {
        AuditEvent(
            userID: nil, kind: "oauth_client_authentication_failed",
            detail: "client \(ServerServices.loggable(String((claimed ?? "?").prefix(80)))) from \(address)", at: at)
    }

    private func auditFailedClientAuthentication(_ claimed: String?, context: Context) async {
        let address = context.clientAddress ?? "unknown"
        let event = Self.failedClientAuthentication(claimed: claimed, address: address, at: services.now())
        try? await services.store.appendAudit(event)
        context.logger.notice("OAuth client authentication failed", metadata: ["client": .string(address), "detail": .string(event.detail)])
    }

    /// The allowance of failed client authentications per client address.
    private static let clientFailuresPrefix = "oauth-client-failures:"

    /// A request whose client authentication did not fail gives its place back.
    private func giveBackClientPlace(_ address: String?) async {
        // A place not given back (the database is unreachable this moment) only makes the limit
        // stricter for a while; the answer stands.
        try? await services.limits.addressFailures.release(address: address, prefix: Self.clientFailuresPrefix, now: services.now())
    }

    // MARK: UserInfo

    @Sendable func userinfo(_ request: Request, context: Context) async throws -> Response {
        let headerToken = OAuthHTTP.bearerToken(request)
        var bodyToken: String?
        if request.method == .post, let form = try? await OAuthHTTP.form(request) {
            // RFC 6750 §2.2: the token in a form body.
            bodyToken = form["access_token"]
        }
        if headerToken != nil, bodyToken != nil {
            // RFC 6750 §2: a client must not use more than one way; §3.1: that is invalid_request.
            let error = OAuthError.invalidRequest("send the access token one way, not in both the header and the body")
            var response = OAuthHTTP.error(error)
            response.headers[.wwwAuthenticate] = "Bearer realm=\"passkeys\", error=\"\(error.code)\""
            return try await withCORS(response, request)
        }
        guard let token = headerToken ?? bodyToken else {
            // RFC 6750 §3.1: a request with no authentication information (none, or another scheme
            // than Bearer) gets the challenge, and SHOULD NOT get an error code or other error
            // information: no body. An error is for a token that is there and not valid.
            return try await withCORS(Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer realm=\"passkeys\"", .cacheControl: "no-store", .pragma: "no-cache"]), request)
        }
        do {
            return try await withCORS(try OAuthHTTP.json(try await provider.userinfo(accessToken: token)), request)
        } catch let error as OAuthError {
            var response = OAuthHTTP.error(error)
            response.headers[.wwwAuthenticate] = "Bearer realm=\"passkeys\", error=\"\(error.code)\", error_description=\"\(error.description)\""
            return try await withCORS(response, request)
        }
    }

    // MARK: Revocation

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        // RFC 7009 §2.2.1: errors answer as RFC 6749 §5.2.
        try await authenticatingClient(request, context) { parameters, basic in
            try await provider.revoke(parameters, basic: basic)
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }

    // MARK: End session

    @Sendable func endSession(_ request: Request, context: Context) async throws -> Response {
        // Signing out ends a recovery session as well.
        let signedIn = try await services.sessions.current(request, allowRecovery: true)
        do {
            var parameters = request.method == .post ? try await OAuthHTTP.form(request) : try OAuthHTTP.query(request)
            if request.method == .get, let sealed = parameters[Self.sealedLogoutParameter] {
                parameters = try await openLogoutRequest(sealed)
            }
            let outcome = try await provider.endSession(parameters, signedIn: signedIn?.user.id)
            // A browser leaves a SameSite=Lax session cookie off a POST from another site, so a
            // form an app posts here arrives without it. The same request as a GET (a top-level
            // navigation, which carries the cookie) can end the session; it is checked again there.
            // The app posted to keep the ID token (the person's name and address) out of URLs, so
            // the GET carries the request sealed, not the token.
            if request.method == .post, case .signOut = outcome, services.sessions.tokenHash(request) == nil {
                return OAuthHTTP.redirect(
                    appendQuery("/oauth2/logout", [(Self.sealedLogoutParameter, try await sealLogoutRequest(parameters))]), after: .post)
            }
            switch outcome {
            case .confirm:
                return OAuthHTTP.page(
                    title: "Sign out", message: "To sign out, use the button on your account page.",
                    link: (text: "Go to your account", href: "/account"))
            case .signOut(let endSession, let redirect):
                var cookies: [SetCookie] = []
                if endSession, let hash = services.sessions.tokenHash(request) {
                    try await services.store.deleteSession(tokenHash: hash)
                    cookies += services.sessions.expiredCookies
                }
                if let redirect { return OAuthHTTP.redirect(redirect, after: request.method, cookies: cookies) }
                var response = OAuthHTTP.page(title: "Signed out", message: "You are signed out.", link: (text: "Sign in again", href: "/"))
                for cookie in cookies { response.setCookie(cookie) }
                return response
            }
        } catch let error as OAuthError {
            return OAuthHTTP.page(title: "Sign-out request not valid", message: error.description, status: .badRequest)
        }
    }

    /// The parameter of the GET that finishes a logout posted without the session cookie.
    static let sealedLogoutParameter = "logout_request"
    /// What a sealed logout request's seal authenticates besides its bytes.
    static let sealedLogoutPurpose = Array("passkeys oidc logout request v1".utf8)
    /// How long a sealed logout request can be followed: the browser follows it at once.
    static let sealedLogoutLifetime: TimeInterval = 300

    /// A posted logout request's parameters, sealed (with the ceremonies' key) with the moment they
    /// stop being valid, for the GET's URL.
    private func sealLogoutRequest(_ parameters: OAuthParameters) async throws -> String {
        let expires = UInt64(max(0, services.now().timeIntervalSince1970 + Self.sealedLogoutLifetime))
        let prefix = (0..<8).map { UInt8(truncatingIfNeeded: expires >> (56 - 8 * $0)) }
        let message = prefix + Array(appendQuery("", parameters.pairs).dropFirst().utf8)
        guard let sealed = try await services.ceremonies.sealKey.sealingKey().seal(message, authenticating: Self.sealedLogoutPurpose)
        else { throw APIError.internalError }
        return Base64URL.encode(sealed)
    }

    /// The parameters ``sealLogoutRequest(_:)`` sealed, or `invalid_request` when `text` is not
    /// one of its seals or is past its time.
    private func openLogoutRequest(_ text: String) async throws -> OAuthParameters {
        guard let bytes = Base64URL.decode(text),
              let message = try await services.ceremonies.sealKey.sealingKey().open(bytes[...], authenticating: Self.sealedLogoutPurpose),
              message.count >= 8
        else { throw OAuthError.invalidRequest("the sign-out request is not valid: sign out from the app again") }
        let expires = message.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard Double(expires) >= services.now().timeIntervalSince1970,
              let query = String(validating: message.dropFirst(8), as: UTF8.self), let pairs = OAuthHTTP.formPairs(query)
        else { throw OAuthError.invalidRequest("the sign-out request has expired: sign out from the app again") }
        return OAuthParameters(pairs)
    }

    // MARK: CORS

    /// CORS for single-page applications: the origins of public clients' redirect URIs may call
    /// the token, userinfo, revocation and JWKS endpoints from the browser.
    func withCORS(_ response: Response, _ request: Request, preflight: Bool = false) async throws -> Response {
        var response = response
        response.headers[.vary] = "Origin"
        guard let origin = request.headers[.origin] else { return response }
        let allowed = try await services.store.clients()
            .filter(\.isPublic)
            .flatMap { $0.redirectURIs.compactMap(ClientRules.origin(of:)) }
        guard allowed.contains(where: { ClientRules.corsOrigin(origin, matches: $0) }) else { return response }
        response.headers[.accessControlAllowOrigin] = origin
        if preflight {
            response.headers[.accessControlAllowMethods] = "GET, POST"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            response.headers[.accessControlMaxAge] = "600"
        }
        return response
    }
}
