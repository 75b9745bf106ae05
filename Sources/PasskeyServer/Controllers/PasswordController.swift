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
        // Per account, whether it exists or not, so the limit itself tells nothing.
        try await services.limitKey("password-account:" + UserRecord.normalize(username))
        let client = ClientDetails(request, context: context)
        let start = ContinuousClock.now
        let user = try await services.store.user(username: username)
        let stored = try await user.asyncMap { try await services.store.passwordHash(userID: $0.id) } ?? nil
        let hash = stored.flatMap { try? PasswordHash($0) }
        let verified = try await Self.check(body.password, against: hash, pacing: services.failurePacing)
        guard verified, let user, hash != nil else {
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
        // One transaction: the session, its event and the end of the one this browser had before.
        try await services.store.insertSession(
            session,
            audit: services.activityEvent(
                .passwordSignIn, userID: user.id, client: client, detail: "signed in with the imported password"),
            endingSession: services.sessions.tokenHash(request))
        await services.clientRequestSucceeded(context)
        context.logger.info("password sign-in", metadata: ["user": .string(user.id.base64URL)])
        return try ServerServices.json(
            SignedIn(user: UserJSON(user), passwordOnly: passkeys.isEmpty), cookies: try await services.sessions.cookies(for: token))
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
