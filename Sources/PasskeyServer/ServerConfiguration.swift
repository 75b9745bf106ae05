import Foundation
import PasskeyStore
import WebAuthn

/// Everything `passkeys serve` can be told: where to listen, who the relying party is, where the
/// data lives, and the limits it keeps.
///
/// Build one with the defaults and change what you need; ``validate()`` checks it and
/// ``buildApplication(configuration:store:registry:logger:now:)`` refuses an invalid one with a
/// ``ConfigurationError`` that says what to fix in one line.
public struct PasskeyServerConfiguration: Sendable {
    /// An Android app allowed to use the relying party's passkeys (Digital Asset Links).
    public struct AndroidApp: Sendable, Hashable {
        /// The application ID, `com.example.app`.
        public var packageName: String
        /// SHA-256 fingerprints of the app's signing certificates, as upper-case hex pairs joined by
        /// colons (`14:6D:E9:…`), the form `assetlinks.json` uses.
        public var sha256CertFingerprints: [String]

        public init(packageName: String, sha256CertFingerprints: [String]) {
            self.packageName = packageName
            self.sha256CertFingerprints = sha256CertFingerprints
        }
    }

    /// The interface to listen on.
    public var host: String = "127.0.0.1"
    /// The TCP port to listen on.
    public var port: Int = 8080
    /// The RP ID: the domain passkeys are bound to.
    public var relyingPartyID: String = "localhost"
    /// The name authenticators show when a passkey is created.
    public var relyingPartyName: String = "Passkeys"
    /// The web origins allowed to run ceremonies and to send state-changing requests; empty means
    /// the server's own origin (``defaultOrigin``).
    public var origins: [String] = []
    /// The database: `sqlite:PATH`, `sqlite::memory:` or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require|verify-full]`.
    public var database: String = "sqlite:./passkeys.sqlite"
    /// The most connections a PostgreSQL database gets from this process.
    public var databasePoolSize: Int = SQLPasskeyStore.defaultPostgresPoolSize
    /// A PEM certificate chain; with ``tlsKeyPath`` the server speaks HTTPS.
    public var tlsCertificatePath: String?
    /// The PEM private key of ``tlsCertificatePath``.
    public var tlsKeyPath: String?
    /// Seconds a session lasts however active it is.
    public var sessionLifetime: TimeInterval = 7 * 24 * 3600
    /// Seconds a session lasts without a request.
    public var sessionIdleTimeout: TimeInterval = 24 * 3600
    /// Seconds between a ceremony's options and the latest moment it can be finished.
    public var ceremonyTTL: TimeInterval = 300
    /// Requests per minute per account: ceremonies begun with the account's own session, and failed
    /// sign-ins against it. `0` turns every limit off, these and the per-address ones.
    public var rateLimit: Int = 30
    /// Ceremonies a client address may begin and leave unfinished per minute: a ceremony that
    /// finishes gives its place back, so many people behind one address (an office, a carrier's
    /// NAT) are not refused while someone who only asks for challenges is.
    public var addressCeremonyLimit: Int = 300
    /// Ceremony answers per minute per client address that fail verification (or name no
    /// ceremony); an answer that verifies gives its place back.
    public var addressFailureLimit: Int = 30
    /// Proxies whose `X-Forwarded-For` names the client (exact IP addresses).
    public var trustedProxies: [String] = []
    /// Apple apps (`TEAMID.bundle.id`) listed in `apple-app-site-association` under `webcredentials`.
    public var appleAppIDs: [String] = []
    /// Android apps listed in `assetlinks.json`; their `android:apk-key-hash:` origins are accepted
    /// in ceremonies.
    public var androidApps: [AndroidApp] = []
    /// Other web origins that may use this RP ID, listed in `/.well-known/webauthn`.
    public var relatedOrigins: [String] = []
    /// How long the activity log keeps an event; older ones are purged in the background.
    public var auditRetention: TimeInterval = 90 * 24 * 3600
    /// Seconds between purges of expired ceremonies and sessions.
    public var purgeInterval: TimeInterval = 60
    /// The largest request body accepted, in bytes.
    public var maximumBodySize: Int = Self.defaultMaximumBodySize
    /// ``maximumBodySize`` unless a configuration says otherwise: 64 KiB.
    public static let defaultMaximumBodySize = 64 * 1024
    /// A folder to serve the web app from instead of the bundled one.
    public var publicDirectory: String?
    /// The OpenID Provider's issuer (`iss`); `nil` means the first web origin.
    public var issuer: String?
    /// Seconds an OAuth access token lives.
    public var accessTokenLifetime: TimeInterval = 600

