import PasskeyCBOR

/// §6.5.4 the attestation object: a format name, its statement, and the authenticator data.
public struct AttestationObject: Sendable {
    public let format: AttestationFormat
    public let statement: CBORMap
    public let authenticatorData: AuthenticatorData

    /// Parses the CBOR attestation object (§7.1 step 12).
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        let value: CBOR
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw WebAuthnError(.malformed, "attestationObject is not valid CBOR: \(error.message)")
        }
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject is not a CBOR map")
        }
        guard let fmt = map["fmt"]?.textValue else {
            throw WebAuthnError(.malformed, "attestationObject has no fmt")
        }
        guard let statement = map["attStmt"]?.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject has no attStmt map")
        }
        guard let authData = map["authData"]?.bytesValue else {
            throw WebAuthnError(.malformed, "attestationObject has no authData")
        }
        self.format = AttestationFormat(rawValue: fmt)
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(bytes: authData)
    }
}

/// §8 attestation statement format identifiers (IANA "WebAuthn Attestation Statement Format Identifiers").
public struct AttestationFormat: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none = Self(rawValue: "none")
    public static let packed = Self(rawValue: "packed")
    public static let fidoU2F = Self(rawValue: "fido-u2f")
    public static let tpm = Self(rawValue: "tpm")
    public static let androidKey = Self(rawValue: "android-key")
    public static let androidSafetyNet = Self(rawValue: "android-safetynet")
    public static let apple = Self(rawValue: "apple")
}

/// §6.5.3 what an attestation proves about the authenticator.
public struct AttestationType: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// No attestation: nothing is proven about the authenticator's model.
    public static let none = Self(rawValue: "none")
    /// Self attestation: signed with the credential's own key; proves only possession.
    public static let `self` = Self(rawValue: "self")
    /// Basic attestation: signed by a key shared by a batch of authenticators.
    public static let basic = Self(rawValue: "basic")
    /// Attestation CA: signed by a key certified for this authenticator by a CA (TPM AIK).
    public static let attCA = Self(rawValue: "attCA")
    /// Anonymization CA: a per-credential certificate from the vendor's CA (Apple).
    public static let anonCA = Self(rawValue: "anonCA")
}
