import WebAuthn

/// A credential held by a ``SoftwareAuthenticator``: its key, the relying party it is for, and
/// for a discoverable credential the account it names.
public struct SoftwareCredential: Sendable {
    public let id: CredentialID
    /// The RP ID the credential is scoped to.
    public let rpID: String
    /// The account's user handle, from `user.id` in the creation options.
    public let userHandle: UserHandle
    /// `user.name` from the creation options (the account's username).
    public let userName: String
    /// `user.displayName` from the creation options.
    public let displayName: String
    /// Discoverable ("resident key"): offered when the relying party names no credentials, and
    /// returns its user handle.
    public let discoverable: Bool
    /// The BE flag, fixed when the credential was made (§6.1.3).
    public let backupEligible: Bool
    /// The counter this credential last signed with, when the authenticator counts per credential.
    public internal(set) var signCount: UInt32
    let privateKey: CredentialPrivateKey

    /// The signing algorithm (COSE).
    public var algorithm: COSEAlgorithmIdentifier { privateKey.algorithm }

    /// The public key as COSE_Key bytes, as the relying party stores it after registration.
    public var publicKey: [UInt8] { privateKey.coseKey }

    init(
        id: CredentialID, rpID: String, userHandle: UserHandle, userName: String, displayName: String,
        discoverable: Bool, backupEligible: Bool, signCount: UInt32, privateKey: CredentialPrivateKey
    ) {
        self.id = id
        self.rpID = rpID
        self.userHandle = userHandle
        self.userName = userName
        self.displayName = displayName
        self.discoverable = discoverable
        self.backupEligible = backupEligible
        self.signCount = signCount
        self.privateKey = privateKey
    }
}

extension SoftwareCredential: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, rpID, userHandle, userName, displayName, discoverable, backupEligible, signCount, algorithm, privateKey
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(CredentialID.self, forKey: .id)
        rpID = try c.decode(String.self, forKey: .rpID)
        userHandle = try c.decode(UserHandle.self, forKey: .userHandle)
        userName = try c.decode(String.self, forKey: .userName)
        displayName = try c.decode(String.self, forKey: .displayName)
        discoverable = try c.decode(Bool.self, forKey: .discoverable)
        backupEligible = try c.decode(Bool.self, forKey: .backupEligible)
        signCount = try c.decode(UInt32.self, forKey: .signCount)
        let algorithm = try c.decode(COSEAlgorithmIdentifier.self, forKey: .algorithm)
        let keyBytes = try c.decode(Base64URLData.self, forKey: .privateKey)
        do {
            privateKey = try CredentialPrivateKey(algorithm: algorithm, bytes: keyBytes.bytes)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .privateKey, in: c, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(rpID, forKey: .rpID)
        try c.encode(userHandle, forKey: .userHandle)
        try c.encode(userName, forKey: .userName)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(discoverable, forKey: .discoverable)
        try c.encode(backupEligible, forKey: .backupEligible)
        try c.encode(signCount, forKey: .signCount)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(Base64URLData(privateKey.bytes), forKey: .privateKey)
    }
}
