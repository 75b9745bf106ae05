import Foundation
import PasskeyStore
import WebAuthn

/// An application that can see the person's account, as the account page lists it.
public struct AuthorizedApplication: Sendable, Hashable {
    public var clientID: String
    public var name: String
    /// What the person allowed; for an application without a consent, what its live tokens carry.
    public var scopes: [String]
    /// When the person allowed it; for an application without a consent, when its oldest live
    /// token was issued.
    public var grantedAt: Date
    /// Whether the person allowed it on the consent page. A trusted application is never asked
    /// (OIDC Core §3.1.2.4 leaves how consent is obtained to the provider): its tokens alone make
    /// it one the person can see and remove.
    public var consented: Bool

    public init(clientID: String, name: String, scopes: [String], grantedAt: Date, consented: Bool) {
        self.clientID = clientID
        self.name = name
        self.scopes = scopes
        self.grantedAt = grantedAt
        self.consented = consented
    }
}

extension OpenIDProvider {
    // MARK: The person's applications

    /// Every application the person allowed, and every one holding a live access or refresh token
    /// for them (a trusted application stores no consent, and an `offline_access` grant renews its
    /// refresh token for as long as it is used): each can be removed, so no grant outlives the
    /// person's wish. Oldest first.
    public func applications(userID: UserHandle) async throws -> [AuthorizedApplication] {
        let consents = try await store.consents(userID: userID)
        let tokens = try await store.liveOAuthTokens(userID: userID, at: now())
        guard !consents.isEmpty || !tokens.isEmpty else { return [] }
        var names: [String: String] = [:]
        for client in try await store.clients() { names[client.id] = client.name }
        var applications: [String: AuthorizedApplication] = [:]
        for consent in consents {
            guard let name = names[consent.clientID] else { continue }
            applications[consent.clientID] = AuthorizedApplication(
                clientID: consent.clientID, name: name, scopes: consent.scopes, grantedAt: consent.grantedAt, consented: true)
        }
        // Oldest first, so the first token of an application is its oldest.
        for token in tokens where applications[token.clientID]?.consented != true {
            guard let name = names[token.clientID] else { continue }
            var application = applications[token.clientID] ?? AuthorizedApplication(
                clientID: token.clientID, name: name, scopes: [], grantedAt: token.createdAt, consented: false)
            application.scopes += token.scopes.filter { !application.scopes.contains($0) }
            applications[token.clientID] = application
        }
        return applications.values.map { application in
            var application = application
            // The scopes in the order the provider knows them, not in the order tokens came.
            if !application.consented { application.scopes = Self.supportedScopes.filter(application.scopes.contains) }
            return application
        }
        .sorted { ($0.grantedAt, $0.clientID) < ($1.grantedAt, $1.clientID) }
    }

    /// "Remove access": forgets the person's consent for the application and ends every code and
    /// token it holds for them (what RFC 7009 §2.1 revocation of its grants does, asked for by the
    /// person rather than the client), storing `event` with it. Returns whether there was anything
    /// to remove that the person could see: a consent or a live token (``applications(userID:)``).
    @discardableResult
    public func removeAccess(userID: UserHandle, clientID: String, audit event: AuditEvent?) async throws -> Bool {
        try await store.removeAccess(userID: userID, clientID: clientID, at: now(), audit: event)
    }
}
