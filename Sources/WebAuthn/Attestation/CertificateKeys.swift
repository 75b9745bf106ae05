import Crypto
import PasskeyCBOR
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Helpers for attestation certificates: DER parsing, their keys as signature verifiers, and
/// the subject and extension checks the formats share.
enum AttestationCertificates {
    /// OID of the FIDO AAGUID extension, id-fido-gen-ce-aaguid (§8.2.1).
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    /// Parses the `x5c` array of an attestation statement: DER certificates, leaf first, one
    /// chain of at most ``CertificateChains/maximumCertificateCount``.
    static func chain(_ value: CBOR?, format: AttestationFormat) throws(WebAuthnError) -> [Certificate] {
        guard let array = value?.arrayValue, !array.isEmpty else {
            throw WebAuthnError(.malformed, "\(format) attestation: x5c must be a non-empty array")
        }
        // §8: x5c is the attestation certificate and its chain; bounded before any is parsed.
        try CertificateChains.checkCount(array.count, what: "\(format) attestation")
        var certificates: [Certificate] = []
        for item in array {
            guard let der = item.bytesValue else {
                throw WebAuthnError(.malformed, "\(format) attestation: x5c holds a non-byte-string item")
            }
            do {
                certificates.append(try Certificate(derEncoded: der))
            } catch {
                throw WebAuthnError(.malformed, "\(format) attestation: an x5c certificate is not valid DER")
            }
        }
        try CertificateChains.checkShape(certificates, what: "\(format) attestation")
        return certificates
    }

    /// Parses an `x5c` array whose leaf must be valid DER but whose intermediates need not be:
    /// an intermediate that swift-certificates refuses (TPM vendors have issued CA certificates
    /// with negative serial numbers) is left out. Intermediates only help build a path, so one
    /// left out can make a path fail (`attestation_trust`), never succeed.
    static func chainDroppingUnparsableIntermediates(_ value: CBOR?, format: AttestationFormat) throws(WebAuthnError) -> [Certificate] {
        guard let array = value?.arrayValue, let first = array.first else {
            throw WebAuthnError(.malformed, "\(format) attestation: x5c must be a non-empty array")
        }
        try CertificateChains.checkCount(array.count, what: "\(format) attestation")
        let leaf = try chain(.array([first]), format: format)
        var intermediates: [Certificate] = []
        for item in array.dropFirst() {
            guard let der = item.bytesValue else {
                throw WebAuthnError(.malformed, "\(format) attestation: x5c holds a non-byte-string item")
            }
            if let certificate = try? Certificate(derEncoded: der) { intermediates.append(certificate) }
        }
        try CertificateChains.checkShape(leaf + intermediates, what: "\(format) attestation")
        return leaf + intermediates
    }

    /// A verifier for signatures by the certificate's key under the given COSE algorithm, or
    /// `unsupported_algorithm` when they do not fit together.
    static func verifier(for certificate: Certificate, algorithm: COSEAlgorithmIdentifier) throws(WebAuthnError) -> SignatureVerifier {
        let key = certificate.publicKey
        switch algorithm {
        case .es256:
            if let p256 = P256.Signing.PublicKey(key) { return SignatureVerifier(p256: p256) }
        case .es384:
            if let p384 = P384.Signing.PublicKey(key) { return SignatureVerifier(p384: p384) }
        case .es512:
            if let p521 = P521.Signing.PublicKey(key) { return SignatureVerifier(p521: p521) }
        case .edDSA, .ed25519:
            if let ed = Curve25519.Signing.PublicKey(key) {
                if let refusal = Ed25519PublicKeys.refusal(Array(ed.rawRepresentation)) {
                    throw WebAuthnError(.malformed, "the attestation certificate's key: \(refusal)")
                }
                return SignatureVerifier(ed25519: ed)
            }
        case .rs256, .rs384, .rs512, .rs1, .ps256, .ps384, .ps512:
            if let rsa = _RSA.Signing.PublicKey(key) {
                let hash: SignatureVerifier.RSAHash
                switch algorithm {
                case .rs1: hash = .sha1
                case .rs384, .ps384: hash = .sha384
                case .rs512, .ps512: hash = .sha512
                default: hash = .sha256
                }
                let padding: _RSA.Signing.Padding = [.ps256, .ps384, .ps512].contains(algorithm) ? .PSS : .insecurePKCS1v1_5
                return SignatureVerifier(rsa: rsa, hash: hash, padding: padding)
            }
        default:
            throw WebAuthnError(.unsupportedAlgorithm, "attestation algorithm \(algorithm) is not supported")
        }
        throw WebAuthnError(.unsupportedAlgorithm, "attestation algorithm \(algorithm) does not fit the certificate's key")
    }

