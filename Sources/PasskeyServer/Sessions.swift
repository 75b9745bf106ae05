import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PasskeyStore
import WebAuthn

/// Names and attributes of the server's cookies. Under TLS the session and ceremony cookies get
/// the `__Host-` prefix, which makes browsers insist on `Secure`, `Path=/` and no `Domain`. The
/// forward-auth cookie for a domain (`--cookie-domain`) cannot have that prefix: it gets
/// `__Secure-` under TLS instead.
struct CookieSettings: Sendable {
    /// The session cookie: host-only always (`__Host-` over HTTPS), so it reaches this server and
    /// no other, and no sibling subdomain can set one.
    let sessionName: String
    let ceremonyName: String
    /// A browser where an account's password was right (``PasswordDevice``): host-only, like the session's.
    let deviceName: String
    let secure: Bool
    /// With `--cookie-domain`: the forward-auth cookie, for that domain (`__Secure-` over HTTPS).
    /// Every app on the domain receives it, and the proxy passes it on to the app; so it carries
    /// the session sealed, and only `/api/forward-auth` takes it: an app that reads it can sign
    /// no one in to this server's API.
    let forwardName: String?
    let forwardDomain: String?
    /// The session cookie's name for the domain in versions before the forward-auth cookie, when
    /// the session cookie itself was shared with the domain: expired wherever a session cookie is
    /// set or ended, so it stops reaching the apps.
    let sharedSessionName: String?

    init(secure: Bool, sessionDomain: String? = nil) {
        let prefix = secure ? "__Host-" : ""
        self.sessionName = prefix + "passkeys_session"
        self.ceremonyName = prefix + "passkeys_ceremony"
        self.deviceName = prefix + "passkeys_device"
        self.secure = secure
        self.forwardName = sessionDomain.map { _ in (secure ? "__Secure-" : "") + "passkeys_forward" }
        self.forwardDomain = sessionDomain
        self.sharedSessionName = sessionDomain.map { _ in (secure ? "__Secure-" : "") + "passkeys_session" }
    }

    /// An HttpOnly, SameSite=Lax cookie for the whole site, or for `domain` and its subdomains.
    func cookie(name: String, value: String, maxAge: TimeInterval, domain: String? = nil) -> SetCookie {
        SetCookie(name: name, value: value, maxAge: max(0, Int(maxAge)), domain: domain, secure: secure)
    }

    /// A cookie that makes the browser forget `name` (set for `domain`, when it was).
    func expired(_ name: String, domain: String? = nil) -> SetCookie {
        cookie(name: name, value: "", maxAge: 0, domain: domain)
    }

    /// The cookies that forget a session: its own, and with a cookie domain the forward-auth one
    /// and the older shared one.
    var expiredSession: [SetCookie] {
        var cookies: [SetCookie] = []
        if let sharedSessionName { cookies.append(expired(sharedSessionName, domain: forwardDomain)) }
        cookies.append(expired(sessionName))
        if let forwardName { cookies.append(expired(forwardName, domain: forwardDomain)) }
        return cookies
    }
}

/// A cookie the server sets: one `Set-Cookie` field (RFC 6265 §4.1), with `Path=/`, `HttpOnly`
/// and `SameSite=Lax` always, its attributes in a fixed order. Its field value is written once,
/// as a string; Hummingbird's `Cookie` kept the attributes in a dictionary and wrote them out
/// again for every response (nearly 2 % of a sign-in's server samples between the two).
struct SetCookie: Sendable, Hashable {
    let name: String
    let value: String
    /// The whole field value: `name=value; Max-Age=…[; Domain=…]; Path=/[; Secure]; HttpOnly; SameSite=Lax`.
    let fieldValue: String

    /// `name` and `value` are the server's own (cookie names it chose; base64url tokens or sealed
    /// records, or the empty value that ends a cookie): nothing a client sent.
    init(name: String, value: String, maxAge: Int, domain: String?, secure: Bool) {
        self.name = name
        self.value = value
        // Built in one buffer: each `+` of two strings would allocate a new one.
        var field = ""
        field.reserveCapacity(name.utf8.count + value.utf8.count + (domain?.utf8.count ?? 0) + 80)
        field += name
        field += "="
        field += value
        field += "; Max-Age="
        field += String(maxAge)
        if let domain {
            field += "; Domain="
            field += domain
        }
        field += "; Path=/"
        if secure { field += "; Secure" }
        field += "; HttpOnly; SameSite=Lax"
        fieldValue = field
    }
}

