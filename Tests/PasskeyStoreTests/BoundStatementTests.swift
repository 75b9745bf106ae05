import Foundation
import Logging
import NIOCore
import NIOPosix
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

    @Test("Each kind of bind reaches SQLite as SQLKit's conversion would give it")
    func sqliteBindsByKind() throws {
        let none: [UInt8]? = nil
        let bytes: [UInt8]? = [0, 255]
        let noText: String? = nil
        let count: Int64 = -3
        let plain = 42
        let statement: BoundStatement = """
            INSERT INTO t VALUES (\(bind: "é"), \(bytes: [1, 2]), \(bind: count), \(bind: true), \(bind: false), \
            \(bind: plain), \(bind: 1.5), \(optionalBytes: bytes), \(optionalBytes: none), \(optional: "x"), \(optional: noText))
            """
        #expect(statement.sqliteText == "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL)")
        let direct = try statement.sqliteBinds()
        let converted = try statement.binds.map(SQLiteBinds.data)
        #expect(direct == converted)
        #expect(direct == [
            .text("é"), .blob(ByteBuffer(bytes: [1, 2])), .integer(-3), .integer(1), .integer(0), .integer(42), .float(1.5),
            .blob(ByteBuffer(bytes: [0, 255])), .text("x"),
        ])
    }
}