    /// Seconds a request's head may take, from its first byte (or from the connection's start).
    public var headerTimeout: TimeInterval = 10
    /// Seconds a request's body may take in all, from the end of its head.
    public var bodyTimeout: TimeInterval = 30
    /// Seconds a keep-alive connection may wait for its next request.
    public var idleTimeout: TimeInterval = 75
    /// Seconds a response may go without any of it being taken by the client.
    public var writeTimeout: TimeInterval = 30
    /// Connections open at once; `nil` means the process's file-descriptor limit less 128 (kept
    /// for the database and files).
    public var maximumConnections: Int?
    /// Connections open at once from one client address (an IPv6 client's /64), trusted proxies
    /// excepted; `0` turns the limit off.
    public var maximumConnectionsPerAddress: Int = 128

    /// Hosts (`host` or `host:port`, matched exactly) that sign-in may send people on to with an
    /// absolute `next` URL: the apps behind forward-auth.
    public var allowedRedirectHosts: [String] = []
    /// The domain the session cookie is set for (`Domain=`), so one session covers the apps on
    /// sibling subdomains; `nil` keeps it to the server's own host.
    public var cookieDomain: String?

    /// What attestation to ask authenticators for (`none` unless the policy needs it).
    public var attestation: AttestationConveyancePreference = .none
    /// Which authenticators to accept and the roots and FIDO metadata to judge them by.
    public var attestationPolicy = AttestationPolicy()
    /// The FIDO metadata BLOB file to re-read while running (the BLOB loaded at start is in
    /// ``attestationPolicy``); a newer BLOB there replaces it, an older one is refused.
    public var metadataPath: String?
    /// Roots to verify refreshed BLOBs with; empty means the FIDO root.
    public var metadataRoots: [AttestationPolicy.Root] = []
    /// How often to look at ``metadataPath`` for a new BLOB.
    public var metadataRefreshInterval: TimeInterval = 3600

    /// Where mail goes: `smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=required]` or `smtps://…`;
    /// `nil` writes every mail to the log instead.
    public var smtpURL: String?
    /// The sender of mails, `Name <address>`; `nil` means `RP-NAME <no-reply@RP-ID>`.
    public var mailFrom: String?
    /// Seconds a recovery code can be used.
    public var recoveryCodeTTL: TimeInterval = 600
    /// Seconds an email verification code can be used.
    public var verificationCodeTTL: TimeInterval = 24 * 3600
    /// The least time, in seconds, a failed password sign-in or recovery-code answer takes, so the
    /// time does not tell an unknown account from a wrong password (``FailurePacing``). At least
    /// the slowest hash the importer accepts (bcrypt cost 14: about a second on one core).
    public var failureFloor: TimeInterval = 1.2

    public init() {}

    /// Whether a certificate and key are configured.
    public var usesTLS: Bool { tlsCertificatePath != nil || tlsKeyPath != nil }

    /// The server's own origin: `http://localhost:8080`, or `https://…` under TLS, with the RP ID as host.
    public var defaultOrigin: String {
        let scheme = usesTLS ? "https" : "http"
        let defaultPort = usesTLS ? 443 : 80
        return port == defaultPort ? "\(scheme)://\(relyingPartyID)" : "\(scheme)://\(relyingPartyID):\(port)"
    }

    /// The web origins in effect: ``origins``, or ``defaultOrigin`` when none are given.
    /// Written as browsers serialise origins (lower case, no default port, no trailing `/`), so
    /// the `Origin` header check and client data compare alike.
    public var effectiveOrigins: [String] {
        (origins.isEmpty ? [defaultOrigin] : origins).map(RelyingParty.Configuration.normalizedOrigin)
    }

    /// Whether browsers reach the server over HTTPS only: it terminates TLS itself, or every
    /// origin is `https://` (TLS ends at a proxy in front). Then cookies are `Secure` with the
    /// `__Host-` prefix and answers carry HSTS.
    public var servesHTTPSOnly: Bool {
        usesTLS || effectiveOrigins.allSatisfy { $0.hasPrefix("https://") }
    }

    /// The origin links point to (the passkey endpoints file): the first web origin.
    public var primaryOrigin: String { effectiveOrigins.first ?? defaultOrigin }

    /// The `android:apk-key-hash:…` origins of the configured Android apps (WebAuthn §5.8.1 for
    /// Android: the base64url SHA-256 of the signing certificate).
    public var androidOrigins: [String] {
        androidApps.flatMap(\.sha256CertFingerprints).compactMap { fingerprint in
            Self.fingerprintBytes(fingerprint).map { "android:apk-key-hash:" + Base64URL.encode($0) }
        }
    }

