import Foundation

/// A mailbox: an address with an optional display name (RFC 5322 §3.4, `name-addr`).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, `nil` for a bare address.
    public var name: String?
    /// `local@domain`.
    public var address: String

    /// A mailbox from its parts.
    ///
    /// - Throws: ``MailError`` when the address is not `local@domain` in printable ASCII or either
    ///   part holds a line break (which would let a value write header lines of its own).
    public init(name: String? = nil, address: String) throws(MailError) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard Self.isAddress(trimmed) else {
            throw MailError(.invalidAddress, "\"\(address)\" is not an email address (local@domain)")
        }
        if let name, name.contains(where: { $0.isNewline || $0 == "\u{0}" }) {
            throw MailError(.invalidAddress, "a display name cannot contain line breaks")
        }
        self.name = name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        self.address = trimmed
    }

    /// Parses `Name <local@domain>` or a bare `local@domain` (the `--mail-from` form).
    public init(parsing text: String) throws(MailError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
            }
            try self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            try self.init(address: trimmed)
        }
    }

    /// `local@domain` with printable ASCII and no space, angle bracket or line break: what an SMTP
    /// `MAIL FROM:<…>` / `RCPT TO:<…>` can carry as it is.
    public static func isAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 254, let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty, !domain.hasPrefix("."), !domain.hasSuffix(".") else {
            return false
        }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains(scalar)
        }
    }

    /// The header form: `address` or `"Name" <address>`, the name encoded (RFC 2047) when it is not
    /// plain ASCII.
    public var headerValue: String {
        guard let name else { return address }
        return "\(MailHeader.phrase(name)) <\(address)>"
    }

    public var description: String { headerValue }
}

/// An email: plain text and HTML alternatives of the same words, no tracking, no remote content.
public struct MailMessage: Sendable, Hashable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    /// The plain-text body; lines are broken by `\n`.
    public var text: String
    /// The same content as HTML.
    public var html: String
    /// The language of the words (`Content-Language`), e.g. `en`.
    public var language: String

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String, language: String = "en") {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.language = language
    }

    /// The message in Internet Message Format (RFC 5322) with a MIME `multipart/alternative` body
    /// (RFC 2046 §5.1.4): CRLF line ends, every line at most 78 characters, ASCII only (headers
    /// encoded by RFC 2047, bodies as quoted-printable, RFC 2045 §6.7).
    ///
    /// - Parameters:
    ///   - date: the `Date` header.
    ///   - messageID: the part of `Message-ID` before `@` (random unless a test fixes it).
    ///   - boundary: the MIME boundary (random unless a test fixes it).
    public func rendered(
        date: Date = Date(), messageID: String = UUID().uuidString.lowercased(),
        boundary: String = "=_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    ) -> String {
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        var lines: [String] = []
        lines.append(MailHeader.field("From", from.headerValue))
        lines.append(MailHeader.field("To", to.headerValue))
        lines.append(MailHeader.field("Subject", MailHeader.encodeUnstructured(subject)))
        lines.append("Date: \(MailHeader.date(date))")
        lines.append("Message-ID: <\(messageID)@\(domain)>")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Language: \(language.filter { $0.isASCII && ($0.isLetter || $0 == "-") })")
        lines.append("Auto-Submitted: auto-generated")
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("--\(boundary)")
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: quoted-printable")
        lines.append("")
        lines.append(QuotedPrintable.encode(text))
        lines.append("--\(boundary)")
        lines.append("Content-Type: text/html; charset=utf-8")
        lines.append("Content-Transfer-Encoding: quoted-printable")
        lines.append("")
        lines.append(QuotedPrintable.encode(html))
        lines.append("--\(boundary)--")
        lines.append("")
        return lines.joined(separator: "\r\n")
    }
}

/// Header values as RFC 5322 and RFC 2047 want them.
public enum MailHeader {
    /// A header field folded (RFC 5322 §2.2.3) at white space so no line passes 78 characters.
    static func field(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if current.count + 1 + word.count > 78, current.count > name.count + 1 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// Unstructured text (a subject): as it is when it is printable ASCII, otherwise RFC 2047
    /// encoded-words (`=?utf-8?B?…?=`), each at most 75 characters and never splitting a character.
    public static func encodeUnstructured(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), !text.contains("=?") {
            return text
        }
        // 75 characters: "=?utf-8?B?" + 45 bytes of base64 (60 characters) + "?=".
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text where !character.isNewline {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// A display name: a quoted string when it is printable ASCII, encoded-words otherwise.
    public static func phrase(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), !name.contains("=?") {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return encodeUnstructured(name)
    }

    /// RFC 5322 §3.3 date-time in UTC: `Tue, 01 Dec 2026 08:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// Quoted-printable (RFC 2045 §6.7) for UTF-8 text, with CRLF line ends.
public enum QuotedPrintable {
    /// Encodes `text`: its lines end in CRLF, bytes outside printable ASCII and `=` become `=XX`,
    /// white space at a line's end is encoded, and lines longer than 76 characters are broken with
    /// soft line breaks (`=` at the end).
    public static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
            .map { encodeLine(Array($0.utf8)) }
            .joined(separator: "\r\n")
    }

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var out: [String] = []
        var line = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            if byte == UInt8(ascii: "=") || byte > 0x7E || (byte < 0x20 && byte != 0x09)
                || (isLast && (byte == 0x20 || byte == 0x09)) {
                token = "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                token = String(UnicodeScalar(byte))
            }
            // 75 characters and a soft break "=" make the 76 a line may hold.
            if line.count + token.count > 75 {
                out.append(line + "=")
                line = ""
            }
            line += token
        }
        out.append(line)
        return out.joined(separator: "\r\n")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

/// Why mail could not be composed or sent: a stable code and a reason for the log.
public struct MailError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An address that is not `local@domain`.
        public static let invalidAddress = Code(rawValue: "invalid_address")
        /// An SMTP URL that cannot be used.
        public static let invalidURL = Code(rawValue: "invalid_smtp_url")
        /// The server answered with a code other than the one the step needs.
        public static let unexpectedReply = Code(rawValue: "unexpected_reply")
        /// The server refused for good: a `5yz` reply (RFC 5321 §4.2.1), which sending again
        /// will not change (an unknown recipient, a refused sender or message).
        public static let rejected = Code(rawValue: "rejected")
        /// `?starttls=required` and the server does not offer STARTTLS.
        public static let startTLSUnavailable = Code(rawValue: "starttls_unavailable")
        /// Credentials are configured and the server offers no mechanism we speak.
        public static let authenticationUnavailable = Code(rawValue: "authentication_unavailable")
        /// The server broke the protocol (a malformed or overlong reply, closed connection).
        public static let protocolViolation = Code(rawValue: "protocol_violation")
        /// The server did not answer in time.
        public static let timeout = Code(rawValue: "timeout")
        /// The connection could not be made.
        public static let connectionFailed = Code(rawValue: "connection_failed")
    }

    public let code: Code
    /// For logs; never holds a password.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: MailError, rhs: MailError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Whether sending the same message again cannot succeed: the server refused it for good, or
    /// the configuration cannot work (an address, the URL, TLS or authentication it requires).
    public var isPermanent: Bool {
        [.rejected, .invalidAddress, .invalidURL, .startTLSUnavailable, .authenticationUnavailable].contains(code)
    }
}
