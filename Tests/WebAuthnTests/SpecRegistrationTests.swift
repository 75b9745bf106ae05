import PasskeyCBOR
import Testing
import WebAuthn

/// WebAuthn Level 3 §7.1 "Registering a New Credential", one check per test: each test starts
/// from a valid registration and changes one thing.
@Suite("Registration (§7.1)")
struct SpecRegistrationTests {
    // MARK: Accepted

    @Test("A registration with none attestation is accepted and reports the new credential")
    func noneAttestationIsAccepted() async throws {
        let registration = TestRegistration.none()
        let verified = try await registration.finish()
        #expect(verified.credentialID == CredentialID(uncheckedBytes: TestRelyingParty.credentialID))
        #expect(verified.publicKey.rawRepresentation == registration.key.coseKey)
        #expect(verified.algorithm == .es256)
        #expect(verified.signCount == 0)
        #expect(verified.aaguid == AAGUID(bytes: TestRelyingParty.aaguid))
        #expect(verified.format == .none)
        #expect(verified.attestationType == .none)
        #expect(verified.attestationTrusted == false)
        #expect(verified.attestationTrustPath.isEmpty)
        #expect(verified.transports == [.internal, .hybrid])
        #expect(verified.userHandle == TestRelyingParty.userHandle)
        #expect(verified.userVerified)
        #expect(verified.backupEligible == false)
        #expect(verified.backedUp == false)
        #expect(verified.discoverable == true)
        #expect(verified.authenticatorAttachment == .platform)
    }

    @Test("A registration is accepted for each algorithm the relying party offers",
          arguments: [COSEAlgorithmIdentifier.es256, .es384, .es512, .edDSA, .rs256, .ps256])
    func eachAlgorithmIsAccepted(algorithm: COSEAlgorithmIdentifier) async throws {
        let key = try TestCredentialKey.make(algorithm)
        let verified = try await TestRegistration.none(key: key).finish()
        #expect(verified.algorithm == algorithm)
        #expect(verified.publicKey.rawRepresentation == key.coseKey)
    }

    @Test("The sign count and backup flags of a new credential are reported")
    func signCountAndBackupFlagsAreReported() async throws {
        let verified = try await TestRegistration.none()
            .authenticatorData { $0.signCount(7).backupEligible(true).backedUp(true) }
            .finish()
        #expect(verified.signCount == 7)
        #expect(verified.backupEligible)
        #expect(verified.backedUp)
    }

    @Test("A registration without transports or credProps reports none")
    func missingOptionalOutputsAreReportedAsAbsent() async throws {
        let verified = try await TestRegistration.none().with {
            $0.transports = nil
            $0.residentKey = nil
            $0.authenticatorAttachment = nil
        }.finish()
        #expect(verified.transports.isEmpty)
        #expect(verified.discoverable == nil)
        #expect(verified.authenticatorAttachment == nil)
    }

    @Test("Authenticator extension outputs after the credential public key are accepted")
    func extensionOutputsAreAccepted() async throws {
        let extensions = CBOREncoder.encode(["credProtect": 2])
        let verified = try await TestRegistration.none().authenticatorData { $0.extensions(extensions) }.finish()
        #expect(verified.credentialID == CredentialID(uncheckedBytes: TestRelyingParty.credentialID))
    }

    // MARK: §5.1 the credential

