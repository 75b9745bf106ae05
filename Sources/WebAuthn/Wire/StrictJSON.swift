/// The JSON every request body must be: RFC 8259, strictly, before any decoder sees it (the
/// server checks every body with it; `AuthenticationResponseJSON.parse` reads by its grammar).
///
/// Foundation's `JSONDecoder` accepts more than RFC 8259 allows (trailing commas, comments,
/// `NaN`, …) and keeps the last of duplicate keys, so two parsers (a proxy, a log reader, the
/// server) could read one body two ways. This check refuses:
/// - anything outside the RFC 8259 §2 grammar: trailing commas, comments, single quotes, bare
///   words such as `NaN` or `Infinity`, leading zeros, `+1`, `.5`, `1.`, a byte order mark,
///   unescaped control characters in strings (§7), unknown escapes;
/// - text that is not UTF-8 (§8.1), and `\u` escapes naming an unpaired surrogate (§7, §8.2);
/// - an object with two members of the same name (§4 says names SHOULD be unique; here they must);
/// - nesting deeper than ``maximumDepth``.
public enum StrictJSON {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 64

    /// Why a body is not strict JSON, with the byte offset where that was found.
    public struct Violation: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Checks that `bytes` are exactly one JSON text (RFC 8259 §2), or throws the first violation.
    public static func validate(_ bytes: [UInt8]) throws(Violation) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Violation(reason: "the body is not UTF-8", offset: 0)
        }
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.violation("text after the JSON value") }
    }

    /// The grammar, also for readers that keep some values (`WireReader`).
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        func violation(_ reason: String) -> Violation {
            Violation(reason: reason, offset: index)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        /// §2: insignificant white space is space, tab, line feed and carriage return only.
        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Violation) {
            guard current == byte else { throw violation("expected \(what)") }
            index += 1
        }

        mutating func value(depth: Int) throws(Violation) {
            guard let byte = current else { throw violation("the JSON ends where a value should be") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "'"): throw violation("single quotes are not JSON strings")
            case UInt8(ascii: "/"): throw violation("comments are not JSON")
            default: throw violation("not a JSON value (only objects, arrays, strings, numbers, true, false and null)")
            }
        }

        mutating func literal(_ word: String) throws(Violation) {
            for byte in word.utf8 {
                guard current == byte else { throw violation("not a JSON value (did you mean \(word)?)") }
                index += 1
            }
        }

        /// §4: `{ member *( , member ) }` with unique names.
        mutating func object(depth: Int) throws(Violation) {
            guard depth <= StrictJSON.maximumDepth else { throw violation("nested deeper than \(StrictJSON.maximumDepth)") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            var names = MemberNames()
            while true {
                guard current == UInt8(ascii: "\"") else {
                    throw violation(current == UInt8(ascii: "}") ? "a trailing comma" : "expected a member name in double quotes")
                }
                let start = index
                let isNew: Bool
                if let plain = plainString() {
                    isNew = names.insert(bytes[plain], at: plain, in: bytes)
                } else {
                    let name = try string()
                    isNew = names.insert(name[...], at: nil, in: bytes)
                }
                guard isNew else {
                    throw Violation(reason: "a duplicate member name", offset: start)
                }
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after the member name")
                skipWhitespace()
                try value(depth: depth)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}' in the object")
                return
            }
        }

        /// §5: `[ value *( , value ) ]`.
        mutating func array(depth: Int) throws(Violation) {
            guard depth <= StrictJSON.maximumDepth else { throw violation("nested deeper than \(StrictJSON.maximumDepth)") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                if current == UInt8(ascii: "]") { throw violation("a trailing comma") }
                try value(depth: depth)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']' in the array")
                return
            }
        }

        /// §6: `[ - ] int [ frac ] [ exp ]`, where int is `0` or a digit 1–9 followed by digits.
        mutating func number() throws(Violation) {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { throw violation("a number needs a digit after '-'") }
            index += 1
            if first == UInt8(ascii: "0"), let next = current, isDigit(next) {
                throw violation("numbers have no leading zeros")
            }
            digits()
            if current == UInt8(ascii: ".") {
                index += 1
                guard let next = current, isDigit(next) else { throw violation("a fraction needs a digit after '.'") }
                digits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let next = current, isDigit(next) else { throw violation("an exponent needs a digit") }
                digits()
            }
        }

        mutating func digits() {
            while let byte = current, isDigit(byte) { index += 1 }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// §7: a string in double quotes, its value's UTF-8 handed to `body`: straight from the
        /// text when the string has no escapes (member names, base64url values), else unescaped
        /// into a copy first.
        mutating func withString<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) throws(Violation) -> R {
            guard let plain = plainString() else {
                let value = try string()
                return value.withUnsafeBufferPointer(body)
            }
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[plain])) }
        }

        /// A string without escapes: its value's place in the text, with the closing quote passed;
        /// `nil` (nothing passed) when it has an escape, a control character or no end.
        mutating func plainString() -> Range<Int>? {
            let start = index + 1
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                end += 1
            }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
            index = end + 1
            return start..<end
        }

        /// §7: a string in double quotes, checked and passed over without keeping its value (a
        /// member's value: most are long base64url runs that need no copy).
        mutating func skipString() throws(Violation) {
            index += 1
            var unescaped: [UInt8] = []
            while true {
                while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
                guard let byte = current else { throw violation("an unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &unescaped)
                    unescaped.removeAll(keepingCapacity: true)
                default:
                    throw violation("a control character in a string must be escaped")
                }
            }
        }

        /// §7: a string in double quotes; returns its value as UTF-8 (to compare member names).
        mutating func string() throws(Violation) -> [UInt8] {
            index += 1
            var value: [UInt8] = []
            while true {
                // A run of plain characters is copied at once (base64url values are long runs).
                let start = index
                while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
                value.append(contentsOf: bytes[start..<index])
                guard let byte = current else { throw violation("an unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return value
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &value)
                default:
                    throw violation("a control character in a string must be escaped")
                }
            }
        }

        mutating func escape(into value: inout [UInt8]) throws(Violation) {
            guard let byte = current else { throw violation("an unterminated escape") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): value.append(byte); return
            case UInt8(ascii: "b"): value.append(0x08); return
            case UInt8(ascii: "f"): value.append(0x0C); return
            case UInt8(ascii: "n"): value.append(0x0A); return
            case UInt8(ascii: "r"): value.append(0x0D); return
            case UInt8(ascii: "t"): value.append(0x09); return
            case UInt8(ascii: "u"): break
            default: throw violation("an unknown escape")
            }
            let unit = try hex4()
            let scalarValue: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                // §8.2: a high surrogate must be followed by an escaped low surrogate.
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw violation("an unpaired surrogate")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw violation("an unpaired surrogate") }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw violation("an unpaired surrogate")
            default:
                scalarValue = UInt32(unit)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw violation("an unpaired surrogate") }
            value.append(contentsOf: Array(String(Character(scalar)).utf8))
        }

        mutating func hex4() throws(Violation) -> UInt16 {
            var unit: UInt16 = 0
            for _ in 0..<4 {
                guard let byte = current else { throw violation("\\u needs four hex digits") }
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw violation("\\u needs four hex digits")
                }
                unit = unit << 4 | UInt16(digit)
                index += 1
            }
            return unit
        }
    }

    /// An object's member names so far, to refuse a duplicate (§4): compared in place while there
    /// are few (a name without escapes is kept as its place in the text: no copy, no hashing),
    /// kept in a set once there are many, so that a body of thousands of members costs linear
    /// time, not quadratic.
    struct MemberNames {
        private static let linearLimit = 16
        /// Each name, as its place in the text or, when it had escapes, its value.
        private var few: [(range: Range<Int>?, value: [UInt8])] = []
        private var many: Set<[UInt8]>?

        /// Adds `name` (found at `range` of `text` when it had no escapes); `false` when the
        /// object has a member of that name already.
        mutating func insert(_ name: ArraySlice<UInt8>, at range: Range<Int>?, in text: [UInt8]) -> Bool {
            if many != nil {
                return many?.insert(Array(name)).inserted ?? false
            }
            if few.contains(where: { $0.range.map { text[$0] } ?? $0.value[...] == name }) { return false }
            few.append(range.map { ($0, []) } ?? (nil, Array(name)))
            if few.count > Self.linearLimit {
                many = Set(few.map { $0.range.map { Array(text[$0]) } ?? $0.value })
                few = []
            }
            return true
        }
    }
}
