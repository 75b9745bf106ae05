import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// How each session's person signed in, kept with the session and with the OpenID Provider's codes
/// and tokens (the ID token's `amr`), on every backend.
@Suite("PasskeyStore contract: sign-in methods")
struct SignInMethodContractTests {
    @Test("A session keeps the way its person signed in", arguments: Backend.allCases)
    func sessionKeepsItsMethod(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            for method in SignInMethod.allCases {
                let session = makeSession(for: user, method: method)
                try await store.insertSession(session)
                #expect(try await store.session(tokenHash: session.tokenHash)?.method == method)
            }
        }
    }

    @Test("A recovery session that adds a passkey stays one opened by a mailed code", arguments: Backend.allCases)
    func recoveredSessionKeepsItsMethod(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            var session = makeSession(for: user, method: .emailCode)
            session.recovery = true
            try await store.insertSession(session)
            try await store.addCredential(makeCredential(for: user, name: "New"), audit: [], endingRecoveryOf: RecoveryCompletion(tokenHash: session.tokenHash, expiresAt: session.expiresAt), limit: nil)
            let full = try #require(try await store.session(tokenHash: session.tokenHash))
            #expect(!full.recovery)
            #expect(full.method == .emailCode)
        }
    }

    @Test("Codes and tokens keep the sign-in method they were issued for", arguments: Backend.allCases)
    func codesAndTokensKeepTheirMethod(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (user, _, _) = try await signUp(store)
            try await store.insertClient(makeClient("app-1"))
            for (index, method) in SignInMethod.allCases.enumerated() {
                let code = makeCode(user: user, [UInt8(10 + index)], method: method)
                try await store.insertAuthorizationCode(code)
                #expect(try await store.authorizationCode(codeHash: code.codeHash)?.method == method)
                let refresh = makeToken(user: user, [UInt8(20 + index)], kind: .refresh, grant: code.grantID, method: method)
                #expect(try await store.redeemAuthorizationCode(codeHash: code.codeHash, at: t0, issuing: [refresh]) == .redeemed)
                #expect(try await store.oauthToken(tokenHash: refresh.tokenHash)?.method == method)
            }
        }
    }
}
