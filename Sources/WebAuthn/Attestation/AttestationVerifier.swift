import PasskeyCBOR

/// What every attestation format's verification procedure takes (§8: "attStmt, authenticatorData
/// and clientDataHash").
struct AttestationInput: Sendable {
    let statement: CBORMap
    let authenticatorData: AuthenticatorData
    let clientDataHash: [UInt8]
    let aaguid: AAGUID
    let credentialID: CredentialID
    let credentialPublicKey: COSEPublicKey
    let trust: AttestationTrustEvaluator
}

enum AttestationVerifier {
    /// §7.1 step 21–22: pick the verification procedure by format and run it.
    static func verify(format: AttestationFormat, input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        switch format {
        case .none: return try NoneAttestation.verify(input)
        case .packed: return try await PackedAttestation.verify(input)
        case .fidoU2F: return try await FIDOU2FAttestation.verify(input)
        case .tpm: return try await TPMAttestation.verify(input)
        case .androidKey: return try await AndroidKeyAttestation.verify(input)
        case .androidSafetyNet: return try await AndroidSafetyNetAttestation.verify(input)
        case .apple: return try await AppleAttestation.verify(input)
        default:
            throw WebAuthnError(.unsupportedAttestationFormat, "attestation format \"\(format)\" is not supported")
        }
    }
}
