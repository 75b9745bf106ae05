import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import OpenIDProvider
import PasskeyStore
import Prometheus
import ServiceLifecycle

/// Runs `passkeys serve` until SIGINT or SIGTERM: opens the database, sets up logging and metrics
/// for the process, serves, then drains requests and closes the database.
///
/// Call it once per process (it bootstraps swift-log and swift-metrics).
///
/// - Parameters:
///   - configuration: the server's settings.
///   - logLevel: `trace`, `debug`, `info` (the default), `notice`, `warning`, `error` or `critical`.
///   - logFormat: `text` (the default) or `json` (``JSONLogHandler``: one object per line).
/// - Throws: ``ConfigurationError`` when the server cannot start as configured (an invalid setting,
///   a database or TLS file it cannot open, an address it cannot listen on); its message is one line.
public func runPasskeyServer(
    configuration: PasskeyServerConfiguration, logLevel: String? = nil, logFormat: String? = nil
) async throws {
    try configuration.validate()
    let level: Logger.Level
    if let logLevel {
        guard let parsed = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; not \"\(logLevel)\"")
        }
        level = parsed
    } else {
        level = .info
    }
    switch logFormat?.lowercased() ?? "text" {
    case "text":
        LoggingSystem.bootstrap { label in
            var handler = TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    case "json":
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    default:
        throw ConfigurationError("--log-format must be text or json, not \"\(logFormat ?? "")\"")
    }
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let logger = Logger(label: "passkeys.server")

    let store = try await DatabaseStartup.open(configuration, logger: logger)
    // The OpenID Provider's signing keys are made at first start and kept in the database, so
    // every process signs with the same ones. Reading them is part of starting; making a missing
    // one (an RSA key takes 50–150 ms) runs beside the server instead, so a new database is ready
    // as soon as an existing one (docs/performance.md). A request that needs a key before then
    // makes or reads it itself: the store keeps the first key made for each algorithm.
    let provider: OpenIDProvider
    let missingKeys: [String]
    do {
        var settings = OpenIDProvider.Configuration(issuer: configuration.effectiveIssuer)
        settings.accessTokenLifetime = configuration.accessTokenLifetime
        provider = OpenIDProvider(configuration: settings, store: store, now: { Date() })
        missingKeys = try await provider.missingSigningKeys()
    } catch {
        try? await store.shutdown()
        throw ConfigurationError("--database \(PostgresDatabaseURL.redact(configuration.database)): cannot read the signing keys: \(error)")
    }
    let signingKeys: Task<Void, Never>? = missingKeys.isEmpty ? nil : Task {
        do {
            _ = try await provider.prepareSigningKeys()
        } catch {
            logger.error(
                "cannot make the OpenID Provider's signing keys; the next request that needs them tries again",
                metadata: ["algorithms": .string(missingKeys.joined(separator: " ")), "error": "\(error)"])
        }
    }
    let started = StartFlag()
    do {
        try await DatabaseStartup.recordMetadata(configuration, in: store)
        let app = try buildApplication(
            configuration: configuration, store: store, registry: registry, logger: logger,
            onServerRunning: {
                started.set()
                logger.info(
                    "passkeys serve ready",
                    metadata: [
                        "rpId": .string(configuration.relyingPartyID),
                        "origins": .string(configuration.effectiveOrigins.joined(separator: " ")),
                        "database": .string(PostgresDatabaseURL.redact(configuration.database)),
                        "tls": .stringConvertible(configuration.usesTLS),
                        "eventLoops": .stringConvertible(NIOSingletons.groupLoopCountSuggestion),
                    ])
            })
        try await app.runService()
    } catch {
        await signingKeys?.value
        try? await store.shutdown()
        if let error = error as? ConfigurationError { throw error }
        if !started.isSet {
            throw ConfigurationError("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        throw error
    }
    await signingKeys?.value
    try await store.shutdown()
    logger.info("passkeys serve stopped")
}

/// Set once the server is listening, so a failure before that reads as a start-up error.
final class StartFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
