import PasskeyCBOR
import Testing

@Suite("Decoder limits and errors")
struct DecoderLimitTests {
    let decoder = CBORDecoder()

    @Test(
        "A claimed length of 2^40 fails as truncated before anything is allocated",
        arguments: ["5b0000010000000000", "7b0000010000000000", "9b0000010000000000", "bb0000010000000000"])
    func hugeClaimedLengthIsTruncated(header: String) {
        #expect(throws: CBORError(code: .truncated)) { try decoder.decode(hex(header) + [0, 0, 0]) }
    }

    @Test("An array claiming more items than there are bytes left is truncated")
    func arrayCountBeyondRemainingBytes() {
        #expect(throws: CBORError(code: .truncated)) { try decoder.decode(hex("84010203")) }
    }

    @Test("A map claiming more pairs than the bytes left could hold is truncated")
    func mapCountBeyondRemainingBytes() {
        #expect(throws: CBORError(code: .truncated)) { try decoder.decode(hex("a2010203")) }
    }

    @Test(
        "A length larger than Int.max is an integer overflow",
        arguments: ["5bffffffffffffffff", "7b8000000000000000", "9bffffffffffffffff", "bb8000000000000000"])
    func lengthBeyondIntMax(header: String) {
        #expect(throws: CBORError(code: .integerOverflow)) { try decoder.decode(hex(header)) }
    }

