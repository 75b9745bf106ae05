import ArgumentParser
import Foundation
import PasskeyClient
import PasskeyClientCore

/// `passkeys client …`: the shared client core run from the command line against a passkeys
/// server, with a software authenticator whose passkeys live in a keychain file.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Sign up, sign in and manage passkeys on a passkeys server, with a software authenticator.",
        discussion: """
            The authenticator's passkeys (private keys included) are kept in the keychain file, \
            created with mode 0600; a keychain others can read is refused. The session cookie is \
            kept beside it (KEYCHAIN.session), so `signin` and then `passkeys` work across runs. \
            Exit status: 0 done, 1 refused or failed (the reason is printed), 2 usage error.
            """,
        subcommands: [
            ClientSignUp.self, ClientSignIn.self, ClientPasskeys.self, ClientAdd.self, ClientRename.self,
            ClientDelete.self, ClientSignOut.self, ClientSessionList.self, ClientActivity.self, ClientEndSession.self,
        ]
    )
}

/// Options every client command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "The server's URL, e.g. http://localhost:8080.")
    var server: String

    @Option(help: "The keychain file holding the software authenticator's passkeys (default: ~/.passkeys/keychain.json).")
    var keychain: String?

    @Option(help: "The file holding the session cookie (default: KEYCHAIN.session).")
    var session: String?

    @Option(help: "The web origin to act as (default: the server URL's origin).")
    var origin: String?

    @Flag(help: "Print one JSON object instead of sentences.")
    var json = false

    func validate() throws {
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("--server must be an http or https URL, like http://localhost:8080, not \"\(server)\"")
        }
        if let origin, URL(string: origin)?.host == nil {
            throw ValidationError("--origin must be an origin, like https://example.com, not \"\(origin)\"")
        }
    }

    var serverURL: URL { URL(string: server) ?? URL(fileURLWithPath: "/") }

    var keychainPath: String {
        let path = keychain ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".passkeys/keychain.json").path
        return (path as NSString).expandingTildeInPath
    }

    var sessionPath: String { session.map { ($0 as NSString).expandingTildeInPath } ?? keychainPath + ".session" }
}

// MARK: The commands

struct ClientSignUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signup", abstract: "Create an account with a new passkey.")

    @OptionGroup var options: ClientOptions

    @Option(help: "The account's username.")
    var username: String

    @Option(help: "The name to show (default: the username).")
    var displayName: String?

    func run() async throws {
        let run = try await ClientRun.open(options, command: "signup", state: .signedOut(Auth.SignedOut()))
        let state = await run.client.run(.signUp(username: username, displayName: displayName))
        try await run.finish(state) { account in
            let passkey = account.passkeys?.last
            return [
                "Signed up as \(account.user.username)\(Self.named(account.user)).",
                "Its passkey \(passkey.map { ClientOutput.short($0.id) } ?? "") is in \(options.keychainPath).",
            ]
        }
    }

    static func named(_ user: Auth.User) -> String {
        user.displayName == user.username ? "" : " (\(user.displayName))"
    }
}

struct ClientSignIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signin", abstract: "Sign in with a passkey: one of the username's, or any this keychain holds for the server.")

    @OptionGroup var options: ClientOptions

    @Option(help: "The account's username (default: let the authenticator offer any passkey for the server).")
    var username: String?

    func run() async throws {
        let run = try await ClientRun.open(options, command: "signin", state: .signedOut(Auth.SignedOut()))
        let state = await run.client.run(.signIn(username: username))
        try await run.finish(state) { account in
            ["Signed in as \(account.user.username)\(ClientSignUp.named(account.user))."]
        }
    }
}

struct ClientPasskeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passkeys", abstract: "List the signed-in account's passkeys.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let run = try await ClientRun.open(options, command: "passkeys")
        let state = try await run.signedIn()
        try await run.finish(state) { account in
            let passkeys = account.passkeys ?? []
            let rows = Auth.view(state, in: ClientOutput.language).account?.passkeys ?? []
            return ["\(account.user.username) has \(passkeys.count) passkey\(passkeys.count == 1 ? "" : "s"):"]
                + rows.map { "  \($0.id)  \($0.name)  (\($0.details))" }
        }
    }
}

struct ClientAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a passkey from this keychain to the signed-in account.",
        discussion: """
            A keychain holds one passkey per account (the server excludes those it has), so add from \
            another keychain signed in with the same session: `add --keychain OTHER --session KEYCHAIN.session`.
            """)

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let run = try await ClientRun.open(options, command: "add")
        _ = try await run.signedIn()
        let state = await run.client.run(.addPasskey)
        try await run.finish(state) { account in
            let count = account.passkeys?.count ?? 0
            let added = account.passkeys?.last
            return ["Added passkey \(added.map { ClientOutput.short($0.id) } ?? "") to \(account.user.username), which now has \(count) passkeys."]
        }
    }
}

