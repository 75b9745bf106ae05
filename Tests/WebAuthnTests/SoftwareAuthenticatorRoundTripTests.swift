import SoftwareAuthenticator
import Testing
import WebAuthn
import X509

/// The software authenticator against the real relying party: every algorithm and attestation it
/// makes is verified, and each of its misbehaviours is rejected with the code for that fault.
@Suite("SoftwareAuthenticator → RelyingParty round trips")
struct SoftwareAuthenticatorRoundTripTests {
    static let algorithms: [COSEAlgorithmIdentifier] = [.es256, .edDSA, .rs256]
    static let packedAttestations: [SoftwareAuthenticator.Attestation] = [.none, .packedSelf, .packedX5C]

    // MARK: Registration

    @Test("A registration verifies with the algorithm and attestation the authenticator used",
          arguments: algorithms, packedAttestations)
    func registrationVerifies(algorithm: COSEAlgorithmIdentifier, attestation: SoftwareAuthenticator.Attestation) async throws {
        var authenticator = try SoftwareAuthenticator(attestation: attestation)
        let site = try RoundTripSite(algorithms: [algorithm])
        let (response, verified) = try await site.register(&authenticator)

        #expect(verified.credentialID == response.rawId)
        #expect(verified.credentialID == authenticator.credentials.first?.id)
        #expect(verified.algorithm == algorithm)
        #expect(verified.publicKey.rawRepresentation == authenticator.credentials.first?.publicKey)
        #expect(verified.aaguid == SoftwareAuthenticator.defaultAAGUID)
        #expect(verified.format == (attestation == .none ? .none : .packed))
        let expectedType: AttestationType = switch attestation {
        case .none: .none
        case .packedSelf: .self
        default: .basic
        }
        #expect(verified.attestationType == expectedType)
        #expect(verified.attestationTrusted == false)
        #expect(verified.attestationTrustPath.count == (attestation == .packedX5C ? 1 : 0))
        #expect(verified.signCount == 0)
        #expect(verified.userHandle == RoundTripSite.ada.id)
        #expect(verified.userVerified)
        #expect(verified.backupEligible)
        #expect(verified.backedUp)
        #expect(verified.discoverable == true)
        #expect(verified.transports == [.internal, .hybrid])
        #expect(verified.authenticatorAttachment == .platform)
    }

