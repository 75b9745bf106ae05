import SwiftASN1
import X509

/// §8.2 the `packed` format: a signature over authenticator data and the client data hash, by
/// an attestation certificate (`x5c`) or by the credential key itself (self attestation).
enum PackedAttestation {
    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        let statement = input.statement
        guard let alg = statement["alg"]?.intValue else {
            throw WebAuthnError(.malformed, "packed attestation: alg is missing")
        }
        guard let sig = statement["sig"]?.bytesValue else {
            throw WebAuthnError(.malformed, "packed attestation: sig is missing")
        }
        let algorithm = COSEAlgorithmIdentifier(alg)
        let signedData = input.authenticatorData.rawRepresentation + input.clientDataHash

        if statement["x5c"] != nil {
            let chain = try AttestationCertificates.chain(statement["x5c"], format: .packed)
            let leaf = chain[0]
            // §8.2 step 2: the signature by attestnCert over authenticatorData ‖ clientDataHash.
            let verifier = try AttestationCertificates.verifier(for: leaf, algorithm: algorithm)
            guard verifier.isValid(signature: sig, for: signedData) else {
                throw WebAuthnError(.badSignature, "packed attestation: the signature does not verify with the attestation certificate")
            }
            // §8.2 step 2: the certificate meets §8.2.1.
            try checkCertificateRequirements(leaf)
            // §8.2 step 2: an AAGUID extension must match the authenticator data's AAGUID.
            if let certificateAAGUID = try AttestationCertificates.aaguid(in: leaf, format: .packed),
               certificateAAGUID != input.aaguid {
                throw WebAuthnError(.attestationAAGUIDMismatch, "packed attestation: the certificate's AAGUID \(certificateAAGUID) is not the authenticator's \(input.aaguid)")
            }
            let trusted = try await input.trust.evaluate(chain: chain, format: .packed)
            return AttestationResult(type: .basic, trustPath: chain, trusted: trusted)
        }

        // §8.2 step 3: self attestation. The algorithm is the credential key's own.
        guard algorithm == input.credentialPublicKey.algorithm else {
            throw WebAuthnError(.attestationPolicy, "packed self attestation: alg \(algorithm) is not the credential key's \(input.credentialPublicKey.algorithm)")
        }
        try input.credentialPublicKey.verify(signature: sig, for: signedData)
        return AttestationResult(type: .self, trustPath: [], trusted: false)
    }

    /// §8.2.1 packed attestation statement certificate requirements.
    static func checkCertificateRequirements(_ certificate: Certificate) throws(WebAuthnError) {
        func fail(_ reason: String) -> WebAuthnError {
            WebAuthnError(.attestationPolicy, "packed attestation certificate: \(reason)")
        }
        guard certificate.version == .v3 else { throw fail("must be X.509 version 3") }
        let countries = AttestationCertificates.subjectValues(certificate, .RDNAttributeType.countryName)
        guard let country = countries.first, country.count == 2 else { throw fail("subject C must be a two-letter country code") }
        guard !AttestationCertificates.subjectValues(certificate, .RDNAttributeType.organizationName).isEmpty else {
            throw fail("subject O is missing")
        }
        guard AttestationCertificates.subjectValues(certificate, .RDNAttributeType.organizationalUnitName) == ["Authenticator Attestation"] else {
            throw fail("subject OU must be \"Authenticator Attestation\"")
        }
        guard !AttestationCertificates.subjectValues(certificate, .RDNAttributeType.commonName).isEmpty else {
            throw fail("subject CN is missing")
        }
        guard AttestationCertificates.saysNotCA(certificate) else { throw fail("its Basic Constraints must say CA false") }
    }
}
