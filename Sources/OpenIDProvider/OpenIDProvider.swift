import Foundation
import JWTKit
import PasskeyStore
import WebAuthn

/// The OpenID Provider: OpenID Connect Core 1.0 on the authorization code flow, with PKCE
/// (RFC 7636), token revocation (RFC 7009) and RP-Initiated Logout, as rules over the store.
///
/// It knows no HTTP: the server's controllers hand it the request parameters and the signed-in
/// session, and turn its answers (``AuthorizationOutcome``, ``TokenResponse``, ``OAuthError``)
/// into responses.
public struct OpenIDProvider: Sendable {
    /// The provider's settings.
    public struct Configuration: Sendable {
        /// The `iss` of every token: an `https` (or loopback `http`) origin.
        public var issuer: String
        /// Seconds an access token lives.
        public var accessTokenLifetime: TimeInterval = 600
        /// Seconds an ID token lives; retired signing keys stay in the JWKS this long.
        public var idTokenLifetime: TimeInterval = 3600
        /// Seconds a refresh token lives unused; each refresh issues a new one.
        public var refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
        /// Seconds an authorization code lives (RFC 6749 §4.1.2: at most 10 minutes; we keep 60 s).
        public var codeLifetime: TimeInterval = 60

        public init(issuer: String) {
            self.issuer = issuer
        }
    }

    /// The scopes the provider knows (OIDC Core §5.4, §11); others are ignored (§3.1.2.1).
    public static let supportedScopes = ["openid", "profile", "email", "offline_access"]

    /// The RFC 8176 authentication method references (the ID token's `amr`) of each way to sign in:
    /// a passkey is proof of possession of a key an authenticator holds (`hwk`) with a user presence
    /// test (`user`); an imported password is `pwd`; a code mailed for recovery is a one-time
    /// password (`otp`).
    public static func amr(_ method: SignInMethod) -> [String] {
        switch method {
        case .passkey: ["hwk", "user"]
        case .password: ["pwd"]
        case .emailCode: ["otp"]
        }
    }

    public let configuration: Configuration
    let store: any PasskeyStore
    let now: @Sendable () -> Date

    public init(configuration: Configuration, store: any PasskeyStore, now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.store = store
        self.now = now
    }

    // MARK: Endpoints and discovery

    /// The endpoints' paths on the issuer.
    public enum Path {
        public static let authorization = "/oauth2/authorize"
        public static let token = "/oauth2/token"
        public static let userinfo = "/oauth2/userinfo"
        public static let jwks = "/oauth2/jwks"
        public static let revocation = "/oauth2/revoke"
        public static let endSession = "/oauth2/logout"
        public static let discovery = "/.well-known/openid-configuration"
    }