    /// The OpenID Provider's issuer in effect: ``issuer``, or the first web origin.
    public var effectiveIssuer: String { issuer ?? primaryOrigin }

    /// The relying party's policy for this configuration.
    public func relyingPartyConfiguration() throws(ConfigurationError) -> RelyingParty.Configuration {
        do {
            return try RelyingParty.Configuration(
                relyingPartyID: relyingPartyID,
                relyingPartyName: relyingPartyName,
                allowedOrigins: effectiveOrigins + androidOrigins,
                userVerification: .preferred,
                residentKey: .required,
                attestation: attestation,
                attestationPolicy: attestationPolicy,
                timeoutMilliseconds: Int(ceremonyTTL * 1000)
            )
        } catch {
            throw ConfigurationError(error.reason)
        }
    }

    /// Checks every setting, or throws a ``ConfigurationError`` naming the first one that is wrong.
    public func validate() throws(ConfigurationError) {
        guard !host.isEmpty else { throw ConfigurationError("--host must not be empty") }
        guard (1...65535).contains(port) else { throw ConfigurationError("--port must be 1 to 65535, not \(port)") }
        // Browsers keep a cookie at most 400 days (RFC 6265bis §5.5), and times are stored in
        // microseconds: a longer duration would only overflow them.
        guard sessionLifetime > 0, sessionLifetime <= Self.maximumSessionDuration else {
            throw ConfigurationError("--session-lifetime must be a positive duration of at most 400d, not \(Self.format(sessionLifetime)) seconds")
        }
        guard sessionIdleTimeout > 0, sessionIdleTimeout <= Self.maximumSessionDuration else {
            throw ConfigurationError("--session-idle-timeout must be a positive duration of at most 400d, not \(Self.format(sessionIdleTimeout)) seconds")
        }
        guard ceremonyTTL >= 1, ceremonyTTL <= 3600 else {
            throw ConfigurationError("--ceremony-ttl must be 1 to 3600 seconds, not \(Self.format(ceremonyTTL))")
        }
        guard rateLimit >= 0 else { throw ConfigurationError("--rate-limit must be 0 (off) or more, not \(rateLimit)") }
        guard addressCeremonyLimit >= 1 else {
            throw ConfigurationError("--address-ceremony-limit must be 1 or more, not \(addressCeremonyLimit)")
        }
        guard addressFailureLimit >= 1 else {
            throw ConfigurationError("--address-failure-limit must be 1 or more, not \(addressFailureLimit)")
        }
        guard auditRetention > 0, auditRetention <= 36_500 * 86400 else {
            throw ConfigurationError("--audit-retention must be a positive duration of at most 36500d (100 years), not \(Self.format(auditRetention)) seconds")
        }
        guard metadataRefreshInterval >= 1, metadataRefreshInterval <= 365 * 86400 else {
            throw ConfigurationError("--metadata-refresh must be 1 second to 365d, not \(Self.format(metadataRefreshInterval)) seconds")
        }
        guard purgeInterval > 0 else { throw ConfigurationError("the purge interval must be positive") }
        guard maximumBodySize > 0 else { throw ConfigurationError("the body size limit must be positive") }
        if PostgresDatabaseURL.isPostgres(database) {
            do {
                _ = try PostgresDatabaseURL(database)
            } catch {
                throw ConfigurationError("--database \(error.reason)")
            }
        } else {
            guard database.hasPrefix("sqlite:"), database.count > "sqlite:".count else {
                throw ConfigurationError("--database must be sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB, not \"\(database)\"")
            }
        }
        guard (1...1000).contains(databasePoolSize) else {
            throw ConfigurationError("--database-pool-size must be 1 to 1000, not \(databasePoolSize)")
        }
        switch (tlsCertificatePath, tlsKeyPath) {
        case (.some, .none): throw ConfigurationError("--tls-cert needs --tls-key")
        case (.none, .some): throw ConfigurationError("--tls-key needs --tls-cert")
        default: break
        }
        for origin in origins where origin.hasPrefix("android:") {
            throw ConfigurationError("--origin \(origin): Android origins come from --android-app, not --origin")
        }
        if attestationPolicy.requirement != .acceptAny, attestation == .none {
            throw ConfigurationError("--require-trusted-attestation and --allowed-aaguid need --attestation direct (or indirect, enterprise): with none, no authenticator could qualify")
        }
        _ = try relyingPartyConfiguration()
        // WebAuthn §5.1.4.1: browsers take a valid domain as the RP ID, never an IP address (a name
        // whose last label is a number is one, by WHATWG URL host parsing): every ceremony would
        // fail in the browser. (The library itself verifies what other servers' IDs signed.)
        if let last = relyingPartyID.split(separator: ".").last, last.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ConfigurationError("--rp-id \(relyingPartyID) is an IP address; browsers take only a domain name (localhost for this machine)")
        }
        for origin in effectiveOrigins {
            guard let host = URLComponents(string: origin)?.host else { continue }
            guard host == relyingPartyID || host.hasSuffix("." + relyingPartyID) else {
                throw ConfigurationError("origin \(origin) is not on the RP ID \(relyingPartyID) or one of its subdomains; set --rp-id or --origin")
            }
        }
        for origin in relatedOrigins {
            guard let components = URLComponents(string: origin), components.scheme == "https",
                  let host = components.host, !host.isEmpty, components.path.isEmpty,
                  components.query == nil, components.fragment == nil
            else { throw ConfigurationError("--related-origin \(origin) is not an https origin (https://host[:port])") }
        }
        for appID in appleAppIDs {
            guard Self.isAppleAppID(appID) else {
                throw ConfigurationError("--apple-app-id \(appID) is not TEAMID.bundle.id (a 10-character team ID, a dot, a bundle ID)")
            }
        }
        for app in androidApps {
            guard Self.isAndroidPackage(app.packageName) else {
                throw ConfigurationError("--android-app \(app.packageName) is not an Android package name like com.example.app")
            }
            guard !app.sha256CertFingerprints.isEmpty else {
                throw ConfigurationError("--android-app \(app.packageName) needs a certificate fingerprint: PACKAGE=AA:BB:…")
            }
            for fingerprint in app.sha256CertFingerprints where Self.fingerprintBytes(fingerprint) == nil {
                throw ConfigurationError("--android-app \(app.packageName): \"\(fingerprint)\" is not a SHA-256 fingerprint (32 hex pairs joined by colons)")
            }
        }
        // OIDC Discovery §3: the issuer is an https URL with no query or fragment; endpoints hang
        // off it, so it is an origin here (http only for loopback, as in development).
        if let issuer {
            guard let components = URLComponents(string: issuer), let scheme = components.scheme,
                  let host = components.host, !host.isEmpty, components.path.isEmpty,
                  components.query == nil, components.fragment == nil,
                  scheme == "https" || (scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1"))
            else { throw ConfigurationError("--issuer \(issuer) must be an https origin (https://host[:port]), or http on localhost") }
        }
        guard accessTokenLifetime >= 10, accessTokenLifetime <= 86400 else {
            throw ConfigurationError("--access-token-lifetime must be 10 to 86400 seconds, not \(Self.format(accessTokenLifetime))")
        }
        for proxy in trustedProxies where ClientAddress.normalize(proxy) == nil {
            throw ConfigurationError("--trusted-proxy \(proxy) is not an IP address")
        }
        try validateConnectionLimits()
        try validateForwardAuth()
        try validateMail()
    }