    @Test("Packed x5c attestation is trusted when the authenticator's root is a trust anchor", arguments: algorithms)
    func packedX5CIsTrustedWithItsRoot(algorithm: COSEAlgorithmIdentifier) async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let site = try RoundTripSite(
            algorithms: [algorithm],
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.packed: [(try authenticator.attestationRootCertificate)]]))
        let (_, verified) = try await site.register(&authenticator)
        #expect(verified.algorithm == algorithm)
        #expect(verified.format == .packed)
        #expect(verified.attestationType == .basic)
        #expect(verified.attestationTrusted == true)
        #expect(try verified.attestationTrustPath == [authenticator.attestationCertificate])
    }

    @Test("Packed x5c attestation to a different root is rejected with attestation_trust")
    func packedX5CToAnotherRootIsRejected() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        let stranger = try SoftwareAuthenticator(attestation: .packedX5C)
        let site = try RoundTripSite(
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.packed: [(try stranger.attestationRootCertificate)]]))
        #expect(try await site.registrationError(&authenticator) == .attestationTrust)
    }

    @Test("Packed self attestation is refused when the relying party requires a trusted root")
    func packedSelfIsRefusedWhenTrustIsRequired() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .packedSelf)
        let site = try RoundTripSite(
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.packed: [(try authenticator.attestationRootCertificate)]]))
        #expect(try await site.registrationError(&authenticator) == .attestationTrust)
    }

    @Test("A fido-u2f registration verifies as basic attestation with a zero AAGUID")
    func fidoU2FRegistrationVerifies() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let (_, verified) = try await RoundTripSite().register(&authenticator)
        #expect(verified.algorithm == .es256)
        #expect(verified.format == .fidoU2F)
        #expect(verified.attestationType == .basic)
        #expect(verified.aaguid == .zero)
        #expect(verified.attestationTrusted == false)
        #expect(verified.signCount == 0)
    }

    @Test("fido-u2f attestation is trusted when the authenticator's root is a trust anchor")
    func fidoU2FIsTrustedWithItsRoot() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let site = try RoundTripSite(
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.fidoU2F: [(try authenticator.attestationRootCertificate)]]))
        let (_, verified) = try await site.register(&authenticator)
        #expect(verified.format == .fidoU2F)
        #expect(verified.attestationTrusted == true)
    }

    @Test("fido-u2f attestation to a different root is rejected with attestation_trust")
    func fidoU2FToAnotherRootIsRejected() async throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let stranger = try SoftwareAuthenticator(attestation: .fidoU2F)
        let site = try RoundTripSite(
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.fidoU2F: [(try stranger.attestationRootCertificate)]]))
        #expect(try await site.registrationError(&authenticator) == .attestationTrust)
    }

    @Test("fido-u2f makes only ES256 credentials")
    func fidoU2FRefusesOtherAlgorithms() throws {
        var authenticator = try SoftwareAuthenticator(attestation: .fidoU2F)
        let site = try RoundTripSite(algorithms: [.edDSA, .rs256])
        let (options, _) = site.relyingParty.beginRegistration(user: RoundTripSite.ada)
        #expect(throws: SoftwareAuthenticatorError(.unsupportedAlgorithm, "")) {
            try authenticator.register(options: options, origin: RoundTripSite.origin)
        }
    }

    @Test("The credProps extension reports a non-discoverable credential when resident keys are discouraged")
    func credPropsReportsNonDiscoverable() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite(residentKey: .discouraged)
        let (_, verified) = try await site.register(&authenticator)
        #expect(verified.discoverable == false)
        #expect(authenticator.credentials.first?.discoverable == false)
    }

    // MARK: Sign-in

    @Test("Each sign-in verifies and the counter increases",
          arguments: algorithms, packedAttestations + [.fidoU2F])
    func signInsVerifyWithIncreasingCounter(algorithm: COSEAlgorithmIdentifier, attestation: SoftwareAuthenticator.Attestation) async throws {
        // fido-u2f is ES256 only.
        guard attestation != .fidoU2F || algorithm == .es256 else { return }
        var authenticator = try SoftwareAuthenticator(attestation: attestation)
        let site = try RoundTripSite(algorithms: [algorithm])
        let (_, registration) = try await site.register(&authenticator)
        var stored = StoredCredential(registered: registration)

        let first = try site.signIn(&authenticator, credential: stored)
        #expect(first.credentialID == registration.credentialID)
        #expect(first.userHandle == RoundTripSite.ada.id)
        #expect(first.newSignCount == 1)
        #expect(first.userVerified)
        #expect(first.backupEligible)
        #expect(first.backedUp)
        #expect(first.signCountRegressed == false)
        #expect(first.credentialNeedsUpdate)
        #expect(first.authenticatorAttachment == .platform)
        stored = stored.after(first)

        let second = try site.signIn(&authenticator, credential: stored)
        #expect(second.newSignCount == 2)
        #expect(second.credentialNeedsUpdate)
        #expect(authenticator.credentials.first?.signCount == 2)
    }

    @Test("A discoverable sign-in without allowCredentials returns the user handle")
    func discoverableSignInReturnsUserHandle() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        let (options, ceremony) = site.relyingParty.beginAuthentication()

        let response = try authenticator.authenticate(options: options, origin: RoundTripSite.origin)
        #expect(response.rawId == registration.credentialID)
        #expect(response.response.userHandle == RoundTripSite.ada.id)
        let verified = try site.relyingParty.finishAuthentication(
            response: response, ceremony: ceremony, credential: StoredCredential(registered: registration))
        #expect(verified.userHandle == RoundTripSite.ada.id)
        #expect(verified.newSignCount == 1)
    }

    @Test("A discoverable sign-in uses the credential the person picks")
    func discoverableSignInUsesThePickedCredential() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite()
        _ = try await site.register(&authenticator)
        let (_, grace) = try await site.register(&authenticator, user: RoundTripSite.grace)
        let (options, ceremony) = site.relyingParty.beginAuthentication()

        let response = try authenticator.authenticate(options: options, origin: RoundTripSite.origin, credentialID: grace.credentialID)
        #expect(response.response.userHandle == RoundTripSite.grace.id)
        let verified = try site.relyingParty.finishAuthentication(
            response: response, ceremony: ceremony, credential: StoredCredential(registered: grace))
        #expect(verified.credentialID == grace.credentialID)
    }

    @Test("A non-discoverable credential signs in through allowCredentials without a user handle")
    func nonDiscoverableSignInHasNoUserHandle() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite(residentKey: .discouraged)
        let (_, registration) = try await site.register(&authenticator)
        let (options, ceremony) = site.relyingParty.beginAuthentication(
            allowCredentials: [PublicKeyCredentialDescriptorJSON(id: registration.credentialID)], userHandle: RoundTripSite.ada.id)

        let response = try authenticator.authenticate(options: options, origin: RoundTripSite.origin)
        #expect(response.response.userHandle == nil)
        let verified = try site.relyingParty.finishAuthentication(
            response: response, ceremony: ceremony, credential: StoredCredential(registered: registration))
        #expect(verified.userHandle == RoundTripSite.ada.id)
    }

    @Test("A global counter advances across registration and every sign-in")
    func globalCounterAdvances() async throws {
        var authenticator = try SoftwareAuthenticator(signCounter: .global)
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        #expect(registration.signCount == 1)
        let verified = try site.signIn(&authenticator, credential: StoredCredential(registered: registration))
        #expect(verified.newSignCount == 2)
        #expect(authenticator.globalSignCount == 2)
    }

    @Test("A counter that stays zero is accepted and the credential needs no update")
    func zeroCounterIsAccepted() async throws {
        var authenticator = try SoftwareAuthenticator(signCounter: .alwaysZero)
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        let stored = StoredCredential(registered: registration)
        _ = try site.signIn(&authenticator, credential: stored)
        let verified = try site.signIn(&authenticator, credential: stored)
        #expect(verified.newSignCount == 0)
        #expect(verified.signCountRegressed == false)
        #expect(verified.credentialNeedsUpdate == false)
    }

    @Test("An authenticator without backup eligibility reports neither BE nor BS")
    func noBackupEligibilityIsReported() async throws {
        var authenticator = try SoftwareAuthenticator(backupEligible: false)
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        #expect(registration.backupEligible == false)
        #expect(registration.backedUp == false)
        let verified = try site.signIn(&authenticator, credential: StoredCredential(registered: registration))
        #expect(verified.backupEligible == false)
        #expect(verified.backedUp == false)
    }

    @Test("A credential that became backed up is reported and needs an update")
    func newlyBackedUpCredentialNeedsUpdate() async throws {
        var authenticator = try SoftwareAuthenticator(backedUp: false, signCounter: .alwaysZero)
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        #expect(registration.backedUp == false)
        authenticator.backedUp = true
        let verified = try site.signIn(&authenticator, credential: StoredCredential(registered: registration))
        #expect(verified.backedUp)
        #expect(verified.credentialNeedsUpdate)
    }

    // MARK: Export and import

    @Test("An exported and imported authenticator keeps signing in", arguments: algorithms)
    func importedAuthenticatorKeepsSigningIn(algorithm: COSEAlgorithmIdentifier) async throws {
        var original = try SoftwareAuthenticator(attestation: .packedX5C)
        let site = try RoundTripSite(algorithms: [algorithm])
        let (_, registration) = try await site.register(&original)
        let first = try site.signIn(&original, credential: StoredCredential(registered: registration))

        var imported = try SoftwareAuthenticator(json: original.exportJSON())
        let verified = try site.signIn(&imported, credential: StoredCredential(registered: registration).after(first))
        #expect(verified.newSignCount == 2)
        #expect(verified.credentialID == registration.credentialID)
    }

    @Test("An imported authenticator keeps its attestation root")
    func importedAuthenticatorKeepsItsRoot() async throws {
        let original = try SoftwareAuthenticator(attestation: .packedX5C)
        var imported = try SoftwareAuthenticator(json: original.exportJSON())
        #expect(try imported.attestationRootCertificate == original.attestationRootCertificate)
        let site = try RoundTripSite(
            attestationPolicy: AttestationPolicy(requirement: .trustedRoot, roots: [.packed: [(try original.attestationRootCertificate)]]))
        let (_, verified) = try await site.register(&imported)
        #expect(verified.attestationTrusted)
    }

    // MARK: Misbehaviour at registration

    @Test("A registration from the wrong origin is rejected with origin_mismatch")
    func registrationWrongOrigin() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .wrongOrigin) == .originMismatch)
    }

    @Test("A registration for another RP ID is rejected with rp_id_mismatch")
    func registrationWrongRPID() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .wrongRelyingPartyID) == .rpIDMismatch)
    }

    @Test("A registration without user presence is rejected with user_presence_required")
    func registrationNoUserPresence() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .noUserPresence) == .userPresenceRequired)
    }

    @Test("A registration without user verification is rejected with user_verification_required when the RP requires it")
    func registrationNoUserVerification() async throws {
        let site = try RoundTripSite(userVerification: .required)
        #expect(try await site.registrationError(misbehaving: .noUserVerification) == .userVerificationRequired)
    }

    @Test("A registration without user verification is accepted when the RP only prefers it")
    func registrationNoUserVerificationPreferred() async throws {
        #expect(try await RoundTripSite(userVerification: .preferred).registrationError(misbehaving: .noUserVerification) == nil)
    }

    @Test("A registration with a corrupted packed signature is rejected with bad_signature",
          arguments: [SoftwareAuthenticator.Attestation.packedSelf, .packedX5C, .fidoU2F])
    func registrationCorruptedSignature(attestation: SoftwareAuthenticator.Attestation) async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .corruptedSignature, attestation: attestation) == .badSignature)
    }

    @Test("A registration with the wrong challenge is rejected with challenge_mismatch")
    func registrationWrongChallenge() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .wrongChallenge) == .challengeMismatch)
    }

    @Test("A registration with the sign-in client data type is rejected with type_mismatch")
    func registrationWrongType() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .wrongType) == .typeMismatch)
    }

    @Test("A registration from a cross-origin iframe is rejected with cross_origin_not_allowed")
    func registrationCrossOrigin() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .crossOrigin) == .crossOriginNotAllowed)
    }

    @Test("A registration with BS but not BE is rejected with backup_state_invalid")
    func registrationBackedUpWithoutEligible() async throws {
        #expect(try await RoundTripSite().registrationError(misbehaving: .backedUpWithoutBackupEligible) == .backupStateInvalid)
    }

    @Test("A registration whose AAGUID differs from its attestation certificate's is rejected with attestation_aaguid_mismatch")
    func registrationWrongAAGUID() async throws {
        let code = try await RoundTripSite().registrationError(misbehaving: .wrongAAGUID, attestation: .packedX5C)
        #expect(code == .attestationAAGUIDMismatch)
    }

    @Test("A replayed registration is returned verbatim and rejected with challenge_mismatch")
    func registrationReplay() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite()
        let (original, _) = try await site.register(&authenticator)
        authenticator.misbehaviour = .replay
        let (options, ceremony) = site.relyingParty.beginRegistration(user: RoundTripSite.ada)
        let replayed = try authenticator.register(options: options, origin: RoundTripSite.origin)
        #expect(replayed == original)
        await #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try await site.relyingParty.finishRegistration(response: replayed, ceremony: ceremony)
        }
    }

    // MARK: Misbehaviour at sign-in

    @Test("A sign-in from the wrong origin is rejected with origin_mismatch")
    func signInWrongOrigin() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .wrongOrigin) == .originMismatch)
    }

    @Test("A sign-in for another RP ID is rejected with rp_id_mismatch")
    func signInWrongRPID() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .wrongRelyingPartyID) == .rpIDMismatch)
    }

    @Test("A sign-in without user presence is rejected with user_presence_required")
    func signInNoUserPresence() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .noUserPresence) == .userPresenceRequired)
    }

    @Test("A sign-in without user verification is rejected with user_verification_required when the RP requires it")
    func signInNoUserVerification() async throws {
        let site = try RoundTripSite(userVerification: .required)
        #expect(try await site.signInError(misbehaving: .noUserVerification) == .userVerificationRequired)
    }

    @Test("A sign-in with a corrupted signature is rejected with bad_signature", arguments: algorithms)
    func signInCorruptedSignature(algorithm: COSEAlgorithmIdentifier) async throws {
        let site = try RoundTripSite(algorithms: [algorithm])
        #expect(try await site.signInError(misbehaving: .corruptedSignature) == .badSignature)
    }

    @Test("A sign-in whose counter goes backwards is rejected with sign_count")
    func signInCounterGoingBackwards() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .counterGoingBackwards, honestSignInsFirst: 1) == .signCount)
    }

    @Test("A sign-in whose counter goes backwards on a global counter is rejected with sign_count")
    func signInGlobalCounterGoingBackwards() async throws {
        let code = try await RoundTripSite().signInError(
            misbehaving: .counterGoingBackwards, honestSignInsFirst: 1, authenticator: SoftwareAuthenticator(signCounter: .global))
        #expect(code == .signCount)
    }

    @Test("A sign-in with the wrong challenge is rejected with challenge_mismatch")
    func signInWrongChallenge() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .wrongChallenge) == .challengeMismatch)
    }

    @Test("A sign-in with the registration client data type is rejected with type_mismatch")
    func signInWrongType() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .wrongType) == .typeMismatch)
    }

    @Test("A sign-in from a cross-origin iframe is rejected with cross_origin_not_allowed")
    func signInCrossOrigin() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .crossOrigin) == .crossOriginNotAllowed)
    }

    @Test("A sign-in with BS but not BE is rejected with backup_state_invalid")
    func signInBackedUpWithoutEligible() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .backedUpWithoutBackupEligible) == .backupStateInvalid)
    }

    @Test("A sign-in whose BE flag changed since registration is rejected with backup_state_invalid")
    func signInBackupEligibilityFlipped() async throws {
        #expect(try await RoundTripSite().signInError(misbehaving: .backupEligibilityFlipped) == .backupStateInvalid)
    }

    @Test("A replayed sign-in is returned verbatim and rejected with challenge_mismatch")
    func signInReplay() async throws {
        var authenticator = try SoftwareAuthenticator()
        let site = try RoundTripSite()
        let (_, registration) = try await site.register(&authenticator)
        let stored = StoredCredential(registered: registration)
        let (firstOptions, firstCeremony) = site.relyingParty.beginAuthentication()
        let original = try authenticator.authenticate(options: firstOptions, origin: RoundTripSite.origin)
        let verified = try site.relyingParty.finishAuthentication(response: original, ceremony: firstCeremony, credential: stored)

        authenticator.misbehaviour = .replay
        let (options, ceremony) = site.relyingParty.beginAuthentication()
        let replayed = try authenticator.authenticate(options: options, origin: RoundTripSite.origin)
        #expect(replayed == original)
        #expect(throws: WebAuthnError(.challengeMismatch, "")) {
            try site.relyingParty.finishAuthentication(response: replayed, ceremony: ceremony, credential: stored.after(verified))
        }
    }
}

