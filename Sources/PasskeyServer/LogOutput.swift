#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// Where the server's log lines go and what they cost: each line is built as bytes in one buffer
/// and handed to standard error in one `write(2)`, and the timestamp's date and time are
/// formatted once a second rather than once a line (`strftime` with the local zone looks the
/// zone file up on every call). Used by ``TextLogHandler`` and ``JSONLogHandler``.
enum LogOutput {
    /// Writes one whole line to standard error; a line is never interleaved with another.
    static func writeToStandardError(_ line: [UInt8]) {
        standardErrorLock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count, let base = buffer.baseAddress {
                    let written = write(2, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return  // standard error is gone: a log line is not worth failing a request
                    }
                }
            }
        }
    }

    private static let standardErrorLock = Mutex<Void>(())

    /// The current time as whole seconds since 1970 and the milliseconds past them.
    static func now() -> (seconds: Int, milliseconds: Int) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return (Int(time.tv_sec), Int(time.tv_nsec) / 1_000_000)
    }

    /// `2026-12-04T05:30:17+0000`: local time with its offset, as swift-log's stream handler writes it.
    static func localTimestamp(seconds: Int) -> [UInt8] {
        cached(seconds: seconds, utc: false)
    }

    /// `2026-12-04T05:30:17`: UTC, for ISO 8601 with the milliseconds and `Z` appended.
    static func utcTimestamp(seconds: Int) -> [UInt8] {
        cached(seconds: seconds, utc: true)
    }

    private struct Cached {
        var local = (second: Int.min, text: [UInt8]())
        var utc = (second: Int.min, text: [UInt8]())
    }

    private static let cache = Mutex(Cached())

    private static func cached(seconds: Int, utc: Bool) -> [UInt8] {
        cache.withLock { cache in
            if utc {
                if cache.utc.second != seconds { cache.utc = (seconds, format(seconds: seconds, utc: true)) }
                return cache.utc.text
            }
            if cache.local.second != seconds { cache.local = (seconds, format(seconds: seconds, utc: false)) }
            return cache.local.text
        }
    }

    /// The timestamp of `seconds` since 1970, formatted now (no cache): for dates other than the
    /// current second, such as a passkey's creation in an answer.
    static func format(seconds: Int, utc: Bool) -> [UInt8] {
        var time = time_t(seconds)
        var parts = tm()
        let converted = utc ? gmtime_r(&time, &parts) : localtime_r(&time, &parts)
        guard converted != nil else { return Array("<unknown>".utf8) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M:%S%z", &parts)
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }

    /// The metadata a line carries, as text sorted by key: the handler's own, then the
    /// provider's, then the call's, each later one winning; an error adds `error.message` and
    /// `error.type` (as swift-log's handlers do). Built as one array, without merging dictionaries.
    static func fields(
        _ base: Logger.Metadata, provider: Logger.MetadataProvider?, explicit: Logger.Metadata?, error: (any Error)?
    ) -> [(key: String, value: String)] {
        let provided = provider?.get() ?? [:]
        let explicit = explicit ?? [:]
        var errorFields: [(key: String, value: String)] = []
        if let error {
            errorFields = [("error.message", "\(error)"), ("error.type", String(reflecting: type(of: error)))]
        }
        func overridden(_ key: String) -> Bool {
            errorFields.contains { $0.key == key }
        }
        var fields: [(key: String, value: String)] = []
        fields.reserveCapacity(base.count + provided.count + explicit.count + errorFields.count)
        for (key, value) in base where provided[key] == nil && explicit[key] == nil && !overridden(key) {
            fields.append((key, value.description))
        }
        for (key, value) in provided where explicit[key] == nil && !overridden(key) {
            fields.append((key, value.description))
        }
        for (key, value) in explicit where !overridden(key) {
            fields.append((key, value.description))
        }
        fields.append(contentsOf: errorFields)
        // Each key is in the array once, so any sort gives the same order.
        fields.sort { $0.key < $1.key }
        return fields
    }
}

extension LogOutput {
    /// ``fields(_:provider:explicit:error:)`` for a line whose own fields are text already (each
    /// key once): the handler's metadata, then the provider's, then `explicit`, each later one
    /// winning, sorted by key.
    static func fields(
        _ base: Logger.Metadata, provider: Logger.MetadataProvider?, explicit: [(key: String, value: String)]
    ) -> [(key: String, value: String)] {
        let provided = provider?.get() ?? [:]
        func given(_ key: String) -> Bool { explicit.contains { $0.key == key } }
        var fields = explicit
        fields.reserveCapacity(explicit.count + base.count + provided.count)
        for (key, value) in base where provided[key] == nil && !given(key) {
            fields.append((key, value.description))
        }
        for (key, value) in provided where !given(key) {
            fields.append((key, value.description))
        }
        fields.sort { $0.key < $1.key }
        return fields
    }
}

/// A log handler that takes a line's fields as text, without `Logger.Metadata`: the server's
/// handlers, for the line every request writes (``RequestLine``). The line is the one
/// `log(event:)` would write for the same fields as `.string` metadata.
protocol TextFieldsLogHandler: LogHandler {
    func log(
        level: Logger.Level, message: String, fields: [(key: String, value: String)],
        source: String, file: String, line: UInt)
}

