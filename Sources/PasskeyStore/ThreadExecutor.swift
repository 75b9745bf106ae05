import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that runs Swift tasks' jobs (a `TaskExecutor`): code inside ``run(_:)``,
/// or in a task that prefers this executor, runs on it from start to end. The SQLite store runs
/// each operation on one (one hop there and one back, whatever the number of statements in it);
/// `passkeys bench http` gives each client one, so that its blocking socket calls hold up only
/// that thread.
package final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var idleActions: [@Sendable () -> Void] = []
    private var stopped = false

    package init(name: String) {
        let thread = Thread { [self] in
            Self.nameCurrentThread(name)
            self.loop()
        }
        thread.name = name
        thread.start()
    }

    /// Gives the calling thread `name` where the system shows it (`top -H`, `ps -L`, `perf`, a
    /// debugger), cut to Linux's 15 bytes at a character boundary. Foundation's `Thread.name`
    /// alone does not reach the system for a thread started from another one: the thread showed
    /// the name of the thread that created it (`root.default-qos`, a Swift pool thread).
    /// (Glibc's `pthread_setname_np` and `prctl` do not reach Swift; the thread's `comm` file is
    /// what they write.)
    static func nameCurrentThread(_ name: String) {
        #if canImport(Glibc)
        var cut = Substring(name)
        while cut.utf8.count > 15 { cut = cut.dropLast() }
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        defer { close(file) }
        let bytes = Array(cut.utf8)
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        #endif
    }

    /// Runs `body` on this thread.
    package func run<R: Sendable>(_ body: @Sendable () throws -> R) async throws -> R {
        try await withTaskExecutorPreference(self) { try await Self.call(body) }
    }

    /// An `async` step that runs where the task prefers to run: on this thread.
    private static func call<R>(_ body: () throws -> R) async throws -> R { try body() }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !stopped else {
            condition.unlock()
            // A job after `stop()` still runs, on the shared executor (a store operation after
            // shutdown then fails: the handle is closed).
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `action` on this thread once no job is queued: after the jobs queued now, and any they
    /// queue in turn, have run. The SQLite store commits a group of operations there.
    package func whenIdle(_ action: @escaping @Sendable () -> Void) {
        condition.lock()
        idleActions.append(action)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs already queued have run; later jobs run on the global executor.
    package func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        // The jobs being run: swapped with the queue, so neither array is copied or reallocated.
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty, idleActions.isEmpty, !stopped { condition.wait() }
            if jobs.isEmpty {
                guard !idleActions.isEmpty else {
                    condition.unlock()
                    return
                }
                let actions = idleActions
                idleActions.removeAll()
                condition.unlock()
                for action in actions { action() }
                continue
            }
            swap(&jobs, &batch)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
