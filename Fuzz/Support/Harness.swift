// What every fuzz target shares: turning libFuzzer's buffer into bytes, running async checks to
// completion, and holding each input to the time budget.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// No input may take longer than this much CPU time (docs/testing.md). An input over a tenth of
/// it is run twice more and judged by its fastest run, so one-time set-up does not count; a new
/// slowest input up to twenty times more, and one over the budget twenty times more over five
/// seconds, so a busy machine does not either.
/// FUZZ_SLOW_MS lowers it to look for the slowest inputs.
let slowInputLimitNanoseconds: UInt64 = {
    guard let text = getenv("FUZZ_SLOW_MS"), let milliseconds = UInt64(String(cString: text)) else { return 10_000_000 }
    return milliseconds * 1_000_000
}()

/// The slowest input seen in this process, printed when the process exits.
nonisolated(unsafe) var slowestNanoseconds: UInt64 = 0
nonisolated(unsafe) var slowestSize = 0
nonisolated(unsafe) var executions = 0
nonisolated(unsafe) var reportInstalled = false

/// Runs one input through `body`, timing it; crashes (so libFuzzer saves the input) when it is
/// slower than the budget on each of its runs.
@inline(never)
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: ([UInt8]) -> Void) -> CInt {
    if !reportInstalled {
        reportInstalled = true
        atexit {
            let milliseconds = Double(slowestNanoseconds) / 1_000_000
            report("fuzz: \(executions) inputs; slowest \(milliseconds) ms (\(slowestSize) bytes); limit \(slowInputLimitNanoseconds / 1_000_000) ms")
        }
    }
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    // FUZZ_PROFILE=N runs each input N more times first, for a profiler to see where time goes.
    if let text = getenv("FUZZ_PROFILE"), let count = Int(String(cString: text)) {
        for _ in 0..<count { body(bytes) }
    }
    executions += 1
    var elapsed = timed { body(bytes) }
    var runs = 1
    if elapsed > slowInputLimitNanoseconds / 10 {
        elapsed = min(elapsed, timed { body(bytes) }, timed { body(bytes) })
        runs = 3
    }
    // A new slowest input, and so any over the budget, is run up to twenty times more, 10 ms
    // apart, before it counts: on this virtual machine under a load of 16, a 0.8 ms input once
    // took 13.7 ms of CPU three times in a row (time the host gives to other machines can count
    // as ours). An input that is really slow stays slow.
    while elapsed > slowInputLimitNanoseconds / 10, elapsed > slowestNanoseconds, runs < 23 {
        usleep(10_000)
        elapsed = min(elapsed, timed { body(bytes) })
        runs += 1
    }
    // Over the budget still: this machine's host can slow every run for a second or more (the same
    // input, in the same process, measured 4.4 ms and 9.1 ms a minute apart). Such an input is
    // measured again, a quarter of a second apart for five seconds, before it counts.
    var waits = 0
    while elapsed > slowInputLimitNanoseconds, waits < 20 {
        usleep(250_000)
        elapsed = min(elapsed, timed { body(bytes) })
        runs += 1
        waits += 1
    }
    if elapsed > slowestNanoseconds {
        slowestNanoseconds = elapsed
        slowestSize = bytes.count
    }
    if elapsed > slowInputLimitNanoseconds {
        report("fuzz: an input of \(bytes.count) bytes took \(Double(elapsed) / 1_000_000) ms on its fastest of \(runs) runs")
        abort()
    }
    return 0
}

/// The CPU time `work` takes, on every thread of the process: wall-clock time on a shared
/// machine measures the other processes as much as this one.
private func timed(_ work: () -> Void) -> UInt64 {
    let start = processCPUTime()
    work()
    return processCPUTime() &- start
}

private func processCPUTime() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Writes a line to standard error at once (standard output is buffered, and lost on abort).
func report(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}

/// Runs async work to completion before returning (libFuzzer calls in synchronously).
///
/// The task starts on the calling thread (`Task.immediate`), so work that never really
/// suspends — certificate path building only awaits code that returns at once — runs here,
/// and the task is gone when this returns. A task on another thread could still be freeing its
/// memory after the input "ended"; libFuzzer then sees more allocations than frees and scans
/// the whole heap for leaks, which took most of the `attestation` target's time.
func runBlocking(_ work: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    let task = Task.immediate {
        await work()
        done.signal()
    }
    done.wait()
    _ = task
}

/// Stops the fuzzer with a message when a property that must hold does not.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        report("fuzz: property violated: \(message())")
        abort()
    }
}