    // MARK: Value rules

    /// The longest session lifetime or idle timeout: 400 days, the longest a browser keeps a cookie.
    static let maximumSessionDuration: TimeInterval = 400 * 86400

    /// 32 bytes from `AA:BB:…` (colons optional, either case), or `nil`.
    static func fingerprintBytes(_ fingerprint: String) -> [UInt8]? {
        let hex = fingerprint.filter { $0 != ":" }
        guard hex.count == 64, let bytes = hexBytes(hex) else { return nil }
        return bytes
    }

    /// The fingerprint in the `AA:BB:…` upper-case form `assetlinks.json` uses.
    static func canonicalFingerprint(_ fingerprint: String) -> String {
        guard let bytes = fingerprintBytes(fingerprint) else { return fingerprint }
        return bytes.map { hexString([$0]).uppercased() }.joined(separator: ":")
    }

    static func isAppleAppID(_ appID: String) -> Bool {
        let parts = appID.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let team = parts[0], bundle = parts[1]
        return team.count == 10 && team.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
            && !bundle.isEmpty && !bundle.hasPrefix(".") && !bundle.hasSuffix(".")
            && bundle.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }

    static func isAndroidPackage(_ name: String) -> Bool {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        return segments.count >= 2 && segments.allSatisfy { segment in
            guard let first = segment.first, first.isASCII, first.isLetter else { return false }
            return segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    static func format(_ value: TimeInterval) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A configuration the server cannot start with, and what to change: one line for people.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it, in one line.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
