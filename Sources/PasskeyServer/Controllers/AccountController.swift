import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// The session (`/api/session`) and the account (`/api/account`).
struct AccountController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    struct SessionAnswer: Encodable {
        var user: UserJSON
        var rpId: String
        /// A recovery session: it can only add a passkey until it has.
        var recovery: Bool
        /// The account has an imported password.
        var hasPassword: Bool
    }

    struct UserAnswer: Encodable {
        var user: UserJSON
    }

    struct UpdateRequest: Decodable {
        var displayName: String
    }

    var sessionEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: session)
        routes.delete(use: signOut)
        return routes
    }

    var accountEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.patch(use: update)
        routes.delete(use: deleteAccount)
        return routes
    }

    @Sendable func session(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        let hasPassword = try await services.store.passwordHash(userID: signedIn.user.id) != nil
        return try ServerServices.json(SessionAnswer(
            user: UserJSON(signedIn.user), rpId: services.relyingPartyID, recovery: signedIn.session.recovery,
            hasPassword: hasPassword))
    }

    /// Signing out deletes the session; signing out without one is not an error.
    ///
    /// A request that names the account it signs out of (`Passkeys-User`, as the account page
    /// sends it) is refused with `409 session_changed` when the session is another account's: a
    /// page left open on one account does not sign out the one signed in from another tab since.
    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        if let hash = services.sessions.tokenHash(request), let session = try await services.store.session(tokenHash: hash) {
            try Sessions.requireNamedAccount(request, is: session.userID)
            // The event is stored with the deletion, and only by the request that deleted it.
            try await services.store.deleteSession(
                tokenHash: hash,
                audit: services.activityEvent(
                    .sessionEnded, userID: session.userID, client: ClientDetails(request, context: context),
                    credentialID: session.credentialID, detail: "signed out"))
        }
        return ServerServices.noContent(cookies: services.sessions.expiredCookies)
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let body = try await JSONBody.decode(UpdateRequest.self, from: request)
        let displayName = try NameRules.name(body.displayName, what: "display name")
        // The event is stored with the change, when the name is a new one.
        guard let user = try await services.store.updateDisplayName(
            userID: signedIn.user.id, displayName: displayName,
            audit: services.activityEvent(
                .displayNameChanged, userID: signedIn.user.id, client: ClientDetails(request, context: context)))
        else { throw APIError.unauthenticated }
        return try ServerServices.json(UserAnswer(user: UserJSON(user)))
    }

    /// Deletes the account with its passkeys, sessions and pending ceremonies.
    @Sendable func deleteAccount(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        // Every application's access ends with the account: its OAuth codes, tokens and consents
        // are deleted in the account's transaction.
        try await services.store.deleteUser(id: signedIn.user.id)
        context.logger.info("account deleted", metadata: ["user": .string(signedIn.user.id.base64URL)])
        return ServerServices.noContent(cookies: services.sessions.expiredCookies)
    }
}
