/// A decoded CBOR data item (RFC 8949).
///
/// Equality follows the CBOR data model rather than Swift's `Double`: two `.float` values are
/// equal when they are the same bits (so `0.0` and `-0.0` differ) or both NaN, which keeps
/// `Hashable` lawful and lets a decoded NaN compare equal to the value it came from.
public enum CBOR: Sendable {
    /// Major type 0.
    case unsigned(UInt64)
    /// Major type 1; the value is `-1 - n`, so `.negative(UInt64.max)` is -2^64.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map(CBORMap)
    indirect case tagged(UInt64, CBOR)
    /// Simple values other than false, true, null and undefined: 0...19 and 32...255.
    case simple(UInt8)
    case boolean(Bool)
    case null
    case undefined
    /// Half, single and double precision all decode to `Double`.
    case float(Double)

    /// An integer item: `.unsigned` for zero and above, `.negative` below.
    public init(_ int: Int) {
        // `~int` is `-1 - int`, which cannot overflow for any negative Int.
        self = int >= 0 ? .unsigned(UInt64(int)) : .negative(UInt64(~int))
    }

    /// The integer, or nil if this is not an integer or `Int` cannot hold it.
    public var intValue: Int? {
        switch self {
        case .unsigned(let n):
            return n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n):
            return n <= UInt64(Int.max) ? ~Int(n) : nil
        default:
            return nil
        }
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    public var arrayValue: [CBOR]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var mapValue: CBORMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    public var boolValue: Bool? {
        if case .boolean(let bool) = self { return bool }
        return nil
    }

    /// The number, for `.float` only; integers are deliberately not converted.
    public var doubleValue: Double? {
        if case .float(let double) = self { return double }
        return nil
    }
}

extension CBOR: Hashable {
    public static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)): return a == b
        case (.negative(let a), .negative(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        case (.tagged(let ta, let a), .tagged(let tb, let b)): return ta == tb && a == b
        case (.simple(let a), .simple(let b)): return a == b
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.null, .null), (.undefined, .undefined): return true
        case (.float(let a), .float(let b)):
            return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .unsigned(let n): hasher.combine(0 as UInt8); hasher.combine(n)
        case .negative(let n): hasher.combine(1 as UInt8); hasher.combine(n)
        case .bytes(let b): hasher.combine(2 as UInt8); hasher.combine(b)
        case .text(let t): hasher.combine(3 as UInt8); hasher.combine(t)
        case .array(let a): hasher.combine(4 as UInt8); hasher.combine(a)
        case .map(let m): hasher.combine(5 as UInt8); hasher.combine(m)
        case .tagged(let t, let v): hasher.combine(6 as UInt8); hasher.combine(t); hasher.combine(v)
        case .simple(let s): hasher.combine(7 as UInt8); hasher.combine(s)
        case .boolean(let b): hasher.combine(8 as UInt8); hasher.combine(b)
        case .null: hasher.combine(9 as UInt8)
        case .undefined: hasher.combine(10 as UInt8)
        case .float(let d):
            hasher.combine(11 as UInt8)
            // Every NaN is equal to every other, so they must share one hash.
            hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        }
    }
}

extension CBOR: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

extension CBOR: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .text(value)
    }
}

extension CBOR: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: CBOR...) {
        self = .array(elements)
    }
}

extension CBOR: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }
}

extension CBOR: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .float(value)
    }
}

extension CBOR: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (CBOR, CBOR)...) {
        self = .map(CBORMap(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension CBOR: CustomStringConvertible {
    /// RFC 8949 §8 diagnostic notation, for test failures and logs.
    public var description: String {
        switch self {
        case .unsigned(let n): return String(n)
        case .negative(let n): return n == .max ? "-18446744073709551616" : "-\(n + 1)"
        case .bytes(let b): return "h'" + b.map { hexDigits($0) }.joined() + "'"
        case .text(let t): return "\"" + t.replacingEscapes() + "\""
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return m.description
        case .tagged(let t, let v): return "\(t)(\(v))"
        case .simple(let s): return "simple(\(s))"
        case .boolean(let b): return b ? "true" : "false"
        case .null: return "null"
        case .undefined: return "undefined"
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return String(d)
        }
    }
}

private func hexDigits(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}

extension String {
    fileprivate func replacingEscapes() -> String {
        var out = ""
        for character in self {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.append(character)
            }
        }
        return out
    }
}