extension Response {
    /// Adds the cookie's `Set-Cookie` field.
    mutating func setCookie(_ cookie: SetCookie) {
        headers.append(HTTPField(name: .setCookie, value: cookie.fieldValue))
    }
}

/// A random token for a cookie, and the SHA-256 the store keeps in its place.
struct CookieToken: Sendable {
    let value: String
    let hash: [UInt8]

    /// A token's length in bytes.
    static let byteCount = 32

    /// 32 random bytes.
    static func random() -> CookieToken {
        let bytes = randomBytes(byteCount)
        return CookieToken(value: Base64URL.encode(bytes), hash: sha256(bytes))
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// The token a cookie carries, or `nil` when it is not one the server could have made
    /// (so no look-up is spent on it).
    init?(cookie: String) {
        guard let bytes = Base64URL.decode(cookie), bytes.count == Self.byteCount else { return nil }
        self.value = cookie
        self.hash = Self.sha256(bytes)
    }

    private init(value: String, hash: [UInt8]) {
        self.value = value
        self.hash = hash
    }
}

extension SessionRecord {
    /// The session's identifier in the API (`GET /api/sessions`, `DELETE /api/sessions/{id}`): a
    /// second hash of the token hash, so it names the session without being anything that signs in.
    var publicID: String {
        Base64URL.encode(Array(SHA256.hash(data: Array("passkeys session id\u{0}".utf8) + tokenHash).prefix(16)))
    }
}

/// A signed-in request: its session and account.
struct Authenticated: Sendable {
    let session: SessionRecord
    let user: UserRecord
}

/// Sessions: a random 32-byte token in an HttpOnly, SameSite=Lax cookie; the store keeps only
/// its SHA-256, so a copy of the database signs no one in. A session ends at its absolute expiry,
/// after the idle timeout without a request, or at sign-out.
struct Sessions: Sendable {
    let store: any PasskeyStore
    let cookies: CookieSettings
    /// Seals the token in the forward-auth cookie (``CookieSettings/forwardName``).
    let forwardKey: SharedKey
    let lifetime: TimeInterval
    let idleTimeout: TimeInterval
    let now: @Sendable () -> Date
    /// A request refreshes the idle expiry at most this often, so reads do not all write: once a
    /// minute, or a tenth of the idle timeout when that is shorter, so a session in use never
    /// ends and one left alone ends within a tenth of the timeout of when it should.
    var touchInterval: TimeInterval { min(60, idleTimeout / 10) }

    /// A recovery session lasts at most this long (an hour, or the session lifetime when that is
    /// shorter): long enough to add a passkey, not long enough to be left behind for days.
    var recoveryLifetime: TimeInterval { min(lifetime, 3600) }

    /// A new session for the account, opened by `credentialID` (or another `method`) from `client`,
    /// to be stored with the sign-in, and its token. A `recovery` session can only add a passkey and
    /// read the account, and ends after ``recoveryLifetime`` unless a passkey is added in it.
    func start(
        userID: UserHandle, credentialID: CredentialID?, client: ClientDetails, method: SignInMethod,
        recovery: Bool = false
    ) -> (token: CookieToken, record: SessionRecord) {
        let token = CookieToken.random()
        let now = now()
        let record = SessionRecord(
            tokenHash: token.hash, userID: userID, createdAt: now, lastSeenAt: now,
            expiresAt: now.addingTimeInterval(recovery ? recoveryLifetime : lifetime), credentialID: credentialID, ip: client.ip,
            userAgent: client.userAgent, recovery: recovery, method: method)
        return (token, record)
    }

    /// The end of `session`'s recovery as a passkey is added in it: a full session from then on,
    /// expiring a full lifetime after its start.
    func completion(ofRecovery session: SessionRecord) -> RecoveryCompletion {
        RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.createdAt.addingTimeInterval(lifetime))
    }

