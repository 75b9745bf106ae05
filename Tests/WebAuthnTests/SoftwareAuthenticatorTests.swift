import _CryptoExtras
import Crypto
import Foundation
import PasskeyCBOR
import SoftwareAuthenticator
import SwiftASN1
import Testing
import WebAuthn
import X509

/// What the software authenticator produces and refuses, on its own: the browser's side of the
/// ceremonies, its credentials and its keychain JSON.
@Suite("SoftwareAuthenticator")
struct SoftwareAuthenticatorTests {
    static let origin = "https://login.example.com"
    static let challenge = Challenge(uncheckedBytes: Array(0..<32))
    static let user = PublicKeyCredentialUserEntityJSON(
        id: UserHandle(uncheckedBytes: [1, 2, 3, 4]), name: "ada", displayName: "Ada Lovelace")

    static func creationOptions(
        rpID: String? = "example.com", user: PublicKeyCredentialUserEntityJSON = user,
        algorithms: [COSEAlgorithmIdentifier] = [.es256, .rs256],
        excludeCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        residentKey: ResidentKeyRequirement? = .required, userVerification: UserVerificationRequirement? = .preferred,
        credProps: Bool? = true
    ) -> PublicKeyCredentialCreationOptionsJSON {
        PublicKeyCredentialCreationOptionsJSON(
            rp: PublicKeyCredentialRpEntity(id: rpID, name: "Example"), user: user, challenge: challenge,
            pubKeyCredParams: algorithms.map { PublicKeyCredentialParameters(alg: $0) },
            excludeCredentials: excludeCredentials,
            authenticatorSelection: AuthenticatorSelectionCriteria(residentKey: residentKey, userVerification: userVerification),
            extensions: AuthenticationExtensionsClientInputsJSON(credProps: credProps))
    }

    static func requestOptions(
        rpID: String? = "example.com", allowCredentials: [CredentialID] = [],
        userVerification: UserVerificationRequirement? = .preferred
    ) -> PublicKeyCredentialRequestOptionsJSON {
        PublicKeyCredentialRequestOptionsJSON(
            challenge: challenge, rpId: rpID, allowCredentials: allowCredentials.map { PublicKeyCredentialDescriptorJSON(id: $0) },
            userVerification: userVerification)
    }

    // MARK: The browser's part

    @Test("Registration client data is serialised exactly as browsers do")
    func registrationClientDataIsBrowserShaped() throws {
        var authenticator = try SoftwareAuthenticator()
        let response = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let expected = #"{"type":"webauthn.create","challenge":"\#(Self.challenge.base64URL)","origin":"https://login.example.com","crossOrigin":false}"#
        #expect(String(decoding: response.response.clientDataJSON.bytes, as: UTF8.self) == expected)
    }

