import NIOCore

/// How many event loops (NIO's threads for sockets: HTTP, PostgreSQL, SMTP) the server runs.
///
/// The handlers run on Swift's cooperative pool, one thread a core, and SQLite on a thread of its
/// own; the loops only read, parse and write. One loop for every two cores leaves the cores to
/// that work instead of to switching between threads: on two cores, one loop instead of two cut
/// the server's CPU per sign-in by about 8 % on SQLite and 4 % on PostgreSQL (docs/performance.md,
/// lever 24), with the p99 as good or better on SQLite.
public enum EventLoops {
    /// Half the cores, at least one.
    public static func defaultCount(cores: Int) -> Int {
        max(1, cores / 2)
    }

    /// The most loops `--event-loops` takes (as NIO does).
    public static let maximum = 1024

    /// Sets this process's loop count: `requested` when given, otherwise NIO's own variable
    /// `NIO_SINGLETON_GROUP_LOOP_COUNT` when the environment sets it, otherwise
    /// ``defaultCount(cores:)``. Returns the count in effect.
    ///
    /// Call it once, first: before anything in the process has used NIO's shared loops (NIO stops
    /// the process otherwise). `passkeys serve` calls it before it reads its other settings.
    /// - Throws: ``ConfigurationError`` for a count below 1 or above ``maximum``.
    @discardableResult
    public static func configure(_ requested: Int?, environment: [String: String]) throws(ConfigurationError) -> Int {
        if let requested {
            guard (1...maximum).contains(requested) else {
                throw ConfigurationError("--event-loops must be between 1 and \(maximum), not \(requested)")
            }
            NIOSingletons.groupLoopCountSuggestion = requested
        } else if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = defaultCount(cores: System.coreCount)
        }
        return NIOSingletons.groupLoopCountSuggestion
    }
}
