import Foundation
import PasskeyStore
import WebAuthn

/// A ceremony kept in the browser's ceremony cookie instead of the store: its record, sealed with
/// ChaCha20-Poly1305 (``SealingKey``) under a key every process of the database shares (``SharedKey``).
///
/// The seal keeps the record secret and unchanged: a cookie the server did not seal, or one with a
/// single bit changed, does not open. It does not make the cookie single-use; finishing the
/// ceremony does that, by spending its random ID in the store
/// (``PasskeyStore/spendCeremony(id:keepUntil:)``) before anything else, or, for a sign-up, in
/// the transaction that creates the account (``Ceremonies/finishing(_:_:)``).
///
/// The cookie's value is the version byte, then the sealed box (nonce, ciphertext, tag), in
/// base64url. Inside, each field is a 4-byte big-endian length and its bytes (`0xFFFFFFFF` for a
/// field that is absent), in a fixed order; times are microseconds since 1970, 8 bytes big-endian.
/// A sign-in's ceremony may end with one more field, the account's passkeys as its options read
/// them (``SealedPasskey``); a cookie sealed without it opens the same.
enum SealedCeremony {
    /// The first byte of every sealed cookie; a new layout gets a new number.
    static let version: UInt8 = 1
    /// Bound into the seal, so nothing else sealed under the same key opens as a ceremony.
    static let associatedData = Array("passkeys sealed ceremony v1".utf8)
    /// The longest cookie value sealed; a larger record (a long `allowCredentials` list) is kept
    /// in the store instead, well inside browsers' 4,096-byte limit for a cookie.
    static let maximumCookieLength = 3072

    /// A new sealed ceremony's ID: the milliseconds since 1970 as 12 hex digits, then 96 random
    /// bits (Base64URL). Only its uniqueness matters (it is the ceremony's spent mark); IDs made
    /// later sort after earlier ones, so the marks are written at the right end of their table's
    /// index rather than to a random page of it (docs/performance.md, lever 28).
    static func newID(at date: Date) -> String {
        let time = String(UUID.milliseconds48(date), radix: 16)
        return String(repeating: "0", count: max(0, 12 - time.count)) + time + Base64URL.encode(randomBytes(12))
    }

    /// At most this many bytes of passkeys are sealed with a sign-in's ceremony; an account whose
    /// passkeys take more is read again when the answer comes (a post-quantum key alone is 1,312).
    static let maximumPasskeyBytes = 1024

    /// The cookie value that carries `record`, and with it `passkeys` (none when they take more
    /// than ``maximumPasskeyBytes``).
    static func seal(_ record: CeremonyRecord, passkeys: [SealedPasskey] = [], key: SealingKey) throws -> String {
        var fields = FieldWriter(capacity: 256 + record.state.count + passkeys.count * 128)
        fields.append(text: record.id)
        fields.append(text: record.kind.rawValue)
        fields.append(record.challenge.bytes)
        fields.append(record.userID?.bytes)
        fields.append(text: record.username)
        fields.append(text: record.displayName)
        fields.append(record.state)
        try fields.append(record.createdAt)
        try fields.append(record.expiresAt)
        if !passkeys.isEmpty {
            var list = FieldWriter(capacity: passkeys.count * 128)
            for passkey in passkeys { passkey.write(to: &list) }
            if list.bytes.count <= maximumPasskeyBytes { fields.append(list.bytes) }
        }
        guard let box = key.seal(fields.bytes, authenticating: associatedData, after: [version]) else {
            throw APIError.internalError
        }
        return Base64URL.encode(box)
    }

    /// The record a cookie carries, or `nil` when the cookie is not one this key sealed (any
    /// other version, a broken seal, a field out of place).
    static func open(_ cookie: String, key: SealingKey) -> CeremonyRecord? {
        guard cookie.utf8.count <= maximumCookieLength, let bytes = Base64URL.decode(cookie) else { return nil }
        return open(bytes, key: key)
    }

    /// The record in a cookie value already decoded from base64url; `nil` as for the cookie itself.
    static func open(_ bytes: [UInt8], key: SealingKey) -> CeremonyRecord? {
        opened(bytes, key: key)?.record
    }

    /// The record in a cookie value decoded from base64url, and the passkeys sealed with it (none
    /// when there are none); `nil` as for ``open(_:key:)-([UInt8],_)``.
    static func opened(_ bytes: [UInt8], key: SealingKey) -> (record: CeremonyRecord, passkeys: [SealedPasskey])? {
        guard bytes.first == version, let opened = key.open(bytes.dropFirst(), authenticating: associatedData)
        else { return nil }
        var fields = FieldReader(bytes: opened)
        do {
            guard let id = String(validating: try fields.next(), as: UTF8.self),
                let kind = CeremonyRecord.Kind(rawValue: String(decoding: try fields.next(), as: UTF8.self))
            else { return nil }
            let challenge = Challenge(uncheckedBytes: try fields.next())
            let userID = try fields.nextIfPresent().map(UserHandle.init(uncheckedBytes:))
            let username = try fields.nextIfPresent().map { String(decoding: $0, as: UTF8.self) }
            let displayName = try fields.nextIfPresent().map { String(decoding: $0, as: UTF8.self) }
            let state = try fields.next()
            let createdAt = try fields.nextDate()
            let expiresAt = try fields.nextDate()
            var passkeys: [SealedPasskey] = []
            if !fields.isAtEnd {
                var list = FieldReader(bytes: try fields.next())
                while !list.isAtEnd { passkeys.append(try SealedPasskey(from: &list)) }
                guard !passkeys.isEmpty else { return nil }
            }
            guard fields.isAtEnd else { return nil }
            let record = CeremonyRecord(
                id: id, kind: kind, challenge: challenge, userID: userID, username: username, displayName: displayName,
                state: state, createdAt: createdAt, expiresAt: expiresAt)
            return (record, passkeys)
        } catch {
            return nil
        }
    }
}

