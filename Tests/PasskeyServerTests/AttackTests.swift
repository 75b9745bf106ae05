import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// Every attack is answered with the right 4xx and changes nothing in the store.
@Suite struct AttackTests {
    static let ada = "ada@example.com"
    static let bob = "bob@example.com"

    @Test(arguments: StoreKind.allCases)
    func aReplayedRegistrationIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            let (_, options) = try await browser.registrationOptions(Self.ada)
            let credential = try browser.authenticator.register(options: try #require(options), origin: browser.origin)
            let ceremonyCookie = try #require(browser.ceremonyCookie)
            #expect(try await browser.post("/api/registration", credential).status == .created)

            var attacker = try Browser(client)
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                // The same response with the same (used) ceremony.
                attacker.cookies["passkeys_ceremony"] = ceremonyCookie
                expectError(try await attacker.post("/api/registration", credential), .badRequest, "ceremony_not_found")
                // The same response against a fresh ceremony: its challenge is not the one signed.
                _ = try await attacker.registrationOptions(Self.bob)
                expectError(try await attacker.post("/api/registration", credential), .badRequest, "challenge_mismatch")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aReplayedAssertionIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let (_, options) = try await browser.authenticationOptions(Self.ada)
            let assertion = try browser.authenticator.authenticate(options: try #require(options), origin: browser.origin)
            let ceremonyCookie = try #require(browser.ceremonyCookie)
            #expect(try await browser.post("/api/authentication", assertion).status == .ok)

            var attacker = try Browser(client)
            try await harness.expectNoChange(to: [Self.ada]) {
                attacker.cookies["passkeys_ceremony"] = ceremonyCookie
                expectError(try await attacker.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
                #expect(attacker.sessionCookie == nil)
                _ = try await attacker.authenticationOptions(Self.ada)
                expectError(try await attacker.post("/api/authentication", assertion), .badRequest, "challenge_mismatch")
                _ = try await attacker.authenticationOptions()
                expectError(try await attacker.post("/api/authentication", assertion), .badRequest, "challenge_mismatch")
                #expect(attacker.sessionCookie == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aChallengeFromAnotherSessionIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            try await ada.send(.delete, "/api/session")
            var other = try Browser(client)

            // Sign-in: Ada's browser holds ceremony A, and sends the answer to ceremony B.
            _ = try await ada.authenticationOptions()
            let (_, optionsB) = try await other.authenticationOptions()
            let assertionForB = try ada.authenticator.authenticate(options: try #require(optionsB), origin: ada.origin)
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await ada.post("/api/authentication", assertionForB), .badRequest, "challenge_mismatch")
                #expect(ada.sessionCookie == nil)
                // And B's browser cannot use it either once its ceremony is gone.
                other.cookies = [:]
                expectError(try await other.post("/api/authentication", assertionForB), .badRequest, "ceremony_not_found")
            }

            // Sign-up: the cookie of ceremony A with the response for ceremony B.
            var mallory = try Browser(client)
            _ = try await mallory.registrationOptions(Self.bob)
            var victim = try Browser(client)
            let (_, creationB) = try await victim.registrationOptions("carol@example.com")
            let credentialB = try victim.authenticator.register(options: try #require(creationB), origin: victim.origin)
            try await harness.expectNoChange(to: [Self.bob, "carol@example.com"]) {
                expectError(try await mallory.post("/api/registration", credentialB), .badRequest, "challenge_mismatch")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRegistrationCeremonyCannotBeUsedToSignIn(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            try await browser.send(.delete, "/api/session")
            let (_, signIn) = try await browser.authenticationOptions()
            let assertion = try browser.authenticator.authenticate(options: try #require(signIn), origin: browser.origin)
            // A registration ceremony replaces the sign-in one in this browser.
            _ = try await browser.registrationOptions(Self.bob)
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                expectError(try await browser.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
                #expect(browser.sessionCookie == nil)
            }
            // And a sign-in ceremony cannot finish a registration.
            var other = try Browser(client)
            let (_, creation) = try await other.registrationOptions(Self.bob)
            let credential = try other.authenticator.register(options: try #require(creation), origin: other.origin)
            _ = try await other.authenticationOptions()
            try await harness.expectNoChange(to: [Self.bob]) {
                expectError(try await other.post("/api/registration", credential), .badRequest, "ceremony_not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anExpiredCeremonyIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind, configure: { $0.ceremonyTTL = 60 }) { harness, client in
            var browser = try Browser(client)
            let (_, creation) = try await browser.registrationOptions(Self.ada)
            let credential = try browser.authenticator.register(options: try #require(creation), origin: browser.origin)
            harness.clock.advance(by: 60)
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.post("/api/registration", credential), .badRequest, "ceremony_expired")
            }

            var member = try Browser(client)
            try await member.signUp(Self.bob)
            let (_, request) = try await member.authenticationOptions(Self.bob)
            let assertion = try member.authenticator.authenticate(options: try #require(request), origin: member.origin)
            harness.clock.advance(by: 61)
            try await harness.expectNoChange(to: [Self.bob]) {
                expectError(try await member.post("/api/authentication", assertion), .badRequest, "ceremony_expired")
                // Expired is used up too.
                expectError(try await member.post("/api/authentication", assertion), .badRequest, "ceremony_not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aWrongOriginIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            browser.authenticator.misbehaviour = .wrongOrigin
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.signUp(Self.ada), .badRequest, "origin_mismatch")
            }
            browser.authenticator.misbehaviour = nil
            try await browser.signUp(Self.ada)
            browser.authenticator.misbehaviour = .wrongOrigin
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.signIn(Self.ada), .badRequest, "origin_mismatch")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aWrongRelyingPartyIDIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            browser.authenticator.misbehaviour = .wrongRelyingPartyID
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.signUp(Self.ada), .badRequest, "rp_id_mismatch")
            }
            browser.authenticator.misbehaviour = nil
            try await browser.signUp(Self.ada)
            browser.authenticator.misbehaviour = .wrongRelyingPartyID
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.signIn(Self.ada), .badRequest, "rp_id_mismatch")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCounterGoingBackwardsIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            #expect(try await browser.signIn(Self.ada).status == .ok)
            #expect(try await browser.signIn(Self.ada).status == .ok)
            let user = try #require(try await harness.store.user(username: Self.ada))
            #expect(try await harness.store.credentials(userID: user.id).first?.signCount == 2)
            try await browser.send(.delete, "/api/session")
            browser.authenticator.misbehaviour = .counterGoingBackwards
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await browser.signIn(Self.ada), .badRequest, "sign_count")
                #expect(browser.sessionCookie == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUnknownCredentialIsNamedInTheAnswer(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var member = try Browser(client)
            try await member.signUp(Self.ada)
            // A passkey this server never registered (made for the same RP ID elsewhere).
            var stranger = try Browser(client)
            let relyingParty = RelyingParty(configuration: try harness.configuration.relyingPartyConfiguration())
            let (elsewhere, _) = relyingParty.beginRegistration(
                user: .init(id: .random(), name: "eve@example.com", displayName: "Eve"))
            let foreign = try stranger.authenticator.register(options: elsewhere, origin: stranger.origin)
            try await harness.expectNoChange(to: [Self.ada]) {
                let response = try await stranger.signIn()
                expectError(response, .unauthorized, "unknown_credential")
                let error = try response.decode(ErrorEnvelope.self).error
                #expect(error.credentialId == foreign.rawId.base64URL)
                #expect(error.rpId == "localhost")
                #expect(stranger.sessionCookie == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aUserHandleOfAnotherAccountIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            var bob = try Browser(client)
            try await bob.signUp(Self.bob)
            let bobHandle = try #require(try await harness.store.user(username: Self.bob)?.id)

            // Discoverable sign-in with Ada's passkey, but the response claims Bob's user handle.
            let (_, options) = try await ada.authenticationOptions()
            var assertion = try ada.authenticator.authenticate(options: try #require(options), origin: ada.origin)
            assertion.response.userHandle = bobHandle
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                expectError(try await ada.post("/api/authentication", assertion), .badRequest, "user_mismatch")
            }

            // Naming Bob's account and answering with Ada's passkey.
            let (_, named) = try await ada.authenticationOptions(Self.bob)
            var forged = try #require(named)
            forged.allowCredentials = []
            let other = try ada.authenticator.authenticate(options: forged, origin: ada.origin)
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                expectError(try await ada.post("/api/authentication", other), .badRequest, "credential_not_allowed")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherUsersPasskeyCannotBeRenamedOrDeleted(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            var bob = try Browser(client)
            try await bob.signUp(Self.bob)
            bob.authenticator = try SoftwareAuthenticator()
            try await bob.addPasskey()
            let bobsPasskey = try #require(bob.authenticator.credentials.first?.id).base64URL
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                expectError(
                    try await ada.send(.patch, "/api/passkeys/\(bobsPasskey)", body: Data(#"{"name":"mine"}"#.utf8)),
                    .notFound, "not_found")
                expectError(try await ada.send(.delete, "/api/passkeys/\(bobsPasskey)"), .notFound, "not_found")
                expectError(try await ada.send(.delete, "/api/passkeys/not-base64!"), .notFound, "not_found")
                expectError(try await ada.send(.delete, "/api/passkeys/AAAA"), .notFound, "not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAddPasskeyCeremonyBelongsToTheAccountThatBeganIt(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            var bob = try Browser(client)
            try await bob.signUp(Self.bob)
            // Bob's browser begins adding a passkey, then Ada's session is put in that browser.
            let options = try await bob.post("/api/passkeys/options", [String: String]())
                .decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
            bob.authenticator = try SoftwareAuthenticator()
            let credential = try bob.authenticator.register(options: options, origin: bob.origin)
            bob.cookies["passkeys_session"] = ada.sessionCookie
            try await harness.expectNoChange(to: [Self.ada, Self.bob]) {
                expectError(try await bob.post("/api/passkeys", credential), .badRequest, "ceremony_not_found")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aTakenUsernameIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var ada = try Browser(client)
            try await ada.signUp(Self.ada)
            var other = try Browser(client)
            try await harness.expectNoChange(to: [Self.ada]) {
                let (response, _) = try await other.registrationOptions(" ADA@Example.com ")
                expectError(response, .conflict, "username_taken")
                #expect(other.ceremonyCookie == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aUsernameTakenBetweenOptionsAndFinishIsRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var first = try Browser(client)
            var second = try Browser(client)
            let (_, optionsA) = try await first.registrationOptions(Self.ada)
            let (_, optionsB) = try await second.registrationOptions(Self.ada)
            let credentialA = try first.authenticator.register(options: try #require(optionsA), origin: first.origin)
            let credentialB = try second.authenticator.register(options: try #require(optionsB), origin: second.origin)
            #expect(try await first.post("/api/registration", credentialA).status == .created)
            try await harness.expectNoChange(to: [Self.ada]) {
                expectError(try await second.post("/api/registration", credentialB), .conflict, "username_taken")
                #expect(second.sessionCookie == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func unverifiedOrBadlySignedAnswersAreRefused(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            try await browser.send(.delete, "/api/session")
            let cases: [(SoftwareAuthenticator.Misbehaviour, String)] = [
                (.corruptedSignature, "bad_signature"),
                (.noUserPresence, "user_presence_required"),
                (.wrongType, "type_mismatch"),
                (.wrongChallenge, "challenge_mismatch"),
                (.crossOrigin, "cross_origin_not_allowed"),
                (.backupEligibilityFlipped, "backup_state_invalid"),
            ]
            for (misbehaviour, code) in cases {
                browser.authenticator.misbehaviour = misbehaviour
                try await harness.expectNoChange(to: [Self.ada]) {
                    expectError(try await browser.signIn(Self.ada), .badRequest, code)
                }
            }
            var newcomer = try Browser(client)
            // A `none` attestation has no signature to corrupt, and BE is only compared at sign-in.
            for (misbehaviour, code) in cases where ![.corruptedSignature, .backupEligibilityFlipped].contains(misbehaviour) {
                newcomer.authenticator.misbehaviour = misbehaviour
                try await harness.expectNoChange(to: [Self.bob]) {
                    expectError(try await newcomer.signUp(Self.bob), .badRequest, code)
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUnknownUsernameGetsOptionsOfTheSameShape(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            var stranger = try Browser(client)
            let (knownResponse, known) = try await stranger.authenticationOptions(Self.ada)
            let (unknownResponse, unknown) = try await stranger.authenticationOptions("nobody@example.com")
            let (_, again) = try await stranger.authenticationOptions("Nobody@Example.com")
            #expect(knownResponse.status == unknownResponse.status)
            let real = try #require(known), decoy = try #require(unknown)
            #expect((1...4).contains(decoy.allowCredentials.count))
            #expect(decoy.allowCredentials.allSatisfy { $0.transports?.isEmpty == false })
            #expect(decoy.allowCredentials.map(\.id) == again?.allowCredentials.map(\.id), "the same name gets the same decoy")
            #expect(decoy.allowCredentials.map(\.transports) == again?.allowCredentials.map(\.transports))
            #expect(Set(knownResponse.headers.map(\.name)) == Set(unknownResponse.headers.map(\.name)))
            #expect(real.rpId == decoy.rpId && real.userVerification == decoy.userVerification && real.timeout == decoy.timeout)
            // An account without a passkey (imported with a password) answers as an unknown name.
            try await harness.importAccount("imported@example.com", passwordHash: KnownHashes.bcrypt2b)
            let (importedResponse, imported) = try await stranger.authenticationOptions("imported@example.com")
            #expect(importedResponse.status == unknownResponse.status)
            #expect(Set(importedResponse.headers.map(\.name)) == Set(unknownResponse.headers.map(\.name)))
            #expect((1...4).contains(try #require(imported).allowCredentials.count))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func decoysHaveAsManyPasskeysAsAccountsDo(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var stranger = try Browser(client)
            var counts: [Int: Int] = [:]
            for index in 0..<200 {
                let (_, options) = try await stranger.authenticationOptions("nobody\(index)@example.com")
                counts[try #require(options).allowCredentials.count, default: 0] += 1
            }
            // Not always one, as the old decoy was: most have one passkey, some two to four.
            #expect(Set(counts.keys) == [1, 2, 3, 4], "\(counts)")
            #expect((80...160).contains(counts[1] ?? 0), "\(counts)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func optionsForAnUnknownUsernameDoTheSameStoreWorkAsForAKnownOne(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            var stranger = try Browser(client)
            harness.store.clearCalls()
            _ = try await stranger.authenticationOptions(Self.ada)
            let known = harness.store.calls
            harness.store.clearCalls()
            _ = try await stranger.authenticationOptions("nobody@example.com")
            #expect(harness.store.calls == known)
            #expect(known.contains("userWithCredentials"))
        }
    }
}
