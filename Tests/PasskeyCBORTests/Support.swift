import PasskeyCBOR

/// Bytes from a hex string written as the RFC writes them; spaces are ignored.
func hex(_ string: String) -> [UInt8] {
    let digits = string.compactMap(\.hexDigitValue)
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let text = String(byte, radix: 16)
        return byte < 16 ? "0" + text : text
    }.joined()
}

let strict: CBORDecoder = {
    var options = CBORDecoder.Options()
    options.requireCanonical = true
    return CBORDecoder(options: options)
}()

/// `count` arrays, each the only element of the one outside it.
func nestedArrays(_ count: Int) -> [UInt8] {
    Array(repeating: 0x81, count: count - 1) + [0x80]
}
