import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PasskeyClient
import PasskeyClientCore
import PasskeyServer
import PasskeyStore
import SoftwareAuthenticator
import Testing

/// The real server application on an in-memory store, listening on a free port, for the runtime
/// to talk to over real HTTP through ``URLSessionTransport``.
enum LiveServer {
    /// The origin the server allows by default (RP ID `localhost`, configured port 8080): the
    /// runtime sends it, and the software authenticator writes it into client data, as a page
    /// served from there would.
    static let origin = "http://localhost:8080"

    static func run(_ body: @Sendable (URL) async throws -> Void) async throws {
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = 0
        var logger = Logger(label: "passkeys.client-tests")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: configuration, store: MemoryPasskeyStore(), logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(try #require(URL(string: "http://localhost:\(port)")))
        }
    }
}

/// A person's device: the runtime with its transport (and cookies) and a software authenticator.
struct Device {
    let client: AuthClient
    let transport: URLSessionTransport
    let passkeys: SoftwarePasskeyProvider

    init(
        server: URL, state: Auth.State = .signedOut(Auth.SignedOut()), cookies: CookieJar = CookieJar(),
        authenticator: SoftwareAuthenticator? = nil
    ) throws {
        transport = URLSessionTransport(server: server, origin: LiveServer.origin, cookies: cookies)
        passkeys = SoftwarePasskeyProvider(authenticator: try authenticator ?? SoftwareAuthenticator(), origin: LiveServer.origin)
        client = AuthClient(state: state, transport: transport, passkeys: passkeys)
    }

    /// Signs up and returns the account.
    @discardableResult
    func signUp(_ username: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Auth.Account {
        let state = await client.run(.signUp(username: username))
        guard case .signedIn(let account) = state else {
            Issue.record("sign-up ended in \(state)", sourceLocation: sourceLocation)
            throw Stop()
        }
        return account
    }

    struct Stop: Error {}
}

extension Auth.State {
    /// The account, when signed in and nothing is in flight.
    var account: Auth.Account? {
        if case .signedIn(let account) = self, account.activity == .idle { account } else { nil }
    }

    /// The problem shown, signed in or out.
    var problem: Auth.Problem? {
        switch self {
        case .signedOut(let signedOut): signedOut.problem
        case .signedIn(let account): account.problem
        default: nil
        }
    }
}
