import PasskeyCBOR
import PropertyBased
import Testing

/// Random CBOR values, nested at most `depth` containers deep.
///
/// Shrinks to the item's children, which is enough to point at the part that failed.
func cborGenerator(depth: Int = 4) -> Generator<CBOR, [CBOR]> {
    Generator(
        run: { rng in randomCBOR(depth: depth, using: &rng) },
        shrink: { value in
            switch value {
            case .array(let items): items
            case .map(let map): map.entries.flatMap { [$0.key, $0.value] }
            case .tagged(_, let item): [item]
            default: []
            }
        })
}

func randomCBOR(depth: Int, using rng: inout some RandomNumberGenerator) -> CBOR {
    // Containers half the time while depth remains, so values nest rather than stay flat.
    let kind = depth > 0 && Bool.random(using: &rng) ? Int.random(in: 9...11, using: &rng) : Int.random(in: 0...8, using: &rng)
    switch kind {
    case 0: return .unsigned(randomArgument(using: &rng))
    case 1: return .negative(randomArgument(using: &rng))
    case 2: return .bytes((0..<Int.random(in: 0...30, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    case 3: return .text(randomText(using: &rng))
    case 4: return .float(randomDouble(using: &rng))
    case 5:
        let simple = UInt8.random(in: 0...235, using: &rng)
        return .simple(simple < 20 ? simple : simple + 12)
    case 6: return .boolean(Bool.random(using: &rng))
    case 7: return .null
    case 8: return .undefined
    case 9:
        return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomCBOR(depth: depth - 1, using: &rng) })
    case 10:
        var entries: [(key: CBOR, value: CBOR)] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let key = randomCBOR(depth: depth - 1, using: &rng)
            // A repeated key is not valid CBOR, so the round trip would rightly fail.
            if !entries.contains(where: { $0.key == key }) {
                entries.append((key, randomCBOR(depth: depth - 1, using: &rng)))
            }
        }
        return .map(CBORMap(entries))
    default:
        return .tagged(randomArgument(using: &rng), randomCBOR(depth: depth - 1, using: &rng))
    }
}

/// Integers clustered around the boundaries between head sizes.
func randomArgument(using rng: inout some RandomNumberGenerator) -> UInt64 {
    let bits = [5, 8, 16, 32, 64].randomElement(using: &rng) ?? 64
    let limit: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) + 2
    return UInt64.random(in: 0...limit, using: &rng)
}

func randomDouble(using rng: inout some RandomNumberGenerator) -> Double {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
    case 1: return Double(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)))
    case 2:
        // Any value a half can hold: sign, 5-bit exponent, 10-bit fraction.
        let bits = UInt16.random(in: 0...UInt16.max, using: &rng)
        let exponent = Int(bits >> 10 & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude =
            exponent == 0 ? fraction * 0x1p-24
            : exponent == 31 ? (fraction == 0 ? .infinity : .nan)
            : (1024 + fraction) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        return bits & 0x8000 == 0 ? magnitude : -magnitude
    default:
        return [0.0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 65504, 65520]
            .randomElement(using: &rng) ?? 0
    }
}

func randomText(using rng: inout some RandomNumberGenerator) -> String {
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...12, using: &rng) {
        let ranges: [ClosedRange<UInt32>] = [0x0...0x7f, 0x80...0x7ff, 0x800...0xd7ff, 0xe000...0xffff, 0x10000...0x10ffff]
        let range = ranges.randomElement(using: &rng) ?? 0...0x7f
        if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &rng)) {
            scalars.append(scalar)
        }
    }
    return String(scalars)
}

@Suite("Properties")
struct PropertyTests {
    @Test("Decoding the encoding of any value gives the value back")
    func roundTrip() async {
        await propertyCheck(count: 300, input: cborGenerator()) { value in
            let decoded = try CBORDecoder().decode(CBOREncoder.encode(value))
            #expect(decoded == value)
        }
    }

    @Test("The encoder's output is always canonical")
    func encodingIsCanonical() async {
        await propertyCheck(count: 300, input: cborGenerator()) { value in
            _ = try strict.decode(CBOREncoder.encode(value))
        }
    }

    @Test("Encoding is deterministic whatever order map entries are given in")
    func encodingIgnoresEntryOrder() async {
        await propertyCheck(count: 200, input: cborGenerator()) { value in
            #expect(CBOREncoder.encode(value) == CBOREncoder.encode(reversingMaps(value)))
        }
    }

    @Test("Random bytes never crash the decoder")
    func randomBytesNeverCrash() async {
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...40)) { bytes in
            _ = try? CBORDecoder().decode(bytes)
            _ = try? strict.decode(bytes)
        }
    }

    @Test("Valid encodings with one byte changed never crash the decoder")
    func mutatedEncodingsNeverCrash() async {
        let input = zip(cborGenerator(), Gen.int(in: 0...10_000), Gen.uint8())
        await propertyCheck(count: 1000, input: input) { value, position, byte in
            var bytes = CBOREncoder.encode(value)
            guard !bytes.isEmpty else { return }
            bytes[position % bytes.count] = byte
            _ = try? CBORDecoder().decode(bytes)
            _ = try? CBORDecoder().decodePrefix(bytes)
        }
    }

    @Test("Every proper prefix of any valid encoding is truncated")
    func prefixesAreTruncated() async {
        await propertyCheck(count: 100, input: cborGenerator(depth: 3)) { value in
            let bytes = CBOREncoder.encode(value)
            for length in 0..<bytes.count {
                #expect(throws: CBORError(code: .truncated)) { try CBORDecoder().decode(Array(bytes[..<length])) }
            }
        }
    }
}

private func reversingMaps(_ value: CBOR) -> CBOR {
    switch value {
    case .array(let items): .array(items.map(reversingMaps))
    case .map(let map): .map(CBORMap(map.entries.reversed().map { (reversingMaps($0.key), reversingMaps($0.value)) }))
    case .tagged(let tag, let item): .tagged(tag, reversingMaps(item))
    default: value
    }
}
