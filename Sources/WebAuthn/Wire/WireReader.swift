/// A strict reader of the JSON a browser posts, for the members the verifier needs.
///
/// `JSONDecoder` builds a dictionary of every member, then `Codable` looks each one up by a
/// boxed key: two thirds of the time `passkeys bench` spent beyond the signature check
/// (docs/performance.md, lever 4). This reader walks the UTF-8 bytes once, keeps the members it
/// knows and skips the rest, by the grammar of `StrictJSON` (the check every request body passes):
/// RFC 8259 exactly and no member named twice in one object, stricter than Foundation. A malformed
/// text (`invalid JSON`, with the reason and offset), a missing member, `null`
/// where a value is required, a value of the wrong type or bad base64url each throw `malformed`
/// naming the member as `WireJSON.describe` names it.
struct WireReader {
    /// Reads one JSON text whose top level is an object, handing its members to `body`, which
    /// must read or skip every one of them.
    static func readObject<T>(
        _ json: [UInt8], _ body: (inout ObjectReader) throws(WebAuthnError) -> T
    ) throws(WebAuthnError) -> T {
        // ASCII is UTF-8: only text with other bytes is validated (which makes a String of it).
        guard json.withUnsafeBufferPointer({ $0.reduce(0, |) }) < 0x80 || String(validating: json, as: UTF8.self) != nil else {
            throw WebAuthnError(.malformed, "invalid JSON: not UTF-8")
        }
        var parser = StrictJSON.Parser(bytes: json)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else {
            // Valid JSON of another type is the wrong type; anything else is not JSON.
            try syntax { () throws(StrictJSON.Violation) in try parser.value(depth: 0) }
            throw WebAuthnError(.malformed, "the top level has the wrong type (expected an object)")
        }
        parser.index += 1
        var object = ObjectReader(parser: parser, path: "", depth: 1)
        let value = try body(&object)
        parser = object.parser
        parser.skipWhitespace()
        guard parser.index == json.count else { throw WebAuthnError(.malformed, "invalid JSON: text after the JSON value at byte \(parser.index)") }
        return value
    }

