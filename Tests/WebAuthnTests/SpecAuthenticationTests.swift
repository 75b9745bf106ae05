import Crypto
import Testing
import WebAuthn

/// WebAuthn Level 3 §7.2 "Verifying an Authentication Assertion", one check per test: each test
/// starts from a valid sign-in and changes one thing.
@Suite("Authentication (§7.2)")
struct SpecAuthenticationTests {
    // MARK: Accepted

    @Test("A sign-in is accepted for each algorithm and reports what to store", arguments: [
        COSEAlgorithmIdentifier.es256, .es384, .es512, .edDSA, .rs256, .ps256,
    ])
    func signInIsAccepted(algorithm: COSEAlgorithmIdentifier) throws {
        let verified = try TestAuthentication(key: try .make(algorithm)).finish()
        #expect(verified.credentialID == CredentialID(uncheckedBytes: TestRelyingParty.credentialID))
        #expect(verified.userHandle == TestRelyingParty.userHandle)
        #expect(verified.newSignCount == 1)
        #expect(verified.userVerified)
        #expect(verified.backupEligible == false)
        #expect(verified.backedUp == false)
        #expect(verified.signCountRegressed == false)
        #expect(verified.credentialNeedsUpdate)
        #expect(verified.authenticatorAttachment == .platform)
    }

    @Test("A discoverable sign-in with the owner's user handle is accepted")
    func discoverableSignInIsAccepted() throws {
        let verified = try TestAuthentication().discoverable().finish()
        #expect(verified.userHandle == TestRelyingParty.userHandle)
    }

    @Test("A sign-in of an identified user without a returned user handle is accepted")
    func identifiedUserNeedsNoReturnedHandle() throws {
        _ = try TestAuthentication().with { $0.returnedUserHandle = nil }.finish()
    }

    @Test("A sign-in with the credential in a longer allowCredentials list is accepted")
    func credentialAmongSeveralAllowedIsAccepted() throws {
        _ = try TestAuthentication().with {
            $0.allowCredentials = [
                CredentialID(uncheckedBytes: [1, 2, 3]), CredentialID(uncheckedBytes: TestRelyingParty.credentialID),
            ]
        }.finish()
    }

    @Test("A backed-up passkey's sign-in reports BE and BS")
    func backupFlagsAreReported() throws {
        let verified = try TestAuthentication()
            .with { $0.storedBackupEligible = true }
            .authenticatorData { $0.backupEligible(true).backedUp(true) }
            .finish()
        #expect(verified.backupEligible)
        #expect(verified.backedUp)
    }

    // MARK: §5.1 the credential

