import Foundation
import Testing

@testable import PasskeyServer
@testable import WebAuthn

/// FIDO metadata replaced while the server runs: newer BLOBs only.
@Suite struct MetadataRefreshTests {
    static let aaguid = "ee882879-721c-4913-9775-3dfcce97072a"

    /// A BLOB as if verified (the signature path is tested in WebAuthnTests).
    static func blob(_ number: Int, name: String = "YubiKey 5 Series") throws -> MetadataBLOB {
        try MetadataBLOB.decodePayload(Array("""
            {"no": \(number), "nextUpdate": "2030-01-01", "entries": [
              {"aaguid": "\(aaguid)", "metadataStatement": {"description": "\(name)"}, "statusReports": []}
            ]}
            """.utf8))
    }

    static func state(loaded number: Int) throws -> RelyingPartyState {
        var configuration = PasskeyServerConfiguration()
        configuration.attestationPolicy.metadata = AuthenticatorMetadata(blob: try blob(number))
        return try RelyingPartyState(configuration: configuration)
    }

    @Test func aNewerBLOBReplacesTheLoadedOneForVerificationAndNames() throws {
        let state = try Self.state(loaded: 5)
        try state.load(try Self.blob(6, name: "YubiKey 5 Series (renamed)"))
        #expect(state.metadata.blob?.number == 6)
        #expect(state.relyingParty.configuration.attestationPolicy.metadata.blob?.number == 6)
        let aaguid = try #require(AAGUID(uuidString: Self.aaguid))
        #expect(AuthenticatorDirectory(metadata: state.metadata).model(for: aaguid)?.name == "YubiKey 5 Series (renamed)")
    }

    @Test(arguments: [4, 5])
    func anOlderOrEqualBLOBIsRefusedAndChangesNothing(number: Int) throws {
        let state = try Self.state(loaded: 5)
        #expect(throws: WebAuthnError(.metadataRollback, "")) { try state.load(try Self.blob(number)) }
        #expect(state.metadata.blob?.number == 5)
        #expect(state.relyingParty.configuration.attestationPolicy.metadata.blob?.number == 5)
    }
}

/// One look at the `--metadata` file: what is worth another look at the next interval.
@Suite struct MetadataRefreshOutcomeTests {
    func service(_ path: String) async throws -> MetadataRefreshService {
        MetadataRefreshService(
            path: path, roots: [], interval: 1, state: try MetadataRefreshTests.state(loaded: 5),
            store: try await StoreKind.sqliteMemory.open().store, logger: .init(label: "test"))
    }

    @Test("A file that cannot be read is tried again; one that is not a BLOB is refused for good")
    func outcomes() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).jws").path
        #expect(try await service(missing).refreshOnce() == .tryAgain)
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).jws")
        try Data("not a JWS".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        #expect(try await service(garbage.path).refreshOnce() == .refused)
    }
}
