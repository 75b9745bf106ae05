import ArgumentParser
import Foundation
import PasskeyStore

/// `passkeys migrate`: brings a database's schema up to this version and stops, so a deployment
/// can migrate once before starting (or upgrading) its server processes. `serve` migrates too;
/// both are safe when several processes do it at once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations this version has, then exit.",
        discussion: """
            Migrations only go forward; a database already up to date is left as it is. \
            Exit status: 0 when the database is at the newest version, 69 when it cannot be \
            reached, 78 when the URL is wrong or a migration fails. See docs/deploy.md.
            """
    )

    @Option(
        help: ArgumentHelp("The database: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…] (default $PASSKEYS_DATABASE, then sqlite:./passkeys.sqlite).", valueName: "url")
    )
    var database: String?

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["PASSKEYS_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "sqlite:./passkeys.sqlite"
        let name = PostgresDatabaseURL.redact(url)
        do {
            let store = try await SQLPasskeyStore.open(url: url, poolSize: 1)
            let applied: [AppliedMigration]
            do {
                applied = try await store.appliedMigrations()
            } catch {
                try? await store.shutdown()
                throw error
            }
            try await store.shutdown()
            for migration in applied {
                print("\(migration.version) \(migration.name) applied \(ISO8601DateFormatter().string(from: migration.appliedAt))")
            }
            print("\(name): schema version \(applied.map(\.version).max() ?? 0)")
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("passkeys migrate: \(name): \(error.reason)\n".utf8))
            throw ExitCode(error.code == .unavailable ? 69 : 78)  // EX_UNAVAILABLE, EX_CONFIG
        }
    }
}
