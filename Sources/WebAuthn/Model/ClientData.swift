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
        self.type = CeremonyType(rawValue: wire.type)
        self.challenge = challenge
        self.origin = wire.origin
        self.crossOrigin = wire.crossOrigin
        self.topOrigin = wire.topOrigin
    }
}
