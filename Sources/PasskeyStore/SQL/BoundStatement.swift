import Foundation
import SQLKit
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
    /// The bound values, in the order of their placeholders.
    private(set) var binds: [any Encodable & Sendable]
    /// Where each bind's `?` is in ``sqliteText`` (UTF-8 offsets), so that no `?` of the text
    /// itself is taken for one.
    private var placeholders: [Int]

    init(literalCapacity: Int, interpolationCount: Int) {
        sqliteText = ""
        sqliteText.reserveCapacity(literalCapacity + interpolationCount)
        binds = []
        binds.reserveCapacity(interpolationCount)
        placeholders = []
        placeholders.reserveCapacity(interpolationCount)
    }

    init(stringLiteral value: String) {
        sqliteText = value
        binds = []
        placeholders = []
    }

    init(stringInterpolation: BoundStatement) {
        self = stringInterpolation
    }

    mutating func appendLiteral(_ literal: String) {
        sqliteText += literal
    }

    /// A bound value.
    mutating func appendInterpolation(bind value: any Encodable & Sendable) {
        placeholders.append(sqliteText.utf8.count)
        sqliteText += "?"
        binds.append(value)
    }

    /// A bound byte string (`Data`: a blob to every driver, as ``Column/bytes(_:)`` binds it).
    mutating func appendInterpolation(bytes: [UInt8]) {
        appendInterpolation(bind: Data(bytes))
    }

    /// A bound value, or `NULL` (as ``Column/optional(_:)``).
    mutating func appendInterpolation(optional value: (any Encodable & Sendable)?) {
        if let value {
            appendInterpolation(bind: value)
        } else {
            sqliteText += "NULL"
        }
    }

    /// Another statement's text and binds, in place.
    mutating func appendInterpolation(_ other: BoundStatement) {
        let offset = sqliteText.utf8.count
        sqliteText += other.sqliteText
        placeholders += other.placeholders.map { $0 + offset }
        binds += other.binds
    }

    func serialize(to serializer: inout SQLSerializer) {
        let utf8 = Array(sqliteText.utf8)
        var start = 0
        for (placeholder, bind) in zip(placeholders, binds) {
            serializer.write(String(decoding: utf8[start..<placeholder], as: UTF8.self))
            serializer.write(bind: bind)
            start = placeholder + 1
        }
        serializer.write(String(decoding: utf8[start...], as: UTF8.self))
    }
}

extension SQLDatabase {
    /// The statement's rows.
    func all(_ statement: BoundStatement) async throws -> [any SQLRow] {
        let rows = CollectedRows()
        try await execute(sql: statement) { rows.append($0) }
        return rows.taken()
    }

    /// The statement's first row (every row is still read, as SQLKit's `first()` does for a raw
    /// statement, so a `RETURNING` clause sees each one written).
    func first(_ statement: BoundStatement) async throws -> (any SQLRow)? {
        try await all(statement).first
    }

    /// Runs the statement, its rows unread.
    func run(_ statement: BoundStatement) async throws {
        try await execute(sql: statement) { _ in }
    }
}

/// The rows a statement hands over one by one (on PostgreSQL from the connection's event loop).
private final class CollectedRows: Sendable {
    private let rows = Mutex<[any SQLRow]>([])

    func append(_ row: any SQLRow) { rows.withLock { $0.append(row) } }

    func taken() -> [any SQLRow] { rows.withLock { $0 } }
}
