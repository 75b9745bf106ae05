import Foundation
import WebAuthn

/// Where the server may send a browser after sign-in: a path on its own site, one of its own
/// origins, or a host named by `--allowed-redirect-host`. Everything else is refused, so no link
/// can use the server as an open redirect (RFC 9700 §4.11, OWASP "Unvalidated Redirects").
struct RedirectPolicy: Sendable {
    /// Where a `next` value leads.
    enum Destination: Equatable, Sendable {
        /// A path on this site (`/account?tab=passkeys`).
        case path(String)
        /// An absolute `http`/`https` URL on an allowed host.
        case url(String)

        /// The value for a `Location` header.
        var location: String {
            switch self {
            case .path(let path): path
            case .url(let url): url
            }
        }
    }

    /// The server's own web origins, as browsers serialise them.
    let ownOrigins: Set<String>
    /// Allowed hosts, lower case: `host` (any port) or `host:port` (that port only).
    let allowedHosts: Set<String>
    /// Whether only `https` URLs are destinations: a server whose every origin is https (its
    /// cookies `Secure`) sends no one to plain http, where its cookies never go.
    let httpsOnly: Bool

    init(ownOrigins: [String], allowedHosts: [String], httpsOnly: Bool = false) {
        self.ownOrigins = Set(ownOrigins.map(RelyingParty.Configuration.normalizedOrigin))
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.httpsOnly = httpsOnly
    }

    /// The longest `next` value considered; browsers and proxies cut longer URLs anyway.
    static let maximumLength = 4096

    /// Where `next` leads, or `nil` when the server must not send anyone there.
    func destination(_ next: String) -> Destination? {
        guard Self.isPlainURLText(next) else { return nil }
        if next.hasPrefix("/") {
            // `//host/…` is a URL on another host to a browser.
            return next.hasPrefix("//") ? nil : .path(next)
        }
        guard let components = URLComponents(string: next),
              let scheme = components.scheme?.lowercased(), scheme == "https" || (scheme == "http" && !httpsOnly),
              next.lowercased().hasPrefix(scheme + "://"),
              components.percentEncodedUser == nil, components.percentEncodedPassword == nil,
              let host = components.percentEncodedHost?.lowercased(), Self.isHostName(host),
              // A port a browser cannot open (`:99999`), or one too large to read, is no destination.
              components.port.map({ (1...65535).contains($0) }) ?? (components.rangeOfPort.map { next[$0].isEmpty } ?? true)
        else { return nil }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        let origin = RelyingParty.Configuration.normalizedOrigin("\(scheme)://\(authority)")
        guard ownOrigins.contains(origin) || allowedHosts.contains(host) || allowedHosts.contains(authority) else { return nil }
        return .url(next)
    }

    /// Whether `text` is at most ``maximumLength`` bytes of visible ASCII without a backslash.
    /// Browsers drop tabs and newlines inside URLs and read `\` as `/`, so `/\evil.example` or
    /// `https://good\@evil.example` would lead elsewhere in a browser than in any parser here.
    static func isPlainURLText(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumLength
            && text.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }
    }

    /// A DNS name or IPv4 address (letters, digits, `-` and `.`), or a bracketed IPv6 address:
    /// no percent-encoding, which browsers would decode into another host.
    static func isHostName(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        if host.hasPrefix("["), host.hasSuffix("]") {
            return host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return !host.hasPrefix(".") && !host.hasPrefix("-")
            && host.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
    }

    /// `host` or `host:port` as `--allowed-redirect-host` takes it.
    static func isAllowedHostEntry(_ entry: String) -> Bool {
        let lowered = entry.lowercased()
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return false }
            let rest = lowered[lowered.index(after: close)...]
            return isHostName(String(lowered[...close])) && (rest.isEmpty || isPort(rest.dropFirst()) && rest.first == ":")
        }
        let parts = lowered.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, isHostName(String(name)) else { return false }
        return parts.count == 1 || isPort(parts[1])
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }
}
