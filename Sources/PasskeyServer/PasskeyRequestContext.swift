import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The request context of the passkey server: Hummingbird's core context and the client's address.
public struct PasskeyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address of the connection's peer, when it has one.
    public let peerAddress: String?
    /// The client's address: the peer, or the address a trusted proxy forwarded
    /// (set by the server's middleware).
    public var clientAddress: String?
    /// What handlers add to the request's one log line; set by ``ServerMiddleware``.
    var logNotes: RequestLogNotes?

    /// A context for a request on `source`'s connection.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress.flatMap { ClientAddress.normalize($0) }
        self.clientAddress = peerAddress
    }

    /// The largest body the server accepts (``PasskeyServerConfiguration/maximumBodySize``, set by
    /// ``ServerMiddleware`` before a handler runs).
    public var maximumBodySize = PasskeyServerConfiguration.defaultMaximumBodySize

    /// The server collects bodies itself against ``maximumBodySize``; a decoder that collects
    /// one again is held to the same limit.
    public var maxUploadSize: Int { maximumBodySize }
}

/// Metadata a request's handlers add to its one log line (a ceremony step's fields), shared by
/// reference because each middleware hands the next a copy of the context.
final class RequestLogNotes: Sendable {
    private let notes = Mutex<Logger.Metadata>([:])

    func add(_ metadata: Logger.Metadata) {
        notes.withLock { notes in
            if notes.isEmpty {
                notes = metadata
            } else {
                notes.merge(metadata) { _, new in new }
            }
        }
    }

    /// The notes as text, without the keys in `excluded` (a few: compared, not hashed).
    func fields(excluding excluded: [String]) -> [(key: String, value: String)] {
        notes.withLock { notes in
            var fields: [(key: String, value: String)] = []
            fields.reserveCapacity(notes.count + excluded.count)
            for (key, value) in notes where !excluded.contains(key) {
                fields.append((key, value.description))
            }
            return fields
        }
    }
}
