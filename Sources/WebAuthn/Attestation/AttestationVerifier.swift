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

    /// The same inputs with another statement (a §8.9 compound statement's item).
    func with(statement: CBORMap) -> AttestationInput {
        AttestationInput(
            statement: statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash,
            aaguid: aaguid, credentialID: credentialID, credentialPublicKey: credentialPublicKey, trust: trust)
    }
}

/// What one verified attestation statement proves, and its format.
struct VerifiedAttestation: Sendable {
    let result: AttestationResult
    let format: AttestationFormat

    /// How much it proves, to order a compound statement's results: a chain to a trusted root
    /// first, then a certificate, then self attestation, then none.
    var strength: Int {
        let type: Int
        switch result.type {
        case .none: type = 0
        case .self: type = 1
        default: type = 2
        }
        return (result.trusted ? 10 : 0) + type
    }
}

enum AttestationVerifier {
    /// §7.1 steps 21–22 for a whole attestation object: its one statement, or each statement of
    /// a §8.9 `compound` one, strongest first (a chain to a trusted root, then a certificate, then
    /// self, then none; in the object's order where equal).
    ///
    /// §8.9 step 1: each statement goes through its own format's procedure. This relying party's
    /// policy for a statement that fails: the whole registration fails, as it would had that
    /// statement come alone. §8.9 step 2 (which results count, and how many must) is the
    /// registration's: every statement's model is checked, and one statement must meet the
    /// relying party's requirement on its own.
    static func verify(_ object: AttestationObject, input: AttestationInput) async throws(WebAuthnError) -> [VerifiedAttestation] {
        guard object.format == .compound else {
            return [VerifiedAttestation(result: try await verify(format: object.format, input: input), format: object.format)]
        }
        var verified: [VerifiedAttestation] = []
        for (index, item) in object.compoundStatements.enumerated() {
            do {
                let result = try await verify(format: item.format, input: input.with(statement: item.statement))
                verified.append(VerifiedAttestation(result: result, format: item.format))
            } catch {
                throw WebAuthnError(error.code, "compound attestation, statement \(index) (\(item.format)): \(error.reason)")
            }
        }
        return verified.enumerated()
            .sorted { ($0.element.strength, -$0.offset) > ($1.element.strength, -$1.offset) }
            .map(\.element)
    }

    /// §7.1 step 21–22: pick the verification procedure by format and run it (never `compound`,
    /// whose items each come here).
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
