import Crypto
import Foundation
import PasskeyCBOR
import SwiftASN1
import WebAuthn
import X509

/// §6.5.4 the attestation object, with any of its three entries changed, left out or added to.
struct TestAttestationObject {
    var fmt: CBOR?
    var attStmt: CBOR?
    var authData: CBOR?
    var extraEntries: [(key: CBOR, value: CBOR)] = []
    /// Bytes appended after the CBOR map.
    var trailingBytes: [UInt8] = []

    init(fmt: String, attStmt: CBORMap, authData: [UInt8]) {
        self.fmt = .text(fmt)
        self.attStmt = .map(attStmt)
        self.authData = .bytes(authData)
    }

    var bytes: [UInt8] {
        var entries: [(key: CBOR, value: CBOR)] = []
        if let fmt { entries.append((key: "fmt", value: fmt)) }
        if let attStmt { entries.append((key: "attStmt", value: attStmt)) }
        if let authData { entries.append((key: "authData", value: authData)) }
        entries += extraEntries
        return CBOREncoder.encode(.map(CBORMap(entries))) + trailingBytes
    }
}

/// An attestation CA, as an authenticator vendor would run: a self-signed root, or an
/// intermediate issued by another CA.
struct TestCertificateAuthority: Sendable {
    let key: TestCredentialKey
    let certificate: Certificate
    let name: DistinguishedName

    init(commonName: String = "Example Attestation Root CA", issuer: TestCertificateAuthority? = nil) throws {
        let key = TestCredentialKey.es256()
        let name = try DistinguishedName {
            CountryName("US")
            OrganizationName("Example Authenticator Vendor")
            CommonName(commonName)
        }
        self.key = key
        self.name = name
        self.certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: key.certificatePublicKey,
            notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(10 * 365 * 86_400),
            issuer: issuer?.name ?? name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: (issuer?.key ?? key).certificatePrivateKey)
    }
}

/// An attestation certificate that meets §8.2.1 by default, with a switch to break each
/// requirement: version, subject C, O, OU, CN, basic constraints CA, the AAGUID extension.
struct TestAttestationCertificate {
    /// The issuing CA; `nil` means the certificate is self-signed.
    var authority: TestCertificateAuthority?
    /// The attestation key, which signs the statement.
    var key: TestCredentialKey = .es256()
    var version: Certificate.Version = .v3
    var country: String? = "US"
    var organization: String? = "Example Authenticator Vendor"
    var organizationalUnit: String? = "Authenticator Attestation"
    var commonName: String? = "Example Authenticator Attestation"
    var isCertificateAuthority = false
    /// The Basic Constraints extension: `nil` writes it from `isCertificateAuthority`, `.some(nil)`
    /// leaves it out, `.some(bytes)` writes `bytes` as its value.
    var basicConstraintsValue: [UInt8]?? = nil
    /// The value of the id-fido-gen-ce-aaguid extension; `nil` leaves it out.
    var aaguid: [UInt8]?
    var aaguidCritical = false
    var notValidBefore = Date().addingTimeInterval(-86_400)
    var notValidAfter = Date().addingTimeInterval(365 * 86_400)

    static let aaguidExtensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    init(authority: TestCertificateAuthority?, aaguid: [UInt8]? = nil, key: TestCredentialKey = .es256()) {
        self.authority = authority
        self.aaguid = aaguid
        self.key = key
    }

    func certificate() throws -> Certificate {
        let subject = try DistinguishedName {
            if let country { CountryName(country) }
            if let organization { OrganizationName(organization) }
            if let organizationalUnit { OrganizationalUnitName(organizationalUnit) }
            if let commonName { CommonName(commonName) }
        }
        var extensions: [Certificate.Extension] = []
        switch basicConstraintsValue {
        case .none:
            let constraints: BasicConstraints = isCertificateAuthority
                ? .isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority
            extensions.append(try Critical(constraints).makeCertificateExtension())
        case .some(.none):
            break
        case .some(.some(let value)):
            extensions.append(Certificate.Extension(oid: [2, 5, 29, 19], critical: true, value: value[...]))
        }
        if let aaguid {
            // extnValue holds the DER of an OCTET STRING with the 16 AAGUID bytes.
            var serializer = DER.Serializer()
            try serializer.serialize(ASN1OctetString(contentBytes: aaguid[...]))
            extensions.append(Certificate.Extension(
                oid: Self.aaguidExtensionOID, critical: aaguidCritical, value: serializer.serializedBytes[...]))
        }
        let issuerKey = authority?.key ?? key
        return try Certificate(
            version: version, serialNumber: Certificate.SerialNumber(),
            publicKey: key.certificatePublicKey,
            notValidBefore: notValidBefore, notValidAfter: notValidAfter,
            issuer: authority?.name ?? subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions),
            issuerPrivateKey: issuerKey.certificatePrivateKey)
    }

    func der() throws -> [UInt8] { try Self.der(certificate()) }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}

/// Which attestation statement a registration carries.
enum TestAttestationStatement {
    /// §8.7 `none`: an empty map, plus any entries a test adds.
    case none(extra: [(key: CBOR, value: CBOR)] = [])
    /// §8.2 `packed` self attestation by the credential key; `algorithm` overrides `alg`.
    case packedSelf(algorithm: COSEAlgorithmIdentifier? = nil)
    /// §8.2 `packed` with `x5c`: the leaf signs; `chain` follows it in x5c.
    case packedX5C(TestAttestationCertificate, chain: [Certificate] = [])
    /// §8.6 `fido-u2f`: the certificate's key signs the U2F registration data.
    case fidoU2F(TestAttestationCertificate, chain: [Certificate] = [])
    /// Any format and statement, taken as given.
    case custom(format: String, statement: CBORMap)

    var format: String {
        switch self {
        case .none: "none"
        case .packedSelf, .packedX5C: "packed"
        case .fidoU2F: "fido-u2f"
        case .custom(let format, _): format
        }
    }
}
