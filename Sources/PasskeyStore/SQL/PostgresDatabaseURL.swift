import Foundation

/// A PostgreSQL database as `--database` names it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full][&sslrootcert=PATH]`
/// (`postgresql://` too).
///
/// The TLS modes mean what they mean to libpq: `disable` (the default) speaks plain TCP;
/// `require` encrypts but does not check who answers; `verify-full` encrypts and checks the
/// server's certificate chain (against the system's roots, or `sslrootcert`) and that it names
/// `HOST`.
public struct PostgresDatabaseURL: Sendable, Hashable {
    /// How the connection is protected.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP: for loopback or a private network only.
        case disable
        /// TLS without checking the certificate: protects against listeners, not against a
        /// machine in the middle.
        case require
        /// TLS with the certificate chain and host name checked.
        case verifyFull = "verify-full"
    }

    /// The role to connect as (percent-decoded).
    public var username: String
    /// Its password (percent-decoded), if the URL has one.
    public var password: String?
    /// A host name or IP address (an IPv6 address without its brackets).
    public var host: String
    /// The TCP port; 5432 when the URL names none.
    public var port: Int
    /// The database to connect to.
    public var database: String
    /// How the connection is protected (`sslmode`).
    public var tlsMode: TLSMode
    /// PEM roots to check the server's certificate with instead of the system's (`verify-full`).
    public var rootCertificatePath: String?

    /// Whether `url` names a PostgreSQL database (by its scheme), well formed or not.
    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// Parses a database URL.
    ///
    /// - Throws: ``StoreError/Code-swift.struct/invalidConfiguration`` naming what is wrong.
    public init(_ url: String) throws(StoreError) {
        func invalid(_ problem: String) -> StoreError {
            StoreError(.invalidConfiguration, "\(Self.redact(url)): \(problem); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full]")
        }
        guard Self.isPostgres(url), let components = URLComponents(string: url) else {
            throw invalid("not a postgres:// URL")
        }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw invalid("no user name")
        }
        guard var host = components.host, !host.isEmpty else { throw invalid("no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/"), let decodedDatabase = database.removingPercentEncoding else {
            throw invalid("no database name (…/DB)")
        }
        if let port = components.port, !(1...65535).contains(port) { throw invalid("the port must be 1 to 65535") }
        guard components.fragment == nil else { throw invalid("a URL fragment is not allowed") }

        var tlsMode = TLSMode.disable
        var rootCertificatePath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw invalid("sslmode must be disable, require or verify-full, not \"\(item.value ?? "")\"")
                }
                tlsMode = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw invalid("sslrootcert names no file") }
                rootCertificatePath = value
            default:
                throw invalid("unknown parameter \"\(item.name)\"")
            }
        }
        if rootCertificatePath != nil, tlsMode != .verifyFull {
            throw invalid("sslrootcert needs sslmode=verify-full (no other mode checks the certificate)")
        }
        self.username = user
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        self.host = host
        self.port = components.port ?? 5432
        self.database = decodedDatabase
        self.tlsMode = tlsMode
        self.rootCertificatePath = rootCertificatePath
    }

    /// The URL with its password replaced by `***`, fit for logs and error messages.
    public static func redact(_ url: String) -> String {
        guard isPostgres(url), var components = URLComponents(string: url), components.percentEncodedPassword != nil else {
            return url
        }
        components.percentEncodedPassword = "***"
        return components.string ?? url
    }
}