    /// OpenID Connect Discovery 1.0 §3: the provider metadata.
    public var discoveryDocument: DiscoveryDocument {
        let issuer = configuration.issuer
        return DiscoveryDocument(
            issuer: issuer,
            authorization_endpoint: issuer + Path.authorization,
            token_endpoint: issuer + Path.token,
            userinfo_endpoint: issuer + Path.userinfo,
            jwks_uri: issuer + Path.jwks,
            revocation_endpoint: issuer + Path.revocation,
            end_session_endpoint: issuer + Path.endSession,
            scopes_supported: Self.supportedScopes,
            response_types_supported: ["code"],
            response_modes_supported: ["query"],
            grant_types_supported: ["authorization_code", "refresh_token"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ClientRules.idTokenAlgorithms,
            token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
            revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
            code_challenge_methods_supported: ["S256"],
            prompt_values_supported: ["none", "login", "consent", "select_account"],
            claims_supported: [
                "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr", "azp",
                "preferred_username", "name", "email", "email_verified",
            ],
            claims_parameter_supported: false,
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
            authorization_response_iss_parameter_supported: true
        )
    }

    // MARK: Signing keys

    /// The keys, made and stored first when the store has none for an algorithm, so every
    /// process signs with the same ones.
    public func prepareSigningKeys() async throws -> [SigningKeyRecord] {
        let keys = try await store.signingKeys()
        let missing = Self.missingAlgorithms(in: keys)
        guard !missing.isEmpty else { return keys }
        var fresh: [SigningKeyRecord] = []
        for algorithm in missing { fresh.append(try SigningKeys.generate(algorithm, at: now())) }
        return try await store.addSigningKeysIfMissing(fresh)
    }

    /// The algorithms the provider signs ID tokens with that have no current key in the store:
    /// what ``prepareSigningKeys()`` would make (an RSA key takes tens of milliseconds or more).
    public func missingSigningKeys() async throws -> [String] {
        Self.missingAlgorithms(in: try await store.signingKeys())
    }

    private static func missingAlgorithms(in keys: [SigningKeyRecord]) -> [String] {
        ClientRules.idTokenAlgorithms.filter { algorithm in
            !keys.contains { $0.algorithm == algorithm && $0.retiredAt == nil }
        }
    }

    /// The JWKS: current keys, and retired keys whose ID tokens may still be valid.
    public func jwks() async throws -> JWKSDocument {
        let now = now()
        let keys = try await prepareSigningKeys()
        return try SigningKeys.jwks(keys.filter {
            SigningKeys.isPublished($0, at: now, retention: configuration.idTokenLifetime)
        })
    }

    // MARK: Authorization endpoint

    /// OIDC Core §3.1.2.1 / §3.1.2.2: checks an authentication request and decides what happens next.
    ///
    /// - Parameter session: the browser's signed-in account and when it signed in, if any.
    public func authorize(_ parameters: OAuthParameters, session: SignedInSession?) async throws -> AuthorizationOutcome {
        let request: AuthorizationRequest
        switch try await validate(parameters) {
        case .invalid(let outcome): return outcome
        case .valid(let valid): request = valid
        }
        if let outcome = try await checkSession(request, session) { return outcome }
        guard let session else { return signIn(for: request, reauthenticate: false) }
        // OIDC Core §3.1.2.4: consent, unless the client is trusted or the person allowed these scopes.
        if try await needsConsent(request, userID: session.userID) {
            if request.prompt.contains("none") { return request.redirect(.consentRequired, issuer: configuration.issuer) }
            return .consent(ConsentPrompt(clientName: request.client.name, clientID: request.client.id, scopes: request.scopes))
        }
        return try await issueCode(request, session: session)
    }

    /// OIDC Core §3.1.2.3: whether the browser's session may answer this request, or what to do
    /// instead (a sign-in, or with prompt=none an error, §3.1.2.6); `nil` when it may. The
    /// authorization endpoint and the consent page's answers both ask, so a consent page reached
    /// by a link of its own gets no further than the authorization request would have.
    private func checkSession(_ request: AuthorizationRequest, _ session: SignedInSession?) async throws -> AuthorizationOutcome? {
        guard let session else {
            if request.prompt.contains("none") { return request.redirect(.loginRequired, issuer: configuration.issuer) }
            return signIn(for: request, reauthenticate: false)
        }
        // Back from the sign-in page this request sent the browser to (`signed_in_after`): only a
        // sign-in since then answers it. The page's `next` link loaded again with the session the
        // browser had before is sent round again, so prompt=login and max_age cannot be passed by
        // skipping the sign-in they asked for.
        var signedInSince = false
        if let after = request.signedInAfter {
            guard session.authTime >= after else {
                if request.prompt.contains("none") { return request.redirect(.loginRequired, issuer: configuration.issuer) }
                return signIn(for: request, reauthenticate: true)
            }
            signedInSince = true
        }
        // prompt=login asks for a fresh sign-in; prompt=select_account too: the sign-in page is
        // where a person picks an account (any passkey of the site).
        if !signedInSince, request.prompt.contains("login") || request.prompt.contains("select_account") {
            return signIn(for: request, reauthenticate: true)
        }
        // OIDC Core §3.1.2.1 id_token_hint: the person the client expects must be the one signed
        // in; otherwise login_required for prompt=none, else a sign-in as them. After a sign-in
        // the request asked for, as someone else, the client learns so ("SHOULD return an error,
        // such as login_required"), rather than the browser being sent round for ever.
        if let hint = request.idTokenHint {
            guard let claims = try await hintClaims(hint) else {
                return request.redirect(.invalidRequest("id_token_hint is not an ID token of this provider"), issuer: configuration.issuer)
            }
            if claims.sub != Self.subject(session.userID) {
                if request.prompt.contains("none") || signedInSince {
                    return request.redirect(.loginRequired, issuer: configuration.issuer)
                }
                return signIn(for: request, reauthenticate: true)
            }
        }
        // OIDC Core §3.1.2.1 max_age: a sign-in older than this must be repeated ("max_age=0 is
        // equivalent to prompt=login", however recent the sign-in), once: the sign-in it asked for
        // answers it (the ID token's auth_time says when that was).
        if !signedInSince, let maxAge = request.maxAge,
           maxAge == 0 || now().timeIntervalSince(session.authTime) > TimeInterval(maxAge) {
            if request.prompt.contains("none") { return request.redirect(.loginRequired, issuer: configuration.issuer) }
            return signIn(for: request, reauthenticate: true)
        }
        return nil
    }

    /// The sign-in page for `request`, and the request to come back to: the same, but for
    /// prompt=login and select_account, which the sign-in spends, and with `signed_in_after` set
    /// to now (whole seconds, rounded down), so that only a sign-in from now on answers it.
    private func signIn(for request: AuthorizationRequest, reauthenticate: Bool) -> AuthorizationOutcome {
        let prompt = request.prompt.subtracting(["login", "select_account"]).sorted().joined(separator: " ")
        let returnTo = request.parameters
            .setting("prompt", to: prompt.isEmpty ? nil : prompt)
            .setting(Self.signedInAfterParameter, to: String(Int64(now().timeIntervalSince1970.rounded(.down))))
        return .signIn(loginHint: request.loginHint, reauthenticate: reauthenticate, returnTo: returnTo)
    }

    /// The authorization request's parameter, this provider's own, that marks a request coming back
    /// from the sign-in page it sent the browser to: the time it did so, in whole seconds since
    /// 1970. A session whose sign-in is older does not answer the request.
    public static let signedInAfterParameter = "signed_in_after"

    /// The person's answer on the consent page for this authentication request (re-checked in
    /// full, the session's fitness for it too: a sign-in it asks for is ``AuthorizationOutcome/signIn(loginHint:reauthenticate:returnTo:)``).
    /// A consent given is stored with `consentEvent` (when given), in one transaction.
    public func decide(
        _ parameters: OAuthParameters, session: SignedInSession, allow: Bool, consentEvent: AuditEvent? = nil
    ) async throws -> AuthorizationOutcome {
        let request: AuthorizationRequest
        switch try await validate(parameters) {
        case .invalid(let outcome): return outcome
        case .valid(let valid): request = valid
        }
        // OIDC Core §3.1.2.6: a refusal is access_denied.
        guard allow else { return request.redirect(.accessDenied, issuer: configuration.issuer) }
        if let outcome = try await checkSession(request, session) { return outcome }
        // prompt=none allows no consent page (§3.1.2.1), so no decision on one either.
        if request.prompt.contains("none") { return request.redirect(.consentRequired, issuer: configuration.issuer) }
        let earlier = try await store.consent(userID: session.userID, clientID: request.client.id)?.scopes ?? []
        let scopes = earlier + request.scopes.filter { !earlier.contains($0) }
        try await store.saveConsent(
            ConsentRecord(userID: session.userID, clientID: request.client.id, scopes: scopes, grantedAt: now()),
            audit: consentEvent)
        return try await issueCode(request, session: session)
    }

    /// What the consent page shows for a request (``AuthorizationOutcome/consent(_:)``), or what
    /// happens instead: the outcome of an invalid request, a sign-in the session needs first, or
    /// with prompt=none `consent_required` (§3.1.2.6: that request shows no page).
    public func consentPrompt(_ parameters: OAuthParameters, session: SignedInSession) async throws -> AuthorizationOutcome {
        let request: AuthorizationRequest
        switch try await validate(parameters) {
        case .invalid(let outcome): return outcome
        case .valid(let valid): request = valid
        }
        if let outcome = try await checkSession(request, session) { return outcome }
        if request.prompt.contains("none") { return request.redirect(.consentRequired, issuer: configuration.issuer) }
        return .consent(ConsentPrompt(clientName: request.client.name, clientID: request.client.id, scopes: request.scopes))
    }

    /// A checked request, or what to answer instead.
    private enum Validation {
        case valid(AuthorizationRequest)
        case invalid(AuthorizationOutcome)
    }

    private func needsConsent(_ request: AuthorizationRequest, userID: UserHandle) async throws -> Bool {
        if request.client.trusted { return false }
        if request.prompt.contains("consent") { return true }
        guard let consent = try await store.consent(userID: userID, clientID: request.client.id) else { return true }
        return !Set(request.scopes).isSubset(of: consent.scopes)
    }

    private func issueCode(_ request: AuthorizationRequest, session: SignedInSession) async throws -> AuthorizationOutcome {
        let code = BearerSecret.random()
        let now = now()
        // RFC 6749 §4.1.2: single use, short-lived, bound to client, redirect URI, PKCE and nonce.
        try await store.insertAuthorizationCode(AuthorizationCodeRecord(
            codeHash: code.hash, grantID: Base64URL.encode(randomBytes(16)), clientID: request.client.id,
            userID: session.userID, redirectURI: request.redirectURI, scopes: request.scopes, nonce: request.nonce,
            codeChallenge: request.codeChallenge, authTime: session.authTime, method: session.method, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.codeLifetime)))
        var items = [("code", code.value)]
        if let state = request.state { items.append(("state", state)) }
        // RFC 9207 §2: the issuer in the response, against mix-up attacks.
        items.append(("iss", configuration.issuer))
        return .redirect(appendQuery(request.redirectURI, items))
    }