struct ClientRename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename one of the signed-in account's passkeys.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "The passkey: its ID, the start of its ID, or its name. An ID that starts with \"-\" goes after \"--\".")
    var passkey: String

    @Argument(help: "The new name.")
    var name: String

    func run() async throws {
        let run = try await ClientRun.open(options, command: "rename")
        let id = run.resolve(passkey, in: try await run.signedIn())
        let state = await run.client.run(.renamePasskey(id, name: name))
        try await run.finish(state) { account in
            let renamed = account.passkeys?.first { $0.id == id }
            return ["Renamed passkey \(ClientOutput.short(id)) to “\(renamed?.name ?? name)”."]
        }
    }
}

struct ClientDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete one of the signed-in account's passkeys.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "The passkey: its ID, the start of its ID, or its name. An ID that starts with \"-\" goes after \"--\".")
    var passkey: String

    func run() async throws {
        let run = try await ClientRun.open(options, command: "delete")
        let id = run.resolve(passkey, in: try await run.signedIn())
        let state = await run.client.run(.deletePasskey(id))
        try await run.finish(state) { account in
            let left = account.passkeys?.count ?? 0
            return ["Deleted passkey \(ClientOutput.short(id)); \(account.user.username) has \(left) left."]
        }
    }
}

struct ClientSignOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signout", abstract: "Sign out: end the session on the server and forget it here.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let run = try await ClientRun.open(options, command: "signout")
        let checked = await run.client.run(.refresh)
        guard case .signedIn(let account) = checked else {
            try await run.finish(checked, signedOutIsSuccess: true) { _ in ["Not signed in."] }
            return
        }
        let state = await run.client.run(.signOut)
        try await run.finish(state, signedOutIsSuccess: true, user: account.user) { _ in ["Signed out of \(account.user.username)."] }
    }
}

// MARK: Running the core

/// One command's run: the keychain and session loaded, the runtime wired to the server and the
/// software authenticator, and what to save and print when it ends.
struct ClientRun {
    let options: ClientOptions
    let command: String
    let client: AuthClient
    let transport: URLSessionTransport
    let passkeys: SoftwarePasskeyProvider
    let serverKey: String

    static func open(_ options: ClientOptions, command: String, state: Auth.State = .initial) async throws -> ClientRun {
        let output = ClientOutput(json: options.json, command: command)
        let serverURL = options.serverURL
        let serverKey = URLSessionTransport.origin(of: serverURL)
        do {
            let authenticator = try ClientKeychain.load(options.keychainPath)
            let cookies = try ClientSessions.load(options.sessionPath, server: serverKey)
            let transport = URLSessionTransport(server: serverURL, origin: options.origin, cookies: cookies)
            let passkeys = SoftwarePasskeyProvider(authenticator: authenticator, origin: await transport.origin)
            return ClientRun(
                options: options, command: command,
                client: AuthClient(state: state, transport: transport, passkeys: passkeys),
                transport: transport, passkeys: passkeys, serverKey: serverKey)
        } catch {
            throw output.fail(code: "keychain", message: "\(error)")
        }
    }

    /// Checks the session: signed in and the passkeys loaded, or the run ends saying why.
    func signedIn() async throws -> Auth.State {
        let state = await client.run(.refresh)
        if case .signedIn(let account) = state, account.activity == .idle, account.problem == nil { return state }
        try await finish(state) { _ in [] }
        throw ExitCode(1)
    }

    /// A passkey named by ID, ID prefix or name on the account; anything else is passed on as an
    /// ID, for the server to say it does not hold it.
    func resolve(_ text: String, in state: Auth.State) -> Auth.PasskeyID {
        guard case .signedIn(let account) = state, let passkeys = account.passkeys else { return Auth.PasskeyID(text) }
        if let exact = passkeys.first(where: { $0.id.base64URL == text }) { return exact.id }
        let byName = passkeys.filter { $0.name == text }
        if byName.count == 1 { return byName[0].id }
        let byPrefix = passkeys.filter { $0.id.base64URL.hasPrefix(text) }
        if byPrefix.count == 1 { return byPrefix[0].id }
        return Auth.PasskeyID(text)
    }

    /// Saves the keychain and the session, then prints the outcome: `lines` when signed in (or,
    /// with `signedOutIsSuccess`, signed out) without a problem, the problem otherwise (exit 1).
    func finish(
        _ state: Auth.State, signedOutIsSuccess: Bool = false, user: Auth.User? = nil,
        _ lines: (Auth.Account) -> [String]
    ) async throws {
        let output = ClientOutput(json: options.json, command: command)
        do {
            try ClientKeychain.save(await passkeys.authenticator, to: options.keychainPath)
            try ClientSessions.save(await transport.cookies, server: serverKey, to: options.sessionPath)
        } catch {
            throw output.fail(code: "keychain", message: "\(error)")
        }

        switch state {
        case .signedIn(let account) where account.problem == nil && account.activity == .idle:
            output.succeed(lines(account), user: account.user, passkeys: account.passkeys)
        case .signedOut(let signedOut) where signedOut.problem == nil && signedOutIsSuccess:
            let placeholder = Auth.Account(user: user ?? Auth.User(id: "", username: "", displayName: ""))
            output.succeed(lines(placeholder), user: nil, passkeys: nil)
        case .signedOut(let signedOut) where signedOut.problem == nil:
            throw output.fail(
                code: "unauthenticated",
                message: "Not signed in: run `passkeys client signin --server \(options.server)` first.")
        default:
            let problem = state.problem ?? .unreadableResponse
            var message = problem.words(in: ClientOutput.language)
            if problem.code == "forbidden_origin" {
                message += " Pass --origin with an origin the server allows (by default http://RP-ID:PORT, e.g. http://localhost:8080)."
            }
            throw output.fail(code: problem.code, message: message)
        }
    }
}

