// The JSON wire types (WebAuthn §5.1.3–5.1.4 toJSON forms) and the strict RFC 8259 check every
// request body passes first. What the wire types decode must encode and decode to an equal value,
// and the sign-in answer's and sign-in options' own readers must agree with JSONDecoder (but for
// one deliberate difference, below: a timeout written 6e4 or 60000.0; docs/testing.md, finding 8).
// (Strict JSON need not parse with Foundation: RFC 8259 §6 lets a parser limit numbers, and
// Foundation refuses 8E7778, which the strict check rightly accepts; the body is then refused as
// malformed by the decoder.)
import Foundation
import WebAuthn

func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ json: Data) {
    guard let value = try? WireJSON.decode(T.self, from: json) else { return }
    guard let encoded = try? JSONEncoder().encode(value) else {
        check(false, "a decoded \(T.self) does not encode")
        return
    }
    let again = try? WireJSON.decode(T.self, from: encoded)
    check(again == value, "a \(T.self) changed in a round trip through JSON")
}

/// Whether strict JSON `bytes` hold a number with a fraction or an exponent: outside strings, a
/// `.` or a digit followed by `e` or `E` (the `e` of `true` and `false` follows no digit).
func hasNumberWithFractionOrExponent(_ bytes: [UInt8]) -> Bool {
    var inString = false
    var escaped = false
    var previous: UInt8 = 0
    for byte in bytes {
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
        } else if byte == UInt8(ascii: "\"") {
            inString = true
        } else if byte == UInt8(ascii: ".") || ((byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) && previous >= UInt8(ascii: "0") && previous <= UInt8(ascii: "9")) {
            return true
        }
        previous = byte
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        let json = Data(bytes)
        let strict = (try? StrictJSON.validate(bytes)) != nil
        // AuthenticationResponseJSON.parse reads fields only (WireReader): it takes nothing the
        // strict check refuses, and on strict JSON that Foundation can read at all it agrees with
        // the JSONDecoder path, value for value and refusal for refusal.
        let fast = try? AuthenticationResponseJSON.parse(json)
        if fast != nil { check(strict, "the sign-in reader took JSON the strict check refuses") }
        if strict, (try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])) != nil {
            check(fast == (try? WireJSON.decode(AuthenticationResponseJSON.self, from: json)),
                  "the sign-in reader and JSONDecoder disagree")
        }
        // The sign-in options' reader (PublicKeyCredentialRequestOptionsJSON.parse) likewise.
        var options: PublicKeyCredentialRequestOptionsJSON?
        var optionsRefusal = ""
        do {
            options = try PublicKeyCredentialRequestOptionsJSON.parse(json)
        } catch let error as WebAuthnError {
            optionsRefusal = error.reason
        } catch {
            optionsRefusal = "\(error)"
        }
        if options != nil { check(strict, "the options reader took JSON the strict check refuses") }
        if strict, (try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])) != nil {
            let decoded = try? WireJSON.decode(PublicKeyCredentialRequestOptionsJSON.self, from: json)
            // One deliberate difference: JSONDecoder reads 6e4 or 60000.0 as the timeout 60000,
            // the reader wants a whole number written as one. Then JSONDecoder's own writing of
            // the same options must read back to the same value.
            if options == nil, let decoded, decoded.timeout != nil,
                optionsRefusal.contains("timeout has the wrong type"), hasNumberWithFractionOrExponent(bytes) {
                let written = (try? JSONEncoder().encode(decoded)).flatMap { try? PublicKeyCredentialRequestOptionsJSON.parse($0) }
                check(written == decoded, "the options reader refuses what JSONDecoder writes")
            } else {
                check(options == decoded, "the options reader and JSONDecoder disagree")
            }
        }
        roundTrip(RegistrationResponseJSON.self, json)
        roundTrip(AuthenticationResponseJSON.self, json)
        roundTrip(PublicKeyCredentialCreationOptionsJSON.self, json)
        roundTrip(PublicKeyCredentialRequestOptionsJSON.self, json)
    }
}
