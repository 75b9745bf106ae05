import PasskeyCBOR
import Testing

/// One row of RFC 8949 Appendix A.
struct Vector: Sendable, CustomTestStringConvertible {
    let value: CBOR
    let hex: String
    var testDescription: String { "\(value) ↔ \(hex)" }
    init(_ value: CBOR, _ hex: String) {
        self.value = value
        self.hex = hex
    }
}

/// The Appendix A rows whose encoding is also the deterministic one, so they hold both ways.
let appendixA: [Vector] = [
    Vector(0, "00"),
    Vector(1, "01"),
    Vector(10, "0a"),
    Vector(23, "17"),
    Vector(24, "1818"),
    Vector(25, "1819"),
    Vector(100, "1864"),
    Vector(1000, "1903e8"),
    Vector(1_000_000, "1a000f4240"),
    Vector(1_000_000_000_000, "1b000000e8d4a51000"),
    Vector(.unsigned(18_446_744_073_709_551_615), "1bffffffffffffffff"),
    Vector(.tagged(2, .bytes(hex("010000000000000000"))), "c249010000000000000000"),
    Vector(.negative(18_446_744_073_709_551_615), "3bffffffffffffffff"),
    Vector(.tagged(3, .bytes(hex("010000000000000000"))), "c349010000000000000000"),
    Vector(-1, "20"),
    Vector(-10, "29"),
    Vector(-100, "3863"),
    Vector(-1000, "3903e7"),
    Vector(0.0, "f90000"),
    Vector(-0.0, "f98000"),
    Vector(1.0, "f93c00"),
    Vector(1.1, "fb3ff199999999999a"),
    Vector(1.5, "f93e00"),
    Vector(65504.0, "f97bff"),
    Vector(100000.0, "fa47c35000"),
    Vector(3.4028234663852886e+38, "fa7f7fffff"),
    Vector(1.0e+300, "fb7e37e43c8800759c"),
    Vector(5.960464477539063e-8, "f90001"),
    Vector(0.00006103515625, "f90400"),
    Vector(-4.0, "f9c400"),
    Vector(-4.1, "fbc010666666666666"),
    Vector(.float(.infinity), "f97c00"),
    Vector(.float(.nan), "f97e00"),
    Vector(.float(-.infinity), "f9fc00"),
    Vector(false, "f4"),
    Vector(true, "f5"),
    Vector(.null, "f6"),
    Vector(.undefined, "f7"),
    Vector(.simple(16), "f0"),
    Vector(.simple(255), "f8ff"),
    Vector(.tagged(0, "2013-03-21T20:04:00Z"), "c074323031332d30332d32315432303a30343a30305a"),
    Vector(.tagged(1, 1_363_896_240), "c11a514b67b0"),
    Vector(.tagged(1, 1_363_896_240.5), "c1fb41d452d9ec200000"),
    Vector(.tagged(23, .bytes([1, 2, 3, 4])), "d74401020304"),
    Vector(.tagged(24, .bytes(hex("6449455446"))), "d818456449455446"),
    Vector(.tagged(32, "http://www.example.com"), "d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    Vector(.bytes([]), "40"),
    Vector(.bytes([1, 2, 3, 4]), "4401020304"),
    Vector("", "60"),
    Vector("a", "6161"),
    Vector("IETF", "6449455446"),
    Vector("\"\\", "62225c"),
    Vector("\u{00fc}", "62c3bc"),
    Vector("\u{6c34}", "63e6b0b4"),
    Vector("\u{10151}", "64f0908591"),
    Vector([], "80"),
    Vector([1, 2, 3], "83010203"),
    Vector([1, [2, 3], [4, 5]], "8301820203820405"),
    Vector(.array((1...25).map { CBOR($0) }), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    Vector([:], "a0"),
    Vector([1: 2, 3: 4], "a201020304"),
    Vector(["a": 1, "b": [2, 3]], "a26161016162820203"),
    Vector(["a", ["b": "c"]], "826161a161626163"),
    Vector(["a": "A", "b": "B", "c": "C", "d": "D", "e": "E"], "a56161614161626142616361436164614461656145"),
]

/// Appendix A rows that are valid but not the shortest form, so they only decode.
let appendixADecodeOnly: [Vector] = [
    Vector(.float(.infinity), "fa7f800000"),
    Vector(.float(.nan), "fa7fc00000"),
    Vector(.float(-.infinity), "faff800000"),
    Vector(.float(.infinity), "fb7ff0000000000000"),
    Vector(.float(.nan), "fb7ff8000000000000"),
    Vector(.float(-.infinity), "fbfff0000000000000"),
]

@Suite("RFC 8949 Appendix A")
struct RFC8949VectorTests {
    @Test("Each Appendix A value encodes to the bytes the RFC lists", arguments: appendixA)
    func encodesToListedBytes(vector: Vector) {
        #expect(hexString(CBOREncoder.encode(vector.value)) == vector.hex)
    }

    @Test("Each Appendix A encoding decodes to the value the RFC lists", arguments: appendixA + appendixADecodeOnly)
    func decodesToListedValue(vector: Vector) throws {
        #expect(try CBORDecoder().decode(hex(vector.hex)) == vector.value)
    }

    @Test("Each Appendix A encoding in shortest form decodes under requireCanonical", arguments: appendixA)
    func shortestFormsAreCanonical(vector: Vector) throws {
        #expect(try strict.decode(hex(vector.hex)) == vector.value)
    }

    @Test("Longer float forms of infinity and NaN are rejected under requireCanonical", arguments: appendixADecodeOnly)
    func longerFloatFormsAreNotCanonical(vector: Vector) {
        #expect(throws: CBORError(code: .nonCanonical)) { try strict.decode(hex(vector.hex)) }
    }

    @Test("Half-precision subnormals decode exactly")
    func halfPrecisionSubnormals() throws {
        #expect(try CBORDecoder().decode(hex("f90001")) == .float(5.960464477539063e-8))
        #expect(try CBORDecoder().decode(hex("f903ff")) == .float(0x3ff * 0x1p-24))
        #expect(try CBORDecoder().decode(hex("f98001")) == .float(-5.960464477539063e-8))
    }

    @Test("Single-precision values that half precision cannot hold stay single")
    func singlePrecisionStaysSingle() {
        #expect(hexString(CBOREncoder.encode(.float(Double(Float(1.1))))) == "fa3f8ccccd")
        #expect(hexString(CBOREncoder.encode(.float(0x1p-25))) == "fa33000000")
    }
}
