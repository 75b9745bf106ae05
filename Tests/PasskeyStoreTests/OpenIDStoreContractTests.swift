import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The OpenID Provider's part of the ``PasskeyStore`` contract, run on every backend.
@Suite("PasskeyStore contract: OpenID Provider")
struct OpenIDStoreContractTests {
    // MARK: Clients

    @Test("A registered client is found by its ID and listed", arguments: Backend.allCases)
    func clientIsFound(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let confidential = makeClient("app-1")
            let spa = makeClient("spa-1", secretHash: nil)
            try await store.insertClient(confidential)
            try await store.insertClient(spa)
            #expect(try await store.client(id: "app-1") == confidential)
            #expect(try await store.client(id: "spa-1")?.isPublic == true)
            #expect(try await store.clients().map(\.id) == ["app-1", "spa-1"])
            #expect(try await store.client(id: "nobody") == nil)
        }
    }

    @Test("A client ID is registered once", arguments: Backend.allCases)
    func duplicateClientIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.insertClient(makeClient("app-1"))
            await #expect(throws: StoreError.clientExists) { try await store.insertClient(makeClient("app-1", name: "Other")) }
            #expect(try await store.client(id: "app-1")?.name == "App")
        }
    }

    @Test("Rotating a client secret replaces its hash", arguments: Backend.allCases)
    func secretRotates(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.insertClient(makeClient("app-1"))
            #expect(try await store.updateClientSecret(id: "app-1", secretHash: [9, 9]))
            #expect(try await store.client(id: "app-1")?.secretHash == [9, 9])
            #expect(try await store.updateClientSecret(id: "nobody", secretHash: [1]) == false)
        }
    }

    @Test("Removing a client removes its codes, tokens and consents", arguments: Backend.allCases)
    func removingClientRemovesItsGrants(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let token = makeToken(user: user, [1])
            #expect(try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [token]) == .redeemed)
            try await store.saveConsent(ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid"], grantedAt: t0))
            #expect(try await store.deleteClient(id: "app-1"))
            #expect(try await store.client(id: "app-1") == nil)
            #expect(try await store.authorizationCode(codeHash: code.codeHash) == nil)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
            #expect(try await store.consents(userID: user.id) == [])
            #expect(try await store.deleteClient(id: "app-1") == false)
        }
    }

    // MARK: Signing keys

    @Test("Signing keys are added once per algorithm however often start-up asks", arguments: Backend.allCases)
    func signingKeysAreAddedOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let first = try await store.addSigningKeysIfMissing([makeKey("r1", "RS256"), makeKey("e1", "ES256")])
            let second = try await store.addSigningKeysIfMissing([makeKey("r2", "RS256"), makeKey("e2", "ES256")])
            #expect(first.map(\.id).sorted() == ["e1", "r1"])
            #expect(second == first)
        }
    }

    @Test("Rotating signing keys retires the current key of the algorithm and keeps it", arguments: Backend.allCases)
    func rotationRetiresTheOldKey(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            _ = try await store.addSigningKeysIfMissing([makeKey("r1", "RS256"), makeKey("e1", "ES256")])
            let later = t0.addingTimeInterval(60)
            try await store.rotateSigningKeys([makeKey("r2", "RS256", at: later)], at: later)
            let keys = try await store.signingKeys()
            #expect(keys.first { $0.id == "r1" }?.retiredAt == later)
            #expect(keys.first { $0.id == "r2" }?.retiredAt == nil)
            #expect(keys.first { $0.id == "e1" }?.retiredAt == nil)
            #expect(keys.count == 3)
        }
    }

    // MARK: Codes and tokens

    @Test("A code is redeemed once and stores the tokens issued for it", arguments: Backend.allCases)
    func codeIsRedeemedOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            #expect(try await store.authorizationCode(codeHash: code.codeHash) == code)
            let access = makeToken(user: user, [1])
            #expect(try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [access]) == .redeemed)
            #expect(try await store.oauthToken(tokenHash: access.tokenHash) == access)
            #expect(try await store.authorizationCode(codeHash: code.codeHash)?.usedAt == t0)
        }
    }

    @Test("A replayed code revokes the tokens of the first redemption and issues none", arguments: Backend.allCases)
    func replayedCodeRevokesItsGrant(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let first = makeToken(user: user, [1])
            let second = makeToken(user: user, [2])
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [first])
            #expect(try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [second]) == .replayed)
            #expect(try await store.oauthToken(tokenHash: first.tokenHash) == nil)
            #expect(try await store.oauthToken(tokenHash: second.tokenHash) == nil)
            #expect(try await store.redeemAuthorizationCode(codeHash: [0], at: t0, issuing: []) == .unknown)
        }
    }

    @Test("A refresh token rotates once; used again it revokes its family", arguments: Backend.allCases)
    func refreshReuseRevokesFamily(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let refresh = makeToken(user: user, [1], kind: .refresh)
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [refresh])
            let next = makeToken(user: user, [2], kind: .refresh)
            #expect(try await store.rotateRefreshToken(tokenHash: refresh.tokenHash, at: t0, issuing: [next]) == .rotated)
            #expect(try await store.oauthToken(tokenHash: next.tokenHash) == next)
            let stolen = makeToken(user: user, [3], kind: .refresh)
            #expect(try await store.rotateRefreshToken(tokenHash: refresh.tokenHash, at: t0, issuing: [stolen]) == .reused)
            #expect(try await store.oauthToken(tokenHash: next.tokenHash) == nil)
            #expect(try await store.oauthToken(tokenHash: stolen.tokenHash) == nil)
            #expect(try await store.rotateRefreshToken(tokenHash: refresh.tokenHash, at: t0, issuing: []) == .unknown)
        }
    }

    @Test("An access token is not a refresh token", arguments: Backend.allCases)
    func accessTokenDoesNotRotate(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let access = makeToken(user: user, [1])
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [access])
            #expect(try await store.rotateRefreshToken(tokenHash: access.tokenHash, at: t0, issuing: []) == .unknown)
            #expect(try await store.oauthToken(tokenHash: access.tokenHash) == access)
        }
    }

    @Test("Revoking a user's tokens ends every token and code of theirs and no one else's", arguments: Backend.allCases)
    func userTokensAreRevoked(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store, "ada@example.com")
            let (bob, _, _) = try await signUp(store, "bob@example.com")
            try await store.insertClient(makeClient("app-1"))
            let adaCode = makeCode(user: ada, [1])
            let bobCode = makeCode(user: bob, [2])
            try await store.insertAuthorizationCode(adaCode)
            try await store.insertAuthorizationCode(bobCode)
            let adaToken = makeToken(user: ada, [1])
            let bobToken = makeToken(user: bob, [2], grant: "g2")
            _ = try await store.redeemAuthorizationCode(codeHash: adaCode.codeHash, at: t0, issuing: [adaToken])
            _ = try await store.redeemAuthorizationCode(codeHash: bobCode.codeHash, at: t0, issuing: [bobToken])
            #expect(try await store.revokeOAuthTokens(userID: ada.id) == 1)
            #expect(try await store.oauthToken(tokenHash: adaToken.tokenHash) == nil)
            #expect(try await store.authorizationCode(codeHash: adaCode.codeHash) == nil)
            #expect(try await store.oauthToken(tokenHash: bobToken.tokenHash) == bobToken)
        }
    }

    @Test("Disabling an account revokes its tokens and codes, and enabling it brings none back", arguments: Backend.allCases)
    func disablingAccountRevokesTokens(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store, "ada@example.com")
            let (bob, _, _) = try await signUp(store, "bob@example.com")
            try await store.insertClient(makeClient("app-1"))
            let adaCode = makeCode(user: ada, [1])
            let adaPending = makeCode(user: ada, [3])
            let bobCode = makeCode(user: bob, [2])
            for code in [adaCode, adaPending, bobCode] { try await store.insertAuthorizationCode(code) }
            let adaToken = makeToken(user: ada, [1])
            let bobToken = makeToken(user: bob, [2], grant: "g2")
            _ = try await store.redeemAuthorizationCode(codeHash: adaCode.codeHash, at: t0, issuing: [adaToken])
            _ = try await store.redeemAuthorizationCode(codeHash: bobCode.codeHash, at: t0, issuing: [bobToken])
            _ = try #require(try await store.setDisabled(userID: ada.id, true))
            #expect(try await store.oauthToken(tokenHash: adaToken.tokenHash) == nil)
            #expect(try await store.authorizationCode(codeHash: adaPending.codeHash) == nil)
            #expect(try await store.oauthToken(tokenHash: bobToken.tokenHash) == bobToken)
            _ = try #require(try await store.setDisabled(userID: ada.id, false))
            #expect(try await store.oauthToken(tokenHash: adaToken.tokenHash) == nil)
        }
    }

    @Test("Deleting an account deletes its tokens and consents", arguments: Backend.allCases)
    func deletingAccountDeletesTokens(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let token = makeToken(user: user, [1])
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [token])
            try await store.saveConsent(ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid"], grantedAt: t0))
            #expect(try await store.deleteUser(id: user.id))
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
            #expect(try await store.consent(userID: user.id, clientID: "app-1") == nil)
        }
    }

    @Test("A token for an account that is gone is refused", arguments: Backend.allCases)
    func tokenForMissingUserIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let ghost = makeUser("ghost@example.com")
            await #expect(throws: StoreError.userNotFound) { try await store.insertAuthorizationCode(makeCode(user: ghost)) }
            await #expect(throws: StoreError.clientNotFound) {
                try await store.insertAuthorizationCode(makeCode(user: user, client: "nobody"))
            }
        }
    }

    @Test("Expired codes and tokens are purged", arguments: Backend.allCases)
    func expiredAreDropped(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let token = makeToken(user: user, [1])
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [token])
            #expect(try await store.purgeExpiredOAuth(now: t0) == 0)
            #expect(try await store.purgeExpiredOAuth(now: t0.addingTimeInterval(3600)) == 2)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
        }
    }

    // MARK: Consent

    @Test("A consent is remembered, replaced, listed and removed with the application's tokens", arguments: Backend.allCases)
    func consentLifecycle(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            try await store.saveConsent(ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid"], grantedAt: t0))
            let wider = ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid", "email"], grantedAt: t0)
            try await store.saveConsent(wider)
            #expect(try await store.consent(userID: user.id, clientID: "app-1") == wider)
            #expect(try await store.consents(userID: user.id) == [wider])
            let code = makeCode(user: user)
            try await store.insertAuthorizationCode(code)
            let token = makeToken(user: user, [1])
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [token])
            #expect(try await store.removeConsent(userID: user.id, clientID: "app-1"))
            #expect(try await store.consent(userID: user.id, clientID: "app-1") == nil)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
            #expect(try await store.removeConsent(userID: user.id, clientID: "app-1") == false)
        }
    }

    @Test("The live tokens of an account are its unexpired ones, rotated refresh tokens left out, oldest first", arguments: Backend.allCases)
    func liveTokensAreListed(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store, "ada@example.com")
            let (bob, _, _) = try await signUp(store, "bob@example.com")
            try await store.insertClient(makeClient("app-1"))
            try await store.insertClient(makeClient("app-2"))
            let code = makeCode(user: ada, [1])
            try await store.insertAuthorizationCode(code)
            let refresh = makeToken(user: ada, [1], kind: .refresh, lifetime: 3600)
            let access = makeToken(user: ada, [2], at: t0.addingTimeInterval(1))
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [refresh, access])
            let otherCode = makeCode(user: ada, [2], client: "app-2")
            try await store.insertAuthorizationCode(otherCode)
            let other = makeToken(user: ada, [3], grant: "g2", client: "app-2", at: t0.addingTimeInterval(2))
            _ = try await store.redeemAuthorizationCode(codeHash: otherCode.codeHash, at: t0, issuing: [other])
            let bobCode = makeCode(user: bob, [3])
            try await store.insertAuthorizationCode(bobCode)
            _ = try await store.redeemAuthorizationCode(codeHash: bobCode.codeHash, at: t0, issuing: [makeToken(user: bob, [4], grant: "g3")])

            #expect(try await store.liveOAuthTokens(userID: ada.id, at: t0) == [refresh, access, other])
            // Access tokens expire 600 s after they are issued here; the refresh token lives an hour.
            let later = t0.addingTimeInterval(700)
            #expect(try await store.liveOAuthTokens(userID: ada.id, at: later) == [refresh])
            let next = makeToken(user: ada, [5], kind: .refresh, at: later, lifetime: 3600)
            #expect(try await store.rotateRefreshToken(tokenHash: refresh.tokenHash, at: later, issuing: [next]) == .rotated)
            #expect(try await store.liveOAuthTokens(userID: ada.id, at: later) == [next], "the rotated token is not live")
            #expect(try await store.liveOAuthTokens(userID: ada.id, at: later.addingTimeInterval(3600)) == [])
        }
    }

    @Test("Removing an application's access without a consent counts its live tokens, and only those", arguments: Backend.allCases)
    func accessWithoutConsentIsRemoved(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            try await store.insertClient(makeClient("app-2"))
            let code = makeCode(user: user, [1])
            try await store.insertAuthorizationCode(code)
            let refresh = makeToken(user: user, [1], kind: .refresh)
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [refresh])
            let pending = makeCode(user: user, [2])
            try await store.insertAuthorizationCode(pending)
            let otherCode = makeCode(user: user, [3], client: "app-2")
            try await store.insertAuthorizationCode(otherCode)
            let expired = makeToken(user: user, [2], grant: "g3", client: "app-2")
            _ = try await store.redeemAuthorizationCode(codeHash: otherCode.codeHash, at: t0, issuing: [expired])

            let removed = AuditEvent(userID: user.id, kind: "oauth_access_removed", detail: "removed app-1", at: t0)
            #expect(try await store.removeAccess(userID: user.id, clientID: "app-1", at: t0, audit: removed))
            #expect(try await store.oauthToken(tokenHash: refresh.tokenHash) == nil)
            #expect(try await store.authorizationCode(codeHash: pending.codeHash) == nil)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [removed])
            let again = AuditEvent(userID: user.id, kind: "oauth_access_removed", detail: "removed app-1", at: t0)
            #expect(try await store.removeAccess(userID: user.id, clientID: "app-1", at: t0, audit: again) == false)

            // An expired token is nothing the person can see: deleted all the same, and no event.
            let late = t0.addingTimeInterval(600)
            let none = AuditEvent(userID: user.id, kind: "oauth_access_removed", detail: "removed app-2", at: late)
            #expect(try await store.removeAccess(userID: user.id, clientID: "app-2", at: late, audit: none) == false)
            #expect(try await store.oauthToken(tokenHash: expired.tokenHash) == nil)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [removed])
        }
    }

    @Test("Removing access with an event already stored changes nothing", arguments: Backend.allCases)
    func accessRemovalIsAllOrNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user, [1])
            try await store.insertAuthorizationCode(code)
            let refresh = makeToken(user: user, [1], kind: .refresh)
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [refresh])
            let stored = AuditEvent(userID: user.id, kind: .signIn, at: t0)
            try await store.appendAudit(stored)
            var again = AuditEvent(userID: user.id, kind: "oauth_access_removed", at: t0)
            again.id = stored.id
            await #expect(throws: StoreError.self) {
                try await store.removeAccess(userID: user.id, clientID: "app-1", at: t0, audit: again)
            }
            #expect(try await store.oauthToken(tokenHash: refresh.tokenHash) == refresh)
        }
    }

    @Test("A consent names an existing account and client", arguments: Backend.allCases)
    func consentNeedsParents(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            await #expect(throws: StoreError.clientNotFound) {
                try await store.saveConsent(ConsentRecord(userID: user.id, clientID: "nobody", scopes: [], grantedAt: t0))
            }
        }
    }
}

