/// A strict reader of the JSON a browser posts, for the members the verifier needs.
///
/// `JSONDecoder` builds a dictionary of every member, then `Codable` looks each one up by a
/// boxed key: two thirds of the time `passkeys bench` spent beyond the signature check
/// (docs/performance.md, lever 4). This reader walks the UTF-8 bytes once, keeps the members it
/// knows and skips the rest, and is stricter than Foundation: RFC 8259 exactly (§2 grammar and
/// white space, §6 numbers, §7 strings with no unescaped control character and no unpaired
/// surrogate, §8.1 UTF-8) and no member named twice in one object (§4 says names SHOULD be unique;
/// two readers could otherwise take different ones). A malformed text, a missing member, `null`
/// where a value is required, a value of the wrong type or bad base64url each throw `malformed`
/// naming the member as `WireJSON.describe` names it.
struct WireReader {
    /// The nesting of objects and arrays accepted, the top level counted (as `StrictJSON` counts).
    static let maximumDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads one JSON text whose top level is an object, handing its members to `body`, which
    /// must read or skip every one of them.
    static func readObject<T>(
        _ json: [UInt8], _ body: (inout ObjectReader) throws(WebAuthnError) -> T
    ) throws(WebAuthnError) -> T {
        guard String(validating: json, as: UTF8.self) != nil else { throw WebAuthnError(.malformed, "invalid JSON") }
        return try json.withUnsafeBufferPointer { (buffer) throws(WebAuthnError) -> T in
            var reader = WireReader(buffer)
            reader.skipWhitespace()
            guard reader.current == UInt8(ascii: "{") else {
                // Valid JSON of another type is the wrong type; anything else is not JSON.
                try reader.skipValue(depth: 0)
                throw WebAuthnError(.malformed, "the top level has the wrong type (expected an object)")
            }
            var object = try reader.objectMembers(path: "", depth: 0)
            let value = try body(&object)
            reader = object.reader
            reader.skipWhitespace()
            guard reader.index == buffer.count else { throw WebAuthnError(.malformed, "invalid JSON") }
            return value
        }
    }

    /// The members of an object, read in order: `next()` gives each name, then the caller reads
    /// or skips its value.
    struct ObjectReader {
        fileprivate var reader: WireReader
        /// The object's place, for messages: `` for the top level, `response.` inside `response`.
        let path: String
        /// How deep the object is: 0 for the top level.
        let depth: Int
        private var names: [String] = []
        private var first = true

        fileprivate init(reader: WireReader, path: String, depth: Int) {
            self.reader = reader
            self.path = path
            self.depth = depth
        }

        /// The next member's name, or `nil` after the last; a name seen before is malformed.
        mutating func next() throws(WebAuthnError) -> String? {
            reader.skipWhitespace()
            if reader.current == UInt8(ascii: "}") {
                reader.index += 1
                return nil
            }
            if !first {
                try reader.expect(UInt8(ascii: ","))
                reader.skipWhitespace()
            }
            first = false
            guard reader.current == UInt8(ascii: "\"") else { throw WireReader.syntax }
            let name = try reader.string()
            guard !names.contains(name) else { throw WebAuthnError(.malformed, "\(path)\(name) appears twice") }
            names.append(name)
            reader.skipWhitespace()
            try reader.expect(UInt8(ascii: ":"))
            reader.skipWhitespace()
            return name
        }

        /// Skips the member's value (still checked to be strict JSON).
        mutating func skip() throws(WebAuthnError) {
            try reader.skipValue(depth: depth + 1)
        }

        /// A string, or `nil` for `null`.
        mutating func string(_ name: String) throws(WebAuthnError) -> String? {
            switch reader.current {
            case UInt8(ascii: "\""): return try reader.string()
            case UInt8(ascii: "n"): try reader.literal("null"); return nil
            default: try skip(); throw wrongType(name, "String")
            }
        }

        /// A Boolean, or `nil` for `null`.
        mutating func bool(_ name: String) throws(WebAuthnError) -> Bool? {
            switch reader.current {
            case UInt8(ascii: "t"): try reader.literal("true"); return true
            case UInt8(ascii: "f"): try reader.literal("false"); return false
            case UInt8(ascii: "n"): try reader.literal("null"); return nil
            default: try skip(); throw wrongType(name, "Bool")
            }
        }

        /// An object's members for `body`, or `nil` for `null` (`body` is not called).
        mutating func object<T>(
            _ name: String, _ body: (inout ObjectReader) throws(WebAuthnError) -> T
        ) throws(WebAuthnError) -> T? {
            switch reader.current {
            case UInt8(ascii: "{"):
                var inner = try reader.objectMembers(path: path + name + ".", depth: depth + 1)
                let value = try body(&inner)
                reader = inner.reader
                return value
            case UInt8(ascii: "n"):
                try reader.literal("null")
                return nil
            default:
                try skip()
                throw wrongType(name, "an object")
            }
        }

