import Foundation
import Logging
import PasskeyStore
import WebAuthn

/// Opening the database when the server starts.
enum DatabaseStartup {
    /// Opens (and migrates) the configured database. While it cannot be reached — a PostgreSQL
    /// server still starting, a network not up yet — tries again with exponential backoff (half a
    /// second doubling to `maximumDelay`), logging one line per failed try, until it opens or the
    /// task is cancelled. Any other failure is final.
    ///
    /// - Throws: ``ConfigurationError`` when the database cannot be opened as configured.
    static func open(
        _ configuration: PasskeyServerConfiguration,
        logger: Logger,
        maximumDelay: TimeInterval = 30,
        sleep: @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int64($0 * 1000))) }
    ) async throws -> SQLPasskeyStore {
        let name = PostgresDatabaseURL.redact(configuration.database)
        var delay = 0.5
        var attempt = 1
        while true {
            do {
                return try await SQLPasskeyStore.open(
                    url: configuration.database, poolSize: configuration.databasePoolSize,
                    logger: Logger(label: "passkeys.store"))
            } catch let error as StoreError where error.code == .unavailable {
                logger.warning(
                    "database \(name) not reachable (try \(attempt)): \(error.reason); trying again in \(PasskeyServerConfiguration.format(delay)) s")
            } catch let error as StoreError {
                throw ConfigurationError("--database \(name): \(error.reason)")
            }
            try await sleep(delay)
            delay = min(delay * 2, maximumDelay)
            attempt += 1
        }
    }

    /// Records the number of the FIDO metadata BLOB loaded at start in the database, which refuses
    /// a BLOB older than one any process of it has used.
    static func recordMetadata(_ configuration: PasskeyServerConfiguration, in store: any PasskeyStore) async throws {
        guard let blob = configuration.attestationPolicy.metadata.blob else { return }
        do {
            try await MetadataNumber.record(blob.number, in: store)
        } catch let error as WebAuthnError {
            throw ConfigurationError("--metadata \(configuration.metadataPath ?? ""): \(error.reason); refusing a rollback")
        } catch {
            throw ConfigurationError("--metadata: its BLOB number cannot be recorded in the database: \(error)")
        }
    }
}
