import ArgumentParser
import Foundation
import OpenIDProvider
import PasskeyStore

/// `passkeys clients`: the applications that sign people in through the OpenID Provider,
/// managed in the server's database while servers run.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Register and manage the applications that sign in through the OpenID Provider (docs/oidc.md).",
        subcommands: [Add.self, List.self, Remove.self, RotateSecret.self]
    )

    /// `--database` for the tools that change a server's database while servers run (`clients`,
    /// `keys`, `accounts import`): the same URL rules, default and messages as `admin`.
    typealias DatabaseOption = AdminCommand.DatabaseOptions

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an application and print its client ID and secret (the secret is shown once).")

        @OptionGroup var database: DatabaseOption

        @Option(help: ArgumentHelp("The application's name, shown on the consent page.", valueName: "name"))
        var name: String

        @Option(
            name: .customLong("redirect-uri"),
            help: ArgumentHelp("A redirect URI, matched exactly; repeatable.", valueName: "uri"))
        var redirectURIs: [String] = []

        @Option(
            name: .customLong("post-logout-redirect-uri"),
            help: ArgumentHelp("Where RP-initiated logout may return to; repeatable.", valueName: "uri"))
        var postLogoutRedirectURIs: [String] = []

        @Flag(name: .customLong("public"), help: "A public client (single-page or native app): no secret, PKCE required.")
        var isPublic = false

        @Flag(help: "A first-party application: people are not asked for consent.")
        var trusted = false

        @Option(
            name: .customLong("id-token-alg"),
            help: ArgumentHelp("RS256 (default) or ES256.", valueName: "alg"))
        var idTokenAlgorithm: String = "RS256"

        @Flag(help: "Print {\"client_id\", \"client_secret\"} as JSON.")
        var json = false

        func validate() throws {
            if let problem = ClientRules.clientNameProblem(name.trimmingCharacters(in: .whitespacesAndNewlines)) {
                throw ValidationError(problem)
            }
            guard !redirectURIs.isEmpty else { throw ValidationError("give at least one --redirect-uri") }
            for uri in redirectURIs + postLogoutRedirectURIs {
                if let problem = ClientRules.redirectURIProblem(uri) { throw ValidationError(problem) }
            }
            for (option, uris) in [("--redirect-uri", redirectURIs), ("--post-logout-redirect-uri", postLogoutRedirectURIs)]
            where Set(uris).count != uris.count {
                throw ValidationError("\(option) names the same URI twice")
            }
            guard ClientRules.idTokenAlgorithms.contains(idTokenAlgorithm) else {
                throw ValidationError("--id-token-alg must be RS256 or ES256, not \(idTokenAlgorithm)")
            }
        }

        func run() async throws {
            try await reportingFailures(json: json) { try await add() }
        }

        private func add() async throws {
            let id = ClientRules.newClientID()
            let secret = isPublic ? nil : ClientRules.newSecret()
            let record = OAuthClientRecord(
                id: id, name: name.trimmingCharacters(in: .whitespacesAndNewlines), secretHash: secret.map(ClientRules.hashSecret),
                redirectURIs: redirectURIs, postLogoutRedirectURIs: postLogoutRedirectURIs, trusted: trusted,
                idTokenAlgorithm: idTokenAlgorithm, createdAt: Date())
            try await database.withStore { store in
                try await store.insertClient(record)
                if json {
                    var object = ["client_id": id]
                    object["client_secret"] = secret
                    print(try jsonText(object))
                } else {
                    print("client_id: \(id)")
                    if let secret { print("client_secret: \(secret)  (shown once: keep it now)") }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered applications.")

        @OptionGroup var database: DatabaseOption

        @Flag(help: "Print a JSON list.")
        var json = false

        struct Entry: Encodable {
            var client_id: String
            var name: String
            var `public`: Bool
            var trusted: Bool
            var id_token_alg: String
            var redirect_uris: [String]
            var post_logout_redirect_uris: [String]
        }

        func run() async throws {
            try await reportingFailures(json: json) { try await list() }
        }

        private func list() async throws {
            try await database.withStore { store in try show(try await store.clients()) }
        }

        private func show(_ clients: [OAuthClientRecord]) throws {
            if json {
                print(try jsonText(clients.map {
                    Entry(
                        client_id: $0.id, name: $0.name, public: $0.isPublic, trusted: $0.trusted, id_token_alg: $0.idTokenAlgorithm,
                        redirect_uris: $0.redirectURIs, post_logout_redirect_uris: $0.postLogoutRedirectURIs)
                }))
                return
            }
            for client in clients {
                var kind = [client.isPublic ? "public" : "confidential", client.idTokenAlgorithm]
                if client.trusted { kind.append("trusted") }
                print("\(client.id)\t\(client.name)\t\(kind.joined(separator: ","))\t\(client.redirectURIs.joined(separator: " "))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an application: its tokens and every person's consent end with it.")

        @OptionGroup var database: DatabaseOption

        @Argument(help: ArgumentHelp("The client ID.", valueName: "id"))
        var id: String

        func run() async throws {
            try await database.withStore { store in
                guard try await store.deleteClient(id: id) else { throw CommandFailure("no client \(id)", code: "not_found") }
                print("removed \(id)")
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Give a confidential application a new secret; the old one stops working.")

        @OptionGroup var database: DatabaseOption

        @Argument(help: ArgumentHelp("The client ID.", valueName: "id"))
        var id: String

        @Flag(help: "Print {\"client_id\", \"client_secret\"} as JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures(json: json) { try await rotate() }
        }

        private func rotate() async throws {
            let secret = ClientRules.newSecret()
            try await database.withStore { store in
                guard let client = try await store.client(id: id) else { throw CommandFailure("no client \(id)", code: "not_found") }
                guard !client.isPublic else {
                    throw CommandFailure("\(id) is a public client: it has no secret", code: "public_client")
                }
                try await store.updateClientSecret(id: id, secretHash: ClientRules.hashSecret(secret))
                if json {
                    print(try jsonText(["client_id": id, "client_secret": secret]))
                } else {
                    print("client_secret: \(secret)  (shown once: keep it now)")
                }
            }
        }
    }
}

/// `passkeys keys rotate`: a new signing key for ID tokens.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the OpenID Provider's signing keys.",
        subcommands: [Rotate.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign new ID tokens with new keys (RS256 and ES256); the old keys stay in the JWKS until the tokens they signed have expired.")

        @OptionGroup var database: ClientsCommand.DatabaseOption

        func run() async throws {
            let now = Date()
            var keys: [SigningKeyRecord] = []
            for algorithm in ClientRules.idTokenAlgorithms {
                do {
                    keys.append(try SigningKeys.generate(algorithm, at: now))
                } catch {
                    throw CommandFailure(error.description)
                }
            }
            try await database.withStore { store in
                try await store.rotateSigningKeys(keys, at: now)
                for key in keys { print("\(key.algorithm) kid \(key.id)") }
            }
        }
    }
}

/// A command that could not do its work: the message on standard error and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    /// The exit status: 1, or 78 (`EX_CONFIG`) for a configuration that cannot work as given.
    let exitCode: Int32
    /// A stable code for `--json` output: `database`, `not_found`, `public_client`, `failed`.
    let code: String
    init(_ description: String, exitCode: Int32 = 1, code: String = "failed") {
        self.description = description
        self.exitCode = exitCode
        self.code = code
    }
}

/// Runs a command's work; with `--json`, a failure is also written to standard output as
/// `{"error": {"code", "message"}}`, as `passkeys client … --json` answers, and the exit status
/// stays the failure's.
func reportingFailures(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure where json {
        FileHandle.standardError.write(Data("passkeys: \(failure.description)\n".utf8))
        print((try? jsonText(["error": ["code": failure.code, "message": failure.description]])) ?? "{}")
        throw ExitCode(failure.exitCode)
    }
}

/// Sorted, unescaped JSON text.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
