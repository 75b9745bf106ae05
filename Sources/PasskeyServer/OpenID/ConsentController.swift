import Foundation
import Hummingbird
import OpenIDProvider
import PasskeyStore
import WebAuthn

/// The signed-in person's side of the OpenID Provider: the consent page's API
/// (`/api/oidc/consent`) and the applications that can see their account (`/api/oidc/apps`).
///
/// The consent decision is a JSON POST from the page, so the server's request rules (an allowed
/// `Origin`, a JSON body that no HTML form can send) keep other sites from deciding for the person.
struct ConsentController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices
    let provider: OpenIDProvider

    struct ConsentAnswer: Encodable {
        var client: ClientJSON
        var scopes: [String]
        var username: String
        /// The account's user ID, which the page names in its decision (`Passkeys-User`): a
        /// decision from a page shown for another account than the one signed in now is refused.
        var userId: String
    }

    struct ClientJSON: Encodable {
        var id: String
        var name: String
    }

    struct DecisionRequest: Decodable {
        /// The authorization request's query string, as the consent page received it.
        var request: String
        /// `allow` or `deny`.
        var decision: String
    }

    struct RedirectAnswer: Encodable {
        var redirectTo: String
    }

    struct AppJSON: Encodable {
        var clientId: String
        var name: String
        var scopes: [String]
        var grantedAt: Date
        /// `false` for an application the person was never asked about (a trusted one) that holds
        /// live tokens: it is listed so that its access can be removed too.
        var consented: Bool
    }

    struct AppsAnswer: Encodable {
        var apps: [AppJSON]
    }

    var consentEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: prompt)
        routes.post(use: decide)
        return routes
    }

    var appEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: apps)
        routes.delete(":clientID", use: removeApp)
        return routes
    }

    /// What to ask: the application's name and the scopes, for the request in the query.
    @Sendable func prompt(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let parameters = try Self.parameters(request.uri.query ?? "")
        let session = SignedInSession(
            userID: signedIn.user.id, authTime: signedIn.session.createdAt, method: signedIn.session.method)
        let outcome = try await provider.consentPrompt(parameters, session: session)
        guard case .consent(let prompt) = outcome else { return try Self.answer(outcome, parameters) }
        return try ServerServices.json(ConsentAnswer(
            client: ClientJSON(id: prompt.clientID, name: prompt.clientName), scopes: prompt.scopes,
            username: signedIn.user.username, userId: signedIn.user.id.base64URL))
    }

    /// The person's decision: a redirect to the application with a code or `access_denied`.
    @Sendable func decide(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let body = try await JSONBody.decode(DecisionRequest.self, from: request)
        guard body.decision == "allow" || body.decision == "deny" else {
            throw APIError.malformed("decision must be allow or deny")
        }
        let parameters = try Self.parameters(body.request.hasPrefix("?") ? String(body.request.dropFirst()) : body.request)
        let session = SignedInSession(
            userID: signedIn.user.id, authTime: signedIn.session.createdAt, method: signedIn.session.method)
        // The event is stored with the consent, and only when a valid request's consent is stored.
        let outcome = try await provider.decide(
            parameters, session: session, allow: body.decision == "allow",
            consentEvent: services.activityEvent(
                "oauth_consent_granted", userID: signedIn.user.id, client: ClientDetails(request, context: context),
                detail: "allowed \(ServerServices.loggable(String((parameters["client_id"] ?? "?").prefix(80))))"))
        return try Self.answer(outcome, parameters)
    }

    /// The applications that can see the signed-in person's account: those they allowed, and those
    /// holding live tokens without a consent (trusted ones).
    @Sendable func apps(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let apps = try await provider.applications(userID: signedIn.user.id).map { app in
            AppJSON(clientId: app.clientID, name: app.name, scopes: app.scopes, grantedAt: app.grantedAt, consented: app.consented)
        }
        return try ServerServices.json(AppsAnswer(apps: apps))
    }

    /// "Remove access": forgets the consent and revokes the application's tokens for this person.
    @Sendable func removeApp(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let clientID = try context.parameters.require("clientID")
        // The event is stored with the removal, and only when there was a consent or a live token
        // to remove (an application the list showed).
        guard try await provider.removeAccess(
            userID: signedIn.user.id, clientID: clientID,
            audit: services.activityEvent(
                "oauth_access_removed", userID: signedIn.user.id, client: ClientDetails(request, context: context),
                detail: "removed \(ServerServices.loggable(String(clientID.prefix(80))))"))
        else { throw APIError(.notFound, "not_found", "that application has no access to this account") }
        return ServerServices.noContent()
    }

    static func parameters(_ query: String) throws -> OAuthParameters {
        guard let pairs = OAuthHTTP.formPairs(query) else { throw APIError.malformed("the authorization request is not valid") }
        return OAuthParameters(pairs)
    }

    /// An outcome for the request `parameters` as the page's JSON: where to go, or why the request
    /// is not valid. A sign-in the request needs (prompt=login, max_age, another account than its
    /// id_token_hint) goes back through the authorization endpoint, which asks for it and then
    /// returns to this page.
    static func answer(_ outcome: AuthorizationOutcome, _ parameters: OAuthParameters) throws -> Response {
        switch outcome {
        case .redirect(let location):
            return try ServerServices.json(RedirectAnswer(redirectTo: location))
        case .errorPage(let error):
            throw APIError(.badRequest, error.code, error.description)
        case .signIn:
            return try ServerServices.json(RedirectAnswer(redirectTo: OpenIDController.authorizationPath(parameters)))
        case .consent:
            throw APIError.unauthenticated
        }
    }
}
