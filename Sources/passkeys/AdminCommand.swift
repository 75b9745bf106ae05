import ArgumentParser
import Foundation
import PasskeyServer
import PasskeyStore
import WebAuthn

/// `passkeys admin`: look after accounts on the database itself, while servers run on it.
///
/// Every change is one store operation (each atomic, as the server's are) and an event in the
/// account's activity log, so the person sees it on their account page.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Look after accounts and sessions on the server's database, while servers run on it.",
        discussion: """
            Exit 0 when done, 1 when the account does not exist or the database fails, 2 on usage \
            errors, 78 when the database cannot be opened as given.
            """,
        subcommands: [Users.self, Sessions.self]
    )

    /// `--database`, as `passkeys serve` takes it (and `PASSKEYS_DATABASE`). The environment is
    /// read when the command runs, not as the option's default, so `--help` never shows a URL's
    /// password; every message names the URL with its password hidden.
    struct DatabaseOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The server's database: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (default PASSKEYS_DATABASE, else sqlite:./passkeys.sqlite).",
                valueName: "url"))
        var database: String?

        var url: String {
            if let database { return database }
            if let variable = ProcessInfo.processInfo.environment["PASSKEYS_DATABASE"], !variable.isEmpty { return variable }
            return PasskeyServerConfiguration().database
        }

        /// Opens the store, runs `body` on it and closes it, also when `body` throws.
        ///
        /// A SQLite file must exist already: a mistyped path would otherwise become a new, empty
        /// database, listed as having no accounts, or holding the apps and accounts just added where
        /// no server reads them (exit 78, as for any URL that cannot work as given).
        /// `passkeys migrate` makes a new database, for a deployment that starts with these tools.
        /// `sqlite::memory:` is refused for the same reason: it would be gone when the command exits.
        /// A database that cannot be reached is exit 69, one that cannot be opened as given 78, as
        /// for `passkeys migrate`.
        ///
        /// `body` prints what the command did: its changes are committed by then, and what it prints
        /// may exist nowhere else (a new client secret is shown once). So standard output is flushed
        /// before the store is closed, and a store that fails to close after `body` returned only
        /// gets a warning: the command did its work, and says so with exit status 0.
        func withStore<R>(_ body: (SQLPasskeyStore) async throws -> R) async throws -> R {
            let url = self.url
            if url.hasPrefix("sqlite:") {
                let path = String(url.dropFirst("sqlite:".count))
                var isDirectory: ObjCBool = false
                if path == ":memory:" {
                    throw CommandFailure(
                        "--database \(url): an in-memory database is gone when this command exits; name the server's database",
                        exitCode: 78, code: "database")
                }
                if !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue) {
                    throw CommandFailure(
                        "--database \(url): no database file there; check the path, or create it with `passkeys migrate --database \(url)`",
                        exitCode: 78, code: "database")
                }
            }
            let store: SQLPasskeyStore
            do {
                store = try await SQLPasskeyStore.open(url: url)
            } catch let error as StoreError {
                throw CommandFailure(
                    "--database \(PostgresDatabaseURL.redact(url)): \(error.reason)",
                    exitCode: error.code == .unavailable ? 69 : 78, code: "database")
            }
            let result: R
            do {
                result = try await body(store)
            } catch {
                try? await store.shutdown()
                if let error = error as? StoreError {
                    throw CommandFailure("the database failed: \(error.reason)", code: "database")
                }
                throw error
            }
            fflush(nil)  // all streams: Swift 6 refuses the global `stdout`
            do {
                try await store.shutdown()
            } catch {
                let reason = (error as? StoreError)?.reason ?? "\(error)"
                FileHandle.standardError.write(Data("passkeys: warning: closing the database failed after the command was done: \(reason)\n".utf8))
            }
            return result
        }
    }

    // MARK: users

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "List, show, disable, enable and delete accounts.",
            subcommands: [List.self, Show.self, Disable.self, Enable.self, Delete.self]
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List every account.")

            @OptionGroup var options: DatabaseOptions
            @Flag(help: "Print JSON instead of text.") var json = false

            func run() async throws {
                try await options.withStore { store in
                    var rows: [AdminOutput.UserSummary] = []
                    for user in try await store.users() {
                        rows.append(AdminOutput.UserSummary(
                            user, passkeys: try await store.credentials(userID: user.id).count,
                            sessions: try await store.sessions(userID: user.id).count))
                    }
                    show(rows)
                }
            }

            private func show(_ rows: [AdminOutput.UserSummary]) {
                if json {
                    AdminOutput.printJSON(["users": rows])
                    return
                }
                if rows.isEmpty {
                    print("No accounts.")
                    return
                }
                for row in rows {
                    let state = row.disabled ? "  DISABLED" : ""
                    print("\(row.username)  (\(row.displayName))  \(row.passkeys) passkey\(row.passkeys == 1 ? "" : "s"), \(row.sessions) session\(row.sessions == 1 ? "" : "s"), created \(AdminOutput.time(row.createdAt))\(state)")
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show one account: its passkeys, sessions and recent activity.")

            @OptionGroup var options: DatabaseOptions
            @Argument(help: "The account's username.") var username: String
            @Flag(help: "Print JSON instead of text.") var json = false

            func run() async throws {
                try await options.withStore { store in
                    let user = try await AdminOutput.account(username, in: store)
                    show(AdminOutput.UserDetails(
                        user: AdminOutput.UserSummary(
                            user, passkeys: try await store.credentials(userID: user.id).count,
                            sessions: try await store.sessions(userID: user.id).count),
                        passkeys: try await store.credentials(userID: user.id).map(AdminOutput.Passkey.init),
                        sessions: try await store.sessions(userID: user.id).map(AdminOutput.Session.init),
                        activity: try await store.auditEvents(userID: user.id, limit: 20).map(AdminOutput.Event.init)))
                }
            }

            private func show(_ details: AdminOutput.UserDetails) {
                if json {
                    AdminOutput.printJSON(details)
                    return
                }
                let user = details.user
                print("\(user.username)  (\(user.displayName))\(user.disabled ? "  DISABLED" : "")")
                print("  id \(user.id), created \(AdminOutput.time(user.createdAt))")
                print("Passkeys (\(details.passkeys.count)):")
                for passkey in details.passkeys {
                    print("  \(passkey.name)  \(passkey.id)  created \(AdminOutput.time(passkey.createdAt)), last used \(passkey.lastUsedAt.map(AdminOutput.time) ?? "never")")
                }
                print("Sessions (\(details.sessions.count)):")
                for session in details.sessions {
                    print("  since \(AdminOutput.time(session.createdAt)), last seen \(AdminOutput.time(session.lastSeenAt)), \(session.userAgent ?? "unknown device") \(session.ip ?? "")")
                }
                print("Recent activity:")
                for event in details.activity {
                    print("  \(AdminOutput.time(event.at))  \(event.type)\(event.detail.isEmpty ? "" : " (\(event.detail))")  \(event.ip ?? "")")
                }
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Turn an account off: its sessions end at once and it cannot sign in (403 account_disabled).")

            @OptionGroup var options: DatabaseOptions
            @Argument(help: "The account's username.") var username: String

            func run() async throws {
                try await options.withStore { store in
                    let user = try await AdminOutput.account(username, in: store)
                    let ended = try await store.sessions(userID: user.id).count
                    // The operator's event is stored with the change, in one transaction.
                    guard let disabled = try await store.setDisabled(
                        userID: user.id, true,
                        audit: AdminOutput.event(.accountDisabled, userID: user.id, detail: "\(ended) sessions ended"))
                    else { throw AdminOutput.noAccount(username) }
                    print("Disabled \(disabled.username); \(ended) session\(ended == 1 ? "" : "s") ended.")
                }
            }
        }

        struct Enable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Turn a disabled account on again.")

            @OptionGroup var options: DatabaseOptions
            @Argument(help: "The account's username.") var username: String

            func run() async throws {
                try await options.withStore { store in
                    let user = try await AdminOutput.account(username, in: store)
                    guard let enabled = try await store.setDisabled(
                        userID: user.id, false, audit: AdminOutput.event(.accountEnabled, userID: user.id))
                    else { throw AdminOutput.noAccount(username) }
                    print("Enabled \(enabled.username).")
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Delete an account with its passkeys, sessions and activity.")

            @OptionGroup var options: DatabaseOptions
            @Argument(help: "The account's username.") var username: String

            func run() async throws {
                try await options.withStore { store in
                    let user = try await AdminOutput.account(username, in: store)
                    // The account's own log goes with it; the operators' record, stored in the same
                    // transaction, names it.
                    guard try await store.deleteUser(
                        id: user.id,
                        audit: AdminOutput.event(.accountDeleted, userID: nil, detail: "\(user.username) (\(user.id.base64URL))"))
                    else { throw AdminOutput.noAccount(username) }
                    print("Deleted \(user.username).")
                }
            }
        }
    }

    // MARK: sessions

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sessions",
            abstract: "End accounts' sessions.",
            subcommands: [Revoke.self]
        )

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "End every session of an account at once (it can sign in again).")

            @OptionGroup var options: DatabaseOptions
            @Argument(help: "The account's username.") var username: String

            func run() async throws {
                try await options.withStore { store in
                    let user = try await AdminOutput.account(username, in: store)
                    // The operator's event is stored with the sessions' end, in one transaction.
                    let ended = try await store.deleteSessions(userID: user.id, keeping: nil) { [userID = user.id] ended in
                        [AdminOutput.event(.sessionsRevoked, userID: userID, detail: "\(ended.count) sessions ended")]
                    }.count
                    print("Ended \(ended) session\(ended == 1 ? "" : "s") of \(user.username).")
                }
            }
        }
    }
}

