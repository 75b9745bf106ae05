import Crypto
import Foundation
import HummingbirdBcrypt
import Hummingbird
import NIOPosix
import PasskeyStore
import WebAuthn

/// Password sign-in for imported accounts (`POST /api/password`) and removing the password once
/// the account has a passkey (`DELETE /api/password`).
///
/// An unknown username, an account without a password and a wrong password get the same
/// `401 invalid_credentials`, after the same time: the first two are checked against a decoy bcrypt
/// hash, and every failure is held to one floor (``FailurePacing``), however costly the account's
/// own hash is.
struct PasswordController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    /// The longest password considered; longer ones are wrong without hashing them.
    static let maximumPasswordBytes = 1024

    /// A bcrypt hash (cost 12, the usual imported cost) of a random password, for accounts
    /// that do not exist or have no password.
    static let decoy: PasswordHash? = try? PasswordHash(
        Bcrypt.hash(Base64URL.encode(randomBytes(24)), cost: 12))

    struct SignInRequest: Decodable {
        var username: String
        var password: String
    }

    struct SignedIn: Encodable {
        var user: UserJSON
        var passwordOnly: Bool
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post(use: signIn)
        routes.delete(use: remove)
        return routes
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        try await services.limitClient(context)
        let body = try await JSONBody.decode(SignInRequest.self, from: request)
        let username = try NameRules.username(body.username)
        let user = try await services.store.user(username: username)
        // Tries per account, whether it exists or not, so the limit itself tells nothing. A browser
        // where the account's password was right before has an allowance of its own: wrong
        // passwords others send, from however many addresses, cannot lock its owner out there.
        var device: String?
        if let user, let cookie = CookieHeader.value(of: services.sessions.cookies.deviceName, in: request.headers) {
            device = PasswordDevice.id(of: cookie, userID: user.id, key: try await services.passwordDeviceKey.key())
        }
        try await services.limitKey(device.map { "password-device:" + $0 } ?? "password-account:" + UserRecord.normalize(username))
        let client = ClientDetails(request, context: context)
        let start = ContinuousClock.now
        let stored = try await user.asyncMap { try await services.store.passwordHash(userID: $0.id) } ?? nil
        let hash = stored.flatMap { try? PasswordHash($0) }
        let verified = try await Self.check(body.password, against: hash, pacing: services.failurePacing)
        guard verified, let user, let stored, hash != nil else {
            if let user {
                await services.recordActivity(
                    .passwordSignInFailed, userID: user.id, client: client, detail: "a wrong password was entered",
                    logger: context.logger)
            }
            // Unknown, without a password or wrong: one length of time (FailurePacing).
            await services.failurePacing.holdFailure(startedAt: start)
            throw APIError.invalidCredentials
        }
        // The right password of a disabled account: its owner may learn that it is off.
        guard !user.disabled else { throw APIError.accountDisabled }
        let passkeys = try await services.store.credentials(userID: user.id)
        let (token, session) = services.sessions.start(
            userID: user.id, credentialID: nil, client: client, method: .password)
        // The cookies before the write, so that nothing after it can fail (their keys are read from
        // the database the first time).
        let deviceCookie = services.sessions.cookies.cookie(
            name: services.sessions.cookies.deviceName,
            value: PasswordDevice.cookieValue(id: device, userID: user.id, key: try await services.passwordDeviceKey.key()),
            maxAge: PasswordDevice.lifetime)
        let cookies = try await services.sessions.cookies(for: token) + [deviceCookie]
        // One transaction: the session, its event and the end of the one this browser had before,
        // only while the password is the one just checked (not removed meanwhile) and the account on.
        guard try await services.store.insertPasswordSession(
            session, passwordHash: stored,
            audit: services.activityEvent(
                .passwordSignIn, userID: user.id, client: client, detail: "signed in with the imported password"),
            endingSession: services.sessions.tokenHash(request))
        else {
            await services.failurePacing.holdFailure(startedAt: start)
            throw APIError.invalidCredentials
        }
        await services.clientRequestSucceeded(context)
        context.logger.info("password sign-in", metadata: ["user": .string(user.id.base64URL)])
        return try ServerServices.json(SignedIn(user: UserJSON(user), passwordOnly: passkeys.isEmpty), cookies: cookies)
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        // Sessions the password opened elsewhere end with it, as those of a deleted passkey do.
        // The event is stored with the removal, in its transaction, and only when it happens.
        let event = services.activityEvent(
            .passwordRemoved, userID: signedIn.user.id, client: ClientDetails(request, context: context),
            detail: "the imported password was removed")
        switch try await services.store.removePassword(
            userID: signedIn.user.id, keepingSession: signedIn.session.tokenHash, audit: event)
        {
        case .removed:
            return ServerServices.noContent()
        case .noPasskey:
            throw APIError.noPasskey
        case .noPassword:
            throw APIError.noPassword
        }
    }

    /// Verifies on NIO's thread pool (the hashes are slow by design). A missing hash is checked
    /// against ``decoy`` and is never a match. Each verification's time goes to `pacing`.
    static func check(_ password: String, against hash: PasswordHash?, pacing: FailurePacing) async throws -> Bool {
        guard password.utf8.count <= maximumPasswordBytes else {
            _ = try await verifyOffloaded("", decoy, pacing: pacing)
            return false
        }
        guard let hash else {
            _ = try await verifyOffloaded(password, decoy, pacing: pacing)
            return false
        }
        return try await verifyOffloaded(password, hash, pacing: pacing)
    }

    private static func verifyOffloaded(_ password: String, _ hash: PasswordHash?, pacing: FailurePacing) async throws -> Bool {
        guard let hash else { return false }
        return try await NIOThreadPool.singleton.runIfActive {
            let start = ContinuousClock.now
            // A hash that can no longer be verified here (libargon2 removed) signs no one in.
            let verified = (try? hash.verify(password)) ?? false
            pacing.observe(verification: ContinuousClock.now - start)
            return verified
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// A browser where an account's password was right: its cookie holds a random ID and an HMAC of
/// it and the account under a key in the database (``SharedKey/passwordDeviceSettingName``). Such a
/// browser's password tries for that account are counted apart from everyone else's, so wrong
/// passwords sent from anywhere cannot lock the owner out of a browser they used before (OWASP's
/// "device cookies"); a browser without one shares the account's allowance, and can use email
/// recovery when that is spent.
enum PasswordDevice {
    /// 400 days, the longest a browser keeps a cookie.
    static let lifetime: TimeInterval = 400 * 86400

    /// The cookie's value for device `id` (a new random one when `nil`) and the account.
    static func cookieValue(id: String?, userID: UserHandle, key: SymmetricKey) -> String {
        let idBytes = id.flatMap { Base64URL.decode($0) }.flatMap { $0.count == 16 ? $0 : nil } ?? randomBytes(16)
        return Base64URL.encode(idBytes + mac(idBytes, userID: userID, key: key))
    }

    /// The device ID (base64url) a cookie value names, when its HMAC is right for the account.
    static func id(of cookie: String, userID: UserHandle, key: SymmetricKey) -> String? {
        guard let bytes = Base64URL.decode(cookie), bytes.count == 32 else { return nil }
        let id = Array(bytes[..<16])
        guard constantTimeEquals(bytes[16...], mac(id, userID: userID, key: key)) else { return nil }
        return Base64URL.encode(id)
    }

    private static func mac(_ id: [UInt8], userID: UserHandle, key: SymmetricKey) -> [UInt8] {
        var message = Array("passkeys password device v1\u{0}".utf8)
        message += userID.bytes + [0] + id
        return Array(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)).prefix(16))
    }
}
