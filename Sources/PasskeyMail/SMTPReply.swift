/// A server's reply (RFC 5321 §4.2): a three-digit code and one or more lines of text.
public struct SMTPReply: Sendable, Hashable {
    /// The reply code, 200…599.
    public var code: Int
    /// The text of each line, after the code and its separator.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx: the command was accepted.
    public var isPositive: Bool { (200..<300).contains(code) }

    /// The text of all lines, for logs (made printable, at most 200 characters).
    public var summary: String {
        let text = lines.joined(separator: " / ")
        let printable = String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return "\(code) " + (printable.count > 200 ? String(printable.prefix(200)) + "…" : printable)
    }

    /// The keywords of an EHLO reply (RFC 5321 §4.1.1.1): every line after the greeting, upper-cased,
    /// each with its parameters (`AUTH` → `["PLAIN", "LOGIN"]`).
    public var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            result[keyword] = Array(words.dropFirst())
        }
        return result
    }
}

/// Turns the bytes a server sends into replies. Lines end in CRLF (a bare LF is accepted); a
/// multi-line reply has `-` after the code on every line but the last (RFC 5321 §4.2.1), and every
/// line must carry the same code.
///
/// Bounded: a line longer than ``maximumLineLength`` or a reply of more than ``maximumLines`` lines
/// is a protocol violation, so a hostile server cannot make the client buffer without end.
public struct SMTPReplyReader: Sendable {
    /// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; some servers send more.
    public static let maximumLineLength = 2048
    public static let maximumLines = 100

    private var buffer: [UInt8] = []
    private var pendingLines: [String] = []
    private var pendingCode: Int?

    public init() {}

    /// Whether bytes are waiting that belong to no complete reply yet. Before TLS starts this must
    /// be false: bytes sent ahead of the handshake would otherwise be read as if they came over TLS.
    public var hasBufferedData: Bool { !buffer.isEmpty || !pendingLines.isEmpty }

    /// Adds received bytes and returns the replies they complete, in order.
    public mutating func read(_ bytes: some Sequence<UInt8>) throws(MailError) -> [SMTPReply] {
        buffer.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let reply = try take(line) { replies.append(reply) }
        }
        guard buffer.count <= Self.maximumLineLength else {
            throw MailError(.protocolViolation, "a reply line is longer than \(Self.maximumLineLength) bytes")
        }
        return replies
    }

    private mutating func take(_ line: [UInt8]) throws(MailError) -> SMTPReply? {
        guard line.count <= Self.maximumLineLength else {
            throw MailError(.protocolViolation, "a reply line is longer than \(Self.maximumLineLength) bytes")
        }
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let code = Int(String(decoding: line[0...2], as: UTF8.self)), (200...599).contains(code)
        else {
            throw MailError(.protocolViolation, "a reply line does not start with a reply code")
        }
        let separator: UInt8? = line.count > 3 ? line[3] : nil
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw MailError(.protocolViolation, "a reply code is not followed by a space or a hyphen")
        }
        if let pendingCode, pendingCode != code {
            throw MailError(.protocolViolation, "a multi-line reply changes its code from \(pendingCode) to \(code)")
        }
        pendingCode = code
        pendingLines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard pendingLines.count <= Self.maximumLines else {
            throw MailError(.protocolViolation, "a reply has more than \(Self.maximumLines) lines")
        }
        guard separator != UInt8(ascii: "-") else { return nil }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingLines = []
        pendingCode = nil
        return reply
    }
}
