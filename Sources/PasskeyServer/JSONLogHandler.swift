import Foundation
import Logging

/// Structured logs (`passkeys serve --log-format json`): one JSON object per line on standard
/// error, for log collectors.
///
/// Each line has `time` (ISO 8601, milliseconds, UTC), `level`, `label`, `message`, then the
/// metadata as string members (`request_id`, `ceremony`, `code`, …); `source`, `file` and `line`
/// say where it was logged. Messages and metadata come out as JSON strings, so a value a client
/// sent can never start a line of its own.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (Data) -> Void

    /// A handler that writes to standard error.
    public init(label: String) {
        self.init(label: label) { FileHandle.standardError.write($0) }
    }

    /// A handler that hands each line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable (Data) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var fields: [String: String] = [:]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        for (key, value) in merged { fields[key] = value.description }
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = level.rawValue
        fields["label"] = label
        fields["message"] = message.description
        fields["source"] = source
        fields["file"] = file
        fields["line"] = String(line)
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        data.append(0x0A)
        write(data)
    }
}
