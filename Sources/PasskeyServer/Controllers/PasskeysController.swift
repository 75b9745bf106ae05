import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// The signed-in account's passkeys: list, add, rename, delete.
struct PasskeysController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    struct List: Encodable {
        var passkeys: [PasskeyJSON]
    }

    struct One: Encodable {
        var passkey: PasskeyJSON
    }

    /// `{"mediation": "conditional"}` for the automatic passkey upgrade; nothing for a modal one.
    struct AddOptionsRequest: Decodable {
        var mediation: String?

        func mediationRequirement() throws -> CredentialMediationRequirement {
            switch mediation {
            case nil, "optional", "required": return .optional
            case "conditional": return .conditional
            case let other?: throw APIError.malformed("mediation must be \"conditional\" or left out, not \"\(other)\"")
            }
        }
    }

    struct RenameRequest: Decodable {
        var name: String
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.post("options", use: addOptions)
        routes.post(use: add)
        routes.patch(":id", use: rename)
        routes.delete(":id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        let credentials = try await services.store.credentials(userID: signedIn.user.id)
        return try ServerServices.json(List(passkeys: credentials.map { PasskeyJSON($0, directory: services.directory) }))
    }

    @Sendable func addOptions(_ request: Request, context: Context) async throws -> Response {
        // 401 before anything else: a request without a session learns nothing more.
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        return try await services.ceremonyStep(.addPasskey, .options, context: context) { log in
            log["user"] = .string(signedIn.user.id.base64URL)
            try await services.limitCeremonyStart(context)
            try await services.limitAccount(ServerServices.accountKey(userID: signedIn.user.id))
            let body = try await JSONBody.decode(AddOptionsRequest.self, from: request)
            let mediation = try body.mediationRequirement()
            log["mediation"] = .string(mediation.rawValue)
            if mediation == .conditional {
                // The automatic upgrade (docs/migration.md), whose passkey may come without user
                // presence, is for an account still signing in with its imported password, in a
                // full session: the server holds that rule, not only the client core.
                guard !signedIn.session.recovery else { throw APIError.recoverySession }
                guard try await services.store.passwordHash(userID: signedIn.user.id) != nil else { throw APIError.noPassword }
            }
            return try await AddPasskeyFlow(services: services).options(for: signedIn.user, mediation: mediation)
        }
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        return try await services.ceremonyStep(.addPasskey, .finish, context: context) { log in
            try await services.limitCeremonyFinish(context)
            let record = try await services.ceremonies.consume(request, kinds: [.addPasskey])
            return try await AddPasskeyFlow(services: services).finish(
                request, context: context, signedIn: signedIn, record: record, log: &log
            ) { _, passkey in
                One(passkey: PasskeyJSON(passkey, directory: services.directory))
            }
        }
    }

    @Sendable func rename(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        let body = try await JSONBody.decode(RenameRequest.self, from: request)
        let name = try NameRules.name(body.name, what: "passkey name")
        guard let id = Self.credentialID(context),
              // The event is stored with the new name, and only when this account's passkey has it.
              let renamed = try await services.store.renameCredential(
                id: id, userID: signedIn.user.id, name: name,
                audit: services.activityEvent(
                    .passkeyRenamed, userID: signedIn.user.id, client: ClientDetails(request, context: context),
                    credentialID: id))
        else { throw APIError.passkeyNotFound }
        context.logger.info(
            "passkey renamed", metadata: ["user": .string(signedIn.user.id.base64URL), "credential": .string(id.base64URL)])
        return try ServerServices.json(One(passkey: PasskeyJSON(renamed, directory: services.directory)))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request)
        guard let id = Self.credentialID(context) else { throw APIError.passkeyNotFound }
        // The event is stored with the deletion, in its transaction, and only when it happens.
        let event = services.activityEvent(
            .passkeyDeleted, userID: signedIn.user.id, client: ClientDetails(request, context: context), credentialID: id)
        switch try await services.store.deleteCredential(id: id, userID: signedIn.user.id, audit: event) {
        case .deleted:
            context.logger.info(
                "passkey deleted",
                metadata: ["user": .string(signedIn.user.id.base64URL), "credential": .string(id.base64URL)])
            // The sessions the passkey opened ended with it; when this is one, the browser forgets it.
            let endedHere = signedIn.session.credentialID == id
            return ServerServices.noContent(cookies: endedHere ? services.sessions.expiredCookies : [])
        case .notFound:
            throw APIError.passkeyNotFound
        case .lastCredential:
            throw APIError.lastPasskey
        }
    }

    /// The credential ID in the path; one that is not base64url names no passkey.
    static func credentialID(_ context: Context) -> CredentialID? {
        guard let text = context.parameters.get("id") else { return nil }
        let decoded = text.removingPercentEncoding ?? text
        return CredentialID(base64URL: decoded)
    }
}
