import Foundation
@testable import PasskeyStore
import SQLKit
import Testing
import WebAuthn

/// Rows written before migration 6 have no sign-in method; what they read as.
@Suite("SQL store: sign-in methods of older rows")
struct SignInMethodLegacyTests {
    @Test("A session from before names its method by its passkey, its recovery flag, or else a password")
    func legacySessions() async throws {
        try await withSQLStore(url: "sqlite::memory:") { store in
            let (user, credential, _) = try await signUp(store)
            var byPasskey = makeSession(for: user, method: .password)
            byPasskey.credentialID = credential.id
            var recovery = makeSession(for: user, method: .password)
            recovery.recovery = true
            let password = makeSession(for: user, method: .emailCode)
            for session in [byPasskey, recovery, password] { try await store.insertSession(session) }
            try await store.autocommit { db in
                try await db.update("sessions").set("sign_in_method", to: SQLLiteral.null).run()
            }
            #expect(try await store.session(tokenHash: byPasskey.tokenHash)?.method == .passkey)
            #expect(try await store.session(tokenHash: recovery.tokenHash)?.method == .emailCode)
            #expect(try await store.session(tokenHash: password.tokenHash)?.method == .password)
        }
    }

    @Test("Removing a password ends a password session from before, and not one a passkey opened then")
    func legacySessionsEndWithThePassword() async throws {
        try await withSQLStore(url: "sqlite::memory:") { store in
            let user = makeUser("grace@example.com")
            try await store.importUser(user, passwordHash: "hash")
            let credential = makeCredential(for: user)
            try await store.addCredential(credential)
            let password = makeSession(for: user, method: .password)
            var byPasskey = makeSession(for: user, method: .passkey)
            byPasskey.credentialID = credential.id
            for session in [password, byPasskey] { try await store.insertSession(session) }
            try await store.autocommit { db in
                try await db.update("sessions").set("sign_in_method", to: SQLLiteral.null).run()
            }
            #expect(try await store.removePassword(userID: user.id, keepingSession: nil) == .removed)
            #expect(try await store.session(tokenHash: password.tokenHash) == nil)
            #expect(try await store.session(tokenHash: byPasskey.tokenHash) != nil)
        }
    }

    @Test("Codes and tokens from before were all issued to passkey sessions")
    func legacyCodesAndTokens() async throws {
        try await withSQLStore(url: "sqlite::memory:") { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            let code = makeCode(user: user, method: .password)
            try await store.insertAuthorizationCode(code)
            let token = makeToken(user: user, [3], method: .password)
            _ = try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [token])
            try await store.autocommit { db in
                try await db.update("oauth_codes").set("sign_in_method", to: SQLLiteral.null).run()
                try await db.update("oauth_tokens").set("sign_in_method", to: SQLLiteral.null).run()
            }
            #expect(try await store.authorizationCode(codeHash: code.codeHash)?.method == .passkey)
            #expect(try await store.oauthToken(tokenHash: token.tokenHash)?.method == .passkey)
        }
    }

    @Test("A method this program does not know is a store failure, not a guess")
    func unknownMethod() async throws {
        try await withSQLStore(url: "sqlite::memory:") { store in
            let (_, _, session) = try await signUp(store)
            try await store.autocommit { db in
                try await db.update("sessions").set("sign_in_method", to: "telepathy").run()
            }
            await #expect(throws: StoreError.self) { try await store.session(tokenHash: session.tokenHash) }
        }
    }
}
