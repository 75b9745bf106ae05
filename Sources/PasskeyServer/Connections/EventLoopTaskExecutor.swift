import NIOCore

/// A connection's event loop as a Swift `TaskExecutor`: the task that serves a connection prefers
/// it, so reading a request, answering it and writing the answer run on the thread that owns the
/// connection's socket, with no hop to the shared pool and back for each. Work that takes long
/// leaves the loop on purpose (password hashes run on NIO's thread pool, store operations on the
/// store's own thread or connection), and comes back to it.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
