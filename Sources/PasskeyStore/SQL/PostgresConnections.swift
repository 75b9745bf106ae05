import Foundation
import Logging
import NIOCore
import PostgresKit
import SQLKit
import Synchronization

/// PostgreSQL's connection model: each operation leases one connection from the store's pool
/// (``PostgresLeases``) and gives it back when it ends (one lease per operation, not per
/// statement), and the store's own statements (``BoundStatement``) run on it through PostgresNIO
/// directly.
///
/// Why not `SQLDatabase.withSession` and SQLKit for every statement, as before (docs/performance.md,
/// lever 38): postgres-kit's session starts a task of its own for every lease, its statements are
/// serialized again on every call and each bind and each column read goes through `Codable`'s
/// dynamic casts (`PostgresDataTranslation`), and each row builds its column table for every value
/// read. Here a statement is written as PostgresNIO takes it (``BoundStatement/postgresQuery``),
/// its values bound as their own types, and a row's values read as their types
/// (``DirectPostgresRow``); anything else (SQLKit's builders, a statement with a value only
/// `Encodable`) runs through postgres-kit on the same connection, as before.
final class PostgresConnections: SQLConnectionModel {
    private let leases: PostgresLeases
    private let logger: Logger
    private let isShutDown = Mutex(false)
    private let preparesStatements: Bool

    /// - Parameter logger: for the connections' queries (the store keeps it quiet: binds include
    ///   ceremony IDs and token hashes).
    ///   - preparesStatements: whether statements marked ``BoundStatement/prepared()`` run as
    ///     prepared statements (the database URL's `prepared_statements`, on by default).
    init(leases: PostgresLeases, logger: Logger, preparesStatements: Bool = true) {
        self.leases = leases
        self.logger = logger
        self.preparesStatements = preparesStatements
    }

    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leased { try await body($0) }
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leased { try await Self.runTransaction(on: $0, body) }
    }

    /// Runs `body` on a connection of the pool's, given back however `body` ends.
    private func leased<R: Sendable>(_ body: (DirectPostgresDatabase) async throws -> R) async throws -> R {
        let connection = try await leases.lease()
        do {
            let result = try await body(
                DirectPostgresDatabase(connection: connection, logger: logger, preparesStatements: preparesStatements))
            leases.release(connection)
            return result
        } catch {
            // A connection that failed as a lost one (the server ended it, the network dropped it)
            // may not know it is closed yet: it is closed now, so the pool opens a new one rather
            // than handing it to the next caller.
            if SQLPasskeyStore.isUnavailable(error) { try? await connection.close() }
            leases.release(connection)
            throw error
        }
    }

    func shutdown() async throws {
        guard isShutDown.markDone() else { return }
        await leases.close()
    }
}

/// One leased PostgreSQL connection through SQLKit: a ``BoundStatement`` whose values have types
/// of their own runs through PostgresNIO at once and gives ``DirectPostgresRow``s; anything else
/// runs through postgres-kit's `SQLDatabase` of the same connection.
struct DirectPostgresDatabase: SQLDatabase {
    let connection: PostgresConnection
    let logger: Logger
    /// Whether a statement marked ``BoundStatement/prepared()`` runs as a prepared statement.
    var preparesStatements = true

    /// postgres-kit's database of this connection, without query logging.
    private var kit: some SQLDatabase { connection.sql(queryLogLevel: nil, logger: logger) }

    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        kit.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        if let statement = query as? BoundStatement, let postgres = statement.postgresQuery {
            for row in try await rows(postgres, of: statement) { onRow(row) }
            return
        }
        try await kit.execute(sql: query, onRow)
    }

    /// The query's rows, all of them (the result is collected on the connection's event loop and
    /// handed over once).
    func rows(_ query: PostgresQuery) async throws -> [DirectPostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
        return try await result.get().rows.map(DirectPostgresRow.init)
    }

    /// `statement`'s rows (`query` is its ``BoundStatement/postgresQuery``): as a prepared
    /// statement when it is marked so and this database prepares statements, otherwise as
    /// ``rows(_:)`` runs it.
    func rows(_ query: PostgresQuery, of statement: BoundStatement) async throws -> [DirectPostgresRow] {
        guard statement.isPrepared, preparesStatements else { return try await rows(query) }
        let types = statement.values.compactMap(\.postgresType)
        do {
            return try await PreparedPostgresStatement.run(query, types: types, on: connection, logger: logger)
                .map(DirectPostgresRow.init)
        } catch where PreparedPostgresStatement.closesConnection(error) {
            // PostgresNIO keeps the statement (or its failed preparation) for this connection's
            // life; a new connection prepares it again. The pool drops a closed connection.
            connection.close().whenComplete { _ in }
            throw error
        }
    }
}

/// A row of ``DirectPostgresDatabase``: its cells by column name, for ``RowReader`` to read as the
/// types the schema gives them; `Decodable` reads go through postgres-kit's row as before.
struct DirectPostgresRow: SQLRow {
    let row: PostgresRow
    private let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    /// The column's cell; `nil` when the result has no such column.
    func cell(_ column: String) -> PostgresCell? {
        cells.contains(column) ? cells[column] : nil
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        cell(column)?.bytes == nil
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try row.sql().decode(column: column, as: D.self)
    }
}

extension BoundStatement {
    /// The statement as PostgresNIO runs it: `$1`, `$2`, … where the binds go, each value bound as
    /// its own type (text, `bytea`, `int8`, `bool`: as postgres-kit binds a `String`, `Data`,
    /// `Int64` and `Bool`). `nil` when a value is only `Encodable` (postgres-kit converts it).
    var postgresQuery: PostgresQuery? {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .integer(let integer): bindings.append(integer)
            case .bool(let bool): bindings.append(bool)
            case .encodable: return nil
            }
        }
        return PostgresQuery(unsafeSQL: postgresText, binds: bindings)
    }
}
