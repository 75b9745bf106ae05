import Foundation

/// §5.8.1 `CollectedClientData`: what the client signed over, parsed from `clientDataJSON`.
public struct CollectedClientData: Sendable, Hashable {
    /// §5.8.1.1 the ceremony type: `webauthn.create` or `webauthn.get`.
    public struct CeremonyType: WebAuthnStringEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let create = Self(rawValue: "webauthn.create")
        public static let get = Self(rawValue: "webauthn.get")
    }

    public let type: CeremonyType
    /// The challenge as the client reported it (decoded from base64url).
    public let challenge: [UInt8]
    public let origin: String
    public let crossOrigin: Bool?
    public let topOrigin: String?

    private struct Wire: Decodable {
        let type: String
        let challenge: String
        let origin: String
        let crossOrigin: Bool?
        let topOrigin: String?
    }

    /// Parses `clientDataJSON` (§7.1 step 5, §7.2 step 10: "Let C … be the result of running an
    /// implementation-specific JSON parser on JSONtext").
    public init(json bytes: [UInt8]) throws(WebAuthnError) {
        if let limited = Self.limited(bytes) {
            self = limited
            return
        }
        // Strict RFC 8259 first: a member named twice (which `origin` would a decoder keep?) or a
        // trailing comma is no client data a browser writes (§5.8.1.1). A byte order mark in
        // front is ignored, as RFC 8259 §8.1 lets a parser do.
        do {
            try StrictJSON.validate(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)
        } catch {
            throw WebAuthnError(.malformed, "clientDataJSON is not strict JSON: \(error)")
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw WebAuthnError(.malformed, "clientDataJSON: \(WireJSON.describe(error))")
        } catch {
            throw WebAuthnError(.malformed, "clientDataJSON is not JSON")
        }
        guard let challenge = Base64URL.decode(wire.challenge) else {
            throw WebAuthnError(.malformed, "clientDataJSON.challenge is not base64url")
        }
        self.init(
            type: CeremonyType(rawValue: wire.type), challenge: challenge, origin: wire.origin,
            crossOrigin: wire.crossOrigin, topOrigin: wire.topOrigin)
    }

    private init(type: CeremonyType, challenge: [UInt8], origin: String, crossOrigin: Bool?, topOrigin: String?) {
        self.type = type
        self.challenge = challenge
        self.origin = origin
        self.crossOrigin = crossOrigin
        self.topOrigin = topOrigin
    }

    /// §5.8.1.2's limited verification: client data serialised exactly as §5.8.1.2 writes it —
    /// `{"type":…,"challenge":…,"origin":…,"crossOrigin":true|false` then `,"topOrigin":…` when
    /// there is one, then `}` — read by matching that template instead of running a JSON parser.
    ///
    /// Only what the template reads unambiguously is taken: strings of printable ASCII without
    /// escapes, and nothing after the last member. Anything else (escapes, other bytes, other
    /// order, whitespace, further members, a byte order mark) gives `nil`, and the caller parses
    /// the bytes as general JSON, so every input is either read here exactly as the JSON parser
    /// would read it or by the parser itself, and every rejection stays the parser's.
    package static func limited(_ bytes: [UInt8]) -> CollectedClientData? {
        var reader = TemplateReader(bytes: bytes)
        guard reader.expect(#"{"type":"#), let type = reader.string(),
              reader.expect(#","challenge":"#), let challengeText = reader.string(),
              reader.expect(#","origin":"#), let origin = reader.string(),
              reader.expect(#","crossOrigin":"#)
        else { return nil }
        let crossOrigin: Bool
        if reader.expect("true") {
            crossOrigin = true
        } else if reader.expect("false") {
            crossOrigin = false
        } else {
            return nil
        }
        var topOrigin: String?
        if reader.expect(#","topOrigin":"#) {
            guard let value = reader.string() else { return nil }
            topOrigin = value
        }
        guard reader.expect("}"), reader.atEnd,
              let challenge = Base64URL.decode(challengeText)
        else { return nil }
        return CollectedClientData(
            type: CeremonyType(rawValue: type), challenge: challenge, origin: origin, crossOrigin: crossOrigin,
            topOrigin: topOrigin)
    }
}

/// Reads §5.8.1.2's serialisation of client data byte by byte (``CollectedClientData/limited(_:)``).
private struct TemplateReader {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    /// Moves past `literal` when the bytes continue with it.
    mutating func expect(_ literal: StaticString) -> Bool {
        let matches = literal.withUTF8Buffer { expected in
            bytes.count - offset >= expected.count && zip(bytes[offset...], expected).allSatisfy { $0 == $1 }
        }
        if matches { offset += literal.utf8CodeUnitCount }
        return matches
    }

    /// A JSON string of printable ASCII with no escape sequence; `nil` for anything else.
    mutating func string() -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
        let start = offset + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        offset = end + 1
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
