import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import Synchronization

/// A statement written by interpolation, as with SQLKit's `SQLQueryString`, but laid out as it is
/// built: its text with `?` where each bind goes, and the binds in order.
///
/// Why: the store's own SQLite connection (``SQLiteDirectConnection``) runs this text and these
/// binds as they are, where an `SQLQueryString` is serialized again on every call (its fragments
/// one by one, a placeholder expression for each bind) behind a builder object: about a tenth of
/// the SQLite thread's work in a sign-in (docs/performance.md, lever 27). On any other database
/// (PostgreSQL, a pooled SQLite connection) it serializes as the `SQLQueryString` with the same
/// interpolations would, each bind in the dialect's own placeholder.
///
/// ```swift
/// let statement: BoundStatement = "SELECT * FROM credentials WHERE id = \(bytes: id) AND sign_count < \(bind: count)"
/// let row = try await db.first(statement)
/// ```
struct BoundStatement: SQLExpression, ExpressibleByStringInterpolation, StringInterpolationProtocol {
    /// The statement's text, `?` where each bind goes (SQLite's placeholder).
    private(set) var sqliteText: String
    /// The bound values, in the order of their placeholders, as the interpolations gave them.
    private(set) var values: [Value]
    /// Where each bind's `?` is in ``sqliteText`` (UTF-8 offsets), so that no `?` of the text
    /// itself is taken for one.
    private var placeholders: [Int]
    /// Whether a PostgreSQL connection prepares this statement once and then only binds and runs
    /// it (``prepared()``).
    private(set) var isPrepared = false

    /// A bound value. The types the store binds most are kept as they are, so that the store's
    /// SQLite connection binds them without a cast (``SQLiteDirectConnection/execute(_:_:)-(BoundStatement,_)``); any other is kept as
    /// `Encodable` and converted as SQLKit would.
    enum Value: Sendable {
        case text(String)
        case bytes([UInt8])
        case integer(Int64)
        case bool(Bool)
        case encodable(any Encodable & Sendable)

        /// The value as SQLKit binds it (bytes as `Data`: a blob to every driver, as
        /// ``Column/bytes(_:)`` binds them).
        var encodable: any Encodable & Sendable {
            switch self {
            case .text(let text): text
            case .bytes(let bytes): Data(bytes)
            case .integer(let integer): integer
            case .bool(let bool): bool
            case .encodable(let value): value
            }
        }
    }

    /// The statement marked to be prepared once on each PostgreSQL connection and run as that
    /// prepared statement from then on (``PreparedPostgresStatement``), unless the database URL
    /// says `prepared_statements=off`: PostgreSQL then parses and plans it once per connection
    /// rather than on every run (docs/performance.md, lever 41). Elsewhere nothing changes.
    ///
    /// Only for a statement of the hot path whose text takes a few forms at most (each form is a
    /// prepared statement on every connection, kept until the connection closes), and whose
    /// result names its columns (`SELECT *` is refused by PostgreSQL on a prepared statement
    /// once a migration adds a column: `cached plan must not change result type`).
    func prepared() -> BoundStatement {
        var statement = self
        statement.isPrepared = true
        return statement
    }

    /// The bound values as SQLKit binds them, in the order of their placeholders.
    var binds: [any Encodable & Sendable] { values.map(\.encodable) }

    init(literalCapacity: Int, interpolationCount: Int) {
        sqliteText = ""
        sqliteText.reserveCapacity(literalCapacity + interpolationCount)
        values = []
        values.reserveCapacity(interpolationCount)
        placeholders = []
        placeholders.reserveCapacity(interpolationCount)
    }

    init(stringLiteral value: String) {
        sqliteText = value
        values = []
        placeholders = []
    }

    init(stringInterpolation: BoundStatement) {
        self = stringInterpolation
    }

    mutating func appendLiteral(_ literal: String) {
        sqliteText += literal
    }

    private mutating func append(_ value: Value) {
        placeholders.append(sqliteText.utf8.count)
        sqliteText += "?"
        values.append(value)
    }

    /// A bound value.
    mutating func appendInterpolation(bind value: any Encodable & Sendable) {
        append(.encodable(value))
    }

    /// A bound text.
    mutating func appendInterpolation(bind value: String) {
        append(.text(value))
    }

    /// A bound integer.
    mutating func appendInterpolation(bind value: Int64) {
        append(.integer(value))
    }

    /// A bound Boolean.
    mutating func appendInterpolation(bind value: Bool) {
        append(.bool(value))
    }

    /// A bound byte string (a blob to every driver, as ``Column/bytes(_:)`` binds it).
    mutating func appendInterpolation(bytes: [UInt8]) {
        append(.bytes(bytes))
    }

    /// A bound value, or `NULL` (as ``Column/optional(_:)``).
    mutating func appendInterpolation(optional value: (any Encodable & Sendable)?) {
        if let value {
            appendInterpolation(bind: value)
        } else {
            sqliteText += "NULL"
        }
    }

    /// A bound text, or `NULL`.
    mutating func appendInterpolation(optional value: String?) {
        if let value {
            append(.text(value))
        } else {
            sqliteText += "NULL"
        }
    }

    /// A bound integer, or `NULL`.
    mutating func appendInterpolation(optional value: Int64?) {
        if let value {
            append(.integer(value))
        } else {
            sqliteText += "NULL"
        }
    }

