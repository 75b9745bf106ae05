import Foundation
import WebAuthn
import X509

/// A software passkey provider that answers `navigator.credentials.create()` and `get()` the way
/// a browser and a CTAP2 authenticator do together, for tests and for the command line.
///
/// It is a value: ``register(options:origin:algorithm:)`` and
/// ``authenticate(options:origin:credentialID:)`` are `mutating` because they store credentials
/// and advance counters. Everything, private keys included, round-trips through
/// ``exportJSON()`` and ``init(json:)``.
///
/// ```swift
/// var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
/// let (options, ceremony) = relyingParty.beginRegistration(user: user)
/// let response = try authenticator.register(options: options, origin: "https://example.com")
/// let verified = try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
/// ```
///
/// Set ``misbehaviour`` to make it produce one kind of bad output, to test that a relying party
/// rejects it.
public struct SoftwareAuthenticator: Sendable {
    /// The attestation statement format the authenticator produces (§8).
    public enum Attestation: String, Sendable, Hashable, Codable, CaseIterable {
        /// `none` (§8.7): nothing about the authenticator is proven.
        case none
        /// `packed` self attestation (§8.2): signed by the credential's own key.
        case packedSelf = "packed-self"
        /// `packed` with `x5c` (§8.2): signed by the authenticator's attestation certificate,
        /// issued by ``SoftwareAuthenticator/attestationRootCertificate``.
        case packedX5C = "packed-x5c"
        /// `fido-u2f` (§8.6): a U2F registration signature by the attestation certificate. Only
        /// ES256 credentials, and the AAGUID in authenticator data is zero, as a browser sets it.
        case fidoU2F = "fido-u2f"
    }

    /// How the signature counter behaves (§6.1.1).
    public enum SignCounter: String, Sendable, Hashable, Codable, CaseIterable {
        /// One counter for the whole authenticator, advanced by every registration and sign-in.
        case global
        /// One counter per credential: 0 at registration, then 1, 2, … per sign-in.
        case perCredential = "per-credential"
        /// Always zero, as synced passkeys report.
        case alwaysZero = "always-zero"
    }

    /// The AAGUID in attested credential data and in the attestation certificate.
    public let aaguid: AAGUID
    /// The attestation it produces, whatever the options' `attestation` conveyance says (a
    /// browser may swap in `none` when the relying party asks for none; this one does not, so a
    /// test gets the format it configured).
    public var attestation: Attestation
    /// The algorithms it will make keys for, in no order of its own: the first of the options'
    /// `pubKeyCredParams` that is listed here is used. Only ES256, EdDSA, Ed25519 and RS256 can be made.
    public var algorithms: [COSEAlgorithmIdentifier]
    /// Whether it verifies the user (UV). When `false`, options requiring user verification fail.
    public var userVerification: Bool
    /// Whether new credentials are backup eligible (BE); fixed per credential when it is made.
    public var backupEligible: Bool
    /// Whether backup-eligible credentials are backed up now (BS).
    public var backedUp: Bool
    /// Whether it can store discoverable credentials. It makes one when the options' resident
    /// key requirement is `required` or `preferred`.
    public var residentKeys: Bool
    public var signCounter: SignCounter
    /// What `getTransports()` reports at registration.
    public var transports: [AuthenticatorTransport]
    /// What `authenticatorAttachment` reports.
    public var attachment: AuthenticatorAttachment
    /// One way to misbehave, or `nil` to behave.
    public var misbehaviour: Misbehaviour?

    /// The credentials it holds, oldest first.
    public internal(set) var credentials: [SoftwareCredential]
    /// The counter used when ``signCounter`` is ``SignCounter/global``.
    public internal(set) var globalSignCount: UInt32

    let attestationAuthority: AttestationAuthority
    var lastRegistration: RegistrationResponseJSON?
    var lastAuthentication: AuthenticationResponseJSON?

    /// The AAGUID the software authenticator uses unless told otherwise.
    public static let defaultAAGUID: AAGUID = AAGUID(uuidString: "1e8562a7-3d74-48e1-980d-4d2a96bcc1ae") ?? .zero

