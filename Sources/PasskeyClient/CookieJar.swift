import Foundation

/// The cookies of one server: its session cookie and the pending ceremony's. Kept by hand rather
/// than by `HTTPCookieStorage` so that a command line can save them between runs and so that they
/// behave the same on Linux and Apple platforms.
///
/// It keeps a cookie's name, value and expiry, and sends every unexpired cookie back: the jar
/// belongs to one server, so domain and path rules (the server sets `Path=/`) do not apply.
public struct CookieJar: Equatable, Sendable, Codable {
    /// One stored cookie.
    public struct Cookie: Equatable, Sendable, Codable {
        public var name: String
        public var value: String
        /// When it expires; `nil` for a cookie that lasts as long as the jar.
        public var expires: Date?

        public init(name: String, value: String, expires: Date? = nil) {
            self.name = name
            self.value = value
            self.expires = expires
        }
    }

    /// The cookies, by name.
    public private(set) var cookies: [String: Cookie]

    public init(cookies: [Cookie] = []) {
        self.cookies = Dictionary(cookies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The `Cookie` request header for a request made at `now`, or `nil` when there is nothing to send.
    public func header(at now: Date = Date()) -> String? {
        let live = cookies.values.filter { $0.expires.map { $0 > now } ?? true }.sorted { $0.name < $1.name }
        return live.isEmpty ? nil : live.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// Takes the `Set-Cookie` headers of an answer received at `now`: new cookies are kept, a
    /// cookie with `Max-Age=0` or an `Expires` in the past is forgotten (RFC 6265 §5.2).
    public mutating func receive(setCookie headers: [String], at now: Date = Date()) {
        for header in headers {
            // Split and trimmed on UTF-8: `;`, `=`, space and tab are ASCII, so every cut falls
            // between characters (walking a long value by Character cost more than the rest).
            let parts = header.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
                .map { Self.trimmed(Substring($0)) }
            guard let pair = parts.first, let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(Self.trimmed(pair[..<equals]))
            guard !name.isEmpty else { continue }
            var value = String(Self.trimmed(pair[pair.utf8.index(after: equals)...]))
            if value.utf8.count >= 2, value.utf8.first == UInt8(ascii: "\""), value.utf8.last == UInt8(ascii: "\"") {
                value = String(value.dropFirst().dropLast())
            }

            var expires: Date?
            var maxAge: Int?
            for attribute in parts.dropFirst() {
                let pieces = attribute.split(separator: "=", maxSplits: 1).map { String(Self.trimmed($0)) }
                switch pieces.first?.lowercased() {
                case "max-age": maxAge = pieces.count == 2 ? Int(pieces[1]) : nil
                case "expires": expires = pieces.count == 2 ? Self.httpDate(pieces[1]) : nil
                default: break
                }
            }
            // §5.3 step 3: Max-Age wins over Expires.
            if let maxAge { expires = now.addingTimeInterval(TimeInterval(max(maxAge, 0))) }
            if let expires, expires <= now {
                cookies[name] = nil
            } else {
                cookies[name] = Cookie(name: name, value: value, expires: expires)
            }
        }
    }

    /// `text` without leading and trailing WSP, space and tab (RFC 6265 §5.2). Foundation's
    /// `trimmingCharacters(in:)` bridged each part through `NSString` on Linux: a fifth of the
    /// load generator's CPU (`passkeys bench http`) went there.
    static func trimmed(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        // Both ends are next to ASCII (or the text's ends), so on character boundaries.
        return text[first..<utf8.index(after: last)]
    }

    /// Splits `Set-Cookie` values that a platform joined with commas into one header: a new
    /// cookie starts at a comma followed by `name=`, which a date's comma
    /// (`Expires=Wed, 21 Oct 2026 …`) never is.
    public static func splitJoinedSetCookie(_ joined: String) -> [String] {
        var headers: [String] = []
        for piece in joined.split(separator: ",", omittingEmptySubsequences: false) {
            let firstPart = piece.split(separator: ";", maxSplits: 1).first ?? ""
            if headers.isEmpty || firstPart.contains("=") {
                headers.append(String(Self.trimmed(piece)))
            } else {
                headers[headers.count - 1] += "," + piece
            }
        }
        return headers
    }

    /// An IMF-fixdate (`Wed, 21 Oct 2026 07:28:00 GMT`), the form servers send; read by hand so
    /// that no locale or platform formatter is involved.
    static func httpDate(_ text: String) -> Date? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard fields.count == 5 || fields.count == 6,
              let day = Int(fields[1]), let monthIndex = months.firstIndex(of: fields[2].lowercased()), let year = Int(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT") ?? calendar.timeZone
        return calendar.date(from: DateComponents(
            year: year, month: monthIndex + 1, day: day, hour: time[0], minute: time[1], second: time[2]))
    }
}
