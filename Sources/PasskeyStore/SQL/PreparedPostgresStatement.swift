import NIOCore
import PostgresNIO
import Synchronization

/// A ``BoundStatement`` run on PostgreSQL as a named prepared statement: PostgresNIO parses it
/// once per connection (`Parse` and `Describe` on first use) and from then on sends only `Bind`
/// and `Execute`, so PostgreSQL neither parses nor, once it settles on a generic plan after five
/// runs, plans it again. On the sign-in load that took more than half of the PostgreSQL
/// backends' CPU per sign-in (docs/performance.md, lever 41).
///
/// PostgresNIO names, writes and types a prepared statement through static requirements of its
/// `PostgresPreparedStatement` protocol, read once, synchronously, when `execute(_:logger:)`
/// starts. The store's statements are built at run time, so ``run(_:on:logger:)`` gives this one
/// type its name, text and parameter types for the length of that call, in a task-local value.
struct PreparedPostgresStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow

    /// What the static requirements answer for the call under way.
    struct Form: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal private static var form = Form(name: "", sql: "", types: [])

    static var name: String { form.name }
    static var sql: String { form.sql }
    static var bindingDataTypes: [PostgresDataType] { form.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// Runs `query` (``BoundStatement/postgresQuery`` of a statement whose binds have these
    /// `types`) on `connection` as a prepared statement, and collects its rows.
    static func run(
        _ query: PostgresQuery, types: [PostgresDataType], on connection: PostgresConnection, logger: Logger
    ) async throws -> [PostgresRow] {
        let form = Form(name: Names.shared.name(sql: query.sql, types: types), sql: query.sql, types: types)
        let rows = try await $form.withValue(form) {
            try await connection.execute(PreparedPostgresStatement(bindings: query.binds), logger: logger)
        }
        var collected: [PostgresRow] = []
        for try await row in rows { collected.append(row) }
        return collected
    }

    /// One name for each text and parameter types, the same on every connection of the process
    /// (a connection prepares a name the first time it runs it). The types are part of the key:
    /// PostgreSQL fixes a prepared statement's parameter types when it parses it.
    final class Names: Sendable {
        static let shared = Names()

        private struct Key: Hashable {
            var sql: String
            var types: [UInt32]
        }

        private let names = Mutex<[Key: String]>([:])

        func name(sql: String, types: [PostgresDataType]) -> String {
            let key = Key(sql: sql, types: types.map(\.rawValue))
            return names.withLock { names in
                if let name = names[key] { return name }
                let name = "passkeys_\(names.count + 1)"
                names[key] = name
                return name
            }
        }

        /// How many forms have a name (each is at most one prepared statement per connection).
        var count: Int { names.withLock { $0.count } }
    }

    /// Whether `error` says a connection's prepared statement no longer stands: PostgreSQL's
    /// `0A000` (`cached plan must not change result type`, after the table behind it changed) or
    /// `26000` (the statement is gone: a pooler between the two ended the session). The next try,
    /// on a new connection, prepares it again, so the store reports it as unavailable (`503`).
    static func isStale(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == "0A000" || state == "26000"
    }

    /// Whether a prepared statement's connection is to be closed after `error`: the statement is
    /// stale (``isStale(_:)``), or PostgreSQL refused its text (class `42`, such as a column that
    /// is not there). PostgresNIO keeps a statement once prepared, and a statement whose
    /// preparation failed keeps failing, for as long as the connection lives; a new connection
    /// starts afresh. Errors of running it (a constraint, a serialization failure) leave the
    /// connection as it is.
    static func closesConnection(_ error: any Error) -> Bool {
        isStale(error) || sqlState(error)?.hasPrefix("42") == true
    }

    /// Whether `error` is PostgreSQL's `23505` (a unique constraint refused a row): the statement
    /// failed as a whole and wrote nothing.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        sqlState(error) == "23505"
    }

    private static func sqlState(_ error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }
}

extension BoundStatement.Value {
    /// The PostgreSQL type this value is bound as (``BoundStatement/postgresQuery``); `nil` for a
    /// value only `Encodable`.
    var postgresType: PostgresDataType? {
        switch self {
        case .text: .text
        case .bytes: .bytea
        case .integer: .int8
        case .bool: .bool
        case .encodable: nil
        }
    }
}