/// A relying party at https://example.com and the two ceremonies run against a software authenticator.
private struct RoundTripSite {
    static let origin = "https://example.com"
    static let ada = PublicKeyCredentialUserEntityJSON(
        id: UserHandle(uncheckedBytes: Array("user-ada".utf8)), name: "ada", displayName: "Ada Lovelace")
    static let grace = PublicKeyCredentialUserEntityJSON(
        id: UserHandle(uncheckedBytes: Array("user-grace".utf8)), name: "grace", displayName: "Grace Hopper")

    let relyingParty: RelyingParty

    init(
        algorithms: [COSEAlgorithmIdentifier] = COSEAlgorithmIdentifier.recommended,
        userVerification: UserVerificationRequirement = .preferred,
        residentKey: ResidentKeyRequirement = .required,
        attestationPolicy: AttestationPolicy = AttestationPolicy()
    ) throws {
        relyingParty = RelyingParty(configuration: try RelyingParty.Configuration(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: [Self.origin],
            algorithms: algorithms, userVerification: userVerification, residentKey: residentKey,
            attestation: .direct, attestationPolicy: attestationPolicy))
    }

    /// Registers `user` and returns the response and the relying party's verification of it.
    func register(
        _ authenticator: inout SoftwareAuthenticator, user: PublicKeyCredentialUserEntityJSON = RoundTripSite.ada
    ) async throws -> (RegistrationResponseJSON, VerifiedRegistration) {
        let (options, ceremony) = relyingParty.beginRegistration(user: user)
        let response = try authenticator.register(options: options, origin: Self.origin)
        return (response, try await relyingParty.finishRegistration(response: response, ceremony: ceremony))
    }

