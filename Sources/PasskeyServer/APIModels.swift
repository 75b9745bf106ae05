import Foundation
import Hummingbird
import PasskeyStore
import WebAuthn

/// An account as the API shows it (docs/api.md "User").
struct UserJSON: Codable, Sendable, Equatable {
    var id: String
    var username: String
    var displayName: String
    /// Whether the person proved they receive mail at the username.
    var emailVerified: Bool

    init(_ user: UserRecord) {
        self.id = user.id.base64URL
        self.username = user.username
        self.displayName = user.displayName
        self.emailVerified = user.emailVerified
    }
}

/// A passkey as the API shows it (docs/api.md "Passkey"). `lastUsedAt` and `provider` are
/// written as `null` when unknown, never left out.
struct PasskeyJSON: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var createdAt: Date
    var lastUsedAt: Date?
    var aaguid: String
    var provider: String?
    var synced: Bool
    var backupEligible: Bool
    var transports: [String]
    var algorithm: Int

    init(_ credential: CredentialRecord, directory: AuthenticatorDirectory) {
        self.id = credential.id.base64URL
        self.name = credential.name
        self.createdAt = credential.createdAt
        self.lastUsedAt = credential.lastUsedAt
        self.aaguid = credential.aaguid.uuidString
        self.provider = directory.model(for: credential.aaguid)?.name
        self.synced = credential.backedUp
        self.backupEligible = credential.backupEligible
        self.transports = credential.transports
        self.algorithm = credential.algorithm
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(aaguid, forKey: .aaguid)
        try container.encode(provider, forKey: .provider)
        try container.encode(synced, forKey: .synced)
        try container.encode(backupEligible, forKey: .backupEligible)
        try container.encode(transports, forKey: .transports)
        try container.encode(algorithm, forKey: .algorithm)
    }
}

/// The rules for names people type.
enum NameRules {
    static let maximumLength = 64
    /// One character can be many code points (combining marks); this bounds the bytes too.
    static let maximumBytes = 256

    /// A username trimmed of surrounding white space, or `400 invalid_username`.
    static func username(_ raw: String) throws -> String {
        let username = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !username.isEmpty else { throw APIError.invalidUsername("the username is empty") }
        guard username.count <= maximumLength, username.utf8.count <= maximumBytes else {
            throw APIError.invalidUsername("the username is longer than \(maximumLength) characters")
        }
        guard !hasControlCharacters(username) else { throw APIError.invalidUsername("the username has control characters") }
        return username
    }

    /// A display name or passkey name trimmed of surrounding white space, or `400 invalid_name`.
    static func name(_ raw: String, what: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw APIError.invalidName("the \(what) is empty") }
        guard name.count <= maximumLength, name.utf8.count <= maximumBytes else {
            throw APIError.invalidName("the \(what) is longer than \(maximumLength) characters")
        }
        guard !hasControlCharacters(name) else { throw APIError.invalidName("the \(what) has control characters") }
        return name
    }

    /// Control characters (C0, C1), line separators and invisible format characters such as bidi
    /// overrides have no place in a name; the joiners that build emoji and some scripts do.
    static func hasControlCharacters(_ string: String) -> Bool {
        string.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: true
            case .format: scalar.value != 0x200C && scalar.value != 0x200D
            default: false
            }
        }
    }
}

/// Decoding request bodies: an empty body is `{}`; anything that is not the expected JSON is
/// `400 malformed` naming what is wrong.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: .max)
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        do {
            return try WireJSON.decode(T.self, from: data)
        } catch {
            throw APIError.malformed(error.reason)
        }
    }

    /// The raw bytes of the body.
    static func bytes(_ request: Request) async throws -> Data {
        let buffer = try await request.body.collect(upTo: .max)
        return Data(buffer.readableBytesView)
    }
}