    /// A JSON text that is an array of strings (`["usb","nfc"]`), read strictly.
    static func readStrings(_ json: [UInt8]) throws(WebAuthnError) -> [String] {
        try syntax { () throws(StrictJSON.Violation) in try StrictJSON.validate(json) }
        var parser = StrictJSON.Parser(bytes: json)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "["), let values = stringElements(&parser) else {
            throw WebAuthnError(.malformed, "the top level has the wrong type (expected an array of strings)")
        }
        return values
    }

    /// The elements of the array at the parser, already checked to be strict JSON, when every one
    /// is a string; `nil` when one is not.
    fileprivate static func stringElements(_ parser: inout StrictJSON.Parser) -> [String]? {
        elements(&parser) { element in
            guard element.current == UInt8(ascii: "\""), let value = try? element.string() else { return nil }
            return String(decoding: value, as: UTF8.self)
        }
    }

    /// The elements of the array at the parser, already checked to be strict JSON, when every one
    /// is a whole number that fits an `Int` (no fraction, no exponent); `nil` when one is not.
    fileprivate static func integerElements(_ parser: inout StrictJSON.Parser) -> [Int]? {
        elements(&parser) { element in
            let start = element.index
            guard let first = element.current, first == UInt8(ascii: "-") || element.isDigit(first),
                (try? element.number()) != nil
            else { return nil }
            return Int(String(decoding: element.bytes[start..<element.index], as: UTF8.self))
        }
    }

    /// The elements of the array at the parser, each read by `read`; `nil` when it reads `nil` for one.
    private static func elements<T>(_ parser: inout StrictJSON.Parser, _ read: (inout StrictJSON.Parser) -> T?) -> [T]? {
        parser.index += 1  // "["
        var values: [T] = []
        parser.skipWhitespace()
        if parser.current == UInt8(ascii: "]") { return values }
        while true {
            parser.skipWhitespace()
            guard let value = read(&parser) else { return nil }
            values.append(value)
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: ",") else { return values }
            parser.index += 1
        }
    }

    /// A grammar violation as the `malformed` error of a wire type.
    static func syntax<T>(_ read: () throws(StrictJSON.Violation) -> T) throws(WebAuthnError) -> T {
        do {
            return try read()
        } catch {
            throw WebAuthnError(.malformed, "invalid JSON: \(error)")
        }
    }

    /// A string member read as base64url: its bytes, or text that is not base64url.
    enum Base64URLText: Equatable {
        case decoded([UInt8])
        case invalid
    }

    /// The members of an object, read in order: `next()` gives each name, then the caller reads
    /// or skips its value.
    struct ObjectReader {
        fileprivate var parser: StrictJSON.Parser
        /// The object's place, for messages: `` for the top level, `response.` inside `response`.
        let path: String
        /// Objects and arrays around the members' values, this one included (as `StrictJSON` counts).
        let depth: Int
        private var names: [String] = []
        private var first = true

        fileprivate init(parser: StrictJSON.Parser, path: String, depth: Int) {
            self.parser = parser
            self.path = path
            self.depth = depth
        }

        /// The next member's name, or `nil` after the last; a name seen before is malformed.
        mutating func next() throws(WebAuthnError) -> String? {
            let name = try WireReader.syntax { () throws(StrictJSON.Violation) -> String? in
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: "}") {
                    parser.index += 1
                    return nil
                }
                if !first {
                    try parser.expect(UInt8(ascii: ","), "',' or '}' in the object")
                    parser.skipWhitespace()
                }
                guard parser.current == UInt8(ascii: "\"") else { throw parser.violation("expected a member name in double quotes") }
                let name = try parser.withString { String(decoding: $0, as: UTF8.self) }
                parser.skipWhitespace()
                try parser.expect(UInt8(ascii: ":"), "':' after the member name")
                parser.skipWhitespace()
                return name
            }
            guard let name else { return nil }
            first = false
            guard !names.contains(name) else { throw WebAuthnError(.malformed, "\(path)\(name) appears twice") }
            names.append(name)
            return name
        }

        /// Skips the member's value (still checked to be strict JSON).
        mutating func skip() throws(WebAuthnError) {
            try WireReader.syntax { () throws(StrictJSON.Violation) in try parser.value(depth: depth) }
        }

        /// A string, or `nil` for `null`.
        mutating func string(_ name: String) throws(WebAuthnError) -> String? {
            switch parser.current {
            case UInt8(ascii: "\""):
                return try WireReader.syntax { () throws(StrictJSON.Violation) in
                    try parser.withString { String(decoding: $0, as: UTF8.self) }
                }
            case UInt8(ascii: "n"): try skip(); return nil
            default: try skip(); throw wrongType(name, "String")
            }
        }

        /// An array of strings, or `nil` for `null`.
        mutating func strings(_ name: String) throws(WebAuthnError) -> [String]? {
            try array(name, "an array of strings", WireReader.stringElements)
        }

        /// A whole number that fits an `Int` (no fraction, no exponent), or `nil` for `null`.
        mutating func integer(_ name: String) throws(WebAuthnError) -> Int? {
            let start = parser.index
            let first = parser.current
            try skip()
            if first == UInt8(ascii: "n") { return nil }
            guard let first, first == UInt8(ascii: "-") || parser.isDigit(first),
                let value = Int(String(decoding: parser.bytes[start..<parser.index], as: UTF8.self))
            else { throw wrongType(name, "Int") }
            return value
        }

        /// An array of whole numbers, or `nil` for `null`.
        mutating func integers(_ name: String) throws(WebAuthnError) -> [Int]? {
            try array(name, "an array of integers", WireReader.integerElements)
        }

        /// An array whose elements `elements` reads (`nil` when one is not of its type), or `nil`
        /// for `null`; `expected` names the type in the error.
        private mutating func array<T>(
            _ name: String, _ expected: String, _ elements: (inout StrictJSON.Parser) -> [T]?
        ) throws(WebAuthnError) -> [T]? {
            switch parser.current {
            case UInt8(ascii: "["):
                guard depth < StrictJSON.maximumDepth else { throw WebAuthnError(.malformed, "invalid JSON: nested too deep") }
                var start = parser
                try skip()  // the whole array, by the strict grammar
                guard let values = elements(&start) else { throw wrongType(name, expected) }
                return values
            case UInt8(ascii: "n"):
                try skip()
                return nil
            default:
                try skip()
                throw wrongType(name, expected)
            }
        }

        /// A string read as base64url, or `nil` for `null`: decoded straight from the text, with
        /// no `String` made of it. Text that is not base64url is told when the value is used
        /// (``bytes(_:_:as:)-(Base64URLText,_,_)``), so errors come in the order `JSONDecoder` gives them.
        mutating func base64URL(_ name: String) throws(WebAuthnError) -> Base64URLText? {
            switch parser.current {
            case UInt8(ascii: "\""):
                return try WireReader.syntax { () throws(StrictJSON.Violation) in
                    try parser.withString { text in Base64URL.decode(utf8: text).map(Base64URLText.decoded) ?? .invalid }
                }
            case UInt8(ascii: "n"): try skip(); return nil
            default: try skip(); throw wrongType(name, "String")
            }
        }

        /// A Boolean, or `nil` for `null`.
        mutating func bool(_ name: String) throws(WebAuthnError) -> Bool? {
            let value = parser.current
            try skip()
            switch value {
            case UInt8(ascii: "t"): return true
            case UInt8(ascii: "f"): return false
            case UInt8(ascii: "n"): return nil
            default: throw wrongType(name, "Bool")
            }
        }

        /// An object's members for `body`, or `nil` for `null` (`body` is not called).
        mutating func object<T>(
            _ name: String, _ body: (inout ObjectReader) throws(WebAuthnError) -> T
        ) throws(WebAuthnError) -> T? {
            switch parser.current {
            case UInt8(ascii: "{"):
                guard depth < StrictJSON.maximumDepth else { throw WebAuthnError(.malformed, "invalid JSON: nested too deep") }
                parser.index += 1
                var inner = ObjectReader(parser: parser, path: path + name + ".", depth: depth + 1)
                let value = try body(&inner)
                parser = inner.parser
                return value
            case UInt8(ascii: "n"):
                try skip()
                return nil
            default:
                try skip()
                throw wrongType(name, "an object")
            }
        }

        /// An array of objects, each element's members for `body` in turn, or `nil` for `null`.
        /// An element that is not an object is the wrong type, named with its index
        /// (`allowCredentials[1]`), as `JSONDecoder` names it.
        mutating func objects<T>(
            _ name: String, _ body: (inout ObjectReader) throws(WebAuthnError) -> T
        ) throws(WebAuthnError) -> [T]? {
            switch parser.current {
            case UInt8(ascii: "["):
                // The array and each element object: two levels inside this object's depth.
                guard depth + 1 < StrictJSON.maximumDepth else { throw WebAuthnError(.malformed, "invalid JSON: nested too deep") }
                parser.index += 1
                var values: [T] = []
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: "]") {
                    parser.index += 1
                    return values
                }
                while true {
                    parser.skipWhitespace()
                    let element = "\(name)[\(values.count)]"
                    guard parser.current == UInt8(ascii: "{") else {
                        try skip()
                        throw wrongType(element, "an object")
                    }
                    parser.index += 1
                    var inner = ObjectReader(parser: parser, path: path + element + ".", depth: depth + 2)
                    values.append(try body(&inner))
                    parser = inner.parser
                    let more = try WireReader.syntax { () throws(StrictJSON.Violation) -> Bool in
                        parser.skipWhitespace()
                        if parser.current == UInt8(ascii: ",") {
                            parser.index += 1
                            parser.skipWhitespace()
                            guard parser.current != UInt8(ascii: "]") else { throw parser.violation("a trailing comma") }
                            return true
                        }
                        try parser.expect(UInt8(ascii: "]"), "',' or ']' in the array")
                        return false
                    }
                    guard more else { return values }
                }
            case UInt8(ascii: "n"):
                try skip()
                return nil
            default:
                try skip()
                throw wrongType(name, "an array of objects")
            }
        }

        /// A required member that was absent (`nil`) or `null` (`.some(nil)`).
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
            return try typed(bytes, name, as: type)
        }

        /// Base64url bytes of type `T` (its length rules too) from a member read by ``base64URL(_:)``.
        func bytes<T: Base64URLBytes>(_ text: Base64URLText, _ name: String, as type: T.Type) throws(WebAuthnError) -> T {
            guard case .decoded(let bytes) = text else { throw WebAuthnError(.malformed, "\(path)\(name) is invalid: not base64url") }
            return try typed(bytes, name, as: type)
        }

        private func typed<T: Base64URLBytes>(_ bytes: [UInt8], _ name: String, as type: T.Type) throws(WebAuthnError) -> T {
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
}
