import ArgumentParser
import Foundation
import PasskeyStore
import WebAuthn

/// `passkeys bench store` (and its older name `passkeys bench-store`): what the state shared
/// between server processes costs per request, on a real database: the rate-limit upsert next to
/// a bare round trip and a ceremony's own writes.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store",
        abstract: "Measure the store's per-request costs (rate limit, round trip, ceremony) on a database.",
        discussion: BenchStoreOptions.discussion
    )

    @OptionGroup var options: BenchStoreOptions

    func run() async throws { try await options.run() }
}

/// `passkeys bench store`: the same as `passkeys bench-store`.
struct BenchStoreSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure the store's per-request costs (rate limit, round trip, ceremony) on a database.",
        discussion: BenchStoreOptions.discussion
    )

    @OptionGroup var options: BenchStoreOptions

    func run() async throws { try await options.run() }
}

/// The options and the work of `bench store` / `bench-store`.
struct BenchStoreOptions: ParsableArguments {
    static let discussion = """
        Opens (and migrates) the database, then times each operation over --iterations calls \
        from --concurrency tasks at once: a bare round trip (SELECT 1), one rate-limit request \
        (one upsert), and a ceremony stored and consumed (two statements). Prints microseconds \
        per operation and operations per second. Writes rows named bench-… (the ceremonies are \
        consumed, the rate-limit keys are purged at the end). Build with -c release.
        """

    @Option(help: ArgumentHelp("The database: sqlite:PATH or postgres://….", valueName: "url"))
    var database: String

    @Option(help: "Operations per measurement.")
    var iterations: Int = 2000

    @Option(help: "Tasks running operations at once.")
    var concurrency: Int = 1

    @Option(name: .customLong("database-pool-size"), help: "PostgreSQL connections.")
    var poolSize: Int = 10

    mutating func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256") }
    }

    func run() async throws {
        let store: SQLPasskeyStore
        do {
            store = try await SQLPasskeyStore.open(url: database, poolSize: poolSize)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("passkeys bench-store: \(error.reason)\n".utf8))
            throw ExitCode(1)
        }
        let run = "bench-" + hexString(randomBytes(4))
        do {
            print("\(PostgresDatabaseURL.redact(database)), \(iterations) operations, \(concurrency) at once:")
            try await report("round trip (SELECT 1)") { _ in try await store.checkAvailability() }
            try await report("rate limit, one key per client") { index in
                _ = try await store.acquireRateLimit(key: "\(run):\(index % 1000)", limit: 1_000_000, period: 60, now: Date())
            }
            try await report("rate limit, one hot key") { _ in
                _ = try await store.acquireRateLimit(key: "\(run):hot", limit: 1_000_000, period: 60, now: Date())
            }
            try await report("ceremony stored + consumed") { _ in
                let now = Date()
                let ceremony = CeremonyRecord(
                    id: Base64URL.encode(randomBytes(32)), kind: .authentication, challenge: .random(),
                    userID: nil, state: Array("{}".utf8), createdAt: now, expiresAt: now.addingTimeInterval(300))
                try await store.insertCeremony(ceremony)
                _ = try await store.consumeCeremony(id: ceremony.id)
            }
            try await report("sealed ceremony spent") { _ in
                _ = try await store.spendCeremony(id: Base64URL.encode(randomBytes(16)), keepUntil: Date().addingTimeInterval(900))
            }
            try await store.purgeRateLimits(now: Date().addingTimeInterval(3600))
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }

    /// Runs `operation` `iterations` times over `concurrency` tasks, best of three rounds.
    func report(_ name: String, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<concurrency {
                    group.addTask { [iterations, concurrency] in
                        for index in stride(from: task, to: iterations, by: concurrency) { try await operation(index) }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds)
        }
        let perOperation = best / Double(iterations)
        // Latency of one operation (with `concurrency` in flight) and throughput.
        let latency = perOperation * Double(concurrency) * 1e6
        print("  " + name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(format: " %8.1f µs/op  %8.0f op/s", latency, 1 / perOperation))
    }
}
