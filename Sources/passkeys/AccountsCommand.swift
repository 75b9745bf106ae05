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
                failed, 2 on usage errors. See docs/migration.md.
                """
        )

        @Option(help: ArgumentHelp("The server's database: sqlite:PATH.", valueName: "url"))
        var database: String

        @Argument(help: "The JSON Lines file ('-' for standard input).")
        var file: String

        func run() async throws {
            let data: Data?
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = FileManager.default.contents(atPath: file)
            }
            guard let data else { throw ValidationError("cannot read \(file)") }
            guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(file) is not UTF-8 text") }
            let store: SQLPasskeyStore
            do {
                store = try await SQLPasskeyStore.open(url: database)
            } catch let error as StoreError {
                throw ValidationError("--database \(database): \(error.reason)")
            }
            let report: AccountImport.Report
            do {
                report = try await AccountImport(store: store).run(text)
            } catch {
                try? await store.shutdown()
                FileHandle.standardError.write(Data("passkeys accounts import: the database failed: \(error)\n".utf8))
                throw ExitCode(1)
            }
            try await store.shutdown()
            for failure in report.failures {
                FileHandle.standardError.write(Data("\(file):\(failure.line): \(failure.reason)\n".utf8))
            }
            print("imported \(report.imported) account\(report.imported == 1 ? "" : "s") (\(report.withPassword) with a password); \(report.failures.count) line\(report.failures.count == 1 ? "" : "s") failed")
            if !report.failures.isEmpty { throw ExitCode(1) }
        }
    }
}
