import Foundation
import Testing
@testable import WebAuthn

/// `JSONWriter` writes the same JSON as Foundation's `JSONEncoder` for the values the server sends
/// on every ceremony (the same members and values; Foundation on Linux orders an object's members
/// by its own hashing, so the texts are compared as parsed objects), and strict RFC 8259 JSON for
/// any string.
@Suite("JSON writer")
struct JSONWriterTests {
    private static let id1 = CredentialID(uncheckedBytes: Array(0..<16))
    private static let id2 = CredentialID(uncheckedBytes: Array(repeating: 0xFF, count: 32))

    static let options: [PublicKeyCredentialRequestOptionsJSON] = [
        PublicKeyCredentialRequestOptionsJSON(challenge: Challenge(uncheckedBytes: Array(repeating: 0xFB, count: 32))),
        PublicKeyCredentialRequestOptionsJSON(
            challenge: Challenge(uncheckedBytes: Array(0..<32)), timeout: 300_000, rpId: "login.example.com",
            allowCredentials: [
                PublicKeyCredentialDescriptorJSON(id: id1, transports: [.internal, .hybrid]),
                PublicKeyCredentialDescriptorJSON(id: id2),
                PublicKeyCredentialDescriptorJSON(id: id1, transports: []),
            ],
            userVerification: .preferred, hints: [.clientDevice, .securityKey]),
        PublicKeyCredentialRequestOptionsJSON(
            challenge: Challenge(uncheckedBytes: [0]), timeout: -1, rpId: "", allowCredentials: [], userVerification: .required,
            hints: []),
    ]

    /// The two texts parsed by `JSONSerialization` are the same object.
    private func sameJSON(_ written: [UInt8], _ encoded: Data) throws -> Bool {
        let lhs = try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary
        let rhs = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        return lhs != nil && lhs == rhs
    }

    @Test("Sign-in options: the same JSON as JSONEncoder, strict, and they read back", arguments: options)
    func requestOptions(_ options: PublicKeyCredentialRequestOptionsJSON) throws {
        var writer = JSONWriter()
        options.write(to: &writer)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        #expect(try sameJSON(writer.bytes, try encoder.encode(options)))
        #expect(try JSONDecoder().decode(PublicKeyCredentialRequestOptionsJSON.self, from: Data(writer.bytes)) == options)
        try StrictJSON.validate(writer.bytes)
    }

