import Crypto
import PasskeyCBOR
import WebAuthn

extension SoftwareAuthenticator {
    /// Creates a credential as `navigator.credentials.create()` would, and returns what
    /// `PublicKeyCredential.toJSON()` gives.
    ///
    /// - Parameters:
    ///   - options: the creation options from the relying party.
    ///   - origin: the origin of the page asking, e.g. `https://example.com`.
    ///   - algorithm: the algorithm to use instead of the first offered one it supports; it must
    ///     be offered and in ``algorithms``.
    /// - Throws: ``SoftwareAuthenticatorError`` with ``SoftwareAuthenticatorError/Code/excludedCredentialExists``
    ///   when it holds a credential in `excludeCredentials`, ``SoftwareAuthenticatorError/Code/unsupportedAlgorithm``
    ///   when no offered algorithm fits, ``SoftwareAuthenticatorError/Code/unsupportedOption`` when
    ///   user verification or a discoverable credential is required and it is configured without,
    ///   ``SoftwareAuthenticatorError/Code/invalidOptions`` when the RP ID does not fit the origin.
    public mutating func register(
        options: PublicKeyCredentialCreationOptionsJSON, origin: String, algorithm preferred: COSEAlgorithmIdentifier? = nil
    ) throws(SoftwareAuthenticatorError) -> RegistrationResponseJSON {
        if misbehaviour == .replay {
            guard let lastRegistration else {
                throw SoftwareAuthenticatorError(.nothingToReplay, "there is no earlier registration response to replay")
            }
            return lastRegistration
        }
        let rpID = try ClientDataBuilder.relyingPartyID(options.rp.id, origin: origin)

        // CTAP2 authenticatorMakeCredential step 3: a credential in the exclude list that this
        // authenticator holds for the RP stops the ceremony (the browser's InvalidStateError).
        for excluded in options.excludeCredentials where credentials.contains(where: { $0.id == excluded.id && $0.rpID == rpID }) {
            throw SoftwareAuthenticatorError(.excludedCredentialExists, "credential \(excluded.id) is already registered on this authenticator")
        }
        if options.authenticatorSelection?.userVerification == .required, !userVerification {
            throw SoftwareAuthenticatorError(.unsupportedOption, "user verification is required but this authenticator does not verify users")
        }
        // §5.4.4: without residentKey, requireResidentKey decides; absent both, discouraged.
        let residentKey = options.authenticatorSelection?.residentKey
            ?? (options.authenticatorSelection?.requireResidentKey == true ? .required : .discouraged)
        if residentKey == .required, !residentKeys {
            throw SoftwareAuthenticatorError(.unsupportedOption, "a discoverable credential is required but this authenticator cannot store one")
        }
        let discoverable = residentKeys && (residentKey == .required || residentKey == .preferred)

        let algorithm = try chooseAlgorithm(options.pubKeyCredParams, preferred: preferred)
        let key = try CredentialPrivateKey.generate(algorithm)
        let credentialID = CredentialID(uncheckedBytes: randomBytes(Int.random(in: 16...32)))

        var nextGlobalCount = globalSignCount
        let signCount: UInt32
        switch signCounter {
        case .global:
            nextGlobalCount = globalSignCount.incremented
            signCount = nextGlobalCount
        case .perCredential, .alwaysZero:
            signCount = 0
        }

        let clientDataJSON = collectClientData(type: .create, challenge: options.challenge, origin: origin)
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))

        var flags: AuthenticatorData.Flags = [.userPresent, .attestedCredentialData]
        if userVerification { flags.insert(.userVerified) }
        if backupEligible {
            flags.insert(.backupEligible)
            if backedUp { flags.insert(.backedUp) }
        }
        flags = faultyFlags(flags)
        // §8.6: a browser registering a U2F device fills in a zero AAGUID.
        var attestedAAGUID = attestation == .fidoU2F ? AAGUID.zero : aaguid
        if misbehaviour == .wrongAAGUID { attestedAAGUID = AAGUID(bytes: randomBytes(16)) ?? .zero }
        let rpIDHash = relyingPartyIDHash(rpID)
        let authenticatorData = Self.authenticatorData(
            rpIDHash: rpIDHash, flags: flags, signCount: signCount,
            attested: (attestedAAGUID, credentialID, key.coseKey))

        let statement = try attestationStatement(
            key: key, authenticatorData: authenticatorData, rpIDHash: rpIDHash, clientDataHash: clientDataHash,
            credentialID: credentialID)
        // §6.5.4 the attestation object.
        let attestationObject = CBOREncoder.encode(.map([
            "fmt": .text(statement.format.rawValue),
            "attStmt": .map(statement.map),
            "authData": .bytes(authenticatorData),
        ]))

        let response = RegistrationResponseJSON(
            rawId: credentialID,
            response: AuthenticatorAttestationResponseJSON(
                clientDataJSON: Base64URLData(clientDataJSON),
                attestationObject: Base64URLData(attestationObject),
                authenticatorData: Base64URLData(authenticatorData),
                publicKeyAlgorithm: algorithm,
                publicKey: Base64URLData(key.subjectPublicKeyInfo),
                transports: transports),
            authenticatorAttachment: attachment,
            clientExtensionResults: options.extensions?.credProps == true
                ? AuthenticationExtensionsClientOutputsJSON(credProps: .init(rk: discoverable)) : .init())

        // CTAP2: a new discoverable credential replaces one for the same RP ID and user handle.
        if discoverable {
            credentials.removeAll { $0.discoverable && $0.rpID == rpID && $0.userHandle == options.user.id }
        }
        credentials.append(SoftwareCredential(
            id: credentialID, rpID: rpID, userHandle: options.user.id, userName: options.user.name,
            displayName: options.user.displayName, discoverable: discoverable, backupEligible: backupEligible,
            signCount: signCount, privateKey: key))
        globalSignCount = nextGlobalCount
        lastRegistration = response
        return response
    }

    /// The first offered `public-key` algorithm this authenticator makes, or the preferred one.
    private func chooseAlgorithm(
        _ parameters: [PublicKeyCredentialParameters], preferred: COSEAlgorithmIdentifier?
    ) throws(SoftwareAuthenticatorError) -> COSEAlgorithmIdentifier {
        // §5.1.3 step 10: an empty list means ES256 and RS256.
        let offered = parameters.isEmpty
            ? [.es256, .rs256] : parameters.filter { $0.type == "public-key" }.map(\.alg)
        let usable = algorithms.filter {
            Self.supportedAlgorithms.contains($0) && (attestation != .fidoU2F || $0 == .es256)
        }
        if let preferred {
            guard offered.contains(preferred), usable.contains(preferred) else {
                throw SoftwareAuthenticatorError(.unsupportedAlgorithm, "\(preferred) was not offered or this authenticator does not make it")
            }
            return preferred
        }
        guard let algorithm = offered.first(where: usable.contains) else {
            let names = offered.map(\.name).joined(separator: ", ")
            throw SoftwareAuthenticatorError(.unsupportedAlgorithm, "none of the offered algorithms (\(names)) is one this authenticator makes")
        }
        return algorithm
    }

    /// The attestation statement of the configured format (§8.2, §8.6, §8.7).
    private func attestationStatement(
        key: CredentialPrivateKey, authenticatorData: [UInt8], rpIDHash: [UInt8], clientDataHash: [UInt8],
        credentialID: CredentialID
    ) throws(SoftwareAuthenticatorError) -> (format: AttestationFormat, map: CBORMap) {
        switch attestation {
        case .none:
            return (.none, [:])
        case .packedSelf:
            let signature = try key.sign(authenticatorData + clientDataHash)
            return (.packed, ["alg": CBOR(key.algorithm.rawValue), "sig": .bytes(faultySignature(signature))])
        case .packedX5C:
            let ca = try attestationCA
            let signature = try ca.sign(authenticatorData + clientDataHash)
            return (.packed, [
                "alg": CBOR(COSEAlgorithmIdentifier.es256.rawValue),
                "sig": .bytes(faultySignature(signature)),
                "x5c": [.bytes(ca.certificateDER)],
            ])
        case .fidoU2F:
            guard let point = key.p256UncompressedPoint else {
                throw SoftwareAuthenticatorError(.unsupportedAlgorithm, "fido-u2f attestation needs an ES256 credential")
            }
            // §8.6 step 5: 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F.
            let ca = try attestationCA
            let signature = try ca.sign([0x00] + rpIDHash + clientDataHash + credentialID.bytes + point)
            return (.fidoU2F, ["sig": .bytes(faultySignature(signature)), "x5c": [.bytes(ca.certificateDER)]])
        }
    }

    /// §6.1 authenticator data: rpIdHash ‖ flags ‖ signCount ‖ [attested credential data].
    static func authenticatorData(
        rpIDHash: [UInt8], flags: AuthenticatorData.Flags, signCount: UInt32,
        attested: (aaguid: AAGUID, credentialID: CredentialID, publicKey: [UInt8])?
    ) -> [UInt8] {
        var out = rpIDHash
        out.append(flags.rawValue)
        out += [UInt8(truncatingIfNeeded: signCount >> 24), UInt8(truncatingIfNeeded: signCount >> 16),
                UInt8(truncatingIfNeeded: signCount >> 8), UInt8(truncatingIfNeeded: signCount)]
        if let attested {
            // §6.5.1 attested credential data: aaguid ‖ L (2 bytes) ‖ credentialId ‖ credentialPublicKey.
            let id = attested.credentialID.bytes
            out += attested.aaguid.bytes
            out += [UInt8(truncatingIfNeeded: id.count >> 8), UInt8(truncatingIfNeeded: id.count)]
            out += id
            out += attested.publicKey
        }
        return out
    }
}