    /// The algorithms a software authenticator can make keys for.
    public static let supportedAlgorithms: [COSEAlgorithmIdentifier] = CredentialPrivateKey.supportedAlgorithms

    /// A new authenticator with no credentials and an attestation root and certificate of its
    /// own, generated the first time they are needed (``attestationRootCertificate`` is then fixed
    /// for its lifetime, and shared by its copies).
    ///
    /// The defaults are those of a platform passkey provider that syncs: user verification,
    /// backed up, discoverable credentials, counting per credential.
    public init(
        aaguid: AAGUID = SoftwareAuthenticator.defaultAAGUID,
        attestation: Attestation = .none,
        algorithms: [COSEAlgorithmIdentifier] = SoftwareAuthenticator.supportedAlgorithms,
        userVerification: Bool = true,
        backupEligible: Bool = true,
        backedUp: Bool = true,
        residentKeys: Bool = true,
        signCounter: SignCounter = .perCredential,
        transports: [AuthenticatorTransport] = [.internal, .hybrid],
        attachment: AuthenticatorAttachment = .platform
    ) throws(SoftwareAuthenticatorError) {
        self.aaguid = aaguid
        self.attestation = attestation
        self.algorithms = algorithms
        self.userVerification = userVerification
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.residentKeys = residentKeys
        self.signCounter = signCounter
        self.transports = transports
        self.attachment = attachment
        self.misbehaviour = nil
        self.credentials = []
        self.globalSignCount = 0
        self.attestationAuthority = AttestationAuthority(aaguid: aaguid)
        self.lastRegistration = nil
        self.lastAuthentication = nil
    }

    init(
        aaguid: AAGUID, attestation: Attestation, algorithms: [COSEAlgorithmIdentifier], userVerification: Bool,
        backupEligible: Bool, backedUp: Bool, residentKeys: Bool, signCounter: SignCounter,
        transports: [AuthenticatorTransport], attachment: AuthenticatorAttachment, misbehaviour: Misbehaviour?,
        credentials: [SoftwareCredential], globalSignCount: UInt32, attestationCA: AttestationCA,
        lastRegistration: RegistrationResponseJSON?, lastAuthentication: AuthenticationResponseJSON?
    ) {
        self.aaguid = aaguid
        self.attestation = attestation
        self.algorithms = algorithms
        self.userVerification = userVerification
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.residentKeys = residentKeys
        self.signCounter = signCounter
        self.transports = transports
        self.attachment = attachment
        self.misbehaviour = misbehaviour
        self.credentials = credentials
        self.globalSignCount = globalSignCount
        self.attestationAuthority = AttestationAuthority(attestationCA)
        self.lastRegistration = lastRegistration
        self.lastAuthentication = lastAuthentication
    }

    /// The self-signed root that issued the attestation certificate: give it to a relying party
    /// as a trust anchor (`AttestationPolicy(roots: [.packed: [root], .fidoU2F: [root]])`).
    public var attestationRootCertificate: Certificate {
        get throws(SoftwareAuthenticatorError) { try attestationCA.root }
    }

    /// ``attestationRootCertificate`` as a PEM document.
    public var attestationRootCertificatePEM: String {
        get throws(SoftwareAuthenticatorError) { try attestationCA.rootPEM }
    }

    /// The attestation certificate (`x5c[0]`) of `packed` and `fido-u2f` statements.
    public var attestationCertificate: Certificate {
        get throws(SoftwareAuthenticatorError) { try attestationCA.certificate }
    }

    /// The attestation certificates and key, made now if they were not yet.
    var attestationCA: AttestationCA {
        get throws(SoftwareAuthenticatorError) { try attestationAuthority.ca() }
    }

    /// Forgets a credential, as deleting a passkey does. Returns whether it held one with that ID.
    @discardableResult
    public mutating func removeCredential(id: CredentialID) -> Bool {
        let before = credentials.count
        credentials.removeAll { $0.id == id }
        return credentials.count != before
    }
}

extension UInt32 {
    /// The next counter value; a counter at its maximum stays there.
    var incremented: UInt32 { self == .max ? .max : self + 1 }
}