    static let assertions: [AuthenticationResponseJSON] = [
        AuthenticationResponseJSON(
            rawId: id1,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(Array("{\"type\":\"webauthn.get\"}".utf8)), authenticatorData: Base64URLData(Array(0..<37)),
                signature: Base64URLData(Array(repeating: 0x30, count: 71)))),
        AuthenticationResponseJSON(
            rawId: id2,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData([0xFF]), authenticatorData: Base64URLData([]), signature: Base64URLData([1, 2]),
                userHandle: UserHandle(uncheckedBytes: Array(0..<64))),
            authenticatorAttachment: .crossPlatform,
            clientExtensionResults: AuthenticationExtensionsClientOutputsJSON(credProps: .init(rk: true))),
        AuthenticationResponseJSON(
            id: "not \"the\" id", rawId: id1,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData([0]), authenticatorData: Base64URLData([0]), signature: Base64URLData([0])),
            authenticatorAttachment: .platform, clientExtensionResults: AuthenticationExtensionsClientOutputsJSON(credProps: .init(rk: nil)),
            type: "other"),
    ]

    @Test("A sign-in answer: the same JSON as JSONEncoder, strict, and it reads back", arguments: assertions)
    func assertion(_ answer: AuthenticationResponseJSON) throws {
        let written = answer.jsonBytes()
        #expect(try sameJSON(written, try JSONEncoder().encode(answer)))
        try StrictJSON.validate(written)
        #expect(try JSONDecoder().decode(AuthenticationResponseJSON.self, from: Data(written)) == answer)
        #expect(try AuthenticationResponseJSON.parse(Data(written)) == answer)
    }

    static let signUpOptions: [PublicKeyCredentialCreationOptionsJSON] = [
        PublicKeyCredentialCreationOptionsJSON(
            rp: PublicKeyCredentialRpEntity(id: nil, name: "Example"),
            user: PublicKeyCredentialUserEntityJSON(id: UserHandle(uncheckedBytes: [1]), name: "", displayName: ""),
            challenge: Challenge(uncheckedBytes: [0]), pubKeyCredParams: []),
        PublicKeyCredentialCreationOptionsJSON(
            rp: PublicKeyCredentialRpEntity(id: "login.example.com", name: "Quote \" and \\ é"),
            user: PublicKeyCredentialUserEntityJSON(
                id: UserHandle(uncheckedBytes: Array(0..<64)), name: "ada@example.com", displayName: "Ada\nLovelace 🙂"),
            challenge: Challenge(uncheckedBytes: Array(repeating: 0xFB, count: 32)),
            pubKeyCredParams: [.init(alg: .es256), .init(alg: .edDSA), .init(alg: COSEAlgorithmIdentifier(-257))],
            timeout: 300_000,
            excludeCredentials: [
                PublicKeyCredentialDescriptorJSON(id: id1, transports: [.usb, .nfc]), PublicKeyCredentialDescriptorJSON(id: id2),
            ],
            authenticatorSelection: AuthenticatorSelectionCriteria(
                authenticatorAttachment: .platform, residentKey: .required, userVerification: .required),
            hints: [.securityKey], attestation: .direct, extensions: AuthenticationExtensionsClientInputsJSON(credProps: true)),
        PublicKeyCredentialCreationOptionsJSON(
            rp: PublicKeyCredentialRpEntity(id: "", name: ""),
            user: PublicKeyCredentialUserEntityJSON(id: UserHandle(uncheckedBytes: [9, 9]), name: "n", displayName: "d"),
            challenge: Challenge(uncheckedBytes: Array(0..<16)), pubKeyCredParams: [.init(alg: .es384)], timeout: -1,
            authenticatorSelection: AuthenticatorSelectionCriteria(), hints: [], attestation: AttestationConveyancePreference.none,
            extensions: AuthenticationExtensionsClientInputsJSON()),
    ]

    @Test("Sign-up options: the same JSON as JSONEncoder, strict, and they read back", arguments: signUpOptions)
    func creationOptions(_ options: PublicKeyCredentialCreationOptionsJSON) throws {
        var writer = JSONWriter()
        options.write(to: &writer)
        #expect(try sameJSON(writer.bytes, try JSONEncoder().encode(options)))
        try StrictJSON.validate(writer.bytes)
        #expect(try JSONDecoder().decode(PublicKeyCredentialCreationOptionsJSON.self, from: Data(writer.bytes)) == options)
    }

    @Test("A sign-up ceremony's state: the same JSON as JSONEncoder, and it reads back", arguments: [
        RegistrationCeremony(
            challenge: Challenge(uncheckedBytes: Array(0..<32)), userHandle: UserHandle(uncheckedBytes: [1]),
            userVerification: .preferred, algorithms: []),
        RegistrationCeremony(
            challenge: Challenge(uncheckedBytes: Array(repeating: 0xFE, count: 32)),
            userHandle: UserHandle(uncheckedBytes: Array(repeating: 7, count: 64)), userVerification: .required,
            algorithms: [.es256, .edDSA, COSEAlgorithmIdentifier(-257)], mediation: .conditional),
    ])
    func registrationCeremonyState(_ ceremony: RegistrationCeremony) throws {
        let bytes = ceremony.jsonBytes()
        #expect(try sameJSON(bytes, try JSONEncoder().encode(ceremony)))
        #expect(try JSONDecoder().decode(RegistrationCeremony.self, from: Data(bytes)) == ceremony)
        try StrictJSON.validate(bytes)
        #expect(try RegistrationCeremony(json: bytes) == ceremony)
        #expect(try RegistrationCeremony(json: Array(try JSONEncoder().encode(ceremony))) == ceremony)
    }

    static let storedChallenge = String(repeating: "A", count: 43)

    @Test("A sign-up ceremony stored before mediation existed reads as a modal one")
    func registrationCeremonyWithoutMediation() throws {
        let text = #"{"challenge":"\#(Self.storedChallenge)","userHandle":"AQ","userVerification":"preferred","algorithms":[ -7 , -257,-8 ]}"#
        let ceremony = try RegistrationCeremony(json: Array(text.utf8))
        #expect(ceremony == (try JSONDecoder().decode(RegistrationCeremony.self, from: Data(text.utf8))))
        #expect(ceremony.mediation == .optional)
        #expect(ceremony.algorithms == [.es256, COSEAlgorithmIdentifier(-257), .edDSA])
    }

    @Test("A sign-up ceremony's state that is not what was written is malformed", arguments: [
        "", "[]", #"{"userHandle":"AQ","userVerification":"required","algorithms":[]}"#,
        #"{"challenge":"C","userVerification":"required","algorithms":[]}"#,
        #"{"challenge":"C","userHandle":"AQ","algorithms":[]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required"}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":[-7.5]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":[1e2]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":["-7"]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":-7}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":[99999999999999999999]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":[-07]}"#,
        #"{"challenge":"C","userHandle":"","userVerification":"required","algorithms":[]}"#,
        #"{"challenge":"C","userHandle":"AQ","userVerification":"required","algorithms":[],"mediation":1}"#,
    ])
    func malformedRegistrationCeremonyState(_ text: String) {
        let text = text.replacingOccurrences(of: #""challenge":"C""#, with: #""challenge":"\#(Self.storedChallenge)""#)
        #expect(throws: WebAuthnError.self, "\(text)") { try RegistrationCeremony(json: Array(text.utf8)) }
    }

    @Test("A ceremony's state: the same JSON as JSONEncoder, strict, and it reads back", arguments: [
        AuthenticationCeremony(challenge: Challenge(uncheckedBytes: Array(0..<32)), allowCredentials: [], userVerification: .preferred, userHandle: nil),
        AuthenticationCeremony(
            challenge: Challenge(uncheckedBytes: Array(repeating: 0xFE, count: 32)), allowCredentials: [id1, id2],
            userVerification: .required, userHandle: UserHandle(uncheckedBytes: Array(repeating: 7, count: 64))),
    ])
    func ceremonyState(_ ceremony: AuthenticationCeremony) throws {
        let bytes = ceremony.jsonBytes()
        #expect(try sameJSON(bytes, try JSONEncoder().encode(ceremony)))
        #expect(try JSONDecoder().decode(AuthenticationCeremony.self, from: Data(bytes)) == ceremony)
        try StrictJSON.validate(bytes)
        #expect(try AuthenticationCeremony(json: bytes) == ceremony)
        #expect(try AuthenticationCeremony(json: Array(try JSONEncoder().encode(ceremony))) == ceremony)
    }

    @Test("A ceremony's state that is not what was written is malformed", arguments: [
        "", "[]", "null", #"{"allowCredentials":[],"userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[],"userVerification":null}"#,
        #"{"challenge":"AA+A","allowCredentials":[],"userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":"AAAA","userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[1],"userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[""],"userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":["AAAA",],"userVerification":"required"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[],"userVerification":"required","userHandle":7}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[],"userVerification":"required","challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
        #"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","allowCredentials":[],"userVerification":"required"} x"#,
    ])
    func malformedCeremonyState(_ text: String) {
        #expect(throws: WebAuthnError.self, "\(text)") { try AuthenticationCeremony(json: Array(text.utf8)) }
    }

    @Test("A ceremony's state with every member right reads, whatever its members' order and spacing")
    func ceremonyStateInAnyOrder() throws {
        let text = #"{ "userVerification" : "required", "allowCredentials" : [ "AQID" ], "challenge" : "\#(String(repeating: "A", count: 43))" }"#
        let ceremony = try AuthenticationCeremony(json: Array(text.utf8))
        #expect(ceremony.challenge.bytes == Array(repeating: 0, count: 32))
        #expect(ceremony.allowCredentials == [CredentialID(uncheckedBytes: [1, 2, 3])])
        #expect(ceremony.userVerification == .required)
        #expect(ceremony.userHandle == nil)
    }

    @Test("A list of strings reads strictly, as JSONDecoder reads it", arguments: [
        "[]", #"["usb"]"#, #"[ "usb" , "nfc","hybrid" ]"#, #"["esc\u0041ped\/","é"]"#,
    ])
    func stringLists(_ text: String) throws {
        #expect(try WireJSON.strings(Array(text.utf8)) == (try JSONDecoder().decode([String].self, from: Data(text.utf8))))
    }

    @Test("Named string members read as JSONDecoder reads a type of optional strings", arguments: [
        "{}", #"{"username":"ada"}"#, #"{"username":null}"#, #"{"other":[1,{"a":true}],"username":"é\n"}"#,
        #" { "username" : "ada" , "displayName" : "Ada" } "#,
    ])
    func stringMembers(_ text: String) throws {
        struct Named: Decodable { var username: String?; var displayName: String? }
        let read = try WireJSON.stringMembers(Array(text.utf8), ["username", "displayName"])
        let decoded = try JSONDecoder().decode(Named.self, from: Data(text.utf8))
        #expect(read["username"] == decoded.username)
        #expect(read["displayName"] == decoded.displayName)
        #expect(read.count == [decoded.username, decoded.displayName].compactMap { $0 }.count)
    }

    @Test("Named string members of another type, or a text that is not one object, are malformed", arguments: [
        "", "[]", #""ada""#, #"{"username":5}"#, #"{"username":["ada"]}"#, #"{"username":"a","username":"b"}"#,
        #"{"username":"ada",}"#, #"{"username":"ada"} {}"#, #"{"other":01}"#,
    ])
    func stringMembersRefused(_ text: String) {
        #expect(throws: WebAuthnError.self, "\(text)") { try WireJSON.stringMembers(Array(text.utf8), ["username"]) }
    }

    @Test("A list that is not one of strings is malformed", arguments: [
        "", "{}", #""usb""#, "[1]", #"["usb",1]"#, #"["usb",]"#, #"["usb""#, #"["usb"] []"#, "[null]", #"[["usb"]]"#,
    ])
    func notStringLists(_ text: String) {
        #expect(throws: WebAuthnError.self, "\(text)") { try WireJSON.strings(Array(text.utf8)) }
    }

    @Test("Any string is written as strict JSON that reads back as itself", arguments: [
        "", "plain", "quote \" and reverse solidus \\", "slash / stays", "tab\tnew line\ncarriage\rback\u{8}feed\u{C}",
        String(decoding: Array(0..<0x20), as: UTF8.self), "\u{7F} delete", "é ünïcödé 日本語 🙂", "\u{2028}\u{2029}",
    ])
    func strings(_ text: String) throws {
        var writer = JSONWriter()
        writer.beginArray()
        writer.string(text)
        writer.string(text)
        writer.endArray()
        try StrictJSON.validate(writer.bytes)
        #expect(try JSONDecoder().decode([String].self, from: Data(writer.bytes)) == [text, text])
    }

    @Test("Commas between the members and elements of nested objects and arrays, none elsewhere")
    func structure() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.integer(1)
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.bool(true)
        writer.endArray()
        writer.key("b")
        writer.bool(false)
        writer.key("c")
        writer.beginObject()
        writer.key("d")
        writer.integer(-42)
        writer.endObject()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[1,{},[],true],"b":false,"c":{"d":-42}}"#)
    }
}
