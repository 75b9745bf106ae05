import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The operations that store an account's change with the activity event that records it, on
/// every backend: the event is stored exactly when the change is, and an event the store refuses
/// (its ID is stored already) leaves the change undone.
@Suite("PasskeyStore contract: changes stored with their activity events")
struct ActivityEventsContractTests {
    /// An event of the account, `seconds` after `t0`.
    func event(_ user: UserRecord, _ kind: AuditEvent.Kind, after seconds: TimeInterval = 1) -> AuditEvent {
        AuditEvent(userID: user.id, kind: kind, at: t0.addingTimeInterval(seconds))
    }

    /// An event stored already, and another event with its ID (which every store refuses).
    func storedAndAgain(_ store: any PasskeyStore, _ user: UserRecord, _ kind: AuditEvent.Kind) async throws
        -> (stored: AuditEvent, again: AuditEvent)
    {
        let stored = AuditEvent(userID: user.id, kind: .signIn, at: t0)
        try await store.appendAudit(stored)
        var again = event(user, kind)
        again.id = stored.id
        return (stored, again)
    }

    @Test("A new session is stored with its event and ends the browser's previous one, all or nothing", arguments: Backend.allCases)
    func insertSessionWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, previous) = try await signUp(store)
            let (stored, again) = try await storedAndAgain(store, user, "password_sign_in")

            let refused = makeSession(for: user, method: .password)
            await #expect(throws: StoreError.self) {
                try await store.insertSession(refused, audit: again, endingSession: previous.tokenHash)
            }
            #expect(try await store.session(tokenHash: refused.tokenHash) == nil)
            #expect(try await store.session(tokenHash: previous.tokenHash) == previous)

            let session = makeSession(for: user, method: .password)
            let signIn = event(user, "password_sign_in")
            try await store.insertSession(session, audit: signIn, endingSession: previous.tokenHash)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.session(tokenHash: previous.tokenHash) == nil, "the browser's previous session is over")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [signIn, stored])

            // An account that is gone: no session, no event.
            let ghost = makeUser("ghost@example.com")
            await #expect(throws: StoreError.userNotFound) {
                try await store.insertSession(makeSession(for: ghost), audit: event(ghost, "password_sign_in"), endingSession: nil)
            }
            #expect(try await store.auditEvents(userID: ghost.id, limit: 10).isEmpty)
        }
    }

    @Test("Deleting a session stores its event once, only when there was a session to delete", arguments: Backend.allCases)
    func deleteSessionWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, session) = try await signUp(store)
            let (stored, again) = try await storedAndAgain(store, user, "session_ended")
            await #expect(throws: StoreError.self) {
                try await store.deleteSession(tokenHash: session.tokenHash, audit: again)
            }
            #expect(try await store.session(tokenHash: session.tokenHash) == session)

            let ended = event(user, "session_ended")
            #expect(try await store.deleteSession(tokenHash: session.tokenHash, audit: ended))
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            // A second sign-out of the same session (another request was first): no second event.
            #expect(try await store.deleteSession(tokenHash: session.tokenHash, audit: event(user, "session_ended", after: 2)) == false)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [ended, stored])
        }
    }

    @Test("Ending an account's other sessions stores the events made of the sessions ended, all or nothing", arguments: Backend.allCases)
    func deleteSessionsWithEvents(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, kept) = try await signUp(store)
            let others = [makeSession(for: user, at: t0.addingTimeInterval(1)), makeSession(for: user, at: t0.addingTimeInterval(2))]
            for session in others { try await store.insertSession(session) }
            let (stored, again) = try await storedAndAgain(store, user, "session_ended")

            await #expect(throws: StoreError.self) {
                try await store.deleteSessions(userID: user.id, keeping: kept.tokenHash) { _ in [again] }
            }
            #expect(try await store.sessions(userID: user.id).count == 3, "no session ended")

            let ended = try await store.deleteSessions(userID: user.id, keeping: kept.tokenHash) { ended in
                ended.enumerated().map { index, _ in
                    AuditEvent(userID: user.id, kind: "session_ended", at: t0.addingTimeInterval(Double(10 + index)))
                }
            }
            #expect(ended == others)
            #expect(try await store.sessions(userID: user.id) == [kept])
            let events = try await store.auditEvents(userID: user.id, limit: 10)
            #expect(events.map(\.kind) == ["session_ended", "session_ended", "sign_in"])
            #expect(events.last == stored)
        }
    }

    @Test("A passkey's new name is stored with its event, and another account's passkey is neither renamed nor recorded", arguments: Backend.allCases)
    func renameWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            let (grace, graceCredential, _) = try await signUp(store, "grace@example.com")
            let (stored, again) = try await storedAndAgain(store, user, "passkey_renamed")
            await #expect(throws: StoreError.self) {
                try await store.renameCredential(id: credential.id, userID: user.id, name: "Refused", audit: again)
            }
            #expect(try await store.credential(id: credential.id)?.name == credential.name)

            #expect(try await store.renameCredential(
                id: graceCredential.id, userID: user.id, name: "Mine", audit: event(user, "passkey_renamed")) == nil)
            #expect(try await store.credential(id: graceCredential.id) == graceCredential)

            let renamed = event(user, "passkey_renamed", after: 2)
            #expect(try await store.renameCredential(id: credential.id, userID: user.id, name: "Laptop", audit: renamed)?.name == "Laptop")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [renamed, stored])
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).isEmpty)
        }
    }

    @Test("A display name is stored with its event when it is a new one, and without one when it is the same", arguments: Backend.allCases)
    func displayNameWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            let (stored, again) = try await storedAndAgain(store, user, "display_name_changed")
            await #expect(throws: StoreError.self) {
                try await store.updateDisplayName(userID: user.id, displayName: "Refused", audit: again)
            }
            #expect(try await store.user(id: user.id)?.displayName == user.displayName)

            // The same name: stored as it is, no event (even one the store would refuse).
            #expect(try await store.updateDisplayName(userID: user.id, displayName: user.displayName, audit: again)?.displayName == user.displayName)
            let changed = event(user, "display_name_changed", after: 2)
            #expect(try await store.updateDisplayName(userID: user.id, displayName: "Ada L.", audit: changed)?.displayName == "Ada L.")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [changed, stored])
            let ghost = makeUser("ghost@example.com")
            #expect(try await store.updateDisplayName(userID: ghost.id, displayName: "Ghost", audit: event(ghost, "display_name_changed")) == nil)
            #expect(try await store.auditEvents(userID: ghost.id, limit: 10).isEmpty)
        }
    }

    @Test("A redeemed recovery code stores the session, its event and the end of the previous one; a wrong code none of them", arguments: Backend.allCases)
    func redeemWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, previous) = try await signUp(store)
            let code = EmailCodeRecord(
                userID: user.id, purpose: .recovery, codeHash: Array("right".utf8), createdAt: t0,
                expiresAt: t0.addingTimeInterval(minutes(10)))
            #expect(try await store.issueEmailCode(code, maximumPerHour: 5) == .issued)
            func redeem(_ hash: String, _ session: SessionRecord, _ event: AuditEvent) async throws -> UserRecord? {
                try await store.redeemEmailCode(
                    userID: user.id, purpose: .recovery, codeHash: Array(hash.utf8), at: t0.addingTimeInterval(60),
                    maximumAttempts: 5, session: session, audit: event, endingSession: previous.tokenHash)
            }
            var recovery = makeSession(for: user, method: .emailCode)
            recovery.recovery = true

            #expect(try await redeem("wrong", recovery, event(user, "recovery_started")) == nil)
            let (stored, again) = try await storedAndAgain(store, user, "recovery_started")
            await #expect(throws: StoreError.self) { try await redeem("right", recovery, again) }
            #expect(try await store.session(tokenHash: recovery.tokenHash) == nil)
            #expect(try await store.session(tokenHash: previous.tokenHash) == previous)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [stored])

            let started = event(user, "recovery_started", after: 2)
            #expect(try await redeem("right", recovery, started)?.emailVerified == true)
            #expect(try await store.session(tokenHash: recovery.tokenHash) == recovery)
            #expect(try await store.session(tokenHash: previous.tokenHash) == nil, "the browser's previous session is over")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [started, stored])
        }
    }

    @Test("An imported account is stored with its event; a username taken stores neither", arguments: Backend.allCases)
    func importWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let grace = makeUser("grace@example.com")
            let imported = event(grace, "account_imported")
            try await store.importUser(grace, passwordHash: "hash", audit: imported)
            #expect(try await store.auditEvents(userID: grace.id, limit: 10) == [imported])

            let twin = makeUser("Grace@example.com")
            await #expect(throws: StoreError.usernameTaken) {
                try await store.importUser(twin, passwordHash: nil, audit: event(twin, "account_imported"))
            }
            #expect(try await store.auditEvents(userID: twin.id, limit: 10).isEmpty)

            // An event the store refuses: no account either.
            let ada = makeUser("ada@example.com")
            var again = event(ada, "account_imported")
            again.id = imported.id
            await #expect(throws: StoreError.self) { try await store.importUser(ada, passwordHash: "hash", audit: again) }
            #expect(try await store.user(username: "ada@example.com") == nil)
        }
    }

    @Test("Turning an account off or on stores the operator's event with the change, all or nothing", arguments: Backend.allCases)
    func disableWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, session) = try await signUp(store)
            let (stored, again) = try await storedAndAgain(store, user, "account_disabled")
            await #expect(throws: StoreError.self) { try await store.setDisabled(userID: user.id, true, audit: again) }
            #expect(try await store.user(id: user.id)?.disabled == false)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)

            let disabled = event(user, "account_disabled")
            #expect(try await store.setDisabled(userID: user.id, true, audit: disabled)?.disabled == true)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            let enabled = event(user, "account_enabled", after: 2)
            #expect(try await store.setDisabled(userID: user.id, false, audit: enabled)?.disabled == false)
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [enabled, disabled, stored])
            let ghost = makeUser("ghost@example.com")
            #expect(try await store.setDisabled(userID: ghost.id, true, audit: event(ghost, "account_disabled")) == nil)
            #expect(try await store.auditEvents(userID: ghost.id, limit: 10).isEmpty)
        }
    }

    @Test("Deleting an account stores the operator's record only when there was an account, and keeps the account when it cannot", arguments: Backend.allCases)
    func deleteUserWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            // The operators' record is kept here under another account, so the test can read it back.
            let (keeper, _, _) = try await signUp(store, "grace@example.com")
            let (_, again) = try await storedAndAgain(store, keeper, "account_deleted")
            await #expect(throws: StoreError.self) { try await store.deleteUser(id: user.id, audit: again) }
            #expect(try await store.user(id: user.id) == user)

            let record = event(keeper, "account_deleted", after: 2)
            #expect(try await store.deleteUser(id: user.id, audit: record))
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.auditEvents(userID: keeper.id, limit: 1) == [record])
            #expect(try await store.deleteUser(id: user.id, audit: event(keeper, "account_deleted", after: 3)) == false)
            #expect(try await store.auditEvents(userID: keeper.id, limit: 1) == [record])
        }
    }

    @Test("A consent is stored with its event, all or nothing; removing it stores its event only when there was one", arguments: Backend.allCases)
    func consentWithEvents(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let consent = ConsentRecord(userID: user.id, clientID: "app-1", scopes: ["openid"], grantedAt: t0)
            let granted = AuditEvent(userID: user.id, kind: "oauth_consent_granted", at: t0)
            var grantedAgain = event(user, "oauth_consent_granted")
            grantedAgain.id = granted.id
            try await store.saveConsent(consent, audit: granted)
            var wider = consent
            wider.scopes = ["openid", "email"]
            await #expect(throws: StoreError.self) { try await store.saveConsent(wider, audit: grantedAgain) }
            #expect(try await store.consents(userID: user.id) == [consent], "the wider consent was not stored")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [granted])
            let (stored, again) = try await storedAndAgain(store, user, "oauth_access_removed")
            await #expect(throws: StoreError.self) { try await store.removeConsent(userID: user.id, clientID: "app-1", audit: again) }
            #expect(try await store.consents(userID: user.id) == [consent])

            let removed = event(user, "oauth_access_removed", after: 2)
            #expect(try await store.removeConsent(userID: user.id, clientID: "app-1", audit: removed))
            #expect(try await store.removeConsent(userID: user.id, clientID: "app-1", audit: event(user, "oauth_access_removed", after: 3)) == false)
            #expect(try await store.consents(userID: user.id) == [])
            let events = try await store.auditEvents(userID: user.id, limit: 10)
            #expect(events.first == removed && Set(events.dropFirst()) == [granted, stored] && events.count == 3)
        }
    }
}