/// A passkey of the account a sign-in's options named, as they read it: what verifying an answer
/// needs, so the answer is verified without reading the passkey again. The sign-in is then
/// recorded only while the store still holds it as it was (``PasskeyStore/recordSignIn(credentialID:publicKey:signCount:backedUp:at:session:audit:endingSession:spending:)``).
struct SealedPasskey: Sendable, Equatable {
    var id: CredentialID
    var publicKey: [UInt8]
    var signCount: UInt32
    var backupEligible: Bool
    var backedUp: Bool

    init(id: CredentialID, publicKey: [UInt8], signCount: UInt32, backupEligible: Bool, backedUp: Bool) {
        self.id = id
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backedUp = backedUp
    }

    init(_ credential: CredentialRecord) {
        self.init(
            id: credential.id, publicKey: credential.publicKey, signCount: credential.signCount,
            backupEligible: credential.backupEligible, backedUp: credential.backedUp)
    }

    /// Its ID, its key, then its counter and flags as one field of five bytes.
    fileprivate func write(to fields: inout FieldWriter) {
        fields.append(id.bytes)
        fields.append(publicKey)
        fields.append([
            UInt8(truncatingIfNeeded: signCount >> 24), UInt8(truncatingIfNeeded: signCount >> 16),
            UInt8(truncatingIfNeeded: signCount >> 8), UInt8(truncatingIfNeeded: signCount),
            (backupEligible ? 1 : 0) | (backedUp ? 2 : 0),
        ])
    }

    fileprivate init(from fields: inout FieldReader) throws {
        let id = try fields.next()
        let publicKey = try fields.next()
        let tail = try fields.next()
        guard !id.isEmpty, !publicKey.isEmpty, tail.count == 5, tail[4] & ~3 == 0 else { throw FieldReader.Malformed() }
        self.init(
            id: CredentialID(uncheckedBytes: id), publicKey: publicKey,
            signCount: tail.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) },
            backupEligible: tail[4] & 1 != 0, backedUp: tail[4] & 2 != 0)
    }
}

/// Length-prefixed fields, as ``SealedCeremony`` lays them out.
private struct FieldWriter {
    static let absent = UInt32.max
    private(set) var bytes: [UInt8] = []

    /// Room for `capacity` bytes from the start, so that appending does not grow the array step by step.
    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ field: [UInt8]?) {
        guard let field else { return appendLength(Self.absent) }
        appendLength(UInt32(field.count))
        bytes += field
    }

    /// Text as its UTF-8 bytes, without an array of them first.
    mutating func append(text: String?) {
        guard let text else { return appendLength(Self.absent) }
        appendLength(UInt32(text.utf8.count))
        bytes += text.utf8
    }

    mutating func append(_ date: Date) throws {
        guard let microseconds = Int64(exactly: (date.timeIntervalSince1970 * 1_000_000).rounded()) else {
            throw APIError.internalError
        }
        let bits = UInt64(bitPattern: microseconds)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    private mutating func appendLength(_ length: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: length >> UInt32(shift)))
        }
    }
}

/// Reads what ``FieldWriter`` wrote; every read checks the bytes are there.
private struct FieldReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    /// A field that must be present.
    mutating func next() throws(Malformed) -> [UInt8] {
        guard let field = try nextIfPresent() else { throw Malformed() }
        return field
    }

    /// A field, or `nil` when it was written absent.
    mutating func nextIfPresent() throws(Malformed) -> [UInt8]? {
        let length = UInt32(truncatingIfNeeded: try integer(bytes: 4))
        guard length != FieldWriter.absent else { return nil }
        guard length <= bytes.count - offset else { throw Malformed() }
        defer { offset += Int(length) }
        return Array(bytes[offset..<offset + Int(length)])
    }

    mutating func nextDate() throws(Malformed) -> Date {
        let bits = try integer(bytes: 8)
        return Date(timeIntervalSince1970: Double(Int64(bitPattern: bits)) / 1_000_000)
    }

    /// The next `count` bytes as a big-endian integer, read where they are.
    private mutating func integer(bytes count: Int) throws(Malformed) -> UInt64 {
        guard count <= bytes.count - offset else { throw Malformed() }
        defer { offset += count }
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + count] { value = value << 8 | UInt64(byte) }
        return value
    }
}
