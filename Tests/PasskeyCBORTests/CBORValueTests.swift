import PasskeyCBOR
import Testing

@Suite("CBOR values")
struct CBORValueTests {
    @Test("Int initialiser picks unsigned or negative, covering Int.min and Int.max")
    func intInitialiser() {
        #expect(CBOR(0) == .unsigned(0))
        #expect(CBOR(-1) == .negative(0))
        #expect(CBOR(Int.max) == .unsigned(UInt64(Int.max)))
        #expect(CBOR(Int.min) == .negative(UInt64(Int.max)))
    }

    @Test("intValue round-trips every Int and is nil beyond Int's range")
    func intValueRange() {
        #expect(CBOR(Int.min).intValue == Int.min)
        #expect(CBOR(Int.max).intValue == Int.max)
        #expect(CBOR(-7).intValue == -7)
        #expect(CBOR.unsigned(UInt64(Int.max) + 1).intValue == nil)
        #expect(CBOR.negative(UInt64(Int.max) + 1).intValue == nil)
        #expect(CBOR.float(1).intValue == nil)
    }

    @Test("The most negative CBOR integer decodes")
    func mostNegativeIntegerDecodes() throws {
        let value = try CBORDecoder().decode(hex("3bffffffffffffffff"))
        #expect(value == .negative(.max))
        #expect(value.intValue == nil)
    }

    @Test("Accessors return their case's payload and nil for other cases")
    func accessors() {
        #expect(CBOR.bytes([1]).bytesValue == [1])
        #expect(CBOR.text("a").textValue == "a")
        #expect(CBOR.array([1]).arrayValue == [1])
        #expect(CBOR.map([1: 2]).mapValue?[1] == 2)
        #expect(CBOR.boolean(true).boolValue == true)
        #expect(CBOR.text("a").bytesValue == nil)
        #expect(CBOR.bytes([]).textValue == nil)
        #expect(CBOR.null.boolValue == nil)
    }

    @Test("Map subscripts find integer, text and arbitrary keys")
    func mapSubscripts() {
        let map = CBORMap([(1, 2), (-7, "x"), ("fmt", "none"), (.bytes([9]), true)])
        #expect(map[1] == 2)
        #expect(map[-7] == "x")
        #expect(map["fmt"] == "none")
        #expect(map[.bytes([9])] == true)
        #expect(map[2] == nil)
        #expect(map.count == 4)
    }

    @Test("A map keeps its entries in decoded order")
    func mapKeepsDecodedOrder() throws {
        let value = try CBORDecoder().decode(hex("a3 03 00 01 00 02 00"))
        #expect(value.mapValue?.map(\.key) == [3, 1, 2])
    }

