import Crypto
import Foundation
import PasskeyStore
import WebAuthn

/// The rules for registering applications: identifiers, secrets and redirect URIs.
public enum ClientRules {
    /// The characters of client IDs and secrets: unreserved URI characters, so libraries that put
    /// them in a Basic header without form-encoding them (RFC 6749 §2.3.1 says to) still work.
    public static func isClientCredential(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// A new client ID: 16 random bytes, base64url (RFC 6749 §2.2), drawn again when it would
    /// start with `-`, which a command line (`passkeys clients remove ID`) reads as an option.
    public static func newClientID() -> String {
        while true {
            let id = Base64URL.encode(randomBytes(16))
            if !id.hasPrefix("-") { return id }
        }
    }

    /// A new client secret: 32 random bytes, base64url.
    public static func newSecret() -> String { Base64URL.encode(randomBytes(32)) }

    /// What the store keeps of a secret. Secrets are 256 random bits, so a fast hash is enough:
    /// no one can search that space, and verifying stays cheap.
    public static func hashSecret(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Whether `secret` is the client's, compared in constant time.
    public static func verify(secret: String, of client: OAuthClientRecord) -> Bool {
        guard let stored = client.secretHash else { return false }
        return constantTimeEquals(hashSecret(secret), stored)
    }

    /// The JWS algorithms ID tokens can be signed with.
    public static let idTokenAlgorithms = ["RS256", "ES256"]

    /// Checks a redirect URI for registration, or says why it cannot be one: absolute, no fragment
    /// (RFC 6749 §3.1.2), `https`, or `http` on a loopback address only (RFC 8252 §7.3, §8.3;
    /// RFC 9700 §2.1), or a private-use scheme of a native app (RFC 8252 §7.1).
    public static func redirectURIProblem(_ uri: String) -> String? {
        // RFC 3986 §2: a URI is printable ASCII without spaces (anything else percent-encoded),
        // and browsers send `redirect_uri` back byte for byte, so it is matched as written.
        guard uri.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return "\(uri.debugDescription) has a space, a control character or a character outside ASCII (percent-encode it)"
        }
        guard uri.utf8.count <= 2048 else { return "a redirect URI is at most 2048 characters" }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            return "\(uri) is not an absolute URI"
        }
        guard components.fragment == nil else { return "\(uri) has a fragment" }
        // RFC 3986 §3.2.1: a password in a URI is deprecated, and a browser sent there would show
        // it; RFC 9700 §2.1 wants exact, plain redirect URIs.
        guard components.user == nil, components.password == nil else { return "\(uri) has user information" }
        switch scheme {
        case "https":
            guard let host = components.host, !host.isEmpty else { return "\(uri) has no host" }
        case "http":
            guard let host = components.host, isLoopback(host) else {
                return "\(uri): http is only allowed for loopback addresses (127.0.0.1, [::1], localhost)"
            }
        default:
            // A private-use scheme must be a reverse domain name (RFC 8252 §7.1).
            guard scheme.contains(".") else { return "\(uri): use https, http on loopback, or a reverse-domain scheme" }
        }
        return nil
    }

    /// Whether a request's `redirect_uri` matches a registered one: the same string (RFC 9700
    /// §2.1, RFC 6749 §3.1.2.3), or for an `http` URI registered on a loopback IP literal
    /// (`127.0.0.0/8` or `[::1]`) the same string but for the port, which the request may choose
    /// (RFC 8252 §7.3: a native app listens on a port the operating system gives it; RFC 9700 §2.1
    /// makes this the one exception). `localhost` is matched exactly (RFC 8252 §8.3 advises against
    /// it: a name can resolve elsewhere, and a port on it is not the app's), and so is every other URI.
    public static func redirectURI(_ requested: String, matches registered: String) -> Bool {
        if requested == registered { return true }
        guard let registeredParts = loopbackIPParts(registered), let requestedParts = loopbackIPParts(requested) else {
            return false
        }
        // Scheme and host as registered, path and query byte for byte (so no fragment, no user
        // information: the registered URI has none); only the port may differ.
        return requestedParts.origin == registeredParts.origin && requestedParts.rest == registeredParts.rest
    }

    /// An `http` URI on a loopback IP literal split around its port: `http://127.0.0.1` and `/cb?x`
    /// for `http://127.0.0.1:53682/cb?x`; `nil` for any other URI, or a port that is not 1 to 5
    /// digits up to 65535.
    private static func loopbackIPParts(_ uri: String) -> (origin: Substring, rest: Substring)? {
        let scheme = "http://"
        guard uri.utf8.count > scheme.utf8.count, uri.prefix(scheme.count).lowercased() == scheme else { return nil }
        let afterScheme = uri.index(uri.startIndex, offsetBy: scheme.count)
        let authorityEnd = uri[afterScheme...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? uri.endIndex
        let authority = uri[afterScheme..<authorityEnd]
        let hostEnd: Substring.Index
        if authority.hasPrefix("[") {
            guard let bracket = authority.firstIndex(of: "]") else { return nil }
            hostEnd = authority.index(after: bracket)
        } else {
            hostEnd = authority.firstIndex(of: ":") ?? authority.endIndex
        }
        let host = authority[..<hostEnd]
        guard host == "[::1]" || (host.lowercased() != "localhost" && isLoopback(String(host))) else { return nil }
        let port = authority[hostEnd...]
        if !port.isEmpty {
            let digits = port.dropFirst()
            guard port.first == ":", (1...5).contains(digits.utf8.count), digits.utf8.allSatisfy({ (48...57).contains($0) }),
                  let number = Int(digits), number <= 65535
            else { return nil }
        }
        return (uri[..<hostEnd], uri[authorityEnd...])
    }

    /// Why `name` (trimmed) cannot name an application on the consent and account pages, or `nil`:
    /// empty, longer than 100 characters (or 400 bytes, as combining marks can make one character
    /// long), or with a control, format (invisible, such as bidirectional overrides) or line
    /// separator character.
    public static func clientNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 100, name.utf8.count <= 400 else { return "--name must be 1 to 100 characters" }
        let hidden = name.unicodeScalars.first { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
            default: false
            }
        }
        if let hidden { return "--name has a control or invisible character (U+\(String(hidden.value, radix: 16, uppercase: true)))" }
        return nil
    }

    /// A loopback host written as an address (RFC 8252 §7.3: `127.0.0.0/8` or `::1`), or
    /// `localhost`. A name that merely starts with `127.` (`127.evil.example`, or
    /// `127.0.0.1.nip.io`) is an ordinary host on the internet.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.first == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.utf8.allSatisfy { (48...57).contains($0) } && Int(octet).map { $0 <= 255 } == true
        }
    }

    /// Whether a request's `Origin` is one CORS allows for a registered redirect URI's `origin`:
    /// the same, or on a loopback IP literal the same but for the port, as for the redirect URI
    /// itself (``redirectURI(_:matches:)``, RFC 8252 §7.3).
    public static func corsOrigin(_ requested: String, matches origin: String) -> Bool {
        redirectURI(requested, matches: origin)
    }

    /// The origin of a web redirect URI (`https://app.example.com:8443`), for CORS.
    public static func origin(of uri: String) -> String? {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host?.lowercased()
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}
