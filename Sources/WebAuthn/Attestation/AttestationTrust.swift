import Crypto
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// How the relying party treats attestation: which roots it trusts for each format and what it
/// requires of a new credential's authenticator.
public struct AttestationPolicy: Sendable {
    /// A trusted root certificate (swift-certificates' `Certificate`).
    public typealias Root = Certificate

    /// What a registration must prove.
    public enum Requirement: Sendable, Hashable {
        /// Accept any authenticator; the result reports what was proven.
        case acceptAny
        /// Refuse a registration whose attestation does not chain to a trusted root.
        case trustedRoot
        /// Refuse any authenticator whose AAGUID is not listed (and require a trusted root).
        ///
        /// Only a statement that binds the AAGUID to the model counts: `fido-u2f` never does
        /// (its signature does not cover the AAGUID), and `android-key` and `android-safetynet`
        /// only when the chain was verified to roots from FIDO metadata for that AAGUID (Google's
        /// roots vouch for the device, not for the model an app claims).
        case allowedAAGUIDs(Set<AAGUID>)
    }

    /// §8.4: which android-key authorization lists must show that the key was generated in the
    /// authenticator (`origin`) for signing (`purpose`).
    public enum AndroidKeyAuthorizations: Sendable, Hashable {
        /// Only `teeEnforced` (hardwareEnforced) counts: the key lives in a TEE or StrongBox.
        /// The default, and what the spec names first.
        case trustedExecutionEnvironment
        /// `teeEnforced` or `softwareEnforced`: also accept keys held in software.
        case trustedExecutionEnvironmentOrSoftware
    }

    public var requirement: Requirement
    /// Roots to trust, by attestation format. A format with roots here must chain to one of them.
    /// For `apple`, `android-key` and `android-safetynet`, roots given here replace
    /// ``builtInRoots``; an empty list turns them off for that format (no path is built, and
    /// nothing is trusted).
    public var roots: [AttestationFormat: [Certificate]]
    /// "Now" for certificate validity and the SafetyNet timestamp window; `nil` means the real
    /// clock.
    public var verificationTime: Date?
    /// Dangerous: check statements and signatures but build no certificate path. For offline
    /// debugging of old data only.
    public var dangerouslySkipChainValidation: Bool
    /// Whether a format that ``roots`` says nothing about trusts its ``builtInRoots`` (the Apple
    /// WebAuthn root, Google's hardware attestation roots, the roots of attest.android.com).
    public var usesBuiltInRoots: Bool
    /// §8.5: require `ctsProfileMatch: true` in a SafetyNet response (the device passed Android
    /// compatibility testing). On by default, as the spec says.
    public var safetyNetRequiresCTSProfileMatch: Bool
    /// §8.4: the authorization lists that must show origin and purpose.
    public var androidKeyAuthorizations: AndroidKeyAuthorizations
    /// TPM manufacturers to accept (`tcg-at-tpmManufacturer` of the AIK certificate, such as
    /// `"id:494E5443"`), or `nil` for any. The spec sets no list: which TPMs are trusted is said
    /// by the roots (or metadata); a list here is an extra rule, e.g. to refuse the test vendor
    /// ids `id:FFFFF1D0` and `id:00000000`.
    public var tpmManufacturers: Set<String>?
    /// FIDO metadata (MDS3): an authenticator listed there must chain to the roots its entry
    /// gives, and one reported compromised is refused (``MetadataEntry/isCompromised``).
    public var metadata: AuthenticatorMetadata

    public init(
        requirement: Requirement = .acceptAny, roots: [AttestationFormat: [Certificate]] = [:],
        verificationTime: Date? = nil, dangerouslySkipChainValidation: Bool = false,
        usesBuiltInRoots: Bool = true, safetyNetRequiresCTSProfileMatch: Bool = true,
        androidKeyAuthorizations: AndroidKeyAuthorizations = .trustedExecutionEnvironment,
        tpmManufacturers: Set<String>? = nil, metadata: AuthenticatorMetadata = AuthenticatorMetadata()
    ) {
        self.requirement = requirement
        self.roots = roots
        self.verificationTime = verificationTime
        self.dangerouslySkipChainValidation = dangerouslySkipChainValidation
        self.usesBuiltInRoots = usesBuiltInRoots
        self.safetyNetRequiresCTSProfileMatch = safetyNetRequiresCTSProfileMatch
        self.androidKeyAuthorizations = androidKeyAuthorizations
        self.tpmManufacturers = tpmManufacturers
        self.metadata = metadata
    }