    /// Signs in with the stored credential named in allowCredentials.
    func signIn(_ authenticator: inout SoftwareAuthenticator, credential: StoredCredential) throws -> VerifiedAuthentication {
        let (options, ceremony) = relyingParty.beginAuthentication(
            allowCredentials: [PublicKeyCredentialDescriptorJSON(id: credential.id)], userHandle: credential.userHandle)
        let response = try authenticator.authenticate(options: options, origin: Self.origin)
        return try relyingParty.finishAuthentication(response: response, ceremony: ceremony, credential: credential)
    }

    /// The relying party's error code for a registration, or `nil` when it verified.
    func registrationError(_ authenticator: inout SoftwareAuthenticator) async throws -> WebAuthnError.Code? {
        do {
            _ = try await register(&authenticator)
            return nil
        } catch let error as WebAuthnError {
            return error.code
        }
    }

    /// The relying party's error code for a registration by an authenticator with one misbehaviour.
    func registrationError(
        misbehaving misbehaviour: SoftwareAuthenticator.Misbehaviour, attestation: SoftwareAuthenticator.Attestation = .packedSelf
    ) async throws -> WebAuthnError.Code? {
        var authenticator = try SoftwareAuthenticator(attestation: attestation)
        authenticator.misbehaviour = misbehaviour
        return try await registrationError(&authenticator)
    }