    @Test("A credential whose type is not public-key is rejected")
    func credentialTypeMustBePublicKey() async throws {
        await #expect(throws: WebAuthnError(.typeMismatch, "")) {
            try await TestRegistration.none().with { $0.type = "password" }.finish()
        }
    }

    @Test("A credential whose id is not the base64url of rawId is rejected")
    func idMustBeBase64URLOfRawID() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().with { $0.id = Base64URL.encode([1, 2, 3, 4]) }.finish()
        }
    }

    // MARK: §7.1 steps 7–10 client data

    @Test("Client data of type webauthn.get is rejected (step 7)")
    func clientDataTypeMustBeCreate() async throws {
        await #expect(throws: WebAuthnError(.typeMismatch, "")) {
            try await TestRegistration.none().clientData { $0.type("webauthn.get") }.finish()
        }
    }

    @Test("Client data with another challenge of the same length is rejected (step 8)")
    func challengeMustMatch() async throws {
        var other = TestRelyingParty.challenge.bytes
        other[0] ^= 0xFF
        await #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try await TestRegistration.none().clientData { $0.challenge(bytes: other) }.finish()
        }
    }

    @Test("Client data with a prefix of the challenge is rejected (step 8)")
    func challengeOfAnotherLengthIsRejected() async throws {
        await #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try await TestRegistration.none().clientData { $0.challenge(bytes: Array(TestRelyingParty.challenge.bytes.dropLast())) }.finish()
        }
    }

    @Test("Client data with an empty challenge is rejected (step 8)")
    func emptyChallengeIsRejected() async throws {
        await #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try await TestRegistration.none().clientData { $0.challenge("") }.finish()
        }
    }

    @Test("Client data from an origin the relying party does not expect is rejected (step 9)",
          arguments: [
              "https://evil.example", "http://example.com", "https://example.com:8443", "https://example.com/",
              "https://login.example.com", "https://EXAMPLE.com", "example.com", "",
          ])
    func originMustBeExpected(origin: String) async throws {
        await #expect(throws: WebAuthnError(.originMismatch, "")) {
            try await TestRegistration.none().clientData { $0.origin(origin) }.finish()
        }
    }

    @Test("A ceremony in a cross-origin iframe is rejected unless cross-origin use is allowed (step 10)")
    func crossOriginIsRejectedByDefault() async throws {
        await #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try await TestRegistration.none().clientData { $0.crossOrigin(true) }.finish()
        }
    }

    @Test("A ceremony in a cross-origin iframe is accepted when cross-origin use is allowed (step 10)")
    func crossOriginIsAcceptedWhenAllowed() async throws {
        let relyingParty = try TestRelyingParty.make(allowCrossOrigin: true)
        _ = try await TestRegistration.none().clientData { $0.crossOrigin(true) }.finish(with: relyingParty)
    }

    @Test("A topOrigin is rejected when cross-origin use is not allowed (step 10)")
    func topOriginIsRejectedWhenCrossOriginIsNotAllowed() async throws {
        await #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try await TestRegistration.none().clientData { $0.topOrigin("https://partner.example") }.finish()
        }
    }

    @Test("A topOrigin not among the allowed top origins is rejected (step 10)")
    func topOriginMustBeListed() async throws {
        let relyingParty = try TestRelyingParty.make(allowCrossOrigin: true, allowedTopOrigins: ["https://partner.example"])
        await #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try await TestRegistration.none()
                .clientData { $0.crossOrigin(true).topOrigin("https://evil.example") }
                .finish(with: relyingParty)
        }
    }

    @Test("A topOrigin among the allowed top origins is accepted (step 10)")
    func listedTopOriginIsAccepted() async throws {
        let relyingParty = try TestRelyingParty.make(allowCrossOrigin: true, allowedTopOrigins: ["https://partner.example"])
        _ = try await TestRegistration.none()
            .clientData { $0.crossOrigin(true).topOrigin("https://partner.example") }
            .finish(with: relyingParty)
    }

    @Test("An Android app origin the relying party allows is accepted (step 9)")
    func androidOriginIsAccepted() async throws {
        let origin = "android:apk-key-hash:" + Base64URL.encode(Array(repeating: 0x5A, count: 32))
        let relyingParty = try TestRelyingParty.make(allowedOrigins: [TestRelyingParty.origin, origin])
        _ = try await TestRegistration.none().clientData { $0.origin(origin) }.finish(with: relyingParty)
    }

    @Test("Another Android app's origin is rejected (step 9)")
    func otherAndroidOriginIsRejected() async throws {
        let origin = "android:apk-key-hash:" + Base64URL.encode(Array(repeating: 0x5A, count: 32))
        let relyingParty = try TestRelyingParty.make(allowedOrigins: [TestRelyingParty.origin, origin])
        await #expect(throws: WebAuthnError(.originMismatch, "")) {
            try await TestRegistration.none()
                .clientData { $0.origin("android:apk-key-hash:" + Base64URL.encode(Array(repeating: 0x5B, count: 32))) }
                .finish(with: relyingParty)
        }
    }

    // MARK: §7.1 steps 13–16 authenticator data

    @Test("Authenticator data for another RP ID is rejected (step 13)")
    func rpIDHashMustMatch() async throws {
        await #expect(throws: WebAuthnError(.rpIDMismatch, "")) {
            try await TestRegistration.none().authenticatorData { $0.rpID("evil.example") }.finish()
        }
    }

    @Test("Authenticator data hashed from the origin rather than the RP ID is rejected (step 13)")
    func rpIDHashOfOriginIsRejected() async throws {
        await #expect(throws: WebAuthnError(.rpIDMismatch, "")) {
            try await TestRegistration.none().authenticatorData { $0.rpID(TestRelyingParty.origin) }.finish()
        }
    }

    @Test("Authenticator data without UP is rejected (step 14)")
    func userPresenceIsRequired() async throws {
        await #expect(throws: WebAuthnError(.userPresenceRequired, "")) {
            try await TestRegistration.none().authenticatorData { $0.userPresent(false) }.finish()
        }
    }

    @Test("Authenticator data without UP is accepted when the relying party dangerously allows it (step 14)")
    func missingUserPresenceCanBeAllowed() async throws {
        let relyingParty = try TestRelyingParty.make(dangerouslyAllowMissingUserPresence: true)
        _ = try await TestRegistration.none().authenticatorData { $0.userPresent(false) }.finish(with: relyingParty)
    }

    @Test("Authenticator data without UV is rejected when user verification is required (step 15)")
    func userVerificationIsRequiredWhenAsked() async throws {
        await #expect(throws: WebAuthnError(.userVerificationRequired, "")) {
            try await TestRegistration.none()
                .with { $0.userVerification = .required }
                .authenticatorData { $0.userVerified(false) }
                .finish()
        }
    }

    @Test("Authenticator data without UV is accepted when user verification is preferred (step 15)")
    func missingUserVerificationIsAcceptedWhenPreferred() async throws {
        let verified = try await TestRegistration.none().authenticatorData { $0.userVerified(false) }.finish()
        #expect(verified.userVerified == false)
    }

    @Test("A relying party requiring user verification puts it in the ceremony it begins (step 15)")
    func requiredUserVerificationComesFromTheConfiguration() async throws {
        let relyingParty = try TestRelyingParty.make(userVerification: .required)
        let (options, ceremony) = relyingParty.beginRegistration(
            user: PublicKeyCredentialUserEntityJSON(id: TestRelyingParty.userHandle, name: "ada", displayName: "Ada"),
            challenge: TestRelyingParty.challenge)
        #expect(options.authenticatorSelection?.userVerification == .required)
        let registration = TestRegistration.none().authenticatorData { $0.userVerified(false) }
        await #expect(throws: WebAuthnError(.userVerificationRequired, "")) {
            try await relyingParty.finishRegistration(response: registration.response(), ceremony: ceremony)
        }
    }

    @Test("Authenticator data with BS but not BE is rejected (step 16)")
    func backedUpRequiresBackupEligible() async throws {
        await #expect(throws: WebAuthnError(.backupStateInvalid, "")) {
            try await TestRegistration.none().authenticatorData { $0.backedUp(true) }.finish()
        }
    }

    // MARK: §7.1 step 19 the algorithm

    @Test("A credential key of an algorithm the ceremony did not offer is rejected (step 19)")
    func algorithmMustHaveBeenOffered() async throws {
        await #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try await TestRegistration.none(key: .edDSA()).with { $0.algorithms = [.es256] }.finish()
        }
    }

    @Test("A credential key with an unknown algorithm is rejected (step 19)")
    func unknownAlgorithmIsRejected() async throws {
        await #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try await TestRegistration.none(key: TestCredentialKey.es256().claiming(COSEAlgorithmIdentifier(-999))).finish()
        }
    }

    @Test("A P-256 key claiming ES384 is rejected (step 19)")
    func algorithmMustFitTheCurve() async throws {
        await #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try await TestRegistration.none(key: TestCredentialKey.es256().claiming(.es384)).finish()
        }
    }

    @Test("An EC2 key claiming EdDSA is rejected (step 19)")
    func algorithmMustFitTheKeyType() async throws {
        await #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try await TestRegistration.none(key: TestCredentialKey.es256().claiming(.edDSA)).finish()
        }
    }

    @Test("A credential public key without its algorithm is rejected (step 19, §5.8.5)")
    func keyWithoutAlgorithmIsRejected() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none(key: TestCredentialKey.es256().removing(3)).finish()
        }
    }

    // MARK: §7.1 step 25 and the credential ID

    @Test("A credential ID of 1024 bytes is rejected (step 25)")
    func credentialIDOf1024BytesIsRejected() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration(credentialID: Array(repeating: 0x7E, count: 1024)).finish()
        }
    }

    @Test("A credential ID of 1023 bytes is accepted (step 25)")
    func credentialIDOf1023BytesIsAccepted() async throws {
        let verified = try await TestRegistration(credentialID: Array(repeating: 0x7E, count: 1023)).finish()
        #expect(verified.credentialID.bytes.count == 1023)
    }

    @Test("A rawId that is not the credential ID in the authenticator data is rejected")
    func rawIDMustBeTheAttestedCredentialID() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().with { $0.rawID = Array(repeating: 0x99, count: 32) }.finish()
        }
    }

    // MARK: §7.1 step 12 the attestation object and authenticator data structure

    @Test("Authenticator data without attested credential data (no AT) is rejected")
    func attestedCredentialDataIsRequired() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.attestedCredentialData(nil) }.finish()
        }
    }

    @Test("Attested credential data without the AT flag is rejected")
    func attestedCredentialDataWithoutATFlagIsRejected() async throws {
        let registration = TestRegistration.none()
        let flags = registration.authenticatorData.flagsByte & ~TestAuthenticatorData.Flag.attestedCredentialData
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.authenticatorData { $0.flags(flags) }.finish()
        }
    }

    @Test("Authenticator data shorter than 37 bytes is rejected", arguments: [0, 32, 36])
    func shortAuthenticatorDataIsRejected(length: Int) async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.truncated(to: length) }.finish()
        }
    }

    @Test("Authenticator data cut inside the attested credential data is rejected",
          arguments: [37 + 10, 37 + 17, 37 + 18 + 5, 37 + 18 + 32 + 20])
    func truncatedAttestedCredentialDataIsRejected(length: Int) async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.truncated(to: length) }.finish()
        }
    }

    @Test("A credential ID length that runs past the authenticator data is rejected")
    func credentialIDLengthPastTheEndIsRejected() async throws {
        let registration = TestRegistration.none()
        var attested = try #require(registration.authenticatorData.attestedCredentialData)
        attested.credentialIDLength = 0xFFFF
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.authenticatorData { $0.attestedCredentialData(attested) }.finish()
        }
    }

    @Test("Bytes after the authenticator data's last part are rejected")
    func trailingBytesInAuthenticatorDataAreRejected() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.trailingBytes([0x00]) }.finish()
        }
    }

    @Test("An ED flag with no extension outputs is rejected")
    func extensionFlagWithoutExtensionsIsRejected() async throws {
        let registration = TestRegistration.none()
        let flags = registration.authenticatorData.flagsByte | TestAuthenticatorData.Flag.extensionData
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.authenticatorData { $0.flags(flags) }.finish()
        }
    }

    @Test("Extension outputs that are not a CBOR map are rejected")
    func extensionsMustBeAMap() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.extensions(CBOREncoder.encode([1, 2])) }.finish()
        }
    }

    @Test("Extension outputs with a key that is not an extension identifier (a text string) are rejected (§9)")
    func extensionOutputKeysMustBeIdentifiers() async throws {
        // {"credProtect": 2, 1: true}
        let extensions = CBOREncoder.encode(.map(CBORMap([(key: "credProtect", value: CBOR(2)), (key: CBOR(1), value: .boolean(true))])))
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().authenticatorData { $0.extensions(extensions) }.finish()
        }
    }

    @Test("A credential public key that is not a CBOR map is rejected")
    func credentialPublicKeyMustBeAMap() async throws {
        let registration = TestRegistration.none()
        var attested = try #require(registration.authenticatorData.attestedCredentialData)
        attested.publicKey = CBOREncoder.encode([1, 2, 3])
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.authenticatorData { $0.attestedCredentialData(attested) }.finish()
        }
    }

    @Test("An attestation object that is not CBOR is rejected")
    func attestationObjectMustBeCBOR() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().with { $0.attestationObjectOverride = [0xFF, 0x00, 0x13] }.finish()
        }
    }

    @Test("An attestation object that is a truncated CBOR map is rejected")
    func truncatedAttestationObjectIsRejected() async throws {
        let registration = TestRegistration.none()
        let bytes = try registration.attestationObjectBytes()
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await registration.with { $0.attestationObjectOverride = Array(bytes.dropLast(5)) }.finish()
        }
    }

    @Test("An attestation object that is not a CBOR map is rejected")
    func attestationObjectMustBeAMap() async throws {
        let array = CBOREncoder.encode(["none", .map([:]), .bytes([])])
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().with { $0.attestationObjectOverride = array }.finish()
        }
    }

    @Test("Bytes after the attestation object are rejected")
    func trailingBytesAfterAttestationObjectAreRejected() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.trailingBytes = [0x00] }.finish()
        }
    }

    @Test("An attestation object without fmt is rejected")
    func attestationObjectNeedsFmt() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.fmt = nil }.finish()
        }
    }

    @Test("An attestation object whose fmt is not text is rejected")
    func attestationObjectFmtMustBeText() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.fmt = 1 }.finish()
        }
    }

    @Test("An attestation object without attStmt is rejected")
    func attestationObjectNeedsAttStmt() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.attStmt = nil }.finish()
        }
    }

    @Test("An attestation object without authData is rejected")
    func attestationObjectNeedsAuthData() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.authData = nil }.finish()
        }
    }

    @Test("An attestation object whose authData is not a byte string is rejected")
    func attestationObjectAuthDataMustBeBytes() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.authData = "authData" }.finish()
        }
    }

    @Test("An attestation object with a duplicated key is rejected")
    func attestationObjectWithDuplicateKeyIsRejected() async throws {
        await #expect(throws: WebAuthnError(.malformed, "")) {
            try await TestRegistration.none().attestationObject { $0.extraEntries = [(key: "fmt", value: "packed")] }.finish()
        }
    }

    @Test("Unknown entries in the attestation object are ignored")
    func unknownAttestationObjectEntriesAreIgnored() async throws {
        _ = try await TestRegistration.none().attestationObject { $0.extraEntries = [(key: "epAtt", value: false)] }.finish()
    }

    // MARK: §7.1 steps 21–22 attestation formats

    @Test("An attestation statement format the library does not know is rejected (step 21)")
    func unknownFormatIsRejected() async throws {
        await #expect(throws: WebAuthnError(.unsupportedAttestationFormat, "")) {
            try await TestRegistration(statement: .custom(format: "acme-attestation", statement: [:])).finish()
        }
    }

    @Test("A none attestation with a non-empty statement is rejected (§8.7)")
    func noneAttestationMustBeEmpty() async throws {
        await #expect(throws: WebAuthnError(.attestationPolicy, "")) {
            try await TestRegistration(statement: .none(extra: [(key: "sig", value: .bytes([1, 2, 3]))])).finish()
        }
    }
}