extension Auth.State {
    /// The problem shown, signed in or out.
    var problem: Auth.Problem? {
        switch self {
        case .signedOut(let signedOut): signedOut.problem
        case .signedIn(let account): account.problem
        default: nil
        }
    }
}

/// What a client command prints: one or two sentences, or one JSON object with `--json`.
struct ClientOutput {
    /// The core's words come in the language of the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`,
    /// the first that is set, as POSIX says); English when the core does not have it.
    static let language: Auth.Language = {
        let environment = ProcessInfo.processInfo.environment
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        return Auth.Language.preferred(posixLocale: locale ?? "")
    }()

    let json: Bool
    let command: String

    /// An ID short enough to read and to type back (any unique prefix is accepted).
    static func short(_ id: Auth.PasskeyID) -> String {
        id.base64URL.count > 12 ? String(id.base64URL.prefix(12)) + "…" : id.base64URL
    }

    func succeed(
        _ lines: [String], user: Auth.User? = nil, passkeys: [Auth.Passkey]? = nil,
        sessions: [Auth.SessionInfo]? = nil, activity: [Auth.ActivityEntry]? = nil
    ) {
        if json {
            emit(Report(
                ok: true, command: command, user: user.map(UserReport.init), passkeys: passkeys?.map(PasskeyReport.init),
                sessions: sessions?.map(SessionReport.init), activity: activity?.map(EventReport.init)))
        } else {
            print(lines.joined(separator: "\n"))
        }
    }

    /// Prints the failure and returns the exit status to throw.
    func fail(code: String, message: String) -> ExitCode {
        if json {
            emit(Report(ok: false, command: command, error: ErrorReport(code: code, message: message)))
        } else {
            FileHandle.standardError.write(Data("passkeys client \(command): \(message)\n".utf8))
        }
        return ExitCode(1)
    }

    private func emit(_ report: Report) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(report)) ?? Data(#"{"ok":false}"#.utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    struct Report: Encodable {
        var ok: Bool
        var command: String
        var user: UserReport?
        var passkeys: [PasskeyReport]?
        var sessions: [SessionReport]?
        var activity: [EventReport]?
        var error: ErrorReport?
    }

    /// A session as the API writes it (docs/api.md, "Session").
    struct SessionReport: Encodable {
        var id: String
        var createdAt: String
        var lastSeenAt: String
        var ip: String?
        var userAgent: String?
        var passkeyId: String?
        var current: Bool

        init(_ session: Auth.SessionInfo) {
            id = session.id
            createdAt = session.createdAt
            lastSeenAt = session.lastSeenAt
            ip = session.ip
            userAgent = session.userAgent
            passkeyId = session.passkeyID?.base64URL
            current = session.current
        }
    }

    /// An activity log entry as the API writes it (docs/api.md, "Event").
    struct EventReport: Encodable {
        var type: String
        var at: String
        var ip: String?
        var userAgent: String?
        var passkeyId: String?

        init(_ entry: Auth.ActivityEntry) {
            type = entry.type
            at = entry.at
            ip = entry.ip
            userAgent = entry.userAgent
            passkeyId = entry.passkeyID?.base64URL
        }
    }

    struct UserReport: Encodable {
        var id: String
        var username: String
        var displayName: String

        init(_ user: Auth.User) {
            id = user.id
            username = user.username
            displayName = user.displayName
        }
    }

    struct PasskeyReport: Encodable {
        var id: String
        var name: String
        var createdAt: String
        var lastUsedAt: String?
        var provider: String?
        var aaguid: String
        var synced: Bool
        var backupEligible: Bool
        var transports: [String]
        var algorithm: Int

        enum CodingKeys: String, CodingKey {
            case id, name, createdAt, lastUsedAt, provider, aaguid, synced, backupEligible, transports, algorithm
        }

        // `lastUsedAt` and `provider` are written as null when unknown, as the API writes them.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
            try container.encode(provider, forKey: .provider)
            try container.encode(aaguid, forKey: .aaguid)
            try container.encode(synced, forKey: .synced)
            try container.encode(backupEligible, forKey: .backupEligible)
            try container.encode(transports, forKey: .transports)
            try container.encode(algorithm, forKey: .algorithm)
        }

        init(_ passkey: Auth.Passkey) {
            id = passkey.id.base64URL
            name = passkey.name
            createdAt = passkey.createdAt
            lastUsedAt = passkey.lastUsedAt
            provider = passkey.provider
            aaguid = passkey.aaguid
            synced = passkey.synced
            backupEligible = passkey.backupEligible
            transports = passkey.transports
            algorithm = passkey.algorithm
        }
    }

    struct ErrorReport: Encodable {
        var code: String
        var message: String
    }
}
