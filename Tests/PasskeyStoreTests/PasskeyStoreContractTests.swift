import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// One specification of ``PasskeyStore``, run on every backend.
@Suite("PasskeyStore contract")
struct PasskeyStoreContractTests {
    // MARK: Accounts

    @Test("A new account is found by its handle and by its username", arguments: Backend.allCases)
    func newAccountIsFound(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, session) = try await signUp(store)
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(username: "ada@example.com") == user)
            #expect(try await store.credentials(userID: user.id) == [credential])
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
        }
    }

    @Test("A username is looked up in any case and without surrounding space", arguments: Backend.allCases)
    func usernameLookupIsNormalized(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store, "Ada@Example.com")
            #expect(try await store.user(username: "  ada@EXAMPLE.com\n") == user)
            #expect(try await store.user(username: "ada@example.org") == nil)
            #expect(try await store.user(id: user.id)?.username == "Ada@Example.com")
        }
    }

    @Test("A username in composed or decomposed Unicode names the same account", arguments: Backend.allCases)
    func usernameLookupComposesUnicode(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store, "Ren\u{E9}e")
            #expect(try await store.user(username: "rene\u{301}e") == user)
        }
    }

    @Test("Signing up with a username taken in another case is refused and stores nothing", arguments: Backend.allCases)
    func duplicateUsernameIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (first, _, _) = try await signUp(store, "ada@example.com")
            let second = makeUser(" ADA@example.com")
            let credential = makeCredential(for: second)
            let session = makeSession(for: second)
            await #expect(throws: StoreError.usernameTaken) {
                try await store.createUser(second, credential: credential, session: session)
            }
            #expect(try await store.user(username: "ada@example.com") == first)
            #expect(try await store.user(id: second.id) == nil)
            #expect(try await store.credential(id: credential.id) == nil)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
        }
    }

    @Test("Signing up with a registered credential ID is refused and leaves no account behind", arguments: Backend.allCases)
    func signUpWithDuplicateCredentialLeavesNoUser(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, existing, _) = try await signUp(store, "ada@example.com")
            let user = makeUser("grace@example.com")
            let credential = makeCredential(for: user, id: existing.id)
            let session = makeSession(for: user)
            await #expect(throws: StoreError.credentialExists) {
                try await store.createUser(user, credential: credential, session: session)
            }
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.user(username: "grace@example.com") == nil)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.credential(id: existing.id) == existing)
        }
    }

    @Test("A sign-up stores its activity event and ends the browser's previous session with the account", arguments: Backend.allCases)
    func signUpWithEventAndPreviousSession(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, adaSession) = try await signUp(store, "ada@example.com")
            let user = makeUser("grace@example.com")
            let credential = makeCredential(for: user)
            let session = makeSession(for: user)
            let event = AuditEvent(userID: user.id, kind: .signUp, at: t0, ip: "192.0.2.1", credentialID: credential.id)
            try await store.createUser(
                user, credential: credential, session: session, audit: event, endingSession: adaSession.tokenHash)
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.session(tokenHash: adaSession.tokenHash) == nil, "the browser's previous session is over")
            #expect(try await store.auditEvents(userID: user.id, limit: 10) == [event])
            #expect(try await store.user(id: ada.id) == ada, "only the session ended, not its account")
        }
    }

    @Test("A refused sign-up stores no event and leaves the browser's previous session", arguments: Backend.allCases)
    func refusedSignUpKeepsPreviousSession(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, existing, adaSession) = try await signUp(store, "ada@example.com")
            for (name, credentialID) in [("ada@example.com", nil), ("grace@example.com", existing.id)] as [(String, CredentialID?)] {
                let user = makeUser(name)
                let credential = credentialID.map { makeCredential(for: user, id: $0) } ?? makeCredential(for: user)
                let event = AuditEvent(userID: user.id, kind: .signUp, at: t0)
                await #expect(throws: StoreError.self) {
                    try await store.createUser(
                        user, credential: credential, session: makeSession(for: user), audit: event,
                        endingSession: adaSession.tokenHash)
                }
                #expect(try await store.auditEvents(userID: user.id, limit: 10).isEmpty)
                #expect(try await store.session(tokenHash: adaSession.tokenHash) == adaSession)
            }
        }
    }

    @Test("A sign-up spends its ceremony's mark with the account, once", arguments: Backend.allCases)
    func signUpSpendsTheCeremonyMark(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
            let ada = makeUser("ada@example.com")
            let adaSession = makeSession(for: ada)
            try await store.createUser(
                ada, credential: makeCredential(for: ada), session: adaSession, audit: nil, endingSession: nil, spending: mark)
            #expect(try await store.user(id: ada.id) == ada)
            #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil) == false, "the mark is spent")

            // A second account made in the same ceremony: refused, nothing stored, the first session kept.
            let grace = makeUser("grace@example.com")
            let credential = makeCredential(for: grace)
            let session = makeSession(for: grace)
            await #expect(throws: StoreError.ceremonySpent) {
                try await store.createUser(
                    grace, credential: credential, session: session,
                    audit: AuditEvent(userID: grace.id, kind: .signUp, at: t0), endingSession: adaSession.tokenHash,
                    spending: mark)
            }
            #expect(try await store.user(id: grace.id) == nil)
            #expect(try await store.user(username: "grace@example.com") == nil)
            #expect(try await store.credential(id: credential.id) == nil)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).isEmpty)
            #expect(try await store.session(tokenHash: adaSession.tokenHash) == adaSession)
        }
    }

    @Test("A refused sign-up leaves its ceremony's mark unspent", arguments: Backend.allCases)
    func refusedSignUpLeavesTheMark(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, existing, _) = try await signUp(store, "ada@example.com")
            for (name, credentialID) in [("ada@example.com", nil), ("grace@example.com", existing.id)] as [(String, CredentialID?)] {
                let user = makeUser(name)
                let credential = credentialID.map { makeCredential(for: user, id: $0) } ?? makeCredential(for: user)
                let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
                await #expect(throws: StoreError.self) {
                    try await store.createUser(
                        user, credential: credential, session: makeSession(for: user), audit: nil, endingSession: nil,
                        spending: mark)
                }
                #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil), "the mark was not written")
            }
        }
    }

    @Test("Of concurrent sign-ups in one ceremony exactly one makes an account", arguments: Backend.allCases)
    func concurrentSignUpsInOneCeremony(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for _ in 0..<5 {
                let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
                let users = (0..<6).map { makeUser("user-\($0)-\(Base64URL.encode(randomBytes(6)))@example.com") }
                let made = try await withThrowingTaskGroup(of: UserHandle?.self) { group in
                    for user in users {
                        group.addTask {
                            do {
                                try await store.createUser(
                                    user, credential: makeCredential(for: user), session: makeSession(for: user), audit: nil,
                                    endingSession: nil, spending: mark)
                                return user.id
                            } catch let error as StoreError where error.code == .ceremonySpent {
                                return nil
                            }
                        }
                    }
                    return try await group.reduce(into: [UserHandle]()) { if let id = $1 { $0.append(id) } }
                }
                #expect(made.count == 1)
                for user in users where !made.contains(user.id) {
                    #expect(try await store.user(id: user.id) == nil)
                }
            }
        }
    }

    @Test("Of concurrent sign-ups with one username exactly one makes an account; the others leave nothing, marks included", arguments: Backend.allCases)
    func concurrentSignUpsWithOneUsername(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for round in 0..<4 {
                let username = "taken-\(round)-\(Base64URL.encode(randomBytes(6)))@example.com"
                let attempts = (0..<6).map { _ in
                    let user = makeUser(username)
                    let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
                    return (user: user, credential: makeCredential(for: user), session: makeSession(for: user), mark: mark)
                }
                let made = try await withThrowingTaskGroup(of: UserHandle?.self) { group in
                    for attempt in attempts {
                        group.addTask {
                            do {
                                try await store.createUser(
                                    attempt.user, credential: attempt.credential, session: attempt.session,
                                    audit: AuditEvent(userID: attempt.user.id, kind: .signUp, at: t0), endingSession: nil,
                                    spending: attempt.mark)
                                return attempt.user.id
                            } catch let error as StoreError where error.code == .usernameTaken {
                                return nil
                            }
                        }
                    }
                    return try await group.reduce(into: [UserHandle]()) { if let id = $1 { $0.append(id) } }
                }
                #expect(made.count == 1)
                #expect(try await store.user(username: username)?.id == made.first)
                for attempt in attempts where !made.contains(attempt.user.id) {
                    #expect(try await store.user(id: attempt.user.id) == nil)
                    #expect(try await store.credential(id: attempt.credential.id) == nil)
                    #expect(try await store.session(tokenHash: attempt.session.tokenHash) == nil)
                    #expect(try await store.auditEvents(userID: attempt.user.id, limit: 10).isEmpty)
                    #expect(
                        try await store.spendCeremony(id: attempt.mark.id, keepUntil: attempt.mark.keepUntil),
                        "a refused sign-up's mark was not written")
                }
            }
        }
    }

    @Test("Two stores on one database make one account in one ceremony", arguments: Backend.shared)
    func twoStoresSignUpOnceInOneCeremony(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            try await withStores(open) { first, second in
                for _ in 0..<10 {
                    let mark = CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
                    let pair = (0..<2).map { _ in makeUser("user-\(Base64URL.encode(randomBytes(6)))@example.com") }
                    @Sendable func attempt(_ store: SQLPasskeyStore, _ user: UserRecord) async throws -> Bool {
                        do {
                            try await store.createUser(
                                user, credential: makeCredential(for: user), session: makeSession(for: user), audit: nil,
                                endingSession: nil, spending: mark)
                            return true
                        } catch let error as StoreError where error.code == .ceremonySpent {
                            return false
                        }
                    }
                    async let a = attempt(first, pair[0])
                    async let b = attempt(second, pair[1])
                    let made = try await [a, b]
                    #expect(made.filter { $0 }.count == 1)
                }
            }
        }
    }

    @Test("A sign-up whose session cannot be stored leaves no account or credential behind", arguments: Backend.allCases)
    func signUpFailingAtTheSessionLeavesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, _, existingSession) = try await signUp(store, "ada@example.com")
            let user = makeUser("grace@example.com")
            let credential = makeCredential(for: user)
            var session = makeSession(for: user)
            session.tokenHash = existingSession.tokenHash
            let error = await #expect(throws: StoreError.self) {
                try await store.createUser(user, credential: credential, session: session)
            }
            #expect(error?.code == .failure)
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.user(username: "grace@example.com") == nil)
            #expect(try await store.credential(id: credential.id) == nil)
        }
    }

    @Test("A sign-up whose credential or session names another account is refused", arguments: Backend.allCases)
    func signUpWithForeignRecordsIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { (store) async throws in
            let user = makeUser()
            let stranger = makeUser("grace@example.com")
            await #expect(throws: StoreError.failure("")) {
                try await store.createUser(user, credential: makeCredential(for: stranger), session: makeSession(for: user))
            }
            await #expect(throws: StoreError.failure("")) {
                try await store.createUser(user, credential: makeCredential(for: user), session: makeSession(for: stranger))
            }
            #expect(try await store.user(id: user.id) == nil)
        }
    }

    @Test("The display name changes, and a missing account's change returns nil", arguments: Backend.allCases)
    func displayNameChanges(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            var expected = user
            expected.displayName = "Ada L."
            #expect(try await store.updateDisplayName(userID: user.id, displayName: "Ada L.") == expected)
            #expect(try await store.user(id: user.id) == expected)
            #expect(try await store.updateDisplayName(userID: .random(), displayName: "Nobody") == nil)
        }
    }

    @Test("Deleting an account removes its passkeys, sessions, ceremonies and audit events, and no one else's", arguments: Backend.allCases)
    func deleteUserCascades(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, adaFirst, adaSession) = try await signUp(store, "ada@example.com")
            let (grace, graceCredential, graceSession) = try await signUp(store, "grace@example.com")
            let adaSecond = makeCredential(for: ada, at: t0.addingTimeInterval(1))
            try await store.addCredential(adaSecond)
            let adaOtherSession = makeSession(for: ada)
            try await store.insertSession(adaOtherSession)
            let adaCeremony = makeCeremony(.addPasskey, userID: ada.id)
            let graceCeremony = makeCeremony(.authentication, userID: grace.id)
            try await store.insertCeremony(adaCeremony)
            try await store.insertCeremony(graceCeremony)
            try await store.appendAudit(AuditEvent(userID: ada.id, kind: "sign_in", detail: "", at: t0))
            try await store.appendAudit(AuditEvent(userID: grace.id, kind: "sign_in", detail: "", at: t0))

            #expect(try await store.deleteUser(id: ada.id))

            #expect(try await store.user(id: ada.id) == nil)
            #expect(try await store.user(username: "ada@example.com") == nil)
            #expect(try await store.credential(id: adaFirst.id) == nil)
            #expect(try await store.credential(id: adaSecond.id) == nil)
            #expect(try await store.credentials(userID: ada.id).isEmpty)
            #expect(try await store.session(tokenHash: adaSession.tokenHash) == nil)
            #expect(try await store.session(tokenHash: adaOtherSession.tokenHash) == nil)
            #expect(try await store.consumeCeremony(id: adaCeremony.id) == nil)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)

            #expect(try await store.user(id: grace.id) == grace)
            #expect(try await store.credentials(userID: grace.id) == [graceCredential])
            #expect(try await store.session(tokenHash: graceSession.tokenHash) == graceSession)
            #expect(try await store.consumeCeremony(id: graceCeremony.id) == graceCeremony)
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).count == 1)
        }
    }

    @Test("Deleting an account that does not exist reports false", arguments: Backend.allCases)
    func deleteMissingUser(_ backend: Backend) async throws {
        try await withStore(backend) { (store) async throws in
            #expect(try await store.deleteUser(id: .random()) == false)
        }
    }

    @Test("A username is free again once its account is deleted", arguments: Backend.allCases)
    func usernameIsFreedByDeletion(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store, "ada@example.com")
            try await store.deleteUser(id: user.id)
            let (again, _, _) = try await signUp(store, "Ada@example.com")
            #expect(try await store.user(username: "ada@example.com") == again)
        }
    }

    // MARK: Passkeys

    @Test("A credential keeps every field, and an account's credentials are listed oldest first", arguments: Backend.allCases)
    func credentialsRoundTripOldestFirst(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, first, _) = try await signUp(store)
            var newest = makeCredential(for: user, name: "Security key", at: t0.addingTimeInterval(minutes(2)))
            newest.publicKey = [0xA5, 0x01, 0x02, 0x03, 0x26]
            newest.algorithm = -8
            newest.signCount = .max
            newest.aaguid = .zero
            newest.attestationFormat = "packed"
            newest.transports = []
            newest.backupEligible = false
            newest.backedUp = false
            newest.lastUsedAt = t0.addingTimeInterval(minutes(3))
            var middle = makeCredential(for: user, name: "Phone", at: t0.addingTimeInterval(minutes(1)))
            middle.backedUp = true
            middle.transports = ["hybrid", "internal", "usb", "nfc", "ble", "smart-card"]
            try await store.addCredential(newest)
            try await store.addCredential(middle)

            #expect(try await store.credentials(userID: user.id) == [first, middle, newest])
            #expect(try await store.credential(id: newest.id) == newest)
            #expect(try await store.credential(id: CredentialID(uncheckedBytes: randomBytes(16))) == nil)
        }
    }

    @Test("Credentials created at the same moment are listed in the same order by every backend", arguments: Backend.allCases)
    func credentialsWithEqualTimesHaveAStableOrder(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, first, _) = try await signUp(store)
            let low = makeCredential(for: user, id: CredentialID(uncheckedBytes: [0x01, 0xFF]))
            let high = makeCredential(for: user, id: CredentialID(uncheckedBytes: [0x02]))
            try await store.addCredential(high)
            try await store.addCredential(low)
            let ids = try await store.credentials(userID: user.id).map(\.id)
            let expected = [first.id, low.id, high.id].sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            #expect(ids == expected)
        }
    }

    @Test("Adding a credential whose ID is registered is refused, even to another account", arguments: Backend.allCases)
    func addingDuplicateCredentialIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, adaCredential, _) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            await #expect(throws: StoreError.credentialExists) {
                try await store.addCredential(makeCredential(for: ada, id: adaCredential.id, name: "Again"))
            }
            await #expect(throws: StoreError.credentialExists) {
                try await store.addCredential(makeCredential(for: grace, id: adaCredential.id))
            }
            #expect(try await store.credential(id: adaCredential.id) == adaCredential)
            #expect(try await store.credentials(userID: grace.id).count == 1)
        }
    }

    @Test("Adding a credential to an account that does not exist is refused", arguments: Backend.allCases)
    func addingCredentialToMissingUserIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { (store) async throws in
            let ghost = makeUser("ghost@example.com")
            let credential = makeCredential(for: ghost)
            await #expect(throws: StoreError.userNotFound) {
                try await store.addCredential(credential)
            }
            #expect(try await store.credential(id: credential.id) == nil)
        }
    }

    @Test("A passkey's deletion stores its event with it, only when it is deleted, and not at all when the event fails", arguments: Backend.allCases)
    func deleteCredentialWithEvent(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, first, _) = try await signUp(store, "ada@example.com")
            let (grace, gracePasskey, _) = try await signUp(store, "grace@example.com")
            func deletion(_ id: CredentialID, at: Date = t0) -> AuditEvent {
                AuditEvent(userID: ada.id, kind: "passkey_deleted", at: at, credentialID: id)
            }
            // Refused: the last passkey, another account's, one that does not exist. No event.
            #expect(try await store.deleteCredential(id: first.id, userID: ada.id, audit: deletion(first.id)) == .lastCredential)
            #expect(try await store.deleteCredential(id: gracePasskey.id, userID: ada.id, audit: deletion(gracePasskey.id)) == .notFound)
            let unknown = CredentialID(uncheckedBytes: randomBytes(16))
            #expect(try await store.deleteCredential(id: unknown, userID: ada.id, audit: deletion(unknown)) == .notFound)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
            #expect(try await store.credential(id: gracePasskey.id) == gracePasskey)

            // An event whose ID is stored already: the passkey and the session it opened stay.
            let second = makeCredential(for: ada, at: t0.addingTimeInterval(1))
            try await store.addCredential(second)
            var opened = makeSession(for: ada)
            opened.credentialID = second.id
            try await store.insertSession(opened)
            let stored = AuditEvent(userID: ada.id, kind: .signIn, at: t0)
            try await store.appendAudit(stored)
            var again = deletion(second.id)
            again.id = stored.id
            await #expect(throws: StoreError.self) {
                try await store.deleteCredential(id: second.id, userID: ada.id, audit: again)
            }
            #expect(try await store.credential(id: second.id) == second)
            #expect(try await store.session(tokenHash: opened.tokenHash) == opened)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [stored])

            let deleted = deletion(second.id, at: t0.addingTimeInterval(2))
            #expect(try await store.deleteCredential(id: second.id, userID: ada.id, audit: deleted) == .deleted)
            #expect(try await store.credential(id: second.id) == nil)
            #expect(try await store.session(tokenHash: opened.tokenHash) == nil)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [deleted, stored])
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).isEmpty)
        }
    }

    @Test("An account renames its own passkey", arguments: Backend.allCases)
    func renameOwnCredential(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            var expected = credential
            expected.name = "Work laptop"
            #expect(try await store.renameCredential(id: credential.id, userID: user.id, name: "Work laptop") == expected)
            #expect(try await store.credential(id: credential.id) == expected)
        }
    }

    @Test("Renaming another account's passkey, or a missing one, changes nothing and returns nil", arguments: Backend.allCases)
    func renameOthersCredentialIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, adaCredential, _) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            #expect(try await store.renameCredential(id: adaCredential.id, userID: grace.id, name: "Mine now") == nil)
            #expect(try await store.renameCredential(id: CredentialID(uncheckedBytes: [9]), userID: grace.id, name: "x") == nil)
            #expect(try await store.credential(id: adaCredential.id) == adaCredential)
        }
    }

    @Test("A passkey is deleted when the account has another", arguments: Backend.allCases)
    func deleteCredential(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, first, _) = try await signUp(store)
            let second = makeCredential(for: user, at: t0.addingTimeInterval(1))
            try await store.addCredential(second)
            #expect(try await store.deleteCredential(id: first.id, userID: user.id) == .deleted)
            #expect(try await store.credentials(userID: user.id) == [second])
            #expect(try await store.deleteCredential(id: first.id, userID: user.id) == .notFound)
        }
    }

    @Test("An account's last passkey is never deleted", arguments: Backend.allCases)
    func lastCredentialIsKept(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            #expect(try await store.deleteCredential(id: credential.id, userID: user.id) == .lastCredential)
            #expect(try await store.credentials(userID: user.id) == [credential])
        }
    }

    @Test("Deleting another account's passkey is answered as not found and changes nothing", arguments: Backend.allCases)
    func deleteOthersCredentialIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, adaFirst, _) = try await signUp(store, "ada@example.com")
            try await store.addCredential(makeCredential(for: ada, at: t0.addingTimeInterval(1)))
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            try await store.addCredential(makeCredential(for: grace, at: t0.addingTimeInterval(1)))
            #expect(try await store.deleteCredential(id: adaFirst.id, userID: grace.id) == .notFound)
            #expect(try await store.deleteCredential(id: adaFirst.id, userID: .random()) == .notFound)
            #expect(try await store.credential(id: adaFirst.id) == adaFirst)
            #expect(try await store.credentials(userID: ada.id).count == 2)
        }
    }

    @Test("Concurrent deletes of an account's last two passkeys leave one", arguments: Backend.allCases)
    func concurrentDeletesLeaveOne(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for round in 0..<10 {
                let (user, first, _) = try await signUp(store, "user\(round)@example.com")
                let second = makeCredential(for: user, at: t0.addingTimeInterval(1))
                try await store.addCredential(second)

                let results = try await withThrowingTaskGroup(of: DeleteCredentialResult.self) { group in
                    for id in [first.id, second.id] {
                        group.addTask { try await store.deleteCredential(id: id, userID: user.id) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }

                #expect(results.sorted { "\($0)" < "\($1)" } == [.deleted, .lastCredential])
                #expect(try await store.credentials(userID: user.id).count == 1)
            }
        }
    }

    // MARK: Sign-in

    @Test("A sign-in saves the sign count, backup state and last use, and creates the session", arguments: Backend.allCases)
    func recordSignIn(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            let now = t0.addingTimeInterval(minutes(10))
            let session = makeSession(for: user, at: now)

            let recorded = try await store.recordSignIn(
                credentialID: credential.id, signCount: 42, backedUp: true, at: now, session: session
            )

            var expected = credential
            expected.signCount = 42
            expected.backedUp = true
            expected.lastUsedAt = now
            #expect(recorded)
            #expect(try await store.credential(id: credential.id) == expected)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
        }
    }

    @Test("A sign-in for a credential the account does not hold changes nothing and creates no session", arguments: Backend.allCases)
    func recordSignInForAnotherAccountsCredential(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, adaCredential, _) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            let session = makeSession(for: grace)

            let missing = CredentialID(uncheckedBytes: randomBytes(16))
            #expect(try await store.recordSignIn(credentialID: missing, signCount: 1, backedUp: false, at: t0, session: session) == false)
            #expect(try await store.recordSignIn(credentialID: adaCredential.id, signCount: 7, backedUp: true, at: t0, session: session) == false)

            #expect(try await store.credential(id: adaCredential.id) == adaCredential)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
        }
    }

    @Test("A sign-in whose session cannot be stored leaves the credential unchanged", arguments: Backend.allCases)
    func recordSignInIsAtomic(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, existingSession) = try await signUp(store)
            var session = makeSession(for: user, at: t0.addingTimeInterval(60))
            session.tokenHash = existingSession.tokenHash

            await #expect(throws: StoreError.failure("")) {
                try await store.recordSignIn(credentialID: credential.id, signCount: 5, backedUp: true, at: t0.addingTimeInterval(60), session: session)
            }
            #expect(try await store.credential(id: credential.id) == credential)
            #expect(try await store.session(tokenHash: existingSession.tokenHash) == existingSession)
        }
    }

    @Test("A sign-in whose counter does not grow past the stored one changes nothing and creates no session", arguments: Backend.allCases)
    func recordSignInComparesTheCounter(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            let first = makeSession(for: user, at: t0.addingTimeInterval(60))
            #expect(try await store.recordSignIn(
                credentialID: credential.id, signCount: 10, backedUp: false, at: t0.addingTimeInterval(60), session: first))
            let raised = try await store.credential(id: credential.id)
            #expect(raised?.signCount == 10)
            for count: UInt32 in [10, 9, 0] {
                let late = makeSession(for: user, at: t0.addingTimeInterval(120))
                await #expect(throws: StoreError.signCountConflict) {
                    try await store.recordSignIn(
                        credentialID: credential.id, signCount: count, backedUp: true, at: t0.addingTimeInterval(120), session: late)
                }
                #expect(try await store.credential(id: credential.id) == raised)
                #expect(try await store.session(tokenHash: late.tokenHash) == nil)
            }
        }
    }

    @Test("A counter that stays zero on both sides is saved", arguments: Backend.allCases)
    func recordSignInWithZeroCounters(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, credential, _) = try await signUp(store)
            #expect(credential.signCount == 0)
            for minute in 1...2 {
                let session = makeSession(for: user, at: t0.addingTimeInterval(minutes(Double(minute))))
                #expect(try await store.recordSignIn(
                    credentialID: credential.id, signCount: 0, backedUp: false, at: session.createdAt, session: session))
                let updated = try await store.credential(id: credential.id)
                #expect(updated?.signCount == 0)
                #expect(updated?.lastUsedAt == session.createdAt)
            }
        }
    }

    // MARK: Ceremonies

    @Test("A ceremony is handed out once, with every field kept", arguments: Backend.allCases)
    func ceremonyIsConsumedOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var signUpCeremony = makeCeremony(.registration, userID: .random())
            signUpCeremony.username = "ada@example.com"
            signUpCeremony.displayName = "Ada"
            let signIn = makeCeremony(.authentication)
            let add = makeCeremony(.addPasskey, userID: .random())
            for ceremony in [signUpCeremony, signIn, add] {
                try await store.insertCeremony(ceremony)
            }
            for ceremony in [signUpCeremony, signIn, add] {
                #expect(try await store.consumeCeremony(id: ceremony.id) == ceremony)
                #expect(try await store.consumeCeremony(id: ceremony.id) == nil)
            }
        }
    }

    @Test("Of many concurrent consumers exactly one gets the ceremony", arguments: Backend.allCases)
    func concurrentConsumersGetTheCeremonyOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for _ in 0..<10 {
                let ceremony = makeCeremony()
                try await store.insertCeremony(ceremony)
                let taken = try await withThrowingTaskGroup(of: CeremonyRecord?.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.consumeCeremony(id: ceremony.id) }
                    }
                    return try await group.reduce(into: [CeremonyRecord]()) { if let record = $1 { $0.append(record) } }
                }
                #expect(taken == [ceremony])
            }
        }
    }

    @Test("An expired ceremony is still handed out once, so the caller can tell it expired", arguments: Backend.allCases)
    func expiredCeremonyIsReturnedOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let ceremony = makeCeremony(at: t0, lifetime: minutes(5))
            try await store.insertCeremony(ceremony)
            let consumed = try await store.consumeCeremony(id: ceremony.id)
            #expect(consumed == ceremony)
            #expect(consumed?.isExpired(at: t0.addingTimeInterval(minutes(5))) == true)
            #expect(consumed?.isExpired(at: t0.addingTimeInterval(minutes(4))) == false)
            #expect(try await store.consumeCeremony(id: ceremony.id) == nil)
        }
    }

    @Test("A ceremony with an empty state keeps it empty", arguments: Backend.allCases)
    func emptyCeremonyState(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var ceremony = makeCeremony()
            ceremony.state = []
            try await store.insertCeremony(ceremony)
            #expect(try await store.consumeCeremony(id: ceremony.id) == ceremony)
        }
    }

    @Test("Consuming a ceremony that was never stored returns nil", arguments: Backend.allCases)
    func unknownCeremony(_ backend: Backend) async throws {
        try await withStore(backend) { (store) async throws in
            #expect(try await store.consumeCeremony(id: "no-such-ceremony") == nil)
        }
    }

    @Test("Storing a ceremony under an ID in use is refused", arguments: Backend.allCases)
    func duplicateCeremonyIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let ceremony = makeCeremony()
            try await store.insertCeremony(ceremony)
            var other = makeCeremony(.registration)
            other.id = ceremony.id
            await #expect(throws: StoreError.failure("")) { try await store.insertCeremony(other) }
            #expect(try await store.consumeCeremony(id: ceremony.id) == ceremony)
        }
    }

    // MARK: Sessions

    @Test("A session is stored for an account and deleted at sign-out", arguments: Backend.allCases)
    func sessionLifecycle(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, first) = try await signUp(store)
            let second = makeSession(for: user, at: t0.addingTimeInterval(30))
            try await store.insertSession(second)
            #expect(try await store.session(tokenHash: second.tokenHash) == second)

            try await store.deleteSession(tokenHash: second.tokenHash)
            #expect(try await store.session(tokenHash: second.tokenHash) == nil)
            #expect(try await store.session(tokenHash: first.tokenHash) == first)
            try await store.deleteSession(tokenHash: second.tokenHash)
        }
    }

    @Test("A session is read with its account as it is now; none for an unknown token, a signed-out session or a deleted account", arguments: Backend.allCases)
    func sessionWithUser(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, adaSession) = try await signUp(store, "ada@example.com")
            let (grace, graceCredential, graceSession) = try await signUp(store, "grace@example.com")
            var signedIn = try #require(try await store.sessionWithUser(tokenHash: adaSession.tokenHash))
            #expect(signedIn.session == adaSession)
            #expect(signedIn.user == ada)
            // Each session with its own account.
            signedIn = try #require(try await store.sessionWithUser(tokenHash: graceSession.tokenHash))
            #expect(signedIn.session == graceSession)
            #expect(signedIn.user == grace)

            // Every column of the session, optional ones included, and the account's latest row.
            var detailed = makeSession(for: grace, at: t0.addingTimeInterval(60))
            detailed.credentialID = graceCredential.id
            detailed.ip = "192.0.2.7"
            detailed.userAgent = "Test/1.0"
            try await store.insertSession(detailed)
            let renamed = try #require(try await store.updateDisplayName(userID: grace.id, displayName: "Grace H."))
            signedIn = try #require(try await store.sessionWithUser(tokenHash: detailed.tokenHash))
            #expect(signedIn.session == detailed)
            #expect(signedIn.user == renamed)

            #expect(try await store.sessionWithUser(tokenHash: randomBytes(32)) == nil)
            try await store.deleteSession(tokenHash: detailed.tokenHash)
            #expect(try await store.sessionWithUser(tokenHash: detailed.tokenHash) == nil)
            try await store.deleteUser(id: ada.id)
            #expect(try await store.sessionWithUser(tokenHash: adaSession.tokenHash) == nil)
            #expect(try await store.sessionWithUser(tokenHash: graceSession.tokenHash)?.user == renamed)
        }
    }

    @Test("Storing a session for an account that does not exist is refused", arguments: Backend.allCases)
    func sessionForMissingUserIsRefused(_ backend: Backend) async throws {
        try await withStore(backend) { (store) async throws in
            let session = makeSession(for: makeUser())
            await #expect(throws: StoreError.userNotFound) { try await store.insertSession(session) }
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
        }
    }

    @Test("Touching a session moves its last-seen time forward, never back", arguments: Backend.allCases)
    func touchSession(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, _, session) = try await signUp(store)
            let later = t0.addingTimeInterval(minutes(7))
            try await store.touchSession(tokenHash: session.tokenHash, at: later)
            #expect(try await store.session(tokenHash: session.tokenHash)?.lastSeenAt == later)

            try await store.touchSession(tokenHash: session.tokenHash, at: t0.addingTimeInterval(minutes(1)))
            var expected = session
            expected.lastSeenAt = later
            #expect(try await store.session(tokenHash: session.tokenHash) == expected)

            try await store.touchSession(tokenHash: randomBytes(32), at: later)
        }
    }

    @Test("A session ends at its absolute expiry and after its idle timeout")
    func sessionExpiry() {
        let session = makeSession(for: makeUser(), at: t0, lifetime: minutes(60))
        #expect(!session.isExpired(at: t0.addingTimeInterval(minutes(59)), idleTimeout: nil))
        #expect(session.isExpired(at: t0.addingTimeInterval(minutes(60)), idleTimeout: nil))
        #expect(!session.isExpired(at: t0.addingTimeInterval(minutes(9)), idleTimeout: minutes(10)))
        #expect(session.isExpired(at: t0.addingTimeInterval(minutes(10)), idleTimeout: minutes(10)))
    }

    // MARK: Purging

    @Test("Purging deletes the ceremonies and sessions expired by now and keeps the rest", arguments: Backend.allCases)
    func purgeExpired(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, live) = try await signUp(store)
            let now = t0.addingTimeInterval(minutes(30))
            let expiredSession = makeSession(for: user, at: t0, lifetime: minutes(10))
            let endsNow = makeSession(for: user, at: t0, lifetime: minutes(30))
            let expiredCeremony = makeCeremony(at: t0, lifetime: minutes(5))
            let liveCeremony = makeCeremony(at: now, lifetime: minutes(5))
            try await store.insertSession(expiredSession)
            try await store.insertSession(endsNow)
            try await store.insertCeremony(expiredCeremony)
            try await store.insertCeremony(liveCeremony)

            #expect(try await store.purgeExpired(now: now) == 3)

            #expect(try await store.session(tokenHash: expiredSession.tokenHash) == nil)
            #expect(try await store.session(tokenHash: endsNow.tokenHash) == nil)
            #expect(try await store.session(tokenHash: live.tokenHash) == live)
            #expect(try await store.consumeCeremony(id: expiredCeremony.id) == nil)
            #expect(try await store.consumeCeremony(id: liveCeremony.id) == liveCeremony)
            #expect(try await store.purgeExpired(now: now) == 0)
        }
    }

    @Test("With a limit, an account gets no more passkeys than the limit, even from concurrent adds", arguments: Backend.allCases)
    func credentialLimit(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.addCredential(makeCredential(for: user), audit: [], endingRecoveryOf: nil, limit: 3)
            // Ten at once for the last place: one gets it.
            let added = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            try await store.addCredential(makeCredential(for: user), audit: [], endingRecoveryOf: nil, limit: 3)
                            return true
                        } catch let error as StoreError where error.code == .credentialLimit {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(added == 1)
            #expect(try await store.credentials(userID: user.id).count == 3)
            await #expect(throws: StoreError.credentialLimit) {
                try await store.addCredential(makeCredential(for: user), audit: [], endingRecoveryOf: nil, limit: 3)
            }
            // Without a limit (an operator's import, say) it is not counted.
            try await store.addCredential(makeCredential(for: user))
            #expect(try await store.credentials(userID: user.id).count == 4)
        }
    }

    @Test("A backlog larger than a purge's batch is purged whole, the live rows kept", arguments: Backend.allCases)
    func purgeBacklog(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, live) = try await signUp(store)
            for _ in 0..<2_345 { try await store.insertSession(makeSession(for: user, at: t0, lifetime: minutes(10))) }
            for _ in 0..<1_001 { _ = try await store.acquireRateLimit(key: "k\(UUID().uuidString)", limit: 60, period: 60, now: t0) }
            let now = t0.addingTimeInterval(minutes(30))
            #expect(try await store.purgeExpired(now: now) == 2_345)
            #expect(try await store.session(tokenHash: live.tokenHash) == live)
            #expect(try await store.sessions(userID: user.id).count == 1)
            #expect(try await store.purgeRateLimits(now: now) == 1_001)
            #expect(try await store.purgeExpired(now: now) == 0)
        }
    }

    @Test("Purging with an idle timeout also deletes sessions idle that long", arguments: Backend.allCases)
    func purgeIdleSessions(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, idle) = try await signUp(store)
            let active = makeSession(for: user)
            try await store.insertSession(active)
            let now = t0.addingTimeInterval(minutes(20))
            try await store.touchSession(tokenHash: active.tokenHash, at: t0.addingTimeInterval(minutes(15)))

            #expect(try await store.purgeExpired(now: now, sessionIdleTimeout: minutes(10)) == 1)
            #expect(try await store.session(tokenHash: idle.tokenHash) == nil)
            #expect(try await store.session(tokenHash: active.tokenHash) != nil)
        }
    }

    // MARK: Audit

    @Test("Audit events are listed per account, newest first, up to the limit", arguments: Backend.allCases)
    func auditEvents(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            let events = (0..<4).map {
                AuditEvent(userID: ada.id, kind: "sign_in", detail: "attempt \($0)", at: t0.addingTimeInterval(Double($0)))
            }
            for event in events.shuffled() {
                try await store.appendAudit(event)
            }
            try await store.appendAudit(AuditEvent(userID: grace.id, kind: "sign_up", detail: "", at: t0))
            try await store.appendAudit(AuditEvent(userID: nil, kind: "purge", detail: "3 records", at: t0))

            #expect(try await store.auditEvents(userID: ada.id, limit: 3) == Array(events.reversed().prefix(3)))
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).map(\.kind) == ["sign_up"])
            #expect(try await store.auditEvents(userID: ada.id, limit: 0).isEmpty)
        }
    }

    @Test("Audit events at the same moment are listed in the same order by every backend", arguments: Backend.allCases)
    func auditEventsWithEqualTimes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, _, _) = try await signUp(store)
            let events = (0..<5).map { AuditEvent(userID: ada.id, kind: "k", detail: "\($0)", at: t0) }
            for event in events {
                try await store.appendAudit(event)
            }
            let expected = events.sorted { $1.id.uuidBytes.lexicographicallyPrecedes($0.id.uuidBytes) }
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == expected)
        }
    }
}

extension UUID {
    fileprivate var uuidBytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }
}
