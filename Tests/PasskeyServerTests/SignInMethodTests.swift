import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import Testing
import WebAuthn

@testable import OpenIDProvider
@testable import PasskeyServer

/// Apps learn how the person signed in (the ID token's `amr`, RFC 8176): a passkey, an imported
/// password, or a code mailed for recovery — also after a refresh.
@Suite("Sign-in methods in ID tokens")
struct SignInMethodTests {
    @Test("Each way to sign in has its own RFC 8176 values")
    func amrValues() {
        #expect(OpenIDProvider.amr(.passkey) == ["hwk", "user"])
        #expect(OpenIDProvider.amr(.password) == ["pwd"])
        #expect(OpenIDProvider.amr(.emailCode) == ["otp"])
    }

    @Test("After a password sign-in the ID token says pwd, and the refreshed one too")
    func passwordSignInIsPwd() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let app = try await TestApp.register(harness.store)
            try await harness.importAccount("grace@example.com", passwordHash: KnownHashes.bcrypt2b)
            var browser = try Browser(client)
            let signedIn = try await browser.post(
                "/api/password", ["username": "grace@example.com", "password": KnownHashes.password])
            #expect(signedIn.status == .ok, "\(signedIn.text)")
            let code = try await browser.code(for: app, query: app.authorizationQuery(scope: "openid offline_access"))
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await verifyIDToken(client, tokens.id_token).amr == ["pwd"])
            let refreshToken = try #require(tokens.refresh_token)
            let refreshed = try await tokenRequest(
                client, [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], authorization: app.basic
            ).decode(TokenAnswer.self)
            #expect(try await verifyIDToken(client, refreshed.id_token).amr == ["pwd"])
        }
    }

    @Test("A recovered session that added a passkey says otp: the person never used a passkey to sign in")
    func recoveryIsOtp() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let app = try await TestApp.register(harness.store)
            var phone = try Browser(client)
            #expect(try await phone.signUp("ada@example.com").status == .created)
            var browser = try Browser(client)
            #expect(try await browser.post("/api/recovery/options", ["email": "ada@example.com"]).status == .accepted)
            let mailed = try await harness.code(to: "ada@example.com", subject: "Recover")
            let recovered = try await browser.post("/api/recovery", ["email": "ada@example.com", "code": mailed])
            #expect(recovered.status == .ok, "\(recovered.text)")
            #expect(try await browser.addPasskey().status == .created)
            let code = try await browser.code(for: app, query: app.authorizationQuery())
            let tokens = try await exchange(client, app, code: code).decode(TokenAnswer.self)
            #expect(try await verifyIDToken(client, tokens.id_token).amr == ["otp"])
        }
    }
}

/// Failed password and recovery answers are held to one floor (docs/migration.md, docs/recovery.md).
@Suite("Failure pacing")
struct FailurePacingTests {
    @Test("A failure is held to the floor, or to the slowest verification seen when that is longer")
    func deadline() {
        let pacing = FailurePacing(floor: 1)
        let start = ContinuousClock.now
        #expect(pacing.deadline(forFailureStartedAt: start) == start + .seconds(1))
        pacing.observe(verification: .milliseconds(300))
        #expect(pacing.deadline(forFailureStartedAt: start) == start + .seconds(1))
        pacing.observe(verification: .milliseconds(2500))
        pacing.observe(verification: .milliseconds(400))
        #expect(pacing.deadline(forFailureStartedAt: start) == start + .milliseconds(2500))
    }

    @Test("A verification that took very long (a suspended machine) holds failures 10 seconds at most")
    func observationsAreCapped() {
        let pacing = FailurePacing(floor: 1)
        let start = ContinuousClock.now
        pacing.observe(verification: .seconds(600))
        #expect(pacing.deadline(forFailureStartedAt: start) == start + .seconds(10))
    }

    @Test("A negative floor is no floor")
    func negativeFloor() {
        let start = ContinuousClock.now
        #expect(FailurePacing(floor: -3).deadline(forFailureStartedAt: start) == start)
    }

    static let floor = 0.4

    @Test("An unknown user, an account without a password and a wrong cheap password all answer after the floor")
    func passwordFailuresWait() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.failureFloor = Self.floor }) { harness, client in
            // bcrypt cost 5: far cheaper than the decoy, so without the floor it would answer sooner.
            try await harness.importAccount("grace@example.com", passwordHash: KnownHashes.bcrypt2b)
            try await harness.importAccount("ada@example.com", passwordHash: nil)
            var browser = try Browser(client)
            for (username, password) in [
                ("grace@example.com", "wrong horse"), ("nobody@example.com", "x"), ("ada@example.com", "x"),
            ] {
                let start = ContinuousClock.now
                let answer = try await browser.post("/api/password", ["username": username, "password": password])
                let took = ContinuousClock.now - start
                expectError(answer, .unauthorized, "invalid_credentials")
                #expect(took >= .milliseconds(Int64(Self.floor * 1000)), "\(username) answered after \(took)")
            }
        }
    }

    @Test("A wrong recovery code and an unknown address both answer after the floor")
    func recoveryFailuresWait() async throws {
        try await Harness.run(.sqliteMemory, configure: { $0.failureFloor = Self.floor }) { harness, client in
            var phone = try Browser(client)
            #expect(try await phone.signUp("ada@example.com").status == .created)
            var browser = try Browser(client)
            _ = try await browser.post("/api/recovery/options", ["email": "ada@example.com"])
            let mailed = try await harness.code(to: "ada@example.com", subject: "Recover")
            let wrong = mailed == "00000000" ? "11111111" : "00000000"
            for email in ["ada@example.com", "nobody@example.com"] {
                let start = ContinuousClock.now
                let answer = try await browser.post("/api/recovery", ["email": email, "code": wrong])
                let took = ContinuousClock.now - start
                expectError(answer, .badRequest, "invalid_code")
                #expect(took >= .milliseconds(Int64(Self.floor * 1000)), "\(email) answered after \(took)")
            }
        }
    }
}
