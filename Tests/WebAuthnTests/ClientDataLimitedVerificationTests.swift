import Testing
import WebAuthn

/// §5.8.1.2's limited verification of `clientDataJSON`: client data serialised as the spec writes
/// it is read by matching the template; anything else goes to the JSON parser, so both paths give
/// the same values and every rejection stays.
@Suite("Client data: limited verification (§5.8.1.2)")
struct ClientDataLimitedVerificationTests {
    static let challenge = TestRelyingParty.challenge

    /// `bytes` with a space after the opening brace: the same JSON, off the template, so only the
    /// JSON parser reads it.
    static func offTemplate(_ bytes: [UInt8]) -> [UInt8] {
        [bytes[0], UInt8(ascii: " ")] + bytes.dropFirst()
    }

    @Test("Client data as §5.8.1.2 serialises it is read by the template, with the values the JSON parser reads", arguments: [
        TestClientData.get(challenge: challenge),
        TestClientData.create(challenge: challenge),
        TestClientData.get(challenge: challenge).crossOrigin(true),
        TestClientData.get(challenge: challenge).crossOrigin(true).topOrigin("https://partner.example"),
        TestClientData.get(challenge: challenge).origin("android:apk-key-hash:xT5ZucZJ9N7oq3j3awG8J_NlDw3iVvHqaZmyJwSWrS0"),
        TestClientData.get(challenge: challenge).type("webauthn.other"),
    ])
    func templateIsReadAsTheParserReadsIt(clientData: TestClientData) throws {
        let limited = try #require(CollectedClientData.limited(clientData.bytes))
        #expect(CollectedClientData.limited(Self.offTemplate(clientData.bytes)) == nil)
        #expect(try CollectedClientData(json: Self.offTemplate(clientData.bytes)) == limited)
        #expect(try CollectedClientData(json: clientData.bytes) == limited)
        #expect(limited.challenge == Self.challenge.bytes)
        #expect(limited.origin == clientData.origin)
        #expect(limited.crossOrigin == clientData.crossOrigin)
        #expect(limited.topOrigin == clientData.topOrigin)
    }

    @Test("Client data off the template is left to the JSON parser", arguments: [
        // Other order, no crossOrigin, further members, escapes, non-ASCII, whitespace, a byte order mark.
        #"{"challenge":"AAEC","type":"webauthn.get","origin":"https://example.com","crossOrigin":false}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com"}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false,"other_keys_can_be_added_here":"x"}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https:\/\/example.com","crossOrigin":false}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://bücher.example","crossOrigin":false}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false }"#,
        "\u{FEFF}" + #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false}"#,
    ])
    func offTemplateIsParsed(text: String) throws {
        #expect(CollectedClientData.limited(Array(text.utf8)) == nil)
        let parsed = try CollectedClientData(json: Array(text.utf8))
        #expect(parsed.challenge == [0, 1, 2])
    }

    @Test("Bytes that start as the template but are not JSON are malformed", arguments: [
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false}}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":fals}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","crossOrigin":false,"topOrigin":}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com"#,
        #"{"type":"webauthn.get","challenge":"AA+C","origin":"https://example.com","crossOrigin":false}"#,
    ])
    func brokenTemplateIsMalformed(text: String) throws {
        #expect(CollectedClientData.limited(Array(text.utf8)) == nil)
        #expect(throws: WebAuthnError(.malformed, "")) { try CollectedClientData(json: Array(text.utf8)) }
    }

    @Test("Client data off the template must be strict JSON: no member twice, no trailing comma", arguments: [
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://example.com","origin":"https://evil.example"}"#,
        #"{"type":"webauthn.get","challenge":"AAEC","origin":"https://evil.example","origin":"https://example.com"}"#,
        #"{"challenge":"AAEC","type":"webauthn.get","origin":"https://example.com",}"#,
    ])
    func offTemplateMustBeStrict(text: String) throws {
        #expect(CollectedClientData.limited(Array(text.utf8)) == nil)
        #expect(throws: WebAuthnError(.malformed, "")) { try CollectedClientData(json: Array(text.utf8)) }
    }

    @Test("Every check on client data read by the template still rejects (§7.2 steps 11–14)", arguments: [
        (TestClientData.get(challenge: challenge).type("webauthn.create"), WebAuthnError.Code.typeMismatch),
        (TestClientData.get(challenge: challenge).challenge(bytes: [1, 2, 3]), .challengeMismatch),
        (TestClientData.get(challenge: challenge).origin("https://evil.example"), .originMismatch),
        (TestClientData.get(challenge: challenge).crossOrigin(true), .crossOriginNotAllowed),
        (TestClientData.get(challenge: challenge).topOrigin("https://partner.example"), .crossOriginNotAllowed),
    ])
    func templateRejections(clientData: TestClientData, code: WebAuthnError.Code) throws {
        #expect(CollectedClientData.limited(clientData.bytes) != nil)
        let error = try #require(throws: WebAuthnError.self) {
            try TestAuthentication().with { $0.clientData = clientData }.finish()
        }
        #expect(error.code == code)
    }
}
