import Testing
import WebAuthn

/// Base64url without padding (RFC 4648 §5), strict on decode.
@Suite("Base64url (RFC 4648 §5)")
struct SpecBase64URLTests {
    /// RFC 4648 §10 test vectors, without padding.
    static let vectors: [(text: String, encoded: String)] = [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 test vectors encode without padding and decode back")
    func rfc4648Vectors() {
        for vector in Self.vectors {
            #expect(Base64URL.encode(Array(vector.text.utf8)) == vector.encoded)
            // Collections without contiguous storage take the copying path: same text.
            #expect(Base64URL.encode(vector.text.utf8.lazy.map { $0 }) == vector.encoded)
            #expect(Base64URL.encode(Array(vector.text.utf8).dropFirst(0)) == vector.encoded)
            #expect(Base64URL.decode(vector.encoded) == Array(vector.text.utf8))
        }
    }

    @Test("The URL-safe alphabet uses - and _ where base64 uses + and /")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.encode([0xF8, 0x00, 0x00]) == "-AAA")
    }

    @Test("Every byte string of length 0 to 64 round-trips")
    func roundTrips() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("="))
            #expect(encoded.count == (length * 4 + 2) / 3)
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test("All 256 byte values round-trip")
    func allByteValuesRoundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }

    @Test("Correct trailing padding is tolerated")
    func paddingIsTolerated() {
        #expect(Base64URL.decode("Zg==") == Array("f".utf8))
        #expect(Base64URL.decode("Zm8=") == Array("fo".utf8))
    }

    @Test("Text that is not strict base64url is rejected", arguments: [
        "Zm9v+mFy", "Zm9v/mFy", "Zm9v YmFy", " Zm9v", "Zm9v\n", "Zm9v\tYg", "Zm9vYg=", "Zm9vYg===", "Zg=", "Zm8==",
        "Zm9v=", "=Zm9v", "Zm=9v", "=", "==", "Z", "Zm9vY", "Zh", "Zm9", "Zm9vYh", "Zm9vYmF", "é", "Zm9v\u{0}",
    ])
    func invalidTextIsRejected(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("Typed identifiers read and write base64url")
    func identifiersUseBase64URL() throws {
        let id = try #require(CredentialID(base64URL: "AQID"))
        #expect(id.bytes == [1, 2, 3])
        #expect(id.base64URL == "AQID")
        #expect(CredentialID(base64URL: "AQ+D") == nil)
        #expect(CredentialID(base64URL: "") == nil)
        #expect(UserHandle(base64URL: Base64URL.encode([UInt8](repeating: 0, count: 65))) == nil)
    }
}
