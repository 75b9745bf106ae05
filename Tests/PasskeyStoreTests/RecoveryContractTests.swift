import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The store's part of email verification, recovery and imported passwords, on every backend.
@Suite("PasskeyStore contract: email codes, recovery, passwords")
struct RecoveryContractTests {
    func code(
        _ user: UserRecord, _ purpose: EmailCodeRecord.Purpose = .recovery, hash: [UInt8] = Array("right".utf8),
        at: Date = t0, lifetime: TimeInterval = minutes(10)
    ) -> EmailCodeRecord {
        EmailCodeRecord(userID: user.id, purpose: purpose, codeHash: hash, createdAt: at, expiresAt: at.addingTimeInterval(lifetime))
    }

    func redeem(
        _ store: any PasskeyStore, _ user: UserRecord, _ purpose: EmailCodeRecord.Purpose = .recovery,
        hash: String = "right", at: Date = t0.addingTimeInterval(60), session: SessionRecord? = nil
    ) async throws -> UserRecord? {
        try await store.redeemEmailCode(
            userID: user.id, purpose: purpose, codeHash: Array(hash.utf8), at: at, maximumAttempts: 5, session: session)
    }

    // MARK: Imported accounts

    @Test("An imported account has no passkey, keeps its password hash and its verified flag", arguments: Backend.allCases)
    func importedAccount(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var user = makeUser("grace@example.com")
            user.emailVerified = true
            try await store.importUser(user, passwordHash: "$2b$10$hash")
            #expect(try await store.user(username: "Grace@Example.com") == user)
            #expect(try await store.credentials(userID: user.id) == [])
            #expect(try await store.passwordHash(userID: user.id) == "$2b$10$hash")
        }
    }

    @Test("Importing a username that exists is refused and changes nothing", arguments: Backend.allCases)
    func importDuplicate(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (existing, _, _) = try await signUp(store, "ada@example.com")
            let copy = makeUser("ADA@example.com")
            await #expect(throws: StoreError.usernameTaken) { try await store.importUser(copy, passwordHash: "x") }
            #expect(try await store.user(username: "ada@example.com") == existing)
            #expect(try await store.passwordHash(userID: existing.id) == nil)
        }
    }

    @Test("A password is removed only while the account has a passkey", arguments: Backend.allCases)
    func removePassword(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let user = makeUser("grace@example.com")
            try await store.importUser(user, passwordHash: "hash")
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil) == .noPasskey)
            #expect(try await store.passwordHash(userID: user.id) == "hash")
            try await store.addCredential(makeCredential(for: user))
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil) == .removed)
            #expect(try await store.passwordHash(userID: user.id) == nil)
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil) == .noPassword)
        }
    }

    @Test("Removing a password ends the sessions it opened, but the one asking and those a passkey opened", arguments: Backend.allCases)
    func removePasswordEndsItsSessions(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let user = makeUser("grace@example.com")
            try await store.importUser(user, passwordHash: "hash")
            try await store.addCredential(makeCredential(for: user))
            let asking = makeSession(for: user, method: .password)
            let otherPassword = makeSession(for: user, method: .password)
            let passkey = makeSession(for: user, method: .passkey)
            for session in [asking, otherPassword, passkey] { try await store.insertSession(session) }
            let (someoneElse, _, theirs) = try await signUp(store, "ada@example.com")
            var theirPassword = makeSession(for: someoneElse, method: .password)
            theirPassword.tokenHash = randomBytes(32)
            try await store.insertSession(theirPassword)
            #expect(try await store.removePassword(userID: user.id, keepingSession: asking.tokenHash) == .removed)
            #expect(try await store.session(tokenHash: asking.tokenHash) != nil)
            #expect(try await store.session(tokenHash: otherPassword.tokenHash) == nil)
            #expect(try await store.session(tokenHash: passkey.tokenHash) != nil)
            #expect(try await store.session(tokenHash: theirPassword.tokenHash) != nil)
            #expect(try await store.session(tokenHash: theirs.tokenHash) != nil)
        }
    }

    @Test("A password's removal stores its event with it, only when it is removed, and not at all when the event fails", arguments: Backend.allCases)
    func removePasswordWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let user = makeUser("grace@example.com")
            try await store.importUser(user, passwordHash: "hash")
            let removal = AuditEvent(userID: user.id, kind: "password_removed", at: t0.addingTimeInterval(1))
            // Refused (no passkey): no event.
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil, audit: removal) == .noPasskey)
            #expect(try await store.auditEvents(userID: user.id, limit: 10).isEmpty)

            // An event whose ID is stored already: the password and its sessions stay.
            try await store.addCredential(makeCredential(for: user))
            let other = makeSession(for: user, method: .password)
            try await store.insertSession(other)
            let stored = AuditEvent(userID: user.id, kind: .signIn, at: t0)
            try await store.appendAudit(stored)
            var again = stored
            again.kind = "password_removed"
            await #expect(throws: StoreError.self) {
                try await store.removePassword(userID: user.id, keepingSession: nil, audit: again)
            }
            #expect(try await store.passwordHash(userID: user.id) == "hash")
            #expect(try await store.session(tokenHash: other.tokenHash) == other)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [stored])

            #expect(try await store.removePassword(userID: user.id, keepingSession: nil, audit: removal) == .removed)
            #expect(try await store.passwordHash(userID: user.id) == nil)
            #expect(try await store.session(tokenHash: other.tokenHash) == nil)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [removal, stored])
            // Nothing left to remove: no second event.
            let late = AuditEvent(userID: user.id, kind: "password_removed", at: t0.addingTimeInterval(2))
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil, audit: late) == .noPassword)
            #expect(try await store.auditEvents(userID: user.id, limit: 10).count == 2)
        }
    }

    // MARK: Codes

    @Test("A verification code marks the address verified, once", arguments: Backend.allCases)
    func verificationCode(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            #expect(try await store.issueEmailCode(code(user, .verification), maximumPerHour: 5) == .issued)
            let verified = try await redeem(store, user, .verification)
            #expect(verified?.emailVerified == true)
            #expect(try await store.user(id: user.id)?.emailVerified == true)
            #expect(try await redeem(store, user, .verification) == nil)
        }
    }

    @Test("A recovery code stores the recovery session with it", arguments: Backend.allCases)
    func recoveryCodeStoresSession(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            var session = makeSession(for: user)
            session.recovery = true
            #expect(try await redeem(store, user, session: session) != nil)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == true)
        }
    }

    /// An account with the applications' records a recovery ends: a code, a token, a consent,
    /// another session and a password.
    func accountWithGrants(_ store: any PasskeyStore, verified: Bool) async throws -> (UserRecord, CredentialRecord, SessionRecord, OAuthTokenRecord) {
        var user = makeUser("grace@example.com")
        user.emailVerified = verified
        try await store.importUser(user, passwordHash: "$2b$10$hash")
        let credential = makeCredential(for: user)
        try await store.addCredential(credential)
        let other = makeSession(for: user)
        try await store.insertSession(other)
        try await store.insertClient(makeClient("app-1"))
        let grantCode = makeCode(user: user)
        try await store.insertAuthorizationCode(grantCode)
        let token = makeToken(user: user, [1], kind: .refresh)
        #expect(try await store.redeemAuthorizationCode(codeHash: grantCode.codeHash, at: t0, issuing: [token]) == .redeemed)
        try await store.insertAuthorizationCode(makeCode(user: user, [8]))
        try await store.saveConsent(ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid"], grantedAt: t0))
        _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
        return (user, credential, other, token)
    }

    @Test("A recovery ends every other session and every application's codes and tokens", arguments: Backend.allCases)
    func recoveryEndsEverythingElse(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, other, token) = try await accountWithGrants(store, verified: true)
            var session = makeSession(for: user)
            session.recovery = true
            #expect(try await redeem(store, user, session: session) != nil)
            #expect(try await store.session(tokenHash: other.tokenHash) == nil)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == true)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
            #expect(try await store.authorizationCode(codeHash: [8]) == nil)
            // A proven address: the passkeys, the password and the consents were its owner's.
            #expect(try await store.credentials(userID: user.id) == [credential])
            #expect(try await store.passwordHash(userID: user.id) == "$2b$10$hash")
            #expect(try await store.consents(userID: user.id).map(\.clientID) == ["app-1"])
        }
    }

    @Test("A recovery of an address never proved removes the passkeys, password and consents someone else may have set", arguments: Backend.allCases)
    func recoveryOfUnprovedAddress(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, other, token) = try await accountWithGrants(store, verified: false)
            let (ada, adaCredential, adaSession) = try await signUp(store, "ada@example.com")
            var session = makeSession(for: user)
            session.recovery = true
            let recovered = try await redeem(store, user, session: session)
            #expect(recovered?.emailVerified == true)
            #expect(try await store.credentials(userID: user.id) == [])
            #expect(try await store.passwordHash(userID: user.id) == nil)
            #expect(try await store.consents(userID: user.id) == [])
            #expect(try await store.session(tokenHash: other.tokenHash) == nil)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) == nil)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == true)
            // Nobody else's records are touched.
            #expect(try await store.credentials(userID: ada.id) == [adaCredential])
            #expect(try await store.session(tokenHash: adaSession.tokenHash) != nil)
        }
    }

    @Test("A wrong recovery code ends nothing", arguments: Backend.allCases)
    func wrongRecoveryCodeEndsNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, other, token) = try await accountWithGrants(store, verified: false)
            var session = makeSession(for: user)
            session.recovery = true
            #expect(try await redeem(store, user, hash: "wrong", session: session) == nil)
            #expect(try await store.session(tokenHash: other.tokenHash) != nil)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash) != nil)
            #expect(try await store.credentials(userID: user.id) == [credential])
            #expect(try await store.passwordHash(userID: user.id) == "$2b$10$hash")
            #expect(try await store.user(id: user.id)?.emailVerified == false)
        }
    }

    @Test("A code of the other purpose, an expired code or a wrong code redeems nothing", arguments: Backend.allCases)
    func wrongCodes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            #expect(try await redeem(store, user, .verification) == nil)
            #expect(try await redeem(store, user, hash: "wrong") == nil)
            #expect(try await redeem(store, user, at: t0.addingTimeInterval(minutes(10))) == nil)
            #expect(try await redeem(store, user) != nil)
        }
    }

    @Test("A code is dead after five wrong tries, even for the right code", arguments: Backend.allCases)
    func fiveWrongTries(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            for _ in 0..<5 { #expect(try await redeem(store, user, hash: "wrong") == nil) }
            #expect(try await redeem(store, user) == nil)
        }
    }

    @Test("A new code leaves the earlier one live, and redeeming either ends both", arguments: Backend.allCases)
    func newCodeKeepsOld(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user, hash: Array("first".utf8)), maximumPerHour: 5)
            _ = try await store.issueEmailCode(code(user, hash: Array("second".utf8), at: t0.addingTimeInterval(1)), maximumPerHour: 5)
            #expect(try await redeem(store, user, hash: "first") != nil)
            #expect(try await redeem(store, user, hash: "second") == nil)
            #expect(try await redeem(store, user, hash: "first") == nil)
        }
    }

    @Test("A wrong try counts against every live code: five end them all", arguments: Backend.allCases)
    func wrongTriesCountAgainstEveryLiveCode(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user, hash: Array("first".utf8)), maximumPerHour: 5)
            for _ in 0..<3 { #expect(try await redeem(store, user, hash: "wrong") == nil) }
            _ = try await store.issueEmailCode(code(user, hash: Array("second".utf8), at: t0.addingTimeInterval(1)), maximumPerHour: 5)
            for _ in 0..<2 { #expect(try await redeem(store, user, hash: "wrong") == nil) }
            #expect(try await redeem(store, user, hash: "first") == nil, "five wrong tries")
            #expect(try await redeem(store, user, hash: "second") != nil, "two wrong tries")
        }
    }

    @Test("Disabling an account uses up its mailed codes: none works once it is enabled again", arguments: Backend.allCases)
    func disablingEndsCodes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            _ = try await store.setDisabled(userID: user.id, true)
            _ = try await store.setDisabled(userID: user.id, false)
            #expect(try await redeem(store, user) == nil)
            let capped = try await store.issueEmailCode(code(user, at: t0.addingTimeInterval(60)), maximumPerHour: 1)
            #expect(capped != .issued, "a used-up code still counts against the cap")
        }
    }

    @Test("Codes of one purpose are not redeemed for the other", arguments: Backend.allCases)
    func purposesApart(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user, .verification, hash: Array("verify".utf8)), maximumPerHour: 5)
            _ = try await store.issueEmailCode(code(user, hash: Array("recover".utf8), at: t0.addingTimeInterval(1)), maximumPerHour: 5)
            #expect(try await redeem(store, user, hash: "verify") == nil)
            #expect(try await redeem(store, user, .verification, hash: "verify") != nil)
            #expect(try await redeem(store, user, hash: "recover") != nil, "a verification does not end a recovery code")
        }
    }

    @Test("Codes per account and purpose are capped per hour, and the cap says until when", arguments: Backend.allCases)
    func hourlyCap(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            for minute in 0..<3 {
                #expect(try await store.issueEmailCode(code(user, at: t0.addingTimeInterval(minutes(Double(minute)))), maximumPerHour: 3) == .issued)
            }
            let capped = try await store.issueEmailCode(code(user, at: t0.addingTimeInterval(minutes(30))), maximumPerHour: 3)
            #expect(capped == .capped(until: t0.addingTimeInterval(3600)))
            #expect(try await store.issueEmailCode(code(user, .verification, at: t0.addingTimeInterval(minutes(30))), maximumPerHour: 3) == .issued)
            #expect(try await store.issueEmailCode(code(user, at: t0.addingTimeInterval(3601)), maximumPerHour: 3) == .issued)
        }
    }

    @Test("Adding a passkey in a recovery session makes it a full session", arguments: Backend.allCases)
    func addingPasskeyEndsRecovery(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            var session = makeSession(for: user)
            session.recovery = true
            _ = try await redeem(store, user, session: session)
            let credential = makeCredential(for: user)
            try await store.addCredential(credential, audit: [], endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.expiresAt), limit: nil)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == false)
            #expect(try await store.credential(id: credential.id) == credential)
        }
    }

    @Test("The end of a recovery gives the session the expiry it is given", arguments: Backend.allCases)
    func recoveryCompletionSetsExpiry(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            var session = makeSession(for: user)
            session.recovery = true
            session.expiresAt = t0.addingTimeInterval(3600)
            _ = try await redeem(store, user, session: session)
            let later = t0.addingTimeInterval(7 * 86400)
            try await store.addCredential(
                makeCredential(for: user), audit: [], endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: later),
                limit: nil)
            #expect(try await store.session(tokenHash: session.tokenHash)?.expiresAt == later)
        }
    }

    @Test("A passkey is added with its activity events and the end of the recovery, together", arguments: Backend.allCases)
    func addingPasskeyWithEvents(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            let (other, _, _) = try await signUp(store, "grace@example.com")
            var session = makeSession(for: user)
            session.recovery = true
            var othersSession = makeSession(for: other)
            othersSession.recovery = true
            for (owner, recovery) in [(user, session), (other, othersSession)] {
                _ = try await store.issueEmailCode(code(owner), maximumPerHour: 5)
                _ = try await redeem(store, owner, session: recovery)
            }
            let credential = makeCredential(for: user)
            let events = [
                AuditEvent(userID: user.id, kind: "recovery_completed", at: t0, credentialID: credential.id),
                AuditEvent(userID: user.id, kind: .passkeyAdded, at: t0.addingTimeInterval(1), credentialID: credential.id),
            ]
            try await store.addCredential(credential, audit: events, endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.expiresAt), limit: nil)
            #expect(try await store.credential(id: credential.id) == credential)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == false)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == events.reversed())

            // Another account's recovery session is not made full by this account's passkey.
            try await store.addCredential(makeCredential(for: user), audit: [], endingRecoveryOf: RecoveryCompletion(tokenHash: othersSession.tokenHash, expiresAt: othersSession.expiresAt), limit: nil)
            #expect(try await store.session(tokenHash: othersSession.tokenHash)?.recovery == true)
        }
    }

    @Test("A refused passkey stores none of its events and keeps the recovery session as it was", arguments: Backend.allCases)
    func refusedPasskeyStoresNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            // A passkey registered to another account (the recovery of this one, whose address
            // was never proved, removes its own).
            let (_, existing, _) = try await signUp(store, "grace@example.com")
            var session = makeSession(for: user)
            session.recovery = true
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            _ = try await redeem(store, user, session: session)
            let stored = AuditEvent(userID: user.id, kind: .signIn, at: t0)
            try await store.appendAudit(stored)

            // A registered credential ID.
            let duplicate = makeCredential(for: user, id: existing.id, name: "Again")
            await #expect(throws: StoreError.credentialExists) {
                try await store.addCredential(
                    duplicate, audit: [AuditEvent(userID: user.id, kind: .passkeyAdded, at: t0)],
                    endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.expiresAt), limit: nil)
            }
            // An event whose ID is stored already: the passkey is not added either.
            let fresh = makeCredential(for: user)
            var again = stored
            again.kind = .passkeyAdded
            await #expect(throws: StoreError.self) {
                try await store.addCredential(
                    fresh, audit: [AuditEvent(userID: user.id, kind: "recovery_completed", at: t0), again],
                    endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.expiresAt), limit: nil)
            }
            #expect(try await store.credential(id: fresh.id) == nil)
            #expect(try await store.credential(id: existing.id) == existing)
            #expect(try await store.session(tokenHash: session.tokenHash)?.recovery == true)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [stored])

            // An account that is gone.
            let ghost = makeUser("ghost@example.com")
            await #expect(throws: StoreError.userNotFound) {
                try await store.addCredential(
                    makeCredential(for: ghost), audit: [AuditEvent(userID: ghost.id, kind: .passkeyAdded, at: t0)],
                    endingRecoveryOf: nil, limit: nil)
            }
            #expect(try await store.auditEvents(userID: ghost.id, limit: 10).isEmpty)
        }
    }

    @Test("Purging keeps codes that are live or still count against the hourly cap", arguments: Backend.allCases)
    func purge(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 2)
            #expect(try await store.purgeEmailCodes(now: t0.addingTimeInterval(minutes(30))) == 0)
            #expect(try await store.purgeEmailCodes(now: t0.addingTimeInterval(3601)) == 1)
            #expect(try await store.issueEmailCode(code(user, at: t0.addingTimeInterval(3602)), maximumPerHour: 1) == .issued)
        }
    }

    @Test("Deleting the account deletes its codes and password", arguments: Backend.allCases)
    func deleteUser(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let user = makeUser("grace@example.com")
            try await store.importUser(user, passwordHash: "hash")
            _ = try await store.issueEmailCode(code(user), maximumPerHour: 5)
            try await store.deleteUser(id: user.id)
            #expect(try await store.passwordHash(userID: user.id) == nil)
            #expect(try await store.purgeEmailCodes(now: t0.addingTimeInterval(7200)) == 0)
        }
    }
}
