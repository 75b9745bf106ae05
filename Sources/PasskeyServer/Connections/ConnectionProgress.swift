import NIOCore

/// How long a connection may take over each part of its life.
struct ConnectionTimeouts: Sendable, Equatable {
    /// From the first byte of a request (or from the connection's start, or, for a head begun while
    /// an answer went out, from the last of that answer's bytes the client took) to the end of its head.
    var header: TimeAmount
    /// From a request's head to the end of its body: the whole body, so a trickle cannot stretch it.
    var body: TimeAmount
    /// From the end of a response (the last of its bytes the client took) to the first byte of the
    /// next request on a keep-alive connection.
    var idle: TimeAmount
    /// Without any progress writing a response the client does not read.
    var write: TimeAmount
}

/// Which timeout ended a connection; a label of the timeout metric.
enum ConnectionTimeout: String, Sendable, CaseIterable {
    case header
    case body
    case idle
    case write
}

/// What the server does when a timeout ends a connection; a label of the timeout metric.
enum TimeoutOutcome: String, Sendable, CaseIterable {
    /// `408 Request Timeout` was written, then the connection closed (RFC 9110 §15.5.9).
    case requestTimeout = "408"
    /// The connection was closed without an answer: nothing was asked, or an answer was already
    /// under way, or the client reads nothing.
    case closed
}

/// Where one connection is in its requests and responses, and so which deadline it must meet next.
///
/// A pure value: the channel handler feeds it what it reads and writes, and asks for the deadline.
/// HTTP/1.1 answers requests in order, so counting heads and ends is enough to know the phase.
struct ConnectionProgress: Sendable {
    let timeouts: ConnectionTimeouts
    let openedAt: NIODeadline

    private(set) var requestHeads = 0
    private(set) var requestEnds = 0
    private(set) var responseHeads = 0
    private(set) var responseEnds = 0
    private var lastRequestHeadAt: NIODeadline
    private var lastResponseEndAt: NIODeadline?
    /// When bytes of a request whose head has not been decoded yet first arrived.
    ///
    /// Bytes are seen before the decoder splits them, so a partial head that arrives in the same
    /// read as a complete request is not noticed: that connection waits the idle timeout instead
    /// of the header timeout, which a client could have had anyway by sending nothing.
    private var partialHeadSince: NIODeadline?
    private var pendingWrites = 0
    private var lastWriteProgressAt: NIODeadline

    init(timeouts: ConnectionTimeouts, openedAt: NIODeadline) {
        self.timeouts = timeouts
        self.openedAt = openedAt
        self.lastRequestHeadAt = openedAt
        self.lastWriteProgressAt = openedAt
    }

    // MARK: Events

    mutating func bytesRead(at now: NIODeadline) {
        if requestHeads == requestEnds, partialHeadSince == nil { partialHeadSince = now }
    }

    mutating func requestHeadRead(at now: NIODeadline) {
        requestHeads += 1
        lastRequestHeadAt = now
        partialHeadSince = nil
    }

    mutating func requestEndRead() {
        requestEnds += 1
    }

    mutating func responseHeadWritten() {
        responseHeads += 1
    }

    mutating func responseEndWritten(at now: NIODeadline) {
        responseEnds += 1
        lastResponseEndAt = now
    }

    mutating func writeStarted(at now: NIODeadline) {
        if pendingWrites == 0 { lastWriteProgressAt = now }
        pendingWrites += 1
    }

    mutating func writeFinished(at now: NIODeadline) {
        pendingWrites = max(0, pendingWrites - 1)
        lastWriteProgressAt = now
    }

    /// Some write has not been taken by the socket in full yet.
    var writesPending: Bool { pendingWrites > 0 }

    // MARK: Deadlines

    /// The earliest deadline in force, and the timeout it belongs to; `nil` while the server is
    /// answering a request that has been read in full and its writes are moving.
    var nextDeadline: (deadline: NIODeadline, timeout: ConnectionTimeout)? {
        var earliest = readDeadline
        if pendingWrites > 0, lastResponseEndAt != nil, earliest?.timeout == .idle || earliest?.timeout == .header {
            // An answer is still going out: the client is reading it, not idle, and a head it began
            // meanwhile gets its full time once the answer is out. The write timeout governs.
            earliest = nil
        }
        if pendingWrites > 0 {
            let write = lastWriteProgressAt + timeouts.write
            if earliest.map({ write < $0.deadline }) ?? true { earliest = (write, .write) }
        }
        return earliest
    }

    private var readDeadline: (deadline: NIODeadline, timeout: ConnectionTimeout)? {
        if requestHeads > requestEnds { return (lastRequestHeadAt + timeouts.body, .body) }
        // Every request read has its answer under way: the server, not the client, is waited for.
        if responseEnds < requestHeads { return nil }
        if let partialHeadSince {
            // A head that began while the previous answer was written gets its full time after it:
            // after its end, and after the last of its bytes the client took.
            let start = max(partialHeadSince, lastResponseEndAt ?? partialHeadSince, lastWriteProgressAt)
            return (start + timeouts.header, .header)
        }
        // Idle from the last answer's end, or from the last of its bytes the client took.
        if let lastResponseEndAt { return (max(lastResponseEndAt, lastWriteProgressAt) + timeouts.idle, .idle) }
        return (openedAt + timeouts.header, .header)
    }

    /// Whether a `408` can still be written when `timeout` ends the connection: part of a request
    /// has arrived, no answer to it (or to an earlier request) has begun and none is still going
    /// out, so the bytes on the wire stay a well-formed sequence of responses.
    func outcome(of timeout: ConnectionTimeout) -> TimeoutOutcome {
        // Every answer begun has ended and is out: a `408` queued behind bytes the client has not
        // taken would be dropped by the close.
        let answersComplete = responseHeads == responseEnds && pendingWrites == 0
        switch timeout {
        case .header:
            return partialHeadSince != nil && answersComplete && responseEnds == requestHeads ? .requestTimeout : .closed
        case .body:
            return answersComplete && responseHeads == requestHeads - 1 ? .requestTimeout : .closed
        case .idle, .write:
            return .closed
        }
    }
}
