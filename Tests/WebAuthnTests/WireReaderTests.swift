import Foundation
import Testing
@testable import WebAuthn

/// `AuthenticationResponseJSON.parse` reads the posted JSON with `WireReader` (fields only, RFC
/// 8259 strictly): what `JSONDecoder` takes it takes to the same value, what `JSONDecoder`
/// refuses it refuses, and it refuses what RFC 8259 does not allow even where Foundation is lenient.
@Suite("Reading a sign-in answer without JSONDecoder")
struct WireReaderTests {
    static let clientData = Base64URL.encode(Array(#"{"type":"webauthn.get","challenge":"Y2g","origin":"https://example.com"}"#.utf8))
    static let member = #""clientDataJSON":"\#(clientData)","authenticatorData":"AAECAw","signature":"MEUCIQ""#

    /// A sign-in answer with `response` members `inner` and top-level members `outer` after the usual ones.
    static func answer(inner: String = member, outer: String = "") -> String {
        #"{"id":"b25l","rawId":"b25l","type":"public-key","response":{\#(inner)}\#(outer)}"#
    }

    /// Both readers' results: equal values, or both refused.
    static func agree(_ text: String) throws -> AuthenticationResponseJSON? {
        let json = Data(text.utf8)
        let fast = try? AuthenticationResponseJSON.parse(json)
        let foundation = try? WireJSON.decode(AuthenticationResponseJSON.self, from: json)
        #expect(fast == foundation, "\(text)")
        return fast
    }

    @Test("a real answer reads to the value JSONDecoder gives, and verifies")
    func realAnswer() throws {
        let authentication = TestAuthentication()
        let response = try authentication.response()
        let json = try JSONEncoder().encode(response)
        let parsed = try AuthenticationResponseJSON.parse(json)
        #expect(parsed == response)
        #expect(parsed == (try WireJSON.decode(AuthenticationResponseJSON.self, from: json)))
        _ = try TestRelyingParty.make().finishAuthentication(
            response: parsed, ceremony: authentication.ceremony, credential: authentication.storedCredential)
    }

    @Test("what JSONDecoder takes it takes to the same value, and what it refuses it refuses", arguments: [
        answer(),
        // Order, white space, escapes, members it does not read
        #" { "response" : {"signature":"MEUCIQ","authenticatorData":"AAECAw","clientDataJSON":"\#(clientData)"} , "type":"public-key","rawId":"b25l","id":"b25l" } "#,
        answer(outer: #","extra":[1,-2.5e3,{"a":[true,false,null]},"\u00e9\ud83d\ude00"],"n":0"#),
        #"{"\u0069d":"b\u0032\u0035l","rawId":"b25l","type":"public\u002dkey","response":{\#(member)}}"#,
        answer(inner: member + #","userHandle":"","transports":["usb"]"#),
        answer(inner: member + #","userHandle":null"#),
        answer(inner: member + #","userHandle":"AAEC""#),
        answer(outer: #","authenticatorAttachment":"platform","clientExtensionResults":{"credProps":{"rk":true},"prf":{"results":{}}}"#),
        answer(outer: #","authenticatorAttachment":null,"clientExtensionResults":null"#),
        answer(outer: #","clientExtensionResults":{"credProps":null}"#),
        answer(outer: #","clientExtensionResults":{"credProps":{"rk":null,"x":1}}"#),
        answer(outer: #","authenticatorAttachment":"something new""#),
        // Refused by both: missing, null or wrong-typed required members, bad base64url, bad values
        #"{"rawId":"b25l","type":"public-key","response":{\#(member)}}"#,
        #"{"id":null,"rawId":"b25l","type":"public-key","response":{\#(member)}}"#,
        #"{"id":"b25l","rawId":"b25l","type":"public-key"}"#,
        #"{"id":"b25l","rawId":"b25l","type":"public-key","response":null}"#,
        #"{"id":"b25l","rawId":"b25l","type":7,"response":{\#(member)}}"#,
        #"{"id":"b25l","rawId":"b2!l","type":"public-key","response":{\#(member)}}"#,
        #"{"id":"b25l","rawId":"","type":"public-key","response":{\#(member)}}"#,
        #"{"id":"b25l","rawId":"b25l","type":"public-key","response":[]}"#,
        answer(inner: #""clientDataJSON":"\#(clientData)","authenticatorData":"AAECAw""#),
        answer(inner: member + #","userHandle":5"#),
        answer(inner: member + #","userHandle":"AA=A""#),
        answer(inner: member + #","userHandle":"\#(String(repeating: "A", count: 88))""#),
        answer(outer: #","authenticatorAttachment":1"#),
        answer(outer: #","clientExtensionResults":[]"#),
        answer(outer: #","clientExtensionResults":{"credProps":{"rk":"yes"}}"#),
        "[]", "\"text\"", "", "{", answer() + "x",
    ])
    func agreesWithJSONDecoder(text: String) throws {
        _ = try Self.agree(text)
    }

    @Test("RFC 8259 strictly, and no member twice, where Foundation is lenient", arguments: [
        answer(outer: ","),  // a trailing comma
        answer(outer: #","n":01"#),  // a leading zero
        answer(outer: #","n":NaN"#),
        answer(outer: #","n":.5"#),
        answer(outer: #","n":1."#),
        answer(outer: #","n":+1"#),
        answer(outer: #","s":'single'"#),
        answer(outer: #","s":"\ud800""#),  // an unpaired surrogate
        answer(outer: #","s":"\udc00\ud800""#),
        answer(outer: #","s":"\x41""#),  // an unknown escape
        answer(outer: ",\"s\":\"a\u{01}b\""),  // an unescaped control character
        answer(outer: #","id":"b25l""#),  // a member named twice
        answer(inner: member + #","signature":"MEUCIQ""#),
        answer(outer: #","extra":{"a":1,"a":2}"#),
        answer(outer: ",\"deep\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)),
        "\u{FEFF}" + answer(),  // a byte order mark
        answer() + "/* comment */",
        answer().replacingOccurrences(of: ":", with: " : ").replacingOccurrences(of: " ", with: "\u{A0}"),  // no-break spaces
    ])
    func strict(text: String) {
        #expect(throws: WebAuthnError.self) { try AuthenticationResponseJSON.parse(Data(text.utf8)) }
    }

    @Test("bytes that are not UTF-8 are refused")
    func notUTF8() {
        var bytes = Array(Self.answer().utf8)
        bytes.insert(0xFF, at: 10)
        #expect(throws: WebAuthnError(.malformed, "invalid JSON")) { try AuthenticationResponseJSON.parse(Data(bytes)) }
    }

    @Test("each refusal names the member, as the JSONDecoder path did", arguments: [
        (#"{"rawId":"b25l","type":"public-key","response":{\#(member)}}"#, "missing required field id"),
        (#"{"id":"b25l","rawId":"b25l","type":null,"response":{\#(member)}}"#, "missing value for type"),
        (#"{"id":"b25l","rawId":"b25l","type":"public-key","response":{}}"#, "missing required field response.clientDataJSON"),
        (answer(inner: member + #","userHandle":5"#), "response.userHandle has the wrong type"),
        (answer(inner: member + #","userHandle":"AA=A""#), "response.userHandle is invalid"),
        (answer(outer: #","id":"x""#), "id appears twice"),
        (answer(outer: #","clientExtensionResults":{"credProps":{"rk":1}}"#), "clientExtensionResults.credProps.rk has the wrong type"),
        ("[1]", "the top level has the wrong type"),
        ("{\"id\":", "invalid JSON"),
    ])
    func namesTheMember(text: String, reason: String) {
        do {
            _ = try AuthenticationResponseJSON.parse(Data(text.utf8))
            Issue.record("\(text) was read")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }
}
