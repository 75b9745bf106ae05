import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// Sign-in: `POST /api/authentication/options` then `POST /api/authentication`.
///
/// With a username the options list that account's passkeys; without one the list is empty, so
/// the person picks a discoverable passkey (or autofill offers one). An unknown username gets
/// decoy credential IDs, so the answer does not tell which usernames exist.
struct AuthenticationController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    struct SignedIn: Encodable {
        var user: UserJSON
        var rpId: String

        /// The members `JSONEncoder` writes, without `Codable`.
        func jsonBytes() -> [UInt8] {
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.key("user")
            user.write(to: &writer)
            writer.key("rpId")
            writer.string(rpId)
            writer.endObject()
            return writer.bytes
        }
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("options", use: options)
        routes.post(use: finish)
        return routes
    }

    @Sendable func options(_ request: Request, context: Context) async throws -> Response {
        try await services.ceremonyStep(.authentication, .options, context: context) { log in
            try await services.limitCeremonyStart(context)
            // The body's optional `username` (an empty body is `{}`).
            let username = try await JSONBody.stringMembers(["username"], from: request)["username"]
            var allowCredentials: [PublicKeyCredentialDescriptorJSON] = []
            var userHandle: UserHandle?
            if let raw = username, !raw.trimmingWhitespaceAndNewlines().isEmpty {
                let username = try NameRules.username(raw)
                if let (user, credentials) = try await services.store.userWithCredentials(username: username) {
                    allowCredentials = credentials.map(ServerServices.descriptor)
                    userHandle = user.id
                    log["user"] = .string(user.id.base64URL)
                } else {
                    allowCredentials = try await services.decoyDescriptors(username: UserRecord.normalize(username))
                }
            }
            let (options, ceremony) = services.relyingParty.beginAuthentication(
                allowCredentials: allowCredentials, userHandle: userHandle)
            // The ceremony sealed in its cookie in its compact form (JSON, written with JSONWriter,
            // only if it is stored instead); the options written with JSONWriter: the same JSON as
            // their Codable conformance, without JSONEncoder.
            let cookie = try await services.ceremonies.begin(
                .authentication, challenge: ceremony.challenge, stateJSON: ceremony.jsonBytes(),
                sealedState: ceremony.compactBytes(), userID: userHandle)
            return ServerServices.json(bytes: RequestOptions(publicKey: options).jsonBytes(), cookies: [cookie])
        }
    }

    @Sendable func finish(_ request: Request, context: Context) async throws -> Response {
        try await services.ceremonyStep(.authentication, .finish, context: context) { log in
            try await services.limitCeremonyFinish(context)
            // The ceremony is used up whatever the answer says, and a missing or expired ceremony is
            // the answer even to a malformed body: the ceremony is taken before a parse error is told.
            let response: AuthenticationResponseJSON
            do {
                response = try AuthenticationResponseJSON.parse(try await JSONBody.bytes(request))
            } catch {
                _ = try await services.ceremonies.consume(request, kinds: [.authentication])
                throw error
            }
            // One store operation takes the ceremony and reads the credential with its account.
            let records = try await services.ceremonies.consumeSignIn(request, credentialID: response.rawId)
            let ceremony = try services.ceremonies.authenticationState(of: records.ceremony)
            log["credential"] = .string(response.rawId.base64URL)

            // §7.2 step 7: the credential is one the server holds. The answer names it so the
            // page can tell the authenticator to forget it.
            guard let credential = records.credential else {
                throw APIError.unknownCredential(response.rawId.base64URL, rpID: services.relyingPartyID)
            }
            log["user"] = .string(credential.userID.base64URL)
            let verified: VerifiedAuthentication
            do {
                verified = try services.relyingParty.finishAuthentication(
                    response: response, ceremony: ceremony,
                    credential: StoredCredential(
                        id: credential.id, userHandle: credential.userID, publicKey: credential.publicKey,
                        signCount: credential.signCount, backupEligible: credential.backupEligible,
                        backedUp: credential.backedUp))
            } catch let error as WebAuthnError {
                await services.recordActivity(
                    .signInFailed, userID: credential.userID, client: ClientDetails(request, context: context),
                    credentialID: credential.id, detail: error.code.rawValue, logger: context.logger)
                try await services.countAccountFailure(ServerServices.accountKey(userID: credential.userID))
                if error.code == .credentialNotAllowed {
                    // The server holds the credential, but the sign-in asked for another account's:
                    // never answer unknown_credential here, or the page would make the authenticator forget it.
                    throw APIError(.badRequest, error.code.rawValue, "this passkey is not one of the account's you asked to sign in to")
                }
                throw error
            }

            // An account an operator turned off signs in nowhere; only the passkey's holder learns why.
            guard let user = records.user else {
                throw APIError.unknownCredential(response.rawId.base64URL, rpID: services.relyingPartyID)
            }
            let client = ClientDetails(request, context: context)
            guard !user.disabled else {
                await services.recordActivity(
                    .signInFailed, userID: user.id, client: client, credentialID: credential.id,
                    detail: APIError.accountDisabled.code, logger: context.logger)
                throw APIError.accountDisabled
            }
            let (token, session) = services.sessions.start(
                userID: credential.userID, credentialID: credential.id, client: client, method: .passkey)
            // The sign count, backup state and last use are saved with the new session, the activity
            // log's event and the end of the browser's previous session, in one transaction.
            guard try await services.store.recordSignIn(
                credentialID: credential.id, signCount: verified.newSignCount, backedUp: verified.backedUp,
                at: services.now(), session: session,
                audit: services.activityEvent(.signIn, userID: user.id, client: client, credentialID: credential.id),
                endingSession: services.sessions.tokenHash(request))
            else {
                throw APIError.unknownCredential(response.rawId.base64URL, rpID: services.relyingPartyID)
            }
            return ServerServices.json(
                bytes: SignedIn(user: UserJSON(user), rpId: services.relyingPartyID).jsonBytes(),
                cookies: [services.sessions.cookie(for: token), services.ceremonies.expiredCookie])
        }
    }
}
