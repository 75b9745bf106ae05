/// A make and model of authenticator, or the passkey provider behind a synced passkey.
public struct AuthenticatorModel: Sendable, Hashable {
    /// What kind of thing holds the passkey.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A password manager or platform account that syncs passkeys between devices.
        case passkeyProvider = "passkey-provider"
        /// An authenticator built into one device (Windows Hello, a TPM).
        case platform
        /// A removable security key.
        case securityKey = "security-key"
    }

    public let name: String
    public let kind: Kind
    /// A `data:` URL of an icon, when metadata gives one.
    public let icon: String?

    public init(name: String, kind: Kind, icon: String? = nil) {
        self.name = name
        self.kind = kind
        self.icon = icon
    }
}

/// Names an authenticator from its AAGUID: first from FIDO metadata, when loaded, then from a
/// bundled table of well-known passkey providers and security keys.
public struct AuthenticatorDirectory: Sendable {
    public let metadata: AuthenticatorMetadata

    public init(metadata: AuthenticatorMetadata = AuthenticatorMetadata()) {
        self.metadata = metadata
    }

    /// The model for an AAGUID, or `nil` for the zero AAGUID and unknown ones.
    public func model(for aaguid: AAGUID) -> AuthenticatorModel? {
        guard aaguid != .zero else { return nil }
        if let entry = metadata.entry(for: aaguid), let name = entry.description {
            let bundled = Self.bundled[aaguid]
            return AuthenticatorModel(name: name, kind: bundled?.kind ?? .securityKey, icon: entry.icon ?? bundled?.icon)
        }
        return Self.bundled[aaguid]
    }

    /// Well-known AAGUIDs, as their vendors publish them.
    public static let bundled: [AAGUID: AuthenticatorModel] = {
        let table: [(String, String, AuthenticatorModel.Kind)] = [
            ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "iCloud Keychain", .passkeyProvider),
            ("dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "iCloud Keychain (Managed)", .passkeyProvider),
            ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager", .passkeyProvider),
            ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac", .platform),
            ("b5397666-4885-aa6b-cebf-e52262a439a2", "Chromium Browser", .platform),
            ("771b48fd-d3d4-4f74-9232-fc157ab0507a", "Edge on Mac", .platform),
            ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello", .platform),
            ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello", .platform),
            ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello", .platform),
            ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password", .passkeyProvider),
            ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden", .passkeyProvider),
            ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane", .passkeyProvider),
            ("b84e4048-15dc-4dd0-8640-f4f60813c8af", "NordPass", .passkeyProvider),
            ("0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6", "Keeper", .passkeyProvider),
            ("f3809540-7f14-49c1-a8b3-8f813b225541", "Enpass", .passkeyProvider),
            ("fdb141b2-5d84-443e-8a35-4698c205a502", "KeePassXC", .passkeyProvider),
            ("50726f74-6f6e-5061-7373-50726f746f6e", "Proton Pass", .passkeyProvider),
            ("53414d53-554e-4700-0000-000000000000", "Samsung Pass", .passkeyProvider),
            ("b78a0a55-6ef8-d246-a042-ba0f6d55050c", "LastPass", .passkeyProvider),
            ("b35a26b2-8f6e-4697-ab1d-d44db4da28c6", "Zoho Vault", .passkeyProvider),
            ("ee882879-721c-4913-9775-3dfcce97072a", "YubiKey 5 Series", .securityKey),
            ("fa2b99dc-9e39-4257-8f92-4a30d23c4118", "YubiKey 5 Series with NFC", .securityKey),
            ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5 Series", .securityKey),
            ("c5ef55ff-ad9a-4b9f-b580-adebafe026d0", "YubiKey 5Ci", .securityKey),
            ("d8522d9f-575b-4866-88a9-ba99fa02f35b", "YubiKey Bio Series", .securityKey),
            ("149a2021-8ef6-4133-96b8-81f8d5b7f1f5", "Security Key by Yubico with NFC", .securityKey),
            ("6d44ba9b-f6ec-2e49-b930-0c8fe920cb73", "Security Key by Yubico with NFC", .securityKey),
            ("a4e9fc6d-4cbe-4758-b8ba-37598bb5bbaa", "Security Key NFC by Yubico", .securityKey),
            ("42b4fb4a-2866-43b2-9bf7-6c6669c2e5d3", "Google Titan Security Key", .securityKey),
            ("8876631b-d4a0-427f-5773-0ec71c9e0279", "Solo 2", .securityKey),
        ]
        var models: [AAGUID: AuthenticatorModel] = [:]
        for (uuid, name, kind) in table {
            if let aaguid = AAGUID(uuidString: uuid) { models[aaguid] = AuthenticatorModel(name: name, kind: kind) }
        }
        return models
    }()
}
