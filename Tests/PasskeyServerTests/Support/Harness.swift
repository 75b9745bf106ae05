import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PasskeyMail
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// The server under test: the real application on a real store, a clock the test moves, and the
/// store's record of changes.
struct Harness: Sendable {
    static let origin = "http://localhost:8080"

    let store: RecordingStore
    let clock: TestClock
    let configuration: PasskeyServerConfiguration
    /// Every mail the server sent (RecoverySupport.swift).
    let mail: RecordingMailTransport

    /// Builds the application on a fresh store of `kind` and runs `body` against it with the
    /// router test client (or over a socket with `.live`).
    static func run(
        _ kind: StoreKind,
        testing: TestingSetup = .router,
        configure: (inout PasskeyServerConfiguration) -> Void = { _ in },
        mailTransport: (any MailTransport)? = nil,
        logger: Logger? = nil,
        _ body: @Sendable (Harness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let opened = try await kind.open()
        let store = RecordingStore(opened.store)
        let clock = TestClock()
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = 0
        // Failed password and recovery answers are held to a floor; the tests of that set their own.
        configuration.failureFloor = 0
        configure(&configuration)
        let mail = RecordingMailTransport()
        let harness = Harness(store: store, clock: clock, configuration: configuration, mail: mail)
        do {
            let logger = logger ?? {
                var quiet = Logger(label: "passkeys.test")
                quiet.logLevel = .critical
                return quiet
            }()
            let app = try buildApplication(
                configuration: configuration, store: store, logger: logger, now: { clock.now },
                mailTransport: mailTransport ?? mail)
            try await app.test(testing) { client in try await body(harness, client) }
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    /// What an attack must leave untouched: the accounts and their passkeys (sign counts, names,
    /// last use) as they are now.
    func snapshot(_ usernames: [String]) async throws -> [String: AccountState] {
        var state: [String: AccountState] = [:]
        for username in usernames {
            let user = try await store.user(username: username)
            var credentials: [CredentialRecord] = []
            if let user { credentials = try await store.credentials(userID: user.id) }
            state[username] = AccountState(user: user, credentials: credentials)
        }
        return state
    }

    /// Runs an attack and checks that it wrote nothing: no account, passkey or session was created,
    /// changed or deleted, and the accounts named look exactly as before.
    func expectNoChange(
        to usernames: [String], sourceLocation: SourceLocation = #_sourceLocation,
        _ attack: () async throws -> Void
    ) async throws {
        let before = try await snapshot(usernames)
        store.clearChanges()
        try await attack()
        #expect(store.changes == [], "the attack changed the store", sourceLocation: sourceLocation)
        #expect(try await snapshot(usernames) == before, "the attack changed an account", sourceLocation: sourceLocation)
    }
}

/// An account and its passkeys as stored.
struct AccountState: Equatable, Sendable {
    let user: UserRecord?
    let credentials: [CredentialRecord]
}

/// `{"publicKey": …}`.
struct OptionsEnvelope<Options: Decodable>: Decodable {
    var publicKey: Options
}

/// `{"error": {…}}`.
struct ErrorEnvelope: Decodable {
    struct Body: Decodable {
        var code: String
        var message: String
        var credentialId: String?
        var rpId: String?
    }
    var error: Body
}

struct UserJSONForTests: Decodable, Equatable {
    var id: String
    var username: String
    var displayName: String
}

struct PasskeyJSONForTests: Decodable, Equatable {
    var id: String
    var name: String
    var createdAt: String
    var lastUsedAt: String?
    var aaguid: String
    var provider: String?
    var synced: Bool
    var backupEligible: Bool
    var transports: [String]
    var algorithm: Int
}

struct SignedUpAnswer: Decodable {
    var user: UserJSONForTests
    var passkey: PasskeyJSONForTests
    var rpId: String
}

struct SessionAnswer: Decodable {
    var user: UserJSONForTests
    var rpId: String
}

struct PasskeyAnswer: Decodable {
    var passkey: PasskeyJSONForTests
}

struct PasskeysAnswer: Decodable {
    var passkeys: [PasskeyJSONForTests]
}

struct UserAnswer: Decodable {
    var user: UserJSONForTests
}

extension TestResponse {
    var data: Data { Data(body.readableBytesView) }
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: data)
    }

    /// The error code of an error answer, or `nil`.
    var errorCode: String? { (try? decode(ErrorEnvelope.self))?.error.code }

    /// The message of an error answer, or `nil`.
    var errorMessage: String? { (try? decode(ErrorEnvelope.self))?.error.message }

    /// The `Set-Cookie` header that sets (or clears) `name`.
    func setCookie(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}

/// Checks an error answer: its status, its code, and that it is JSON.
func expectError(
    _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response.errorCode == code, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
}
