/// Base64url without padding (RFC 4648 §5), the encoding WebAuthn's JSON uses for every binary
/// value.
///
/// Decoding is strict about the alphabet: `+`, `/`, whitespace and any other character are
/// rejected. Trailing `=` padding is tolerated because some clients send it. Work is done on
/// UTF-8 bytes directly; nothing goes through `NSString`.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Encodes bytes as unpadded base64url.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Called across modules this is not specialized: walking a generic collection byte by byte
        // through its witness table cost more than the encoding. One call gets contiguous bytes.
        if let text = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    /// Encodes contiguous bytes as unpadded base64url, four characters for every three bytes.
    public static func encode(buffer input: UnsafeBufferPointer<UInt8>) -> String {
        let count = input.count
        let length = (count * 4 + 2) / 3
        guard length > 0 else { return "" }
        return alphabet.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: length) { out in
                var index = 0
                var written = 0
                while index + 3 <= count {
                    let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    out[written] = table[Int(group >> 18)]
                    out[written + 1] = table[Int(group >> 12 & 0x3F)]
                    out[written + 2] = table[Int(group >> 6 & 0x3F)]
                    out[written + 3] = table[Int(group & 0x3F)]
                    index += 3
                    written += 4
                }
                switch count - index {
                case 1:
                    let group = UInt32(input[index]) << 16
                    out[written] = table[Int(group >> 18)]
                    out[written + 1] = table[Int(group >> 12 & 0x3F)]
                    written += 2
                case 2:
                    let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                    out[written] = table[Int(group >> 18)]
                    out[written + 1] = table[Int(group >> 12 & 0x3F)]
                    out[written + 2] = table[Int(group >> 6 & 0x3F)]
                    written += 3
                default:
                    break
                }
                return written
            }
        }
    }

    /// Decodes base64url text, or returns `nil` when it is not base64url.
    public static func decode(_ string: String) -> [UInt8]? {
        var string = string
        return string.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes base64url from UTF-8 bytes, or returns `nil` when they are not base64url.
    public static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var length = input.count
        // Up to two `=` of padding, and only where padding belongs.
        while length > 0, input[length - 1] == UInt8(ascii: "=") { length -= 1 }
        let padding = input.count - length
        if padding > 2 || (padding > 0 && (length + padding) % 4 != 0) { return nil }
        if length % 4 == 1 { return nil }

        var out = [UInt8]()
        out.reserveCapacity(length * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for index in 0..<length {
            let value = decodeTable[Int(input[index])]
            if value == 0xFF { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero, so each byte string has exactly one encoding.
        if bits > 0, accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