    /// The roots a format's attestation must chain to: the configured ones, else the built-in
    /// ones (when ``usesBuiltInRoots``), else none (`nil`: the path is not checked).
    public func trustAnchors(for format: AttestationFormat) -> [Certificate]? {
        if let configured = roots[format] { return configured }
        return usesBuiltInRoots ? Self.builtInRoots[format] : nil
    }

    /// Reads every certificate in a PEM document (one or more `CERTIFICATE` blocks).
    public static func certificates(pem: String) throws(WebAuthnError) -> [Certificate] {
        do {
            let documents = try PEMDocument.parseMultiple(pemString: pem)
            return try documents.map { try Certificate(pemDocument: $0) }
        } catch {
            throw WebAuthnError(.invalidConfiguration, "not a PEM certificate: \(error)")
        }
    }
}

/// The outcome of verifying an attestation statement and its certificates.
public struct AttestationResult: Sendable {
    public let type: AttestationType
    /// The certificate chain from the statement, leaf first (empty for none and self).
    public let trustPath: [Certificate]
    /// Whether the chain was validated up to a root the relying party trusts.
    public let trusted: Bool
}

/// Validates attestation certificate chains against the policy's roots and the metadata roots
/// of the authenticator being registered.
struct AttestationTrustEvaluator: Sendable {
    let policy: AttestationPolicy
    /// The AAGUID of the authenticator whose attestation is evaluated.
    let aaguid: AAGUID

    /// §7.1 steps 23–24: find trust anchors for the format (configured, built-in, and those the
    /// authenticator's metadata entry lists) and check the chain reaches one. Returns whether it
    /// did; throws `attestation_trust` when there are anchors and the chain does not reach them.
    func evaluate(chain: [Certificate], format: AttestationFormat, extraPolicy: [any VerifierPolicy] = []) async throws(WebAuthnError) -> Bool {
        guard !chain.isEmpty else { return false }
        if policy.dangerouslySkipChainValidation { return false }
        // An authenticator its metadata entry describes must chain to the roots the entry gives.
        let metadataRoots = metadataRoots(format: format, chain: chain)
        let roots = metadataRoots.isEmpty ? (policy.trustAnchors(for: format) ?? []) : metadataRoots
        guard !roots.isEmpty else { return false }
        let now = policy.verificationTime ?? Date()
        if let failure = await CertificateChains.validate(chain: chain, roots: roots, time: now, extraPolicies: extraPolicy) {
            throw WebAuthnError(.attestationTrust, "the \(format) attestation certificate does not chain to a trusted root: \(failure)")
        }
        return true
    }
}

extension AttestationTrustEvaluator {
    /// The roots the authenticator's metadata entry gives, which replace every other root for
    /// its chain (empty: no entry, or one without roots).
    func metadataRoots(format: AttestationFormat, chain: [Certificate]) -> [Certificate] {
        metadataEntry(format: format, chain: chain)?.attestationRootCertificates ?? []
    }

    /// Whether the chain was validated to roots from FIDO metadata for this authenticator, so
    /// that the roots vouch for the model the AAGUID names, not only for the vendor.
    func trustedThroughMetadata(_ result: AttestationResult, format: AttestationFormat) -> Bool {
        result.trusted && !metadataRoots(format: format, chain: result.trustPath).isEmpty
    }

    /// The metadata entry an attestation speaks for. For `fido-u2f`, whose signature does not
    /// cover the AAGUID, that is the entry listing the attestation certificate's key identifier
    /// (hex SHA-1 of its public key); for every other format, the entry of the signed AAGUID.
    func metadataEntry(format: AttestationFormat, chain: [Certificate]) -> MetadataEntry? {
        guard format == .fidoU2F else { return policy.metadata.entry(for: aaguid) }
        guard let leaf = chain.first, let blob = policy.metadata.blob else { return nil }
        let identifier = hexString(Array(Insecure.SHA1.hash(data: leaf.publicKey.subjectPublicKeyInfoBytes)))
        return blob.entries.first { entry in
            entry.attestationCertificateKeyIdentifiers.contains { $0.lowercased() == identifier }
        }
    }
}

/// Runs a list of policies as one.
struct AnyPolicy: VerifierPolicy {
    let policies: [any VerifierPolicy]
    init(_ policies: [any VerifierPolicy]) { self.policies = policies }

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        policies.flatMap { $0.verifyingCriticalExtensions }
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for index in policies.indices {
            var policy = policies[index]
            let result = await policy.chainMeetsPolicyRequirements(chain: chain)
            if case .failsToMeetPolicy = result { return result }
        }
        return .meetsPolicy
    }
}
