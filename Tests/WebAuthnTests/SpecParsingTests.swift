import Foundation
import Testing
import WebAuthn

/// Parsing the L3 JSON wire types and client data: a missing required field is a `malformed`
/// error naming it, unknown fields are ignored, binary values are strict base64url.
@Suite("Parsing responses and client data")
struct SpecParsingTests {
    /// The response's JSON as an object a test can change, then serialise again.
    private static func object(_ json: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    private static func data(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    /// The registration response JSON with `path` (dot-separated) removed.
    private static func registrationJSON(removing path: String) throws -> Data {
        try data(removing(path, from: object(TestRegistration.none().responseJSON())))
    }

    private static func authenticationJSON(removing path: String) throws -> Data {
        try data(removing(path, from: object(TestAuthentication().responseJSON())))
    }

    private static func removing(_ path: String, from object: [String: Any]) -> [String: Any] {
        var object = object
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 1 {
            object.removeValue(forKey: parts[0])
        } else if let inner = object[parts[0]] as? [String: Any] {
            object[parts[0]] = removing(parts[1], from: inner)
        }
        return object
    }

    private static func setting(_ path: String, to value: Any, in object: [String: Any]) -> [String: Any] {
        var object = object
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 1 {
            object[parts[0]] = value
        } else if let inner = object[parts[0]] as? [String: Any] {
            object[parts[0]] = setting(parts[1], to: value, in: inner)
        }
        return object
    }

    // MARK: Round trip

    @Test("A registration response survives JSON and is accepted")
    func registrationResponseRoundTrips() async throws {
        let registration = TestRegistration.none()
        let parsed = try RegistrationResponseJSON.parse(try registration.responseJSON())
        #expect(parsed == (try registration.response()))
        _ = try await TestRelyingParty.make().finishRegistration(response: parsed, ceremony: registration.ceremony)
    }

    @Test("An authentication response survives JSON and is accepted")
    func authenticationResponseRoundTrips() throws {
        let authentication = TestAuthentication()
        // ECDSA signatures are randomised, so the response is made once.
        let response = try authentication.response()
        let parsed = try AuthenticationResponseJSON.parse(try JSONEncoder().encode(response))
        #expect(parsed == response)
        _ = try TestRelyingParty.make().finishAuthentication(
            response: parsed, ceremony: authentication.ceremony, credential: authentication.storedCredential)
    }

    // MARK: Missing fields

    @Test("A registration response without a required field is malformed, naming the field", arguments: [
        "id", "rawId", "type", "response", "response.clientDataJSON", "response.attestationObject",
    ])
    func registrationRequiredFieldIsNamed(field: String) throws {
        let json = try Self.registrationJSON(removing: field)
        let error = try #require(throws: WebAuthnError.self) { try RegistrationResponseJSON.parse(json) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains(field), "reason: \(error.reason)")
    }

    @Test("An authentication response without a required field is malformed, naming the field", arguments: [
        "id", "rawId", "type", "response", "response.clientDataJSON", "response.authenticatorData", "response.signature",
    ])
    func authenticationRequiredFieldIsNamed(field: String) throws {
        let json = try Self.authenticationJSON(removing: field)
        let error = try #require(throws: WebAuthnError.self) { try AuthenticationResponseJSON.parse(json) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains(field), "reason: \(error.reason)")
    }

    @Test("Optional registration fields may be left out", arguments: [
        "clientExtensionResults", "authenticatorAttachment", "response.transports",
    ])
    func optionalRegistrationFieldsMayBeMissing(field: String) async throws {
        let registration = TestRegistration.none()
        let json = try Self.registrationJSON(removing: field)
        let parsed = try RegistrationResponseJSON.parse(json)
        _ = try await TestRelyingParty.make().finishRegistration(response: parsed, ceremony: registration.ceremony)
    }

    @Test("A response that is not JSON is malformed")
    func responseMustBeJSON() throws {
        #expect(throws: WebAuthnError(.malformed, "")) { try RegistrationResponseJSON.parse(Data("not json".utf8)) }
        #expect(throws: WebAuthnError(.malformed, "")) { try AuthenticationResponseJSON.parse(Data("[]".utf8)) }
    }

    @Test("A field of the wrong type is malformed, naming the field")
    func wrongTypeIsNamed() throws {
        let object = Self.setting("response.clientDataJSON", to: 42, in: try Self.object(TestRegistration.none().responseJSON()))
        let error = try #require(throws: WebAuthnError.self) { try RegistrationResponseJSON.parse(Self.data(object)) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains("response.clientDataJSON"), "reason: \(error.reason)")
    }

    // MARK: Unknown fields

    @Test("Unknown fields in a registration response are ignored")
    func unknownRegistrationFieldsAreIgnored() async throws {
        let registration = TestRegistration.none()
        var object = try Self.object(registration.responseJSON())
        object["futureField"] = ["nested": true]
        object = Self.setting("response.futureField", to: "x", in: object)
        object = Self.setting("clientExtensionResults.largeBlob", to: ["supported": true], in: object)
        let parsed = try RegistrationResponseJSON.parse(Self.data(object))
        _ = try await TestRelyingParty.make().finishRegistration(response: parsed, ceremony: registration.ceremony)
    }

    @Test("Unknown fields in an authentication response are ignored")
    func unknownAuthenticationFieldsAreIgnored() throws {
        let authentication = TestAuthentication()
        var object = try Self.object(authentication.responseJSON())
        object["futureField"] = 1
        object = Self.setting("response.futureField", to: [1, 2], in: object)
        let parsed = try AuthenticationResponseJSON.parse(Self.data(object))
        _ = try TestRelyingParty.make().finishAuthentication(
            response: parsed, ceremony: authentication.ceremony, credential: authentication.storedCredential)
    }

    @Test("Unknown enumeration values (transports, attachment) are kept, not rejected")
    func unknownEnumerationValuesAreKept() async throws {
        let registration = TestRegistration.none()
        var object = try Self.object(registration.responseJSON())
        object = Self.setting("response.transports", to: ["internal", "quantum-link"], in: object)
        object["authenticatorAttachment"] = "implant"
        let parsed = try RegistrationResponseJSON.parse(Self.data(object))
        let verified = try await TestRelyingParty.make().finishRegistration(response: parsed, ceremony: registration.ceremony)
        #expect(verified.transports == [.internal, AuthenticatorTransport(rawValue: "quantum-link")])
        #expect(verified.authenticatorAttachment == AuthenticatorAttachment(rawValue: "implant"))
    }

    @Test("Unknown fields in client data are ignored")
    func unknownClientDataFieldsAreIgnored() async throws {
        _ = try await TestRegistration.none()
            .clientData { $0.field("other_keys_can_be_added_here", json: "\"do not compare clientDataJSON against a template\"") }
            .finish()
    }

    // MARK: Base64url in the JSON

    @Test("A binary field that is not strict base64url is malformed", arguments: [
        "AB+C", "AB/C", "AB C", "ABC=D", "A===", "QR", "Q", "ABCD\n",
    ])
    func binaryFieldsAreStrictBase64URL(text: String) throws {
        let object = Self.setting("rawId", to: text, in: try Self.object(TestRegistration.none().responseJSON()))
        let error = try #require(throws: WebAuthnError.self) { try RegistrationResponseJSON.parse(Self.data(object)) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains("rawId"), "reason: \(error.reason)")
    }

    @Test("Client data JSON that is not base64url is malformed, naming the field")
    func clientDataJSONMustBeBase64URL() throws {
        let object = Self.setting("response.clientDataJSON", to: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0+", in: try Self.object(TestAuthentication().responseJSON()))
        let error = try #require(throws: WebAuthnError.self) { try AuthenticationResponseJSON.parse(Self.data(object)) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains("response.clientDataJSON"), "reason: \(error.reason)")
    }

    @Test("An empty rawId is malformed")
    func emptyRawIDIsMalformed() throws {
        let object = Self.setting("rawId", to: "", in: try Self.object(TestAuthentication().responseJSON()))
        #expect(throws: WebAuthnError(.malformed, "")) { try AuthenticationResponseJSON.parse(Self.data(object)) }
    }

    // MARK: userHandle

    @Test("An empty userHandle is treated as absent")
    func emptyUserHandleIsAbsent() throws {
        let object = Self.setting("response.userHandle", to: "", in: try Self.object(TestAuthentication().responseJSON()))
        let parsed = try AuthenticationResponseJSON.parse(Self.data(object))
        #expect(parsed.response.userHandle == nil)
    }

    @Test("A null userHandle is treated as absent")
    func nullUserHandleIsAbsent() throws {
        let object = Self.setting("response.userHandle", to: NSNull(), in: try Self.object(TestAuthentication().responseJSON()))
        let parsed = try AuthenticationResponseJSON.parse(Self.data(object))
        #expect(parsed.response.userHandle == nil)
    }

    @Test("An empty userHandle in a discoverable sign-in is rejected as no user handle")
    func emptyUserHandleInDiscoverableSignInIsRejected() throws {
        let authentication = TestAuthentication().discoverable()
        let object = Self.setting("response.userHandle", to: "", in: try Self.object(authentication.responseJSON()))
        let parsed = try AuthenticationResponseJSON.parse(Self.data(object))
        #expect(throws: WebAuthnError(.userMismatch, "")) {
            try TestRelyingParty.make().finishAuthentication(
                response: parsed, ceremony: authentication.ceremony, credential: authentication.storedCredential)
        }
    }

    @Test("A userHandle longer than 64 bytes is malformed")
    func longUserHandleIsMalformed() throws {
        let object = Self.setting(
            "response.userHandle", to: Base64URL.encode([UInt8](repeating: 1, count: 65)),
            in: try Self.object(TestAuthentication().responseJSON()))
        #expect(throws: WebAuthnError(.malformed, "")) { try AuthenticationResponseJSON.parse(Self.data(object)) }
    }

    @Test("A userHandle that is not base64url is malformed")
    func userHandleMustBeBase64URL() throws {
        let object = Self.setting("response.userHandle", to: "a+b/", in: try Self.object(TestAuthentication().responseJSON()))
        #expect(throws: WebAuthnError(.malformed, "")) { try AuthenticationResponseJSON.parse(Self.data(object)) }
    }

    // MARK: Client data

    @Test("Client data that is not JSON is malformed", arguments: ["", "not json", "[]", "\"webauthn.get\"", "{\"type\":"])
    func clientDataMustBeJSON(text: String) throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().clientData { $0.raw(text) }.finish()
        }
    }

