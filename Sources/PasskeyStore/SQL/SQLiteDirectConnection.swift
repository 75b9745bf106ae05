import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import VaporCSQLite

/// The store's one SQLite connection, driven through SQLite's C API on a thread of its own.
///
/// Why not sqlite-nio's connection: it sends every statement to a thread pool and back, and
/// prepares it anew, so a sign-in's dozen statements cost a dozen pairs of thread switches and
/// parses (the profile in docs/performance.md). Here a whole store operation — one statement or
/// a whole transaction — runs on the connection's thread in one hop
/// (``ThreadExecutor/run(_:)``), and each distinct statement is prepared once and reused.
///
/// Only ``ThreadExecutor`` touches the handle: every method that does is called from code running
/// on it. SQLite's blocking waits (the busy timeout while another process writes, a checkpoint's
/// sync) stay on that thread, never on the server's.
final class SQLiteDirectConnection: @unchecked Sendable {
    /// The thread the connection's work runs on.
    let thread: ThreadExecutor
    private var handle: OpaquePointer?
    /// Prepared statements by their SQL text.
    private var statements: [StatementText: PreparedStatement] = [:]
    /// More distinct statements than the store has means some are built with varying text
    /// (lists of binds): past this, the cache starts again rather than grow.
    private static let cacheLimit = 512

    private struct PreparedStatement {
        let pointer: OpaquePointer
        let columns: [String]
    }

    /// A statement's text as the cache's key, hashed by its length and its first and last 32 bytes
    /// rather than all of it (a sign-in's statements are a few hundred bytes each, and hashing the
    /// whole text was about 2 % of the connection's thread); two texts alike there are told apart
    /// by comparing them whole, as any two keys whose hashes meet.
    struct StatementText: Hashable {
        let text: String

