import Foundation

/// Where and how to hand mail to an SMTP server, read from
/// `smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=required]` or `smtps://…`.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable {
        /// `smtps://`: TLS from the first byte (RFC 8314 §3.3), port 465 by default.
        case implicitTLS = "tls"
        /// `smtp://`: STARTTLS (RFC 3207) when the server offers it, plain text otherwise.
        case startTLSWhenOffered = "starttls"
        /// `smtp://…?starttls=required`: STARTTLS or no delivery at all.
        case startTLSRequired = "starttls-required"
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// For AUTH PLAIN or LOGIN (RFC 4954); both or neither.
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO.
    public var clientName: String = "localhost"

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }

    /// Reads an SMTP URL. User and password are percent-decoded.
    ///
    /// - Throws: ``MailError`` naming what is wrong: another scheme, no host, a bad port, an
    ///   unknown query parameter, a user without a password.
    public init(url text: String) throws(MailError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw MailError(.invalidURL, "--smtp-url is not a URL (smtp://[USER:PASSWORD@]HOST[:PORT])")
        }
        switch scheme {
        case "smtp": security = .startTLSWhenOffered
        case "smtps": security = .implicitTLS
        default: throw MailError(.invalidURL, "--smtp-url must start with smtp:// or smtps://, not \(scheme)://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw MailError(.invalidURL, "--smtp-url names no host")
        }
        self.host = host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw MailError(.invalidURL, "--smtp-url port must be 1 to 65535") }
            self.port = port
        } else {
            self.port = security == .implicitTLS ? 465 : 587
        }
        guard components.path.isEmpty || components.path == "/" else {
            throw MailError(.invalidURL, "--smtp-url takes no path")
        }
        for item in components.queryItems ?? [] {
            switch (item.name.lowercased(), item.value?.lowercased()) {
            case ("starttls", "required"):
                guard security != .implicitTLS else {
                    throw MailError(.invalidURL, "--smtp-url: starttls=required is for smtp://; smtps:// is TLS from the start")
                }
                security = .startTLSRequired
            case ("starttls", "optional"):
                continue
            default:
                throw MailError(.invalidURL, "--smtp-url: unknown parameter \(item.name) (only starttls=required)")
            }
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        switch (user, password) {
        case (nil, nil): break
        case let (user?, password?) where !user.isEmpty:
            self.username = user
            self.password = password
        default:
            throw MailError(.invalidURL, "--smtp-url: give both USER and PASSWORD (smtp://USER:PASSWORD@HOST) or neither")
        }
    }

    /// The URL without the password, for logs and `/healthz`.
    public var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0)@" } ?? ""
        let query = security == .startTLSRequired ? "?starttls=required" : ""
        return "\(scheme)://\(user)\(host):\(port)\(query)"
    }

    /// Whether the host is this machine, where credentials may cross without TLS.
    var isLoopback: Bool {
        if ["localhost", "::1", "[::1]"].contains(host.lowercased()) { return true }
        // 127.0.0.0/8 written as an IPv4 address: four decimal octets, the first 127. A name that
        // merely begins with "127." (127.relay.example.com) is another machine.
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && (Int($0) ?? 256) <= 255 }
    }
}