    @Test("Client data that is not UTF-8 is malformed")
    func clientDataMustBeUTF8() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().clientData { $0.raw([0x7B, 0xFF, 0xFE, 0x7D]) }.finish()
        }
    }

    @Test("Client data starting with a UTF-8 byte order mark is accepted (§7.2 step 9: UTF-8 decode drops it)")
    func clientDataByteOrderMarkIsDropped() throws {
        _ = try TestAuthentication().clientData { $0.raw([0xEF, 0xBB, 0xBF] + $0.bytes) }.finish()
    }

    @Test("Client data whose challenge is not base64url is malformed", arguments: ["AAEC+w", "AAEC/w", "AA EC", "A"])
    func clientDataChallengeMustBeBase64URL(challenge: String) throws {
        let error = try #require(throws: WebAuthnError.self) {
            try TestAuthentication().clientData { $0.challenge(challenge) }.finish()
        }
        #expect(error.code == .malformed)
        #expect(error.reason.contains("challenge"), "reason: \(error.reason)")
    }

    @Test("Client data without type, challenge or origin is malformed, naming the member")
    func clientDataRequiredMembers() throws {
        for (name, clientData) in [
            ("type", TestClientData.get(challenge: TestRelyingParty.challenge).type(nil)),
            ("challenge", TestClientData.get(challenge: TestRelyingParty.challenge).challenge(nil)),
            ("origin", TestClientData.get(challenge: TestRelyingParty.challenge).origin(nil)),
        ] {
            let error = try #require(throws: WebAuthnError.self) {
                try TestAuthentication().with { $0.clientData = clientData }.finish()
            }
            #expect(error.code == .malformed)
            #expect(error.reason.contains(name), "reason: \(error.reason)")
        }
    }

    @Test("Client data whose crossOrigin is not a boolean is malformed")
    func clientDataCrossOriginMustBeBoolean() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try TestAuthentication().clientData { $0.crossOrigin(nil).field("crossOrigin", json: "\"false\"") }.finish()
        }
    }

    @Test("Client data without crossOrigin is accepted (Level 1 clients)")
    func clientDataWithoutCrossOriginIsAccepted() throws {
        _ = try TestAuthentication().clientData { $0.crossOrigin(nil) }.finish()
    }

    @Test("Client data with a padded base64url challenge is accepted")
    func paddedChallengeIsAccepted() throws {
        _ = try TestAuthentication().clientData { $0.challenge(TestRelyingParty.challenge.base64URL + "=") }.finish()
    }

    // MARK: Identifiers

    @Test("A credential ID of 1024 bytes is malformed; 1023 and 1 bytes are not")
    func credentialIDLength() throws {
        #expect(throws: WebAuthnError(.malformed, "")) { try CredentialID(bytes: [UInt8](repeating: 0, count: 1024)) }
        #expect(throws: WebAuthnError(.malformed, "")) { try CredentialID(bytes: []) }
        #expect(try CredentialID(bytes: [UInt8](repeating: 0, count: 1023)).bytes.count == 1023)
        #expect(try CredentialID(bytes: [0]).bytes == [0])
    }

    @Test("A user handle must be 1 to 64 bytes")
    func userHandleLength() throws {
        #expect(throws: WebAuthnError(.malformed, "")) { try UserHandle(bytes: [UInt8](repeating: 0, count: 65)) }
        #expect(throws: WebAuthnError(.malformed, "")) { try UserHandle(bytes: []) }
        #expect(try UserHandle(bytes: [UInt8](repeating: 0, count: 64)).bytes.count == 64)
    }

    @Test("An AAGUID reads and writes its UUID form")
    func aaguidUUIDForm() throws {
        let aaguid = try #require(AAGUID(uuidString: "6F1D9A3C-214E-4B77-9C0E-553F8A10427D"))
        #expect(aaguid.bytes == TestRelyingParty.aaguid)
        #expect(aaguid.uuidString == "6f1d9a3c-214e-4b77-9c0e-553f8a10427d")
        #expect(AAGUID(uuidString: "6f1d9a3c214e4b779c0e553f8a10427d") == nil)
        // Hyphens only between the groups: 36 characters with them elsewhere are not a UUID.
        #expect(AAGUID(uuidString: "6f1d9a3c214e4b779c0e553f8a10427d----") == nil)
        #expect(AAGUID(uuidString: "6f1d9a3-c214e-4b77-9c0e-553f8a10427dd") == nil)
        #expect(AAGUID(uuidString: "6f1d9a3c-214e-4b77-9c0e-553f8a10427g") == nil)
        #expect(AAGUID(bytes: [1, 2, 3]) == nil)
    }

    @Test("An AAGUID's UUID form is Foundation's, in lower case, for any bytes")
    func aaguidUUIDFormMatchesFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let bytes = round == 0 ? [UInt8](repeating: 0xFF, count: 16) : (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let aaguid = try #require(AAGUID(bytes: bytes))
            let foundation = UUID(uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(aaguid.uuidString == foundation.uuidString.lowercased())
            #expect(AAGUID(uuidString: aaguid.uuidString) == aaguid)
        }
    }
}