        /// A required string member that was absent (`nil`) or `null`.
        func required<T>(_ value: T??, _ name: String) throws(WebAuthnError) -> T {
            switch value {
            case .none: throw WebAuthnError(.malformed, "missing required field \(path)\(name)")
            case .some(.none): throw WebAuthnError(.malformed, "missing value for \(path)\(name)")
            case .some(.some(let value)): return value
            }
        }

        /// Base64url bytes of type `T` (its length rules too) from a string member.
        func bytes<T: Base64URLBytes>(_ text: String, _ name: String, as type: T.Type) throws(WebAuthnError) -> T {
            guard let bytes = Base64URL.decode(text) else { throw WebAuthnError(.malformed, "\(path)\(name) is invalid: not base64url") }
            do {
                return try T(bytes: bytes)
            } catch {
                throw WebAuthnError(.malformed, "\(path)\(name) is invalid: \(error.reason)")
            }
        }

        private func wrongType(_ name: String, _ expected: String) -> WebAuthnError {
            WebAuthnError(.malformed, "\(path)\(name) has the wrong type (expected \(expected))")
        }
    }

    // MARK: The grammar (RFC 8259 §2–§7)

    private static let syntax = WebAuthnError(.malformed, "invalid JSON")

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// §2: space, tab, line feed and carriage return only.
    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(WebAuthnError) {
        guard current == byte else { throw Self.syntax }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws(WebAuthnError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Self.syntax }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Self.syntax }
        index += count
    }

    private mutating func objectMembers(path: String, depth: Int) throws(WebAuthnError) -> ObjectReader {
        try expect(UInt8(ascii: "{"))
        return ObjectReader(reader: self, path: path, depth: depth)
    }

    /// Any value, checked and passed over; `depth` counts the objects and arrays around it.
    private mutating func skipValue(depth: Int) throws(WebAuthnError) {
        if current == UInt8(ascii: "{") || current == UInt8(ascii: "[") {
            // Counting the top-level object, as the server's strict check counts.
            guard depth < Self.maximumDepth else { throw WebAuthnError(.malformed, "nested deeper than \(Self.maximumDepth)") }
        }
        switch current {
        case UInt8(ascii: "{"):
            var object = try objectMembers(path: "", depth: depth)
            while try object.next() != nil { try object.skip() }
            self = object.reader
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                try expect(UInt8(ascii: ","))
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }

    /// §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(WebAuthnError) {
        func digits() throws(WebAuthnError) -> Int {
            let start = index
            while let byte = current, byte >= 0x30 && byte <= 0x39 { index += 1 }
            guard index > start else { throw Self.syntax }
            return index - start
        }
        if current == UInt8(ascii: "-") { index += 1 }
        let leadingZero = current == 0x30
        if try digits() > 1 && leadingZero { throw Self.syntax }
        if current == UInt8(ascii: ".") {
            index += 1
            _ = try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            _ = try digits()
        }
    }

    /// §7: a string, its escapes decoded; control characters must be escaped, and a `\u` escape
    /// of a surrogate must be one half of a pair.
    private mutating func string() throws(WebAuthnError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // The common case, no escape: the bytes as they are (the whole text is UTF-8 already).
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw Self.syntax }
            index += 1
        }
        var utf8 = Array(bytes[start..<index])
        while true {
            guard let byte = current else { throw Self.syntax }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            default:
                guard byte >= 0x20 else { throw Self.syntax }
                utf8.append(byte)
            }
        }
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(WebAuthnError) {
        guard let byte = current else { throw Self.syntax }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte); return
        case UInt8(ascii: "b"): utf8.append(0x08); return
        case UInt8(ascii: "f"): utf8.append(0x0C); return
        case UInt8(ascii: "n"): utf8.append(0x0A); return
        case UInt8(ascii: "r"): utf8.append(0x0D); return
        case UInt8(ascii: "t"): utf8.append(0x09); return
        case UInt8(ascii: "u"): break
        default: throw Self.syntax
        }
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            // A high surrogate needs a low one right after it.
            guard current == UInt8(ascii: "\\") else { throw Self.syntax }
            index += 1
            guard current == UInt8(ascii: "u") else { throw Self.syntax }
            index += 1
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw Self.syntax }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw Self.syntax
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw Self.syntax }
        utf8.append(contentsOf: String(unicode).utf8)
    }

    private mutating func hex4() throws(WebAuthnError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Self.syntax }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw Self.syntax
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
