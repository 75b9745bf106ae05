import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// Email verification (`/api/email/verify`, `/api/email/verify/resend`) and account recovery by
/// email (`/api/recovery/options`, `/api/recovery`).
///
/// Recovery tells no one whether an address has an account: `POST /api/recovery/options` answers
/// `202 {}` with no cookie for every address, and a wrong code for an unknown address is the same
/// `400 invalid_code` as for a known one.
struct RecoveryController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    struct CodeRequest: Decodable {
        var code: String
        /// The verification mail link's proof (``EmailCodes/linkProof(_:userID:purpose:key:)``),
        /// when the code came from the link.
        var proof: String?
    }

    struct AddressRequest: Decodable {
        var email: String
    }

    struct RecoveryRequest: Decodable {
        var email: String
        var code: String
        /// The mail link's proof (``EmailCodes/linkProof(_:userID:key:)``), when the code came from
        /// the link rather than being typed.
        var proof: String?
    }

    struct UserAnswer: Encodable {
        var user: UserJSON
    }

    struct RecoveryAnswer: Encodable {
        var user: UserJSON
        var recovery: Bool
    }

    struct Empty: Encodable {}

    var emailEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("verify", use: verify)
        routes.post("verify/resend", use: resend)
        return routes
    }

    var recoveryEndpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("options", use: recoveryOptions)
        routes.post(use: recover)
        return routes
    }

    // MARK: Email verification

    @Sendable func verify(_ request: Request, context: Context) async throws -> Response {
        try await services.limitClient(context)
        let signedIn = try await services.sessions.require(request)
        try await services.limitAccount(ServerServices.accountKey(userID: signedIn.user.id))
        let body = try await JSONBody.decode(CodeRequest.self, from: request)
        if signedIn.user.emailVerified {
            return try ServerServices.json(UserAnswer(user: UserJSON(signedIn.user)))
        }
        // A code with its link's proof came from the mail: wrong codes others made this page send
        // do not stop it. One with a proof that is not its own came from no mail: refused
        // without counting a try, so a link another site made cannot use up the owner's tries.
        var fromMail = false
        if let proof = body.proof, let code = EmailCodes.normalize(body.code) {
            fromMail = EmailCodes.isLinkProof(
                proof, code: code, userID: signedIn.user.id, purpose: .verification, key: try await services.recoveryLinkKey.key())
            guard fromMail else { throw APIError.invalidCode }
        }
        guard let code = EmailCodes.normalize(body.code),
              let user = try await services.store.redeemEmailCode(
                userID: signedIn.user.id, purpose: .verification,
                codeHash: EmailCodes.hash(code, userID: signedIn.user.id, purpose: .verification),
                at: services.now(), maximumAttempts: fromMail ? Int.max : EmailCodes.maximumAttempts, session: nil,
                // Stored with the redeemed code, in its transaction.
                audit: services.activityEvent(
                    .emailVerified, userID: signedIn.user.id, client: ClientDetails(request, context: context),
                    detail: "the email address was verified"),
                endingSession: nil)
        else {
            await services.recordActivity(
                .emailVerificationFailed, userID: signedIn.user.id, client: ClientDetails(request, context: context),
                detail: "a wrong or expired code was entered", logger: context.logger)
            throw APIError.invalidCode
        }
        await services.clientRequestSucceeded(context)
        return try ServerServices.json(UserAnswer(user: UserJSON(user)))
    }

    @Sendable func resend(_ request: Request, context: Context) async throws -> Response {
        try await services.limitClient(context)
        // The body is `{}` (or empty): an object with no member this endpoint reads.
        _ = try await JSONBody.stringMembers([], from: request)
        let signedIn = try await services.sessions.require(request)
        try await services.limitAccount(ServerServices.accountKey(userID: signedIn.user.id))
        guard !signedIn.user.emailVerified else { throw APIError.emailAlreadyVerified }
        guard try await services.sendEmailCode(
            .verification, to: signedIn.user, language: ServerServices.mailLanguage(request),
            client: ClientDetails(request, context: context), answerCap: true) else {
            throw APIError.invalidEmail("the username is not an email address")
        }
        return try ServerServices.json(Empty(), status: .accepted)
    }

    // MARK: Recovery

    @Sendable func recoveryOptions(_ request: Request, context: Context) async throws -> Response {
        try await services.limitClient(context)
        let body = try await JSONBody.decode(AddressRequest.self, from: request)
        let email = try Self.address(body.email)
        try await services.limitKey("recovery-address:" + UserRecord.normalize(email))
        // Everything that depends on the address, the account's look-up included, runs after the
        // answer, so a known address and an unknown one are answered by the same work, in the same
        // time; a capped code is silent for the same reason.
        let services = services, logger = context.logger, language = ServerServices.mailLanguage(request)
        let client = ClientDetails(request, context: context)
        Task {
            do {
                // A disabled account gets no code: an operator turned it off, and recovery must not undo that.
                guard let user = try await services.store.user(username: email), !user.disabled else { return }
                try await services.sendEmailCode(.recovery, to: user, language: language, client: client)
                logger.info("recovery code requested", metadata: ["user": .string(user.id.base64URL)])
            } catch {
                logger.error("no recovery code issued", metadata: ["error": "\(error)"])
            }
        }
        return try ServerServices.json(Empty(), status: .accepted)
    }

    @Sendable func recover(_ request: Request, context: Context) async throws -> Response {
        try await services.limitClient(context)
        let body = try await JSONBody.decode(RecoveryRequest.self, from: request)
        let email = try Self.address(body.email)
        let client = ClientDetails(request, context: context)
        let start = ContinuousClock.now
        let user = try await services.store.user(username: email)
        let code = EmailCodes.normalize(body.code)
        // A code with its mail link's proof came from the mail, not from guessing: neither the
        // address's allowance, which anyone's wrong codes use up, nor the tries wrong codes others
        // typed use up stop it. Without a valid proof the code counts as typed, and is held to both.
        var fromMail = false
        if let user, let code, let proof = body.proof {
            fromMail = EmailCodes.isLinkProof(proof, code: code, userID: user.id, key: try await services.recoveryLinkKey.key())
        }
        if !fromMail { try await services.limitKey("recovery-address:" + UserRecord.normalize(email)) }
        guard let user, !user.disabled, let code else {
            // An unknown address answers after the same time as a wrong code for a known one,
            // which spends a try and writes the activity log (FailurePacing).
            await services.failurePacing.holdFailure(startedAt: start)
            throw APIError.invalidCode
        }
        let (token, session) = services.sessions.start(
            userID: user.id, credentialID: nil, client: client, method: .emailCode, recovery: true)
        // Before the write, so that nothing after it can fail.
        let cookies = try await services.sessions.cookies(for: token)
        guard let recovered = try await services.store.redeemEmailCode(
            userID: user.id, purpose: .recovery, codeHash: EmailCodes.hash(code, userID: user.id, purpose: .recovery),
            at: services.now(), maximumAttempts: fromMail ? Int.max : EmailCodes.maximumAttempts, session: session,
            // In the code's transaction: the event, and the end of the session this browser had before.
            audit: services.activityEvent(
                .recoveryStarted, userID: user.id, client: client,
                detail: "signed in with a recovery code: may add a passkey"),
            endingSession: services.sessions.tokenHash(request))
        else {
            await services.recordActivity(
                .recoveryFailed, userID: user.id, client: client,
                detail: "a wrong, used or expired recovery code was entered", logger: context.logger)
            await services.failurePacing.holdFailure(startedAt: start)
            throw APIError.invalidCode
        }
        await services.clientRequestSucceeded(context)
        context.logger.info("recovery session opened", metadata: ["user": .string(user.id.base64URL)])
        return try ServerServices.json(
            RecoveryAnswer(user: UserJSON(recovered), recovery: true), cookies: cookies)
    }

    /// An email address as typed, trimmed, or `400 invalid_email`.
    static func address(_ typed: String) throws -> String {
        let email = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.utf8.count <= NameRules.maximumBytes, email.contains("@"), !NameRules.hasControlCharacters(email) else {
            throw APIError.invalidEmail("this is not an email address")
        }
        return email
    }
}
