import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// The SQLite store commits the operations that queue up together (`GroupCommitConnection`):
/// each still succeeds or fails alone, and none returns before its writes are committed.
@Suite("SQLite group commit")
struct GroupCommitTests {
    @Test("Operations that queue up share commits, and each is in the file when it returns")
    func acknowledgedMeansCommitted() async throws {
        try await withTemporaryDatabaseFile { path in
            // A second connection to the file stands for another process: it sees only what
            // was committed.
            try await withStores({ try await SQLPasskeyStore.open(url: "sqlite:\(path)") }) { first, second in
                let before = try #require(try await first.committedGroups())
                let count = 100
                let seen = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let (user, credential, _) = try await signUp(first, "user\(index)@example.com")
                            let storedUser = try await second.user(id: user.id)
                            let storedCredential = try await second.credential(id: credential.id)
                            return storedUser == user && storedCredential == credential
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(seen == count, "every sign-up was committed before it returned")
                let groups = try #require(try await first.committedGroups()) - before
                #expect(groups >= 1)
                #expect(groups < count, "\(groups) commits for \(count) sign-ups")
            }
        }
    }

    @Test("A read that joins an open group sees its writes only once they are committed")
    func readsInAGroupAnswerAfterItsCommit() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withStores({ try await SQLPasskeyStore.open(url: "sqlite:\(path)") }) { first, second in
                let count = 60
                // Each sign-up races a read of its account on the same store: a read that finds
                // the account joined (or followed) the group that wrote it, and must not answer
                // before that group's commit, which the second connection then sees.
                let outcomes = try await withThrowingTaskGroup(of: (found: Bool, committed: Bool).self) { group in
                    for index in 0..<count {
                        let username = "reader\(index)@example.com"
                        group.addTask {
                            _ = try await signUp(first, username)
                            return (true, true)
                        }
                        group.addTask {
                            for _ in 0..<200 {
                                if let found = try await first.userWithCredentials(username: username) {
                                    let committed = try await second.userWithCredentials(username: username)
                                    return (true, committed?.user == found.user && committed?.credentials == found.credentials)
                                }
                                await Task.yield()
                            }
                            return (false, true)
                        }
                    }
                    return try await Array(group)
                }
                let uncommitted = outcomes.filter { !$0.committed }.count
                let found = outcomes.filter { $0.found }.count
                #expect(uncommitted == 0, "a read answered with a write not yet committed")
                // More than the sign-ups alone: reads found what they raced.
                #expect(found > count)
            }
        }
    }

    @Test("An operation that opens a group and fails leaves nothing, and the next one opens a new group")
    func failingOpenerRollsBackItsGroup() async throws {
        try await withTemporaryDatabaseFile { path in
            try await withSQLStore(url: "sqlite:\(path)") { store in
                let (_, _, existingSession) = try await signUp(store, "ada@example.com")
                // One at a time, so each operation opens its own group: this one fails at its
                // last insert, after its user and passkey were written.
                let user = makeUser("grace@example.com")
                let credential = makeCredential(for: user)
                var session = makeSession(for: user)
                session.tokenHash = existingSession.tokenHash
                await #expect(throws: StoreError.self) {
                    try await store.createUser(user, credential: credential, session: session)
                }
                #expect(try await store.user(id: user.id) == nil)
                #expect(try await store.credential(id: credential.id) == nil)
                // The next operation opens a group of its own and is kept.
                let (alan, alansPasskey, _) = try await signUp(store, "alan@example.com")
                #expect(try await store.user(id: alan.id) == alan)
                #expect(try await store.credential(id: alansPasskey.id) == alansPasskey)
                // The same account again now, in a group of its own, succeeds.
                let (again, _, _) = try await signUp(store, "grace@example.com")
                #expect(try await store.user(id: again.id) == again)
            }
            try await withSQLStore(url: "sqlite:\(path)") { reopened in
                let alan = try await reopened.userWithCredentials(username: "alan@example.com")
                let grace = try await reopened.userWithCredentials(username: "grace@example.com")
                #expect(alan?.credentials.count == 1)
                #expect(grace?.credentials.count == 1)
            }
        }
    }

    @Test("A failed operation in a group leaves nothing, and the others in its group are kept")
    func failuresStayAlone() async throws {
        try await withTemporaryDatabaseFile { path in
            let store = try await SQLPasskeyStore.open(url: "sqlite:\(path)")
            do {
                let (_, _, existingSession) = try await signUp(store, "ada@example.com")
                let outcomes = try await withThrowingTaskGroup(of: (UserRecord, CredentialRecord, Bool, Bool).self) { group in
                    for index in 0..<60 {
                        group.addTask {
                            let user = makeUser("user\(index)@example.com")
                            let credential = makeCredential(for: user)
                            var session = makeSession(for: user)
                            // Every other sign-up fails at its last insert, after the user and
                            // the passkey were written in its savepoint.
                            let failing = index % 2 == 1
                            if failing { session.tokenHash = existingSession.tokenHash }
                            do {
                                try await store.createUser(user, credential: credential, session: session)
                                return (user, credential, failing, false)
                            } catch {
                                return (user, credential, failing, true)
                            }
                        }
                    }
                    return try await Array(group)
                }
                for (user, credential, failing, threw) in outcomes {
                    #expect(threw == failing, "\(user.username)")
                    if failing {
                        #expect(try await store.user(id: user.id) == nil, "\(user.username) left its user")
                        #expect(try await store.credential(id: credential.id) == nil, "\(user.username) left its passkey")
                    } else {
                        #expect(try await store.user(id: user.id) == user)
                        #expect(try await store.credential(id: credential.id) == credential)
                    }
                }
            } catch {
                try await store.shutdown()
                throw error
            }
            try await store.shutdown()
            // What was acknowledged is in the file after a restart.
            try await withSQLStore(url: "sqlite:\(path)") { reopened in
                let kept = try await reopened.userWithCredentials(username: "user0@example.com")
                let failed = try await reopened.userWithCredentials(username: "user1@example.com")
                #expect(kept?.1.count == 1)
                #expect(failed == nil)
            }
        }
    }
}
