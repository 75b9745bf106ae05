import Testing
import WebAuthn

/// `hexString` writes lower-case hexadecimal for any collection of bytes; `hexBytes` reads it back.
@Suite("Hexadecimal")
struct HexTests {
    @Test("Every byte value becomes its two lower-case digits")
    func everyByte() {
        let all = (0...255).map { UInt8($0) }
        let text = hexString(all)
        #expect(text.utf8.count == 512)
        for (index, byte) in all.enumerated() {
            let start = text.utf8.index(text.utf8.startIndex, offsetBy: index * 2)
            let pair = String(text.utf8[start..<text.utf8.index(start, offsetBy: 2)])
            #expect(pair == String(byte, radix: 16).leftPadded(to: 2), "\(byte)")
        }
        #expect(hexBytes(text) == all)
        #expect(hexBytes(text.uppercased()) == all)
    }

    @Test("Lengths from none to a long run, from an array, a slice and a sequence of any kind")
    func lengthsAndCollections() {
        #expect(hexString([UInt8]()) == "")
        #expect(hexString([0x00]) == "00")
        #expect(hexString([0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x23, 0x45]) == "deadbeef012345")
        #expect(hexString([0x0F, 0xF0, 0xA5, 0x5A, 0x99, 0x10, 0x0A, 0xB0]) == "0ff0a55a99100ab0")
        let bytes = randomBytes(1_000)
        #expect(hexBytes(hexString(bytes)) == bytes)
        #expect(hexString(bytes[10..<20]) == hexString(Array(bytes[10..<20])))
        #expect(hexString((0..<4).lazy.map { UInt8($0 * 0x11) }) == "00112233")
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: Swift.max(0, length - count)) + self
    }
}
