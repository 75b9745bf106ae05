import Foundation
import Logging
import PasskeyStore
import ServiceLifecycle
import Synchronization
import WebAuthn

/// The relying party the server verifies with. Its FIDO metadata can be replaced while the server
/// runs — by a newer BLOB only, so an attacker who can swap the file cannot roll it back to one
/// from before an authenticator was reported compromised.
final class RelyingPartyState: Sendable {
    private struct Current: Sendable {
        var relyingParty: RelyingParty
        var metadata: AuthenticatorMetadata
    }

    private let configuration: PasskeyServerConfiguration
    private let current: Mutex<Current>

    init(configuration: PasskeyServerConfiguration) throws(ConfigurationError) {
        self.configuration = configuration
        let relyingParty = RelyingParty(configuration: try configuration.relyingPartyConfiguration())
        current = Mutex(Current(relyingParty: relyingParty, metadata: configuration.attestationPolicy.metadata))
    }

    var relyingParty: RelyingParty { current.withLock { $0.relyingParty } }
    var metadata: AuthenticatorMetadata { current.withLock { $0.metadata } }

    /// Loads a verified BLOB; one that is not newer than the loaded one is refused with
    /// `metadata_rollback` and changes nothing.
    func load(_ blob: MetadataBLOB) throws(WebAuthnError) {
        var metadata = self.metadata
        try metadata.load(blob)
        var updated = configuration
        updated.attestationPolicy.metadata = metadata
        let relyingParty: RelyingParty
        do {
            relyingParty = RelyingParty(configuration: try updated.relyingPartyConfiguration())
        } catch {
            throw WebAuthnError(.invalidConfiguration, error.message)
        }
        let replacement = Current(relyingParty: relyingParty, metadata: metadata)
        try current.withLock { (state: inout Current) throws(WebAuthnError) in
            // Another load may have won the race: keep whichever BLOB is newest.
            if let loaded = state.metadata.blob?.number, loaded >= blob.number {
                throw WebAuthnError(.metadataRollback, "metadata BLOB \(blob.number) is not newer than the loaded \(loaded)")
            }
            state = replacement
        }
    }
}

/// Re-reads the `--metadata` file every interval and loads it when it holds a newer BLOB.
struct MetadataRefreshService: Service {
    let path: String
    let roots: [AttestationPolicy.Root]
    let interval: TimeInterval
    let state: RelyingPartyState
    /// Where the newest BLOB number is kept, shared by every process on the database.
    let store: any PasskeyStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastModified = Self.modificationDate(path)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                } catch {
                    return
                }
                let modified = Self.modificationDate(path)
                guard modified != lastModified else { continue }
                // A file that could not be read, or a database that did not answer, is tried again
                // at the next interval: a newer BLOB (one that reports a model compromised) must
                // not wait for the file to change once more.
                if await refreshOnce() != .tryAgain { lastModified = modified }
            }
        }
    }

    /// What one look at the file came to.
    enum Outcome: Equatable {
        /// A newer BLOB is loaded.
        case loaded
        /// The file's BLOB is refused for good (not verified, or not newer).
        case refused
        /// The file could not be read, or the database did not answer: worth another look.
        case tryAgain
    }

    /// Reads, verifies and loads the file once; every outcome is logged, none stops the server.
    @discardableResult
    func refreshOnce() async -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            logger.warning("metadata file cannot be read; keeping the loaded BLOB", metadata: ["path": "\(path)"])
            return .tryAgain
        }
        do {
            let blob = try await MetadataBLOB.verify(
                jws: String(decoding: data, as: UTF8.self), roots: roots.isEmpty ? nil : roots)
            // Refused when any process of this database, now or before a restart, used a newer BLOB.
            try await MetadataNumber.record(blob.number, in: store)
            try state.load(blob)
            logger.notice("loaded FIDO metadata", metadata: ["number": "\(blob.number)", "entries": "\(blob.entries.count)"])
            return .loaded
        } catch let error as WebAuthnError {
            logger.warning(
                "metadata BLOB refused; keeping the loaded one",
                metadata: ["code": "\(error.code)", "reason": "\(error.reason)", "path": "\(path)"])
            return .refused
        } catch {
            logger.warning(
                "metadata BLOB not loaded: the database failed; keeping the loaded one and trying again",
                metadata: ["error": "\(error)", "path": "\(path)"])
            return .tryAgain
        }
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