    /// The values of one subject attribute.
    static func subjectValues(_ certificate: Certificate, _ type: ASN1ObjectIdentifier) -> [String] {
        certificate.subject.flatMap { rdn in rdn.filter { $0.type == type }.compactMap { String($0.value) } }
    }

    /// The AAGUID in the id-fido-gen-ce-aaguid extension, if present; it must not be critical.
    static func aaguid(in certificate: Certificate, format: AttestationFormat) throws(WebAuthnError) -> AAGUID? {
        guard let ext = certificate.extensions[oid: aaguidExtension] else { return nil }
        guard !ext.critical else {
            throw WebAuthnError(.attestationPolicy, "\(format) attestation: the AAGUID extension must not be critical")
        }
        do {
            let octets = try ASN1OctetString(derEncoded: ext.value)
            guard let aaguid = AAGUID(bytes: Array(octets.bytes)) else {
                throw WebAuthnError(.malformed, "\(format) attestation: the AAGUID extension is not 16 bytes")
            }
            return aaguid
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.malformed, "\(format) attestation: the AAGUID extension is not an OCTET STRING")
        }
    }

    /// Whether the certificate's subject public key is the credential public key (android-key
    /// §8.4, apple §8.8): the same curve and point, or the same RSA modulus and exponent.
    static func publicKey(of certificate: Certificate, matches credentialKey: COSEPublicKey) -> Bool {
        let key = certificate.publicKey
        switch credentialKey.key {
        case .ec2(COSEPublicKey.Curve.p256, let x, let y):
            guard let certificateKey = P256.Signing.PublicKey(key) else { return false }
            return Array(certificateKey.x963Representation) == [0x04] + x + y
        case .ec2(COSEPublicKey.Curve.p384, let x, let y):
            guard let certificateKey = P384.Signing.PublicKey(key) else { return false }
            return Array(certificateKey.x963Representation) == [0x04] + x + y
        case .ec2(COSEPublicKey.Curve.p521, let x, let y):
            guard let certificateKey = P521.Signing.PublicKey(key) else { return false }
            return Array(certificateKey.x963Representation) == [0x04] + x + y
        case .okp(COSEPublicKey.Curve.ed25519, let x):
            guard let certificateKey = Curve25519.Signing.PublicKey(key) else { return false }
            return Array(certificateKey.rawRepresentation) == x
        case .rsa(let n, let e):
            guard let certificateKey = _RSA.Signing.PublicKey(key),
                  let primitives = try? certificateKey.getKeyPrimitives() else { return false }
            return sameUnsignedInteger(primitives.modulus, n) && sameUnsignedInteger(primitives.publicExponent, e)
        default:
            return false
        }
    }

    /// Whether two big-endian unsigned integers are equal, whatever leading zero bytes they carry.
    static func sameUnsignedInteger<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        lhs.drop(while: { $0 == 0 }).elementsEqual(rhs.drop(while: { $0 == 0 }))
    }

    /// Whether the certificate's Basic Constraints do not make it a CA, as §8.2.1 and §8.3.1
    /// require of an attestation certificate ("MUST have the CA component set to false").
    ///
    /// An extension that says CA true, or that cannot be read, fails. One that is absent passes:
    /// real authenticators omit it (Chrome's virtual authenticator's packed certificates, in the
    /// conformance vectors, which other relying parties accept), and a certificate without it is
    /// no CA to a chain validator either (RFC 5280 §4.2.1.9).
    static func saysNotCA(_ certificate: Certificate) -> Bool {
        let constraints: BasicConstraints?
        do {
            constraints = try certificate.extensions.basicConstraints
        } catch {
            // DER leaves a default out, so `cA FALSE` written explicitly does not parse; Chrome's
            // virtual authenticator writes exactly that (SEQUENCE { BOOLEAN FALSE }). It says CA
            // false; anything else unreadable does not.
            let basicConstraintsOID: ASN1ObjectIdentifier = [2, 5, 29, 19]
            return certificate.extensions[oid: basicConstraintsOID].map { Array($0.value) == [0x30, 0x03, 0x01, 0x01, 0x00] } ?? false
        }
        guard let constraints else { return true }
        if case .notCertificateAuthority = constraints { return true }
        return false
    }
}
