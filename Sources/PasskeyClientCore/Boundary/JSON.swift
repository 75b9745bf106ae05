extension Auth {
    /// A JSON value (RFC 8259), read and written with the standard library alone so the boundary
    /// to a shell (``Boundary``) also works in Embedded Swift. Objects keep their members' order;
    /// numbers keep their text, so what passes through comes out as it came in.
    public enum JSON: Equatable, Sendable {
        case null
        case bool(Bool)
        /// The number's text as it was written (`-7`, `1.5e3`).
        case number(String)
        case string(String)
        case array([JSON])
        case object([(String, JSON)])

        public static func == (lhs: JSON, rhs: JSON) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null): true
            case (.bool(let a), .bool(let b)): a == b
            case (.number(let a), .number(let b)): a == b
            case (.string(let a), .string(let b)): a == b
            case (.array(let a), .array(let b)): a == b
            case (.object(let a), .object(let b)):
                a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }

        /// The member `name` of an object; `nil` for anything else or when there is none.
        public subscript(_ name: String) -> JSON? {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.0 == name }?.1
        }

        public var string: String? {
            if case .string(let text) = self { return text }
            return nil
        }

        public var bool: Bool? {
            if case .bool(let value) = self { return value }
            return nil
        }

        public var array: [JSON]? {
            if case .array(let items) = self { return items }
            return nil
        }

        /// An integer number, when it is one that fits an `Int`.
        public var int: Int? {
            guard case .number(let text) = self else { return nil }
            var bytes = Array(text.utf8)
            let negative = bytes.first == 45
            if negative { bytes.removeFirst() }
            guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let magnitude = bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
            return negative ? -magnitude : magnitude
        }

        /// A string, or `null` for `nil`.
        public static func optional(_ text: String?) -> JSON {
            text.map { .string($0) } ?? .null
        }

        // MARK: Reading

        /// More objects and arrays inside each other than this are refused: no shell or server sends
        /// them, and it bounds the recursion.
        public static let maximumDepth = 64

        /// Reads one JSON text (UTF-8); `nil` when it is not exactly one valid value.
        public init?(parsing utf8: [UInt8]) {
            var reader = Reader(bytes: utf8)
            guard let value = reader.value(depth: 0) else { return nil }
            reader.skipSpace()
            guard reader.index == utf8.count else { return nil }
            self = value
        }

        public init?(parsing text: String) {
            self.init(parsing: Array(text.utf8))
        }

        private struct Reader {
            let bytes: [UInt8]
            var index = 0

            mutating func skipSpace() {
                while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 10 || bytes[index] == 13 {
                    index += 1
                }
            }

            mutating func literal(_ word: StaticString) -> Bool {
                let count = word.utf8CodeUnitCount
                guard index + count <= bytes.count else { return false }
                for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
                index += count
                return true
            }

            mutating func value(depth: Int) -> JSON? {
                skipSpace()
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case 123: return depth < JSON.maximumDepth ? object(depth: depth) : nil
                case 91: return depth < JSON.maximumDepth ? array(depth: depth) : nil
                case 34: return string().map { .string($0) }
                case 116: return literal("true") ? .bool(true) : nil
                case 102: return literal("false") ? .bool(false) : nil
                case 110: return literal("null") ? .null : nil
                default: return number()
                }
            }

            mutating func object(depth: Int) -> JSON? {
                index += 1
                var members: [(String, JSON)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == 125 {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == 34, let name = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == 58 else { return nil }
                    index += 1
                    guard let member = value(depth: depth + 1) else { return nil }
                    members.append((name, member))
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == 44 { index += 1; continue }
                    if bytes[index] == 125 { index += 1; return .object(members) }
                    return nil
                }
            }

            mutating func array(depth: Int) -> JSON? {
                index += 1
                var items: [JSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == 93 {
                    index += 1
                    return .array(items)
                }
                while true {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == 44 { index += 1; continue }
                    if bytes[index] == 93 { index += 1; return .array(items) }
                    return nil
                }
            }

            /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
            mutating func number() -> JSON? {
                let start = index
                func digits() -> Int {
                    let first = index
                    while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
                    return index - first
                }
                if index < bytes.count, bytes[index] == 45 { index += 1 }
                guard index < bytes.count else { return nil }
                if bytes[index] == 48 {
                    index += 1
                } else if digits() == 0 {
                    return nil
                }
                if index < bytes.count, bytes[index] == 46 {
                    index += 1
                    guard digits() > 0 else { return nil }
                }
                if index < bytes.count, bytes[index] == 101 || bytes[index] == 69 {
                    index += 1
                    if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { index += 1 }
                    guard digits() > 0 else { return nil }
                }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }

            /// RFC 8259 §7; the text must be valid UTF-8 and escapes must name Unicode scalars.
            mutating func string() -> String? {
                index += 1
                var out: [UInt8] = []
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    switch byte {
                    case 34:
                        // Invalid UTF-8 would be repaired silently by String(decoding:); refuse it instead.
                        guard let text = String(validating: out, as: UTF8.self) else { return nil }
                        return text
                    case 92:
                        guard index < bytes.count else { return nil }
                        let escape = bytes[index]
                        index += 1
                        switch escape {
                        case 34, 92, 47: out.append(escape)
                        case 98: out.append(8)
                        case 102: out.append(12)
                        case 110: out.append(10)
                        case 114: out.append(13)
                        case 116: out.append(9)
                        case 117:
                            guard var scalar = hex4() else { return nil }
                            if scalar >= 0xD800 && scalar < 0xDC00 {
                                // A high surrogate must be followed by an escaped low one.
                                guard literal("\\u"), let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            }
                            guard let unicode = Unicode.Scalar(scalar) else { return nil }
                            out.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
                        default:
                            return nil
                        }
                    default:
                        guard byte >= 0x20 else { return nil }
                        out.append(byte)
                    }
                }
                return nil
            }

            mutating func hex4() -> UInt32? {
                guard index + 4 <= bytes.count else { return nil }
                var value: UInt32 = 0
                for _ in 0..<4 {
                    let byte = bytes[index]
                    index += 1
                    let digit: UInt8
                    switch byte {
                    case 48...57: digit = byte - 48
                    case 65...70: digit = byte - 55
                    case 97...102: digit = byte - 87
                    default: return nil
                    }
                    value = value << 4 | UInt32(digit)
                }
                return value
            }
        }

        // MARK: Writing

        /// The value as compact JSON text (UTF-8), members in their order.
        public var utf8: [UInt8] {
            var out: [UInt8] = []
            write(to: &out)
            return out
        }

        public var text: String { String(decoding: utf8, as: UTF8.self) }

        private func write(to out: inout [UInt8]) {
            switch self {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
            case .number(let text): out.append(contentsOf: text.utf8)
            case .string(let text): Self.write(text, to: &out)
            case .array(let items):
                out.append(91)
                for (position, item) in items.enumerated() {
                    if position > 0 { out.append(44) }
                    item.write(to: &out)
                }
                out.append(93)
            case .object(let members):
                out.append(123)
                for (position, member) in members.enumerated() {
                    if position > 0 { out.append(44) }
                    Self.write(member.0, to: &out)
                    out.append(58)
                    member.1.write(to: &out)
                }
                out.append(125)
            }
        }

        private static func write(_ text: String, to out: inout [UInt8]) {
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(34)
            for byte in text.utf8 {
                switch byte {
                case 34: out.append(contentsOf: [92, 34])
                case 92: out.append(contentsOf: [92, 92])
                case 10: out.append(contentsOf: [92, 110])
                case 13: out.append(contentsOf: [92, 114])
                case 9: out.append(contentsOf: [92, 116])
                case 0..<0x20: out.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                default: out.append(byte)
                }
            }
            out.append(34)
        }
    }
}
