/// Deterministic CTAP2 canonical encoding (CTAP2 §8).
///
/// Integers, lengths and tags use their shortest form; a float that fits half or single
/// precision exactly is written that way, and every NaN is written as `f97e00`; map keys are
/// sorted with lower major type first, then shorter encoding first, then byte-wise lexical order.
///
/// `.simple(n)` for n in 20...23 comes out as false, true, null or undefined, and for n in
/// 24...31 as `f8 n`, which is not well-formed CBOR: those values have no encoding.
public enum CBOREncoder {
    public static func encode(_ value: CBOR) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private static func append(_ value: CBOR, to out: inout [UInt8]) {
        switch value {
        case .unsigned(let n):
            appendHead(major: 0, argument: n, to: &out)
        case .negative(let n):
            appendHead(major: 1, argument: n, to: &out)
        case .bytes(let bytes):
            appendHead(major: 2, argument: UInt64(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .text(let text):
            let utf8 = text.utf8
            appendHead(major: 3, argument: UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        case .array(let items):
            appendHead(major: 4, argument: UInt64(items.count), to: &out)
            for item in items {
                append(item, to: &out)
            }
        case .map(let map):
            appendHead(major: 5, argument: UInt64(map.count), to: &out)
            appendEntries(map.entries, to: &out)
        case .tagged(let tag, let item):
            appendHead(major: 6, argument: tag, to: &out)
            append(item, to: &out)
        case .simple(let simple):
            if simple < 24 {
                out.append(0xe0 | simple)
            } else {
                out.append(contentsOf: [0xf8, simple])
            }
        case .boolean(let bool):
            out.append(bool ? 0xf5 : 0xf4)
        case .null:
            out.append(0xf6)
        case .undefined:
            out.append(0xf7)
        case .float(let double):
            appendFloat(double, to: &out)
        }
    }

    /// A map's entries in canonical key order. The keys are encoded into one buffer to be sorted
    /// by; a single entry needs no sorting. (A buffer per key made most of the allocations of an
    /// input of many small maps; found by Fuzz/Targets/cbor.swift.)
    private static func appendEntries(_ entries: [(key: CBOR, value: CBOR)], to out: inout [UInt8]) {
        if entries.count == 1 {
            append(entries[0].key, to: &out)
            append(entries[0].value, to: &out)
            return
        }
        var keys: [UInt8] = []
        var order: [(keyBytes: Range<Int>, entry: Int)] = []
        order.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            let start = keys.count
            append(entry.key, to: &keys)
            order.append((start..<keys.count, index))
        }
        order.sort { CanonicalOrder.precedes(keys[$0.keyBytes], keys[$1.keyBytes]) }
        for item in order {
            out.append(contentsOf: keys[item.keyBytes])
            append(entries[item.entry].value, to: &out)
        }
    }

    private static func appendHead(major: UInt8, argument: UInt64, to out: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            out.append(type | UInt8(argument))
        case 24...0xff:
            out.append(type | 24)
            out.append(UInt8(argument))
        case 0x100...0xffff:
            out.append(type | 25)
            appendBigEndian(argument, byteCount: 2, to: &out)
        case 0x1_0000...0xffff_ffff:
            out.append(type | 26)
            appendBigEndian(argument, byteCount: 4, to: &out)
        default:
            out.append(type | 27)
            appendBigEndian(argument, byteCount: 8, to: &out)
        }
    }

    private static func appendFloat(_ double: Double, to out: inout [UInt8]) {
        if let half = FloatWidth.half(exactly: double) {
            out.append(0xf9)
            appendBigEndian(UInt64(half), byteCount: 2, to: &out)
        } else if let single = Float(exactly: double) {
            out.append(0xfa)
            appendBigEndian(UInt64(single.bitPattern), byteCount: 4, to: &out)
        } else {
            out.append(0xfb)
            appendBigEndian(double.bitPattern, byteCount: 8, to: &out)
        }
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to out: inout [UInt8]) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}

/// CTAP2 §8 map key order over encoded keys: lower major type, then shorter, then byte-wise.
enum CanonicalOrder {
    static func precedes<Bytes: RandomAccessCollection<UInt8>>(_ lhs: Bytes, _ rhs: Bytes) -> Bool {
        guard let lhsFirst = lhs.first, let rhsFirst = rhs.first else {
            return lhs.count < rhs.count
        }
        if lhsFirst >> 5 != rhsFirst >> 5 {
            return lhsFirst >> 5 < rhsFirst >> 5
        }
        if lhs.count != rhs.count {
            return lhs.count < rhs.count
        }
        return lhs.lexicographicallyPrecedes(rhs)
    }
}

/// Half-precision conversions done by hand: `Float16` is not available on every platform.
enum FloatWidth {
    /// The number of bytes the canonical encoding of `double` uses: 2, 4 or 8.
    static func shortest(for double: Double) -> Int {
        if half(exactly: double) != nil { return 2 }
        if Float(exactly: double) != nil { return 4 }
        return 8
    }

    /// The IEEE 754 binary16 bits of `double` if it converts without loss; NaN becomes `7e00`.
    static func half(exactly double: Double) -> UInt16? {
        if double.isNaN { return 0x7e00 }
        let sign: UInt16 = double.sign == .minus ? 0x8000 : 0
        let magnitude = double.magnitude
        if magnitude == 0 { return sign }
        if magnitude.isInfinite { return sign | 0x7c00 }
        if magnitude < 0x1p-14 {
            // Half subnormals are the multiples of 2^-24 below 2^-14.
            let scaled = magnitude * 0x1p24
            guard scaled >= 1, scaled == scaled.rounded(.towardZero) else { return nil }
            return sign | UInt16(scaled)
        }
        let exponent = Int(magnitude.exponent)
        // binary16 keeps 10 of the 52 fraction bits.
        guard exponent <= 15, magnitude.significandBitPattern & ((1 << 42) - 1) == 0 else { return nil }
        return sign | UInt16(exponent + 15) << 10 | UInt16(magnitude.significandBitPattern >> 42)
    }

    static func double(fromHalf bits: UInt16) -> Double {
        let exponent = Int((bits >> 10) & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude: Double
        switch exponent {
        case 0:
            magnitude = fraction * 0x1p-24
        case 31:
            magnitude = fraction == 0 ? .infinity : .nan
        default:
            magnitude = (1024 + fraction) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return bits & 0x8000 == 0 ? magnitude : -magnitude
    }
}
