import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The store's part in running the server for real people: sessions tied to the passkey that
/// opened them, the activity log, and accounts an operator turns off. Run on every backend.
@Suite("PasskeyStore contract: sessions, activity and accounts")
struct OperationsContractTests {
    // MARK: Sessions

    @Test("A session keeps the passkey, address and user agent that opened it", arguments: Backend.allCases)
    func sessionKeepsItsOrigin(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            var session = makeSession(for: user, at: t0.addingTimeInterval(1))
            session.credentialID = credential.id
            session.ip = "203.0.113.9"
            session.userAgent = "Firefox on Linux"
            try await store.insertSession(session)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            let signedIn = makeSession(for: user, at: t0.addingTimeInterval(2))
            var withPasskey = signedIn
            withPasskey.credentialID = credential.id
            withPasskey.ip = "2001:db8::1"
            _ = try await store.recordSignIn(
                credentialID: credential.id, signCount: 0, backedUp: false, at: t0, session: withPasskey)
            #expect(try await store.session(tokenHash: withPasskey.tokenHash) == withPasskey)
        }
    }

    @Test("An account's sessions are listed oldest first, and no one else's", arguments: Backend.allCases)
    func sessionsAreListed(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, first) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            let later = makeSession(for: ada, at: t0.addingTimeInterval(60))
            try await store.insertSession(later)
            #expect(try await store.sessions(userID: ada.id) == [first, later])
            #expect(try await store.sessions(userID: grace.id).count == 1)
            #expect(try await store.sessions(userID: .random()).isEmpty)
        }
    }

    @Test("Ending an account's sessions keeps the one asked for, and other accounts' sessions", arguments: Backend.allCases)
    func deleteSessionsKeepsOne(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, current) = try await signUp(store, "ada@example.com")
            let (grace, _, graces) = try await signUp(store, "grace@example.com")
            let other = makeSession(for: ada, at: t0.addingTimeInterval(5))
            try await store.insertSession(other)
            #expect(try await store.deleteSessions(userID: ada.id, keeping: current.tokenHash) == [other])
            #expect(try await store.sessions(userID: ada.id) == [current])
            #expect(try await store.deleteSessions(userID: ada.id, keeping: nil) == [current])
            #expect(try await store.sessions(userID: ada.id).isEmpty)
            #expect(try await store.sessions(userID: grace.id) == [graces])
        }
    }

    @Test("Deleting a passkey ends the sessions it opened and only those", arguments: Backend.allCases)
    func deletingAPasskeyEndsItsSessions(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, first, signUpSession) = try await signUp(store)
            let second = makeCredential(for: user, at: t0.addingTimeInterval(1))
            try await store.addCredential(second)
            var bySecond = makeSession(for: user)
            bySecond.credentialID = second.id
            try await store.insertSession(bySecond)
            var byFirst = makeSession(for: user)
            byFirst.credentialID = first.id
            try await store.insertSession(byFirst)
            let byNone = makeSession(for: user)
            try await store.insertSession(byNone)

            #expect(try await store.deleteCredential(id: second.id, userID: user.id) == .deleted)
            #expect(try await store.session(tokenHash: bySecond.tokenHash) == nil)
            #expect(try await store.session(tokenHash: byFirst.tokenHash) != nil)
            #expect(try await store.session(tokenHash: byNone.tokenHash) != nil)
            #expect(try await store.session(tokenHash: signUpSession.tokenHash) != nil)
        }
    }

    @Test("A passkey that cannot be deleted ends no session", arguments: Backend.allCases)
    func keptPasskeyKeepsItsSessions(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, only, _) = try await signUp(store)
            var session = makeSession(for: user)
            session.credentialID = only.id
            try await store.insertSession(session)
            #expect(try await store.deleteCredential(id: only.id, userID: user.id) == .lastCredential)
            #expect(try await store.session(tokenHash: session.tokenHash) != nil)
        }
    }

    // MARK: Accounts

    @Test("A new account is enabled; disabling it ends its sessions and enabling it starts none", arguments: Backend.allCases)
    func disableAndEnable(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, session) = try await signUp(store, "ada@example.com")
            let (grace, _, gracesSession) = try await signUp(store, "grace@example.com")
            #expect(ada.disabled == false)
            let disabled = try #require(try await store.setDisabled(userID: ada.id, true))
            #expect(disabled.disabled)
            #expect(try await store.user(id: ada.id)?.disabled == true)
            #expect(try await store.user(username: "ada@example.com")?.disabled == true)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.session(tokenHash: gracesSession.tokenHash) != nil)
            #expect(try await store.user(id: grace.id)?.disabled == false)

            let enabled = try #require(try await store.setDisabled(userID: ada.id, false))
            #expect(enabled.disabled == false)
            #expect(try await store.sessions(userID: ada.id).isEmpty)
            #expect(try await store.setDisabled(userID: .random(), true) == nil)
        }
    }

    @Test("Every account is listed, by normalized username", arguments: Backend.allCases)
    func usersAreListed(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.users().isEmpty)
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            let (ada, _, _) = try await signUp(store, "Ada@example.com")
            let (bob, _, _) = try await signUp(store, "bob@example.com")
            #expect(try await store.users() == [ada, bob, grace])
        }
    }

    // MARK: Activity

    @Test("An audit event keeps its address, user agent and passkey", arguments: Backend.allCases)
    func auditEventKeepsEveryField(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, _) = try await signUp(store)
            let event = AuditEvent(
                userID: ada.id, kind: .signIn, detail: "", at: t0, ip: "203.0.113.9", userAgent: "Safari",
                credentialID: credential.id)
            try await store.appendAudit(event)
            let bare = AuditEvent(userID: ada.id, kind: .displayNameChanged, at: t0.addingTimeInterval(1))
            try await store.appendAudit(bare)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [bare, event])
        }
    }

    @Test("Audit events are paged newest first, each page after the last one's cursor", arguments: Backend.allCases)
    func auditEventsArePaged(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store)
            // Some share a moment, so the cursor must break ties the way the list does.
            let events = (0..<7).map {
                AuditEvent(userID: ada.id, kind: .signIn, detail: "\($0)", at: t0.addingTimeInterval(Double($0 / 2)))
            }
            for event in events.shuffled() { try await store.appendAudit(event) }
            let all = try await store.auditEvents(userID: ada.id, limit: 100)
            #expect(all.count == 7)
            var pages: [[AuditEvent]] = []
            var cursor: AuditEvent.Cursor?
            while true {
                let page = try await store.auditEvents(userID: ada.id, limit: 3, before: cursor)
                if page.isEmpty { break }
                pages.append(page)
                cursor = page.last?.cursor
            }
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(pages.flatMap { $0 } == all)
        }
    }

    @Test("Purging the activity log deletes what is older than the cutoff, for every account", arguments: Backend.allCases)
    func auditEventsArePurged(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store)
            let old = AuditEvent(userID: ada.id, kind: .signIn, at: t0)
            let orphan = AuditEvent(userID: nil, kind: .accountDeleted, detail: "bob", at: t0)
            let recent = AuditEvent(userID: ada.id, kind: .signIn, at: t0.addingTimeInterval(minutes(10)))
            for event in [old, orphan, recent] { try await store.appendAudit(event) }
            #expect(try await store.purgeAuditEvents(before: t0.addingTimeInterval(minutes(10))) == 2)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [recent])
            #expect(try await store.purgeAuditEvents(before: t0.addingTimeInterval(minutes(10))) == 0)
        }
    }

    @Test("An event of an account that is gone is not stored, even written while it is deleted", arguments: Backend.allCases)
    func eventsOfADeletedAccountAreNotStored(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store)
            try await store.deleteUser(id: ada.id)
            try await store.appendAudit(AuditEvent(userID: ada.id, kind: .signIn, at: t0))
            try await store.appendAudit(AuditEvent(userID: makeUser("nobody@example.com").id, kind: .signIn, at: t0))
            try await store.appendAudit(AuditEvent(userID: nil, kind: .accountDeleted, detail: "ada", at: t0))
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
            #expect(try await store.purgeAuditEvents(before: t0.addingTimeInterval(minutes(1))) == 1, "the operator's event only")

            // An event written while its account is being deleted: either it goes first and the
            // deletion takes it along, or the deletion goes first and it is not stored.
            for round in 0..<12 {
                let (user, _, _) = try await signUp(store, "user\(round)@example.com")
                async let deleted = store.deleteUser(id: user.id)
                async let appended: Void = store.appendAudit(AuditEvent(userID: user.id, kind: .signIn, at: t0))
                _ = try await (deleted, appended)
                #expect(try await store.auditEvents(userID: user.id, limit: 10).isEmpty, "round \(round)")
            }
        }
    }

    @Test("An event kind another feature defines is kept as written", arguments: Backend.allCases)
    func openEventKinds(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store)
            try await store.appendAudit(AuditEvent(userID: ada.id, kind: "recovery_used", at: t0))
            #expect(try await store.auditEvents(userID: ada.id, limit: 1).map(\.kind.rawValue) == ["recovery_used"])
        }
    }
}
