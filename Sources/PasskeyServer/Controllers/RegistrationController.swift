import Foundation
import Hummingbird
import Logging
import PasskeyStore
import WebAuthn

/// Sign-up: `POST /api/registration/options` then `POST /api/registration`.
///
/// The first request reserves nothing: the account, its first passkey and its session are created
/// together by the second, in one transaction, once the passkey is verified. A signed-in person who
/// asks for their own username adds a passkey to their account instead.
struct RegistrationController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    struct Created: Encodable {
        var user: UserJSON
        var passkey: PasskeyJSON
        var rpId: String

        /// The members `JSONEncoder` writes, without `Codable`.
        func jsonBytes() -> [UInt8] {
            var writer = JSONWriter(capacity: 512)
            writer.beginObject()
            writer.key("user")
            user.write(to: &writer)
            writer.key("passkey")
            passkey.write(to: &writer)
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
        try await services.ceremonyStep(.registration, .options, context: context) { log in
            try await services.limitCeremonyStart(context)
            // Read by its fields, as the sign-in's options are, without JSONDecoder: `username` a
            // string, `displayName` a string or absent or null, other members ignored.
            let body = try await JSONBody.stringMembers(["username", "displayName"], from: request)
            guard let requested = body["username"] else { throw APIError.malformed("missing required field username") }
            let username = try NameRules.username(requested)
            let displayName = try NameRules.name(body["displayName"] ?? username, what: "display name")
            let existing = try await services.store.user(username: username)

            if let existing {
                // Someone signed in as this account may add a passkey to it; anyone else learns
                // only that the name is taken.
                guard let signedIn = try await services.sessions.current(request), signedIn.user.id == existing.id else {
                    throw APIError.usernameTaken
                }
                log["user"] = .string(existing.id.base64URL)
                // Counted per account as at POST /api/passkeys/options, whichever way it is begun.
                try await services.limitAccount(ServerServices.accountKey(userID: existing.id))
                return try await AddPasskeyFlow(services: services).options(for: existing)
            }

            let userHandle = UserHandle.random()
            let (options, ceremony) = services.relyingParty.beginRegistration(
                user: PublicKeyCredentialUserEntityJSON(id: userHandle, name: username, displayName: displayName))
            // Both written with JSONWriter: the same JSON as their Codable conformances, without JSONEncoder.
            let cookie = try await services.ceremonies.begin(
                .registration, challenge: ceremony.challenge, stateJSON: ceremony.jsonBytes(), userID: userHandle,
                username: username, displayName: displayName)
            log["user"] = .string(userHandle.base64URL)
            return ServerServices.json(bytes: CreationOptions(publicKey: options).jsonBytes(), cookies: [cookie])
        }
    }

    /// The answer to either ceremony the options began: a sign-up's, or an add-passkey's when a
    /// signed-in person asked for their own username. Which one is known once the ceremony is
    /// taken; a failure before that counts as the sign-up's.
    @Sendable func finish(_ request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let taken: TakenCeremony
        do {
            try await services.limitCeremonyFinish(context)
            taken = try await services.ceremonies.take(request, kinds: [.registration, .addPasskey])
        } catch {
            throw services.ceremonyStepFailed(.registration, .finish, context: context, error: error, since: start)
        }
        switch taken.record.kind {
        case .addPasskey: return try await addPasskey(request, context: context, record: taken.record)
        default: return try await signUp(request, context: context, taken: taken)
        }
    }

    /// A passkey for the signed-in account, begun by sign-up options for its own username.
    private func addPasskey(_ request: Request, context: Context, record: CeremonyRecord) async throws -> Response {
        try await services.ceremonyStep(.addPasskey, .finish, context: context) { log in
            let signedIn = try await services.sessions.require(request)
            return try await AddPasskeyFlow(services: services).finish(
                request, context: context, signedIn: signedIn, record: record, log: &log
            ) { user, passkey in
                Created(user: UserJSON(user), passkey: PasskeyJSON(passkey, directory: services.directory), rpId: services.relyingPartyID)
            }
        }
    }