/// What `passkeys admin` prints, and its errors.
enum AdminOutput {
    /// The account, or exit 1 saying there is none.
    static func account(_ username: String, in store: some PasskeyStore) async throws -> UserRecord {
        guard let user = try await store.user(username: username) else { throw noAccount(username) }
        return user
    }

    static func noAccount(_ username: String) -> ExitCode {
        fail("no account has the username \(username)")
        return ExitCode(1)
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("passkeys admin: \(message)\n".utf8))
    }

    /// An event of an operator's action: no address or browser, the tool named as the agent.
    static func event(_ kind: AuditEvent.Kind, userID: UserHandle?, detail: String = "") -> AuditEvent {
        AuditEvent(userID: userID, kind: kind, detail: detail, at: Date(), userAgent: "passkeys admin")
    }

    static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func printJSON(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    struct UserSummary: Encodable {
        var id: String
        var username: String
        var displayName: String
        var createdAt: Date
        var disabled: Bool
        var passkeys: Int
        var sessions: Int

        init(_ user: UserRecord, passkeys: Int, sessions: Int) {
            self.id = user.id.base64URL
            self.username = user.username
            self.displayName = user.displayName
            self.createdAt = user.createdAt
            self.disabled = user.disabled
            self.passkeys = passkeys
            self.sessions = sessions
        }
    }

    struct Passkey: Encodable {
        var id: String
        var name: String
        var createdAt: Date
        var lastUsedAt: Date?

        init(_ credential: CredentialRecord) {
            self.id = credential.id.base64URL
            self.name = credential.name
            self.createdAt = credential.createdAt
            self.lastUsedAt = credential.lastUsedAt
        }
    }

    struct Session: Encodable {
        var createdAt: Date
        var lastSeenAt: Date
        var expiresAt: Date
        var ip: String?
        var userAgent: String?
        var passkeyId: String?

        init(_ session: SessionRecord) {
            self.createdAt = session.createdAt
            self.lastSeenAt = session.lastSeenAt
            self.expiresAt = session.expiresAt
            self.ip = session.ip
            self.userAgent = session.userAgent
            self.passkeyId = session.credentialID?.base64URL
        }
    }

    struct Event: Encodable {
        var type: String
        var at: Date
        var detail: String
        var ip: String?
        var userAgent: String?
        var passkeyId: String?

        init(_ event: AuditEvent) {
            self.type = event.kind.rawValue
            self.at = event.at
            self.detail = event.detail
            self.ip = event.ip
            self.userAgent = event.userAgent
            self.passkeyId = event.credentialID?.base64URL
        }
    }

    struct UserDetails: Encodable {
        var user: UserSummary
        var passkeys: [Passkey]
        var sessions: [Session]
        var activity: [Event]
    }
}
