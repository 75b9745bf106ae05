import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Testing

@testable import PasskeyStore

/// `BoundStatement` serializes as an `SQLQueryString` with the same interpolations does, in any
/// dialect, and lays out SQLite's text and binds for the store's own connection.
@Suite("Bound statements")
struct BoundStatementTests {
    /// A database that only serializes, in the dialect given.
    struct Serializing: SQLDatabase {
        let dialect: any SQLDialect
        var logger: Logger { Logger(label: "test") }
        var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
        func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
            eventLoop.makeSucceededVoidFuture()
        }
    }

    /// PostgreSQL's placeholders: `$1`, `$2`, …
    struct Numbered: SQLDialect {
        var name: String { "numbered" }
        var identifierQuote: any SQLExpression { SQLRaw("\"") }
        var literalStringQuote: any SQLExpression { SQLRaw("'") }
        var supportsAutoIncrement: Bool { false }
        var autoIncrementClause: any SQLExpression { SQLRaw("") }
        func bindPlaceholder(at position: Int) -> any SQLExpression { SQLRaw("$\(position)") }
        func literalBoolean(_ value: Bool) -> any SQLExpression { SQLRaw(value ? "true" : "false") }
    }

    static func texts(_ bound: BoundStatement, _ query: SQLQueryString, in dialect: any SQLDialect) -> (bound: String, query: String, binds: [String], queryBinds: [String]) {
        let db = Serializing(dialect: dialect)
        let a = db.serialize(bound)
        let b = db.serialize(query)
        return (a.sql, b.sql, a.binds.map { "\($0)" }, b.binds.map { "\($0)" })
    }

    @Test("The same SQL and binds as SQLQueryString, in SQLite's dialect and a numbered one")
    func sameAsSQLQueryString() {
        let id: [UInt8] = [1, 2, 3]
        let count: Int64 = 7
        let none: String? = nil
        let grows: BoundStatement = "sign_count < \(bind: count)"
        let growsQuery: SQLQueryString = "sign_count < \(bind: count)"
        let bound: BoundStatement = """
            UPDATE credentials SET sign_count = \(bind: count), name = \(optional: none), ip = \(optional: "10.0.0.1") \
            WHERE id = \(bytes: id) AND \(grows) AND note = 'why?' RETURNING *
            """
        let query: SQLQueryString = """
            UPDATE credentials SET sign_count = \(bind: count), name = \(Column.optional(none)), ip = \(Column.optional("10.0.0.1")) \
            WHERE id = \(Column.bytes(id)) AND \(growsQuery) AND note = 'why?' RETURNING *
            """
        for dialect: any SQLDialect in [SQLiteDialect(), Numbered()] {
            let texts = Self.texts(bound, query, in: dialect)
            #expect(texts.bound == texts.query)
            #expect(texts.binds == texts.queryBinds)
        }
        #expect(Self.texts(bound, query, in: Numbered()).bound.contains("sign_count = $1, name = NULL, ip = $2"))
        #expect(Self.texts(bound, query, in: Numbered()).bound.contains("id = $3 AND sign_count < $4 AND note = 'why?'"))
    }

    @Test("SQLite's text has a ? for each bind, and none taken from the text itself")
    func sqliteLayout() {
        let statement: BoundStatement = "SELECT '?' AS mark, id FROM t WHERE a = \(bind: "x") AND b = \(bytes: [9])"
        #expect(statement.sqliteText == "SELECT '?' AS mark, id FROM t WHERE a = ? AND b = ?")
        #expect(statement.binds.count == 2)
        #expect(statement.binds.first as? String == "x")
        #expect(statement.binds.last as? Data == Data([9]))
        let plain: BoundStatement = "DELETE FROM t"
        #expect(plain.sqliteText == "DELETE FROM t")
        #expect(plain.binds.isEmpty)
        #expect(Self.texts(plain, "DELETE FROM t", in: Numbered()).bound == "DELETE FROM t")
        // The literal '?' stays text under a numbered dialect too.
        #expect(Self.texts(statement, "SELECT '?' AS mark, id FROM t WHERE a = \(bind: "x") AND b = \(Column.bytes([9]))", in: Numbered()).bound
            == "SELECT '?' AS mark, id FROM t WHERE a = $1 AND b = $2")
    }

    @Test("Each kind of bind reaches SQLite as SQLKit's conversion would give it, and reads back as it went in")
    func sqliteBindsByKind() async throws {
        let none: [UInt8]? = nil
        let bytes: [UInt8]? = [0, 255]
        let noText: String? = nil
        let count: Int64 = -3
        let plain = 42
        let long = String(repeating: "long text ", count: 10)
        let statement: BoundStatement = """
            SELECT \(bind: "é") AS a, \(bytes: [1, 2]) AS b, \(bind: count) AS c, \(bind: true) AS d, \(bind: false) AS e, \
            \(bind: plain) AS f, \(bind: 1.5) AS g, \(optionalBytes: bytes) AS h, \(optionalBytes: none) AS i, \
            \(optional: "x") AS j, \(optional: noText) AS k, \(bytes: []) AS l, \(bind: "") AS m, \
            typeof(\(bytes: [])) AS n, typeof(\(bind: "")) AS o, \(bind: long) AS p
            """
        #expect(statement.sqliteText == """
            SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f, ? AS g, ? AS h, NULL AS i, ? AS j, NULL AS k, \
            ? AS l, ? AS m, typeof(?) AS n, typeof(?) AS o, ? AS p
            """)
        let connection = try await SQLiteDirectConnection.open(path: nil)
        defer { Task { try? await connection.close() } }
        let (direct, converted) = try await connection.thread.run {
            var direct: [DirectSQLiteRow] = []
            try connection.execute(statement) { direct.append($0) }
            // The same text with SQLKit's conversion of each bind.
            var converted: [DirectSQLiteRow] = []
            try connection.execute(statement.sqliteText, try statement.binds.map(SQLiteBinds.data)) { converted.append($0) }
            return (direct, converted)
        }
        #expect(direct.count == 1)
        #expect(direct.map(\.values) == converted.map(\.values))
        #expect(direct.first?.values == [
            .text("é"), .blob([1, 2]), .integer(-3), .integer(1), .integer(0), .integer(42), .float(1.5),
            .blob([0, 255]), .null, .text("x"), .null, .blob([]), .text(""), .text("blob"), .text("text"), .text(long),
        ])
        #expect(direct.first?.columns == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"])
        // Read through `Decodable`, as any other driver's row.
        let row = try #require(direct.first)
        #expect(try row.decode(column: "b", as: Data.self) == Data([1, 2]))
        #expect(try row.decode(column: "c", as: Int64.self) == -3)
        #expect(try row.decode(column: "a", as: String.self) == "é")
        #expect(try row.decodeNil(column: "i"))
        #expect(try RowReader(row: row).bytes("l") == [])
    }

    @Test("PostgreSQL's text numbers the binds as postgres-kit would, and none is taken from the text")
    func postgresLayout() throws {
        let id: [UInt8] = [1, 2, 3]
        let count: Int64 = 7
        let none: String? = nil
        let grows: BoundStatement = "sign_count < \(bind: count)"
        let statement: BoundStatement = """
            UPDATE credentials SET sign_count = \(bind: count), name = \(optional: none), ip = \(optional: "10.0.0.1") \
            WHERE id = \(bytes: id) AND \(grows) AND note = 'why? é' AND ok = \(bind: true) RETURNING *
            """
        let numbered = Self.texts(statement, "\(statement)", in: Numbered()).bound
        #expect(statement.postgresText == numbered)
        #expect(statement.postgresText == """
            UPDATE credentials SET sign_count = $1, name = NULL, ip = $2 \
            WHERE id = $3 AND sign_count < $4 AND note = 'why? é' AND ok = $5 RETURNING *
            """)
        // Each value bound as its own type, in order.
        var expected = PostgresBindings()
        expected.append(count)
        expected.append("10.0.0.1")
        expected.append(ByteBuffer(bytes: id))
        expected.append(count)
        expected.append(true)
        let query = try #require(statement.postgresQuery)
        #expect(query.sql == statement.postgresText)
        #expect(query.binds == expected)

        // Ten binds and more: two digits; none at all: the text as it is.
        var many: BoundStatement = "SELECT \(bind: "a")"
        for number in 2...12 { many.appendInterpolation(", \(bind: Int64(number))" as BoundStatement) }
        #expect(many.postgresText == "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12")
        #expect(many.postgresQuery?.binds.count == 12)
        let plain: BoundStatement = "SELECT '?', 1 -- ?"
        #expect(plain.postgresText == "SELECT '?', 1 -- ?")
        #expect(plain.postgresQuery?.binds.count == 0)
        // A value that is only `Encodable` is left to postgres-kit.
        let plainInt = 42
        let encodable: BoundStatement = "SELECT \(bind: plainInt)"
        #expect(encodable.postgresQuery == nil)
    }

    @Test(
        "Each kind of bind reaches PostgreSQL as postgres-kit binds it, and reads back as it went in",
        .enabled(if: Backend.postgresURL != nil))
    func postgresBindsByKind() async throws {
        let none: [UInt8]? = nil
        let bytes: [UInt8]? = [0, 255]
        let noText: String? = nil
        let count: Int64 = -3
        let long = String(repeating: "long text ", count: 10)
        let statement: BoundStatement = """
            SELECT \(bind: "é") AS a, \(bytes: [1, 2]) AS b, \(bind: count) AS c, \(bind: true) AS d, \(bind: false) AS e, \
            \(optionalBytes: bytes) AS h, \(optionalBytes: none) AS i, \(optional: "x") AS j, \(optional: noText) AS k, \
            \(bytes: []) AS l, \(bind: "") AS m, pg_typeof(\(bytes: []))::text AS n, pg_typeof(\(bind: ""))::text AS o, \
            pg_typeof(\(bind: count))::text AS q, pg_typeof(\(bind: true))::text AS r, \(bind: long) AS p
            """
        try await withPostgresSchema { open in
            let store = try await open()
            defer { Task { try? await store.shutdown() } }
            try await store.model.withDatabase { db in
                #expect(db is DirectPostgresDatabase)
                let direct = try #require(try await db.first(statement))
                #expect(direct is DirectPostgresRow)
                let reader = RowReader(row: direct)
                // The same statement through postgres-kit, its binds converted by `Codable` and its
                // row read through `Decodable`, reads the same.
                let kitQuery: SQLQueryString = "\(statement)"
                let kit = try #require(try await db.raw(kitQuery).first())
                #expect(!(kit is DirectPostgresRow))
                let kitReader = RowReader(row: kit)
                for column in ["a", "j", "m", "n", "o", "q", "r", "p"] {
                    #expect(try reader.string(column) == kitReader.string(column))
                }
                for column in ["b", "h", "l"] { #expect(try reader.bytes(column) == kitReader.bytes(column)) }
                for column in ["d", "e"] { #expect(try reader.bool(column) == kitReader.bool(column)) }
                #expect(try reader.int64("c") == kitReader.int64("c"))
                for column in ["h", "i", "k", "l", "m"] { #expect(try reader.isNull(column) == kitReader.isNull(column)) }
                #expect(try reader.string("a") == "é")
                #expect(try reader.bytes("b") == [1, 2])
                #expect(try reader.int64("c") == -3)
                #expect(try reader.bool("d"))
                #expect(try !reader.bool("e"))
                #expect(try reader.bytes("h") == [0, 255])
                #expect(try reader.isNull("i"))
                #expect(try !reader.isNull("h"))
                #expect(try reader.string("j") == "x")
                #expect(try reader.isNull("k"))
                #expect(try reader.bytes("l") == [])
                #expect(try !reader.isNull("l"))
                #expect(try reader.string("m") == "")
                #expect(try !reader.isNull("m"))
                #expect(try reader.string("n") == "bytea")
                #expect(try reader.string("o") == "text")
                #expect(try reader.string("q") == "bigint")
                #expect(try reader.string("r") == "boolean")
                #expect(try reader.string("p") == long)
                #expect(try reader.isNull("no such column"))
                // A column that is not there, or not of the type asked for, is refused.
                #expect(throws: (any Error).self) { try reader.int64("no such column") }
                #expect(throws: (any Error).self) { try reader.int64("a") }
                #expect(throws: (any Error).self) { try reader.bool("c") }
                #expect(throws: (any Error).self) { try reader.bytes("i") }
                // Through `Decodable`, as postgres-kit's rows read.
                #expect(try direct.decode(column: "b", as: Data.self) == Data([1, 2]))
                #expect(try direct.decode(column: "c", as: Int64.self) == -3)
                #expect(try direct.decode(column: "a", as: String.self) == "é")
                #expect(try direct.decodeNil(column: "i"))
                #expect(direct.allColumns == ["a", "b", "c", "d", "e", "h", "i", "j", "k", "l", "m", "n", "o", "q", "r", "p"])

                // A value only `Encodable` goes through postgres-kit on the same connection.
                let plain = 42
                let converted = try #require(try await db.first("SELECT \(bind: plain) AS f, pg_typeof(\(bind: plain)) AS t"))
                #expect(!(converted is DirectPostgresRow))
                #expect(try RowReader(row: converted).int64("f") == 42)
            }
        }
    }
}