    /// The cookies that carry a new session: the session cookie, and with a cookie domain the
    /// forward-auth cookie (the token sealed) and the end of the older shared session cookie.
    func cookies(for token: CookieToken) async throws -> [SetCookie] {
        var set: [SetCookie] = []
        // The older shared cookie's end first: without TLS it has the session cookie's name, and
        // a client that keeps cookies by name alone must end up with the new one.
        if let sharedSessionName = cookies.sharedSessionName {
            set.append(cookies.expired(sharedSessionName, domain: cookies.forwardDomain))
        }
        set.append(cookies.cookie(name: cookies.sessionName, value: token.value, maxAge: lifetime))
        if let forwardName = cookies.forwardName {
            guard let sealed = try await forwardKey.sealingKey().seal(Array(token.value.utf8), authenticating: Self.forwardPurpose)
            else { throw APIError.internalError }
            set.append(cookies.cookie(name: forwardName, value: Base64URL.encode(sealed), maxAge: lifetime, domain: cookies.forwardDomain))
        }
        return set
    }

    /// The cookies that end the session in the browser.
    var expiredCookies: [SetCookie] { cookies.expiredSession }

    /// What the forward-auth cookie's seal authenticates besides the token: its purpose, so no
    /// other sealed value of this key opens as one.
    static let forwardPurpose = Array("passkeys forward-auth session v1".utf8)

    /// The token hash the request's session cookie carries, if any.
    func tokenHash(_ request: Request) -> [UInt8]? {
        CookieHeader.value(of: cookies.sessionName, in: request.headers).flatMap { CookieToken(cookie: $0) }?.hash
    }

    /// For `/api/forward-auth` only: the token hash the forward-auth cookie carries sealed, else
    /// the session cookie's (an app on this server's own host gets that one).
    func forwardAuthTokenHash(_ request: Request) async throws -> [UInt8]? {
        if let forwardName = cookies.forwardName, let value = CookieHeader.value(of: forwardName, in: request.headers) {
            guard let sealed = Base64URL.decode(value),
                  let opened = try await forwardKey.sealingKey().open(sealed[...], authenticating: Self.forwardPurpose)
            else { return nil }
            return CookieToken(cookie: String(decoding: opened, as: UTF8.self))?.hash
        }
        return tokenHash(request)
    }

    /// Ends the session of the older shared session cookie (``CookieSettings/sharedSessionName``)
    /// when the request carries one: it holds a raw token, which browsers signed in before the
    /// forward-auth cookie keep sending to every app. Under TLS only, where its name is not the
    /// session cookie's own.
    func endSharedSession(_ request: Request) async throws {
        guard let shared = cookies.sharedSessionName, shared != cookies.sessionName,
              let token = CookieHeader.value(of: shared, in: request.headers).flatMap(CookieToken.init(cookie:))
        else { return }
        try await store.deleteSession(tokenHash: token.hash)
    }

    /// The full session (``currentFull(_:)``) that `/api/forward-auth` sees: by the forward-auth
    /// cookie (``forwardAuthTokenHash(_:)``).
    func currentForForwardAuth(_ request: Request) async throws -> Authenticated? {
        try await endSharedSession(request)
        guard let hash = try await forwardAuthTokenHash(request),
              let signedIn = try await current(tokenHash: hash, allowRecovery: true), !signedIn.session.recovery
        else { return nil }
        return signedIn
    }

    /// The request's session when it is a full one: a recovery session counts as none, for what
    /// would rather send the person to sign in than refuse them (forward-auth, the OIDC
    /// authorization endpoint).
    func currentFull(_ request: Request) async throws -> Authenticated? {
        guard let signedIn = try await current(request, allowRecovery: true), !signedIn.session.recovery else { return nil }
        return signedIn
    }

    /// The signed-in account, or `nil`.
    ///
    /// A recovery session answers `403 recovery_session` unless `allowRecovery`: it may only read
    /// the account and add a passkey, so only those endpoints allow it.
    ///
    /// A request that names the account it acts for (`Passkeys-User`, the pages' client core sends
    /// it) is refused with `409 session_changed` when the session is another account's: a page left
    /// open on one account must not act on the one signed in from another tab since.
    func current(_ request: Request, allowRecovery: Bool = false) async throws -> Authenticated? {
        guard let hash = tokenHash(request) else { return nil }
        guard let authenticated = try await current(tokenHash: hash, allowRecovery: allowRecovery) else { return nil }
        try Self.requireNamedAccount(request, is: authenticated.user.id)
        return authenticated
    }

