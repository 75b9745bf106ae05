import ArgumentParser
import Foundation
import PasskeyServer
import WebAuthn

/// `passkeys serve`: the passkey server. Reads flags, falls back to `PASSKEYS_…` environment
/// variables, then to the defaults, and runs the server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the passkey server: sign-up, sign-in and passkey management over a JSON API, and the web app.",
        discussion: """
            Every option can also be set with an environment variable: PASSKEYS_ and the option's \
            name in capitals with underscores (--rp-id: PASSKEYS_RP_ID). Repeatable options take a \
            list separated by commas or spaces there. A flag wins over the environment.
            Durations are seconds, or a number with s, m, h or d (90s, 5m, 12h, 7d).
            See docs/server.md.
            """
    )

    @Option(
        help: ArgumentHelp("The interface to listen on (default 127.0.0.1).", valueName: "host")
    )
    var host: String?

    @Option(
        help: ArgumentHelp("The port to listen on (default 8080).", valueName: "port")
    )
    var port: String?

    @Option(
        name: .customLong("rp-id"),
        help: ArgumentHelp("The RP ID: the domain passkeys are bound to (default localhost).", valueName: "domain")
    )
    var rpID: String?

    @Option(
        name: .customLong("rp-name"),
        help: ArgumentHelp("The name authenticators show (default Passkeys).", valueName: "name")
    )
    var rpName: String?

    @Option(
        name: .customLong("origin"),
        help: ArgumentHelp("A web origin allowed to use the server; repeatable (default http://RP-ID:PORT, https under TLS).", valueName: "origin")
    )
    var origins: [String] = []

    @Option(
        help: ArgumentHelp("The database: sqlite:PATH, sqlite::memory: or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require|verify-full] (default sqlite:./passkeys.sqlite).", valueName: "url")
    )
    var database: String?

    @Option(
        name: .customLong("database-pool-size"),
        help: ArgumentHelp("The most PostgreSQL connections this process opens (default 10).", valueName: "n")
    )
    var databasePoolSize: String?

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("A PEM certificate chain; with --tls-key the server speaks HTTPS.", valueName: "path")
    )
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The PEM private key for --tls-cert.", valueName: "path")
    )
    var tlsKey: String?

    @Option(
        name: .customLong("session-lifetime"),
        help: ArgumentHelp("How long a session lasts at most (default 7d).", valueName: "duration")
    )
    var sessionLifetime: String?

    @Option(
        name: .customLong("session-idle-timeout"),
        help: ArgumentHelp("How long a session lasts without a request (default 1d).", valueName: "duration")
    )
    var sessionIdleTimeout: String?

    @Option(
        name: .customLong("ceremony-ttl"),
        help: ArgumentHelp("How long a ceremony can be finished after its options (default 300 seconds).", valueName: "duration")
    )
    var ceremonyTTL: String?

    @Option(
        name: .customLong("rate-limit"),
        help: ArgumentHelp("Requests per minute per account (ceremonies with its session, failed sign-ins against it); 0 turns every limit off (default 30).", valueName: "n")
    )
    var rateLimit: String?

    @Option(
        name: .customLong("address-ceremony-limit"),
        help: ArgumentHelp("Ceremonies a client address may begin and leave unfinished per minute; a finished one gives its place back (default 300).", valueName: "n")
    )
    var addressCeremonyLimit: String?

    @Option(
        name: .customLong("address-failure-limit"),
        help: ArgumentHelp("Ceremony answers per minute per client address that fail verification (default 30).", valueName: "n")
    )
    var addressFailureLimit: String?

    @Option(
        name: .customLong("audit-retention"),
        help: ArgumentHelp("How long the activity log keeps an event (default 90d).", valueName: "duration")
    )
    var auditRetention: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp("The IP address of a proxy whose X-Forwarded-For names the client; repeatable.", valueName: "ip")
    )
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("apple-app-id"),
        help: ArgumentHelp("An Apple app for apple-app-site-association; repeatable.", valueName: "team-id.bundle-id")
    )
    var appleAppIDs: [String] = []

    @Option(
        name: .customLong("android-app"),
        help: ArgumentHelp("An Android app and its signing certificate's SHA-256 (AA:BB:…) for assetlinks.json; repeatable.", valueName: "package=fingerprint")
    )
    var androidApps: [String] = []

    @Option(
        name: .customLong("related-origin"),
        help: ArgumentHelp("Another https origin that may use this RP ID (/.well-known/webauthn); repeatable.", valueName: "origin")
    )
    var relatedOrigins: [String] = []

    @Option(
        name: .customLong("attestation"),
        help: ArgumentHelp("The attestation to ask authenticators for: none, indirect, direct or enterprise (default none).", valueName: "conveyance")
    )
    var attestation: String?

    @Option(
        name: .customLong("attestation-root"),
        help: ArgumentHelp("A PEM file of roots that packed, fido-u2f and tpm attestation must chain to; repeatable.", valueName: "path")
    )
    var attestationRoots: [String] = []

    @Flag(
        name: .customLong("require-trusted-attestation"),
        help: "Refuse passkeys whose attestation does not chain to a trusted root (needs --attestation direct)."
    )
    var requireTrustedAttestation = false

    @Option(
        name: .customLong("allowed-aaguid"),
        help: ArgumentHelp(
            "Accept only authenticators of this AAGUID, with trusted attestation (android-key and SafetyNet only through --metadata); repeatable.",
            valueName: "uuid")
    )
    var allowedAAGUIDs: [String] = []

    @Option(
        name: .customLong("metadata"),
        help: ArgumentHelp("A FIDO Metadata Service (MDS3) BLOB file: roots, status reports and names of authenticators.", valueName: "path")
    )
    var metadata: String?

    @Option(
        name: .customLong("metadata-root"),
        help: ArgumentHelp("A PEM file of roots to verify --metadata with instead of the FIDO root; repeatable.", valueName: "path")
    )
    var metadataRoots: [String] = []

    @Option(
        name: .customLong("metadata-refresh"),
        help: ArgumentHelp("How often to re-read --metadata for a newer BLOB (default 1h).", valueName: "duration")
    )
    var metadataRefresh: String?

    @Option(
        name: .customLong("allowed-redirect-host"),
        help: ArgumentHelp("A host (or host:port) sign-in may send people back to: an app behind forward-auth; repeatable.", valueName: "host")
    )
    var allowedRedirectHosts: [String] = []

    @Option(
        name: .customLong("cookie-domain"),
        help: ArgumentHelp(
            "Set a forward-auth cookie for this domain and its subdomains, so forward-auth apps on them see the sign-in (the session cookie stays on this host).",
            valueName: "domain")
    )
    var cookieDomain: String?

    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp("How long a request's head may take to arrive (default 10s).", valueName: "duration")
    )
    var headerTimeout: String?

    @Option(
        name: .customLong("body-timeout"),
        help: ArgumentHelp("How long a request's whole body may take after its head (default 30s).", valueName: "duration")
    )
    var bodyTimeout: String?

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("How long a keep-alive connection may wait for its next request (default 75s).", valueName: "duration")
    )
    var idleTimeout: String?

    @Option(
        name: .customLong("write-timeout"),
        help: ArgumentHelp("How long a response may wait for a client that does not read it (default 30s).", valueName: "duration")
    )
    var writeTimeout: String?

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp("Connections open at once; more are closed at once (default: the file-descriptor limit less 128).", valueName: "n")
    )
    var maxConnections: String?

    @Option(
        name: .customLong("max-connections-per-address"),
        help: ArgumentHelp("Connections open at once from one client address, trusted proxies excepted; 0 turns it off (default 128).", valueName: "n")
    )
    var maxConnectionsPerAddress: String?

    @Option(
        name: .customLong("public-dir"),
        help: ArgumentHelp("Serve the web app from this folder instead of the bundled one.", valueName: "path")
    )
    var publicDirectory: String?

    @Option(
        help: ArgumentHelp("The OpenID Provider's issuer URL (default the first --origin).", valueName: "url")
    )
    var issuer: String?

    @Option(
        name: .customLong("access-token-lifetime"),
        help: ArgumentHelp("How long an OAuth access token lasts (default 10m).", valueName: "duration")
    )
    var accessTokenLifetime: String?

    @Option(
        name: .customLong("smtp-url"),
        help: ArgumentHelp("Where mail goes: smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=required] or smtps://…; without it mail is written to the log.", valueName: "url")
    )
    var smtpURL: String?

    @Option(
        name: .customLong("mail-from"),
        help: ArgumentHelp("The sender of mails, \"Name <address>\" (default \"RP-NAME <no-reply@RP-ID>\").", valueName: "mailbox")
    )
    var mailFrom: String?

    @Option(
        name: .customLong("recovery-code-ttl"),
        help: ArgumentHelp("How long a recovery code can be used (default 10m).", valueName: "duration")
    )
    var recoveryCodeTTL: String?

    @Option(
        name: .customLong("failure-floor"),
        help: ArgumentHelp(
            "The least time a failed password or recovery-code answer takes, so timing tells no account apart (default 1.2s).",
            valueName: "duration")
    )
    var failureFloor: String?

    @Option(
        name: .customLong("event-loops"),
        help: ArgumentHelp("How many threads serve the sockets (HTTP, PostgreSQL, SMTP) (default half the cores, at least 1).", valueName: "count")
    )
    var eventLoops: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default info).", valueName: "level")
    )
    var logLevel: String?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp("text, or json for one JSON object per line with a request_id (default text).", valueName: "format")
    )
    var logFormat: String?

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let settings = Settings(environment: environment)
            // First: NIO's threads are made when something first uses them.
            try EventLoops.configure(try settings.integer(eventLoops, "event-loops"), environment: environment)
            let configuration = try await settings.configuration(self)
            try await runPasskeyServer(
                configuration: configuration, logLevel: settings.string(logLevel, "log-level"),
                logFormat: settings.string(logFormat, "log-format"))
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("passkeys serve: \(error.message)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
    }
}