    /// The checks of OIDC Core §3.1.2.2 in order. Until the client and redirect URI are known good,
    /// failures are shown by the server and never redirected (RFC 6749 §4.1.2.1).
    private func validate(_ parameters: OAuthParameters) async throws -> Validation {
        if !parameters.repeated.isDisjoint(with: ["client_id", "redirect_uri"]) {
            return .invalid(.errorPage(.invalidRequest("client_id and redirect_uri must be given once")))
        }
        guard let clientID = parameters["client_id"] else {
            return .invalid(.errorPage(.invalidRequest("the request has no client_id")))
        }
        // Client IDs use only [A-Za-z0-9._~-]: anything else names no client and never reaches the store.
        guard ClientRules.isClientCredential(clientID), let client = try await store.client(id: clientID) else {
            return .invalid(.errorPage(.invalidRequest("the application is not registered here")))
        }
        // OIDC Core §3.1.2.1: redirect_uri is required and matches a registered one exactly
        // (RFC 9700 §2.1), but for the port of a loopback IP literal (RFC 8252 §7.3). The code is
        // bound to the string sent here, which the token request must repeat (RFC 6749 §4.1.3).
        guard let redirectURI = parameters["redirect_uri"],
              client.redirectURIs.contains(where: { ClientRules.redirectURI(redirectURI, matches: $0) })
        else {
            return .invalid(.errorPage(.invalidRequest("the redirect URI is not registered for this application")))
        }
        let state = parameters["state"]
        let issuer = configuration.issuer
        func fail(_ error: OAuthError) -> Validation {
            var items: [(String, String)] = [("error", error.code), ("error_description", error.description)]
            if let state { items.append(("state", state)) }
            items.append(("iss", issuer))
            return .invalid(.redirect(appendQuery(redirectURI, items)))
        }
        do {
            try parameters.requireSingle([
                "response_type", "scope", "state", "nonce", "prompt", "max_age", "login_hint", "code_challenge",
                "code_challenge_method", "response_mode", "id_token_hint", Self.signedInAfterParameter,
            ])
        } catch {
            return fail(error)
        }
        // OIDC Core §6.1, §6.2: request objects are not supported.
        if parameters["request"] != nil { return fail(OAuthError("request_not_supported", "request objects are not supported")) }
        if parameters["request_uri"] != nil {
            return fail(OAuthError("request_uri_not_supported", "request_uri is not supported"))
        }
        // RFC 6749 §4.1.1: the code flow only (no implicit or hybrid, RFC 9700 §2.1.2).
        guard let responseType = parameters["response_type"] else {
            return fail(.invalidRequest("response_type is required"))  // §4.1.2.1: a missing parameter
        }
        guard responseType == "code" else { return fail(.unsupportedResponseType) }
        if let mode = parameters["response_mode"], mode != "query" {
            return fail(.invalidRequest("response_mode must be query"))
        }
        // OIDC Core §3.1.2.1: scope must contain openid; unknown scopes are ignored.
        let requested = (parameters["scope"] ?? "").split(separator: " ").map(String.init)
        guard requested.contains("openid") else { return fail(.invalidScope("the scope must include openid")) }
        var scopes: [String] = []
        for scope in requested where Self.supportedScopes.contains(scope) && !scopes.contains(scope) { scopes.append(scope) }
        // RFC 7636 §4.3, §4.4.1: S256 only ("plain" is refused, RFC 9700 §2.1.1); required of public clients.
        let challenge = parameters["code_challenge"]
        if let challenge {
            guard parameters["code_challenge_method"] == "S256" else {
                return fail(.invalidRequest("code_challenge_method must be S256"))
            }
            guard PKCE.isWellFormed(challenge) else { return fail(.invalidRequest("code_challenge is malformed")) }
        } else if parameters["code_challenge_method"] != nil {
            return fail(.invalidRequest("code_challenge_method without code_challenge"))
        } else if client.isPublic {
            return fail(.invalidRequest("public clients must use PKCE (code_challenge with S256)"))
        }
        // OIDC Core §3.1.2.1 prompt: none must stand alone.
        let prompt = Set((parameters["prompt"] ?? "").split(separator: " ").map(String.init))
        guard prompt.isSubset(of: ["none", "login", "consent", "select_account"]) else {
            return fail(.invalidRequest("prompt has an unknown value"))
        }
        if prompt.contains("none"), prompt.count > 1 { return fail(.invalidRequest("prompt=none must stand alone")) }
        // The nonce goes back in the ID token (OIDC Core §3.1.2.1): printable text of a sane length,
        // so a control character or a huge value is the client's error, not the database's.
        if let nonce = parameters["nonce"],
           nonce.count > 512 || nonce.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return fail(.invalidRequest("nonce must be printable text of at most 512 characters"))
        }
        var maxAge: Int?
        if let raw = parameters["max_age"] {
            guard let value = Int(raw), value >= 0 else { return fail(.invalidRequest("max_age must be a whole number of seconds")) }
            maxAge = value
        }
        // This provider's own mark of a request back from the sign-in page: a time not in the future
        // (a minute's leeway for the clocks of several server processes).
        var signedInAfter: Date?
        if let raw = parameters[Self.signedInAfterParameter] {
            guard raw.utf8.count <= 12, raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let seconds = Int64(raw), Double(seconds) <= now().timeIntervalSince1970 + 60
            else { return fail(.invalidRequest("\(Self.signedInAfterParameter) must be a past time in whole seconds")) }
            signedInAfter = Date(timeIntervalSince1970: Double(seconds))
        }
        return .valid(AuthorizationRequest(
            parameters: parameters, client: client, redirectURI: redirectURI, scopes: scopes, state: state,
            nonce: parameters["nonce"], codeChallenge: challenge, prompt: prompt, maxAge: maxAge,
            loginHint: parameters["login_hint"], idTokenHint: parameters["id_token_hint"], signedInAfter: signedInAfter))
    }

    // MARK: Token endpoint

    /// RFC 6749 §2.3.1 client authentication, then §4.1.3 (code) or §6 (refresh).
    ///
    /// - Parameters:
    ///   - parameters: the form body.
    ///   - basic: the `client_id` and secret of an `Authorization: Basic` header, already decoded.
    public func token(_ parameters: OAuthParameters, basic: (id: String, secret: String)?) async throws -> TokenResponse {
        let client = try await authenticateClient(parameters, basic: basic)
        try parameters.requireSingle(["grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope"])
        switch parameters["grant_type"] {
        case "authorization_code": return try await redeemCode(parameters, client: client)
        case "refresh_token": return try await refresh(parameters, client: client)
        case nil: throw OAuthError.invalidRequest("grant_type is missing")
        default: throw OAuthError.unsupportedGrantType
        }
    }

    /// RFC 6749 §2.3: the client, authenticated by its secret (basic or post), or a public
    /// client by its ID alone. Fails with `invalid_client`.
    public func authenticateClient(_ parameters: OAuthParameters, basic: (id: String, secret: String)?) async throws -> OAuthClientRecord {
        try parameters.requireSingle(["client_id", "client_secret"])
        // RFC 6749 §2.3: one authentication method per request.
        if basic != nil, parameters["client_secret"] != nil {
            throw OAuthError.invalidRequest("use one client authentication method")
        }
        if let basic, let bodyID = parameters["client_id"], bodyID != basic.id {
            throw OAuthError.invalidRequest("client_id differs from the Authorization header")
        }
        guard let clientID = basic?.id ?? parameters["client_id"] else {
            throw OAuthError.invalidClient("client authentication is missing")
        }
        guard ClientRules.isClientCredential(clientID), let client = try await store.client(id: clientID) else {
            throw OAuthError.invalidClient("client authentication failed")
        }
        let basicSecret = basic.flatMap { $0.secret.isEmpty ? nil : $0.secret }
        let secret = basicSecret ?? parameters["client_secret"]
        if client.isPublic {
            guard secret == nil else { throw OAuthError.invalidClient("public clients have no secret") }
            return client
        }
        guard let secret, ClientRules.verify(secret: secret, of: client) else {
            throw OAuthError.invalidClient("client authentication failed")
        }
        return client
    }

    private func redeemCode(_ parameters: OAuthParameters, client: OAuthClientRecord) async throws -> TokenResponse {
        guard let value = parameters["code"] else { throw OAuthError.invalidRequest("code is missing") }
        let hash = BearerSecret.hash(value)
        guard let code = try await store.authorizationCode(codeHash: hash) else {
            throw OAuthError.invalidGrant("the code is invalid")
        }
        // RFC 6749 §4.1.3: issued to this client, for this redirect URI, and still valid.
        guard code.clientID == client.id else { throw OAuthError.invalidGrant("the code was issued to another client") }
        guard parameters["redirect_uri"] == code.redirectURI else {
            throw OAuthError.invalidGrant("redirect_uri differs from the authorization request")
        }
        // A used code goes on to redemption even when expired, so its replay still revokes.
        guard code.usedAt != nil || !code.isExpired(at: now()) else { throw OAuthError.invalidGrant("the code has expired") }
        // RFC 7636 §4.6: the verifier matches the challenge; RFC 9700 §2.1.1: no verifier without a challenge.
        let verifier = parameters["code_verifier"]
        switch (code.codeChallenge, verifier) {
        case (let challenge?, let verifier?):
            guard PKCE.isWellFormed(verifier), PKCE.verify(verifier, challenge: challenge) else {
                throw OAuthError.invalidGrant("code_verifier does not match the code_challenge")
            }
        case (.some, nil):
            throw OAuthError.invalidGrant("code_verifier is missing")
        case (nil, .some):
            throw OAuthError.invalidGrant("the authorization request had no code_challenge")
        case (nil, nil):
            break
        }
        // A code made in the moment an operator disabled the account is worth nothing.
        guard let user = try await store.user(id: code.userID), !user.disabled else {
            throw OAuthError.invalidGrant("the account is gone or disabled")
        }
        let issued = try await issueTokens(
            client: client, user: user, scopes: code.scopes, grantID: code.grantID, authTime: code.authTime,
            method: code.method, nonce: code.nonce)
        // RFC 6749 §4.1.2: a code used twice is refused, and what the first use issued is revoked.
        switch try await store.redeemAuthorizationCode(codeHash: hash, at: now(), issuing: issued.records) {
        case .redeemed: return issued.response
        case .replayed: throw OAuthError.invalidGrant("the code was used before; its tokens are revoked")
        case .unknown: throw OAuthError.invalidGrant("the code is invalid")
        }
    }

    private func refresh(_ parameters: OAuthParameters, client: OAuthClientRecord) async throws -> TokenResponse {
        guard let value = parameters["refresh_token"] else { throw OAuthError.invalidRequest("refresh_token is missing") }
        let hash = BearerSecret.hash(value)
        // RFC 6749 §6: issued to this client and valid.
        guard let token = try await store.oauthToken(tokenHash: hash), token.kind == .refresh else {
            throw OAuthError.invalidGrant("the refresh token is invalid")
        }
        guard token.clientID == client.id else { throw OAuthError.invalidGrant("the refresh token was issued to another client") }
        guard !token.isExpired(at: now()) else { throw OAuthError.invalidGrant("the refresh token has expired") }
        // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
        var scopes = token.scopes
        if let requested = parameters["scope"] {
            let asked = requested.split(separator: " ").map(String.init)
            guard Set(asked).isSubset(of: token.scopes) else { throw OAuthError.invalidScope("the scope exceeds the grant") }
            // Every grant here is OpenID Connect's: its answers carry an ID token, and its access
            // tokens are for userinfo (OIDC Core §12.2), so openid stays.
            guard asked.contains("openid") else { throw OAuthError.invalidScope("the scope must include openid") }
            scopes = token.scopes.filter(asked.contains)
        }
        guard let user = try await store.user(id: token.userID), !user.disabled else {
            throw OAuthError.invalidGrant("the account is gone or disabled")
        }
        // Every refresh answer carries a new refresh token, for as long as the grant has offline_access.
        let issued = try await issueTokens(
            client: client, user: user, scopes: scopes, grantID: token.grantID, authTime: token.authTime,
            method: token.method, nonce: nil, refreshScopes: token.scopes)
        // RFC 9700 §4.14.2: rotation; a rotated token used again revokes its family.
        switch try await store.rotateRefreshToken(tokenHash: hash, at: now(), issuing: issued.records) {
        case .rotated: return issued.response
        case .reused: throw OAuthError.invalidGrant("the refresh token was used before; the grant is revoked")
        case .unknown: throw OAuthError.invalidGrant("the refresh token is invalid")
        }
    }

    private func issueTokens(
        client: OAuthClientRecord, user: UserRecord, scopes: [String], grantID: String, authTime: Date,
        method: SignInMethod, nonce: String?, refreshScopes: [String]? = nil
    ) async throws -> (response: TokenResponse, records: [OAuthTokenRecord]) {
        let now = now()
        let access = BearerSecret.random()
        var records = [OAuthTokenRecord(
            tokenHash: access.hash, kind: .access, grantID: grantID, clientID: client.id, userID: user.id, scopes: scopes,
            authTime: authTime, method: method, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.accessTokenLifetime))]
        var refresh: BearerSecret?
        // OIDC Core §11: refresh tokens only with offline_access.
        let grantScopes = refreshScopes ?? scopes
        if grantScopes.contains("offline_access") {
            let token = BearerSecret.random()
            refresh = token
            records.append(OAuthTokenRecord(
                tokenHash: token.hash, kind: .refresh, grantID: grantID, clientID: client.id, userID: user.id,
                scopes: grantScopes, authTime: authTime, method: method, createdAt: now,
                expiresAt: now.addingTimeInterval(configuration.refreshTokenLifetime)))
        }
        let idToken = try await signIDToken(
            client: client, user: user, scopes: scopes, authTime: authTime, method: method, nonce: nonce,
            accessToken: access.value)
        let response = TokenResponse(
            access_token: access.value, token_type: "Bearer", expires_in: Int(configuration.accessTokenLifetime),
            id_token: idToken, refresh_token: refresh?.value, scope: scopes.joined(separator: " "))
        return (response, records)
    }

    /// OIDC Core §2, §3.1.3.6: the ID token, signed with the client's algorithm and the current key.
    func signIDToken(
        client: OAuthClientRecord, user: UserRecord, scopes: [String], authTime: Date, method: SignInMethod,
        nonce: String?, accessToken: String
    ) async throws -> String {
        let now = now()
        var claims = IDTokenClaims(
            iss: configuration.issuer, sub: Self.subject(user.id), aud: client.id,
            exp: Int(now.addingTimeInterval(configuration.idTokenLifetime).timeIntervalSince1970),
            iat: Int(now.timeIntervalSince1970), auth_time: Int(authTime.timeIntervalSince1970), nonce: nonce,
            at_hash: accessTokenHash(accessToken), amr: Self.amr(method), azp: client.id)
        let profile = Self.userClaims(user, scopes: scopes)
        claims.preferred_username = profile.preferred_username
        claims.name = profile.name
        claims.email = profile.email
        claims.email_verified = profile.email_verified
        let keys = try await prepareSigningKeys()
        guard let key = keys.last(where: { $0.algorithm == client.idTokenAlgorithm && $0.retiredAt == nil }) else {
            throw OAuthError("server_error", "no signing key for \(client.idTokenAlgorithm)", status: 500)
        }
        let collection = try await SigningKeys.collection([key])
        var header = JWTHeader()
        header.typ = "JWT"
        return try await collection.sign(claims, kid: JWKIdentifier(string: key.id), header: header)
    }

    // MARK: Claims

    /// OIDC Core §2 `sub`: the account's handle (random, never the username, unchanged when the
    /// username changes).
    public static func subject(_ userID: UserHandle) -> String { userID.base64URL }

    /// OIDC Core §5.1 `email_verified`: whether the person proved they receive mail at the
    /// address (the code sign-up mails, a recovery code, or an import that said so).
    public static func emailVerified(_ user: UserRecord) -> Bool { user.emailVerified }

    /// OIDC Core §5.4: the claims the scopes grant.
    public static func userClaims(_ user: UserRecord, scopes: [String]) -> UserInfo {
        var info = UserInfo(sub: subject(user.id))
        if scopes.contains("profile") {
            info.preferred_username = user.username
            info.name = user.displayName
        }
        if scopes.contains("email"), user.username.contains("@") {
            info.email = user.username
            info.email_verified = emailVerified(user)
        }
        return info
    }

    // MARK: UserInfo

    /// OIDC Core §5.3: the claims for a valid access token, or `invalid_token` (RFC 6750 §3.1).
    public func userinfo(accessToken: String) async throws -> UserInfo {
        guard let token = try await store.oauthToken(tokenHash: BearerSecret.hash(accessToken)), token.kind == .access,
              !token.isExpired(at: now())
        else { throw OAuthError.invalidToken("the access token is invalid or has expired") }
        guard let user = try await store.user(id: token.userID), !user.disabled else {
            throw OAuthError.invalidToken("the access token is invalid or has expired")
        }
        return Self.userClaims(user, scopes: token.scopes)
    }

    // MARK: Revocation

    /// RFC 7009 §2.1: revokes a token of the authenticated client. A refresh token takes its whole
    /// grant with it; an unknown token is not an error (§2.2).
    public func revoke(_ parameters: OAuthParameters, basic: (id: String, secret: String)?) async throws {
        let client = try await authenticateClient(parameters, basic: basic)
        try parameters.requireSingle(["token", "token_type_hint"])
        guard let value = parameters["token"] else { throw OAuthError.invalidRequest("token is missing") }
        let hash = BearerSecret.hash(value)
        guard let token = try await store.oauthToken(tokenHash: hash) else { return }
        guard token.clientID == client.id else { throw OAuthError.unauthorizedClient }
        switch token.kind {
        case .refresh: try await store.revokeGrant(id: token.grantID)
        case .access: try await store.deleteOAuthToken(tokenHash: hash)
        }
    }

    // MARK: RP-Initiated Logout

    /// RP-Initiated Logout 1.0 §2, §3: whether to end the session, and where to send the browser.
    ///
    /// The session ends only for a valid `id_token_hint` of this issuer whose subject is the
    /// signed-in account (so no other site can sign people out); a `post_logout_redirect_uri`
    /// must be registered for the hint's client. Without a hint, or when another account is
    /// signed in than the hint names, the person is asked to sign out themselves (§2: the OP
    /// SHOULD ask the End-User), and no redirect is made: none could be checked, or it would tell
    /// the app its user was signed out when they were not.
    public func endSession(_ parameters: OAuthParameters, signedIn: UserHandle?) async throws -> EndSessionOutcome {
        try parameters.requireSingle(["id_token_hint", "post_logout_redirect_uri", "state", "client_id"])
        guard let hint = parameters["id_token_hint"] else {
            return .confirm
        }
        guard let claims = try await hintClaims(hint) else {
            throw OAuthError.invalidRequest("id_token_hint is not an ID token of this provider")
        }
        if let clientID = parameters["client_id"], clientID != claims.aud {
            throw OAuthError.invalidRequest("client_id does not match id_token_hint")
        }
        var redirect: String?
        if let uri = parameters["post_logout_redirect_uri"] {
            guard let client = try await store.client(id: claims.aud), client.postLogoutRedirectURIs.contains(uri) else {
                throw OAuthError.invalidRequest("post_logout_redirect_uri is not registered for this application")
            }
            var items: [(String, String)] = []
            if let state = parameters["state"] { items.append(("state", state)) }
            redirect = appendQuery(uri, items)
        }
        guard let signedIn else {
            // No one is signed in here: the person is signed out already.
            return .signOut(endSession: false, redirect: redirect)
        }
        guard Self.subject(signedIn) == claims.sub else { return .confirm }
        return .signOut(endSession: true, redirect: redirect)
    }

    /// The claims of an `id_token_hint` this provider signed for this issuer, or `nil`. An expired
    /// ID token is still a valid hint (RP-Initiated Logout §2; OIDC Core §3.1.2.1 asks only that
    /// this provider issued it).
    private func hintClaims(_ hint: String) async throws -> IDTokenClaims? {
        let keys = try await prepareSigningKeys()
        guard let claims = try? await SigningKeys.collection(keys).verify(hint, as: IDTokenClaims.self),
              claims.iss == configuration.issuer
        else { return nil }
        return claims
    }
}

