import Crypto

/// A value that is a byte string on the wire and base64url text in JSON.
///
/// The identifiers of WebAuthn (``CredentialID``, ``UserHandle``, ``Challenge``) are distinct
/// types so one cannot be passed where another is meant; they share this encoding.
public protocol Base64URLBytes: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The raw bytes.
    var bytes: [UInt8] { get }
    /// Wraps raw bytes without checking them; used by the shared decoders below.
    init(uncheckedBytes: [UInt8])
    /// Checks the bytes against the type's rules (length limits), or throws `malformed`.
    static func validate(_ bytes: [UInt8]) throws(WebAuthnError)
}

extension Base64URLBytes {
    public static func validate(_ bytes: [UInt8]) throws(WebAuthnError) {}

    /// Wraps bytes that satisfy the type's rules.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        try Self.validate(bytes)
        self.init(uncheckedBytes: bytes)
    }

    /// Decodes base64url text, or returns `nil` when it is not base64url or breaks the type's rules.
    public init?(base64URL string: String) {
        guard let bytes = Base64URL.decode(string), (try? Self.validate(bytes)) != nil else { return nil }
        self.init(uncheckedBytes: bytes)
    }

    /// The unpadded base64url text of the bytes.
    public var base64URL: String { Base64URL.encode(bytes) }

    public var description: String { base64URL }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let bytes = Base64URL.decode(string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64url")
        }
        do {
            try Self.validate(bytes)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.reason)
        }
        self.init(uncheckedBytes: bytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base64URL)
    }
}

/// A credential's identifier, chosen by the authenticator (WebAuthn §4 "Credential ID").
public struct CredentialID: Base64URLBytes {
    /// §7.1 step 25: a credential ID longer than this is rejected.
    public static let maximumLength = 1023
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public static func validate(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard !bytes.isEmpty, bytes.count <= maximumLength else {
            throw WebAuthnError(.malformed, "credential ID must be 1 to \(maximumLength) bytes, not \(bytes.count)")
        }
    }
}

/// The relying party's opaque identifier for a user account (WebAuthn §4 "User Handle"):
/// 1 to 64 bytes, never personally identifying.
public struct UserHandle: Base64URLBytes {
    public static let maximumLength = 64
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public static func validate(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard !bytes.isEmpty, bytes.count <= maximumLength else {
            throw WebAuthnError(.malformed, "user handle must be 1 to \(maximumLength) bytes, not \(bytes.count)")
        }
    }

    /// A new random 32-byte user handle.
    public static func random() -> UserHandle {
        UserHandle(uncheckedBytes: randomBytes(32))
    }
}

/// A ceremony's challenge: random bytes the relying party generates and later expects back in
/// the client data (WebAuthn §13.4.3: at least 16 bytes).
public struct Challenge: Base64URLBytes {
    public static let minimumLength = 16
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    /// A new random challenge of 32 bytes.
    public static func random() -> Challenge {
        Challenge(uncheckedBytes: randomBytes(32))
    }

    /// Compares in constant time (§7.1 step 8, §7.2 step 12).
    public func matches(_ other: some Collection<UInt8>) -> Bool {
        constantTimeEquals(bytes, other)
    }
}

/// The Authenticator Attestation GUID: the make and model of an authenticator (§6.5.1).
public struct AAGUID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// The all-zero AAGUID that authenticators send when they do not attest their model.
    public static let zero = AAGUID(uncheckedBytes: [UInt8](repeating: 0, count: 16))

    init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    /// Wraps 16 bytes, or returns `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
    public init?(uuidString: String) {
        // Eight, four, four, four and twelve digits, a hyphen between each group and nowhere else.
        let utf8 = Array(uuidString.utf8)
        let hyphens = [8, 13, 18, 23]
        guard utf8.count == 36, hyphens.allSatisfy({ utf8[$0] == UInt8(ascii: "-") }) else { return nil }
        let digits = utf8.indices.filter { !hyphens.contains($0) }.map { utf8[$0] }
        guard let bytes = hexBytes(String(decoding: digits, as: UTF8.self)) else { return nil }
        self.bytes = bytes
    }

    /// The lower-case UUID form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    public var uuidString: String {
        // Written straight into the string's storage, one allocation: every passkey in an answer
        // carries one.
        bytes.withUnsafeBufferPointer { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var index = 0
                for (position, byte) in bytes.prefix(16).enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        text[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    text[index] = hexDigit(byte >> 4)
                    text[index + 1] = hexDigit(byte & 0x0F)
                    index += 2
                }
                return index
            }
        }
    }

    public var description: String { uuidString }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let value = AAGUID(uuidString: string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uuidString)
    }
}

/// Lower-case hexadecimal.
package func hexString(_ bytes: some Collection<UInt8>) -> String {
    // Called across modules this is not specialized: walking a generic collection byte by byte
    // through its witness table cost more than the digits (as in `Base64URL.encode`). One call
    // gets contiguous bytes.
    if let text = bytes.withContiguousStorageIfAvailable(hexString(buffer:)) { return text }
    return Array(bytes).withUnsafeBufferPointer(hexString(buffer:))
}

/// Lower-case hexadecimal of contiguous bytes, written straight into the string's storage: one
/// allocation (none for up to 7 bytes).
private func hexString(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
        var index = 0
        for byte in bytes {
            buffer[index] = hexDigit(byte >> 4)
            buffer[index + 1] = hexDigit(byte & 0x0F)
            index += 2
        }
        return index
    }
}

/// The lower-case hexadecimal digit of a nibble (0 to 15).
@inline(__always) private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? nibble &+ 0x30 : nibble &+ 0x57  // "0"…"9", "a"…"f"
}

/// Parses hexadecimal (either case), or returns `nil`.
package func hexBytes(_ string: some StringProtocol) -> [UInt8]? {
    let utf8 = Array(string.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    var out = [UInt8]()
    out.reserveCapacity(utf8.count / 2)
    var index = 0
    while index < utf8.count {
        guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
        out.append(high << 4 | low)
        index += 2
    }
    return out
}