/// Flag, then environment variable, then default; every failure a one-line ``ConfigurationError``.
private struct Settings {
    let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// `PASSKEYS_RP_ID` for `rp-id`.
    static func variable(_ option: String) -> String {
        "PASSKEYS_" + option.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    func string(_ flag: String?, _ option: String) -> String? {
        if let flag { return flag }
        guard let value = environment[Self.variable(option)], !value.isEmpty else { return nil }
        return value
    }

    func list(_ flags: [String], _ option: String) -> [String] {
        if !flags.isEmpty { return flags }
        guard let value = environment[Self.variable(option)] else { return [] }
        return value.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    func integer(_ flag: String?, _ option: String) throws -> Int? {
        guard let text = string(flag, option) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError("--\(option) must be a whole number, not \"\(text)\"")
        }
        return value
    }

    /// Seconds, or a number with `s`, `m`, `h` or `d`.
    func duration(_ flag: String?, _ option: String) throws -> TimeInterval? {
        guard let text = string(flag, option)?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(text)
        var unit = 1.0
        if let last = text.last, let scale = units[last] {
            number = text.dropLast()
            unit = scale
        }
        guard let value = Double(number), value.isFinite, value > 0 else {
            throw ConfigurationError("--\(option) must be a positive duration such as 300, 90s, 5m, 12h or 7d; not \"\(text)\"")
        }
        return value * unit
    }

    func configuration(_ command: ServeCommand) async throws -> PasskeyServerConfiguration {
        var configuration = PasskeyServerConfiguration()
        if let host = string(command.host, "host") { configuration.host = host }
        if let port = try integer(command.port, "port") { configuration.port = port }
        if let rpID = string(command.rpID, "rp-id") { configuration.relyingPartyID = rpID }
        if let rpName = string(command.rpName, "rp-name") { configuration.relyingPartyName = rpName }
        configuration.origins = list(command.origins, "origin")
        if let database = string(command.database, "database") { configuration.database = database }
        if let poolSize = try integer(command.databasePoolSize, "database-pool-size") { configuration.databasePoolSize = poolSize }
        configuration.tlsCertificatePath = string(command.tlsCertificate, "tls-cert")
        configuration.tlsKeyPath = string(command.tlsKey, "tls-key")
        if let lifetime = try duration(command.sessionLifetime, "session-lifetime") { configuration.sessionLifetime = lifetime }
        if let idle = try duration(command.sessionIdleTimeout, "session-idle-timeout") { configuration.sessionIdleTimeout = idle }
        if let ttl = try duration(command.ceremonyTTL, "ceremony-ttl") { configuration.ceremonyTTL = ttl }
        if let limit = try integer(command.rateLimit, "rate-limit") { configuration.rateLimit = limit }
        if let limit = try integer(command.addressCeremonyLimit, "address-ceremony-limit") {
            configuration.addressCeremonyLimit = limit
        }
        if let limit = try integer(command.addressFailureLimit, "address-failure-limit") {
            configuration.addressFailureLimit = limit
        }
        if let retention = try duration(command.auditRetention, "audit-retention") { configuration.auditRetention = retention }
        configuration.trustedProxies = list(command.trustedProxies, "trusted-proxy")
        configuration.appleAppIDs = list(command.appleAppIDs, "apple-app-id")
        configuration.relatedOrigins = list(command.relatedOrigins, "related-origin")
        configuration.publicDirectory = string(command.publicDirectory, "public-dir")
        configuration.androidApps = try androidApps(list(command.androidApps, "android-app"))
        configuration.allowedRedirectHosts = list(command.allowedRedirectHosts, "allowed-redirect-host")
        configuration.cookieDomain = string(command.cookieDomain, "cookie-domain")
        if let timeout = try duration(command.headerTimeout, "header-timeout") { configuration.headerTimeout = timeout }
        if let timeout = try duration(command.bodyTimeout, "body-timeout") { configuration.bodyTimeout = timeout }
        if let timeout = try duration(command.idleTimeout, "idle-timeout") { configuration.idleTimeout = timeout }
        if let timeout = try duration(command.writeTimeout, "write-timeout") { configuration.writeTimeout = timeout }
        configuration.maximumConnections = try integer(command.maxConnections, "max-connections")
        if let limit = try integer(command.maxConnectionsPerAddress, "max-connections-per-address") {
            configuration.maximumConnectionsPerAddress = limit
        }
        configuration.issuer = string(command.issuer, "issuer")
        if let lifetime = try duration(command.accessTokenLifetime, "access-token-lifetime") {
            configuration.accessTokenLifetime = lifetime
        }
        configuration.smtpURL = string(command.smtpURL, "smtp-url")
        configuration.mailFrom = string(command.mailFrom, "mail-from")
        if let ttl = try duration(command.recoveryCodeTTL, "recovery-code-ttl") { configuration.recoveryCodeTTL = ttl }
        if let floor = try duration(command.failureFloor, "failure-floor") { configuration.failureFloor = floor }
        try await attestation(command, into: &configuration)
        return configuration
    }

    /// The attestation conveyance and policy: roots from PEM files, a verified metadata BLOB,
    /// and what to require.
    func attestation(_ command: ServeCommand, into configuration: inout PasskeyServerConfiguration) async throws {
        if let text = string(command.attestation, "attestation") {
            let conveyance = AttestationConveyancePreference(rawValue: text)
            guard [.none, .indirect, .direct, .enterprise].contains(conveyance) else {
                throw ConfigurationError("--attestation must be none, indirect, direct or enterprise, not \"\(text)\"")
            }
            configuration.attestation = conveyance
        }
        var policy = AttestationPolicy()
        let roots = try certificates(list(command.attestationRoots, "attestation-root"), option: "attestation-root")
        if !roots.isEmpty {
            // Formats with fixed vendor roots (apple, android-*) keep the built-in ones.
            for format in [AttestationFormat.packed, .fidoU2F, .tpm] { policy.roots[format] = roots }
        }
        var allowed: Set<AAGUID> = []
        for text in list(command.allowedAAGUIDs, "allowed-aaguid") {
            guard let aaguid = AAGUID(uuidString: text) else {
                throw ConfigurationError("--allowed-aaguid \(text) is not a UUID")
            }
            allowed.insert(aaguid)
        }
        let requireTrusted = command.requireTrustedAttestation || string(nil, "require-trusted-attestation").map { ["1", "true", "yes"].contains($0.lowercased()) } == true
        if !allowed.isEmpty {
            policy.requirement = .allowedAAGUIDs(allowed)
        } else if requireTrusted {
            policy.requirement = .trustedRoot
        }
        if let path = string(command.metadata, "metadata") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("--metadata \(path) cannot be read")
            }
            let metadataRoots = try certificates(list(command.metadataRoots, "metadata-root"), option: "metadata-root")
            do {
                let blob = try await MetadataBLOB.verify(
                    jws: String(decoding: data, as: UTF8.self), roots: metadataRoots.isEmpty ? nil : metadataRoots)
                try policy.metadata.load(blob)
            } catch {
                throw ConfigurationError("--metadata \(path): \(error.reason)")
            }
            configuration.metadataPath = path
            configuration.metadataRoots = metadataRoots
            if let refresh = try duration(command.metadataRefresh, "metadata-refresh") {
                configuration.metadataRefreshInterval = refresh
            }
        }
        configuration.attestationPolicy = policy
    }

    /// Every certificate in the PEM files named.
    func certificates(_ paths: [String], option: String) throws -> [AttestationPolicy.Root] {
        try PEMFiles.certificates(paths, option: option, problem: ConfigurationError.init)
    }

    /// `PACKAGE=FINGERPRINT` entries, merged by package in the order given.
    func androidApps(_ entries: [String]) throws -> [PasskeyServerConfiguration.AndroidApp] {
        var apps: [PasskeyServerConfiguration.AndroidApp] = []
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw ConfigurationError("--android-app \(entry): expected PACKAGE=SHA256_CERT_FINGERPRINT")
            }
            let package = String(parts[0]), fingerprint = String(parts[1])
            if let index = apps.firstIndex(where: { $0.packageName == package }) {
                apps[index].sha256CertFingerprints.append(fingerprint)
            } else {
                apps.append(.init(packageName: package, sha256CertFingerprints: [fingerprint]))
            }
        }
        return apps
    }
}