    /// A sign-up's answer, with its ceremony spent in the account's transaction.
    private func signUp(_ request: Request, context: Context, taken: TakenCeremony) async throws -> Response {
        try await services.ceremonyStep(.registration, .finish, context: context) { log in
            try await services.ceremonies.finishing(taken) { mark in
                try await signUp(request, context: context, record: taken.record, spending: mark, log: &log)
            }
        }
    }

    /// Verifies the new passkey and creates the account, its passkey and session in one store
    /// operation, which also spends the sealed ceremony's `mark`: nothing after it can fail.
    private func signUp(
        _ request: Request, context: Context, record: CeremonyRecord, spending mark: CeremonyMark?,
        log: inout Logger.Metadata
    ) async throws -> Response {
        guard let userHandle = record.userID, let username = record.username else { throw APIError.ceremonyNotFound }
        log["user"] = .string(userHandle.base64URL)
        try await services.limitSignUp(context)
        let response = try RegistrationResponseJSON.parse(try await JSONBody.bytes(request))
        let ceremony = try services.ceremonies.registrationState(of: record)
        let verified = try await services.relyingParty.finishRegistration(response: response, ceremony: ceremony)
        log["credential"] = .string(verified.credentialID.base64URL)
        let now = services.now()
        let user = UserRecord(
            id: userHandle, username: username, displayName: record.displayName ?? username, createdAt: now)
        let credential = services.credentialRecord(verified, userID: userHandle, at: now)
        let (token, session) = services.sessions.start(
            userID: userHandle, credentialID: credential.id, client: ClientDetails(request, context: context),
            method: .passkey)
        // Before the write, so that nothing after it can fail.
        let cookies = try await services.sessions.cookies(for: token)
        // One transaction: the account, its passkey and session, the activity event, and the end
        // of a session this browser had before (the new account replaces it). §7.1 step 26: a
        // credential ID is registered once; the store refuses one it holds (credential_exists).
        try await services.store.createUser(
            user, credential: credential, session: session,
            audit: services.activityEvent(
                .signUp, userID: user.id, client: ClientDetails(request, context: context), credentialID: credential.id),
            endingSession: services.sessions.tokenHash(request), spending: mark)
        // The address gets a code to verify it; mail never fails the sign-up.
        do {
            try await services.sendEmailCode(
                .verification, to: user, language: ServerServices.mailLanguage(request),
                client: ClientDetails(request, context: context))
        } catch {
            context.logger.warning("no verification code for the new account", metadata: ["error": "\(error)"])
        }
        return ServerServices.json(
            bytes: Created(
                user: UserJSON(user), passkey: PasskeyJSON(credential, directory: services.directory),
                rpId: services.relyingPartyID
            ).jsonBytes(),
            status: .created,
            cookies: cookies + [services.ceremonies.expiredCookie])
    }
}

/// `{"publicKey": PublicKeyCredentialCreationOptionsJSON}`.
struct CreationOptions: Encodable {
    var publicKey: PublicKeyCredentialCreationOptionsJSON

    /// `{"publicKey": …}` as the `Encodable` conformance writes it.
    func jsonBytes() -> [UInt8] {
        publicKeyJSON(capacity: 512 + publicKey.excludeCredentials.count * 96, publicKey.write(to:))
    }
}

/// `{"publicKey": PublicKeyCredentialRequestOptionsJSON}`.
struct RequestOptions: Encodable {
    var publicKey: PublicKeyCredentialRequestOptionsJSON

    /// `{"publicKey": …}` as the `Encodable` conformance writes it.
    func jsonBytes() -> [UInt8] {
        publicKeyJSON(capacity: 160 + publicKey.allowCredentials.count * 96, publicKey.write(to:))
    }
}

/// `{"publicKey": …}` around the options `write` writes.
private func publicKeyJSON(capacity: Int, _ write: (inout JSONWriter) -> Void) -> [UInt8] {
    var writer = JSONWriter(capacity: capacity)
    writer.beginObject()
    writer.key("publicKey")
    write(&writer)
    writer.endObject()
    return writer.bytes
}

