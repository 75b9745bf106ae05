import Foundation
import PasskeyStore
import WebAuthn

/// The OpenID Provider's store operations, passed through (the attack tests watch accounts,
/// passkeys and sessions; OAuth records are checked by the OpenID tests themselves).
extension RecordingStore {
    func insertClient(_ client: OAuthClientRecord) async throws { try await base.insertClient(client) }
    func client(id: String) async throws -> OAuthClientRecord? { try await base.client(id: id) }
    func clients() async throws -> [OAuthClientRecord] { try await base.clients() }
    func updateClientSecret(id: String, secretHash: [UInt8]?) async throws -> Bool {
        try await base.updateClientSecret(id: id, secretHash: secretHash)
    }
    func deleteClient(id: String) async throws -> Bool { try await base.deleteClient(id: id) }
    func signingKeys() async throws -> [SigningKeyRecord] { try await base.signingKeys() }
    func addSigningKeysIfMissing(_ keys: [SigningKeyRecord]) async throws -> [SigningKeyRecord] {
        try await base.addSigningKeysIfMissing(keys)
    }
    func rotateSigningKeys(_ keys: [SigningKeyRecord], at: Date) async throws { try await base.rotateSigningKeys(keys, at: at) }
    func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws { try await base.insertAuthorizationCode(code) }
    func authorizationCode(codeHash: [UInt8]) async throws -> AuthorizationCodeRecord? {
        try await base.authorizationCode(codeHash: codeHash)
    }
    func redeemAuthorizationCode(codeHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]) async throws -> CodeRedemption {
        try await base.redeemAuthorizationCode(codeHash: codeHash, at: at, issuing: tokens)
    }
    func oauthToken(tokenHash: [UInt8]) async throws -> OAuthTokenRecord? { try await base.oauthToken(tokenHash: tokenHash) }
    func rotateRefreshToken(tokenHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]) async throws -> RefreshRotation {
        try await base.rotateRefreshToken(tokenHash: tokenHash, at: at, issuing: tokens)
    }
    func deleteOAuthToken(tokenHash: [UInt8]) async throws { try await base.deleteOAuthToken(tokenHash: tokenHash) }
    func revokeGrant(id: String) async throws { try await base.revokeGrant(id: id) }
    func revokeOAuthTokens(userID: UserHandle) async throws -> Int { try await base.revokeOAuthTokens(userID: userID) }
    func purgeExpiredOAuth(now: Date) async throws -> Int { try await base.purgeExpiredOAuth(now: now) }
    func consent(userID: UserHandle, clientID: String) async throws -> ConsentRecord? {
        try await base.consent(userID: userID, clientID: clientID)
    }
    func saveConsent(_ consent: ConsentRecord, audit event: AuditEvent?) async throws {
        try await base.saveConsent(consent, audit: event)
    }
    func consents(userID: UserHandle) async throws -> [ConsentRecord] { try await base.consents(userID: userID) }
    func liveOAuthTokens(userID: UserHandle, at: Date) async throws -> [OAuthTokenRecord] {
        try await base.liveOAuthTokens(userID: userID, at: at)
    }
    func removeAccess(userID: UserHandle, clientID: String, at: Date, audit event: AuditEvent?) async throws -> Bool {
        try await base.removeAccess(userID: userID, clientID: clientID, at: at, audit: event)
    }
}
