import Crypto
import Foundation
import Hummingbird
import Logging
import PasskeyMail
import PasskeyStore
import WebAuthn

/// What the controllers share: the relying party, the store, sessions, ceremonies, limits,
/// metrics and the clock. One value, built once by ``buildApplication(configuration:store:registry:logger:now:)``.
struct ServerServices: Sendable {
    let configuration: PasskeyServerConfiguration
    let relyingPartyState: RelyingPartyState
    let store: any PasskeyStore
    let sessions: Sessions
    let ceremonies: Ceremonies
    let limits: RateLimits
    let metrics: CeremonyMetrics
    /// Every request's series (``ServerMiddleware`` records them).
    let httpMetrics: HTTPMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    /// Keys the decoy credentials shown for unknown usernames, so a name always gets the same ones.
    let decoyKey: SharedKey
    /// Keys the recovery mail link's proof (``EmailCodes/linkProof(_:userID:key:)``).
    let recoveryLinkKey: SharedKey
    /// Keys the cookie of a browser where an account's password was right (``PasswordDevice``).
    let passwordDeviceKey: SharedKey
    /// Mail to account holders (verification and recovery codes), sent in the background.
    let mail: ServerMail
    /// Holds failed password and recovery answers to one length of time.
    let failurePacing: FailurePacing

    var relyingPartyID: String { configuration.relyingPartyID }

    // MARK: Rate limits

    /// Before a ceremony begins (its options): `429 rate_limited` when the client address has left
    /// too many ceremonies unfinished for now. The ceremony's place is given back when it finishes.
    func limitCeremonyStart(_ context: PasskeyRequestContext) async throws {
        try await limitAddress(limits.addressCeremonies, "address-ceremonies:", context)
    }

    /// Before a sign-up's answer is looked at: `429 rate_limited` when the client address has
    /// made `--address-ceremony-limit` accounts this minute (each new account mails a code).
    func limitSignUp(_ context: PasskeyRequestContext) async throws {
        try await limitAddress(limits.addressSignUps, "sign-ups:", context)
    }

    /// Before a ceremony's answer is looked at: `429 rate_limited` when answers from the client
    /// address have failed too often for now. An answer that verifies gives its place back.
    func limitCeremonyFinish(_ context: PasskeyRequestContext) async throws {
        try await limitAddress(limits.addressFailures, "address-failures:", context)
    }

    /// A ceremony finished: its begun and its answer places go back to the client address.
    func ceremonyFinished(_ context: PasskeyRequestContext) async {
        let now = now()
        // A place not given back (the database is unreachable this moment) only makes the limit
        // stricter for a while; the finished ceremony stands.
        try? await limits.addressCeremonies.release(address: context.clientAddress, prefix: "address-ceremonies:", now: now)
        try? await limits.addressFailures.release(address: context.clientAddress, prefix: "address-failures:", now: now)
    }

    /// `429 rate_limited` when the signed-in account has used its ceremony requests for now.
    /// Only for requests made with the account's own session: anyone can name an account, so
    /// requests that merely name one must never use up its allowance (that would lock its owner out).
    func limitAccount(_ key: String) async throws {
        try await limit(limits.accounts, "account:" + key)
    }

    /// Counts a failed verification against the account it targeted: past the allowance the
    /// failure answers `429 rate_limited` instead. A sign-in that verifies is never refused by
    /// this, so failures an attacker causes cannot keep the owner out.
    func countAccountFailure(_ key: String) async throws {
        try await limit(limits.accounts, "account-failures:" + key)
    }

    /// The rate-limit key of an account.
    static func accountKey(userID: UserHandle) -> String {
        "id:" + userID.base64URL
    }

