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
        let rest = length % 4
        if rest == 1 { return nil }
        let count = length / 4 * 3 + (rest == 0 ? 0 : rest - 1)
        // The table is looked up once, not per character (a static's accessor is a call), and
        // four characters make three bytes at a time.
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                var index = 0
                var written = 0
                while index + 4 <= length {
                    let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                    let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                    // Every table entry that is not a character's value is 0xFF.
                    guard (a | b | c | d) & 0xC0 == 0 else {
                        valid = false
                        break
                    }
                    let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: group)
                    index += 4
                    written += 3
                }
                if valid, rest > 0 {
                    let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                    let c = rest == 3 ? table[Int(input[index + 2])] : 0
                    // Leftover bits must be zero, so each byte string has exactly one encoding.
                    let leftover = rest == 3 ? c & 0x03 : b & 0x0F
                    if (a | b | c) & 0xC0 != 0 || leftover != 0 {
                        valid = false
                    } else {
                        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                        buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                        if rest == 3 { buffer[written + 1] = UInt8(truncatingIfNeeded: group >> 8) }
                        written += rest - 1
                    }
                }
                initialized = written
            }
            return valid ? out : nil
        }
    }
}
