import Foundation
import Logging
import Synchronization
import PasskeyStore
import Testing

@testable import PasskeyServer
@testable import WebAuthn

/// Nothing a request depends on lives in one process: two servers on one database (two stores
/// opened on it) agree on rate limits, decoys, the metadata BLOB number and who purges.
@Suite struct SharedStateTests {
    /// Two stores opened on one database of `kind`: SQLite file, or one PostgreSQL schema.
    static func withTwoStores(
        _ kind: StoreKind, _ body: (SQLPasskeyStore, SQLPasskeyStore) async throws -> Void
    ) async throws {
        let first = try await kind.open()
        let second: SQLPasskeyStore
        do {
            switch kind {
            case .postgres:
                let (url, schema) = try #require(first.postgresSchema)
                second = try await SQLPasskeyStore.openPostgres(url: url, schema: schema)
            default:
                let folder = try #require(first.folder)
                second = try await SQLPasskeyStore.open(url: "sqlite:" + folder.appendingPathComponent("passkeys.sqlite").path)
            }
        } catch {
            await first.close()
            throw error
        }
        do {
            try await body(first.store, second)
        } catch {
            try? await second.shutdown()
            await first.close()
            throw error
        }
        try? await second.shutdown()
        await first.close()
    }

    static let sharedKinds = StoreKind.allCases.filter { $0 != .sqliteMemory }

    static func services(_ store: any PasskeyStore, rateLimit: Int = 0, now: Date = Date()) throws -> ServerServices {
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = rateLimit
        return try makeServices(configuration: configuration, store: store, registry: .init(), logger: .init(label: "test"), now: { now })
    }

    @Test(arguments: sharedKinds)
    func twoServersShowTheSameDecoyForAnUnknownName(kind: StoreKind) async throws {
        try await Self.withTwoStores(kind) { first, second in
            let one = try await Self.services(first).decoyDescriptors(username: "nobody@example.com")
            let other = try await Self.services(second).decoyDescriptors(username: "nobody@example.com")
            #expect(!one.isEmpty)
            #expect(one.map(\.id) == other.map(\.id))
            let another = try await Self.services(second).decoyDescriptors(username: "someone@example.com")
            #expect(another.map(\.id) != one.map(\.id), "each name has its own decoys")
        }
    }

    @Test(arguments: sharedKinds)
    func requestsSpreadOverTwoServersShareOneAllowance(kind: StoreKind) async throws {
        try await Self.withTwoStores(kind) { first, second in
            let now = Date()
            let servers = [try Self.services(first, rateLimit: 4, now: now), try Self.services(second, rateLimit: 4, now: now)]
            for index in 0..<4 {
                try await servers[index % 2].limitAccount("id:ada")
            }
            for server in servers {
                let error = await #expect(throws: APIError.self) { try await server.limitAccount("id:ada") }
                #expect(error?.code == "rate_limited")
            }
        }
    }

    @Test(arguments: sharedKinds)
    func onlyTheLeaseHolderPurgesUntilItsLeaseEnds(kind: StoreKind) async throws {
        try await Self.withTwoStores(kind) { first, second in
            let clock = TestClock()
            let logger = Logger(label: "test")
            let a = PurgeService(store: first, interval: 60, sessionIdleTimeout: 600, auditRetention: 90 * 86400, now: { clock.now }, logger: logger, holder: "a")
            let b = PurgeService(store: second, interval: 60, sessionIdleTimeout: 600, auditRetention: 90 * 86400, now: { clock.now }, logger: logger, holder: "b")
            #expect(await a.purgeOnce())
            #expect(await b.purgeOnce() == false)
            clock.advance(by: 60)
            #expect(await a.purgeOnce(), "the holder renews its lease")
            clock.advance(by: 119)
            #expect(await b.purgeOnce() == false)
            clock.advance(by: 1)
            #expect(await b.purgeOnce(), "a stopped holder's lease ends after two intervals")
            #expect(await a.purgeOnce() == false)
        }
    }

    @Test func aMetadataBLOBOlderThanOneTheDatabaseUsedStopsTheServerFromStarting() async throws {
        let store = MemoryPasskeyStore()
        var configuration = PasskeyServerConfiguration()
        configuration.attestationPolicy.metadata = AuthenticatorMetadata(blob: try MetadataRefreshTests.blob(43))
        try await DatabaseStartup.recordMetadata(configuration, in: store)
        configuration.attestationPolicy.metadata = AuthenticatorMetadata(blob: try MetadataRefreshTests.blob(42))
        let error = await #expect(throws: ConfigurationError.self) { try await DatabaseStartup.recordMetadata(configuration, in: store) }
        #expect(error?.message.contains("rollback") == true)
        configuration.attestationPolicy.metadata = AuthenticatorMetadata(blob: try MetadataRefreshTests.blob(43))
        try await DatabaseStartup.recordMetadata(configuration, in: store)
        #expect(try await store.raiseSetting(named: MetadataNumber.settingName, to: 0) == 43)
    }

    @Test func aDatabaseThatCannotBeReachedIsTriedAgainWithGrowingWaits() async throws {
        var configuration = PasskeyServerConfiguration()
        configuration.database = "postgres://passkeys@127.0.0.1:\(try closedLoopbackPort())/passkeys"
        let waits = WaitLog()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        await #expect(throws: CancellationError.self) {
            _ = try await DatabaseStartup.open(configuration, logger: logger, maximumDelay: 2) { seconds in
                waits.append(seconds)
                if waits.count == 4 { throw CancellationError() }
            }
        }
        #expect(waits.values == [0.5, 1, 2, 2])
    }

    @Test func aDatabaseURLThatIsWrongIsNotTriedAgain() async throws {
        var configuration = PasskeyServerConfiguration()
        configuration.database = "sqlite:/nonexistent-\(UUID().uuidString)/passkeys.sqlite"
        let waits = WaitLog()
        await #expect(throws: ConfigurationError.self) {
            _ = try await DatabaseStartup.open(configuration, logger: Logger(label: "test")) { waits.append($0) }
        }
        #expect(waits.values.isEmpty)
    }

    @Test func aStoreThatCannotBeReachedAnswers503Unavailable() {
        let answer = APIError(StoreError.unavailable("connection refused"))
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.code == "unavailable")
        #expect(answer.headers[.retryAfter] == "5")
        #expect(APIError(StoreError.failure("disk I/O error")).status == .internalServerError)
    }
}

/// The waits a retry loop asked for.
final class WaitLog: Sendable {
    private let log = Mutex<[TimeInterval]>([])
    var values: [TimeInterval] { log.withLock { $0 } }
    var count: Int { log.withLock { $0.count } }
    func append(_ value: TimeInterval) { log.withLock { $0.append(value) } }
}

/// A loopback port nothing listens on.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw ConfigurationError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
