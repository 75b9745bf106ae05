import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// What the server accepts as input: names that show, and JSON as RFC 8259 defines it.
@Suite struct InputRulesTests {
    /// Names that would render blank, or a name with something unseen in it.
    static let invisibleNames: [String] = [
        "\u{3164}",  // Hangul filler
        "\u{2800}",  // braille blank
        "\u{115F}\u{1160}",  // Hangul choseong and jungseong fillers
        "\u{FFA0}",  // halfwidth Hangul filler
        "\u{0301}",  // a lone combining mark
        "\u{0301}ada",  // a combining mark with nothing before it
        "fr\u{200B}ank",  // zero width space
        "\u{200D}",  // a joiner with nothing to join
        "\u{FE0F}",  // a variation selector with nothing to select
        "\u{3000}\u{3164}",  // ideographic space and a filler
        "frank\u{3164}",
        "fr\u{2800}ank",
        "fr\u{00AD}ank",  // soft hyphen
        "frank\u{034F}",  // combining grapheme joiner
        "fr\u{200C}ank",  // a non-joiner between letters that never join
        "frank\u{200D}",  // a joiner with nothing after it
        "frank\u{FE0F}",  // a variation selector on a letter that has none
    ]

    @Test(arguments: Self.invisibleNames)
    func aUsernameWithInvisibleCharactersIsRefused(name: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let (response, _) = try await browser.registrationOptions(name + "@example.com")
            expectError(response, .badRequest, "invalid_username")
            let (signIn, _) = try await browser.authenticationOptions(name)
            expectError(signIn, .badRequest, "invalid_username")
        }
    }

    @Test(arguments: Self.invisibleNames)
    func aDisplayNameOrPasskeyNameThatShowsNothingIsRefused(name: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let (signUp, _) = try await browser.registrationOptions("ada@example.com", displayName: name)
            expectError(signUp, .badRequest, "invalid_name")
            try await browser.signUp("ada@example.com")
            let id = try #require(browser.authenticator.credentials.first?.id).base64URL
            try await harness.expectNoChange(to: ["ada@example.com"]) {
                let request = ["displayName": name]
                expectError(try await browser.send(.patch, "/api/account", body: try JSONEncoder().encode(request)), .badRequest, "invalid_name")
                let rename = ["name": name]
                expectError(
                    try await browser.send(.patch, "/api/passkeys/\(id)", body: try JSONEncoder().encode(rename)), .badRequest,
                    "invalid_name")
            }
        }
    }

    @Test func aUsernameWithAFillerCannotBeRegisteredBesideTheSameNameWithout() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var frank = try Browser(client)
            #expect(try await frank.signUp("frank").status == .created)
            var impostor = try Browser(client)
            let (response, _) = try await impostor.registrationOptions("frank\u{3164}")
            expectError(response, .badRequest, "invalid_username")
        }
    }

    @Test(arguments: [
        "Zoë 👩‍💻", "❤️ phone", "Ada Lovelace", "নীল", "Renée", "क्षत्रिय", "🏳️‍🌈", "e\u{0301}", "1️⃣", "می\u{200C}خواهم",
    ])
    func namesThatShowAreAccepted(name: String) async throws {
        #expect(try NameRules.name(name, what: "name") == name)
        #expect(NameRules.invisibility(name) == nil)
    }

    // MARK: Strict JSON

    /// Bodies Foundation's decoder accepts and RFC 8259 does not.
    static let notStrictJSON: [(String, String)] = [
        ("trailing comma in an object", #"{"a":1,}"#),
        ("trailing comma in an array", #"{"username":"ada","x":[1,]}"#),
        ("line comment", "{\"username\":\"ada\" // me\n}"),
        ("block comment", #"{/* me */"username":"ada"}"#),
        ("single quotes", #"{'username':'ada'}"#),
        ("NaN", #"{"a":NaN}"#),
        ("Infinity", #"{"a":-Infinity}"#),
        ("leading zero", #"{"a":01}"#),
        ("plus sign", #"{"a":+1}"#),
        ("bare fraction", #"{"a":.5}"#),
        ("unpaired high surrogate", #"{"username":"\ud800"}"#),
        ("unpaired low surrogate", #"{"username":"\udc00x"}"#),
        ("reversed surrogates", #"{"username":"\udc00\ud800"}"#),
        ("duplicate key", #"{"username":"ada","username":"bob"}"#),
        ("duplicate key spelt with an escape", #"{"username":"ada","us\u0065rname":"bob"}"#),
        ("unquoted key", #"{username:"ada"}"#),
        ("two values", #"{"username":"ada"}{}"#),
        ("byte order mark", "\u{FEFF}{}"),
        ("raw control character", "{\"username\":\"a\u{1}da\"}"),
        ("unknown escape", #"{"username":"\a"}"#),
        ("hex number", #"{"a":0x10}"#),
    ]

    @Test(arguments: Self.notStrictJSON)
    func aBodyThatIsNotStrictJSONIsMalformed(what: String, body: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let response = try await browser.send(.post, "/api/authentication/options", body: Data(body.utf8))
            expectError(response, .badRequest, "malformed")
            #expect(browser.ceremonyCookie == nil, "\(what): no ceremony was begun")
        }
    }

    @Test(arguments: [
        ("{}", "missing required field username"), (#"{"username":null}"#, "missing required field username"),
        (#"{"username":7}"#, "username"), (#"{"username":"ada@example.com","displayName":["Ada"]}"#, "displayName"),
        ("[]", ""), (#""ada""#, ""),
    ])
    func signUpOptionsNeedAUsernameAndStringNames(body: String, named: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let response = try await browser.send(.post, "/api/registration/options", body: Data(body.utf8))
            expectError(response, .badRequest, "malformed")
            #expect(named.isEmpty || response.errorMessage?.contains(named) == true, "\(body): \(response.errorMessage ?? "")")
            #expect(browser.ceremonyCookie == nil, "\(body): no ceremony was begun")
        }
    }

    @Test("A body of the wrong JSON type is named in JSON's words, not Swift's", arguments: [
        ("[]", "the top level has the wrong type (expected an object)"),
        ("7", "the top level has the wrong type (expected an object)"),
        (#"{"email":7}"#, "email has the wrong type (expected a string)"),
        (#"{"email":["ada@example.com"]}"#, "email has the wrong type (expected a string)"),
    ])
    func wrongTypesAreNamedInJSONsWords(body: String, message: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let response = try await browser.send(.post, "/api/recovery/options", body: Data(body.utf8))
            expectError(response, .badRequest, "malformed")
            #expect(response.errorMessage == message, "\(body)")
        }
    }

    @Test func signUpOptionsTakeANullOrAbsentDisplayNameAsTheUsernameAndIgnoreOtherMembers() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            for (number, body) in [
                #"{"username":"ada1@example.com","displayName":null}"#, #"{"username":"ada2@example.com","extra":{"a":[1]}}"#,
            ].enumerated() {
                var browser = try Browser(client)
                let response = try await browser.send(.post, "/api/registration/options", body: Data(body.utf8))
                #expect(response.status == .ok, "\(body)")
                let options = try response.decode(OptionsEnvelope<PublicKeyCredentialCreationOptionsJSON>.self).publicKey
                #expect(options.user.displayName == "ada\(number + 1)@example.com")
            }
        }
    }

    @Test(arguments: ["/api/registration/options", "/api/registration", "/api/authentication"])
    func everyCeremonyEndpointReadsStrictJSONAndKeepsItsCeremony(path: String) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let (_, options) = try await browser.registrationOptions("ada@example.com")
            expectError(
                try await browser.send(.post, path, body: Data(#"{"username":"ada@example.com",}"#.utf8)), .badRequest,
                "malformed")
            // Refused before the endpoint ran: the pending ceremony is still there to finish.
            let credential = try browser.authenticator.register(options: try #require(options), origin: browser.origin)
            #expect(try await browser.post("/api/registration", credential).status == .created)
        }
    }

    @Test(arguments: SessionRulesTests.signedInEndpoints.filter { $0.2 != nil })
    func endpointsThatNeedASessionReadStrictJSONToo(method: HTTPRequest.Method, path: String, body: String?) async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var stranger = try Browser(client)
            expectError(try await stranger.send(method, path, body: Data(#"{"a":1,}"#.utf8)), .badRequest, "malformed")
        }
    }

    @Test func signedInEndpointsReadStrictJSON() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp("ada@example.com")
            let id = try #require(browser.authenticator.credentials.first?.id).base64URL
            try await harness.expectNoChange(to: ["ada@example.com"]) {
                expectError(
                    try await browser.send(.patch, "/api/account", body: Data(#"{"displayName":"A","displayName":"B"}"#.utf8)),
                    .badRequest, "malformed")
                expectError(
                    try await browser.send(.patch, "/api/passkeys/\(id)", body: Data(#"{"name":'x'}"#.utf8)), .badRequest,
                    "malformed")
                expectError(
                    try await browser.send(.post, "/api/passkeys/options", body: Data("{,}".utf8)), .badRequest, "malformed")
                expectError(try await browser.send(.delete, "/api/session", body: Data("[1,]".utf8)), .badRequest, "malformed")
            }
        }
    }

    @Test func strictJSONAcceptsWhatRFC8259Allows() throws {
        let valid = [
            "{}", "[]", " \t\n\r{ } ", #"{"a":[1,-0,0.5,1e10,1E-2,-1.25e+3,true,false,null,"x"]}"#,
            #"{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#, #""just a string""#, "0", "-12",
            #"{"a":{"a":{"a":1}},"b":{"a":2}}"#, "{\"é\":1,\"e\u{301}\":2}",
        ]
        for text in valid {
            #expect(throws: Never.self, "\(text)") { try StrictJSON.validate(Array(text.utf8)) }
        }
    }

    /// Member names are compared in place while an object has few, and in a set past sixteen:
    /// a duplicate is found either way, however it is spelt, and at the offset of the second.
    @Test func strictJSONFindsADuplicateNameAmongFewAndMany() throws {
        func object(_ names: [String]) -> [UInt8] {
            Array(("{" + names.map { "\"\($0)\":0" }.joined(separator: ",") + "}").utf8)
        }
        for count in [2, 16, 17, 18, 40, 2_000] {
            let names = (0..<count).map { "member\($0)" }
            #expect(throws: Never.self, "\(count) distinct names") { try StrictJSON.validate(object(names)) }
            for (first, second) in [(0, count - 1), (count / 2, count - 1), (count - 2, count - 1)] where first < second {
                var twice = names
                twice[second] = names[first]
                #expect(throws: StrictJSON.Violation.self, "\(count): \(first) again at \(second)") {
                    try StrictJSON.validate(object(twice))
                }
                // The same name spelt with an escape, either the first time or the second.
                var escaped = twice
                escaped[second] = #"\u006d"# + names[first].dropFirst()
                #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(object(escaped)) }
                var escapedFirst = twice
                escapedFirst[first] = #"\u006d"# + names[first].dropFirst()
                #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(object(escapedFirst)) }
            }
        }
        // The offset is the second name's.
        let body = Array(#"{"a":1,"b":2,"a":3}"#.utf8)
        do {
            try StrictJSON.validate(body)
            Issue.record("a duplicate name was let through")
        } catch {
            #expect(error.reason == "a duplicate member name")
            #expect(error.offset == 13)
        }
        // Names alike but for an escape that makes them differ are distinct; an escape in a value is checked.
        #expect(throws: Never.self) { try StrictJSON.validate(Array(#"{"a\"b":1,"a\\b":2,"ab":"x\ty"}"#.utf8)) }
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(Array(#"{"a":"x\qy"}"#.utf8)) }
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(Array(#"{"a":"\ud800"}"#.utf8)) }
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(Array("{\"a\":\"x\u{01}y\"}".utf8)) }
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(Array(#"{"a":"unterminated}"#.utf8)) }
    }

    @Test func strictJSONRefusesInvalidUTF8AndDeepNesting() throws {
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: StrictJSON.maximumDepth + 1) + String(repeating: "]", count: StrictJSON.maximumDepth + 1)
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(Array(deep.utf8)) }
        let deepEnough = String(repeating: "[", count: StrictJSON.maximumDepth) + String(repeating: "]", count: StrictJSON.maximumDepth)
        #expect(throws: Never.self) { try StrictJSON.validate(Array(deepEnough.utf8)) }
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate([]) }
    }
}
