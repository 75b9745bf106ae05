import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import OpenIDProvider
import PasskeyMail
import PasskeyStore
import Prometheus
import ServiceLifecycle
import WebAuthn

/// Builds the passkey server: the router with every endpoint and middleware, the background
/// purge, and HTTP or HTTPS as configured.
///
/// The caller owns the store: open it before, and shut it down after the application has run.
///
/// - Parameters:
///   - configuration: the settings; checked here, so an invalid one throws before anything starts.
///   - store: where accounts, passkeys, ceremonies and sessions live.
///   - registry: where the request, ceremony and connection metrics go; `/metrics` shows this registry.
///   - logger: the server's logger.
///   - now: the clock; tests move it to expire ceremonies and sessions.
///   - mailTransport: where mail goes instead of the configured SMTP server or the log (tests).
///   - onServerRunning: called once the server listens.
/// - Throws: ``ConfigurationError`` for a configuration the server cannot run with.
public func buildApplication(
    configuration: PasskeyServerConfiguration,
    store: any PasskeyStore,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "passkeys.server"),
    now: @escaping @Sendable () -> Date = { Date() },
    mailTransport: (any MailTransport)? = nil,
    onServerRunning: @escaping @Sendable () async -> Void = {}
) throws(ConfigurationError) -> some ApplicationProtocol {
    let services = try makeServices(
        configuration: configuration, store: store, registry: registry, logger: logger, now: now,
        mailTransport: mailTransport)
    let router = try buildRouter(services: services)
    let limiter = ConnectionLimiter(
        maximum: configuration.effectiveMaximumConnections,
        maximumPerAddress: configuration.maximumConnectionsPerAddress,
        trustedProxies: Set(configuration.trustedProxies.compactMap { ClientAddress.normalize($0) }),
        metrics: ConnectionMetrics(registry: registry), logger: logger)
    let http1 = HTTPServerBuilder.guardedHTTP1(timeouts: configuration.connectionTimeouts, limiter: limiter)
    let server: HTTPServerBuilder
    if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
        server = try httpsServer(http1, certificatePath: certificatePath, keyPath: keyPath)
    } else {
        server = http1
    }
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "passkeys"),
        onServerRunning: { _ in await onServerRunning() },
        logger: logger
    )
    // Listed before the HTTP server, so it is stopped after it: mail the last requests queued
    // goes out before the process ends.
    app.addServices(MailDrainService(outbox: services.mail.outbox, logger: logger))
    app.addServices(
        PurgeService(
            store: store, interval: configuration.purgeInterval,
            sessionIdleTimeout: configuration.sessionIdleTimeout, auditRetention: configuration.auditRetention, now: now,
            logger: logger))
    if let path = configuration.metadataPath {
        app.addServices(
            MetadataRefreshService(
                path: path, roots: configuration.metadataRoots, interval: configuration.metadataRefreshInterval,
                state: services.relyingPartyState, store: store, logger: logger))
    }
    return app
}

/// Checks the configuration and builds what the controllers share.
func makeServices(
    configuration: PasskeyServerConfiguration,
    store: any PasskeyStore,
    registry: PrometheusCollectorRegistry,
    logger: Logger,
    now: @escaping @Sendable () -> Date,
    mailTransport: (any MailTransport)? = nil
) throws(ConfigurationError) -> ServerServices {
    try configuration.validate()
    let cookies = CookieSettings(secure: configuration.servesHTTPSOnly, sessionDomain: configuration.cookieDomain)
    return ServerServices(
        configuration: configuration,
        relyingPartyState: try RelyingPartyState(configuration: configuration),
        store: store,
        sessions: Sessions(
            store: store, cookies: cookies,
            forwardKey: SharedKey(store: store, settingName: SharedKey.forwardAuthSealSettingName),
            lifetime: configuration.sessionLifetime,
            idleTimeout: configuration.sessionIdleTimeout, now: now),
        ceremonies: Ceremonies(
            store: store, cookies: cookies, lifetime: configuration.ceremonyTTL, now: now,
            sealKey: SharedKey(store: store, settingName: SharedKey.ceremonySealSettingName)),
        limits: RateLimits(configuration: configuration, store: store),
        metrics: CeremonyMetrics(registry: registry),
        httpMetrics: HTTPMetrics(registry: registry),
        logger: logger,
        now: now,
        decoyKey: SharedKey(store: store, settingName: SharedKey.decoySettingName),
        recoveryLinkKey: SharedKey(store: store, settingName: SharedKey.recoveryLinkSettingName),
        passwordDeviceKey: SharedKey(store: store, settingName: SharedKey.passwordDeviceSettingName),
        mail: try ServerMail(configuration: configuration, transport: mailTransport, logger: logger),
        failurePacing: FailurePacing(floor: configuration.failureFloor)
    )
}