    /// `409 session_changed` when the request names an account (`Passkeys-User`) other than
    /// `userID`, the session's.
    static func requireNamedAccount(_ request: Request, is userID: UserHandle) throws {
        if let expected = request.headers[.passkeysUser], expected != userID.base64URL {
            throw APIError.sessionChanged
        }
    }

    /// The session whose token hashes to `hash` and its account, as ``current(_:allowRecovery:)`` says.
    func current(tokenHash hash: [UInt8], allowRecovery: Bool) async throws -> Authenticated? {
        // The session and its account in one read (a session whose account is gone is none).
        guard let (session, user) = try await store.sessionWithUser(tokenHash: hash) else {
            return nil
        }
        let now = now()
        if session.isExpired(at: now, idleTimeout: idleTimeout) {
            try await store.deleteSession(tokenHash: hash)
            return nil
        }
        // Disabling an account ends its sessions; one that slipped in meanwhile ends here.
        if user.disabled {
            try await store.deleteSession(tokenHash: hash)
            return nil
        }
        guard !session.recovery || allowRecovery else { throw APIError.recoverySession }
        if now.timeIntervalSince(session.lastSeenAt) >= touchInterval {
            try await store.touchSession(tokenHash: hash, at: now)
        }
        return Authenticated(session: session, user: user)
    }

    /// The signed-in account, or `401 unauthenticated`.
    func require(_ request: Request, allowRecovery: Bool = false) async throws -> Authenticated {
        guard let authenticated = try await current(request, allowRecovery: allowRecovery) else { throw APIError.unauthenticated }
        return authenticated
    }
}

/// The passkey a sign-in's answer names, as the server knows it when the answer comes
/// (``Ceremonies/takeSignIn(_:credentialID:)``).
enum SignInPasskey: Sendable {
    /// Read from the store now: the credential (`nil` when no account holds it) and its account.
    case read(CredentialRecord?, UserRecord?)
    /// Sealed with the ceremony by its options, as they read it, for the account `userID`: not
    /// read again; the sign-in is recorded only while the store still holds it so.
    case sealed(SealedPasskey, userID: UserHandle)
}

/// A ceremony taken from the browser's cookie (``Ceremonies/take(_:kinds:)``).
struct TakenCeremony: Sendable {
    /// The ceremony.
    let record: CeremonyRecord
    /// For a sealed ceremony, the mark that spends it, not yet in the store; `nil` for a stored
    /// ceremony, consumed already.
    let mark: CeremonyMark?
}

/// Ceremonies between their two requests, bound by an HttpOnly cookie to the browser that asked
/// for the options.
///
/// A sign-in ceremony lives in the cookie itself, sealed (``SealedCeremony``): starting one writes
/// nothing to the store, and finishing it spends its ID there (``PasskeyStore/spendCeremony(id:keepUntil:)``).
/// Other ceremonies, and a sign-in whose record would make too big a cookie, are records in the
/// store; their cookie holds a random token whose SHA-256 is the record's ID, and finishing
/// consumes the record. Either way the ceremony is used up atomically: a stored one before
/// anything else; a sealed sign-up's or sign-in's in the transaction that creates the account or
/// records the sign-in, or at once when its answer fails before that. So it is used once whatever
/// the outcome, by whichever process of the database finishes it.
struct Ceremonies: Sendable {
    let store: any PasskeyStore
    let cookies: CookieSettings
    let lifetime: TimeInterval
    let now: @Sendable () -> Date
    /// Seals the ceremonies the browser holds.
    let sealKey: SharedKey

    /// The kinds kept sealed in the browser's cookie: sign-in and sign-up, whose options anyone may
    /// ask for, so they write nothing (docs/performance.md, levers 7 and 32). Adding a passkey,
    /// which only a signed-in account can start, is stored.
    static let sealedKinds: Set<CeremonyRecord.Kind> = [.authentication, .registration]
    /// How long a spent ceremony's mark outlives the ceremony's expiry: room for server clocks
    /// that disagree, so no process takes a spent ceremony for one that is still pending.
    static let spentMarkMargin: TimeInterval = 600

