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
                nothing; the others are imported. When the database fails, the import stops at that \
                line, reports what it did, and the accounts imported before it stay. The database \
                must exist (`passkeys migrate` makes a new one). Exit 0 when every line was imported, \
                1 when a line failed or the database failed, 2 on usage errors (a file that cannot be \
                read), 69 when the database cannot be reached, 78 when it cannot be opened as given. See \
                docs/migration.md.
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
            let outcome = try await database.withStore { store in
                let outcome = await LineByLineImport.run(Array(data), into: store)
                for failure in outcome.failures {
                    FileHandle.standardError.write(Data("\(file):\(failure.line): \(failure.reason)\n".utf8))
                }
                print("imported \(outcome.imported) account\(outcome.imported == 1 ? "" : "s") (\(outcome.withPassword) with a password); \(outcome.failures.count) line\(outcome.failures.count == 1 ? "" : "s") failed")
                return outcome
            }
            if let stop = outcome.stopped {
                let before = switch stop.line - 1 {
                case 0: "nothing was imported"
                case 1: "the 1 line before it was processed (imported ones stay)"
                case let count: "the \(count) lines before it were processed (imported ones stay)"
                }
                throw CommandFailure("stopped at line \(stop.line): \(stop.reason); \(before)", code: "database")
            }
            if !outcome.failures.isEmpty { throw ExitCode(1) }
        }
    }
}

/// `AccountImport` run one line at a time, so that a store failure that is not about a line (the
/// database locked past its busy timeout, a full disk, a lost connection) stops the import with
/// what it did so far: the lines before it are committed, and the operator must learn which.
/// (`AccountImport.run` reports a line's own failures and throws on any other, losing its report.)
struct LineByLineImport {
    struct Failure {
        /// 1-based, in the whole text.
        var line: Int
        var reason: String
    }

    var imported = 0
    var withPassword = 0
    var failures: [Failure] = []
    /// The line the store failed on, and why; it and the lines after it were not imported.
    var stopped: Failure?

    /// Imports the JSON Lines `bytes`. Each line is checked to be UTF-8 on its own, so one line in
    /// another encoding is a bad line, reported with its number, and the others are imported.
    static func run(_ bytes: [UInt8], into store: any PasskeyStore) async -> LineByLineImport {
        var outcome = LineByLineImport()
        let importer = AccountImport(store: store)
        // AccountImport's own rule: a line ends at LF or CRLF.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let withoutCR = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard let text = String(validating: withoutCR, as: UTF8.self) else {
                outcome.failures.append(Failure(line: index + 1, reason: "the line is not UTF-8 text"))
                continue
            }
            do {
                let report = try await importer.run(text)
                outcome.imported += report.imported
                outcome.withPassword += report.withPassword
                outcome.failures += report.failures.map { Failure(line: index + 1, reason: $0.reason) }
            } catch {
                let reason = (error as? StoreError).map { "the database failed: \($0.reason)" } ?? "\(error)"
                outcome.stopped = Failure(line: index + 1, reason: reason)
                break
            }
        }
        return outcome
    }
}
