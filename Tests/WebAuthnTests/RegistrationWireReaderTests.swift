import Foundation
import Testing
@testable import WebAuthn

/// `RegistrationResponseJSON.parse` reads the posted JSON with `WireReader`, as the sign-in's answer
/// is read: what `JSONDecoder` takes it takes to the same value, what `JSONDecoder` refuses it
/// refuses, and it refuses what RFC 8259 does not allow even where Foundation is lenient.
@Suite("Reading a sign-up answer without JSONDecoder")
struct RegistrationWireReaderTests {
    static let clientData = Base64URL.encode(Array(#"{"type":"webauthn.create","challenge":"Y2g","origin":"https://example.com"}"#.utf8))
    static let member = #""clientDataJSON":"\#(clientData)","attestationObject":"oGNmbXRkbm9uZQ""#

    /// A sign-up answer with `response` members `inner` and top-level members `outer` after the usual ones.
    static func answer(inner: String = member, outer: String = "") -> String {
        #"{"id":"b25l","rawId":"b25l","type":"public-key","response":{\#(inner)}\#(outer)}"#
    }

    @Test("a real answer reads to the value JSONDecoder gives, and verifies")
    func realAnswer() async throws {
        let registration = TestRegistration()
        let json = try registration.responseJSON()
        let parsed = try RegistrationResponseJSON.parse(json)
        #expect(parsed == (try registration.response()))
        #expect(parsed == (try WireJSON.decode(RegistrationResponseJSON.self, from: json)))
        _ = try await TestRelyingParty.make().finishRegistration(response: parsed, ceremony: registration.ceremony)
    }

    @Test("what JSONDecoder takes it takes to the same value, and what it refuses it refuses", arguments: [
        answer(),
        #" { "response" : {"attestationObject":"oGNmbXRkbm9uZQ","clientDataJSON":"\#(clientData)"} , "type":"public-key","rawId":"b25l","id":"b25l" } "#,
        answer(outer: #","extra":[1,-2.5e3,{"a":[true,false,null]},"\u00e9"],"n":0"#),
        answer(inner: member + #","transports":["usb","hybrid","something new"],"publicKeyAlgorithm":-7"#),
        answer(inner: member + #","authenticatorData":"AAECAw","publicKey":"MFkw","publicKeyAlgorithm":-257"#),
        answer(inner: member + #","authenticatorData":null,"publicKey":null,"publicKeyAlgorithm":null,"transports":null"#),
        answer(inner: member + #","transports":[]"#),
        answer(outer: #","authenticatorAttachment":"cross-platform","clientExtensionResults":{"credProps":{"rk":false}}"#),
        answer(outer: #","authenticatorAttachment":null,"clientExtensionResults":null"#),
        // Refused by both
        #"{"rawId":"b25l","type":"public-key","response":{\#(member)}}"#,
        #"{"id":"b25l","rawId":"b25l","type":"public-key"}"#,
        #"{"id":"b25l","rawId":"b25l","type":"public-key","response":null}"#,
        #"{"id":"b25l","rawId":"","type":"public-key","response":{\#(member)}}"#,
        answer(inner: #""clientDataJSON":"\#(clientData)""#),
        answer(inner: #""attestationObject":"oGNmbXRkbm9uZQ""#),
        answer(inner: #""clientDataJSON":"\#(clientData)","attestationObject":null"#),
        answer(inner: member + #","publicKeyAlgorithm":"-7""#),
        answer(inner: member + #","publicKeyAlgorithm":true"#),
        answer(inner: member + #","transports":"usb""#),
        answer(inner: member + #","transports":[1]"#),
        answer(inner: member + #","authenticatorData":"AA=A""#),
        answer(inner: member + #","publicKey":7"#),
        answer(outer: #","clientExtensionResults":{"credProps":{"rk":"yes"}}"#),
        "[]", "", answer() + "x",
    ])
    func agreesWithJSONDecoder(text: String) {
        let json = Data(text.utf8)
        let fast = try? RegistrationResponseJSON.parse(json)
        let foundation = try? WireJSON.decode(RegistrationResponseJSON.self, from: json)
        #expect(fast == foundation, "\(text)")
    }

    @Test("RFC 8259 strictly, and no member twice, where Foundation is lenient", arguments: [
        answer(outer: ","), answer(outer: #","n":01"#), answer(outer: #","id":"b25l""#),
        answer(inner: member + #","clientDataJSON":"\#(clientData)""#), answer(inner: member + #","attestationObject":null"#),
        answer(inner: member + #","publicKeyAlgorithm":-7.0"#), answer(inner: member + #","publicKeyAlgorithm":-7e0"#),
        answer(inner: member + #","publicKeyAlgorithm":99999999999999999999"#),
    ])
    func strict(text: String) {
        #expect(throws: WebAuthnError.self) { try RegistrationResponseJSON.parse(Data(text.utf8)) }
    }

    @Test("each refusal names the member", arguments: [
        (#"{"rawId":"b25l","type":"public-key","response":{\#(member)}}"#, "missing required field id"),
        (answer(inner: #""clientDataJSON":"\#(clientData)""#), "missing required field response.attestationObject"),
        (answer(inner: member + #","publicKeyAlgorithm":"-7""#), "response.publicKeyAlgorithm has the wrong type"),
        (answer(inner: member + #","transports":[1]"#), "response.transports has the wrong type"),
        (answer(inner: member + #","publicKey":"AA=A""#), "response.publicKey is invalid"),
    ])
    func namesTheMember(text: String, reason: String) {
        do {
            _ = try RegistrationResponseJSON.parse(Data(text.utf8))
            Issue.record("\(text) was read")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }
}
