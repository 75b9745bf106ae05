import Foundation
import Testing
@testable import WebAuthn

/// `PublicKeyCredentialRequestOptionsJSON.parse` reads sign-in options with `WireReader` (fields
/// only, RFC 8259 strictly): what `JSONDecoder` takes it takes to the same value, what
/// `JSONDecoder` refuses it refuses, and it refuses what RFC 8259 does not allow.
@Suite("Reading sign-in options without JSONDecoder")
struct RequestOptionsWireReaderTests {
    static let challenge = Base64URL.encode(Array(0..<32))
    static let credential = Base64URL.encode(Array(repeating: 7, count: 16))

    /// Options with `challenge` and the members `more` after it.
    static func options(_ more: String = "") -> String {
        #"{"challenge":"\#(challenge)"\#(more)}"#
    }

    /// Both readers' results: equal values, or both refused.
    @discardableResult
    static func agree(_ text: String) -> PublicKeyCredentialRequestOptionsJSON? {
        let json = Data(text.utf8)
        let fast = try? PublicKeyCredentialRequestOptionsJSON.parse(json)
        let foundation = try? WireJSON.decode(PublicKeyCredentialRequestOptionsJSON.self, from: json)
        #expect(fast == foundation, "\(text)")
        return fast
    }

    @Test("options a relying party wrote read back to the same value, bare and in their envelope")
    func roundTrip() throws {
        let written = PublicKeyCredentialRequestOptionsJSON(
            challenge: Challenge.random(), timeout: 300_000, rpId: "example.com",
            allowCredentials: [
                PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: Array(repeating: 1, count: 16)), transports: [.init(rawValue: "usb"), .init(rawValue: "hybrid")]),
                PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: Array(repeating: 2, count: 32))),
            ],
            userVerification: .init(rawValue: "preferred"), hints: [.init(rawValue: "security-key")])
        let json = try JSONEncoder().encode(written)
        #expect(try PublicKeyCredentialRequestOptionsJSON.parse(json) == written)
        let envelope = Array(#"{"mediation":"conditional","publicKey":"#.utf8) + Array(json) + Array("}".utf8)
        #expect(try PublicKeyCredentialRequestOptionsJSON.parse(envelope, inMember: "publicKey") == written)
    }

    @Test("what JSONDecoder takes it takes to the same value, and what it refuses it refuses", arguments: [
        options(),
        options(#","timeout":60000,"rpId":"example.com","userVerification":"required","hints":["client-device"]"#),
        options(#","allowCredentials":[]"#),
        options(#","allowCredentials":null,"timeout":null,"rpId":null,"userVerification":null,"hints":null"#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"}]"#),
        options(#","allowCredentials":[ {"id":"\#(credential)","type":"public-key","transports":["usb","nfc"]} , {"type":"something-new","id":"\#(credential)","transports":null,"x":[1]} ]"#),
        options(#","extensions":{"appid":"https://example.com"},"extra":[1,-2.5e3,{"a":[true,false,null]}]"#),
        options(#","userVerification":"something new","hints":[]"#),
        #" { "rpId" : "example.com" , "challenge" : "\#(challenge)" } "#,
        #"{"ch\u0061llenge":"\#(challenge)"}"#,
        // Refused by both: missing, null or wrong-typed members, bad base64url, short values
        #"{}"#,
        #"{"challenge":null}"#,
        #"{"challenge":5}"#,
        #"{"challenge":"AA=A"}"#,
        #"{"challenge":"AAEC"}"#,
        options(#","timeout":"60000""#),
        options(#","timeout":1.5"#),
        options(#","rpId":5"#),
        options(#","userVerification":true"#),
        options(#","hints":"security-key""#),
        options(#","hints":[1]"#),
        options(#","allowCredentials":{}"#),
        options(#","allowCredentials":["\#(credential)"]"#),
        options(#","allowCredentials":[null]"#),
        options(#","allowCredentials":[{"id":"\#(credential)"}]"#),
        options(#","allowCredentials":[{"type":"public-key"}]"#),
        options(#","allowCredentials":[{"type":"public-key","id":null}]"#),
        options(#","allowCredentials":[{"type":"public-key","id":"AAEC"}]"#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)","transports":[5]}]"#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"},7]"#),
        "[]", "\"text\"", "", "{", options() + "x",
    ])
    func agreesWithJSONDecoder(text: String) {
        Self.agree(text)
    }

    @Test("RFC 8259 strictly, and no member twice, where Foundation is lenient", arguments: [
        options(","),  // a trailing comma
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"},]"#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"} {"type":"public-key","id":"\#(credential)"}]"#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)","type":"public-key"}]"#),
        options(#","timeout":01"#),
        // A whole number is written as one (as toJSON() writes it): JSONDecoder also reads these.
        options(#","timeout":60000.0"#), options(#","timeout":6e4"#), options(#","timeout":301e+09"#),
        options(#","challenge":"\#(challenge)""#),
        options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"}"#),
        options(",\"deep\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)),
        "\u{FEFF}" + options(),
    ])
    func strict(text: String) {
        #expect(throws: WebAuthnError.self) { try PublicKeyCredentialRequestOptionsJSON.parse(Data(text.utf8)) }
    }

    @Test("a timeout with a fraction or an exponent is refused by name; JSONDecoder reads it")
    func timeoutIsAnInteger() throws {
        let text = Self.options(#","timeout":6e4"#)
        #expect(try WireJSON.decode(PublicKeyCredentialRequestOptionsJSON.self, from: Data(text.utf8)).timeout == 60000)
        do {
            _ = try PublicKeyCredentialRequestOptionsJSON.parse(Data(text.utf8))
            Issue.record("6e4 was read as a timeout")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.reason.contains("timeout has the wrong type"), "\(error.reason)")
        }
    }

    @Test("each refusal names the member", arguments: [
        (#"{}"#, "missing required field challenge"),
        (#"{"challenge":null}"#, "missing value for challenge"),
        (options(#","timeout":1.5"#), "timeout has the wrong type"),
        (options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)"},7]"#), "allowCredentials[1] has the wrong type"),
        (options(#","allowCredentials":[{"type":"public-key"}]"#), "missing required field allowCredentials[0].id"),
        (options(#","allowCredentials":[{"type":"public-key","id":"AA=A"}]"#), "allowCredentials[0].id is invalid"),
        (options(#","allowCredentials":[{"type":"public-key","id":"\#(credential)","id":"x"}]"#), "allowCredentials[0].id appears twice"),
    ])
    func namesTheMember(text: String, reason: String) {
        do {
            _ = try PublicKeyCredentialRequestOptionsJSON.parse(Data(text.utf8))
            Issue.record("\(text) was read")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test("the envelope: the member is required, other members are skipped strictly")
    func envelope() throws {
        let inner = Self.options()
        #expect(try PublicKeyCredentialRequestOptionsJSON.parse(Array(#"{"x":[1,{"y":null}],"publicKey":\#(inner)}"#.utf8), inMember: "publicKey").challenge.bytes == Array(0..<32))
        for text in [#"{"x":1}"#, #"{"publicKey":null}"#, #"{"publicKey":[]}"#, #"{"publicKey":\#(inner),"publicKey":\#(inner)}"#, "[\(inner)]", #"{"publicKey":\#(inner)"#] {
            #expect(throws: WebAuthnError.self, "\(text)") { try PublicKeyCredentialRequestOptionsJSON.parse(Array(text.utf8), inMember: "publicKey") }
        }
    }
}
