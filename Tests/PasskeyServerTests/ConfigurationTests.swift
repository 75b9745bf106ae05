import Foundation
import PasskeyStore
import Testing
import WebAuthn

@testable import PasskeyServer

/// The configuration rules and the small pieces they rest on.
@Suite struct ConfigurationTests {
    @Test func theDefaultsServeLocalhostOnPort8080() throws {
        let configuration = PasskeyServerConfiguration()
        try configuration.validate()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.relyingPartyID == "localhost")
        #expect(configuration.database == "sqlite:./passkeys.sqlite")
        #expect(configuration.ceremonyTTL == 300)
        #expect(configuration.effectiveOrigins == ["http://localhost:8080"])
        #expect(configuration.primaryOrigin == "http://localhost:8080")
    }

    @Test func theDefaultOriginFollowsThePortAndTLS() {
        var configuration = PasskeyServerConfiguration()
        configuration.port = 9000
        #expect(configuration.defaultOrigin == "http://localhost:9000")
        configuration.tlsCertificatePath = "cert.pem"
        configuration.tlsKeyPath = "key.pem"
        #expect(configuration.defaultOrigin == "https://localhost:9000")
        configuration.port = 443
        configuration.relyingPartyID = "example.com"
        #expect(configuration.defaultOrigin == "https://example.com")
    }

    @Test(arguments: [
        ("port", "--port must be 1 to 65535"),
        ("origin", "is not on the RP ID"),
        ("httpOrigin", "is not an origin"),
        ("rpID", "RP ID"),
        ("ttl", "--ceremony-ttl"),
        ("rate", "--rate-limit"),
        ("tls", "--tls-cert needs --tls-key"),
        ("database", "--database"),
        ("apple", "--apple-app-id"),
        ("android", "--android-app"),
        ("related", "--related-origin"),
        ("proxy", "--trusted-proxy"),
        ("addressCeremonies", "--address-ceremony-limit"),
        ("addressFailures", "--address-failure-limit"),
        ("retention", "--audit-retention"),
        ("longRetention", "--audit-retention"),
        ("longSession", "--session-lifetime"),
        ("longIdle", "--session-idle-timeout"),
        ("zeroSession", "--session-lifetime"),
        ("longRefresh", "--metadata-refresh"),
        ("ipRPID", "is an IP address"),
    ])
    func aBadConfigurationIsOneClearLine(setting: String, expected: String) {
        var configuration = PasskeyServerConfiguration()
        switch setting {
        case "port": configuration.port = 70000
        case "origin": configuration.origins = ["https://evil.example"]
        case "httpOrigin": configuration.relyingPartyID = "example.com"; configuration.origins = ["http://example.com"]
        case "rpID": configuration.relyingPartyID = "https://example.com"
        case "ttl": configuration.ceremonyTTL = 0
        case "rate": configuration.rateLimit = -1
        case "tls": configuration.tlsCertificatePath = "cert.pem"
        case "database": configuration.database = "postgres://x"
        case "apple": configuration.appleAppIDs = ["com.example.app"]
        case "android": configuration.androidApps = [.init(packageName: "com.example", sha256CertFingerprints: ["AB:CD"])]
        case "related": configuration.relatedOrigins = ["http://example.org"]
        case "proxy": configuration.trustedProxies = ["proxy.local"]
        case "addressCeremonies": configuration.addressCeremonyLimit = 0
        case "addressFailures": configuration.addressFailureLimit = -3
        case "retention": configuration.auditRetention = 0
        case "longRetention": configuration.auditRetention = 36_501 * 86400
        case "longSession": configuration.sessionLifetime = 400_000_000 * 86400
        case "longIdle": configuration.sessionIdleTimeout = 401 * 86400
        case "zeroSession": configuration.sessionLifetime = 0
        case "longRefresh": configuration.metadataRefreshInterval = 1e300
        case "ipRPID": configuration.relyingPartyID = "127.0.0.1"; configuration.origins = ["http://127.0.0.1:8080"]
        default: Issue.record("unknown setting \(setting)")
        }
        do {
            try configuration.validate()
            Issue.record("\(setting) should be refused")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func clientAddressesComeFromTrustedProxiesOnly() {
        let proxies: Set<String> = ["10.0.0.1"]
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trustedProxies: proxies) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["1.2.3.4"], trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["6.6.6.6, 1.2.3.4"], trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 10.0.0.1"], trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["junk"], trustedProxies: proxies) == "10.0.0.1")
        // Entries some proxies write with the client's port.
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["203.0.113.5:4711"], trustedProxies: proxies) == "203.0.113.5")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["[2001:db8::1]:4711"], trustedProxies: proxies) == "2001:db8::1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["[2001:db8::1]"], trustedProxies: proxies) == "2001:db8::1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["2001:db8::1"], trustedProxies: proxies) == "2001:db8::1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["[2001:db8::1]x"], trustedProxies: proxies) == "10.0.0.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["1.2.3.4:x"], trustedProxies: proxies) == "10.0.0.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: [], trustedProxies: proxies) == "10.0.0.1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["1.2.3.4"], trustedProxies: proxies) == nil)
        #expect(ClientAddress.normalize("[::1]") == "::1")
        #expect(ClientAddress.normalize(" 127.0.0.1 ") == "127.0.0.1")
        #expect(ClientAddress.normalize("example.com") == nil)
        // IPv4 clients of a dual-stack socket are their IPv4 address, with buckets of their own.
        #expect(ClientAddress.normalize("::ffff:1.2.3.4") == "1.2.3.4")
        #expect(ClientAddress.rateLimitKey(ClientAddress.normalize("::ffff:1.2.3.4") ?? "") != ClientAddress.rateLimitKey(ClientAddress.normalize("::ffff:5.6.7.8") ?? ""))
        #expect(ClientAddress.resolve(peer: ClientAddress.normalize("::ffff:10.0.0.1"), forwardedFor: ["203.0.113.9"], trustedProxies: ["10.0.0.1"]) == "203.0.113.9")
        #expect(ClientAddress.rateLimitKey("203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress.rateLimitKey("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(ClientAddress.rateLimitKey("2001:db8:1:2::99") == ClientAddress.rateLimitKey("2001:db8:1:2:ffff::1"))
        // The /48 an IPv6 address (or the /64 key of one) is in; IPv4 has none.
        #expect(ClientAddress.networkKey("2001:db8:1:2:3:4:5:6") == "2001:db8:1::/48")
        #expect(ClientAddress.networkKey("2001:db8:1:2::/64") == "2001:db8:1::/48")
        #expect(ClientAddress.networkKey(ClientAddress.rateLimitKey("2001:db8:1:ffff::1")) == ClientAddress.networkKey("2001:db8:1::9"))
        #expect(ClientAddress.networkKey("2001:db8:2::1") != ClientAddress.networkKey("2001:db8:1::1"))
        #expect(ClientAddress.networkKey("203.0.113.9") == nil)
        #expect(ClientAddress.networkKey("unknown") == nil)
    }

    @Test func aPasskeyWithoutAKnownProviderIsNamedByItsTransports() {
        #expect(ServerServices.genericName(["usb"]) == "Security key")
        #expect(ServerServices.genericName(["nfc", "usb"]) == "Security key")
        #expect(ServerServices.genericName(["internal"]) == "Passkey")
        #expect(ServerServices.genericName(["hybrid", "usb"]) == "Passkey")
        #expect(ServerServices.genericName([]) == "Passkey")
    }

    @Test func namesRejectControlCharactersButKeepEmoji() throws {
        #expect(try NameRules.name(" Work laptop ", what: "name") == "Work laptop")
        #expect(try NameRules.name("👩‍👩‍👧 family", what: "name") == "👩‍👩‍👧 family")
        #expect(throws: APIError.self) { try NameRules.name("a\u{202E}b", what: "name") }
        // One character made of hundreds of combining marks is bounded by bytes too.
        #expect(throws: APIError.self) { try NameRules.username("a" + String(repeating: "\u{0301}", count: 300)) }
        #expect(throws: APIError.self) { try NameRules.username("a\u{85}b") }
        #expect(throws: APIError.self) { try NameRules.username(String(repeating: "é", count: 65)) }
    }

    /// The ASCII fast paths give what the Unicode checks give: every printable ASCII character
    /// passes the username's checks, every ASCII control character is still refused, and a
    /// username of ASCII normalizes as Foundation's canonical composition would.
    @Test func asciiUsernamesTakeTheFastPathWithTheSameAnswers() throws {
        for byte in UInt8(0x20)..<0x7F {
            let name = "a" + String(UnicodeScalar(byte)) + "b"
            #expect(NameRules.isPrintableASCII(name))
            #expect(!NameRules.hasControlCharacters(name))
            #expect(NameRules.invisibility(name) == nil)
            #expect(try NameRules.username(name) == name)
        }
        for byte in Array(UInt8(0x00)..<0x20) + [0x7F] {
            let name = "a" + String(UnicodeScalar(byte)) + "b"
            #expect(!NameRules.isPrintableASCII(name))
            #expect(throws: APIError.self) { try NameRules.username(name) }
        }
        for byte in UInt8(0x00)..<0x80 {
            let name = " Bench-\(String(UnicodeScalar(byte)))-ÄÖ "
            let ascii = " Bench-\(String(UnicodeScalar(byte)))-X "
            #expect(UserRecord.normalize(ascii) == ascii.trimmingWhitespaceAndNewlines().lowercased().precomposedStringWithCanonicalMapping)
            #expect(UserRecord.normalize(name) == name.trimmingWhitespaceAndNewlines().lowercased().precomposedStringWithCanonicalMapping)
        }
        // Not ASCII: the canonical composition still applies.
        #expect(UserRecord.normalize("Jose\u{301}") == "jos\u{E9}")
    }

    @Test func theRateLimiterRefillsOverAMinute() async throws {
        let store = MemoryPasskeyStore()
        let limiter = RateLimiter(limit: 60, store: store)
        let start = Date(timeIntervalSince1970: 0)
        for _ in 0..<60 { #expect(try await limiter.acquire("k", now: start) == nil) }
        #expect(try await limiter.acquire("k", now: start) == 1)
        #expect(try await limiter.acquire("k", now: start.addingTimeInterval(1)) == nil)
        #expect(try await store.purgeRateLimits(now: start.addingTimeInterval(120)) == 1, "a refilled key is forgotten")
        let off = RateLimiter(limit: 0, store: store)
        for _ in 0..<1000 { #expect(try await off.acquire("k", now: start) == nil) }
    }
}