// MARK: Values

/// The signed-in browser as the provider needs it.
public struct SignedInSession: Sendable, Hashable {
    public var userID: UserHandle
    /// When the person signed in: the ID token's `auth_time`.
    public var authTime: Date
    /// How the person signed in: the ID token's `amr`.
    public var method: SignInMethod

    public init(userID: UserHandle, authTime: Date, method: SignInMethod) {
        self.userID = userID
        self.authTime = authTime
        self.method = method
    }
}

/// A checked authentication request.
struct AuthorizationRequest: Sendable {
    /// The request as it came.
    var parameters: OAuthParameters
    var client: OAuthClientRecord
    var redirectURI: String
    var scopes: [String]
    var state: String?
    var nonce: String?
    var codeChallenge: String?
    var prompt: Set<String>
    var maxAge: Int?
    var loginHint: String?
    /// `id_token_hint`: an ID token this provider issued, naming who the client expects.
    var idTokenHint: String?
    /// ``OpenIDProvider/signedInAfterParameter``: back from the sign-in page sent to at this time.
    var signedInAfter: Date?

    /// RFC 6749 §4.1.2.1: the error, sent back to the client with the original state.
    func redirect(_ error: OAuthError, issuer: String) -> AuthorizationOutcome {
        var items = [("error", error.code), ("error_description", error.description)]
        if let state { items.append(("state", state)) }
        items.append(("iss", issuer))
        return .redirect(appendQuery(redirectURI, items))
    }
}