/// Adding a passkey to the signed-in account, shared by `POST /api/passkeys/options` +
/// `POST /api/passkeys` and by sign-up options for one's own username.
struct AddPasskeyFlow {
    let services: ServerServices

    /// The most passkeys one account may have: far more than anyone carries, and few enough that
    /// the sign-in options that name them all stay small.
    static let maximumPasskeys = 100

    /// Options excluding the account's passkeys, and the ceremony bound to the account.
    /// `user.name` is the username exactly as stored: a conditional create goes only to the
    /// password manager entry whose username matches it.
    func options(for user: UserRecord, mediation: CredentialMediationRequirement = .optional) async throws -> Response {
        let existing = try await services.store.credentials(userID: user.id)
        // Refused before the authenticator makes a passkey the account could not keep.
        guard existing.count < Self.maximumPasskeys else { throw APIError.passkeyLimit }
        let (options, ceremony) = services.relyingParty.beginRegistration(
            user: PublicKeyCredentialUserEntityJSON(id: user.id, name: user.username, displayName: user.displayName),
            excludeCredentials: existing.map(ServerServices.descriptor), mediation: mediation)
        let cookie = try await services.ceremonies.begin(
            .addPasskey, challenge: ceremony.challenge, stateJSON: ceremony.jsonBytes(), userID: user.id)
        return ServerServices.json(bytes: CreationOptions(publicKey: options).jsonBytes(), cookies: [cookie])
    }

    /// Verifies the new passkey and adds it to the account the ceremony was begun for, which must
    /// be the one signed in now.
    func finish<Answer: Encodable>(
        _ request: Request, context: PasskeyRequestContext, signedIn: Authenticated, record: CeremonyRecord,
        log: inout Logger.Metadata, answer: (UserRecord, CredentialRecord) -> Answer
    ) async throws -> Response {
        log["user"] = .string(signedIn.user.id.base64URL)
        guard record.kind == .addPasskey, record.userID == signedIn.user.id else { throw APIError.ceremonyNotFound }
        let response = try RegistrationResponseJSON.parse(try await JSONBody.bytes(request))
        let ceremony = try services.ceremonies.registrationState(of: record)
        let verified = try await services.relyingParty.finishRegistration(response: response, ceremony: ceremony)
        log["credential"] = .string(verified.credentialID.base64URL)
        guard verified.userHandle == signedIn.user.id else { throw APIError.ceremonyNotFound }
        guard try await services.store.credential(id: verified.credentialID) == nil else {
            throw APIError.credentialExists
        }
        let existing = try await services.store.credentials(userID: signedIn.user.id)
        guard existing.count < Self.maximumPasskeys else { throw APIError.passkeyLimit }
        let credential = services.credentialRecord(
            verified, userID: signedIn.user.id, at: services.now(), takenNames: existing.map(\.name))
        // One transaction: the passkey, its activity events and, in a recovery, the session made
        // full; a store failure leaves none of it (as a sign-up's), so no passkey lacks its event.
        let client = ClientDetails(request, context: context)
        var events: [AuditEvent] = []
        if signedIn.session.recovery {
            // The recovery is complete: the new passkey makes this a full session.
            events.append(services.activityEvent(
                .recoveryCompleted, userID: signedIn.user.id, client: client, credentialID: credential.id,
                detail: "passkey \(credential.name) added with a recovery code"))
        }
        events.append(services.activityEvent(.passkeyAdded, userID: signedIn.user.id, client: client, credentialID: credential.id))
        if ceremony.mediation == .conditional {
            log["mediation"] = "conditional"
            events.append(services.activityEvent(
                .passkeyUpgrade, userID: signedIn.user.id, client: client, credentialID: credential.id,
                detail: "passkey \(credential.name) created automatically after a password sign-in"))
        }
        try await services.store.addCredential(
            credential, audit: events, endingRecoveryOf: signedIn.session.recovery ? services.sessions.completion(ofRecovery: signedIn.session) : nil,
            limit: Self.maximumPasskeys)
        return try ServerServices.json(
            answer(signedIn.user, credential), status: .created, cookies: [services.ceremonies.expiredCookie])
    }
}
