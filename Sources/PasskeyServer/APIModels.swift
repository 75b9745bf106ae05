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

    /// The members `JSONEncoder` writes, without `Codable` (every sign-in answers with them).
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("username")
        writer.string(username)
        writer.key("displayName")
        writer.string(displayName)
        writer.key("emailVerified")
        writer.bool(emailVerified)
        writer.endObject()
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

    /// The members ``encode(to:)`` writes, dates as ``ServerServices/json(_:status:cookies:)``'s
    /// encoder writes them, without `Codable` (every sign-up answers with them).
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("name")
        writer.string(name)
        writer.key("createdAt")
        writer.string(Self.iso8601(createdAt))
        writer.key("lastUsedAt")
        if let lastUsedAt { writer.string(Self.iso8601(lastUsedAt)) } else { writer.null() }
        writer.key("aaguid")
        writer.string(aaguid)
        writer.key("provider")
        if let provider { writer.string(provider) } else { writer.null() }
        writer.key("synced")
        writer.bool(synced)
        writer.key("backupEligible")
        writer.bool(backupEligible)
        writer.key("transports")
        writer.beginArray()
        for transport in transports { writer.string(transport) }
        writer.endArray()
        writer.key("algorithm")
        writer.integer(algorithm)
        writer.endObject()
    }

    /// A date as `JSONEncoder`'s `.iso8601` strategy writes it: UTC, whole seconds, `Z`.
    static func iso8601(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        // Formatted apart from the log's one-second cache: these dates are rarely the current second.
        return String(decoding: LogOutput.format(seconds: seconds, utc: true), as: UTF8.self) + "Z"
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
        let username = raw.trimmingWhitespaceAndNewlines()
        guard !username.isEmpty else { throw APIError.invalidUsername("the username is empty") }
        guard username.count <= maximumLength, username.utf8.count <= maximumBytes else {
            throw APIError.invalidUsername("the username is longer than \(maximumLength) characters")
        }
        // Printable ASCII (trimmed, so it starts and ends with a character that shows) passes both
        // checks below; they look each scalar's Unicode properties up.
        if isPrintableASCII(username) { return username }
        guard !hasControlCharacters(username) else { throw APIError.invalidUsername("the username has control characters") }
        if let problem = invisibility(username) { throw APIError.invalidUsername("the username \(problem)") }
        return username
    }

    /// Whether every byte is printable ASCII (space to `~`): no control character, nothing
    /// invisible, no combining mark.
    static func isPrintableASCII(_ string: String) -> Bool {
        string.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// A display name or passkey name trimmed of surrounding white space, or `400 invalid_name`.
    static func name(_ raw: String, what: String) throws -> String {
        let name = raw.trimmingWhitespaceAndNewlines()
        guard !name.isEmpty else { throw APIError.invalidName("the \(what) is empty") }
        guard name.count <= maximumLength, name.utf8.count <= maximumBytes else {
            throw APIError.invalidName("the \(what) is longer than \(maximumLength) characters")
        }
        // As for a username: printable ASCII, trimmed, passes both checks below.
        if isPrintableASCII(name) { return name }
        guard !hasControlCharacters(name) else { throw APIError.invalidName("the \(what) has control characters") }
        if let problem = invisibility(name) { throw APIError.invalidName("the \(what) \(problem)") }
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

    /// Why a name would show as blank, or look like another name with something unseen in it;
    /// `nil` when it is fine.
    ///
    /// Refused: characters that render nothing wherever they are (Hangul fillers U+115F, U+1160,
    /// U+3164, U+FFA0, the braille blank U+2800, and every other default-ignorable code point);
    /// a combining mark with nothing to combine with (at the start); and a name with no character
    /// that shows. Kept, where they shape what is around them: the joiners (ZWJ, ZWNJ) between two
    /// characters that are not ASCII (emoji sequences, Indic and Arabic scripts), and variation
    /// selectors after a character that is not an ASCII letter (emoji presentation, keycaps).
    /// So `frank\u{3164}` and `fr\u{200C}ank` cannot be registered beside `frank`.
    static func invisibility(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let before = index > 0 ? scalars[index - 1] : nil
            let after = index + 1 < scalars.count ? scalars[index + 1] : nil
            let shapesItsNeighbours: Bool
            switch scalar.value {
            case 0x200C, 0x200D:
                shapesItsNeighbours = before.map { !$0.isASCII } == true && after.map { !$0.isASCII } == true
            case 0xFE00...0xFE0F, 0xE0100...0xE01EF:
                shapesItsNeighbours = before.map { !($0.isASCII && $0.properties.isAlphabetic) } == true
            default:
                shapesItsNeighbours = false
            }
            if rendersNothing(scalar), !shapesItsNeighbours {
                return "has a character that shows nothing (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            }
        }
        if let first = scalars.first, isMark(first) {
            return "starts with a combining mark, which has nothing to combine with"
        }
        guard scalars.contains(where: shows) else { return "shows nothing" }
        return nil
    }

    /// Characters that show no ink of their own.
    private static func rendersNothing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2800, 0x3164, 0xFFA0, 0x115F, 0x1160: true
        default: scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// A character that leaves ink: not white space, not a mark, not one of the invisible ones.
    private static func shows(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.properties.isWhitespace && !isMark(scalar) && !rendersNothing(scalar)
            && scalar.properties.generalCategory != .format
    }
}

/// Decoding request bodies: an empty body is `{}`; anything that is not the JSON expected is
/// `400 malformed` naming what is wrong. (That a body is strict RFC 8259 JSON at all,
/// ``StrictJSON``, the request guard checked before any handler ran.)
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

    /// The string members `names` of a JSON object body (an empty body is `{}`), read without
    /// `Codable`; the same answers as ``decode(_:from:)`` for a type of optional strings.
    static func stringMembers(_ names: Set<String>, from request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: .max)
        do {
            return try WireJSON.stringMembers(buffer.readableBytes == 0 ? Array("{}".utf8) : Array(buffer.readableBytesView), names)
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