/// What the authorization endpoint does next.
public enum AuthorizationOutcome: Sendable, Equatable {
    /// Show the server's own error page (400): the client or its redirect URI cannot be trusted.
    case errorPage(OAuthError)
    /// Send the browser to the client: a code or an error.
    case redirect(String)
    /// Send the browser to the sign-in page, then back to the authorization request `returnTo`;
    /// `reauthenticate` asks for a fresh sign-in even when the browser has a session (which that
    /// sign-in replaces).
    case signIn(loginHint: String?, reauthenticate: Bool, returnTo: OAuthParameters)
    /// Ask the person on the consent page.
    case consent(ConsentPrompt)
}

/// What the consent page names: the application and what it will see.
public struct ConsentPrompt: Sendable, Equatable, Codable {
    public var clientName: String
    public var clientID: String
    public var scopes: [String]
}

/// What the end-session endpoint does.
public enum EndSessionOutcome: Sendable, Equatable {
    /// No hint, or the hint names another account than the one signed in: ask the person to sign
    /// out from the account page.
    case confirm
    /// End the session (`endSession` false when no one is signed in) and redirect, or show that
    /// it is done.
    case signOut(endSession: Bool, redirect: String?)
}

/// The UserInfo response (OIDC Core §5.3.2).
public struct UserInfo: Codable, Sendable, Equatable {
    public var sub: String
    public var preferred_username: String?
    public var name: String?
    public var email: String?
    public var email_verified: Bool?
}

