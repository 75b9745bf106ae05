import PasskeyCBOR

/// §6.1 authenticator data: the RP ID hash, flags, signature counter, and optionally the attested
/// credential data and extension outputs.
public struct AuthenticatorData: Sendable, Hashable {
    /// §6.1 the flags byte.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// UP: the user was present.
        public static let userPresent = Flags(rawValue: 1 << 0)
        /// UV: the user was verified (biometric, PIN).
        public static let userVerified = Flags(rawValue: 1 << 2)
        /// BE: the credential may be backed up (a synced passkey).
        public static let backupEligible = Flags(rawValue: 1 << 3)
        /// BS: the credential is backed up now.
        public static let backedUp = Flags(rawValue: 1 << 4)
        /// AT: attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 1 << 6)
        /// ED: extension outputs follow.
        public static let extensionData = Flags(rawValue: 1 << 7)
    }

    /// The bytes as received; signatures are over these.
    public let rawRepresentation: [UInt8]
    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredentialData: AttestedCredentialData?
    public let extensions: CBORMap?

    /// Parses authenticator data, or throws `malformed`.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else {
            throw WebAuthnError(.malformed, "authenticator data is \(bytes.count) bytes; at least 37 are needed")
        }
        rawRepresentation = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = UInt32(bytes[33]) << 24 | UInt32(bytes[34]) << 16 | UInt32(bytes[35]) << 8 | UInt32(bytes[36])

        var offset = 37
        if flags.contains(.attestedCredentialData) {
            guard bytes.count >= offset + 18 else {
                throw WebAuthnError(.malformed, "attested credential data is truncated")
            }
            let aaguid = AAGUID(uncheckedBytes: Array(bytes[offset..<offset + 16]))
            let idLength = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard bytes.count >= offset + idLength else {
                throw WebAuthnError(.malformed, "credential ID is truncated")
            }
            let credentialID = CredentialID(uncheckedBytes: Array(bytes[offset..<offset + idLength]))
            offset += idLength
            let key: CBOR
            let end: Int
            do {
                (key, end) = try CBORDecoder().decodePrefix(bytes, from: offset)
            } catch {
                throw WebAuthnError(.malformed, "credential public key: \(error.message)")
            }
            guard let keyMap = key.mapValue else {
                throw WebAuthnError(.malformed, "credential public key is not a CBOR map")
            }
            let publicKeyBytes = Array(bytes[offset..<end])
            offset = end
            attestedCredentialData = AttestedCredentialData(
                aaguid: aaguid, credentialID: credentialID, publicKeyMap: keyMap, publicKeyBytes: publicKeyBytes)
        } else {
            attestedCredentialData = nil
        }

        if flags.contains(.extensionData) {
            let value: CBOR
            do {
                let end: Int
                (value, end) = try CBORDecoder().decodePrefix(bytes, from: offset)
                offset = end
            } catch {
                throw WebAuthnError(.malformed, "authenticator extensions: \(error.message)")
            }
            guard let map = value.mapValue else {
                throw WebAuthnError(.malformed, "authenticator extensions are not a CBOR map")
            }
            // §6.1, §9: the extension outputs are keyed by extension identifier, a text string.
            guard map.entries.allSatisfy({ $0.key.textValue != nil }) else {
                throw WebAuthnError(.malformed, "authenticator extensions have a key that is not an extension identifier (a text string)")
            }
            extensions = map
        } else {
            extensions = nil
        }

        guard offset == bytes.count else {
            throw WebAuthnError(.malformed, "authenticator data has \(bytes.count - offset) bytes left over")
        }
    }
}

/// §6.5.1 attested credential data: the new credential's AAGUID, ID and public key.
public struct AttestedCredentialData: Sendable, Hashable {
    public let aaguid: AAGUID
    /// The credential ID as the authenticator reported it; its length is checked in §7.1 step 25.
    public let credentialID: CredentialID
    /// The COSE_Key bytes exactly as they appear in the authenticator data.
    public let publicKeyBytes: [UInt8]
    let publicKeyMap: CBORMap

    init(aaguid: AAGUID, credentialID: CredentialID, publicKeyMap: CBORMap, publicKeyBytes: [UInt8]) {
        self.aaguid = aaguid
        self.credentialID = credentialID
        self.publicKeyMap = publicKeyMap
        self.publicKeyBytes = publicKeyBytes
    }

    /// Parses the new credential's public key; throws `unsupported_algorithm` for keys this
    /// library cannot verify and `malformed` for a key with parameters beyond its key type's
    /// (§5.8.5), a private key among them.
    ///
    /// The parameter check is made here, where a credential is created, and not when a stored
    /// key is read back for a sign-in: a key stored before the check keeps working.
    public func publicKey() throws(WebAuthnError) -> COSEPublicKey {
        let key = try COSEPublicKey(map: publicKeyMap, rawRepresentation: publicKeyBytes)
        try COSEPublicKey.checkCredentialKeyParameters(publicKeyMap)
        return key
    }
}