    /// A bound byte string, or `NULL`.
    mutating func appendInterpolation(optionalBytes value: [UInt8]?) {
        if let value {
            append(.bytes(value))
        } else {
            sqliteText += "NULL"
        }
    }

    /// Another statement's text and binds, in place.
    mutating func appendInterpolation(_ other: BoundStatement) {
        let offset = sqliteText.utf8.count
        sqliteText += other.sqliteText
        placeholders += other.placeholders.map { $0 + offset }
        values += other.values
    }

    /// The text with PostgreSQL's placeholders, `$1`, `$2`, … in the order of the binds.
    var postgresText: String {
        var source = sqliteText
        let placeholders = placeholders
        return source.withUTF8 { utf8 in
            // Each `?` becomes `$` and the bind's number, of at most as many digits as the count.
            let digits = String(placeholders.count).utf8.count
            return String(unsafeUninitializedCapacity: utf8.count + digits * placeholders.count) { text in
                var written = 0
                func copy(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
                    _ = UnsafeMutableBufferPointer(rebasing: text[written..<(written + bytes.count)]).initialize(from: bytes)
                    written += bytes.count
                }
                func write(_ byte: UInt8) {
                    text[written] = byte
                    written += 1
                }
                var start = 0
                for (index, offset) in placeholders.enumerated() {
                    copy(utf8[start..<offset])
                    write(UInt8(ascii: "$"))
                    let number = index + 1
                    var divisor = 1
                    while divisor <= number / 10 { divisor *= 10 }
                    while divisor > 0 {
                        write(UInt8(ascii: "0") + UInt8(number / divisor % 10))
                        divisor /= 10
                    }
                    start = offset + 1
                }
                copy(utf8[start...])
                return written
            }
        }
    }

    func serialize(to serializer: inout SQLSerializer) {
        let utf8 = Array(sqliteText.utf8)
        var start = 0
        for (placeholder, value) in zip(placeholders, values) {
            serializer.write(String(decoding: utf8[start..<placeholder], as: UTF8.self))
            serializer.write(bind: value.encodable)
            start = placeholder + 1
        }
        serializer.write(String(decoding: utf8[start...], as: UTF8.self))
    }
}

extension SQLDatabase {
    // On the store's own SQLite connection these run the statement at once (``DirectSQLiteDatabase/rows(_:)``)
    // rather than through `execute(sql:)`: inlined into the store operation's body, they add no
    // async call of their own, and each async call there is a task switch that looks up the
    // task's preferred executor (docs/performance.md, lever 30). On a leased PostgreSQL connection
    // (``DirectPostgresDatabase``) they run through PostgresNIO directly (lever 38).

    /// The statement's rows.
    @inline(__always)
    func all(_ statement: BoundStatement) async throws -> [any SQLRow] {
        if let direct = self as? DirectSQLiteDatabase { return try direct.rows(statement) }
        if let postgres = self as? DirectPostgresDatabase, let query = statement.postgresQuery {
            return try await postgres.rows(query, of: statement)
        }
        let rows = CollectedRows()
        try await execute(sql: statement) { rows.append($0) }
        return rows.taken()
    }

    /// The statement's first row (every row is still read, as SQLKit's `first()` does for a raw
    /// statement, so a `RETURNING` clause sees each one written).
    @inline(__always)
    func first(_ statement: BoundStatement) async throws -> (any SQLRow)? {
        if let direct = self as? DirectSQLiteDatabase { return try direct.rows(statement).first }
        return try await all(statement).first
    }

    /// Runs an `INSERT … ON CONFLICT DO NOTHING` of one row and answers whether it inserted it: on
    /// the store's own SQLite connection by the count of changed rows (SQLite builds a temporary
    /// table for `RETURNING`), elsewhere by the row a `RETURNING` clause gives back.
    @inline(__always)
    func insertedRow(_ statement: BoundStatement) async throws -> Bool {
        if let direct = self as? DirectSQLiteDatabase { return try direct.changes(statement) == 1 }
        let returning: BoundStatement = "\(statement) RETURNING 1 AS inserted"
        return try await first(statement.isPrepared ? returning.prepared() : returning) != nil
    }

    /// Runs an `INSERT`, `UPDATE` or `DELETE` on SQLite and returns how many rows it changed
    /// (`changes()`, of this connection's last such statement).
    @inline(__always)
    func sqliteChanges(_ statement: BoundStatement) async throws -> Int {
        if let direct = self as? DirectSQLiteDatabase { return try direct.changes(statement) }
        try await run(statement)
        guard let row = try await first("SELECT changes() AS changed") else { return 0 }
        return Int(try RowReader(row: row).int64("changed"))
    }

    /// Runs the statement, its rows unread.
    @inline(__always)
    func run(_ statement: BoundStatement) async throws {
        if let direct = self as? DirectSQLiteDatabase {
            _ = try direct.rows(statement)
            return
        }
        try await execute(sql: statement) { _ in }
    }
}

/// The rows a statement hands over one by one (on PostgreSQL from the connection's event loop).
private final class CollectedRows: Sendable {
    private let rows = Mutex<[any SQLRow]>([])

    func append(_ row: any SQLRow) { rows.withLock { $0.append(row) } }

    func taken() -> [any SQLRow] { rows.withLock { $0 } }
}
