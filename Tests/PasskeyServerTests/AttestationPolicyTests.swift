import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// The server's attestation policy: which authenticators may register.
@Suite struct AttestationPolicyTests {
    static let ada = "ada@example.com"

    static func requiringTrust(roots: [AttestationPolicy.Root]) -> (inout PasskeyServerConfiguration) -> Void {
        { configuration in
            configuration.attestation = .direct
            configuration.attestationPolicy = AttestationPolicy(requirement: .trustedRoot, roots: [.packed: roots])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAuthenticatorChainingToAConfiguredRootMayRegister(kind: StoreKind) async throws {
        let authenticator = try SoftwareAuthenticator(attestation: .packedX5C)
        try await Harness.run(kind, configure: Self.requiringTrust(roots: [(try authenticator.attestationRootCertificate)])) { _, client in
            var browser = try Browser(client)
            browser.authenticator = authenticator
            let (_, options) = try await browser.registrationOptions(Self.ada)
            #expect(options?.attestation == .direct)
            let credential = try browser.authenticator.register(options: try #require(options), origin: browser.origin)
            let response = try await browser.post("/api/registration", credential)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anAuthenticatorWithoutTrustedAttestationIsRefusedAndNothingIsStored(kind: StoreKind) async throws {
        let trusted = try SoftwareAuthenticator(attestation: .packedX5C)
        try await Harness.run(kind, configure: Self.requiringTrust(roots: [trusted.attestationRootCertificate])) { harness, client in
            for attestation in [SoftwareAuthenticator.Attestation.none, .packedSelf, .packedX5C] {
                var browser = try Browser(client)
                browser.authenticator = try SoftwareAuthenticator(attestation: attestation)
                try await harness.expectNoChange(to: [Self.ada]) {
                    let response = try await browser.signUp(Self.ada)
                    #expect(response.status == .badRequest, "\(attestation): \(response.text)")
                    #expect(["attestation_trust"].contains(try response.decode(ErrorEnvelope.self).error.code))
                }
            }
        }
    }

    @Test func requiringTrustedAttestationWithoutAskingForItIsAConfigurationError() throws {
        var configuration = PasskeyServerConfiguration()
        configuration.attestationPolicy = AttestationPolicy(requirement: .trustedRoot)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}
