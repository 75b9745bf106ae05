import PasskeyCBOR
import Testing

@Suite("CTAP2 canonical form")
struct CanonicalFormTests {
    @Test(
        "Integers, lengths and tags longer than needed are accepted by default but not under requireCanonical",
        arguments: ["1817", "190018", "1a0000ffff", "1b00000000ffffffff", "3800", "5801ff", "7801 61", "9800", "b800", "d80100"])
    func longerArgumentForms(input: String) throws {
        _ = try CBORDecoder().decode(hex(input))
        #expect(throws: CBORError(code: .nonCanonical)) { try strict.decode(hex(input)) }
    }

    @Test(
        "Floats wider than needed are accepted by default but not under requireCanonical",
        arguments: ["fa3fc00000", "fb3ff8000000000000", "fb47efffffe0000000"])
    func widerFloatForms(input: String) throws {
        _ = try CBORDecoder().decode(hex(input))
        #expect(throws: CBORError(code: .nonCanonical)) { try strict.decode(hex(input)) }
    }

    // Regression: the cbor fuzz target found f97e07 accepted as canonical, a second encoding of NaN.
    @Test(
        "A NaN other than f97e00 is accepted by default but not under requireCanonical",
        arguments: ["f97e07", "f9fe00", "f97c01", "f9ffff"])
    func nonCanonicalNaN(input: String) throws {
        #expect(try CBORDecoder().decode(hex(input)).doubleValue?.isNaN == true)
        #expect(throws: CBORError(code: .nonCanonical)) { try strict.decode(hex(input)) }
    }

    @Test("The canonical NaN f97e00 is accepted under requireCanonical")
    func canonicalNaN() throws {
        #expect(try strict.decode(hex("f97e00")).doubleValue?.isNaN == true)
    }

    @Test(
        "Unsorted map keys are accepted by default but not under requireCanonical",
        arguments: [
            "a2 03 00 01 00",  // 3 before 1
            "a2 20 00 01 00",  // -1 before 1: lower major type first
            "a2 1818 00 17 00",  // 24 before 23: shorter first
            "a2 6161 00 01 00",  // text before integer
            "a2 6162 00 6161 00",  // "b" before "a"
            "a2 62 6161 00 61 62 00",  // "aa" before "b": shorter first
        ])
    func unsortedMapKeys(input: String) throws {
        _ = try CBORDecoder().decode(hex(input))
        #expect(throws: CBORError(code: .nonCanonical)) { try strict.decode(hex(input)) }
    }

    @Test("A COSE key with keys in CTAP2 order is canonical")
    func coseKeyOrderIsCanonical() throws {
        _ = try strict.decode(hex("a5 01 02 03 26 20 01 21 4100 22 4100"))
    }

    @Test("The encoder writes COSE key entries in the order 1, 3, -1, -2, -3")
    func encoderSortsCoseKey() throws {
        let x = CBOR.bytes(Array(repeating: 0xaa, count: 32))
        let y = CBOR.bytes(Array(repeating: 0xbb, count: 32))
        let key = CBORMap([(-3, y), (-1, 1), (3, -7), (-2, x), (1, 2)])
        let decoded = try CBORDecoder().decode(CBOREncoder.encode(.map(key)))
        #expect(decoded.mapValue?.entries.map(\.key) == [1, 3, -1, -2, -3])
    }

    @Test("The encoder sorts text keys by length before bytes: fmt, attStmt, authData")
    func encoderSortsTextKeysByLength() throws {
        let object: CBOR = ["authData": .bytes([]), "fmt": "none", "attStmt": [:]]
        let decoded = try CBORDecoder().decode(CBOREncoder.encode(object))
        #expect(decoded.mapValue?.entries.map(\.key) == ["fmt", "attStmt", "authData"])
    }

    @Test("The encoder puts integer keys before text keys and shorter integers first")
    func encoderSortsByMajorTypeThenLength() {
        let map: CBOR = ["a": 0, 256: 0, -1: 0, 24: 0, 23: 0]
        #expect(hexString(CBOREncoder.encode(map)) == "a5" + "1700" + "181800" + "19010000" + "2000" + "616100")
    }

    @Test("The encoder sorts map keys that are maps by their own canonical encoding, and one entry as it is")
    func encoderSortsMapKeysThatAreMaps() {
        let inner: CBOR = .map(CBORMap([(3, 4), (1, 2)]))
        let map: CBOR = .map(CBORMap([(inner, 0), ("a", .map(CBORMap([(inner, 1)]))), (1, 0)]))
        #expect(hexString(CBOREncoder.encode(map)) == "a3" + "0100" + "6161" + "a1" + "a201020304" + "01" + "a20102030400")
    }

    @Test("The encoder writes integers, lengths and tags in their shortest forms")
    func encoderUsesShortestHeads() {
        #expect(hexString(CBOREncoder.encode(.unsigned(255))) == "18ff")
        #expect(hexString(CBOREncoder.encode(.unsigned(256))) == "190100")
        #expect(hexString(CBOREncoder.encode(.unsigned(65536))) == "1a00010000")
        #expect(hexString(CBOREncoder.encode(.unsigned(4_294_967_296))) == "1b0000000100000000")
        #expect(hexString(Array(CBOREncoder.encode(.bytes(Array(repeating: 0, count: 24))).prefix(2))) == "5818")
        #expect(hexString(CBOREncoder.encode(.tagged(65535, .null))) == "d9fffff6")
    }
}
