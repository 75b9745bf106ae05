import Foundation
import Logging
import WebAuthn

/// Structured logs (`passkeys serve --log-format json`): one JSON object per line on standard
/// error, for log collectors.
///
/// Each line has `time` (ISO 8601, milliseconds, UTC), `level`, `label`, `message`, then the
/// metadata as string members (`request_id`, `ceremony`, `code`, …); `source`, `file` and `line`
/// say where it was logged. Messages and metadata come out as JSON strings, so a value a client
/// sent can never start a line of its own.
public struct JSONLogHandler: LogHandler, TextFieldsLogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable ([UInt8]) -> Void

    /// A handler that writes to standard error, one `write(2)` per line.
    public init(label: String) {
        self.label = label
        self.write = LogOutput.writeToStandardError
    }

    /// A handler that hands each line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable (Data) -> Void) {
        self.label = label
        self.write = { write(Data($0)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        writeLine(
            LogOutput.fields(metadata, provider: metadataProvider, explicit: event.metadata, error: event.error),
            level: event.level, message: event.message.description, source: event.source, file: event.file, line: event.line)
    }

    func log(
        level: Logger.Level, message: String, fields: [(key: String, value: String)],
        source: String, file: String, line: UInt
    ) {
        writeLine(
            LogOutput.fields(metadata, provider: metadataProvider, explicit: fields),
            level: level, message: message, source: source, file: file, line: line)
    }

    private func writeLine(
        _ metadataFields: [(key: String, value: String)], level: Logger.Level, message: String,
        source: String, file: String, line: UInt
    ) {
        var fields: [String: String] = [:]
        for (key, value) in metadataFields {
            fields[key] = value
        }
        let (seconds, milliseconds) = LogOutput.now()
        var time = String(decoding: LogOutput.utcTimestamp(seconds: seconds), as: UTF8.self)
        time += "." + String(String(milliseconds + 1000).dropFirst()) + "Z"
        fields["time"] = time
        fields["level"] = level.rawValue
        fields["label"] = label
        fields["message"] = message
        fields["source"] = source
        fields["file"] = file
        fields["line"] = String(line)
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            writer.string(value)
        }
        writer.endObject()
        write(writer.bytes + [0x0A])
    }
}
