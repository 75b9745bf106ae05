import ArgumentParser
import Foundation

/// The `passkeys` command line: run the server, verify ceremonies offline, act as a client.
@main
struct Passkeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passkeys",
        abstract: "Passkeys end to end: a WebAuthn server, an offline verifier, a client and an admin tool.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, VerifyCommand.self, MetadataCommand.self, BenchCommand.self,
            BenchStoreCommand.self, ClientCommand.self, ClientsCommand.self, KeysCommand.self, AccountsCommand.self,
            AdminCommand.self,
        ]
    )

    /// Runs the command; usage errors exit with status 2 (as most Unix tools do) instead of
    /// ArgumentParser's 64, with the message on standard error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            do {
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch let error as ValidationError {
                // A usage error found while running (a file named by an option that cannot be
                // read): the message alone, not the root command's usage, which says nothing of it.
                FileHandle.standardError.write(Data("passkeys: \(error.message)\n".utf8))
                Foundation.exit(2)
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("passkeys: \(failure.description)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