/// The router: middleware outermost first, then the API, the well-known files, operations and
/// the web app.
func buildRouter(services: ServerServices) throws(ConfigurationError) -> Router<PasskeyRequestContext> {
    let configuration = services.configuration
    let router = Router(context: PasskeyRequestContext.self, options: [.autoGenerateHeadEndpoints])
    router.add(middleware: ServerMiddleware(
        requestGuard: RequestGuard(
            allowedOrigins: Set(configuration.effectiveOrigins),
            trustedProxies: Set(configuration.trustedProxies.compactMap { ClientAddress.normalize($0) }),
            maximumBodySize: configuration.maximumBodySize,
            crossSitePaths: OpenIDController.crossSitePaths),
        oauthPaths: OpenIDController.crossSitePaths,
        strictTransportSecurity: configuration.servesHTTPSOnly,
        metrics: services.httpMetrics))
    router.addRoutes(RegistrationController(services: services).endpoints, atPath: "/api/registration")
    router.addRoutes(AuthenticationController(services: services).endpoints, atPath: "/api/authentication")
    router.addRoutes(PasskeysController(services: services).endpoints, atPath: "/api/passkeys")
    let account = AccountController(services: services)
    router.addRoutes(account.sessionEndpoints, atPath: "/api/session")
    router.addRoutes(account.accountEndpoints, atPath: "/api/account")
    router.addRoutes(ActivityController(services: services).endpoints, atPath: "/api/account/activity")
    router.addRoutes(SessionsController(services: services).endpoints, atPath: "/api/sessions")
    let forwardAuth = ForwardAuthController(services: services)
    router.addRoutes(forwardAuth.forwardAuthEndpoints, atPath: "/api/forward-auth")
    router.addRoutes(forwardAuth.continueEndpoints, atPath: "/continue")
    let recovery = RecoveryController(services: services)
    router.addRoutes(recovery.emailEndpoints, atPath: "/api/email")
    router.addRoutes(recovery.recoveryEndpoints, atPath: "/api/recovery")
    router.addRoutes(PasswordController(services: services).endpoints, atPath: "/api/password")
    router.addRoutes(OpenAPIController().endpoints, atPath: "/api/openapi.json")
    router.addRoutes(WellKnownController(configuration: configuration).endpoints, atPath: "/.well-known")
    router.addRoutes(
        OperationsController(metrics: services.metrics, relyingPartyState: services.relyingPartyState, store: services.store).endpoints)
    let provider = openIDProvider(services)
    OpenIDController(services: services, provider: provider).addRoutes(to: router)
    let consent = ConsentController(services: services, provider: provider)
    router.addRoutes(consent.consentEndpoints, atPath: "/api/oidc/consent")
    router.addRoutes(consent.appEndpoints, atPath: "/api/oidc/apps")

    let directory: URL
    if let path = configuration.publicDirectory {
        directory = URL(fileURLWithPath: path, isDirectory: true)
    } else if let bundled = StaticFiles.bundledDirectory {
        directory = bundled
    } else {
        throw ConfigurationError("the web app is missing from the server's resources")
    }
    try StaticFiles.load(from: directory).addRoutes(to: router)
    return router
}

/// The OpenID Provider on the server's store, clock and settings.
func openIDProvider(_ services: ServerServices) -> OpenIDProvider {
    var settings = OpenIDProvider.Configuration(issuer: services.configuration.effectiveIssuer)
    settings.accessTokenLifetime = services.configuration.accessTokenLifetime
    return OpenIDProvider(configuration: settings, store: services.store, now: services.now)
}

/// `http1` over TLS with the PEM certificate chain and key at these paths.
func httpsServer(_ http1: HTTPServerBuilder, certificatePath: String, keyPath: String) throws(ConfigurationError) -> HTTPServerBuilder {
    let chain: [NIOSSLCertificate]
    do {
        chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
    } catch {
        throw ConfigurationError("--tls-cert \(certificatePath): not a readable PEM certificate (\(error))")
    }
    guard !chain.isEmpty else { throw ConfigurationError("--tls-cert \(certificatePath) holds no certificate") }
    let key: NIOSSLPrivateKey
    do {
        key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
    } catch {
        throw ConfigurationError("--tls-key \(keyPath): not a readable PEM private key (\(error))")
    }
    do {
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .tls(http1, tlsConfiguration: tls)
    } catch {
        throw ConfigurationError("the TLS certificate and key cannot be used together (\(error))")
    }
}