// MARK: Fixtures

func makeClient(_ id: String, name: String = "App", secretHash: [UInt8]? = [1, 2, 3]) -> OAuthClientRecord {
    OAuthClientRecord(
        id: id, name: name, secretHash: secretHash, redirectURIs: ["https://app.example.com/cb"],
        postLogoutRedirectURIs: ["https://app.example.com/"], trusted: false, idTokenAlgorithm: "RS256", createdAt: t0)
}

func makeKey(_ id: String, _ algorithm: String, at: Date = t0) -> SigningKeyRecord {
    SigningKeyRecord(id: id, algorithm: algorithm, privateKeyPEM: "PEM \(id)", createdAt: at)
}

func makeCode(
    user: UserRecord, _ hash: [UInt8] = [7], client: String = "app-1", method: SignInMethod = .passkey
) -> AuthorizationCodeRecord {
    AuthorizationCodeRecord(
        codeHash: hash, grantID: "g\(hash.first ?? 0)", clientID: client, userID: user.id,
        redirectURI: "https://app.example.com/cb", scopes: ["openid", "offline_access"], nonce: "n",
        codeChallenge: "c", authTime: t0, method: method, createdAt: t0, expiresAt: t0.addingTimeInterval(60))
}

func makeToken(
    user: UserRecord, _ hash: [UInt8], kind: OAuthTokenRecord.Kind = .access, grant: String = "g7",
    method: SignInMethod = .passkey, client: String = "app-1", at: Date = t0, lifetime: TimeInterval = 600
) -> OAuthTokenRecord {
    OAuthTokenRecord(
        tokenHash: hash, kind: kind, grantID: grant, clientID: client, userID: user.id, scopes: ["openid"],
        authTime: t0, method: method, createdAt: at, expiresAt: at.addingTimeInterval(lifetime))
}
