import Crypto
import Foundation
import Synchronization
import SwiftASN1
import WebAuthn
import X509

/// A ``SoftwareAuthenticator``'s attestation certificates, made the first time a statement, a
/// caller or the keychain needs them; copies of the authenticator share them.
///
/// Why not at once: making them takes two key pairs and two signed certificates, several times
/// the work of the rest of a registration, and most authenticators (a load generator makes one
/// per account) only ever send `none` attestation.
final class AttestationAuthority: Sendable {
    private let aaguid: AAGUID
    private let made: Mutex<AttestationCA?>

    /// Certificates to be made for `aaguid` when first needed.
    init(aaguid: AAGUID) {
        self.aaguid = aaguid
        made = Mutex(nil)
    }

    /// Certificates made already (read back from a keychain).
    init(_ ca: AttestationCA) {
        aaguid = .zero
        made = Mutex(ca)
    }

    /// The certificates, made now if they were not yet.
    func ca() throws(SoftwareAuthenticatorError) -> AttestationCA {
        let result: Result<AttestationCA, SoftwareAuthenticatorError> = made.withLock { made in
            if let made { return .success(made) }
            do throws(SoftwareAuthenticatorError) {
                let ca = try AttestationCA.generate(aaguid: aaguid)
                made = ca
                return .success(ca)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The attestation certificates a ``SoftwareAuthenticator`` generates for itself: a self-signed
/// root and a P-256 attestation certificate it issues, meeting WebAuthn §8.2.1 (packed) and
/// usable for §8.6 (fido-u2f).
struct AttestationCA: Sendable {
    let root: Certificate
    let rootDER: [UInt8]
    let certificate: Certificate
    let certificateDER: [UInt8]
    let privateKey: P256.Signing.PrivateKey

    /// OID of the FIDO AAGUID extension, id-fido-gen-ce-aaguid (§8.2.1).
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    /// Makes a new root and an attestation certificate that names `aaguid`, valid from a day
    /// before `now` for twenty years.
    static func generate(aaguid: AAGUID, now: Date = Date()) throws(SoftwareAuthenticatorError) -> AttestationCA {
        do {
            let rootKey = P256.Signing.PrivateKey()
            let rootPublicKey = Certificate.PublicKey(rootKey.publicKey)
            let notBefore = now.addingTimeInterval(-86_400)
            let notAfter = now.addingTimeInterval(20 * 365 * 86_400)
            let rootName = try DistinguishedName {
                CountryName("US")
                OrganizationName("swift-passkeys")
                CommonName("Software Authenticator Attestation Root")
            }
            let rootKeyIdentifier = SubjectKeyIdentifier(hash: rootPublicKey)
            let root = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: rootPublicKey,
                notValidBefore: notBefore,
                notValidAfter: notAfter,
                issuer: rootName,
                subject: rootName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    rootKeyIdentifier
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey)
            )

            let key = P256.Signing.PrivateKey()
            let publicKey = Certificate.PublicKey(key.publicKey)
            // §8.2.1: C, O, OU "Authenticator Attestation", CN; CA false; the AAGUID as a
            // non-critical OCTET STRING extension.
            let subject = try DistinguishedName {
                CountryName("US")
                OrganizationName("swift-passkeys")
                OrganizationalUnitName("Authenticator Attestation")
                CommonName("Software Authenticator")
            }
            var aaguidValue = DER.Serializer()
            try aaguidValue.serialize(ASN1OctetString(contentBytes: ArraySlice(aaguid.bytes)))
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: notBefore,
                notValidAfter: notAfter,
                issuer: rootName,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: rootKeyIdentifier.keyIdentifier)
                    Certificate.Extension(oid: aaguidExtension, critical: false, value: ArraySlice(aaguidValue.serializedBytes))
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey)
            )
            return AttestationCA(
                root: root, rootDER: try der(root), certificate: certificate, certificateDER: try der(certificate),
                privateKey: key)
        } catch {
            throw SoftwareAuthenticatorError(.cryptoFailure, "could not make the attestation certificates: \(error)")
        }
    }

    private init(root: Certificate, rootDER: [UInt8], certificate: Certificate, certificateDER: [UInt8], privateKey: P256.Signing.PrivateKey) {
        self.root = root
        self.rootDER = rootDER
        self.certificate = certificate
        self.certificateDER = certificateDER
        self.privateKey = privateKey
    }

    /// Reads the certificates and key back from the keychain, checking that the key is the
    /// attestation certificate's.
    init(rootDER: [UInt8], certificateDER: [UInt8], privateKey: [UInt8]) throws(SoftwareAuthenticatorError) {
        do {
            root = try Certificate(derEncoded: rootDER)
            certificate = try Certificate(derEncoded: certificateDER)
            self.privateKey = try P256.Signing.PrivateKey(rawRepresentation: privateKey)
        } catch {
            throw SoftwareAuthenticatorError(.invalidKeychain, "the attestation certificates or key are not valid: \(error)")
        }
        guard certificate.publicKey == Certificate.PublicKey(self.privateKey.publicKey) else {
            throw SoftwareAuthenticatorError(.invalidKeychain, "the attestation key does not belong to the attestation certificate")
        }
        self.rootDER = rootDER
        self.certificateDER = certificateDER
    }

    /// Signs with the attestation key; ECDSA signatures are DER, as WebAuthn requires.
    func sign(_ data: [UInt8]) throws(SoftwareAuthenticatorError) -> [UInt8] {
        do {
            return Array(try privateKey.signature(for: data).derRepresentation)
        } catch {
            throw SoftwareAuthenticatorError(.cryptoFailure, "signing with the attestation key failed: \(error)")
        }
    }

    /// The root as a PEM document.
    var rootPEM: String {
        let base64 = Data(rootDER).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    private static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
