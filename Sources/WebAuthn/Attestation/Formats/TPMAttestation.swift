import Crypto
import SwiftASN1
import X509

/// §8.3 the `tpm` format: a TPM's attestation identity key (AIK) certifies the credential key
/// (TPMS_ATTEST over TPMT_PUBLIC); the AIK certificate comes from the TPM vendor's or the
/// platform's CA.
enum TPMAttestation {
    /// tcg-kp-AIKCertificate, the extended key usage of an AIK certificate (§8.3.1).
    static let aikCertificateUsage: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]
    /// tcg-at-tpmManufacturer, tcg-at-tpmModel, tcg-at-tpmVersion (TPMv2 EK profile §3.2.9).
    static let tpmManufacturer: ASN1ObjectIdentifier = [2, 23, 133, 2, 1]
    static let tpmModel: ASN1ObjectIdentifier = [2, 23, 133, 2, 2]
    static let tpmVersion: ASN1ObjectIdentifier = [2, 23, 133, 2, 3]

    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        let statement = input.statement
        // §8.3 step 1: the statement's syntax.
        guard let ver = statement["ver"]?.textValue else {
            throw WebAuthnError(.malformed, "tpm attestation: ver is missing")
        }
        guard let alg = statement["alg"]?.intValue else {
            throw WebAuthnError(.malformed, "tpm attestation: alg is missing")
        }
        guard let sig = statement["sig"]?.bytesValue else {
            throw WebAuthnError(.malformed, "tpm attestation: sig is missing")
        }
        guard let certInfoBytes = statement["certInfo"]?.bytesValue else {
            throw WebAuthnError(.malformed, "tpm attestation: certInfo is missing")
        }
        guard let pubAreaBytes = statement["pubArea"]?.bytesValue else {
            throw WebAuthnError(.malformed, "tpm attestation: pubArea is missing")
        }
        guard ver == "2.0" else {
            throw WebAuthnError(.attestationPolicy, "tpm attestation: ver is \"\(ver)\", only \"2.0\" is defined")
        }
        let algorithm = COSEAlgorithmIdentifier(alg)
        // x5c is the only way to convey the AIK since Level 2 (ECDAA is gone).
        let chain = try AttestationCertificates.chainDroppingUnparsableIntermediates(statement["x5c"], format: .tpm)
        let aikCertificate = chain[0]

        // §8.3 step 2: the key in pubArea is the credential public key.
        let pubArea = try TPM.PublicArea(bytes: pubAreaBytes)
        try checkPublicArea(pubArea, matches: input.credentialPublicKey)

        // §8.3 step 4: certInfo is a TPM-made certification of pubArea over attToBeSigned.
        let certInfo = try TPM.Attest(bytes: certInfoBytes)
        guard certInfo.magic == TPM.Attest.generatedValue else {
            throw WebAuthnError(.attestationPolicy, "tpm attestation: certInfo.magic is not TPM_GENERATED_VALUE")
        }
        guard certInfo.type == TPM.Attest.typeCertify else {
            throw WebAuthnError(.attestationPolicy, "tpm attestation: certInfo.type is not TPM_ST_ATTEST_CERTIFY")
        }
        // §8.3 step 3–4: extraData is the hash of attToBeSigned under alg's hash.
        let attToBeSigned = input.authenticatorData.rawRepresentation + input.clientDataHash
        let expectedExtraData = try hash(attToBeSigned, for: algorithm)
        guard constantTimeEquals(certInfo.extraData, expectedExtraData) else {
            throw WebAuthnError(.attestationNonceMismatch, "tpm attestation: certInfo.extraData is not the hash of authenticatorData ‖ clientDataHash")
        }
        // §8.3 step 4: attested.name is pubArea's Name: nameAlg ‖ H_nameAlg(pubArea).
        let certifyInfo = try TPM.CertifyInfo(bytes: certInfo.attested)
        guard let pubAreaDigest = TPM.digest(pubArea.nameAlg, pubAreaBytes) else {
            throw WebAuthnError(.attestationPolicy, "tpm attestation: pubArea.nameAlg 0x\(String(pubArea.nameAlg, radix: 16)) is not a supported hash")
        }
        let name = [UInt8(pubArea.nameAlg >> 8), UInt8(pubArea.nameAlg & 0xFF)] + pubAreaDigest
        guard certifyInfo.name == name else {
            throw WebAuthnError(.attestationPolicy, "tpm attestation: certInfo.attested.name is not the Name of pubArea")
        }

        // §8.3 step 5: sig over certInfo by the AIK, with alg.
        let verifier = try AttestationCertificates.verifier(for: aikCertificate, algorithm: algorithm)
        guard verifier.isValid(signature: sig, for: certInfoBytes) else {
            throw WebAuthnError(.badSignature, "tpm attestation: sig does not verify with the AIK certificate")
        }
        // §8.3 step 5: the AIK certificate meets §8.3.1.
        try checkAIKCertificate(aikCertificate, policy: input.trust.policy)
        // §8.3 step 5: an AAGUID extension must match the authenticator data's AAGUID.
        if let certificateAAGUID = try AttestationCertificates.aaguid(in: aikCertificate, format: .tpm),
           certificateAAGUID != input.aaguid {
            throw WebAuthnError(.attestationAAGUIDMismatch, "tpm attestation: the AIK certificate's AAGUID \(certificateAAGUID) is not the authenticator's \(input.aaguid)")
        }
        let trusted = try await input.trust.evaluate(chain: chain, format: .tpm, extraPolicy: [AIKCertificatePolicy()])
        return AttestationResult(type: .attCA, trustPath: chain, trusted: trusted)
    }

    /// The hash that goes with a signature algorithm, as `extraData` uses it.
    static func hash(_ data: [UInt8], for algorithm: COSEAlgorithmIdentifier) throws(WebAuthnError) -> [UInt8] {
        switch algorithm {
        case .rs1: Array(Insecure.SHA1.hash(data: data))
        case .rs256, .ps256, .es256: Array(SHA256.hash(data: data))
        case .rs384, .ps384, .es384: Array(SHA384.hash(data: data))
        case .rs512, .ps512, .es512: Array(SHA512.hash(data: data))
        default:
            throw WebAuthnError(.unsupportedAlgorithm, "tpm attestation: alg \(algorithm) is not one a TPM signs with")
        }
    }

    /// §8.3 step 2: pubArea's parameters and unique field are the credential public key.
    static func checkPublicArea(_ pubArea: TPM.PublicArea, matches credentialKey: COSEPublicKey) throws(WebAuthnError) {
        func mismatch(_ reason: String) -> WebAuthnError {
            WebAuthnError(.attestationPolicy, "tpm attestation: pubArea is not the credential public key (\(reason))")
        }
        switch (pubArea.parameters, pubArea.unique, credentialKey.key) {
        case (.rsa(_, let exponent), .rsa(let modulus), .rsa(let n, let e)):
            guard AttestationCertificates.sameUnsignedInteger(modulus, n) else { throw mismatch("modulus") }
            // An exponent of 0 stands for the default, 2^16 + 1.
            let value = exponent == 0 ? 65537 : exponent
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
            guard AttestationCertificates.sameUnsignedInteger(bytes, e) else { throw mismatch("exponent") }
        case (.ecc(let curveID), .ecc(let x, let y), .ec2(let curve, let keyX, let keyY)):
            guard TPM.Curve.coseCurve(curveID) == curve else { throw mismatch("curve") }
            guard AttestationCertificates.sameUnsignedInteger(x, keyX),
                  AttestationCertificates.sameUnsignedInteger(y, keyY) else { throw mismatch("point") }
        default:
            throw mismatch("key type")
        }
    }

    /// §8.3.1 TPM attestation statement certificate requirements.
    static func checkAIKCertificate(_ certificate: Certificate, policy: AttestationPolicy) throws(WebAuthnError) {
        func fail(_ reason: String) -> WebAuthnError {
            WebAuthnError(.attestationPolicy, "tpm AIK certificate: \(reason)")
        }
        guard certificate.version == .v3 else { throw fail("must be X.509 version 3") }
        guard certificate.subject.isEmpty else { throw fail("subject must be empty") }

        // The subject alternative name holds the TPM's identity, and must be critical since the
        // subject is empty (RFC 5280 §4.2.1.6).
        guard let sanExtension = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName] else {
            throw fail("the subject alternative name extension is missing")
        }
        guard sanExtension.critical else { throw fail("the subject alternative name extension must be critical") }
        let names: SubjectAlternativeNames
        do {
            names = try SubjectAlternativeNames(sanExtension)
        } catch {
            throw WebAuthnError(.malformed, "tpm AIK certificate: the subject alternative name extension does not parse")
        }
        // Both forms are seen: one RDN per attribute (the EK profile), and one multi-valued RDN
        // holding all three (Windows on some TPMs).
        var attributes: [ASN1ObjectIdentifier: String] = [:]
        for case .directoryName(let directoryName) in names {
            for rdn in directoryName {
                for attribute in rdn {
                    if let value = String(attribute.value) { attributes[attribute.type] = value }
                }
            }
        }
        guard let manufacturer = attributes[tpmManufacturer], !manufacturer.isEmpty,
              let model = attributes[tpmModel], !model.isEmpty,
              let version = attributes[tpmVersion], !version.isEmpty else {
            throw fail("the subject alternative name must name the TPM manufacturer, model and version")
        }
        if let allowed = policy.tpmManufacturers,
           !allowed.contains(where: { $0.lowercased() == manufacturer.lowercased() }) {
            throw fail("TPM manufacturer \(manufacturer) is not on the relying party's list")
        }

        let usage: ExtendedKeyUsage?
        do {
            usage = try certificate.extensions.extendedKeyUsage
        } catch {
            throw WebAuthnError(.malformed, "tpm AIK certificate: the extended key usage extension does not parse")
        }
        guard let usage, usage.contains(ExtendedKeyUsage.Usage(oid: aikCertificateUsage)) else {
            throw fail("the extended key usage must contain tcg-kp-AIKCertificate (2.23.133.8.3)")
        }
        guard AttestationCertificates.saysNotCA(certificate) else { throw fail("its Basic Constraints must say CA false") }
    }
}

/// Lets swift-certificates build a path through AIK certificates: their subject alternative name
/// is critical (the subject is empty) and so may be their extended key usage. `TPMAttestation`
/// checks both on the leaf before the path is built.
struct AIKCertificatePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.subjectAlternativeName,
        .X509ExtensionID.extendedKeyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
