/// A string enumeration of the WebAuthn IDL. Relying parties must ignore values they do not know
/// (WebAuthn §2.1.1), so these are open structs rather than closed enums.
public protocol WebAuthnStringEnumeration: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension WebAuthnStringEnumeration {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// §5.8.6 `UserVerificationRequirement`.
public struct UserVerificationRequirement: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let required = Self(rawValue: "required")
    public static let preferred = Self(rawValue: "preferred")
    public static let discouraged = Self(rawValue: "discouraged")
}

/// §5.4.6 `ResidentKeyRequirement`.
public struct ResidentKeyRequirement: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let required = Self(rawValue: "required")
    public static let preferred = Self(rawValue: "preferred")
    public static let discouraged = Self(rawValue: "discouraged")
}

/// §5.4.7 `AttestationConveyancePreference`.
public struct AttestationConveyancePreference: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none = Self(rawValue: "none")
    public static let indirect = Self(rawValue: "indirect")
    public static let direct = Self(rawValue: "direct")
    public static let enterprise = Self(rawValue: "enterprise")
}

/// §5.4.5 `AuthenticatorAttachment`.
public struct AuthenticatorAttachment: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let platform = Self(rawValue: "platform")
    public static let crossPlatform = Self(rawValue: "cross-platform")
}

/// §5.8.4 `AuthenticatorTransport`.
public struct AuthenticatorTransport: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let usb = Self(rawValue: "usb")
    public static let nfc = Self(rawValue: "nfc")
    public static let ble = Self(rawValue: "ble")
    public static let smartCard = Self(rawValue: "smart-card")
    public static let hybrid = Self(rawValue: "hybrid")
    public static let `internal` = Self(rawValue: "internal")
}

/// §5.8.8 `PublicKeyCredentialHint`.
public struct PublicKeyCredentialHint: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let securityKey = Self(rawValue: "security-key")
    public static let clientDevice = Self(rawValue: "client-device")
    public static let hybrid = Self(rawValue: "hybrid")
}

/// Credential Management `CredentialMediationRequirement`: how a ceremony involves the person.
/// WebAuthn L3 §5.1.3 gives `conditional` for `create()` a meaning of its own: the browser may
/// create a passkey without asking, right after the person used a saved password.
public struct CredentialMediationRequirement: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let silent = Self(rawValue: "silent")
    public static let optional = Self(rawValue: "optional")
    public static let conditional = Self(rawValue: "conditional")
    public static let required = Self(rawValue: "required")
}