    @Test("A credential whose type is not public-key is rejected")
    func credentialTypeMustBePublicKey() throws {
        #expect(throws: WebAuthnError(.typeMismatch, "")) {
            try TestAuthentication().with { $0.type = "password" }.finish()
        }
    }

    @Test("A credential whose id is not the base64url of rawId is rejected")
    func idMustBeBase64URLOfRawID() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().with { $0.id = Base64URL.encode([9, 9, 9]) }.finish()
        }
    }

    // MARK: §7.2 steps 5–7 the credential and its user

    @Test("A credential not in allowCredentials is rejected (step 5)")
    func credentialMustBeAllowed() throws {
        #expect(throws: WebAuthnError(.credentialNotAllowed, "")) {
            try TestAuthentication().with { $0.allowCredentials = [CredentialID(uncheckedBytes: [1, 2, 3, 4])] }.finish()
        }
    }

    @Test("A stored credential that is not the one in the response is rejected (step 7)")
    func storedCredentialMustBeTheResponding() throws {
        #expect(throws: WebAuthnError(.unknownCredential, "")) {
            try TestAuthentication().with {
                $0.storedCredentialID = [0xEE, 0xEE]
                $0.allowCredentials = []
            }.finish()
        }
    }

    @Test("A credential of another account than the identified user's is rejected (step 6)")
    func credentialMustBelongToTheIdentifiedUser() throws {
        #expect(throws: WebAuthnError(.userMismatch, "")) {
            try TestAuthentication().with {
                $0.storedUserHandle = TestRelyingParty.otherUserHandle
                $0.returnedUserHandle = nil
            }.finish()
        }
    }

    @Test("A returned user handle that is not the identified user's is rejected (step 6)")
    func returnedUserHandleMustBeTheIdentifiedUsers() throws {
        #expect(throws: WebAuthnError(.userMismatch, "")) {
            try TestAuthentication().with { $0.returnedUserHandle = TestRelyingParty.otherUserHandle }.finish()
        }
    }

    @Test("A discoverable sign-in without a user handle is rejected (step 6)")
    func discoverableSignInNeedsUserHandle() throws {
        #expect(throws: WebAuthnError(.userMismatch, "")) {
            try TestAuthentication().discoverable().with { $0.returnedUserHandle = nil }.finish()
        }
    }

    @Test("A discoverable sign-in with another user's handle is rejected (step 6)")
    func discoverableSignInUserHandleMustOwnTheCredential() throws {
        #expect(throws: WebAuthnError(.userMismatch, "")) {
            try TestAuthentication().discoverable().with { $0.returnedUserHandle = TestRelyingParty.otherUserHandle }.finish()
        }
    }

    // MARK: §7.2 steps 11–14 client data

    @Test("Client data of type webauthn.create is rejected (step 11)")
    func clientDataTypeMustBeGet() throws {
        #expect(throws: WebAuthnError(.typeMismatch, "")) {
            try TestAuthentication().clientData { $0.type("webauthn.create") }.finish()
        }
    }

    @Test("Client data of an unknown type is rejected (step 11)")
    func unknownClientDataTypeIsRejected() throws {
        #expect(throws: WebAuthnError(.typeMismatch, "")) {
            try TestAuthentication().clientData { $0.type("payment.get") }.finish()
        }
    }

    @Test("Client data with another challenge is rejected (step 12)")
    func challengeMustMatch() throws {
        #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try TestAuthentication().clientData { $0.challenge(bytes: Array(repeating: 0x55, count: 32)) }.finish()
        }
    }

    @Test("Client data with a longer challenge is rejected (step 12)")
    func longerChallengeIsRejected() throws {
        #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try TestAuthentication().clientData { $0.challenge(bytes: TestRelyingParty.challenge.bytes + [0]) }.finish()
        }
    }

    @Test("A response to an earlier ceremony's challenge is rejected (step 12)")
    func replayedResponseIsRejected() throws {
        #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try TestAuthentication().with { $0.challenge = Challenge(uncheckedBytes: Array(repeating: 0x33, count: 32)) }.finish()
        }
    }

    @Test("Client data from an origin the relying party does not expect is rejected (step 13)",
          arguments: ["https://evil.example", "http://example.com", "https://example.com:443", "https://example.com/"])
    func originMustBeExpected(origin: String) throws {
        #expect(throws: WebAuthnError(.originMismatch, "")) {
            try TestAuthentication().clientData { $0.origin(origin) }.finish()
        }
    }

    @Test("A sign-in in a cross-origin iframe is rejected unless allowed (step 14)")
    func crossOriginIsRejectedByDefault() throws {
        #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try TestAuthentication().clientData { $0.crossOrigin(true) }.finish()
        }
    }

    @Test("A sign-in in a cross-origin iframe is accepted when allowed (step 14)")
    func crossOriginIsAcceptedWhenAllowed() throws {
        _ = try TestAuthentication().clientData { $0.crossOrigin(true) }.finish(with: TestRelyingParty.make(allowCrossOrigin: true))
    }

    @Test("A topOrigin is rejected when cross-origin use is not allowed (step 14)")
    func topOriginIsRejectedWhenCrossOriginIsNotAllowed() throws {
        #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try TestAuthentication().clientData { $0.topOrigin("https://partner.example") }.finish()
        }
    }

    @Test("A topOrigin not among the allowed top origins is rejected (step 14)")
    func topOriginMustBeListed() throws {
        let relyingParty = try TestRelyingParty.make(allowCrossOrigin: true, allowedTopOrigins: ["https://partner.example"])
        #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try TestAuthentication().clientData { $0.crossOrigin(true).topOrigin("https://evil.example") }.finish(with: relyingParty)
        }
    }

    @Test("A topOrigin without crossOrigin true is rejected, even where cross-origin use is allowed (§5.8.1, step 14)")
    func topOriginNeedsCrossOrigin() throws {
        let relyingParty = try TestRelyingParty.make(allowCrossOrigin: true, allowedTopOrigins: ["https://partner.example"])
        #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try TestAuthentication().clientData { $0.topOrigin("https://partner.example") }.finish(with: relyingParty)
        }
        #expect(throws: WebAuthnError(.crossOriginNotAllowed, "")) {
            try TestAuthentication().clientData { $0.crossOrigin(false).topOrigin("https://partner.example") }.finish(with: relyingParty)
        }
        _ = try TestAuthentication().clientData { $0.crossOrigin(true).topOrigin("https://partner.example") }.finish(with: relyingParty)
    }

    // MARK: §7.2 steps 15–18 authenticator data

    @Test("Authenticator data for another RP ID is rejected (step 15)")
    func rpIDHashMustMatch() throws {
        #expect(throws: WebAuthnError(.rpIDMismatch, "")) {
            try TestAuthentication().authenticatorData { $0.rpID("evil.example") }.finish()
        }
    }

    @Test("Authenticator data without UP is rejected (step 16)")
    func userPresenceIsRequired() throws {
        #expect(throws: WebAuthnError(.userPresenceRequired, "")) {
            try TestAuthentication().authenticatorData { $0.userPresent(false) }.finish()
        }
    }

    @Test("Authenticator data without UP is accepted when the relying party dangerously allows it (step 16)")
    func missingUserPresenceCanBeAllowed() throws {
        _ = try TestAuthentication().authenticatorData { $0.userPresent(false) }
            .finish(with: TestRelyingParty.make(dangerouslyAllowMissingUserPresence: true))
    }

    @Test("Authenticator data without UV is rejected when user verification is required (step 17)")
    func userVerificationIsRequiredWhenAsked() throws {
        #expect(throws: WebAuthnError(.userVerificationRequired, "")) {
            try TestAuthentication().with { $0.userVerification = .required }.authenticatorData { $0.userVerified(false) }.finish()
        }
    }

    @Test("Authenticator data without UV is accepted when user verification is preferred (step 17)")
    func missingUserVerificationIsAcceptedWhenPreferred() throws {
        let verified = try TestAuthentication().authenticatorData { $0.userVerified(false) }.finish()
        #expect(verified.userVerified == false)
    }

    @Test("A relying party requiring user verification puts it in the ceremony it begins (step 17)")
    func requiredUserVerificationComesFromTheConfiguration() throws {
        let relyingParty = try TestRelyingParty.make(userVerification: .required)
        let (options, ceremony) = relyingParty.beginAuthentication(
            allowCredentials: [PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: TestRelyingParty.credentialID))],
            userHandle: TestRelyingParty.userHandle, challenge: TestRelyingParty.challenge)
        #expect(options.userVerification == .required)
        let authentication = TestAuthentication().authenticatorData { $0.userVerified(false) }
        #expect(throws: WebAuthnError(.userVerificationRequired, "")) {
            try relyingParty.finishAuthentication(
                response: authentication.response(), ceremony: ceremony, credential: authentication.storedCredential)
        }
    }

    @Test("Authenticator data with BS but not BE is rejected (step 18)")
    func backedUpRequiresBackupEligible() throws {
        #expect(throws: WebAuthnError(.backupStateInvalid, "")) {
            try TestAuthentication().authenticatorData { $0.backedUp(true) }.finish()
        }
    }

    @Test("A credential that became backup eligible since registration is rejected (step 18)")
    func backupEligibilityMustNotAppear() throws {
        #expect(throws: WebAuthnError(.backupStateInvalid, "")) {
            try TestAuthentication().authenticatorData { $0.backupEligible(true) }.finish()
        }
    }

    @Test("A credential that stopped being backup eligible since registration is rejected (step 18)")
    func backupEligibilityMustNotDisappear() throws {
        #expect(throws: WebAuthnError(.backupStateInvalid, "")) {
            try TestAuthentication().with { $0.storedBackupEligible = true }.finish()
        }
    }

    @Test("A credential whose BE was never recorded is accepted and must be saved (step 18)")
    func unrecordedBackupEligibilityIsAccepted() throws {
        let verified = try TestAuthentication()
            .with {
                $0.storedBackupEligible = nil
                $0.storedSignCount = 0
            }
            .authenticatorData { $0.signCount(0).backupEligible(true) }
            .finish()
        #expect(verified.backupEligible)
        #expect(verified.credentialNeedsUpdate)
    }

    @Test("Authenticator data shorter than 37 bytes is rejected")
    func shortAuthenticatorDataIsRejected() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().authenticatorData { $0.truncated(to: 36) }.finish()
        }
    }

    @Test("Bytes after the authenticator data are rejected")
    func trailingBytesInAuthenticatorDataAreRejected() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().authenticatorData { $0.trailingBytes([0xA0]) }.finish()
        }
    }

    @Test("Authenticator data whose extension outputs have an integer key is rejected (§9: keys are extension identifiers)")
    func extensionOutputKeysMustBeIdentifiers() throws {
        // {1: true}
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().authenticatorData { $0.extensions([0xA1, 0x01, 0xF5]) }.finish()
        }
    }

    @Test("Authenticator data whose extension outputs are keyed by extension identifiers is accepted")
    func extensionOutputsKeyedByIdentifiersAreAccepted() throws {
        // {"credProtect": 1}
        let identifier = Array("credProtect".utf8)
        let verified = try TestAuthentication()
            .authenticatorData { $0.extensions([0xA1, 0x60 | UInt8(identifier.count)] + identifier + [0x01]) }
            .finish()
        #expect(verified.newSignCount == 1)
    }

    @Test("A signed assertion carrying attested credential data is accepted: §7.2 does not refuse it, and macOS Touch ID sent it")
    func attestedCredentialDataInAnAssertionIsAccepted() throws {
        let authentication = TestAuthentication()
        let attested = TestAttestedCredentialData(
            aaguid: TestRelyingParty.aaguid, credentialID: TestRelyingParty.credentialID, publicKey: authentication.key.coseKey)
        let verified = try authentication.authenticatorData { $0.attestedCredentialData(attested) }.finish()
        #expect(verified.newSignCount == 1)
    }

    // MARK: §7.2 steps 20–21 the signature

    @Test("A signature over other data is rejected (step 21)")
    func signatureMustCoverAuthenticatorDataAndClientDataHash() throws {
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try TestAuthentication().with { $0.signedDataOverride = Array("something else".utf8) }.finish()
        }
    }

    @Test("A signature over the authenticator data and the raw client data (not its hash) is rejected (step 21)")
    func signatureMustCoverTheClientDataHash() throws {
        let authentication = TestAuthentication()
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try authentication.with {
                $0.signedDataOverride = authentication.authenticatorData.bytes + authentication.clientData.bytes
            }.finish()
        }
    }

    @Test("A signature made before the authenticator data was changed is rejected (step 21)")
    func signatureMustCoverTheAuthenticatorDataSent() throws {
        let authentication = TestAuthentication()
        let signature = try authentication.key.sign(
            authentication.authenticatorData.bytes + Array(SHA256.hash(data: authentication.clientData.bytes)))
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try authentication.with { $0.signatureOverride = signature }.authenticatorData { $0.signCount(2) }.finish()
        }
    }

    @Test("A signature by another key is rejected (step 21)")
    func signatureMustBeByTheStoredKey() throws {
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try TestAuthentication().with { $0.storedPublicKey = TestCredentialKey.es256().coseKey }.finish()
        }
    }

    @Test("A truncated signature is rejected (step 21)", arguments: [
        COSEAlgorithmIdentifier.es256, .es384, .es512, .edDSA, .rs256, .ps256,
    ])
    func truncatedSignatureIsRejected(algorithm: COSEAlgorithmIdentifier) throws {
        let authentication = TestAuthentication(key: try .make(algorithm))
        let signature = try authentication.response().response.signature.bytes
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try authentication.with { $0.signatureOverride = Array(signature.dropLast()) }.finish()
        }
    }

    @Test("A garbage signature is rejected (step 21)", arguments: [
        COSEAlgorithmIdentifier.es256, .es384, .es512, .edDSA, .rs256, .ps256,
    ])
    func garbageSignatureIsRejected(algorithm: COSEAlgorithmIdentifier) throws {
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try TestAuthentication(key: try .make(algorithm)).with { $0.signatureOverride = Array(repeating: 0x30, count: 72) }.finish()
        }
    }

    @Test("An empty signature is rejected (step 21)")
    func emptySignatureIsRejected() throws {
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try TestAuthentication().with { $0.signatureOverride = [] }.finish()
        }
    }

    @Test("A stored public key that is not a COSE key is rejected")
    func storedPublicKeyMustParse() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().with { $0.storedPublicKey = [0xA0, 0x01] }.finish()
        }
    }

    // MARK: §7.2 step 22 the signature counter

    @Test("A counter equal to the stored non-zero counter is rejected (step 22)")
    func equalNonZeroCounterIsRejected() throws {
        #expect(throws: WebAuthnError(.signCount, "")) {
            try TestAuthentication().with { $0.storedSignCount = 5 }.authenticatorData { $0.signCount(5) }.finish()
        }
    }

    @Test("A counter lower than the stored counter is rejected (step 22)")
    func lowerCounterIsRejected() throws {
        #expect(throws: WebAuthnError(.signCount, "")) {
            try TestAuthentication().with { $0.storedSignCount = 5 }.authenticatorData { $0.signCount(4) }.finish()
        }
    }

    @Test("A zero counter after a stored non-zero counter is rejected (step 22)")
    func zeroAfterNonZeroCounterIsRejected() throws {
        #expect(throws: WebAuthnError(.signCount, "")) {
            try TestAuthentication().with { $0.storedSignCount = 5 }.authenticatorData { $0.signCount(0) }.finish()
        }
    }

    @Test("A counter that stays zero is accepted (step 22)")
    func zeroCountersAreAccepted() throws {
        let verified = try TestAuthentication().authenticatorData { $0.signCount(0) }.finish()
        #expect(verified.newSignCount == 0)
        #expect(verified.signCountRegressed == false)
    }

    @Test("A counter that starts counting after a stored zero is accepted (step 22)")
    func counterStartingAfterZeroIsAccepted() throws {
        let verified = try TestAuthentication().authenticatorData { $0.signCount(5) }.finish()
        #expect(verified.newSignCount == 5)
    }

    @Test("A counter at its maximum after a lower one is accepted (step 22)")
    func maximumCounterIsAccepted() throws {
        let verified = try TestAuthentication()
            .with { $0.storedSignCount = UInt32.max - 1 }
            .authenticatorData { $0.signCount(UInt32.max) }
            .finish()
        #expect(verified.newSignCount == UInt32.max)
    }

    @Test("A counter that went back is accepted and reported when the policy allows regression (step 22)")
    func regressionIsReportedWhenAllowed() throws {
        let verified = try TestAuthentication()
            .with { $0.storedSignCount = 5 }
            .authenticatorData { $0.signCount(3) }
            .finish(with: TestRelyingParty.make(signCountPolicy: .allowRegression))
        #expect(verified.signCountRegressed)
        #expect(verified.newSignCount == 3)
    }

    @Test("A growing counter is not reported as regressed when the policy allows regression (step 22)")
    func growingCounterIsNotRegression() throws {
        let verified = try TestAuthentication()
            .with { $0.storedSignCount = 5 }
            .authenticatorData { $0.signCount(6) }
            .finish(with: TestRelyingParty.make(signCountPolicy: .allowRegression))
        #expect(verified.signCountRegressed == false)
    }

    // MARK: §7.2 step 24 what to save

    @Test("The stored credential needs an update when the counter changed")
    func counterChangeNeedsUpdate() throws {
        let verified = try TestAuthentication().with { $0.storedSignCount = 1 }.authenticatorData { $0.signCount(2) }.finish()
        #expect(verified.credentialNeedsUpdate)
        #expect(verified.newSignCount == 2)
    }

    @Test("The stored credential needs an update when BS changed")
    func backupStateChangeNeedsUpdate() throws {
        let verified = try TestAuthentication()
            .with { $0.storedBackupEligible = true }
            .authenticatorData { $0.signCount(0).backupEligible(true).backedUp(true) }
            .finish()
        #expect(verified.credentialNeedsUpdate)
        #expect(verified.backedUp)
    }

    @Test("The stored credential needs no update when neither the counter nor BS changed")
    func nothingChangedNeedsNoUpdate() throws {
        let verified = try TestAuthentication()
            .with {
                $0.storedBackupEligible = true
                $0.storedBackedUp = true
            }
            .authenticatorData { $0.signCount(0).backupEligible(true).backedUp(true) }
            .finish()
        #expect(verified.credentialNeedsUpdate == false)
    }
}
