import SwiftASN1
import X509

/// §8.4 the `android-key` format: the credential key lives in Android's hardware-backed
/// keystore, whose attestation certificate describes it (the key description extension).
enum AndroidKeyAttestation {
    /// The Android key attestation extension, holding a KeyDescription.
    static let keyDescriptionExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        let statement = input.statement
        // §8.4 step 1: the statement's syntax.
        guard let alg = statement["alg"]?.intValue else {
            throw WebAuthnError(.malformed, "android-key attestation: alg is missing")
        }
        guard let sig = statement["sig"]?.bytesValue else {
            throw WebAuthnError(.malformed, "android-key attestation: sig is missing")
        }
        let chain = try AttestationCertificates.chain(statement["x5c"], format: .androidKey)
        let leaf = chain[0]

        // §8.4 step 2: sig over authenticatorData ‖ clientDataHash by the leaf, with alg.
        let verifier = try AttestationCertificates.verifier(for: leaf, algorithm: COSEAlgorithmIdentifier(alg))
        guard verifier.isValid(signature: sig, for: input.authenticatorData.rawRepresentation + input.clientDataHash) else {
            throw WebAuthnError(.badSignature, "android-key attestation: the signature does not verify with the attestation certificate")
        }
        // §8.4 step 3: the leaf certifies the credential public key.
        guard AttestationCertificates.publicKey(of: leaf, matches: input.credentialPublicKey) else {
            throw WebAuthnError(.attestationPolicy, "android-key attestation: the certificate's key is not the credential public key")
        }
        // §8.4 step 4: the key description was made for this ceremony.
        guard let ext = leaf.extensions[oid: keyDescriptionExtension] else {
            throw WebAuthnError(.attestationPolicy, "android-key attestation: the certificate has no key description extension")
        }
        let description = try KeyDescription(derEncoded: ext.value)
        guard constantTimeEquals(description.attestationChallenge, input.clientDataHash) else {
            throw WebAuthnError(.attestationNonceMismatch, "android-key attestation: attestationChallenge is not the client data hash")
        }
        // §8.4 step 5: the key is scoped to this RP (no allApplications)…
        guard !description.softwareEnforced.allApplications, !description.teeEnforced.allApplications else {
            throw WebAuthnError(.attestationPolicy, "android-key attestation: the key is usable by all applications (allApplications)")
        }
        // …and was generated in the keystore for signing. §8.4 reads teeEnforced alone for an RP
        // that accepts only keys in a TEE, the union with softwareEnforced otherwise: the policy
        // says which.
        let lists: [AuthorizationList]
        switch input.trust.policy.androidKeyAuthorizations {
        case .trustedExecutionEnvironment: lists = [description.teeEnforced]
        case .trustedExecutionEnvironmentOrSoftware: lists = [description.teeEnforced, description.softwareEnforced]
        }
        let listNames = lists.count == 1 ? "teeEnforced" : "teeEnforced or softwareEnforced"
        guard let origin = lists.lazy.compactMap(\.origin).first, origin == AuthorizationList.originGenerated else {
            throw WebAuthnError(.attestationPolicy, "android-key attestation: \(listNames) does not say origin KM_ORIGIN_GENERATED")
        }
        // purpose is a SET OF; keys made to sign and verify list both, so SIGN must be among them.
        guard lists.contains(where: { $0.purposes.contains(AuthorizationList.purposeSign) }) else {
            throw WebAuthnError(.attestationPolicy, "android-key attestation: \(listNames) does not give purpose KM_PURPOSE_SIGN")
        }

        let trusted = try await input.trust.evaluate(chain: chain, format: .androidKey)
        return AttestationResult(type: .basic, trustPath: chain, trusted: trusted)
    }

    /// KeyDescription (Android keystore attestation schema, versions 1 to 400):
    /// ```
    /// KeyDescription ::= SEQUENCE {
    ///   attestationVersion INTEGER, attestationSecurityLevel SecurityLevel,
    ///   keyMintVersion INTEGER, keyMintSecurityLevel SecurityLevel,
    ///   attestationChallenge OCTET STRING, uniqueId OCTET STRING,
    ///   softwareEnforced AuthorizationList, hardwareEnforced AuthorizationList }
    /// ```
    struct KeyDescription {
        let attestationChallenge: [UInt8]
        let softwareEnforced: AuthorizationList
        /// `hardwareEnforced` in KeyMint, `teeEnforced` in Keymaster and in WebAuthn.
        let teeEnforced: AuthorizationList

        init(derEncoded bytes: ArraySlice<UInt8>) throws(WebAuthnError) {
            do {
                (attestationChallenge, softwareEnforced, teeEnforced) = try DER.sequence(DER.parse(bytes), identifier: .sequence) { nodes in
                    // Versions and security levels (INTEGER, ENUMERATED) are not needed here.
                    for _ in 0..<4 {
                        guard nodes.next() != nil else { throw ASN1Error.invalidASN1Object(reason: "KeyDescription ends early") }
                    }
                    let challenge = try ASN1OctetString(derEncoded: &nodes)
                    _ = try ASN1OctetString(derEncoded: &nodes)
                    guard let software = nodes.next(), let tee = nodes.next() else {
                        throw ASN1Error.invalidASN1Object(reason: "KeyDescription has no authorization lists")
                    }
                    return (Array(challenge.bytes), try AuthorizationList(software), try AuthorizationList(tee))
                }
            } catch {
                throw WebAuthnError(.malformed, "android-key attestation: the key description extension does not parse (\(error))")
            }
        }
    }

    /// The parts of an AuthorizationList (a SEQUENCE of optional `[tag] EXPLICIT` fields) that
    /// §8.4 reads. Other fields are skipped.
    struct AuthorizationList {
        static let purposeTag: UInt = 1
        static let allApplicationsTag: UInt = 600
        static let originTag: UInt = 702
        static let purposeSign = 2
        static let originGenerated = 0

        /// `purpose [1] EXPLICIT SET OF INTEGER`.
        var purposes: [Int] = []
        /// `allApplications [600] EXPLICIT NULL`.
        var allApplications = false
        /// `origin [702] EXPLICIT INTEGER`.
        var origin: Int?

        init(_ node: ASN1Node) throws {
            guard node.identifier == .sequence, case .constructed(let fields) = node.content else {
                throw ASN1Error.unexpectedFieldType(node.identifier)
            }
            for field in fields where field.identifier.tagClass == .contextSpecific {
                switch field.identifier.tagNumber {
                case Self.purposeTag:
                    purposes = try DER.explicitlyTagged(field, tagNumber: Self.purposeTag, tagClass: .contextSpecific) { set in
                        guard set.identifier == .set, case .constructed(let members) = set.content else {
                            throw ASN1Error.unexpectedFieldType(set.identifier)
                        }
                        return try members.map { try Int(derEncoded: $0) }
                    }
                case Self.allApplicationsTag:
                    allApplications = true
                case Self.originTag:
                    origin = try DER.explicitlyTagged(field, tagNumber: Self.originTag, tagClass: .contextSpecific) { try Int(derEncoded: $0) }
                default:
                    continue
                }
            }
        }
    }
}
