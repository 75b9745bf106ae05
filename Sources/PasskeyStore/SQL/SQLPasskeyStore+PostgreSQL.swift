import Foundation
import PostgresKit
import SQLKit

extension SQLPasskeyStore {
    /// The connections a PostgreSQL store keeps when none is asked for.
    public static let defaultPostgresPoolSize = 10

    /// Opens a PostgreSQL database with a pool of at most `poolSize` connections, and migrates it.
    ///
    /// - Parameter schema: the schema to keep the tables in (`search_path`), made when missing;
    ///   `nil` for the user's default (`public`). Tests give each store a schema of its own.
    static func openPostgres(
        _ url: PostgresDatabaseURL, poolSize: Int, schema: String?, logger: Logger
    ) async throws -> SQLPasskeyStore {
        guard poolSize >= 1 else {
            throw StoreError(.invalidConfiguration, "the pool needs at least one connection, not \(poolSize)")
        }
        var configuration = try connectionConfiguration(url)
        configuration.coreConfiguration.options.additionalStartupParameters = [
            ("application_name", schema.map { "passkeys/" + $0 } ?? "passkeys")
        ]
        configuration.coreConfiguration.options.connectTimeout = .seconds(5)
        if let schema {
            try await createSchema(schema, configuration: configuration, logger: logger)
            configuration.searchPath = [schema]
        }
        // PostgresNIO logs a failed connection attempt as an error; while the database is down
        // that is one line per request. The store reports unavailability itself (StoreError
        // `unavailable`), and the server logs it once per request or start-up attempt. Query
        // logging is off too: binds include ceremony IDs and token hashes.
        var quiet = logger
        quiet.logLevel = .critical
        let leases = PostgresLeases(
            configuration: configuration, maximum: poolSize,
            timeout: .seconds(10), logger: quiet, on: MultiThreadedEventLoopGroup.singleton.any())
        let model = PostgresConnections(leases: leases, logger: quiet, preparesStatements: url.preparesStatements)
        return try await open(model: model, isPostgres: true)
    }

    /// `CREATE SCHEMA IF NOT EXISTS` on a connection of its own (the pool's connections set the
    /// schema as their search path when they open, so it must exist first). Two processes creating
    /// one schema at once can both pass `IF NOT EXISTS` and collide on the catalog's unique index
    /// (`23505`), so it runs in a transaction that first takes the migrations' advisory lock.
    private static func createSchema(_ schema: String, configuration: SQLPostgresConfiguration, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration,
                id: 0, logger: logger)
        } catch {
            throw storeError(error)
        }
        do {
            let db = connection.sql(queryLogLevel: nil)
            try await db.raw("BEGIN").run()
            try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Schema.migrationLockKey))").run()
            try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            try await db.raw("COMMIT").run()
        } catch {
            try? await connection.close()
            throw storeError(error)
        }
        try? await connection.close()
    }

    /// Where and how to connect: the URL's Unix-domain socket, or its host and port over TCP
    /// with the TLS of its `sslmode`.
    static func connectionConfiguration(_ url: PostgresDatabaseURL) throws(StoreError) -> SQLPostgresConfiguration {
        if let socketPath = url.socketPath {
            return SQLPostgresConfiguration(
                unixDomainSocketPath: socketPath, username: url.username, password: url.password, database: url.database)
        }
        return SQLPostgresConfiguration(
            hostname: url.host, port: url.port, username: url.username, password: url.password,
            database: url.database, tls: try tls(url))
    }

    /// The TLS settings of the URL's `sslmode`.
    static func tls(_ url: PostgresDatabaseURL) throws(StoreError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.tlsMode {
        case .disable:
            return .disable
        case .require:
            // libpq's `require`: encrypted, the certificate not checked.
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let path = url.rootCertificatePath {
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw StoreError(.invalidConfiguration, "sslrootcert \(path) cannot be read")
                }
                tls.trustRoots = .file(path)
            }
        }
        do {
            return .require(try NIOSSLContext(configuration: tls))
        } catch {
            throw StoreError(.invalidConfiguration, "the TLS settings cannot be used: \(error)")
        }
    }

    /// Whether a driver error means the database cannot be reached now (down, restarting, out of
    /// connections, the network gone) rather than that a statement is wrong.
    static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                // A certificate that does not verify is a setting to fix, not an outage to wait out.
                return !(error.underlying is NIOSSLError)
            case .server:
                // Class 08: connection exception; 57P01–57P03: the server is shutting down or
                // starting; 53300: too many connections.
                guard let state = error.serverInfo?[.sqlState] else { return false }
                // 0A000 and 26000: a prepared statement gone stale, whose connection is being
                // closed (PreparedPostgresStatement.isStale), so the next try gets a new one.
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
                    || PreparedPostgresStatement.isStale(error)
            default:
                return false
            }
        case is ConnectionPoolTimeoutError:
            return true
        case let error as ChannelError:
            return error == .ioOnClosedChannel || error == .alreadyClosed || error == .eof
        case is IOError:
            return true
        case is NIOSSLError:
            return false
        default:
            return false
        }
    }

    /// What a driver error says, without the statement or its binds.
    /// Whether PostgreSQL ended the transaction to let another go on and it may simply run again:
    /// 40P01 (deadlock detected) or 40001 (serialization failure).
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server, let state = error.serverInfo?[.sqlState] else {
            return false
        }
        return state == "40P01" || state == "40001"
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        var text = "PostgreSQL \(error.code)"
        if let state = error.serverInfo?[.sqlState] { text += " \(state)" }
        if let message = error.serverInfo?[.message] { text += ": \(message)" }
        if let underlying = error.underlying { text += ": \(underlying)" }
        return text
    }
}

