// The CBOR decoder (PasskeyCBOR): any bytes decode or throw, and what decodes survives a round
// trip through the canonical encoder.
import PasskeyCBOR

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCBOR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        _ = try? CBORDecoder().decodePrefix(bytes)
        var canonical = CBORDecoder.Options()
        canonical.requireCanonical = true
        let canonicalValue = try? CBORDecoder(options: canonical).decode(bytes)
        guard let value = try? CBORDecoder().decode(bytes) else {
            check(canonicalValue == nil, "the canonical decoder accepted what the lenient one refused")
            return
        }
        // The canonical encoding of a decoded value is canonical CBOR that decodes to a value
        // with the same encoding.
        let encoded = CBOREncoder.encode(value)
        guard let again = try? CBORDecoder(options: canonical).decode(encoded) else {
            check(false, "the canonical encoding of a decoded value does not decode canonically")
            return
        }
        check(CBOREncoder.encode(again) == encoded, "the canonical encoding is not stable")
        if let canonicalValue {
            check(canonicalValue == value, "the canonical and lenient decoders disagree")
            check(encoded == bytes, "canonical input does not encode back to itself")
        }
    }
}