/// The provider metadata (OpenID Connect Discovery 1.0 §3).
public struct DiscoveryDocument: Codable, Sendable, Equatable {
    public var issuer: String
    public var authorization_endpoint: String
    public var token_endpoint: String
    public var userinfo_endpoint: String
    public var jwks_uri: String
    public var revocation_endpoint: String
    public var end_session_endpoint: String
    public var scopes_supported: [String]
    public var response_types_supported: [String]
    public var response_modes_supported: [String]
    public var grant_types_supported: [String]
    public var subject_types_supported: [String]
    public var id_token_signing_alg_values_supported: [String]
    public var token_endpoint_auth_methods_supported: [String]
    public var revocation_endpoint_auth_methods_supported: [String]
    public var code_challenge_methods_supported: [String]
    public var prompt_values_supported: [String]
    public var claims_supported: [String]
    public var claims_parameter_supported: Bool
    public var request_parameter_supported: Bool
    public var request_uri_parameter_supported: Bool
    public var authorization_response_iss_parameter_supported: Bool
}

/// `uri` with `items` added to its query, each form-encoded (RFC 6749 Appendix B).
public func appendQuery(_ uri: String, _ items: [(String, String)]) -> String {
    guard !items.isEmpty else { return uri }
    let encoded = items.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    return uri + (uri.contains("?") ? "&" : "?") + encoded
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
public func formEncode(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
}

/// RFC 3986 §2.3 unreserved characters: the only ones left as they are.
private let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