    /// Starts a ceremony whose state is JSON text (as ``state(_:of:)`` reads it back; the
    /// ceremonies write theirs with `JSONWriter`) and returns the cookie that binds it to this browser.
    /// A ceremony sealed in the cookie keeps `sealedState` instead when given (a compact form its
    /// reader also takes); the JSON is then written only if the ceremony is stored after all.
    ///
    /// A sign-in's ceremony sealed in its cookie keeps `passkeys` too (the account's, as its options
    /// read them; ``SealedPasskey``), so its answer is verified without reading them again.
    func begin(
        _ kind: CeremonyRecord.Kind, challenge: Challenge, stateJSON: @autoclosure () -> [UInt8],
        sealedState: [UInt8]? = nil, userID: UserHandle? = nil, username: String? = nil, displayName: String? = nil,
        passkeys: [SealedPasskey] = []
    ) async throws -> SetCookie {
        let now = now()
        if Self.sealedKinds.contains(kind) {
            let record = CeremonyRecord(
                id: SealedCeremony.newID(at: now), kind: kind, challenge: challenge, userID: userID,
                username: username, displayName: displayName, state: sealedState ?? stateJSON(), createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime))
            let sealed = try SealedCeremony.seal(
                record, passkeys: userID == nil ? [] : passkeys, key: try await sealKey.sealingKey())
            if sealed.utf8.count <= SealedCeremony.maximumCookieLength {
                return cookies.cookie(name: cookies.ceremonyName, value: sealed, maxAge: lifetime)
            }
        }
        let token = CookieToken.random()
        let record = CeremonyRecord(
            id: Base64URL.encode(token.hash), kind: kind, challenge: challenge, userID: userID, username: username,
            displayName: displayName, state: stateJSON(), createdAt: now,
            expiresAt: now.addingTimeInterval(lifetime))
        try await store.insertCeremony(record)
        return cookies.cookie(name: cookies.ceremonyName, value: token.value, maxAge: lifetime)
    }

    /// Takes this browser's pending ceremony: `400 ceremony_not_found` when there is none, it is
    /// used already or it is of another kind, `400 ceremony_expired` when it is too old.
    func consume(_ request: Request, kinds: Set<CeremonyRecord.Kind>) async throws -> CeremonyRecord {
        switch try await held(request) {
        case nil:
            throw APIError.ceremonyNotFound
        case .stored(let id):
            return try usable(try await store.consumeCeremony(id: id), kinds: kinds)
        case .sealed(let record, _):
            guard try await store.spendCeremony(id: record.id, keepUntil: keepUntil(record)) else {
                throw APIError.ceremonyNotFound
            }
            return try usable(record, kinds: kinds)
        }
    }

    /// Takes this browser's pending ceremony as ``consume(_:kinds:)`` does, except that a sealed
    /// one is not spent yet: the ``TakenCeremony/mark`` it answers is for the store operation that
    /// finishes the ceremony to write in its own transaction (one commit instead of two), and
    /// ``finishing(_:_:)`` spends it if that operation is never reached. A sealed ceremony of
    /// another kind, or expired, is spent here, as ``consume(_:kinds:)`` spends it.
    func take(_ request: Request, kinds: Set<CeremonyRecord.Kind>) async throws -> TakenCeremony {
        switch try await held(request) {
        case nil:
            throw APIError.ceremonyNotFound
        case .stored(let id):
            return TakenCeremony(record: try usable(try await store.consumeCeremony(id: id), kinds: kinds), mark: nil)
        case .sealed(let record, _):
            return try await takeSealed(record, kinds: kinds)
        }
    }

    /// A sealed ceremony with its unspent mark, or, when it is of another kind or expired, the
    /// error, the ceremony spent.
    private func takeSealed(_ record: CeremonyRecord, kinds: Set<CeremonyRecord.Kind>) async throws -> TakenCeremony {
        let mark = CeremonyMark(id: record.id, keepUntil: keepUntil(record))
        do {
            return TakenCeremony(record: try usable(record, kinds: kinds), mark: mark)
        } catch {
            throw try await spend(mark, after: error)
        }
    }

    /// Runs the finish of a ceremony ``take(_:kinds:)`` took. `body` is given the ceremony's
    /// unspent mark (`nil` for a stored ceremony, consumed already) and passes it to the store
    /// operation that completes the ceremony, its last step that can fail. If that operation finds
    /// the mark spent, another request finished the ceremony first: `400 ceremony_not_found`. If
    /// `body` fails before, the mark is spent now, so the ceremony is used once whatever the
    /// outcome; when another request spent it meanwhile the answer is `ceremony_not_found` too.
    func finishing<Result>(
        _ taken: TakenCeremony, _ body: (CeremonyMark?) async throws -> Result
    ) async throws -> Result {
        guard let mark = taken.mark else { return try await body(nil) }
        do {
            return try await body(mark)
        } catch let error as StoreError where error.code == .ceremonySpent {
            throw APIError.ceremonyNotFound
        } catch {
            throw try await spend(mark, after: error)
        }
    }

    /// Spends a sealed ceremony whose finish failed with `error`, and answers the error to throw:
    /// `error`, or `ceremony_not_found` when the ceremony was spent already.
    private func spend(_ mark: CeremonyMark, after error: any Error) async throws -> any Error {
        try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil) ? error : APIError.ceremonyNotFound
    }

    /// Takes this browser's pending sign-in ceremony as ``take(_:kinds:)`` does, with the passkey
    /// an answer names: sealed with the ceremony by its options when it is one of the account's
    /// they read, else read now with its account. A stored ceremony is consumed in the same store
    /// operation as that read; a sealed one is not spent yet, its mark is for the sign-in's own
    /// transaction (``PasskeyStore/recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)``,
    /// through ``finishing(_:_:)``).
    func takeSignIn(
        _ request: Request, credentialID: CredentialID
    ) async throws -> (taken: TakenCeremony, passkey: SignInPasskey) {
        switch try await held(request) {
        case nil:
            throw APIError.ceremonyNotFound
        case .stored(let id):
            let records = try await store.consumeCeremony(id: id, readingCredential: credentialID)
            let taken = TakenCeremony(record: try usable(records.ceremony, kinds: [.authentication]), mark: nil)
            return (taken, .read(records.credential, records.user))
        case .sealed(let record, let passkeys):
            let taken = try await takeSealed(record, kinds: [.authentication])
            if let userID = record.userID, let passkey = passkeys.first(where: { $0.id == credentialID }) {
                return (taken, .sealed(passkey, userID: userID))
            }
            let records = try await finishing(taken) { _ in try await store.signInRecords(credentialID: credentialID) }
            return (taken, .read(records.credential, records.user))
        }
    }

    /// What the request's ceremony cookie holds.
    private enum Held {
        /// The ID of a record in the store.
        case stored(id: String)
        /// A sealed record, opened, with the passkeys sealed with it.
        case sealed(CeremonyRecord, [SealedPasskey])
    }

    /// The ceremony the request's cookie names or carries; `nil` when it has none, or one the
    /// server could not have made (no look-up is spent on it).
    private func held(_ request: Request) async throws -> Held? {
        guard let value = CookieHeader.value(of: cookies.ceremonyName, in: request.headers),
            value.utf8.count <= SealedCeremony.maximumCookieLength, let bytes = Base64URL.decode(value)
        else { return nil }
        if bytes.count == CookieToken.byteCount { return .stored(id: Base64URL.encode(CookieToken.sha256(bytes))) }
        guard let opened = SealedCeremony.opened(bytes, key: try await sealKey.sealingKey()) else { return nil }
        return .sealed(opened.record, opened.passkeys)
    }

    /// Until when a spent ceremony's mark is kept.
    private func keepUntil(_ record: CeremonyRecord) -> Date {
        record.expiresAt.addingTimeInterval(Self.spentMarkMargin)
    }

    private func usable(_ record: CeremonyRecord?, kinds: Set<CeremonyRecord.Kind>) throws -> CeremonyRecord {
        guard let record, kinds.contains(record.kind) else { throw APIError.ceremonyNotFound }
        guard !record.isExpired(at: now()) else { throw APIError.ceremonyExpired }
        return record
    }

    /// A sign-up's (or new passkey's) ceremony kept in the record, read without `Codable`.
    func registrationState(of record: CeremonyRecord) throws -> RegistrationCeremony {
        do {
            return try RegistrationCeremony(json: record.state)
        } catch {
            throw APIError.ceremonyNotFound
        }
    }

    /// A sign-in's ceremony kept in the record, read without `Codable`: the compact form a sealed
    /// ceremony keeps, or JSON.
    func authenticationState(of record: CeremonyRecord) throws -> AuthenticationCeremony {
        do {
            return try AuthenticationCeremony(state: record.state)
        } catch {
            throw APIError.ceremonyNotFound
        }
    }

    /// The cookie that makes the browser forget its ceremony.
    var expiredCookie: SetCookie { cookies.expired(cookies.ceremonyName) }
}