    @Test("Maps with the same entries in another order are equal and hash alike")
    func mapEqualityIgnoresOrder() {
        let a = CBORMap([(1, 2), (3, 4)])
        let b = CBORMap([(3, 4), (1, 2)])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != CBORMap([(1, 2), (3, 5)]))
    }

    /// A map `depth` deep whose first key is the map one level down, with its entries in either order.
    static func nestedKeys(depth: Int, reversed: Bool) -> CBOR {
        guard depth > 0 else { return .unsigned(0) }
        let entries: [(key: CBOR, value: CBOR)] = [
            (nestedKeys(depth: depth - 1, reversed: reversed), .unsigned(UInt64(depth))), (.text("next"), .array([])),
        ]
        return .map(CBORMap(reversed ? entries.reversed() : entries))
    }

    // Regression: the cbor fuzz target found keys nested in keys that took 2^depth comparisons.
    @Test("Maps with maps as keys, nested sixteen deep, are equal whatever the order of their entries")
    func deeplyNestedMapKeysCompare() {
        let a = Self.nestedKeys(depth: 16, reversed: false)
        let b = Self.nestedKeys(depth: 16, reversed: true)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != Self.nestedKeys(depth: 15, reversed: false))
    }

    // Regression: the input the cbor fuzz target found; it decodes, and its canonical encoding
    // decodes to an equal value.
    @Test("A map keyed by nested maps and arrays survives a canonical round trip")
    func nestedKeyInputRoundTrips() throws {
        let input = hex("a186260040a186260040260086260040260040a18626004026a186260040f50040a1862600402600862600402600260040a186260040260086260040260040a18626004026a186260040f50040a186260040260086260040260040a186260040260040a186260040260086260040260040a186260040264040a186260040260040a186260040260086260040260040a186260040264040404040403030")
        let value = try CBORDecoder().decodePrefix(input).value
        #expect(try CBORDecoder().decode(CBOREncoder.encode(value)) == value)
    }

    // Regression: the cose-key fuzz target found a COSE key of maps keyed by maps (2.6 KB, 7 ms)
    // whose repeated-key check encoded two keys each time it compared them; keys now compare by
    // hash first. This holds the outcome of that check: distinct keys pass, a repeated one does not.
    @Test("Map keys of one size that differ only deep inside are distinct, and a repeated one is refused")
    func nestedKeysDifferingDeepInside() throws {
        func chain(depth: Int, leaf: UInt64) -> CBOR {
            var value = CBOR.unsigned(leaf)
            for _ in 0..<depth { value = .map(CBORMap([(value, .null)])) }
            return value
        }
        let a = chain(depth: 12, leaf: 1)
        let b = chain(depth: 12, leaf: 2)
        #expect(a != b)
        #expect(a == chain(depth: 12, leaf: 1))
        let distinct = CBOREncoder.encode(.map(CBORMap([(a, .unsigned(1)), (b, .unsigned(2))])))
        #expect(try CBORDecoder().decode(distinct).mapValue?.count == 2)
        let repeated = CBOREncoder.encode(.map(CBORMap([(a, .unsigned(1)), (chain(depth: 12, leaf: 1), .unsigned(2))])))
        #expect(throws: CBORError(code: .duplicateMapKey)) { try CBORDecoder().decode(repeated) }
    }

    // The cose-key fuzz target found a 1.5 KB key of maps keyed by wide maps whose comparisons
    // encoded every nested entry at every level (4.8 ms with the sanitizers); maps now pair their
    // entries by hash. These hold what the pairing must keep.
    @Test("Maps pair entries by hash: repeated entries count, order does not, and a difference deep inside is found")
    func mapsPairEntriesByHash() {
        #expect(CBORMap([(1, 2), (1, 2), (3, 4)]) == CBORMap([(3, 4), (1, 2), (1, 2)]))
        #expect(CBORMap([(1, 2), (1, 2), (3, 4)]) != CBORMap([(1, 2), (3, 4), (3, 4)]))
        func wide(_ leaf: UInt64, depth: Int, reversed: Bool) -> CBOR {
            guard depth > 0 else { return .unsigned(leaf) }
            let entries: [(key: CBOR, value: CBOR)] = (0..<4).map { index in
                (wide(index == 3 ? leaf : UInt64(index), depth: depth - 1, reversed: reversed), .unsigned(UInt64(index)))
            }
            return .map(CBORMap(reversed ? entries.reversed() : entries))
        }
        let a = wide(7, depth: 5, reversed: false)
        #expect(a == wide(7, depth: 5, reversed: true))
        #expect(a.hashValue == wide(7, depth: 5, reversed: true).hashValue)
        #expect(a != wide(8, depth: 5, reversed: true), "one leaf five maps down differs")
        let twice = CBOREncoder.encode(.map(CBORMap([(a, .null), (wide(7, depth: 5, reversed: true), .null)])))
        #expect(throws: CBORError(code: .duplicateMapKey)) { try CBORDecoder().decode(twice) }
    }

    @Test("Floats compare by their bits, so NaN equals NaN and zero differs from negative zero")
    func floatEquality() {
        #expect(CBOR.float(.nan) == .float(.nan))
        #expect(CBOR.float(0.0) != .float(-0.0))
        #expect(CBOR.float(1) != .unsigned(1))
    }
}
