import Crypto
import SwiftASN1
import X509

/// §8.8 the `apple` format (Apple anonymous attestation): Apple's anonymization CA issues a
/// certificate for each credential, carrying a nonce made from the registration.
enum AppleAttestation {
    /// The Apple attestation nonce extension: `SEQUENCE { [1] EXPLICIT OCTET STRING }`.
    static let nonceExtension: ASN1ObjectIdentifier = [1, 2, 840, 113635, 100, 8, 2]

    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        // §8.8 step 1: the statement's syntax.
        let chain = try AttestationCertificates.chain(input.statement["x5c"], format: .apple)
        let credentialCertificate = chain[0]
        // §8.8 steps 2–4: the nonce is SHA-256(authenticatorData ‖ clientDataHash).
        let expectedNonce = Array(SHA256.hash(data: input.authenticatorData.rawRepresentation + input.clientDataHash))
        guard let ext = credentialCertificate.extensions[oid: nonceExtension] else {
            throw WebAuthnError(.attestationPolicy, "apple attestation: the certificate has no nonce extension")
        }
        let nonce = try Self.nonce(in: ext.value)
        guard constantTimeEquals(nonce, expectedNonce) else {
            throw WebAuthnError(.attestationNonceMismatch, "apple attestation: the certificate's nonce is not the hash of authenticatorData ‖ clientDataHash")
        }
        // §8.8 step 5: the certificate's key is the credential public key.
        guard AttestationCertificates.publicKey(of: credentialCertificate, matches: input.credentialPublicKey) else {
            throw WebAuthnError(.attestationPolicy, "apple attestation: the certificate's key is not the credential public key")
        }
        let trusted = try await input.trust.evaluate(chain: chain, format: .apple)
        return AttestationResult(type: .anonCA, trustPath: chain, trusted: trusted)
    }

    /// The nonce in the extension's value.
    static func nonce(in value: ArraySlice<UInt8>) throws(WebAuthnError) -> [UInt8] {
        do {
            return try DER.sequence(DER.parse(value), identifier: .sequence) { nodes in
                try DER.explicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { node in
                    Array(try ASN1OctetString(derEncoded: node).bytes)
                }
            }
        } catch {
            throw WebAuthnError(.malformed, "apple attestation: the nonce extension is not SEQUENCE { [1] OCTET STRING }")
        }
    }
}
