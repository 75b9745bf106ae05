import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import SoftwareAuthenticator
import Testing
import WebAuthn

@testable import PasskeyServer

/// No input produces a 5xx: mangled bodies, on every endpoint, signed in and not.
@Suite struct FuzzTests {
    static let endpoints: [(HTTPRequest.Method, String)] = [
        (.post, "/api/registration/options"), (.post, "/api/registration"),
        (.post, "/api/authentication/options"), (.post, "/api/authentication"),
        (.post, "/api/passkeys/options"), (.post, "/api/passkeys"), (.get, "/api/passkeys"),
        (.patch, "/api/passkeys/AAAA"), (.delete, "/api/passkeys/AAAA"),
        (.get, "/api/session"), (.delete, "/api/session"),
        (.patch, "/api/account"), (.delete, "/api/account"),
        (.get, "/.well-known/webauthn"), (.get, "/healthz"), (.get, "/metrics"), (.get, "/"),
    ]

    /// Deterministic pseudo-random bytes, so a failure can be reproduced.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bodies that are almost right: genuine responses with bytes flipped, cut or swapped, and
    /// shapes JSON parsers trip on.
    static func mangledBodies(from seeds: [Data], count: Int) -> [Data] {
        var random = SplitMix(state: 42)
        var bodies: [Data] = [
            Data(), Data("{}".utf8), Data("null".utf8), Data("[]".utf8), Data("\"x\"".utf8), Data("1e999999".utf8),
            Data(String(repeating: "[", count: 20_000).utf8), Data(String(repeating: "{\"a\":", count: 10_000).utf8),
            Data(#"{"username":{"$gt":""}}"#.utf8), Data(#"{"username":"\ud800"}"#.utf8),
            Data(#"{"id":"","rawId":"","type":"public-key","response":{}}"#.utf8),
            Data(#"{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"","attestationObject":"","authenticatorData":"","signature":"","userHandle":""}}"#.utf8),
        ]
        for index in 0..<count {
            guard var bytes = seeds.randomElement(using: &random).map(Array.init), !bytes.isEmpty else { continue }
            switch index % 5 {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[at] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
            case 2:
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(contentsOf: Array(#"","x":[{"#.utf8), at: at)
            case 3:
                bytes = (0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            default:
                // Swap one base64url value for another shape.
                var text = String(decoding: bytes, as: UTF8.self)
                for replacement in ["null", "12", "[]", "{}", "\"\"", "\"====\""] where Bool.random(using: &random) {
                    if let range = text.range(of: #""[A-Za-z0-9_-]{16,}""#, options: .regularExpression) {
                        text.replaceSubrange(range, with: replacement)
                    }
                }
                bytes = Array(text.utf8)
            }
            bodies.append(Data(bytes))
        }
        return bodies
    }

    @Test(arguments: StoreKind.allCases)
    func noInputProducesAServerError(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var member = try Browser(client)
            try await member.signUp("ada@example.com")
            // Seeds: a genuine registration and a genuine assertion, and the options bodies.
            var seeder = try Browser(client)
            let (_, creation) = try await seeder.registrationOptions("seed@example.com")
            let registration = try seeder.authenticator.register(options: try #require(creation), origin: seeder.origin)
            let (_, request) = try await member.authenticationOptions("ada@example.com")
            let assertion = try member.authenticator.authenticate(options: try #require(request), origin: member.origin)
            let seeds = [
                try JSONEncoder().encode(registration), try JSONEncoder().encode(assertion),
                Data(#"{"username":"ada@example.com","displayName":"Ada"}"#.utf8), Data(#"{"name":"Laptop"}"#.utf8),
            ]
            let bodies = Self.mangledBodies(from: seeds, count: 120)
            var anonymous = try Browser(client)
            var served = 0
            for body in bodies {
                for (method, path) in Self.endpoints {
                    for signedIn in [false, true] {
                        var browser = signedIn ? member : anonymous
                        // Give finishing endpoints a ceremony to consume.
                        if path == "/api/registration" {
                            _ = try await browser.registrationOptions("fuzz@example.com")
                        } else if path == "/api/authentication" {
                            _ = try await browser.authenticationOptions("ada@example.com")
                        } else if path == "/api/passkeys", method == .post, signedIn {
                            _ = try await browser.post("/api/passkeys/options", [String: String]())
                        }
                        if path == "/api/account", method == .delete { continue }
                        if path == "/api/session", method == .delete { continue }
                        let response = try await browser.send(method, path, body: body)
                        #expect(response.status.code < 500, "\(method) \(path) with \(body.count) bytes: \(response.text)")
                        if response.status.code >= 400 {
                            #expect(response.errorCode != nil, "\(method) \(path): errors are JSON")
                        }
                        served += 1
                        if signedIn { member = browser } else { anonymous = browser }
                    }
                }
            }
            #expect(served > 3000)
            #expect(try await member.get("/api/session").status == .ok, "the member is still signed in")
        }
    }

    @Test func garbageHeadersAndPathsAreAnswered() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            let headerSets: [HTTPFields] = [
                [.cookie: "passkeys_session=\(String(repeating: "A", count: 5000))"],
                [.cookie: "passkeys_ceremony=%%%; passkeys_session==="],
                [.contentLength: "-5"], [.contentLength: "abc"],
                [.ifNoneMatch: String(repeating: ",", count: 1000)],
                [.xForwardedFor: "not an address, 1.2.3.4"],
                [.range: "bytes=99999999-"],
            ]
            for headers in headerSets {
                for path in ["/", "/api/session", "/api/passkeys/%00", "/api/passkeys/\(String(repeating: "A", count: 3000))"] {
                    var fields = headers
                    fields[.origin] = Harness.origin
                    for method in [HTTPRequest.Method.get, .post, .delete] {
                        let response = try await client.execute(uri: path, method: method, headers: fields)
                        #expect(response.status.code < 500, "\(method) \(path) \(headers): \(response.text)")
                    }
                }
            }
        }
    }
}