/// The request's one log line (``ServerMiddleware``).
enum RequestLine {
    /// Writes `fields` (each key once) at `info` with the message `request`: straight to a
    /// ``TextFieldsLogHandler``, through `Logger.Metadata` to any other handler.
    static func log(_ fields: [(key: String, value: String)], to logger: Logger, file: String = #fileID, line: UInt = #line) {
        guard logger.logLevel <= .info else { return }
        // The module, as swift-log takes it from the file's ID.
        let source = String(file.prefix { $0 != "/" })
        // The server's two handlers by their types first: a cast to a concrete type compares
        // metadata, one to a protocol looks the conformance up.
        if let handler = logger.handler as? TextLogHandler {
            handler.log(level: .info, message: "request", fields: fields, source: source, file: file, line: line)
        } else if let handler = logger.handler as? JSONLogHandler {
            handler.log(level: .info, message: "request", fields: fields, source: source, file: file, line: line)
        } else if let handler = logger.handler as? any TextFieldsLogHandler {
            handler.log(level: .info, message: "request", fields: fields, source: source, file: file, line: line)
        } else {
            var metadata: Logger.Metadata = [:]
            for (key, value) in fields { metadata[key] = .string(value) }
            logger.info("request", metadata: metadata, source: source, file: file, line: line)
        }
    }
}

/// The default logs (`passkeys serve`, `--log-format text`): one line per event on standard
/// error, in swift-log's stream format — `2026-12-04T05:30:17+0000 info passkeys.server: code=…
/// request_id=… [PasskeyServer] message` with the metadata sorted by key.
///
/// Unlike that handler, a control character in a value (one a client sent, say) is written escaped
/// (`\n`, `\u{1B}`), and a message's line breaks go on to lines indented by four spaces, so no one
/// can forge an entry of their own or move the terminal's cursor; a mail written to the log stays
/// readable.
public struct TextLogHandler: LogHandler, TextFieldsLogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable ([UInt8]) -> Void

    /// A handler that writes to standard error.
    public init(label: String) {
        self.init(label: label, write: LogOutput.writeToStandardError)
    }

    /// A handler that hands each line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = LogOutput.fields(metadata, provider: metadataProvider, explicit: event.metadata, error: event.error)
        writeLine(level: event.level, fields: fields, source: event.source, message: event.message.description)
    }

    func log(
        level: Logger.Level, message: String, fields: [(key: String, value: String)],
        source: String, file: String, line: UInt
    ) {
        let fields = LogOutput.fields(metadata, provider: metadataProvider, explicit: fields)
        writeLine(level: level, fields: fields, source: source, message: message)
    }

    private func writeLine(level: Logger.Level, fields: [(key: String, value: String)], source: String, message: String) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: LogOutput.localTimestamp(seconds: LogOutput.now().seconds))
        line.append(0x20)
        line.append(contentsOf: level.rawValue.utf8)
        if !label.isEmpty {
            line.append(0x20)
            Self.appendEscaped(label, to: &line)
        }
        line.append(0x3A)  // ":"
        for (key, value) in fields {
            line.append(0x20)
            Self.appendEscaped(key, to: &line)
            line.append(0x3D)  // "="
            Self.appendEscaped(value, to: &line)
        }
        line.append(contentsOf: " [".utf8)
        Self.appendEscaped(source, to: &line)
        line.append(contentsOf: "] ".utf8)
        Self.appendMessage(message, to: &line)
        line.append(0x0A)
        write(line)
    }

    /// A message's UTF-8: a line break (LF or CRLF) goes on to a new line indented by four spaces,
    /// so a mail written to the log (``LogMailTransport``) stays readable and no line of it can pass
    /// for an entry of its own; other controls are escaped.
    static func appendMessage(_ text: String, to line: inout [UInt8]) {
        var bytes = text.utf8[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case 0x0A:
                line.append(contentsOf: "\n    ".utf8)
            case 0x0D where bytes.first == 0x0A:
                continue
            case 0x09:
                line.append(byte)
            default:
                appendEscaped(byte, to: &line)
            }
        }
    }

    /// The text's UTF-8 with C0 controls and DEL escaped.
    static func appendEscaped(_ text: String, to line: inout [UInt8]) {
        // Most values have no control character: copied whole.
        var text = text
        let copied = text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return false }
            line.append(contentsOf: utf8)
            return true
        }
        if !copied {
            for byte in text.utf8 { appendEscaped(byte, to: &line) }
        }
    }

    private static func appendEscaped(_ byte: UInt8, to line: inout [UInt8]) {
        switch byte {
        case 0x0A: line.append(contentsOf: #"\n"#.utf8)
        case 0x0D: line.append(contentsOf: #"\r"#.utf8)
        case 0x09: line.append(contentsOf: #"\t"#.utf8)
        case 0x00..<0x20, 0x7F:
            line.append(contentsOf: #"\u{"#.utf8)
            line.append(contentsOf: String(byte, radix: 16, uppercase: true).utf8)
            line.append(0x7D)  // "}"
        default: line.append(byte)
        }
    }
}