    @Test("Every proper prefix of a nested structure's encoding is truncated")
    func everyPrefixIsTruncated() {
        let value: CBOR = [
            "fmt": "packed",
            "attStmt": ["alg": -7, "sig": .bytes([1, 2, 3]), "x5c": [.bytes(Array(repeating: 7, count: 300))]],
            "authData": .bytes((0..<40).map { UInt8($0) }),
            "n": [1000, -1_000_000, 1.5, 1.1, .tagged(24, .null), 1_000_000_000_000, true],
        ]
        let bytes = CBOREncoder.encode(value)
        for length in 0..<bytes.count {
            #expect(throws: CBORError(code: .truncated), "prefix of \(length) bytes") {
                try decoder.decode(Array(bytes[..<length]))
            }
        }
    }

    @Test("Sixteen nested arrays decode")
    func sixteenNestedArraysDecode() throws {
        _ = try decoder.decode(nestedArrays(16))
    }

    @Test("Seventeen nested arrays exceed the default depth")
    func seventeenNestedArraysFail() {
        #expect(throws: CBORError(code: .depthExceeded)) { try decoder.decode(nestedArrays(17)) }
    }

    @Test("A scalar inside sixteen nested arrays does not count as a level")
    func scalarsDoNotAddDepth() throws {
        _ = try decoder.decode(Array(repeating: 0x81, count: 16) + [0x01])
    }

    @Test("Maps and tags count toward the nesting depth")
    func mapsAndTagsCountTowardDepth() throws {
        // 8 maps {0: …} and 8 tags alternate to depth 16, then one more tag is 17.
        let sixteen: [UInt8] = Array(repeating: [0xa1, 0x00, 0xc1], count: 8).flatMap(\.self)
        _ = try decoder.decode(sixteen + [0x00])
        #expect(throws: CBORError(code: .depthExceeded)) { try decoder.decode(sixteen + [0xc1, 0x00]) }
    }

    @Test("A custom maximum depth is honoured")
    func customMaximumDepth() throws {
        var options = CBORDecoder.Options()
        options.maximumDepth = 2
        let shallow = CBORDecoder(options: options)
        _ = try shallow.decode(nestedArrays(2))
        #expect(throws: CBORError(code: .depthExceeded)) { try shallow.decode(nestedArrays(3)) }
    }

    @Test("Deep nesting far beyond the limit fails without exhausting the stack")
    func veryDeepNestingFails() {
        var options = CBORDecoder.Options()
        options.maximumDepth = .max
        options.maximumItems = .max
        let unlimited = CBORDecoder(options: options)
        #expect(throws: CBORError(code: .truncated)) {
            try unlimited.decode(Array(repeating: 0x81, count: 200_000))
        }
    }

    @Test("More items than maximumItems is too large")
    func tooManyItems() throws {
        var options = CBORDecoder.Options()
        options.maximumItems = 4
        let limited = CBORDecoder(options: options)
        _ = try limited.decode(hex("83010203"))
        #expect(throws: CBORError(code: .tooLarge)) { try limited.decode(hex("8401020304")) }
    }

    @Test("By default a thousand items decode and the next one is too large")
    func defaultItemLimit() throws {
        // An array (one item) of 999 zeros is 1,000 items; of 1,000 zeros, 1,001.
        #expect(try decoder.decode([0x99, 0x03, 0xe7] + Array(repeating: 0, count: 999)).arrayValue?.count == 999)
        #expect(throws: CBORError(code: .tooLarge)) { try decoder.decode([0x99, 0x03, 0xe8] + Array(repeating: 0, count: 1000)) }
        // Nested small containers count one by one: 600 arrays of one zero are 1,201 items.
        #expect(throws: CBORError(code: .tooLarge)) {
            try decoder.decode([0x99, 0x02, 0x58] + Array(repeating: [0x81, 0x00], count: 600).flatMap { $0 })
        }
    }

    @Test("A container claiming more items than maximumItems allows fails before its items are read")
    func claimedItemsBeyondBudget() {
        var options = CBORDecoder.Options()
        options.maximumItems = 10
        let limited = CBORDecoder(options: options)
        let claimsTwenty: [UInt8] = [0x94] + Array(repeating: 0x00, count: 20)
        #expect(throws: CBORError(code: .tooLarge)) { try limited.decode(claimsTwenty) }
    }

    @Test(
        "Indefinite lengths and the break byte are rejected",
        arguments: ["5f4101ff", "7f6161ff", "9f01ff", "bf0101ff", "ff", "1f", "3f"])
    func indefiniteLengthsAreRejected(input: String) {
        #expect(throws: CBORError(code: .indefiniteLength)) { try decoder.decode(hex(input)) }
    }

    @Test(
        "Additional information 28 to 30 is reserved",
        arguments: ["1c", "1d", "1e", "3c", "5d", "7e", "9c", "bd", "de", "fc", "fd", "fe"])
    func reservedAdditionalInformation(input: String) {
        #expect(throws: CBORError(code: .reservedAdditionalInformation)) { try decoder.decode(hex(input)) }
    }

    @Test("A two-byte simple value below 32 is invalid", arguments: ["f800", "f813", "f814", "f818", "f81f"])
    func twoByteSimpleValueBelow32(input: String) {
        #expect(throws: CBORError(code: .invalidSimpleValue)) { try decoder.decode(hex(input)) }
    }

    @Test("Simple values 0 to 19 and 32 to 255 decode as simple")
    func simpleValuesDecode() throws {
        #expect(try decoder.decode(hex("e0")) == .simple(0))
        #expect(try decoder.decode(hex("f3")) == .simple(19))
        #expect(try decoder.decode(hex("f820")) == .simple(32))
    }

    @Test("A map with a repeated key is rejected")
    func duplicateKeyIsRejected() {
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a2010201 03")) }
    }

    @Test("A large map with a repeated key is rejected")
    func duplicateKeyInLargeMapIsRejected() {
        let entries: [UInt8] = (0..<40).flatMap { key -> [UInt8] in [0x18, UInt8(key + 24), 0xf6] }
        #expect(throws: CBORError(code: .duplicateMapKey)) {
            try decoder.decode([0xb8, 41] + entries + [0x18, 30, 0xf6])
        }
    }

    // Up to 16 keys a new key is looked for among the earlier ones one by one, past that in a set
    // (Reader.linearKeys): a repeat must be found wherever the two keys fall, either side of 16.
    @Test("A repeated key is found wherever it and its first use fall in the map", arguments: [1, 2, 15, 16, 17, 18, 33, 40])
    func duplicateKeyFoundAtEveryPosition(count: Int) {
        for first in 0..<count {
            // Keys 0..<count, then a repeat of `first`: keys are 2-byte unsigned integers.
            let entries: [UInt8] = (0..<count).flatMap { key -> [UInt8] in [0x18, UInt8(key + 24), 0xf6] }
            let header: [UInt8] = [0xb8, UInt8(count + 1)]
            #expect(throws: CBORError(code: .duplicateMapKey), "key \(first) repeated after \(count)") {
                try decoder.decode(header + entries + [0x18, UInt8(first + 24), 0xf6])
            }
        }
        let entries: [UInt8] = (0..<(count + 1)).flatMap { key -> [UInt8] in [0x18, UInt8(key + 24), 0xf6] }
        #expect((try? decoder.decode([0xb8, UInt8(count + 1)] + entries))?.mapValue?.count == count + 1)
    }

    @Test("Past 16 keys, container keys equal in the data model but encoded differently still repeat")
    func duplicateContainerKeyPastTheLinearScan() {
        // 20 keys [0, i], then {1: 2, 3: 4} and the same map in the other order.
        let keys: [UInt8] = (0..<20).flatMap { index -> [UInt8] in [0x82, 0x00, UInt8(index), 0xf6] }
        #expect(throws: CBORError(code: .duplicateMapKey)) {
            try decoder.decode([0xb6] + keys + hex("a201020304 00 a203040102 00"))
        }
        #expect((try? decoder.decode([0xb6] + keys + hex("a201020304 00 a201020305 00")))?.mapValue?.count == 22)
    }

    @Test("Maps inside a map's values and keys keep their own keys apart from the map's")
    func nestedMapsKeepTheirKeysApart() throws {
        // {1: {1: 0, 2: 0}, 2: {1: 0}}: the inner maps reuse the outer keys, which is allowed.
        #expect(try decoder.decode(hex("a2 01 a2 0100 0200 02 a1 0100")).mapValue?.count == 2)
        // {1: {2: 0}, 1: 0}: the outer key 1 repeats after an inner map with other keys.
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a2 01 a1 0200 01 00")) }
        // {{1: 0}: 0, 1: 0, {1: 0}: 0}: a map key's own keys do not count as the outer map's.
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a3 a10100 00 01 00 a10100 00")) }
        #expect(try decoder.decode(hex("a2 a10100 00 01 00")).mapValue?.count == 2)
        // A repeat inside an inner map is found, and one in the outer map after the inner map ended.
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a2 01 a2 0100 0100 02 00")) }
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a3 01 a2 0300 0400 02 00 02 00")) }
    }

    @Test("Repeated container keys are detected")
    func duplicateContainerKeyIsRejected() {
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex("a2 820102 00 820102 01")) }
    }

    // The repeated-key check finds keys by a digest built from their parts, so equal keys must
    // share it however they are encoded (lenient decoding keeps any map order, any float width).
    @Test(
        "Keys equal in the data model but encoded differently are repeated keys, however deep",
        arguments: [
            "a2 a201020304 00 a203040102 00",  // a map key, its entries in the other order
            "a2 81a201020304 00 81a203040102 00",  // that map inside an array
            "a2 c1a201020304 00 c1a203040102 00",  // inside a tag
            "a2 a1a201020304f6 00 a1a203040102f6 00",  // as the key of a map that is the key
            "a2 f97e00 00 fb7ff8000000000001 00",  // NaN and another NaN
            "a2 f93c00 00 fa3f800000 00",  // 1.0 as a half and as a single
            "a2 a2 a10102 03 a10304 05 00 a2 a10304 05 a10102 03 00",  // maps keyed by maps, reordered
        ])
    func equalKeysEncodedDifferentlyRepeat(input: String) {
        #expect(throws: CBORError(code: .duplicateMapKey)) { try decoder.decode(hex(input)) }
    }

    @Test(
        "Keys that differ only inside are distinct, however deep",
        arguments: [
            "a2 a201020304 00 a201020305 00",  // one value differs
            "a2 81a201020304 00 81a201020305 00",
            "a2 c1a10102 00 c2a10102 00",  // the same map under two tags
            "a2 82 0102 00 82 0201 00",  // arrays keep their order
            "a2 f90000 00 f98000 00",  // zero and negative zero
            "a2 a1a10102 f6 00 a1a10103 f6 00",
        ])
    func keysDifferingInsideAreDistinct(input: String) throws {
        #expect(try decoder.decode(hex(input)).mapValue?.count == 2)
    }

    // Regression: the cbor fuzz target found error messages that spelled out a large key, at a
    // cost of milliseconds per key.
    @Test("A repeated key that is a long byte string is named by its size in the error")
    func duplicateLongKeyIsNamedBriefly() {
        let key: [UInt8] = [0x59, 0x01, 0x00] + Array(repeating: 0xAB, count: 256)
        do {
            _ = try decoder.decode([0xa2] + key + [0x00] + key + [0x01])
            Issue.record("a map with a repeated key decoded")
        } catch {
            #expect(error.code == .duplicateMapKey)
            #expect(error.message == "map key a 256-byte string appears twice")
        }
    }

    @Test("Bytes after the top-level item are rejected")
    func trailingBytesAreRejected() {
        #expect(throws: CBORError(code: .trailingBytes)) { try decoder.decode(hex("0000")) }
    }

    @Test(
        "Text that is not UTF-8 is rejected",
        arguments: ["62c328", "61ff", "63eda080", "62c0af", "61 80", "64f8888080"])
    func invalidUTF8IsRejected(input: String) {
        #expect(throws: CBORError(code: .invalidUTF8)) { try decoder.decode(hex(input)) }
    }

    @Test("An empty input is truncated")
    func emptyInputIsTruncated() {
        #expect(throws: CBORError(code: .truncated)) { try decoder.decode([UInt8]()) }
    }

    @Test("The error reports the offset of the failing item")
    func errorReportsOffset() {
        do {
            _ = try decoder.decode(hex("83 01 02 1c"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .reservedAdditionalInformation)
            #expect(error.offset == 3)
        }
    }

    @Test("A slice decodes with offsets counted from its start")
    func sliceDecodes() throws {
        let bytes = hex("ff ff 83010203 ff")
        #expect(try decoder.decode(bytes[2..<6]) == [1, 2, 3])
        do {
            _ = try decoder.decode(bytes[2...])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .trailingBytes)
            #expect(error.offset == 4)
        }
    }

    @Test("Errors are equal by code alone")
    func errorsEqualByCode() {
        #expect(CBORError(code: .truncated, offset: 1, message: "a") == CBORError(code: .truncated, offset: 9, message: "b"))
        #expect(CBORError(code: .truncated) != CBORError(code: .tooLarge))
    }
}
