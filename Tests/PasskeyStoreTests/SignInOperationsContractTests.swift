import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The operations that make a sign-in one store operation per request: the account with its
/// passkeys for the options, the ceremony taken with the credential for the answer, and everything
/// a verified sign-in writes in one transaction.
@Suite("PasskeyStore contract: sign-in operations")
struct SignInOperationsContractTests {
    // MARK: The options: the account with its passkeys

    @Test("The account is found with its passkeys, oldest first, by any form of its username", arguments: Backend.allCases)
    func userWithCredentials(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, first, _) = try await signUp(store, "Ada@Example.com")
            let second = makeCredential(for: ada, at: t0.addingTimeInterval(60))
            try await store.addCredential(second)
            try await signUp(store, "grace@example.com")

            let found = try #require(try await store.userWithCredentials(username: "  ada@EXAMPLE.com "))
            #expect(found.user == ada)
            #expect(found.credentials == [first, second])
        }
    }

    @Test("A username nobody has finds nothing", arguments: Backend.allCases)
    func userWithCredentialsForAnUnknownUsername(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await signUp(store, "ada@example.com")
            #expect(try await store.userWithCredentials(username: "ada@example.org") == nil)
        }
    }

    @Test("An imported account without a passkey is found with no passkeys", arguments: Backend.allCases)
    func userWithoutCredentials(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let imported = makeUser("imported@example.com")
            try await store.importUser(imported, passwordHash: nil)
            let found = try #require(try await store.userWithCredentials(username: "imported@example.com"))
            #expect(found.user == imported)
            #expect(found.credentials.isEmpty)
        }
    }

    // MARK: The answer: the ceremony with the credential

    @Test("Taking a sign-in ceremony reads the credential and its account, once", arguments: Backend.allCases)
    func consumeCeremonyReadingCredential(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, _) = try await signUp(store)
            let ceremony = makeCeremony()
            try await store.insertCeremony(ceremony)

            let taken = try await store.consumeCeremony(id: ceremony.id, readingCredential: credential.id)
            #expect(taken == SignInAnswerRecords(ceremony: ceremony, credential: credential, user: ada))
            #expect(try await store.consumeCeremony(id: ceremony.id, readingCredential: credential.id) == SignInAnswerRecords())
            #expect(try await store.consumeCeremony(id: ceremony.id) == nil)
        }
    }

    @Test("A ceremony taken with a credential the server does not hold is gone all the same", arguments: Backend.allCases)
    func consumeCeremonyWithAnUnknownCredential(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await signUp(store)
            let ceremony = makeCeremony()
            try await store.insertCeremony(ceremony)
            let unknown = CredentialID(uncheckedBytes: randomBytes(16))

            let taken = try await store.consumeCeremony(id: ceremony.id, readingCredential: unknown)
            #expect(taken == SignInAnswerRecords(ceremony: ceremony))
            #expect(try await store.consumeCeremony(id: ceremony.id) == nil)
        }
    }

    @Test("Without a ceremony nothing else is read", arguments: Backend.allCases)
    func noCeremonyReadsNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, credential, _) = try await signUp(store)
            let taken = try await store.consumeCeremony(id: makeCeremony().id, readingCredential: credential.id)
            #expect(taken == SignInAnswerRecords())
        }
    }

    @Test("Of many concurrent answers exactly one takes the ceremony", arguments: Backend.allCases)
    func concurrentAnswersTakeTheCeremonyOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (_, credential, _) = try await signUp(store)
            for _ in 0..<10 {
                let ceremony = makeCeremony()
                try await store.insertCeremony(ceremony)
                let taken = try await withThrowingTaskGroup(of: CeremonyRecord?.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.consumeCeremony(id: ceremony.id, readingCredential: credential.id).ceremony }
                    }
                    return try await group.reduce(into: [CeremonyRecord]()) { if let record = $1 { $0.append(record) } }
                }
                #expect(taken == [ceremony])
            }
        }
    }

    @Test("Two stores on one database hand a sign-in ceremony out once", arguments: Backend.shared)
    func twoStoresTakeTheCeremonyOnce(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            try await withStores(open) { first, second in
                let (_, credential, _) = try await signUp(first)
                for _ in 0..<10 {
                    let ceremony = makeCeremony()
                    try await first.insertCeremony(ceremony)
                    async let a = first.consumeCeremony(id: ceremony.id, readingCredential: credential.id)
                    async let b = second.consumeCeremony(id: ceremony.id, readingCredential: credential.id)
                    let taken = try await [a, b].compactMap(\.ceremony)
                    #expect(taken == [ceremony])
                }
            }
        }
    }

    // MARK: The answer to a ceremony the browser held: read, then spent with the sign-in

    @Test("The answer's credential and its account are read, writing nothing", arguments: Backend.allCases)
    func signInRecords(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, _) = try await signUp(store)
            try await signUp(store, "grace@example.com")
            #expect(try await store.signInRecords(credentialID: credential.id) == SignInAnswerRecords(credential: credential, user: ada))
            let unknown = CredentialID(uncheckedBytes: randomBytes(16))
            #expect(try await store.signInRecords(credentialID: unknown) == SignInAnswerRecords())
            #expect(try await store.credential(id: credential.id) == credential, "reading changed the passkey")
        }
    }

    /// A ceremony's mark, as the server makes one for a sealed sign-in.
    private func makeMark() -> CeremonyMark {
        CeremonyMark(id: Base64URL.encode(randomBytes(16)), keepUntil: t0.addingTimeInterval(minutes(15)))
    }

    @Test("A sign-in spends its ceremony's mark with the session, once", arguments: Backend.allCases)
    func signInSpendsTheCeremonyMark(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, first) = try await signUp(store)
            let mark = makeMark()
            let session = makeSession(for: ada)
            #expect(try await store.recordSignIn(
                credentialID: credential.id, signCount: 0, backedUp: true, at: t0, session: session,
                audit: AuditEvent(userID: ada.id, kind: .signIn, at: t0), endingSession: nil, spending: mark))
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil) == false, "the mark is spent")

            // A second sign-in in the same ceremony: refused, nothing written, the earlier sessions kept.
            let again = makeSession(for: ada)
            let later = t0.addingTimeInterval(60)
            await #expect(throws: StoreError.ceremonySpent) {
                try await store.recordSignIn(
                    credentialID: credential.id, signCount: 0, backedUp: false, at: later, session: again,
                    audit: AuditEvent(userID: ada.id, kind: .signIn, at: later), endingSession: first.tokenHash, spending: mark)
            }
            #expect(try await store.session(tokenHash: again.tokenHash) == nil)
            #expect(try await store.session(tokenHash: first.tokenHash) == first)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).count == 1)
            let stored = try #require(try await store.credential(id: credential.id))
            #expect(stored.backedUp && stored.lastUsedAt == t0, "the refused sign-in moved the passkey")

            // A spent ceremony is told before a credential that is gone.
            let unknown = CredentialID(uncheckedBytes: randomBytes(16))
            await #expect(throws: StoreError.ceremonySpent) {
                try await store.recordSignIn(
                    credentialID: unknown, signCount: 0, backedUp: false, at: later, session: makeSession(for: ada),
                    audit: nil, endingSession: nil, spending: mark)
            }
        }
    }

    @Test("A sign-in the store refuses leaves its ceremony's mark unspent", arguments: Backend.allCases)
    func refusedSignInLeavesTheMark(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, _) = try await signUp(store)
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            #expect(try await store.recordSignIn(
                credentialID: credential.id, signCount: 5, backedUp: false, at: t0, session: makeSession(for: ada)))

            // Unknown credential, another account's credential: false.
            for (user, credentialID) in [(ada, CredentialID(uncheckedBytes: randomBytes(16))), (grace, credential.id)] {
                let mark = makeMark()
                let session = makeSession(for: user)
                #expect(try await store.recordSignIn(
                    credentialID: credentialID, signCount: 9, backedUp: false, at: t0, session: session,
                    audit: AuditEvent(userID: user.id, kind: .signIn, at: t0), endingSession: nil, spending: mark) == false)
                #expect(try await store.session(tokenHash: session.tokenHash) == nil)
                #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil), "the mark was written")
            }
            // A counter that did not grow: signCountConflict.
            let mark = makeMark()
            let session = makeSession(for: ada)
            await #expect(throws: StoreError.signCountConflict) {
                try await store.recordSignIn(
                    credentialID: credential.id, signCount: 5, backedUp: false, at: t0, session: session,
                    audit: nil, endingSession: nil, spending: mark)
            }
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil), "the mark was written")
        }
    }

    /// Records a sign-in of `user` with `credential` in the ceremony `mark`: `true` when recorded,
    /// `false` when the store answered that the ceremony was spent.
    @Sendable private func signIn(
        _ store: any PasskeyStore, _ user: UserRecord, _ credential: CredentialRecord, spending mark: CeremonyMark
    ) async throws -> Bool {
        do {
            return try await store.recordSignIn(
                credentialID: credential.id, signCount: 0, backedUp: false, at: t0, session: makeSession(for: user),
                audit: nil, endingSession: nil, spending: mark)
        } catch let error as StoreError where error.code == .ceremonySpent {
            return false
        }
    }

    @Test("Of many concurrent answers exactly one spends the ceremony", arguments: Backend.allCases)
    func concurrentAnswersSpendTheCeremonyOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, _) = try await signUp(store)
            for round in 0..<10 {
                let mark = makeMark()
                let spent = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for task in 0..<8 {
                        // Half of them through the plain spend, half signing in.
                        if (task + round) % 2 == 0 {
                            group.addTask { try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil) }
                        } else {
                            group.addTask { try await signIn(store, ada, credential, spending: mark) }
                        }
                    }
                    return try await group.reduce(into: 0) { if $1 { $0 += 1 } }
                }
                #expect(spent == 1)
            }
        }
    }

    @Test("Two stores on one database spend a ceremony once", arguments: Backend.shared)
    func twoStoresSpendTheCeremonyOnce(_ backend: Backend) async throws {
        try await withSharedDatabase(backend) { open in
            try await withStores(open) { first, second in
                let (ada, credential, _) = try await signUp(first)
                for _ in 0..<10 {
                    let mark = makeMark()
                    async let a = signIn(first, ada, credential, spending: mark)
                    async let b = signIn(second, ada, credential, spending: mark)
                    let signedIn = try await [a, b]
                    #expect(signedIn.filter { $0 }.count == 1)
                }
                let sessions = try await first.sessions(userID: ada.id)
                #expect(sessions.count == 11, "one session for the sign-up and one for each ceremony")
            }
        }
    }

    @Test("A spent ceremony's mark is kept until its time, then purged", arguments: Backend.allCases)
    func spentMarksArePurgedAfterTheirTime(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let early = Base64URL.encode(randomBytes(16))
            let late = Base64URL.encode(randomBytes(16))
            let spentEarly = try await store.spendCeremony(id: early, keepUntil: t0.addingTimeInterval(minutes(10)))
            let spentLate = try await store.spendCeremony(id: late, keepUntil: t0.addingTimeInterval(minutes(20)))
            #expect(spentEarly && spentLate)

            #expect(try await store.purgeExpired(now: t0.addingTimeInterval(minutes(10) - 1)) == 0)
            #expect(try await store.spendCeremony(id: early, keepUntil: t0.addingTimeInterval(minutes(10))) == false)
            #expect(try await store.purgeExpired(now: t0.addingTimeInterval(minutes(10))) == 1)
            #expect(try await store.spendCeremony(id: late, keepUntil: t0.addingTimeInterval(minutes(20))) == false, "the later mark is kept")
            #expect(try await store.purgeExpired(now: t0.addingTimeInterval(minutes(20))) == 1)
            #expect(try await store.purgeExpired(now: t0.addingTimeInterval(minutes(30))) == 0)
        }
    }

    // MARK: The writes: one transaction

    // MARK: A sign-in verified against the passkey its options read

    @Test("A sign-in on the passkey as its options read it writes everything and answers the account", arguments: Backend.allCases)
    func assumedSignInRecordsAndAnswersTheAccount(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            let now = t0.addingTimeInterval(minutes(10))
            let session = makeSession(for: ada, at: now)
            let event = AuditEvent(userID: ada.id, kind: .signIn, at: now, credentialID: credential.id)
            let mark = makeMark()

            let user = try await store.recordSignIn(
                credentialID: credential.id, publicKey: credential.publicKey, signCount: 3, backedUp: true, at: now,
                session: session, audit: event, endingSession: previous.tokenHash, spending: mark)

            #expect(user == ada)
            var updated = credential
            updated.signCount = 3
            updated.backedUp = true
            updated.lastUsedAt = now
            #expect(try await store.credential(id: credential.id) == updated)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.session(tokenHash: previous.tokenHash) == nil)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [event])
            #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil) == false, "the mark is spent")

            // The same ceremony again: spent, nothing written.
            let again = makeSession(for: ada, at: now)
            await #expect(throws: StoreError.ceremonySpent) {
                try await store.recordSignIn(
                    credentialID: credential.id, publicKey: credential.publicKey, signCount: 4, backedUp: true, at: now,
                    session: again, audit: nil, endingSession: nil, spending: mark)
            }
            #expect(try await store.session(tokenHash: again.tokenHash) == nil)
            #expect(try await store.credential(id: credential.id)?.signCount == 3)
        }
    }

    @Test("A sign-in on a passkey the store no longer holds so writes nothing and leaves the mark", arguments: Backend.allCases)
    func assumedSignInOnAChangedPasskeyWritesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            let (grace, graceCredential, _) = try await signUp(store, "grace@example.com")
            _ = try await store.recordSignIn(
                credentialID: credential.id, signCount: 5, backedUp: false, at: t0, session: makeSession(for: ada))

            let otherKey = credential.publicKey.map { $0 ^ 0x01 }
            let cases: [(String, UserRecord, CredentialID, [UInt8], UInt32)] = [
                ("another public key", ada, credential.id, otherKey, 9),
                ("a credential nobody holds", ada, CredentialID(uncheckedBytes: randomBytes(16)), credential.publicKey, 9),
                ("another account's credential", grace, credential.id, credential.publicKey, 9),
                ("a counter that did not grow", ada, credential.id, credential.publicKey, 5),
                ("a counter that went back", ada, credential.id, credential.publicKey, 2),
            ]
            for (name, user, credentialID, publicKey, count) in cases {
                let mark = makeMark()
                let session = makeSession(for: user)
                let answer = try await store.recordSignIn(
                    credentialID: credentialID, publicKey: publicKey, signCount: count, backedUp: true, at: t0,
                    session: session, audit: AuditEvent(userID: user.id, kind: .signIn, at: t0),
                    endingSession: previous.tokenHash, spending: mark)
                #expect(answer == nil, "\(name)")
                #expect(try await store.session(tokenHash: session.tokenHash) == nil, "\(name)")
                #expect(try await store.session(tokenHash: previous.tokenHash) == previous, "\(name)")
                #expect(try await store.spendCeremony(id: mark.id, keepUntil: mark.keepUntil), "\(name): the mark was written")
            }
            let stored = try #require(try await store.credential(id: credential.id))
            #expect(stored.signCount == 5 && !stored.backedUp)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).isEmpty)

            // A disabled account: nothing written; on again, the same sign-in is recorded.
            #expect(try await store.setDisabled(userID: grace.id, true)?.disabled == true)
            let session = makeSession(for: grace)
            #expect(try await store.recordSignIn(
                credentialID: graceCredential.id, publicKey: graceCredential.publicKey, signCount: 0, backedUp: false,
                at: t0, session: session, audit: nil, endingSession: nil, spending: nil) == nil)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.credential(id: graceCredential.id)?.lastUsedAt == nil)
            _ = try await store.setDisabled(userID: grace.id, false)
            #expect(try await store.recordSignIn(
                credentialID: graceCredential.id, publicKey: graceCredential.publicKey, signCount: 0, backedUp: false,
                at: t0, session: session, audit: nil, endingSession: nil, spending: nil)?.id == grace.id)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
        }
    }

    @Test("A sign-in stores its activity event and ends the browser's previous session with the new one", arguments: Backend.allCases)
    func recordSignInWithAuditAndPreviousSession(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            let other = makeSession(for: ada, at: t0.addingTimeInterval(1))
            try await store.insertSession(other)
            let now = t0.addingTimeInterval(minutes(10))
            let session = makeSession(for: ada, at: now)
            let event = AuditEvent(userID: ada.id, kind: .signIn, at: now, ip: "192.0.2.1", credentialID: credential.id)

            let recorded = try await store.recordSignIn(
                credentialID: credential.id, signCount: 3, backedUp: true, at: now, session: session,
                audit: event, endingSession: previous.tokenHash)

            #expect(recorded)
            var updated = credential
            updated.signCount = 3
            updated.backedUp = true
            updated.lastUsedAt = now
            #expect(try await store.credential(id: credential.id) == updated)
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
            #expect(try await store.session(tokenHash: previous.tokenHash) == nil)
            #expect(try await store.session(tokenHash: other.tokenHash) == other)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [event])
        }
    }

    @Test("A sign-in whose counter does not grow stores no event and keeps the previous session", arguments: Backend.allCases)
    func refusedSignInWritesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            _ = try await store.recordSignIn(
                credentialID: credential.id, signCount: 5, backedUp: false, at: t0.addingTimeInterval(60),
                session: makeSession(for: ada, at: t0.addingTimeInterval(60)))
            let late = makeSession(for: ada, at: t0.addingTimeInterval(120))
            let event = AuditEvent(userID: ada.id, kind: .signIn, at: t0.addingTimeInterval(120))

            await #expect(throws: StoreError.signCountConflict) {
                try await store.recordSignIn(
                    credentialID: credential.id, signCount: 5, backedUp: true, at: t0.addingTimeInterval(120),
                    session: late, audit: event, endingSession: previous.tokenHash)
            }
            #expect(try await store.credential(id: credential.id)?.signCount == 5)
            #expect(try await store.session(tokenHash: late.tokenHash) == nil)
            #expect(try await store.session(tokenHash: previous.tokenHash) == previous)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
        }
    }

    @Test("A sign-in of an account disabled since it was read writes nothing and says so, with or without a ceremony's mark", arguments: Backend.allCases)
    func signInOfDisabledAccountWritesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            #expect(try await store.setDisabled(userID: ada.id, true)?.disabled == true)
            for mark in [nil, CeremonyMark(id: "ceremony-1", keepUntil: t0.addingTimeInterval(600))] {
                let session = makeSession(for: ada, at: t0.addingTimeInterval(60))
                await #expect(throws: StoreError.accountDisabled) {
                    try await store.recordSignIn(
                        credentialID: credential.id, signCount: 7, backedUp: true, at: t0.addingTimeInterval(60),
                        session: session, audit: AuditEvent(userID: ada.id, kind: .signIn, at: t0.addingTimeInterval(60)),
                        endingSession: previous.tokenHash, spending: mark)
                }
                #expect(try await store.credential(id: credential.id) == credential)
                #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            }
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
            // On again, the same mark is unspent and the sign-in is recorded.
            _ = try await store.setDisabled(userID: ada.id, false)
            #expect(try await store.recordSignIn(
                credentialID: credential.id, signCount: 7, backedUp: true, at: t0.addingTimeInterval(60),
                session: makeSession(for: ada, at: t0.addingTimeInterval(60)), audit: nil, endingSession: nil,
                spending: CeremonyMark(id: "ceremony-1", keepUntil: t0.addingTimeInterval(600))))
        }
    }

    @Test("A sign-in for a credential the account does not hold stores no event and ends no session", arguments: Backend.allCases)
    func signInForAnotherAccountsCredentialWritesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, adaCredential, adaSession) = try await signUp(store, "ada@example.com")
            let (grace, _, _) = try await signUp(store, "grace@example.com")
            let session = makeSession(for: grace)
            let event = AuditEvent(userID: grace.id, kind: .signIn, at: t0)

            let recorded = try await store.recordSignIn(
                credentialID: adaCredential.id, signCount: 1, backedUp: false, at: t0, session: session,
                audit: event, endingSession: adaSession.tokenHash)

            #expect(!recorded)
            #expect(try await store.credential(id: adaCredential.id) == adaCredential)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.session(tokenHash: adaSession.tokenHash) == adaSession)
            #expect(try await store.auditEvents(userID: grace.id, limit: 10).isEmpty)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10).isEmpty)
        }
    }

    @Test("A sign-in whose event cannot be stored leaves the credential, the sessions and the log as they were", arguments: Backend.allCases)
    func signInIsOneTransaction(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (ada, credential, previous) = try await signUp(store)
            let logged = AuditEvent(userID: ada.id, kind: .displayNameChanged, at: t0)
            try await store.appendAudit(logged)
            let session = makeSession(for: ada, at: t0.addingTimeInterval(60))
            // The same event ID again: the insert fails after the counter, the session and the
            // previous session's end were written, so all of them must be rolled back.
            let clash = AuditEvent(id: logged.id, userID: ada.id, kind: .signIn, at: t0.addingTimeInterval(60))

            await #expect(throws: StoreError.failure("")) {
                try await store.recordSignIn(
                    credentialID: credential.id, signCount: 1, backedUp: true, at: t0.addingTimeInterval(60),
                    session: session, audit: clash, endingSession: previous.tokenHash)
            }
            #expect(try await store.credential(id: credential.id) == credential)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.session(tokenHash: previous.tokenHash) == previous)
            #expect(try await store.auditEvents(userID: ada.id, limit: 10) == [logged])
        }
    }
}
