import Foundation
import Hummingbird
import Logging
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
            var passkeys: [SealedPasskey] = []
            if let raw = username, !raw.trimmingWhitespaceAndNewlines().isEmpty {
                let username = try NameRules.username(raw)
                // An account without a passkey (imported with a password, or in a recovery before
                // its new passkey) answers as an unknown name does: an empty list would tell that
                // the account exists.
                if let (user, credentials) = try await services.store.userWithCredentials(username: username),
                   !credentials.isEmpty
                {
                    allowCredentials = credentials.map(ServerServices.descriptor)
                    userHandle = user.id
                    passkeys = credentials.map(SealedPasskey.init)
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
                sealedState: ceremony.compactBytes(), userID: userHandle, passkeys: passkeys)
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
            // The passkey as the options sealed it with the ceremony, or else one store operation
            // reads the credential with its account (and consumes a stored ceremony); a sealed
            // ceremony is spent in the sign-in's transaction, or at once when the answer is
            // refused before it.
            let (taken, passkey) = try await services.ceremonies.takeSignIn(request, credentialID: response.rawId)
            log["credential"] = .string(response.rawId.base64URL)
            do {
                return try await services.ceremonies.finishing(taken) { mark in
                    if case .sealed(let sealed, let userID) = passkey,
                        let answer = try await signIn(
                            request, context: context, response: response, record: taken.record, assuming: sealed,
                            of: userID, spending: mark, log: &log)
                    {
                        return answer
                    }
                    let (credential, user): (CredentialRecord?, UserRecord?)
                    switch passkey {
                    case .read(let read, let account): (credential, user) = (read, account)
                    case .sealed:
                        // The passkey or its account changed since the options, or the answer
                        // did not verify against it: decided on the passkey as the store holds it.
                        let records = try await services.store.signInRecords(credentialID: response.rawId)
                        (credential, user) = (records.credential, records.user)
                    }
                    return try await signIn(
                        request, context: context, response: response, record: taken.record,
                        credential: credential, user: user, spending: mark, log: &log)
                }
            } catch let refused as RefusedSignIn {
                // Recorded once the ceremony is spent, by this answer: of several answers to one
                // ceremony only one is refused this way, the others get ceremony_not_found.
                await services.recordActivity(
                    .signInFailed, userID: refused.userID, client: ClientDetails(request, context: context),
                    credentialID: refused.credentialID, detail: refused.detail, logger: context.logger)
                if refused.countsAgainstAccount {
                    try await services.countAccountFailure(ServerServices.accountKey(userID: refused.userID))
                }
                throw refused.error
            }
        }
    }

    /// An answer refused for a reason the account's activity records: the error to answer, once
    /// the ceremony is spent.
    private struct RefusedSignIn: Error {
        var error: any Error
        var userID: UserHandle
        var credentialID: CredentialID
        var detail: String
        /// Whether it counts towards the account's failed sign-ins (a verification that failed).
        var countsAgainstAccount: Bool
    }

    /// Verifies the answer against the passkey its options sealed with the ceremony and records the
    /// sign-in, which also spends the sealed ceremony's `mark`, in one store operation that writes
    /// only while the store holds the passkey as sealed and the account may sign in. `nil`, with
    /// nothing written and the mark not spent, when the answer does not verify against it or the
    /// store holds it otherwise: the caller then reads it and decides as for any answer.
    private func signIn(
        _ request: Request, context: Context, response: AuthenticationResponseJSON, record: CeremonyRecord,
        assuming passkey: SealedPasskey, of userID: UserHandle, spending mark: CeremonyMark?,
        log: inout Logger.Metadata
    ) async throws -> Response? {
        let ceremony = try services.ceremonies.authenticationState(of: record)
        let verified: VerifiedAuthentication
        do {
            verified = try services.relyingParty.finishAuthentication(
                response: response, ceremony: ceremony,
                credential: StoredCredential(
                    id: passkey.id, userHandle: userID, publicKey: passkey.publicKey, signCount: passkey.signCount,
                    backupEligible: passkey.backupEligible, backedUp: passkey.backedUp))
        } catch {
            return nil
        }
        let client = ClientDetails(request, context: context)
        let (token, session) = services.sessions.start(
            userID: userID, credentialID: passkey.id, client: client, method: .passkey)
        let cookies = try await services.sessions.cookies(for: token)
        guard let user = try await services.store.recordSignIn(
            credentialID: passkey.id, publicKey: passkey.publicKey, signCount: verified.newSignCount,
            backedUp: verified.backedUp, at: services.now(), session: session,
            audit: services.activityEvent(.signIn, userID: userID, client: client, credentialID: passkey.id),
            endingSession: services.sessions.tokenHash(request), spending: mark)
        else { return nil }
        log["user"] = .string(userID.base64URL)
        return signedIn(user, cookies: cookies)
    }

    /// Verifies the answer and records the sign-in in one store operation, which also spends the
    /// sealed ceremony's `mark`: nothing after it can fail.
    private func signIn(
        _ request: Request, context: Context, response: AuthenticationResponseJSON, record: CeremonyRecord,
        credential: CredentialRecord?, user: UserRecord?, spending mark: CeremonyMark?, log: inout Logger.Metadata
    ) async throws -> Response {
        let ceremony = try services.ceremonies.authenticationState(of: record)
        // §7.2 step 7: the credential is one the server holds. The answer names it so the
        // page can tell the authenticator to forget it.
        guard let credential else {
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
        } catch {
            // The server holds the credential, but the sign-in asked for another account's: never
            // answer unknown_credential here, or the page would make the authenticator forget it.
            let answer: any Error =
                error.code == .credentialNotAllowed
                ? APIError(.badRequest, error.code.rawValue, "this passkey is not one of the account's you asked to sign in to")
                : error
            throw RefusedSignIn(
                error: answer, userID: credential.userID, credentialID: credential.id, detail: error.code.rawValue,
                countsAgainstAccount: true)
        }

        // An account an operator turned off signs in nowhere; only the passkey's holder learns why.
        guard let user else {
            throw APIError.unknownCredential(response.rawId.base64URL, rpID: services.relyingPartyID)
        }
        let client = ClientDetails(request, context: context)
        guard !user.disabled else {
            throw RefusedSignIn(
                error: APIError.accountDisabled, userID: user.id, credentialID: credential.id,
                detail: APIError.accountDisabled.code, countsAgainstAccount: false)
        }
        let (token, session) = services.sessions.start(
            userID: credential.userID, credentialID: credential.id, client: client, method: .passkey)
        let cookies = try await services.sessions.cookies(for: token)
        // The sign count, backup state and last use are saved with the new session, the activity
        // log's event, the end of the browser's previous session and the ceremony's mark, in one
        // transaction.
        let recorded: Bool
        do {
            recorded = try await services.store.recordSignIn(
                credentialID: credential.id, signCount: verified.newSignCount, backedUp: verified.backedUp,
                at: services.now(), session: session,
                audit: services.activityEvent(.signIn, userID: user.id, client: client, credentialID: credential.id),
                endingSession: services.sessions.tokenHash(request), spending: mark)
        } catch let error as StoreError where error.code == .accountDisabled {
            // Disabled since the account was read above: the store wrote nothing.
            throw RefusedSignIn(
                error: APIError.accountDisabled, userID: user.id, credentialID: credential.id,
                detail: APIError.accountDisabled.code, countsAgainstAccount: false)
        }
        guard recorded else {
            throw APIError.unknownCredential(response.rawId.base64URL, rpID: services.relyingPartyID)
        }
        return signedIn(user, cookies: cookies)
    }

    /// The answer to a sign-in: the account, the session's `cookies` (made before the sign-in was
    /// stored, so that nothing after the write can fail), the ceremony's cookie cleared.
    private func signedIn(_ user: UserRecord, cookies: [SetCookie]) -> Response {
        ServerServices.json(
            bytes: SignedIn(user: UserJSON(user), rpId: services.relyingPartyID).jsonBytes(),
            cookies: cookies + [services.ceremonies.expiredCookie])
    }
}
