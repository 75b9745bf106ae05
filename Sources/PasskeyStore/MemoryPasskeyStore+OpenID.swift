import Foundation
import WebAuthn

/// The OpenID Provider's records in a ``MemoryPasskeyStore``.
struct MemoryOpenIDTables: Sendable {
    var clients: [String: OAuthClientRecord] = [:]
    var keys: [SigningKeyRecord] = []
    var codes: [[UInt8]: AuthorizationCodeRecord] = [:]
    var tokens: [[UInt8]: OAuthTokenRecord] = [:]
    var consents: [ConsentKey: ConsentRecord] = [:]

    struct ConsentKey: Hashable, Sendable {
        let userID: UserHandle
        let clientID: String
    }

    mutating func removeUser(_ id: UserHandle) {
        codes = codes.filter { $0.value.userID != id }
        tokens = tokens.filter { $0.value.userID != id }
        consents = consents.filter { $0.key.userID != id }
    }

    mutating func removeGrant(_ grantID: String) {
        tokens = tokens.filter { $0.value.grantID != grantID }
    }
}

extension MemoryPasskeyStore {
    // MARK: OpenID Provider: clients

    public func insertClient(_ client: OAuthClientRecord) async throws {
        guard openID.clients[client.id] == nil else { throw StoreError.clientExists }
        openID.clients[client.id] = client
    }

    public func client(id: String) async throws -> OAuthClientRecord? {
        openID.clients[id]
    }

    public func clients() async throws -> [OAuthClientRecord] {
        openID.clients.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    @discardableResult
    public func updateClientSecret(id: String, secretHash: [UInt8]?) async throws -> Bool {
        guard openID.clients[id] != nil else { return false }
        openID.clients[id]?.secretHash = secretHash
        return true
    }

    @discardableResult
    public func deleteClient(id: String) async throws -> Bool {
        guard openID.clients.removeValue(forKey: id) != nil else { return false }
        openID.codes = openID.codes.filter { $0.value.clientID != id }
        openID.tokens = openID.tokens.filter { $0.value.clientID != id }
        openID.consents = openID.consents.filter { $0.key.clientID != id }
        return true
    }

    // MARK: OpenID Provider: signing keys

    public func signingKeys() async throws -> [SigningKeyRecord] {
        openID.keys.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func addSigningKeysIfMissing(_ keys: [SigningKeyRecord]) async throws -> [SigningKeyRecord] {
        for key in keys where !openID.keys.contains(where: { $0.algorithm == key.algorithm && $0.retiredAt == nil }) {
            guard !openID.keys.contains(where: { $0.id == key.id }) else { throw StoreError.failure("the key exists") }
            openID.keys.append(key)
        }
        return try await signingKeys()
    }

    public func rotateSigningKeys(_ keys: [SigningKeyRecord], at: Date) async throws {
        guard keys.allSatisfy({ key in !openID.keys.contains { $0.id == key.id } }) else {
            throw StoreError.failure("the key exists")
        }
        let algorithms = Set(keys.map(\.algorithm))
        for index in openID.keys.indices where algorithms.contains(openID.keys[index].algorithm) && openID.keys[index].retiredAt == nil {
            openID.keys[index].retiredAt = at
        }
        openID.keys.append(contentsOf: keys)
    }

    // MARK: OpenID Provider: codes and tokens

    public func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws {
        guard hasUser(code.userID) else { throw StoreError.userNotFound }
        guard openID.clients[code.clientID] != nil else { throw StoreError.clientNotFound }
        guard openID.codes[code.codeHash] == nil else { throw StoreError.failure("the code exists") }
        openID.codes[code.codeHash] = code
    }

    public func authorizationCode(codeHash: [UInt8]) async throws -> AuthorizationCodeRecord? {
        openID.codes[codeHash]
    }

    public func redeemAuthorizationCode(
        codeHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]
    ) async throws -> CodeRedemption {
        guard let code = openID.codes[codeHash] else { return .unknown }
        guard code.usedAt == nil else {
            openID.removeGrant(code.grantID)
            return .replayed
        }
        try insertTokens(tokens)
        openID.codes[codeHash]?.usedAt = at
        return .redeemed
    }

    public func oauthToken(tokenHash: [UInt8]) async throws -> OAuthTokenRecord? {
        openID.tokens[tokenHash]
    }

    public func liveOAuthTokens(userID: UserHandle, at: Date) async throws -> [OAuthTokenRecord] {
        openID.tokens.values.filter { $0.userID == userID && $0.isLive(at: at) }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt < $1.createdAt : $0.tokenHash.lexicographicallyPrecedes($1.tokenHash) }
    }

