import Foundation
import SoftwareAuthenticator
import Testing
import WebAuthn

/// WebAuthn L3 §7.1 step 14 for conditional create (the automatic passkey upgrade): UP may be
/// missing only when the ceremony was begun with `mediation: conditional`.
@Suite("Conditional create")
struct ConditionalCreateTests {
    static let origin = "https://example.com"
    static let ada = PublicKeyCredentialUserEntityJSON(
        id: UserHandle(uncheckedBytes: Array("user-ada".utf8)), name: "ada@example.com", displayName: "Ada")

    let relyingParty: RelyingParty

    init() throws {
        relyingParty = RelyingParty(configuration: try RelyingParty.Configuration(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: [Self.origin]))
    }

    func register(mediation: CredentialMediationRequirement, userPresent: Bool) async throws -> VerifiedRegistration {
        var authenticator = try SoftwareAuthenticator()
        authenticator.misbehaviour = userPresent ? nil : .noUserPresence
        let (options, ceremony) = relyingParty.beginRegistration(user: Self.ada, mediation: mediation)
        let response = try authenticator.register(options: options, origin: Self.origin)
        return try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
    }

    @Test("A conditional create is accepted without the UP flag")
    func conditionalCreateWithoutUserPresence() async throws {
        let verified = try await register(mediation: .conditional, userPresent: false)
        #expect(verified.userHandle == Self.ada.id)
    }

    @Test("A conditional create with the UP flag is accepted too")
    func conditionalCreateWithUserPresence() async throws {
        _ = try await register(mediation: .conditional, userPresent: true)
    }

    @Test("Any other registration without the UP flag is refused with user_presence_required",
          arguments: [CredentialMediationRequirement.optional, .required, .silent])
    func otherMediationRequiresUserPresence(_ mediation: CredentialMediationRequirement) async throws {
        await #expect(throws: WebAuthnError(.userPresenceRequired, "")) {
            _ = try await register(mediation: mediation, userPresent: false)
        }
    }

    @Test("A ceremony stored before mediation existed decodes as a modal one")
    func oldCeremonyDecodesAsModal() throws {
        let (_, ceremony) = relyingParty.beginRegistration(user: Self.ada, mediation: .conditional)
        var json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(ceremony)) as? [String: Any] ?? [:]
        #expect(json["mediation"] as? String == "conditional")
        json["mediation"] = nil
        let decoded = try JSONDecoder().decode(RegistrationCeremony.self, from: try JSONSerialization.data(withJSONObject: json))
        #expect(decoded.mediation == .optional)
        #expect(decoded.challenge == ceremony.challenge)
    }
}
