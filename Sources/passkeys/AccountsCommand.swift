import ArgumentParser
import Foundation
import PasskeyServer
import PasskeyStore

/// `passkeys accounts`: manage accounts in a server's database.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Manage the accounts in a server's database.",
        subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import accounts (with their old password hashes) from JSON Lines.",
            discussion: """
                Each line: {"username", "displayName"?, "passwordHash"?, "emailVerified"?}. Hashes: bcrypt \
                ($2a$, $2b$, $2y$), argon2id ($argon2id$…, needs libargon2) and Django's \
                pbkdf2_sha256$ITERATIONS$SALT$HASH. A bad line is reported with its number and stores \
                nothing; the others are imported. Exit 0 when every line was imported, 1 when a line \
                failed or the database fails, 2 on usage errors (a file that cannot be read), 78 when \
                the database cannot be opened as given. See docs/migration.md.
                """
        )

        @OptionGroup var database: AdminCommand.DatabaseOptions

        @Argument(help: "The JSON Lines file ('-' for standard input).")
        var file: String

        func run() async throws {
            let data: Data?
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = FileManager.default.contents(atPath: file)
            }
            guard let data else { throw CommandFailure("cannot read \(file)", exitCode: 2) }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(file) is not UTF-8 text", exitCode: 2) }
            let report = try await database.withStore(existing: false) { store in try await AccountImport(store: store).run(text) }
            for failure in report.failures {
                FileHandle.standardError.write(Data("\(file):\(failure.line): \(failure.reason)\n".utf8))
            }
            print("imported \(report.imported) account\(report.imported == 1 ? "" : "s") (\(report.withPassword) with a password); \(report.failures.count) line\(report.failures.count == 1 ? "" : "s") failed")
            if !report.failures.isEmpty { throw ExitCode(1) }
        }
    }
}
