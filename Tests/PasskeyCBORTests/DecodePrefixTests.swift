import PasskeyCBOR
import Testing

@Suite("decodePrefix")
struct DecodePrefixTests {
    @Test("decodePrefix returns the index just past the item when more bytes follow")
    func returnsEndBeforeFollowingBytes() throws {
        let coseKey = CBOREncoder.encode([1: 2, 3: -7, -1: 1])
        let bytes: [UInt8] = [0xaa, 0xbb] + coseKey + [0xa1, 0x61, 0x78, 0xf5]
        let (value, end) = try CBORDecoder().decodePrefix(bytes, from: 2)
        #expect(value == [1: 2, 3: -7, -1: 1])
        #expect(end == 2 + coseKey.count)
        #expect(try CBORDecoder().decodePrefix(bytes, from: end).value == ["x": true])
    }

    @Test("decodePrefix at the end of the input is truncated")
    func atEndIsTruncated() {
        #expect(throws: CBORError(code: .truncated)) { try CBORDecoder().decodePrefix([0x01], from: 1) }
    }

    @Test("decodePrefix with an offset outside the input fails instead of trapping")
    func outsideOffsetFails() {
        #expect(throws: CBORError(code: .truncated)) { try CBORDecoder().decodePrefix([0x01], from: 5) }
        #expect(throws: CBORError(code: .truncated)) { try CBORDecoder().decodePrefix([0x01], from: -1) }
    }

    @Test("decodePrefix reports errors at offsets into the whole input")
    func errorOffsetsAreAbsolute() {
        do {
            _ = try CBORDecoder().decodePrefix([0, 0, 0, 0x1c], from: 3)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 3)
        }
    }
}