    public func rotateRefreshToken(
        tokenHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]
    ) async throws -> RefreshRotation {
        guard let token = openID.tokens[tokenHash], token.kind == .refresh else { return .unknown }
        guard token.rotatedAt == nil else {
            openID.removeGrant(token.grantID)
            return .reused
        }
        try insertTokens(tokens)
        openID.tokens[tokenHash]?.rotatedAt = at
        return .rotated
    }

    public func deleteOAuthToken(tokenHash: [UInt8]) async throws {
        openID.tokens.removeValue(forKey: tokenHash)
    }

    public func revokeGrant(id: String) async throws {
        openID.removeGrant(id)
    }

    @discardableResult
    public func revokeOAuthTokens(userID: UserHandle) async throws -> Int {
        let before = openID.tokens.count
        openID.tokens = openID.tokens.filter { $0.value.userID != userID }
        openID.codes = openID.codes.filter { $0.value.userID != userID }
        return before - openID.tokens.count
    }

    @discardableResult
    public func purgeExpiredOAuth(now: Date) async throws -> Int {
        let codesBefore = openID.codes.count
        openID.codes = openID.codes.filter { !$0.value.isExpired(at: now) }
        let tokensBefore = openID.tokens.count
        openID.tokens = openID.tokens.filter { !$0.value.isExpired(at: now) }
        return codesBefore - openID.codes.count + tokensBefore - openID.tokens.count
    }

    // MARK: OpenID Provider: consent

    public func consent(userID: UserHandle, clientID: String) async throws -> ConsentRecord? {
        openID.consents[.init(userID: userID, clientID: clientID)]
    }

    public func saveConsent(_ consent: ConsentRecord, audit event: AuditEvent?) async throws {
        guard hasUser(consent.userID) else { throw StoreError.userNotFound }
        guard openID.clients[consent.clientID] != nil else { throw StoreError.clientNotFound }
        try checkNew(event)
        openID.consents[.init(userID: consent.userID, clientID: consent.clientID)] = consent
        append(event)
    }

    public func consents(userID: UserHandle) async throws -> [ConsentRecord] {
        openID.consents.values.filter { $0.userID == userID }
            .sorted { ($0.grantedAt, $0.clientID) < ($1.grantedAt, $1.clientID) }
    }

    @discardableResult
    public func removeAccess(userID: UserHandle, clientID: String, at: Date, audit event: AuditEvent?) async throws -> Bool {
        let removed = openID.consents[.init(userID: userID, clientID: clientID)] != nil
            || openID.tokens.values.contains { $0.userID == userID && $0.clientID == clientID && $0.isLive(at: at) }
        if removed { try checkNew(event) }
        openID.consents.removeValue(forKey: .init(userID: userID, clientID: clientID))
        openID.codes = openID.codes.filter { !($0.value.userID == userID && $0.value.clientID == clientID) }
        openID.tokens = openID.tokens.filter { !($0.value.userID == userID && $0.value.clientID == clientID) }
        if removed { append(event) }
        return removed
    }

    /// Stores new tokens, all or none.
    private func insertTokens(_ tokens: [OAuthTokenRecord]) throws {
        for token in tokens {
            guard hasUser(token.userID) else { throw StoreError.userNotFound }
            guard openID.clients[token.clientID] != nil else { throw StoreError.clientNotFound }
            guard openID.tokens[token.tokenHash] == nil else { throw StoreError.failure("the token exists") }
        }
        for token in tokens { openID.tokens[token.tokenHash] = token }
    }
}

extension OAuthTokenRecord {
    /// Whether ``PasskeyStore/liveOAuthTokens(userID:at:)`` counts the token: unexpired at `now`,
    /// and for a refresh token not rotated yet.
    fileprivate func isLive(at now: Date) -> Bool {
        !isExpired(at: now) && rotatedAt == nil
    }
}
