/// The one error the relying party throws: a stable ``Code`` for programs and tests, and a reason
/// for people. Two errors are equal when their codes are equal.
public struct WebAuthnError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable error code (`snake_case` on the wire).
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible, Codable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Input that cannot be parsed: JSON, base64url, CBOR, authenticator data, a missing field.
        public static let malformed = Code(rawValue: "malformed")
        /// `clientDataJSON.type` is not the ceremony's type, or the credential type is not `public-key`.
        public static let typeMismatch = Code(rawValue: "type_mismatch")
        public static let challengeMismatch = Code(rawValue: "challenge_mismatch")
        public static let originMismatch = Code(rawValue: "origin_mismatch")
        public static let rpIDMismatch = Code(rawValue: "rp_id_mismatch")
        public static let crossOriginNotAllowed = Code(rawValue: "cross_origin_not_allowed")
        public static let userPresenceRequired = Code(rawValue: "user_presence_required")
        public static let userVerificationRequired = Code(rawValue: "user_verification_required")
        /// The backup flags are inconsistent (BS without BE) or BE changed for a credential.
        public static let backupStateInvalid = Code(rawValue: "backup_state_invalid")
        public static let badSignature = Code(rawValue: "bad_signature")
        public static let unsupportedAlgorithm = Code(rawValue: "unsupported_algorithm")
        public static let signCount = Code(rawValue: "sign_count")
        /// The credential is not one the relying party holds or allowed for this ceremony.
        public static let unknownCredential = Code(rawValue: "unknown_credential")
        /// The credential is one the relying party holds but not among those the ceremony
        /// allowed (§7.2 step 5).
        public static let credentialNotAllowed = Code(rawValue: "credential_not_allowed")
        /// The user handle does not belong to the credential's account.
        public static let userMismatch = Code(rawValue: "user_mismatch")
        /// The attestation statement's certificates do not lead to a trusted root.
        public static let attestationTrust = Code(rawValue: "attestation_trust")
        /// The attestation statement breaks its format's rules, or the relying party's policy.
        public static let attestationPolicy = Code(rawValue: "attestation_policy")
        public static let attestationAAGUIDMismatch = Code(rawValue: "attestation_aaguid_mismatch")
        public static let attestationNonceMismatch = Code(rawValue: "attestation_nonce_mismatch")
        /// The attestation statement format is not one this library knows.
        public static let unsupportedAttestationFormat = Code(rawValue: "unsupported_attestation_format")
        /// A metadata BLOB older than (or as old as) the one already loaded.
        public static let metadataRollback = Code(rawValue: "metadata_rollback")
        /// The relying party's configuration is invalid.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: WebAuthnError, rhs: WebAuthnError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
