import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// The signed-in account's sessions: `GET /api/sessions` lists them, `DELETE /api/sessions/{id}`
/// ends one of them, `DELETE /api/sessions` ends all but the current one ("sign out everywhere
/// else"). Only the account's own sessions can be seen or ended.
struct SessionsController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    /// A session as the API shows it; unknown values are `null`, never left out.
    struct SessionJSON: Encodable, Equatable {
        var id: String
        var createdAt: Date
        var lastSeenAt: Date
        var ip: String?
        var userAgent: String?
        var passkeyId: String?
        var current: Bool

        enum CodingKeys: String, CodingKey {
            case id, createdAt, lastSeenAt, ip, userAgent, passkeyId, current
        }

        init(_ session: SessionRecord, current: Bool) {
            self.id = session.publicID
            self.createdAt = session.createdAt
            self.lastSeenAt = session.lastSeenAt
            self.ip = session.ip
            self.userAgent = session.userAgent
            self.passkeyId = session.credentialID?.base64URL
            self.current = current
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(lastSeenAt, forKey: .lastSeenAt)
            try container.encode(ip, forKey: .ip)
            try container.encode(userAgent, forKey: .userAgent)
            try container.encode(passkeyId, forKey: .passkeyId)
            try container.encode(current, forKey: .current)
        }
    }

    struct List: Encodable {
        var sessions: [SessionJSON]
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.delete(use: endOthers)
        routes.delete(":id", use: end)
        return routes
    }

    /// The account's sessions that have not ended, oldest first.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        let sessions = try await liveSessions(of: signedIn)
        return try ServerServices.json(List(sessions: sessions.map {
            SessionJSON($0, current: $0.tokenHash == signedIn.session.tokenHash)
        }))
    }

    /// Ends one of the account's sessions; ending the current one signs this browser out.
    @Sendable func end(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        guard let id = context.parameters.get("id"),
              let session = try await liveSessions(of: signedIn).first(where: { $0.publicID == id })
        else { throw APIError.sessionNotFound }
        let current = session.tokenHash == signedIn.session.tokenHash
        // The event is stored with the deletion, and only by the request that deleted it.
        try await services.store.deleteSession(
            tokenHash: session.tokenHash,
            audit: services.activityEvent(
                .sessionEnded, userID: signedIn.user.id, client: ClientDetails(request, context: context),
                credentialID: session.credentialID, detail: current ? "signed out" : "ended from another session"))
        return ServerServices.noContent(cookies: current ? services.sessions.expiredCookies : [])
    }

    /// Ends every session of the account but this one.
    @Sendable func endOthers(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let client = ClientDetails(request, context: context)
        // One event for each session ended, stored with the deletion.
        try await services.store.deleteSessions(userID: signedIn.user.id, keeping: signedIn.session.tokenHash) {
            [services, userID = signedIn.user.id] ended in
            ended.map {
                services.activityEvent(
                    .sessionEnded, userID: userID, client: client, credentialID: $0.credentialID,
                    detail: "ended from another session")
            }
        }
        return ServerServices.noContent()
    }

    private func liveSessions(of signedIn: Authenticated) async throws -> [SessionRecord] {
        let now = services.now()
        return try await services.store.sessions(userID: signedIn.user.id)
            .filter { !$0.isExpired(at: now, idleTimeout: services.sessions.idleTimeout) }
    }
}
