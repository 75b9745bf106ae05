import Foundation
import Hummingbird
import PasskeyStore

/// The files other parties read about this relying party, generated from the configuration.
struct WellKnownController {
    typealias Context = PasskeyRequestContext

    let configuration: PasskeyServerConfiguration

    /// WebAuthn related origin requests: other origins that may use this RP ID.
    struct RelatedOrigins: Encodable {
        var origins: [String]
    }

    /// Apple's associated domains: the apps that may use this domain's passkeys.
    struct AppleAppSiteAssociation: Encodable {
        struct WebCredentials: Encodable {
            var apps: [String]
        }
        var webcredentials: WebCredentials
    }

    /// One Digital Asset Links statement for an Android app.
    struct AssetLink: Encodable {
        struct Target: Encodable {
            var namespace = "android_app"
            var package_name: String
            var sha256_cert_fingerprints: [String]
        }
        var relation = ["delegate_permission/common.handle_all_urls", "delegate_permission/common.get_login_creds"]
        var target: Target
    }

    /// The W3C passkey endpoints file: where password managers send people to add or manage passkeys.
    struct PasskeyEndpoints: Encodable {
        var enroll: String
        var manage: String
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("webauthn") { _, _ in
            try ServerServices.json(RelatedOrigins(origins: configuration.relatedOrigins))
        }
        routes.get("apple-app-site-association") { _, _ in
            try ServerServices.json(AppleAppSiteAssociation(webcredentials: .init(apps: configuration.appleAppIDs)))
        }
        routes.get("assetlinks.json") { _, _ in
            try ServerServices.json(configuration.androidApps.map { app in
                AssetLink(target: .init(
                    package_name: app.packageName,
                    sha256_cert_fingerprints: app.sha256CertFingerprints.map(PasskeyServerConfiguration.canonicalFingerprint)))
            })
        }
        routes.get("passkey-endpoints") { _, _ in
            let account = configuration.primaryOrigin + "/account"
            return try ServerServices.json(PasskeyEndpoints(enroll: account, manage: account))
        }
        return routes
    }
}

/// Health and metrics.
struct OperationsController {
    typealias Context = PasskeyRequestContext

    let metrics: CeremonyMetrics
    let relyingPartyState: RelyingPartyState
    /// Asked on every `/healthz`: a server whose database is unreachable is not healthy, and a
    /// load balancer should send its requests elsewhere until the database answers again.
    let store: any PasskeyStore

    struct Health: Encodable {
        struct Metadata: Encodable {
            var number: Int
            var nextUpdate: String
            var entries: Int
        }
        var status = "ok"
        /// The FIDO metadata BLOB in use, when one is loaded.
        var metadata: Metadata?
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("healthz") { _, _ in
            // 503 `unavailable` when the database does not answer (APIError maps the store's error).
            try await store.checkAvailability()
            let blob = relyingPartyState.metadata.blob
            return try ServerServices.json(Health(metadata: blob.map {
                Health.Metadata(number: $0.number, nextUpdate: $0.nextUpdate, entries: $0.entries.count)
            }))
        }
        routes.get("metrics") { request, _ in
            // Only at its one spelling: the router also matches `/metrics/` and `//metrics`, which a
            // proxy's exact rule for `/metrics` (docs/deploy.md) would pass on to the internet.
            guard request.uri.path == "/metrics" else { throw APIError.notFound }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return routes
    }
}