        static func == (lhs: Self, rhs: Self) -> Bool { lhs.text == rhs.text }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { utf8 in
                let bytes = UnsafeRawBufferPointer(utf8)
                hasher.combine(bytes.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: bytes.prefix(32)))
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: bytes.suffix(32)))
            }
        }
    }

    private init(handle: OpaquePointer, thread: ThreadExecutor) {
        self.handle = handle
        self.thread = thread
    }

    /// Opens `path` (`nil`: a private in-memory database) on a new thread.
    static func open(path: String?) async throws -> SQLiteDirectConnection {
        let thread = ThreadExecutor(name: "passkeys-sqlite")
        do {
            return try await thread.run {
                var handle: OpaquePointer?
                let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
                let status = sqlite_nio_sqlite3_open_v2(path ?? ":memory:", &handle, flags, nil)
                guard status == SQLITE_OK, let handle else {
                    let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "status \(status)"
                    if let handle { sqlite_nio_sqlite3_close(handle) }
                    throw SQLiteDirectError(status: status, message: message)
                }
                return SQLiteDirectConnection(handle: handle, thread: thread)
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    /// The connection as an `SQLDatabase`. Use it only inside ``ThreadExecutor/run(_:)`` of
    /// ``thread``: statements run at once, on the calling thread.
    var database: any SQLDatabase { DirectSQLiteDatabase(connection: self) }

    /// Finalizes the statements, closes the handle and stops the thread. Later statements throw.
    func close() async throws {
        try await thread.run { self.closeOnThread() }
        thread.stop()
    }

    private func closeOnThread() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one statement with `binds`, handing each row to `onRow`. Must run on ``thread``.
    func execute(_ sql: String, _ binds: [SQLiteData], _ onRow: (DirectSQLiteRow) -> Void) throws {
        try execute(sql, bindCount: binds.count, bind: { Self.bind(binds[$1], to: $0, at: $1) }, onRow)
    }

    /// Runs a ``BoundStatement``, handing each row to `onRow`. Must run on ``thread``.
    ///
    /// Its text and bytes are bound from where they are, without first becoming `SQLiteData` (a
    /// `ByteBuffer` for each byte string, a copy of each short text for its C string): about a
    /// fifth of the allocations on the connection's thread in a sign-in (docs/performance.md,
    /// lever 37).
    func execute(_ statement: BoundStatement, _ onRow: (DirectSQLiteRow) -> Void) throws {
        let values = statement.values
        try execute(statement.sqliteText, bindCount: values.count, bind: { pointer, index in
            switch values[index] {
            case .text(let text): Self.bind(text, to: pointer, at: index)
            case .bytes(let bytes): bytes.withUnsafeBytes { Self.bind($0, to: pointer, at: index) }
            case .integer(let integer): sqlite_nio_sqlite3_bind_int64(pointer, Int32(index + 1), integer)
            case .bool(let bool): sqlite_nio_sqlite3_bind_int64(pointer, Int32(index + 1), bool ? 1 : 0)
            // Any other value converts as SQLKit would.
            case .encodable(let value): Self.bind(try SQLiteBinds.data(value), to: pointer, at: index)
            }
        }, onRow)
    }

    /// Binds a value as SQLiteNIO holds it.
    private static func bind(_ data: SQLiteData, to statement: OpaquePointer, at index: Int) -> Int32 {
        switch data {
        case .integer(let integer): sqlite_nio_sqlite3_bind_int64(statement, Int32(index + 1), Int64(integer))
        case .float(let double): sqlite_nio_sqlite3_bind_double(statement, Int32(index + 1), double)
        case .text(let text): bind(text, to: statement, at: index)
        case .blob(let buffer): buffer.withUnsafeReadableBytes { bind($0, to: statement, at: index) }
        case .null: sqlite_nio_sqlite3_bind_null(statement, Int32(index + 1))
        }
    }

    /// Binds text as UTF-8, copied by SQLite at once.
    private static func bind(_ text: String, to statement: OpaquePointer, at index: Int) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                // "" from a literal: a null pointer would bind NULL.
                guard let base = chars.baseAddress else {
                    return sqlite_nio_sqlite3_bind_text64(statement, Int32(index + 1), "", 0, transient, UInt8(SQLITE_UTF8))
                }
                return sqlite_nio_sqlite3_bind_text64(
                    statement, Int32(index + 1), base, UInt64(chars.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    /// Binds bytes as a blob, copied by SQLite at once; no bytes bind a blob of length zero, not NULL.
    private static func bind(_ bytes: UnsafeRawBufferPointer, to statement: OpaquePointer, at index: Int) -> Int32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return sqlite_nio_sqlite3_bind_zeroblob(statement, Int32(index + 1), 0)
        }
        return sqlite_nio_sqlite3_bind_blob64(statement, Int32(index + 1), base, UInt64(bytes.count), transient)
    }

    /// Prepares (or reuses) `sql`, binds its `bindCount` values with `bind` (by zero-based index,
    /// returning SQLite's status), and steps through its rows.
    private func execute(
        _ sql: String, bindCount: Int, bind: (OpaquePointer, Int) throws -> Int32, _ onRow: (DirectSQLiteRow) -> Void
    ) throws {
        guard let handle else { throw SQLiteDirectError(status: SQLITE_MISUSE, message: "the database is closed") }
        let statement = try prepared(sql, handle: handle)
        // Reset whatever the outcome: a statement left mid-way holds its read transaction open.
        defer {
            sqlite_nio_sqlite3_reset(statement.pointer)
            sqlite_nio_sqlite3_clear_bindings(statement.pointer)
        }
        for index in 0..<bindCount {
            let status = try bind(statement.pointer, index)
            guard status == SQLITE_OK else { throw error(status, handle) }
        }
        while true {
            let status = sqlite_nio_sqlite3_step(statement.pointer)
            switch status {
            case SQLITE_ROW:
                onRow(DirectSQLiteRow(columns: statement.columns, values: (0..<statement.columns.count).map {
                    Self.column(statement.pointer, Int32($0))
                }))
            case SQLITE_DONE:
                return
            default:
                throw error(status, handle)
            }
        }
    }

    /// How many rows the last `INSERT`, `UPDATE` or `DELETE` changed (`sqlite3_changes`). Must
    /// run on ``thread``, right after that statement.
    var changes: Int {
        guard let handle else { return 0 }
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    /// Whether a transaction is open on the connection (SQLite rolls one back by itself after
    /// some errors: a full disk, an I/O error). Must run on ``thread``.
    var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite_nio_sqlite3_get_autocommit(handle) == 0
    }

    /// The cached statements SQLite has prepared again since they were first prepared (a schema
    /// change, or a plan that depends on a bound value), with how often. Must run on ``thread``.
    func repreparedStatements() -> [String: Int] {
        var reprepared: [String: Int] = [:]
        for (key, statement) in statements {
            let count = sqlite_nio_sqlite3_stmt_status(statement.pointer, SQLITE_STMTSTATUS_REPREPARE, 0)
            if count > 0 { reprepared[key.text] = Int(count) }
        }
        return reprepared
    }

    /// How many statements the cache holds. Must run on ``thread``.
    var cachedStatementCount: Int { statements.count }

    private func prepared(_ sql: String, handle: OpaquePointer) throws -> PreparedStatement {
        let key = StatementText(text: sql)
        if let statement = statements[key] { return statement }
        var pointer: OpaquePointer?
        // SQLITE_PREPARE_PERSISTENT: the statement is kept and reused.
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK, let pointer else { throw error(status, handle) }
        let count = sqlite_nio_sqlite3_column_count(pointer)
        let columns = (0..<count).map { index in
            sqlite_nio_sqlite3_column_name(pointer, index).map { String(cString: $0) } ?? ""
        }
        if statements.count >= Self.cacheLimit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
            statements.removeAll()
        }
        let statement = PreparedStatement(pointer: pointer, columns: columns)
        statements[key] = statement
        return statement
    }

    private static func column(_ statement: OpaquePointer, _ index: Int32) -> DirectSQLiteRow.Value {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite_nio_sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite_nio_sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    private func error(_ status: Int32, _ handle: OpaquePointer) -> SQLiteDirectError {
        SQLiteDirectError(status: status, message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown")
    }
}

/// SQLite copies bound values at once (`SQLITE_TRANSIENT`), so the Swift buffers may go.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// An error SQLite returned: its result code and message.
struct SQLiteDirectError: Error, CustomStringConvertible {
    let status: Int32
    let message: String
    var description: String { "SQLite error \(status): \(message)" }
    /// SQLITE_BUSY, or one of its extended codes: another connection holds the lock.
    var isBusy: Bool { status & 0xFF == SQLITE_BUSY }
}

/// One result row, its values read out of SQLite at once.
struct DirectSQLiteRow: SQLRow {
    /// A column's value as SQLite gave it; bytes as an array, so that a record takes them as they are.
    enum Value: Equatable {
        case integer(Int64)
        case float(Double)
        case text(String)
        case blob([UInt8])
        case null

        /// The value as SQLiteNIO would have read it, for `Decodable`.
        var data: SQLiteData {
            switch self {
            case .integer(let integer): .integer(SQLiteInt64(integer))
            case .float(let double): .float(double)
            case .text(let text): .text(text)
            case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
            case .null: .null
            }
        }
    }

    let columns: [String]
    let values: [Value]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    /// The column's value; `nil` when the result has no such column.
    func value(_ column: String) -> Value? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else {
            throw SQLiteDirectError(status: SQLITE_ERROR, message: "no column \(column) in the result")
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index].data)
    }
}

/// ``SQLiteDirectConnection`` through SQLKit. Its statements run at once on the calling thread,
/// which must be the connection's: the store enters it with ``ThreadExecutor/run(_:)``.
struct DirectSQLiteDatabase: SQLDatabase {
    let connection: SQLiteDirectConnection

    var logger: Logger { Logger(label: "passkeys.store") }
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    // Query logging is off: binds include ceremony IDs, which are cookie values.
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let database = self
        return eventLoop.makeFutureWithTask {
            try await database.connection.thread.run { try database.run(query) { onRow($0) } }
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query) { onRow($0) }
    }

    /// The statement's rows, read at once (on the connection's thread, as every call here).
    func rows(_ statement: BoundStatement) throws -> [any SQLRow] {
        var rows: [any SQLRow] = []
        try connection.execute(statement) { rows.append($0) }
        return rows
    }

    /// Runs an `INSERT`, `UPDATE` or `DELETE` and returns how many rows it changed.
    func changes(_ statement: BoundStatement) throws -> Int {
        try connection.execute(statement) { _ in }
        return connection.changes
    }

    /// Runs `query`: a ``BoundStatement`` as it is laid out, anything else serialized by SQLKit
    /// with its binds converted as ``SQLiteBinds/data(_:)`` converts them.
    private func run(_ query: any SQLExpression, _ onRow: (DirectSQLiteRow) -> Void) throws {
        if let statement = query as? BoundStatement { return try connection.execute(statement, onRow) }
        let (sql, binds) = serialize(query)
        try connection.execute(sql, try binds.map(SQLiteBinds.data), onRow)
    }
}

/// The values a statement binds, as SQLite data.
package enum SQLiteBinds {
    /// `value` as `SQLiteDataEncoder` converts it. The types the store binds (text, bytes, 64-bit
    /// integers, booleans) are converted here directly, as SQLiteNIO's `SQLiteDataConvertible`
    /// does; the encoder's cast of every value to that protocol and the `JSONEncoder` it makes
    /// were about 1 % of a sign-in's server CPU. Any other value goes through the encoder.
    package static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: return .text(text)
        case let bytes as Data: return .blob(ByteBuffer(data: bytes))
        case let integer as Int64: return .integer(Int(integer))
        case let integer as Int: return .integer(integer)
        case let bool as Bool: return .integer(bool ? 1 : 0)
        default: return try SQLiteDataEncoder().encode(value)
        }
    }
}
