/// §8.7 the `none` format: the authenticator (or client) attests nothing.
enum NoneAttestation {
    static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationResult {
        // §8.7: the statement is an empty map.
        guard input.statement.count == 0 else {
            throw WebAuthnError(.attestationPolicy, "none attestation: attStmt must be empty")
        }
        return AttestationResult(type: .none, trustPath: [], trusted: false)
    }
}
