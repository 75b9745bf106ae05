import Foundation

/// A PostgreSQL database as `--database` names it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full][&sslrootcert=PATH][&prepared_statements=on|off]`
/// (`postgresql://` too).
///
/// A PostgreSQL server on the same machine can be reached through its Unix-domain socket
/// instead of TCP, named as libpq names it: the socket's directory as the `host` parameter,
/// `postgres://USER@/DB?host=/run/postgresql` (or percent-encoded in the host's place,
/// `postgres://USER@%2Frun%2Fpostgresql/DB`); the socket is `DIR/.s.PGSQL.PORT`. Such a
/// connection never leaves the machine and costs the server less CPU than loopback TCP; TLS does
/// not apply to it, so an `sslmode` other than `disable` is refused rather than ignored.
///
/// The TLS modes mean what they mean to libpq: `disable` (the default) speaks plain TCP;
/// `require` encrypts but does not check who answers; `verify-full` encrypts and checks the
/// server's certificate chain (against the system's roots, or `sslrootcert`) and that it names
/// `HOST`.
///
/// `prepared_statements=off` runs every statement unprepared, for a pooler that does not keep a
/// session's prepared statements (``preparesStatements``).
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
    /// A host name or IP address (an IPv6 address without its brackets); empty when the URL
    /// names a Unix-domain socket (``socketDirectory``).
    public var host: String
    /// The TCP port, or the number in the socket's name; 5432 when the URL names none.
    public var port: Int
    /// The directory of the server's Unix-domain socket (`host=/DIR`), when the connection goes
    /// through it rather than TCP.
    public var socketDirectory: String?
    /// The database to connect to.
    public var database: String
    /// How the connection is protected (`sslmode`).
    public var tlsMode: TLSMode
    /// PEM roots to check the server's certificate with instead of the system's (`verify-full`).
    public var rootCertificatePath: String?
    /// Whether the store's hot statements run as prepared statements (`prepared_statements=on`,
    /// the default), parsed and planned once per connection. `prepared_statements=off` is for a
    /// pooler between the server and PostgreSQL that hands one session's statements to another
    /// (PgBouncer in transaction mode without its `max_prepared_statements`).
    public var preparesStatements: Bool

    /// The socket's path when the URL names a Unix-domain socket: `DIR/.s.PGSQL.PORT`, as the
    /// PostgreSQL server names it.
    public var socketPath: String? {
        socketDirectory.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + ".s.PGSQL.\(port)" }
    }

    /// Whether `url` names a PostgreSQL database (by its scheme), well formed or not.
    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// Parses a database URL.
    ///
    /// - Throws: ``StoreError/Code-swift.struct/invalidConfiguration`` naming what is wrong.
    public init(_ url: String) throws(StoreError) {
        func invalid(_ problem: String) -> StoreError {
            StoreError(.invalidConfiguration, "\(Self.redact(url)): \(problem); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full] or postgres://USER[:PASSWORD]@/DB?host=/SOCKET-DIRECTORY")
        }
        guard Self.isPostgres(url), let components = URLComponents(string: url) else {
            throw invalid("not a postgres:// URL")
        }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw invalid("no user name")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // libpq's way to name a socket in the host's place: its directory, percent-encoded
        // (`URLComponents` gives the host decoded).
        var socketDirectory: String?
        if host.hasPrefix("/") {
            socketDirectory = host
            host = ""
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/"), let decodedDatabase = database.removingPercentEncoding else {
            throw invalid("no database name (…/DB)")
        }
        if let port = components.port, !(1...65535).contains(port) { throw invalid("the port must be 1 to 65535") }
        // A port `URLComponents` cannot hold (past Int's range) reads as none; it is not 5432.
        if components.port == nil, let range = components.rangeOfPort, !url[range].isEmpty {
            throw invalid("the port must be 1 to 65535")
        }
        guard components.fragment == nil else { throw invalid("a URL fragment is not allowed") }

        var tlsMode = TLSMode.disable
        var rootCertificatePath: String?
        var preparesStatements = true
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
            case "prepared_statements":
                switch item.value {
                case "on": preparesStatements = true
                case "off": preparesStatements = false
                default: throw invalid("prepared_statements must be on or off, not \"\(item.value ?? "")\"")
                }
            case "host":
                // Only a socket's directory here: a TCP host has its place before the path.
                guard let value = item.value, value.hasPrefix("/") else {
                    throw invalid("host= must be the directory of a Unix socket (an absolute path); a TCP host goes before /DB")
                }
                guard host.isEmpty, socketDirectory == nil else {
                    throw invalid("both a host and host= are given; name one")
                }
                socketDirectory = value
            default:
                throw invalid("unknown parameter \"\(item.name)\"")
            }
        }
        if rootCertificatePath != nil, tlsMode != .verifyFull {
            throw invalid("sslrootcert needs sslmode=verify-full (no other mode checks the certificate)")
        }
        if socketDirectory != nil {
            guard tlsMode == .disable else {
                throw invalid("a Unix socket has no TLS; sslmode=\(tlsMode.rawValue) cannot be met (leave it out)")
            }
        } else if host.isEmpty {
            throw invalid("no host (a TCP host, or host=/DIR for a Unix socket)")
        }
        self.username = user
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        self.host = host
        self.port = components.port ?? 5432
        self.socketDirectory = socketDirectory
        self.database = decodedDatabase
        self.tlsMode = tlsMode
        self.preparesStatements = preparesStatements
        self.rootCertificatePath = rootCertificatePath
        // The kernel's limit on a socket's path (`sun_path`, 108 bytes with its terminating zero).
        if let path = socketPath, path.utf8.count > 107 {
            throw invalid("the socket's path \(path) is longer than the 107 bytes a Unix socket's name may have")
        }
    }

    /// The URL with its password replaced by `***`, fit for logs and error messages.
    public static func redact(_ url: String) -> String {
        guard isPostgres(url), let scheme = url.range(of: "://") else { return url }
        // By the text, not `URLComponents`, which gives up on a URL it cannot parse (an impossible
        // port, a password with a `/` not percent-encoded), and a URL that is not parsed must not be
        // shown whole. Up to the last `@`: too much hidden is better than a password shown.
        let rest = url[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
