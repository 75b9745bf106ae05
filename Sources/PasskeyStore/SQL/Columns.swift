import Foundation
import PostgresKit
import SQLKit
import WebAuthn

/// Conversions between record fields and the column values of ``Schema``.
enum Column {
    /// A bound byte string (`Data` is a blob to every SQLKit driver; `[UInt8]` is not).
    static func bytes(_ bytes: [UInt8]) -> any SQLExpression { SQLBind(Data(bytes)) }

    /// A bound value, or `NULL`.
    static func optional(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }

    /// Microseconds since 1970, the stored form of a time.
    static func microseconds(_ date: Date) throws -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard let microseconds = Int64(exactly: value) else {
            throw StoreError.failure("time \(date.timeIntervalSince1970) cannot be stored")
        }
        return microseconds
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// The strings as a JSON array, written without `JSONEncoder`.
    static func json(_ strings: [String]) -> String {
        var writer = JSONWriter(capacity: 2 + strings.reduce(0) { $0 + $1.utf8.count + 3 })
        writer.beginArray()
        for string in strings { writer.string(string) }
        writer.endArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Reads one result row into records, turning unreadable data into ``StoreError/Code-swift.struct/failure``.
///
/// A row of the store's own SQLite connection (``DirectSQLiteRow``) is read straight from its
/// values when a value has the column's usual type, a row of a leased PostgreSQL connection
/// (``DirectPostgresRow``) by PostgresNIO's decoding of the column's type; anything else goes
/// through the driver's `Decodable` path, which converts or refuses it as it always did.
struct RowReader {
    let row: any SQLRow
    private let direct: DirectSQLiteRow?
    private let postgres: DirectPostgresRow?

    init(row: any SQLRow) {
        self.row = row
        self.direct = row as? DirectSQLiteRow
        self.postgres = direct == nil ? row as? DirectPostgresRow : nil
    }

    func bytes(_ column: String) throws -> [UInt8] {
        if case .blob(let bytes)? = direct?.value(column) { return bytes }
        // A PostgreSQL value's bytes as they came (as postgres-kit reads `Data`, whatever the type).
        if let buffer = postgres?.cell(column)?.bytes { return Array(buffer.readableBytesView) }
        return [UInt8](try row.decode(column: column, as: Data.self))
    }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        try isNull(column) ? nil : bytes(column)
    }

    func string(_ column: String) throws -> String {
        if case .text(let text)? = direct?.value(column) { return text }
        if let cell = postgres?.cell(column), cell.bytes != nil { return try cell.decode(String.self) }
        return try row.decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try isNull(column) ? nil : string(column)
    }

    func int64(_ column: String) throws -> Int64 {
        if case .integer(let integer)? = direct?.value(column) { return integer }
        if let cell = postgres?.cell(column), cell.bytes != nil { return try cell.decode(Int64.self) }
        return try row.decode(column: column, as: Int64.self)
    }

    func bool(_ column: String) throws -> Bool {
        switch direct?.value(column) {
        case .integer(0)?: return false
        case .integer(1)?: return true
        default:
            if let cell = postgres?.cell(column), cell.bytes != nil { return try cell.decode(Bool.self) }
            return try row.decode(column: column, as: Bool.self)
        }
    }

    func isNull(_ column: String) throws -> Bool {
        if let direct { return direct.value(column) ?? .null == .null }
        if let postgres { return postgres.cell(column)?.bytes == nil }
        return try row.decodeNil(column: column)
    }

    func date(_ column: String) throws -> Date {
        Column.date(microseconds: try int64(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try isNull(column) ? nil : date(column)
    }

    func userHandle(_ column: String) throws -> UserHandle {
        try identifier(column, as: UserHandle.self)
    }

    func optionalUserHandle(_ column: String) throws -> UserHandle? {
        try isNull(column) ? nil : userHandle(column)
    }

    func credentialID(_ column: String) throws -> CredentialID {
        try identifier(column, as: CredentialID.self)
    }

    func optionalCredentialID(_ column: String) throws -> CredentialID? {
        try isNull(column) ? nil : credentialID(column)
    }

    private func identifier<T: Base64URLBytes>(_ column: String, as type: T.Type) throws -> T {
        let bytes = try bytes(column)
        do {
            return try T(bytes: bytes)
        } catch {
            throw StoreError.failure("column \(column) holds an invalid \(T.self): \(error)")
        }
    }

    /// An account from its columns, each named `prefix` + its name (``userColumns`` in a join).
    func user(prefix: String = "") throws -> UserRecord {
        UserRecord(
            id: try userHandle(prefix + "id"),
            username: try string(prefix + "username"),
            displayName: try string(prefix + "display_name"),
            createdAt: try date(prefix + "created_at"),
            disabled: try bool(prefix + "disabled"),
            emailVerified: try bool(prefix + "email_verified")
        )
    }

    /// The account's columns that ``user(prefix:)`` reads with no prefix, by name (for a
    /// statement that must name its columns: ``BoundStatement/prepared()``).
    static let plainUserColumns = BoundStatement(stringLiteral: userColumnNames.joined(separator: ", "))

    /// The prefix of ``userColumns``' names.
    static let userPrefix = "account_"

    /// The account's columns that ``user(prefix:)`` reads, named apart from the credential's in a
    /// statement that joins the two (both tables have `id` and `created_at`).
    static let userColumns = BoundStatement(stringLiteral:
        userColumnNames.map { "users.\($0) AS \(userPrefix)\($0)" }.joined(separator: ", "))

    private static let userColumnNames = ["id", "username", "display_name", "created_at", "disabled", "email_verified"]

    /// The credential's columns that ``credential()`` reads, by name (for a statement that must
    /// name its columns: ``BoundStatement/prepared()``).
    static let credentialColumns = BoundStatement(stringLiteral:
        ["id", "user_id", "public_key", "algorithm", "sign_count", "aaguid", "attestation_format", "transports",
         "backup_eligible", "backed_up", "name", "created_at", "last_used_at"]
            .map { "credentials.\($0)" }.joined(separator: ", "))

    func credential() throws -> CredentialRecord {
        let aaguidBytes = try bytes("aaguid")
        guard let aaguid = AAGUID(bytes: aaguidBytes) else {
            throw StoreError.failure("column aaguid holds \(aaguidBytes.count) bytes, not 16")
        }
        let signCount = try int64("sign_count")
        guard let count = UInt32(exactly: signCount) else {
            throw StoreError.failure("column sign_count holds \(signCount)")
        }
        let algorithm = try int64("algorithm")
        guard let cose = Int(exactly: algorithm) else {
            throw StoreError.failure("column algorithm holds \(algorithm)")
        }
        let transports: [String]
        do {
            transports = try WireJSON.strings(Array(try string("transports").utf8))
        } catch {
            throw StoreError.failure("column transports is not a JSON list of strings")
        }
        return CredentialRecord(
            id: try credentialID("id"),
            userID: try userHandle("user_id"),
            publicKey: try bytes("public_key"),
            algorithm: cose,
            signCount: count,
            aaguid: aaguid,
            attestationFormat: try string("attestation_format"),
            transports: transports,
            backupEligible: try bool("backup_eligible"),
            backedUp: try bool("backed_up"),
            name: try string("name"),
            createdAt: try date("created_at"),
            lastUsedAt: try optionalDate("last_used_at")
        )
    }

    func ceremony() throws -> CeremonyRecord {
        let kindName = try string("kind")
        guard let kind = CeremonyRecord.Kind(rawValue: kindName) else {
            throw StoreError.failure("column kind holds an unknown ceremony kind \(kindName)")
        }
        return CeremonyRecord(
            id: try string("id"),
            kind: kind,
            challenge: Challenge(uncheckedBytes: try bytes("challenge")),
            userID: try optionalUserHandle("user_id"),
            username: try optionalString("username"),
            displayName: try optionalString("display_name"),
            state: try bytes("state"),
            createdAt: try date("created_at"),
            expiresAt: try date("expires_at")
        )
    }

    /// The session's columns that ``session()`` reads, by name (for a statement that must name
    /// its columns: ``BoundStatement/prepared()``).
    static let sessionColumns = BoundStatement(stringLiteral: sessionColumnNames.joined(separator: ", "))

    /// ``sessionColumns`` qualified by their table, for a statement that joins the account (both
    /// tables have `created_at`); the result's columns keep their plain names.
    static let qualifiedSessionColumns = BoundStatement(stringLiteral:
        sessionColumnNames.map { "sessions.\($0)" }.joined(separator: ", "))

    private static let sessionColumnNames = [
        "token_hash", "user_id", "created_at", "last_seen_at", "expires_at", "credential_id", "ip", "user_agent",
        "recovery", "sign_in_method",
    ]

    func session() throws -> SessionRecord {
        SessionRecord(
            tokenHash: try bytes("token_hash"),
            userID: try userHandle("user_id"),
            createdAt: try date("created_at"),
            lastSeenAt: try date("last_seen_at"),
            expiresAt: try date("expires_at"),
            credentialID: try optionalCredentialID("credential_id"),
            ip: try optionalString("ip"),
            userAgent: try optionalString("user_agent"),
            recovery: try bool("recovery"),
            method: try signInMethod()
                ?? .legacy(credentialID: try optionalCredentialID("credential_id"), recovery: try bool("recovery"))
        )
    }

    func auditEvent() throws -> AuditEvent {
        let idBytes = try bytes("id")
        guard let id = UUID(bytes: idBytes) else {
            throw StoreError.failure("column id holds \(idBytes.count) bytes, not a UUID")
        }
        return AuditEvent(
            id: id,
            userID: try optionalUserHandle("user_id"),
            kind: AuditEvent.Kind(rawValue: try string("kind")),
            detail: try string("detail"),
            at: try date("at"),
            ip: try optionalString("ip"),
            userAgent: try optionalString("user_agent"),
            credentialID: try optionalCredentialID("credential_id")
        )
    }
}