    /// `429 rate_limited` when the request's client address (or its IPv6 /48) has used `limiter`'s
    /// allowance under `prefix` for now.
    func limitAddress(_ limiter: RateLimiter, _ prefix: String, _ context: PasskeyRequestContext) async throws {
        if let retryAfter = try await limiter.acquire(address: context.clientAddress, prefix: prefix, now: now()) {
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
    }

    private func limit(_ limiter: RateLimiter, _ key: String) async throws {
        if let retryAfter = try await limiter.acquire(key, now: now()) {
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
    }

    // MARK: Instrumented ceremony steps

    /// Runs one ceremony request: times it, counts its outcome by code and logs it (a success on
    /// the request's line, a failure on a `notice` line of its own). `body` may add log metadata
    /// (never a secret: no challenge, token or key).
    func ceremonyStep(
        _ ceremony: CeremonyMetrics.Ceremony, _ step: CeremonyMetrics.Step, context: PasskeyRequestContext,
        _ body: (inout Logger.Metadata) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var metadata = Self.stepMetadata(ceremony, step, context: context)
        do {
            let response = try await body(&metadata)
            metrics.recordDuration(ceremony, step: step, ContinuousClock.now - start)
            switch step {
            case .options: metrics.recordStarted(ceremony)
            case .finish:
                metrics.recordSucceeded(ceremony)
                await ceremonyFinished(context)
            }
            metadata["outcome"] = "success"
            // A step that went well is told on the request's own line; one without it (a test's
            // router without the middleware) gets a line of its own.
            if let notes = context.logNotes {
                notes.add(metadata)
            } else {
                context.logger.info("ceremony \(step.rawValue) succeeded", metadata: metadata)
            }
            return response
        } catch {
            throw ceremonyStepFailed(ceremony, step, context: context, error: error, since: start, metadata: metadata)
        }
    }

    /// A ceremony step that failed, counted and logged as ``ceremonyStep(_:_:context:_:)`` does;
    /// returns the answer to throw. For a failure before the step's own work could begin.
    func ceremonyStepFailed(
        _ ceremony: CeremonyMetrics.Ceremony, _ step: CeremonyMetrics.Step, context: PasskeyRequestContext,
        error: any Error, since start: ContinuousClock.Instant, metadata: Logger.Metadata? = nil
    ) -> APIError {
        let answer = APIError(error)
        metrics.recordDuration(ceremony, step: step, ContinuousClock.now - start)
        metrics.recordFailed(ceremony, step: step, code: answer.code)
        var metadata = metadata ?? Self.stepMetadata(ceremony, step, context: context)
        metadata["outcome"] = "failure"
        metadata["code"] = .string(answer.code)
        metadata["reason"] = .string(Self.loggable(answer.message))
        context.logger.notice("ceremony \(step.rawValue) failed", metadata: metadata)
        return answer
    }

    /// A step's first log fields. Made as a literal: a dictionary made with room for eight is over
    /// a kilobyte, and each allocation that large makes glibc's malloc consolidate its free lists.
    private static func stepMetadata(
        _ ceremony: CeremonyMetrics.Ceremony, _ step: CeremonyMetrics.Step, context: PasskeyRequestContext
    ) -> Logger.Metadata {
        [
            "ceremony": .string(ceremony.rawValue), "step": .string(step.rawValue),
            "client": .string(context.clientAddress ?? "unknown"),
        ]
    }

    /// Text that may carry what a client sent (an origin, a type), made safe for a log line:
    /// control characters escaped so no one can forge lines, and at most 300 characters.
    static func loggable(_ text: String) -> String {
        // Most paths are printable ASCII and short: nothing to escape or cut.
        if text.utf8.count <= 300, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        for scalar in text.unicodeScalars.prefix(300) {
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 300 ? out + "…" : out
    }

    // MARK: Responses

    /// A JSON response with cookies.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, cookies: [SetCookie] = []) throws -> Response {
        json(bytes: try jsonEncoder().encode(value), status: status, cookies: cookies)
    }

    /// How the API writes `Encodable` answers: dates in ISO 8601, slashes unescaped.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// A response of JSON text already written (``JSONWriter``), with cookies.
    static func json(bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, cookies: [SetCookie] = []) -> Response {
        var response = Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// `204 No Content` with cookies.
    static func noContent(cookies: [SetCookie] = []) -> Response {
        var response = Response(status: .noContent)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    // MARK: Credentials

    /// Names authenticators from their AAGUID: the FIDO metadata the server loaded, then the
    /// bundled table of well-known providers.
    var directory: AuthenticatorDirectory {
        AuthenticatorDirectory(metadata: relyingPartyState.metadata)
    }

    /// The relying party as it is now (its metadata may have been refreshed).
    var relyingParty: RelyingParty { relyingPartyState.relyingParty }

    /// The record for a credential that passed registration. Its first name is its provider's
    /// (or "Security key" / "Passkey"), numbered when the account already has a passkey of that name.
    func credentialRecord(
        _ verified: VerifiedRegistration, userID: UserHandle, at now: Date, takenNames: [String] = []
    ) -> CredentialRecord {
        let known: Set<String> = ["usb", "nfc", "ble", "smart-card", "hybrid", "internal"]
        var transports: [String] = []
        for transport in verified.transports.map(\.rawValue) where known.contains(transport) && !transports.contains(transport) {
            transports.append(transport)
        }
        return CredentialRecord(
            id: verified.credentialID, userID: userID, publicKey: verified.publicKey.rawRepresentation,
            algorithm: verified.algorithm.rawValue, signCount: verified.signCount, aaguid: verified.aaguid,
            attestationFormat: verified.format.rawValue, transports: transports,
            backupEligible: verified.backupEligible, backedUp: verified.backedUp,
            name: Self.firstName(directory.model(for: verified.aaguid)?.name ?? Self.genericName(transports), takenNames: takenNames),
            createdAt: now)
    }

    /// A name for a passkey whose provider is unknown: a removable key says so.
    static func genericName(_ transports: [String]) -> String {
        let removable: Set<String> = ["usb", "nfc", "ble", "smart-card"]
        let onDevice: Set<String> = ["internal", "hybrid"]
        let set = Set(transports)
        return !set.isDisjoint(with: removable) && set.isDisjoint(with: onDevice) ? "Security key" : "Passkey"
    }

    /// `base`, or `base 2`, `base 3`, … when that is taken.
    static func firstName(_ base: String, takenNames: [String]) -> String {
        let taken = Set(takenNames)
        guard taken.contains(base) else { return base }
        var number = 2
        while taken.contains("\(base) \(number)") { number += 1 }
        return "\(base) \(number)"
    }

    /// A descriptor for `allowCredentials` / `excludeCredentials`.
    static func descriptor(_ credential: CredentialRecord) -> PublicKeyCredentialDescriptorJSON {
        PublicKeyCredentialDescriptorJSON(
            id: credential.id,
            transports: credential.transports.isEmpty ? nil : credential.transports.map(AuthenticatorTransport.init(rawValue:)))
    }

    /// Credentials that look like an account's, for a username that has none: sign-in options must
    /// not tell whether a username is taken.
    ///
    /// Everything is derived from the normalized username with the server's secret, so a name gets
    /// the same answer every time: how many passkeys (most accounts have one, some two to four),
    /// their IDs and their transports. The store did the same work as for a real account already:
    /// ``PasskeyStore/userWithCredentials(username:)`` looks the credentials up by the username
    /// whether or not the account exists, so the answer takes as long.
    func decoyDescriptors(username: String) async throws -> [PublicKeyCredentialDescriptorJSON] {
        let key = try await decoyKey.key()
        let seed = decoyBytes("count", username, key)
        let count = Self.decoyCount(seed[0])
        return (0..<count).map { index in
            let mac = decoyBytes("credential \(index)", username, key)
            let transports: [AuthenticatorTransport] = switch mac[0] % 8 {
            case 0: [.usb, .nfc]
            case 1: [.usb]
            case 2: [.internal]
            default: [.hybrid, .internal]
            }
            return PublicKeyCredentialDescriptorJSON(
                id: CredentialID(uncheckedBytes: Array(mac.prefix(16 + Int(mac[1] % 2) * 16))), transports: transports)
        }
    }

    /// A passkey count as accounts have them: one for about 60 %, two for 25 %, three for 10 %,
    /// four for the rest.
    static func decoyCount(_ byte: UInt8) -> Int {
        switch byte {
        case 0..<154: 1
        case 154..<218: 2
        case 218..<243: 3
        default: 4
        }
    }

    private func decoyBytes(_ purpose: String, _ username: String, _ key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("decoy \(purpose)\u{0}\(username)".utf8), using: key))
    }
}