extension SQLPasskeyStore {
    /// Opens `url` with its tables in `schema` (made when missing), for tests that give every
    /// store a fresh schema on one database.
    package static func openPostgres(url: String, schema: String, poolSize: Int = 2) async throws -> SQLPasskeyStore {
        try await openPostgres(PostgresDatabaseURL(url), poolSize: poolSize, schema: schema, logger: Logger(label: "passkeys.store"))
    }

    /// Drops `schema` and everything in it.
    package static func dropPostgresSchema(url: String, schema: String) async throws {
        try await withAdministrativeConnection(url: url) { db in
            try await db.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        }
    }

    /// Ends the server sessions of the stores opened in `schema`, as a database restart would;
    /// returns how many it ended.
    package static func terminateConnections(url: String, schema: String) async throws -> Int {
        try await withAdministrativeConnection(url: url) { db in
            try await db.raw("""
                SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
                WHERE application_name = \(bind: "passkeys/" + schema) AND pid <> pg_backend_pid()
                """).all().count
        }
    }

    /// The client address PostgreSQL sees for each connection of the stores opened in `schema`:
    /// `nil` for one through a Unix-domain socket.
    package static func connectionAddresses(url: String, schema: String) async throws -> [String?] {
        try await withAdministrativeConnection(url: url) { db in
            try await db.raw("""
                SELECT host(client_addr) AS address FROM pg_stat_activity \
                WHERE application_name = \(bind: "passkeys/" + schema) AND pid <> pg_backend_pid()
                """).all().map { try $0.decodeNil(column: "address") ? nil : $0.decode(column: "address", as: String.self) }
        }
    }

    private static func withAdministrativeConnection<R: Sendable>(
        url: String, _ body: (any SQLDatabase) async throws -> R
    ) async throws -> R {
        let configuration = try connectionConfiguration(PostgresDatabaseURL(url))
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration,
            id: 0, logger: Logger(label: "passkeys.store"))
        let result: R
        do {
            result = try await body(connection.sql(queryLogLevel: nil))
        } catch {
            try? await connection.close()
            throw storeError(error)
        }
        try await connection.close()
        return result
    }
}