    @Test("Sign-in client data is serialised exactly as browsers do")
    func signInClientDataIsBrowserShaped() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let response = try authenticator.authenticate(options: Self.requestOptions(), origin: Self.origin)
        let expected = #"{"type":"webauthn.get","challenge":"\#(Self.challenge.base64URL)","origin":"https://login.example.com","crossOrigin":false}"#
        #expect(String(decoding: response.response.clientDataJSON.bytes, as: UTF8.self) == expected)
    }

    @Test("Without an RP ID in the options the origin's host is the RP ID")
    func rpIDDefaultsToOriginHost() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(rpID: nil), origin: Self.origin)
        #expect(authenticator.credentials.first?.rpID == "login.example.com")
    }

    @Test("An RP ID that is not the origin's domain is refused with invalidOptions")
    func foreignRPIDIsRefused() throws {
        var authenticator = try SoftwareAuthenticator()
        #expect(throws: SoftwareAuthenticatorError(.invalidOptions, "")) {
            try authenticator.register(options: Self.creationOptions(rpID: "other.com"), origin: Self.origin)
        }
    }

    @Test("An origin that is not an origin is refused with invalidOptions")
    func nonOriginIsRefused() throws {
        var authenticator = try SoftwareAuthenticator()
        #expect(throws: SoftwareAuthenticatorError(.invalidOptions, "")) {
            try authenticator.register(options: Self.creationOptions(), origin: "example.com")
        }
    }

    @Test("The registration response carries the Level 3 fields a browser adds",
          arguments: [COSEAlgorithmIdentifier.es256, .edDSA, .rs256])
    func registrationResponseHasLevel3Fields(algorithm: COSEAlgorithmIdentifier) throws {
        var authenticator = try SoftwareAuthenticator()
        let response = try authenticator.register(options: Self.creationOptions(algorithms: [algorithm]), origin: Self.origin)
        let attestationObject = try AttestationObject(bytes: response.response.attestationObject.bytes)
        #expect(response.id == response.rawId.base64URL)
        #expect(response.type == "public-key")
        #expect(response.response.publicKeyAlgorithm == algorithm)
        #expect(response.response.authenticatorData?.bytes == attestationObject.authenticatorData.rawRepresentation)
        #expect(response.response.transports == [.internal, .hybrid])
        #expect(response.authenticatorAttachment == .platform)
        #expect(response.clientExtensionResults.credProps?.rk == true)
        let spki = try #require(response.response.publicKey?.bytes)
        let publicKey = try Certificate.PublicKey(derEncoded: spki)
        let credentialKey = try COSEPublicKey(rawRepresentation: try #require(authenticator.credentials.first).publicKey)
        #expect(credentialKey.algorithm == algorithm)
        var serializer = DER.Serializer()
        try serializer.serialize(publicKey)
        #expect(serializer.serializedBytes == spki)
        switch algorithm {
        case .es256: #expect(P256.Signing.PublicKey(publicKey) != nil)
        case .edDSA: #expect(Curve25519.Signing.PublicKey(publicKey) != nil)
        default: #expect(_RSA.Signing.PublicKey(publicKey) != nil)
        }
    }

    @Test("The credential ID is 16 to 32 random bytes and is in the authenticator data")
    func credentialIDIsRandomAndAttested() throws {
        var authenticator = try SoftwareAuthenticator()
        let first = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let second = try authenticator.register(
            options: Self.creationOptions(user: PublicKeyCredentialUserEntityJSON(id: UserHandle(uncheckedBytes: [9]), name: "b", displayName: "B")),
            origin: Self.origin)
        #expect((16...32).contains(first.rawId.bytes.count))
        #expect(first.rawId != second.rawId)
        let authenticatorData = try AuthenticatorData(bytes: try #require(first.response.authenticatorData).bytes)
        #expect(authenticatorData.attestedCredentialData?.credentialID == first.rawId)
    }

    @Test("credProps is reported only when the options ask for it")
    func credPropsOnlyWhenAsked() throws {
        var authenticator = try SoftwareAuthenticator()
        let response = try authenticator.register(options: Self.creationOptions(credProps: nil), origin: Self.origin)
        #expect(response.clientExtensionResults.credProps == nil)
    }

    @Test("The first offered algorithm the authenticator makes is used")
    func firstSupportedAlgorithmIsUsed() throws {
        var authenticator = try SoftwareAuthenticator()
        let response = try authenticator.register(options: Self.creationOptions(algorithms: [.es384, .rs256, .es256]), origin: Self.origin)
        #expect(response.response.publicKeyAlgorithm == .rs256)
    }

    @Test("The caller can restrict the algorithms the authenticator makes")
    func algorithmsCanBeRestricted() throws {
        var authenticator = try SoftwareAuthenticator(algorithms: [.edDSA])
        let response = try authenticator.register(options: Self.creationOptions(algorithms: [.es256, .edDSA]), origin: Self.origin)
        #expect(response.response.publicKeyAlgorithm == .edDSA)
    }

    @Test("The caller can prefer another offered algorithm")
    func preferredAlgorithmIsUsed() throws {
        var authenticator = try SoftwareAuthenticator()
        let response = try authenticator.register(options: Self.creationOptions(algorithms: [.es256, .rs256]), origin: Self.origin, algorithm: .rs256)
        #expect(response.response.publicKeyAlgorithm == .rs256)
    }

    @Test("Registration refuses when no offered algorithm is one it makes")
    func unsupportedAlgorithmsAreRefused() throws {
        var authenticator = try SoftwareAuthenticator()
        #expect(throws: SoftwareAuthenticatorError(.unsupportedAlgorithm, "")) {
            try authenticator.register(options: Self.creationOptions(algorithms: [.es384, .ps256]), origin: Self.origin)
        }
    }

    @Test("Registration refuses when it holds a credential in excludeCredentials")
    func excludedCredentialIsRefused() throws {
        var authenticator = try SoftwareAuthenticator()
        let first = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        #expect(throws: SoftwareAuthenticatorError(.excludedCredentialExists, "")) {
            try authenticator.register(
                options: Self.creationOptions(excludeCredentials: [PublicKeyCredentialDescriptorJSON(id: first.rawId)]),
                origin: Self.origin)
        }
        #expect(authenticator.credentials.count == 1)
    }

    @Test("An excluded credential the authenticator does not hold does not stop registration")
    func unknownExcludedCredentialIsIgnored() throws {
        var authenticator = try SoftwareAuthenticator()
        let other = CredentialID(uncheckedBytes: Array(repeating: 7, count: 16))
        _ = try authenticator.register(
            options: Self.creationOptions(excludeCredentials: [PublicKeyCredentialDescriptorJSON(id: other)]), origin: Self.origin)
        #expect(authenticator.credentials.count == 1)
    }

    @Test("Required user verification fails on an authenticator that does not verify users")
    func requiredUserVerificationIsUnsupported() throws {
        var authenticator = try SoftwareAuthenticator(userVerification: false)
        #expect(throws: SoftwareAuthenticatorError(.unsupportedOption, "")) {
            try authenticator.register(options: Self.creationOptions(userVerification: .required), origin: Self.origin)
        }
    }

    @Test("A required discoverable credential fails on an authenticator without resident keys")
    func requiredResidentKeyIsUnsupported() throws {
        var authenticator = try SoftwareAuthenticator(residentKeys: false)
        #expect(throws: SoftwareAuthenticatorError(.unsupportedOption, "")) {
            try authenticator.register(options: Self.creationOptions(residentKey: .required), origin: Self.origin)
        }
    }

    // MARK: Credentials

    @Test("A discoverable credential keeps the account's user handle, name and display name")
    func credentialKeepsTheAccount() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let credential = try #require(authenticator.credentials.first)
        #expect(credential.rpID == "example.com")
        #expect(credential.userHandle == Self.user.id)
        #expect(credential.userName == "ada")
        #expect(credential.displayName == "Ada Lovelace")
        #expect(credential.algorithm == .es256)
        #expect(credential.discoverable)
        #expect(credential.signCount == 0)
    }

    @Test("A new discoverable credential replaces the one for the same account and RP ID")
    func discoverableCredentialIsReplaced() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let second = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        #expect(authenticator.credentials.map(\.id) == [second.rawId])
    }

    @Test("A sign-in without a credential for the RP ID fails with noCredentials")
    func signInWithoutCredentialsFails() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        #expect(throws: SoftwareAuthenticatorError(.noCredentials, "")) {
            try authenticator.authenticate(options: Self.requestOptions(rpID: "login.example.com"), origin: Self.origin)
        }
    }

    @Test("A sign-in naming only credentials it does not hold fails with noCredentials")
    func signInWithUnknownAllowCredentialsFails() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let other = CredentialID(uncheckedBytes: Array(repeating: 7, count: 16))
        #expect(throws: SoftwareAuthenticatorError(.noCredentials, "")) {
            try authenticator.authenticate(options: Self.requestOptions(allowCredentials: [other]), origin: Self.origin)
        }
    }

    @Test("Picking a credential it does not hold fails with noCredentials")
    func pickingAnUnknownCredentialFails() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let other = CredentialID(uncheckedBytes: Array(repeating: 7, count: 16))
        #expect(throws: SoftwareAuthenticatorError(.noCredentials, "")) {
            try authenticator.authenticate(options: Self.requestOptions(), origin: Self.origin, credentialID: other)
        }
    }

    @Test("A non-discoverable credential is not offered without allowCredentials")
    func nonDiscoverableIsNotOffered() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(residentKey: .discouraged), origin: Self.origin)
        #expect(authenticator.credentials.first?.discoverable == false)
        #expect(throws: SoftwareAuthenticatorError(.noCredentials, "")) {
            try authenticator.authenticate(options: Self.requestOptions(), origin: Self.origin)
        }
    }

    @Test("A removed credential can no longer sign in")
    func removedCredentialCannotSignIn() throws {
        var authenticator = try SoftwareAuthenticator()
        let registration = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let removed = authenticator.removeCredential(id: registration.rawId)
        #expect(removed)
        #expect(authenticator.credentials.isEmpty)
        #expect(throws: SoftwareAuthenticatorError(.noCredentials, "")) {
            try authenticator.authenticate(options: Self.requestOptions(allowCredentials: [registration.rawId]), origin: Self.origin)
        }
    }

    @Test("A replay with no earlier response fails with nothingToReplay")
    func replayWithoutHistoryFails() throws {
        var authenticator = try SoftwareAuthenticator()
        authenticator.misbehaviour = .replay
        #expect(throws: SoftwareAuthenticatorError(.nothingToReplay, "")) {
            try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        }
    }

    // MARK: Attestation certificates

    @Test("The attestation certificate meets the packed certificate requirements of §8.2.1")
    func attestationCertificateMeetsPackedRequirements() throws {
        let authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let certificate = try authenticator.attestationCertificate
        #expect(certificate.version == .v3)
        let subject = certificate.subject.flatMap { $0 }
        func values(_ type: ASN1ObjectIdentifier) -> [String] { subject.filter { $0.type == type }.compactMap { String($0.value) } }
        #expect(values(.RDNAttributeType.countryName).first?.count == 2)
        #expect(!values(.RDNAttributeType.organizationName).isEmpty)
        #expect(values(.RDNAttributeType.organizationalUnitName) == ["Authenticator Attestation"])
        #expect(!values(.RDNAttributeType.commonName).isEmpty)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        let aaguidExtension = try #require(certificate.extensions[oid: [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]])
        #expect(aaguidExtension.critical == false)
        #expect(Array(try ASN1OctetString(derEncoded: aaguidExtension.value).bytes) == authenticator.aaguid.bytes)
        #expect(try certificate.issuer == authenticator.attestationRootCertificate.subject)
    }

    @Test("The attestation root's PEM reads back as the root certificate")
    func attestationRootPEMRoundTrips() throws {
        let authenticator = try SoftwareAuthenticator()
        let roots = try AttestationPolicy.certificates(pem: authenticator.attestationRootCertificatePEM)
        #expect(try roots == [authenticator.attestationRootCertificate])
    }

    @Test("The attestation certificates are made once, when first needed, and copies share them")
    func attestationCertificatesAreMadeOnceAndShared() throws {
        let authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let copy = authenticator
        let root = try copy.attestationRootCertificate
        #expect(try authenticator.attestationRootCertificate == root)
        #expect(try authenticator.attestationCertificate.issuer == root.subject)
        let other = try SoftwareAuthenticator(attestation: .packedX5C)
        #expect(try other.attestationRootCertificate != root, "each authenticator has its own root")
    }

    // MARK: Credential keys

    @Test("A P-256 scalar of zero or not below the group's order is refused, so a random one is drawn again")
    func p256ScalarsOutOfRangeAreRefused() throws {
        // The software authenticator makes ES256 keys from 32 random bytes and relies on this.
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        for scalar in [[UInt8](repeating: 0, count: 32), order, [UInt8](repeating: 0xFF, count: 32)] {
            #expect(throws: (any Error).self) { try P256.Signing.PrivateKey(rawRepresentation: scalar) }
        }
        var belowOrder = order
        belowOrder[31] -= 1
        let key = try P256.Signing.PrivateKey(rawRepresentation: belowOrder)
        let message = Array("signed".utf8)
        #expect(key.publicKey.isValidSignature(try key.signature(for: message), for: message))
    }

    @Test("Every ES256 credential has a key of its own")
    func es256CredentialKeysAreDistinctAndWork() throws {
        var authenticator = try SoftwareAuthenticator(algorithms: [.es256])
        var keys: Set<[UInt8]> = []
        for _ in 0..<20 {
            let created = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
            let publicKey = try #require(created.response.publicKey)
            keys.insert(publicKey.bytes)
        }
        #expect(keys.count == 20)
    }

    // MARK: Keychain JSON

    @Test("The exported JSON reads back to an authenticator that exports the same JSON")
    func exportedJSONRoundTrips() throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedSelf, signCounter: .global)
        authenticator.misbehaviour = .wrongOrigin
        for algorithm in [COSEAlgorithmIdentifier.es256, .edDSA, .rs256] {
            let user = PublicKeyCredentialUserEntityJSON(
                id: UserHandle(uncheckedBytes: [UInt8(truncatingIfNeeded: algorithm.rawValue)]), name: algorithm.name, displayName: algorithm.name)
            _ = try authenticator.register(options: Self.creationOptions(user: user, algorithms: [algorithm]), origin: Self.origin)
        }
        _ = try authenticator.authenticate(options: Self.requestOptions(), origin: Self.origin)

        let json = authenticator.exportJSON()
        let imported = try SoftwareAuthenticator(json: json)
        #expect(imported.exportJSON() == json)
        #expect(imported.credentials.map(\.id) == authenticator.credentials.map(\.id))
        #expect(imported.credentials.map(\.publicKey) == authenticator.credentials.map(\.publicKey))
        #expect(imported.globalSignCount == authenticator.globalSignCount)
        #expect(imported.misbehaviour == .wrongOrigin)
        #expect(imported.attestation == .packedSelf)
    }

    @Test("JSON that is not a keychain is refused with invalidKeychain", arguments: ["", "{}", "[1]", #"{"version":2}"#])
    func invalidKeychainIsRefused(json: String) throws {
        #expect(throws: SoftwareAuthenticatorError(.invalidKeychain, "")) {
            try SoftwareAuthenticator(json: Data(json.utf8))
        }
    }

    @Test("A keychain whose private key was altered is refused with invalidKeychain")
    func alteredPrivateKeyIsRefused() throws {
        var authenticator = try SoftwareAuthenticator()
        _ = try authenticator.register(options: Self.creationOptions(), origin: Self.origin)
        let json = authenticator.exportJSON()
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var credentials = try #require(object["credentials"] as? [[String: Any]])
        credentials[0]["privateKey"] = "AAAA"
        object["credentials"] = credentials
        let altered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: SoftwareAuthenticatorError(.invalidKeychain, "")) {
            try SoftwareAuthenticator(json: altered)
        }
    }
}