    /// The relying party's error code for a sign-in by an authenticator with one misbehaviour,
    /// after an honest registration and `honestSignInsFirst` honest sign-ins.
    func signInError(
        misbehaving misbehaviour: SoftwareAuthenticator.Misbehaviour, honestSignInsFirst: Int = 0,
        authenticator: SoftwareAuthenticator? = nil
    ) async throws -> WebAuthnError.Code? {
        var authenticator = try authenticator ?? SoftwareAuthenticator()
        let (_, registration) = try await register(&authenticator)
        var stored = StoredCredential(registered: registration)
        for _ in 0..<honestSignInsFirst {
            stored = stored.after(try signIn(&authenticator, credential: stored))
        }
        authenticator.misbehaviour = misbehaviour
        do {
            _ = try signIn(&authenticator, credential: stored)
            return nil
        } catch let error as WebAuthnError {
            return error.code
        }
    }
}

extension StoredCredential {
    /// The credential as a relying party stores it after this registration.
    fileprivate init(registered registration: VerifiedRegistration) {
        self.init(
            id: registration.credentialID, userHandle: registration.userHandle,
            publicKey: registration.publicKey.rawRepresentation, signCount: registration.signCount,
            backupEligible: registration.backupEligible, backedUp: registration.backedUp)
    }

    /// The credential saved again after a sign-in (§7.2 step 24).
    fileprivate func after(_ authentication: VerifiedAuthentication) -> StoredCredential {
        StoredCredential(
            id: id, userHandle: userHandle, publicKey: publicKey, signCount: authentication.newSignCount,
            backupEligible: backupEligible, backedUp: authentication.backedUp)
    }
}
