import Crypto
import X509

/// §8.6 the `fido-u2f` format: a U2F registration signature by a P-256 attestation certificate.
enum FIDOU2FAttestation {
    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        let statement = input.statement
        guard let sig = statement["sig"]?.bytesValue else {
            throw WebAuthnError(.malformed, "fido-u2f attestation: sig is missing")
        }
        // §8.6 step 2: exactly one certificate, with a P-256 key.
        let chain = try AttestationCertificates.chain(statement["x5c"], format: .fidoU2F)
        guard chain.count == 1 else {
            throw WebAuthnError(.attestationPolicy, "fido-u2f attestation: x5c must hold exactly one certificate")
        }
        guard let certificateKey = P256.Signing.PublicKey(chain[0].publicKey) else {
            throw WebAuthnError(.attestationPolicy, "fido-u2f attestation: the certificate key is not P-256")
        }
        // §8.6 step 4: the credential key as an uncompressed P-256 point.
        guard let publicKeyU2F = input.credentialPublicKey.p256UncompressedPoint,
              input.credentialPublicKey.algorithm == .es256 else {
            throw WebAuthnError(.attestationPolicy, "fido-u2f attestation: the credential key must be ES256 on P-256")
        }
        // §8.6 step 5: 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F.
        var verificationData: [UInt8] = [0x00]
        verificationData += input.authenticatorData.rpIDHash
        verificationData += input.clientDataHash
        verificationData += input.credentialID.bytes
        verificationData += publicKeyU2F
        // §8.6 step 6.
        guard SignatureVerifier(p256: certificateKey).isValid(signature: sig, for: verificationData) else {
            throw WebAuthnError(.badSignature, "fido-u2f attestation: the signature does not verify with the attestation certificate")
        }
        let trusted = try await input.trust.evaluate(chain: chain, format: .fidoU2F)
        return AttestationResult(type: .basic, trustPath: chain, trusted: trusted)
    }
}
