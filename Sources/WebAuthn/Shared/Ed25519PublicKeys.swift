/// RFC 8032 §5.1.3's public keys, taken strictly, as libsodium takes them.
///
/// `Curve25519.Signing.PublicKey(rawRepresentation:)` accepts any 32 bytes that decode to a point,
/// and its verification (RFC 8032 §5.1.7, cofactorless) then accepts signatures that no private
/// key made: for the identity point, `R` the identity and `S` zero verify for every message; for
/// the other points of small order (2, 4 or 8), the same signature verifies for one message in
/// eight, and an attacker can ask for as many ceremonies as that takes. A credential public key
/// (WebAuthn L3 §7.1 step 19) or an attestation certificate's key of that kind would let anyone
/// sign in or attest without a private key, so it is refused, together with encodings whose `y`
/// is not below the field's prime (not the canonical encoding of any point, §5.1.2).
enum Ed25519PublicKeys {
    /// The `y` coordinates of the eight points of small order, little-endian, sign bit clear:
    /// 0 (order 4), 1 (the identity), `p - 1` (order 2), and the two of order 8.
    private static let smallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        [
            0x26, 0xE8, 0x95, 0x8F, 0xC2, 0xB2, 0x27, 0xB0, 0x45, 0xC3, 0xF4, 0x89, 0xF2, 0xEF, 0x98, 0xF0,
            0xD5, 0xDF, 0xAC, 0x05, 0xD3, 0xC6, 0x33, 0x39, 0xB1, 0x38, 0x02, 0x88, 0x6D, 0x53, 0xFC, 0x05,
        ],
        [
            0xC7, 0x17, 0x6A, 0x70, 0x3D, 0x4D, 0xD8, 0x4F, 0xBA, 0x3C, 0x0B, 0x76, 0x0D, 0x10, 0x67, 0x0F,
            0x2A, 0x20, 0x53, 0xFA, 0x2C, 0x39, 0xCC, 0xC6, 0x4E, 0xC7, 0xFD, 0x77, 0x92, 0xAC, 0x03, 0x7A,
        ],
    ]

    /// Why the 32-byte encoded public key `key` is refused, or `nil` when it is not.
    static func refusal(_ key: [UInt8]) -> String? {
        guard key.count == 32 else { return "an Ed25519 public key is 32 bytes" }
        // §5.1.3 step 1: y is the low 255 bits; it must be below p = 2^255 - 19.
        if key[31] & 0x7F == 0x7F, key[1..<31].allSatisfy({ $0 == 0xFF }), key[0] >= 0xED {
            return "the Ed25519 public key is not canonically encoded"
        }
        // The sign bit of x does not matter: both points with such a y have small order.
        for y in smallOrderY where y[..<31] == key[..<31] && y[31] == key[31] & 0x7F {
            return "the Ed25519 public key is a point of small order, for which signatures need no private key"
        }
        return nil
    }
}
