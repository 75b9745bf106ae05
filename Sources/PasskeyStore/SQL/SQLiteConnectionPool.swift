import Foundation
import SQLKit
import SQLiteKit

extension SQLPasskeyStore {
    /// A store on a pool of `connections` SQLite connections to one file: the connection model of
    /// PostgreSQL (transactions through `withSession`, statements on any connection), run on
    /// SQLite so the contract suite covers it. Not the server's default; see ``open(url:poolSize:logger:)``.
    package static func openPooledSQLite(path: String, connections: Int) async throws -> SQLPasskeyStore {
        let pool = try await SQLiteConnectionPool.open(path: path, size: connections)
        return try await open(pooled: pool.database, shutdown: { try await pool.close() })
    }
}

/// A fixed set of SQLite connections to one file, handed out one request at a time.
///
/// Its blocking calls run on a thread pool with a thread per connection, so a connection waiting
/// for SQLite's write lock (busy timeout) never keeps the lock's holder from a thread.
final class SQLiteConnectionPool: Sendable {
    private let connections: [SQLiteConnection]
    private let threadPool: NIOThreadPool
    private let idle: IdleConnections

    private init(connections: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.connections = connections
        self.threadPool = threadPool
        self.idle = IdleConnections(connections)
    }

    static func open(path: String, size: Int) async throws -> SQLiteConnectionPool {
        let threadPool = NIOThreadPool(numberOfThreads: max(size, 1))
        threadPool.start()
        var opened: [SQLiteConnection] = []
        do {
            for _ in 0..<max(size, 1) {
                let connection: SQLiteConnection = try await SQLiteConnection.open(
                    storage: .file(path: path),
                    threadPool: threadPool,
                    on: MultiThreadedEventLoopGroup.singleton.any()
                )
                opened.append(connection)
                let _: [SQLiteRow] = try await connection.query("PRAGMA busy_timeout = 5000")
                let _: [SQLiteRow] = try await connection.query("PRAGMA foreign_keys = ON")
            }
            let _: [SQLiteRow] = try await opened[0].query("PRAGMA journal_mode = WAL")
        } catch {
            for connection in opened {
                try? await connection.close()
            }
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return SQLiteConnectionPool(connections: opened, threadPool: threadPool)
    }

    /// The pool as an `SQLDatabase`.
    var database: any SQLDatabase { PooledSQLiteDatabase(pool: self) }

    func withConnection<R>(_ body: (SQLiteConnection) async throws -> R) async throws -> R {
        let connection = await idle.take()
        do {
            let result = try await body(connection)
            await idle.give(connection)
            return result
        } catch {
            await idle.give(connection)
            throw error
        }
    }

    /// Closes every connection in a task of its own, so a cancelled caller cannot skip it (see
    /// ``SQLPasskeyStore/open(url:poolSize:logger:)``).
    func close() async throws {
        let connections = connections, threadPool = threadPool
        try await Task.detached {
            for connection in connections {
                try? await connection.close()
            }
            try await threadPool.shutdownGracefully()
        }.value
    }

    private actor IdleConnections {
        private var idle: [SQLiteConnection]
        private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []

        init(_ connections: [SQLiteConnection]) {
            self.idle = connections
        }

        func take() async -> SQLiteConnection {
            if let connection = idle.popLast() { return connection }
            return await withCheckedContinuation { waiters.append($0) }
        }

        func give(_ connection: SQLiteConnection) {
            if waiters.isEmpty {
                idle.append(connection)
            } else {
                waiters.removeFirst().resume(returning: connection)
            }
        }
    }
}

/// ``SQLiteConnectionPool`` through SQLKit: each statement borrows a connection, and a session
/// keeps one connection for its whole closure.
private struct PooledSQLiteDatabase: SQLDatabase {
    let pool: SQLiteConnectionPool

    var logger: Logger { Logger(label: "passkeys.store.pool") }
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await pool.withConnection { connection in
            try await connection.sql(queryLogLevel: nil).execute(sql: query, onRow)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await pool.withConnection { connection in
            try await closure(connection.sql(queryLogLevel: nil))
        }
    }
}
