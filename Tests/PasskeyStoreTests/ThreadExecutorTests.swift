import Foundation
import PasskeyStore
import Testing

/// ``ThreadExecutor``'s thread carries its name where the system shows it, so `top -H`, `ps -L`
/// and `perf` tell the SQLite store's thread from Swift's shared ones.
@Suite("Thread executor")
struct ThreadExecutorTests {
    /// The calling thread's name as Linux keeps it (`/proc/thread-self/comm`, without its newline).
    private static func systemName() throws -> String {
        try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            .trimmingCharacters(in: .newlines)
    }

    #if os(Linux)
    @Test(
        "The thread has its name, cut to Linux's 15 bytes at a character boundary",
        arguments: [
            ("passkeys-sqlite", "passkeys-sqlite"),
            ("bench-client-12345", "bench-client-12"),
            ("sqlite-é-é-é-é-é", "sqlite-é-é-é"),
        ])
    func theThreadHasItsName(name: String, shown: String) async throws {
        let executor = ThreadExecutor(name: name)
        defer { executor.stop() }
        let seen = try await executor.run { try Self.systemName() }
        #expect(seen == shown)
        #expect(try Self.systemName() != shown, "the caller's own thread keeps its name")
    }
    #endif
}
