import Crypto
import PasskeyCBOR
import WebAuthn

/// §6.1 authenticator data, valid by default, with one field changed per test
/// (in the spirit of webauthn-swift's `TestAuthDataBuilder`).
///
/// The AT and ED flags follow whether attested credential data and extensions are present,
/// unless ``rawFlags`` sets the whole flags byte.
struct TestAuthenticatorData {
    enum Flag {
        static let userPresent: UInt8 = 1 << 0
        static let userVerified: UInt8 = 1 << 2
        static let backupEligible: UInt8 = 1 << 3
        static let backedUp: UInt8 = 1 << 4
        static let attestedCredentialData: UInt8 = 1 << 6
        static let extensionData: UInt8 = 1 << 7
    }

    var rpIDHash: [UInt8] = TestAuthenticatorData.hash(rpID: TestRelyingParty.rpID)
    var userPresent = true
    var userVerified = true
    var backupEligible = false
    var backedUp = false
    /// The whole flags byte, overriding the five switches above and AT/ED.
    var rawFlags: UInt8?
    var signCount: UInt32 = 0
    var attestedCredentialData: TestAttestedCredentialData?
    /// Authenticator extension outputs, as CBOR bytes.
    var extensions: [UInt8]?
    /// Bytes appended after everything else.
    var trailingBytes: [UInt8] = []
    /// Cut the result to this many bytes.
    var truncatedLength: Int?

    /// Authenticator data of a `create()`: with attested credential data.
    static func registration(aaguid: [UInt8], credentialID: [UInt8], publicKey: [UInt8]) -> TestAuthenticatorData {
        var data = TestAuthenticatorData()
        data.attestedCredentialData = TestAttestedCredentialData(aaguid: aaguid, credentialID: credentialID, publicKey: publicKey)
        return data
    }

    /// Authenticator data of a `get()`.
    static func authentication(signCount: UInt32 = 1) -> TestAuthenticatorData {
        var data = TestAuthenticatorData()
        data.signCount = signCount
        return data
    }

    static func hash(rpID: String) -> [UInt8] { Array(SHA256.hash(data: Array(rpID.utf8))) }

    // MARK: One change

    func rpID(_ rpID: String) -> Self { with { $0.rpIDHash = Self.hash(rpID: rpID) } }
    func rpIDHash(_ hash: [UInt8]) -> Self { with { $0.rpIDHash = hash } }
    func flags(_ byte: UInt8) -> Self { with { $0.rawFlags = byte } }
    func userPresent(_ value: Bool) -> Self { with { $0.userPresent = value } }
    func userVerified(_ value: Bool) -> Self { with { $0.userVerified = value } }
    func backupEligible(_ value: Bool) -> Self { with { $0.backupEligible = value } }
    func backedUp(_ value: Bool) -> Self { with { $0.backedUp = value } }
    func signCount(_ value: UInt32) -> Self { with { $0.signCount = value } }
    func attestedCredentialData(_ value: TestAttestedCredentialData?) -> Self { with { $0.attestedCredentialData = value } }
    func extensions(_ cbor: [UInt8]?) -> Self { with { $0.extensions = cbor } }
    func trailingBytes(_ bytes: [UInt8]) -> Self { with { $0.trailingBytes = bytes } }
    func truncated(to length: Int) -> Self { with { $0.truncatedLength = length } }

    private func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    // MARK: Bytes

    var flagsByte: UInt8 {
        if let rawFlags { return rawFlags }
        var byte: UInt8 = 0
        if userPresent { byte |= Flag.userPresent }
        if userVerified { byte |= Flag.userVerified }
        if backupEligible { byte |= Flag.backupEligible }
        if backedUp { byte |= Flag.backedUp }
        if attestedCredentialData != nil { byte |= Flag.attestedCredentialData }
        if extensions != nil { byte |= Flag.extensionData }
        return byte
    }

    var bytes: [UInt8] {
        var out = rpIDHash
        out.append(flagsByte)
        out += [UInt8(signCount >> 24), UInt8(truncatingIfNeeded: signCount >> 16),
                UInt8(truncatingIfNeeded: signCount >> 8), UInt8(truncatingIfNeeded: signCount)]
        if let attestedCredentialData { out += attestedCredentialData.bytes }
        if let extensions { out += extensions }
        out += trailingBytes
        if let truncatedLength { out = Array(out.prefix(truncatedLength)) }
        return out
    }
}

/// §6.5.1 attested credential data: AAGUID, credential ID length and ID, COSE_Key.
struct TestAttestedCredentialData {
    var aaguid: [UInt8]
    var credentialID: [UInt8]
    var publicKey: [UInt8]
    /// The length field, when a test wants it to disagree with the ID.
    var credentialIDLength: Int?

    var bytes: [UInt8] {
        let length = credentialIDLength ?? credentialID.count
        return aaguid + [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)] + credentialID + publicKey
    }
}
