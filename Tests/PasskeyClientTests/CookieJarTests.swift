import Foundation
import PasskeyClient
import Testing

@Suite("The cookie jar")
struct CookieJarTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("cookies set by the server are sent back, sorted by name")
    func sendsBack() {
        var jar = CookieJar()
        jar.receive(setCookie: ["passkeys_session=abc; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax", "passkeys_ceremony=xyz; Path=/"], at: Self.now)
        #expect(jar.header(at: Self.now) == "passkeys_ceremony=xyz; passkeys_session=abc")
        #expect(jar.cookies["passkeys_session"]?.expires == Self.now.addingTimeInterval(604_800))
    }

    @Test("spaces and tabs around names, values and attributes are not part of them (RFC 6265 §5.2)")
    func whitespace() {
        var jar = CookieJar()
        jar.receive(setCookie: [" \tsession = abc\t ;  Max-Age = 60 ;\tPath=/", "other=x;Max-Age=\t0"], at: Self.now)
        #expect(jar.header(at: Self.now) == "session=abc")
        #expect(jar.cookies["session"]?.expires == Self.now.addingTimeInterval(60))
        // Only space and tab are trimmed: another character stays in the value.
        jar.receive(setCookie: ["session=\u{00A0}abc"], at: Self.now)
        #expect(jar.cookies["session"]?.value == "\u{00A0}abc")
        // Trimming next to characters of several bytes keeps them whole.
        jar.receive(setCookie: ["\tné = \"ü\" ; Path=/"], at: Self.now)
        #expect(jar.cookies["né"]?.value == "ü")
    }

    @Test("Max-Age=0 and a past Expires forget a cookie")
    func forgets() {
        var jar = CookieJar(cookies: [.init(name: "a", value: "1"), .init(name: "b", value: "2")])
        jar.receive(setCookie: ["a=; Max-Age=0; Path=/", "b=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], at: Self.now)
        #expect(jar.cookies.isEmpty)
        #expect(jar.header(at: Self.now) == nil)
    }

    @Test("an expired cookie is not sent")
    func expired() {
        let jar = CookieJar(cookies: [.init(name: "a", value: "1", expires: Self.now.addingTimeInterval(10))])
        #expect(jar.header(at: Self.now) == "a=1")
        #expect(jar.header(at: Self.now.addingTimeInterval(11)) == nil)
    }

    @Test("Set-Cookie headers joined with commas are split again, dates' commas kept")
    func splitsJoined() {
        let joined = "a=1; Max-Age=60; Path=/, b=2; Expires=Thu, 21 Oct 2027 07:28:00 GMT; Path=/,c=3"
        #expect(CookieJar.splitJoinedSetCookie(joined) == [
            "a=1; Max-Age=60; Path=/", "b=2; Expires=Thu, 21 Oct 2027 07:28:00 GMT; Path=/", "c=3",
        ])
        var jar = CookieJar()
        jar.receive(setCookie: CookieJar.splitJoinedSetCookie(joined), at: Self.now)
        #expect(jar.cookies["b"]?.expires == Date(timeIntervalSince1970: 1_824_103_680))
    }

    @Test("the jar round-trips through JSON, for saving between runs")
    func codable() throws {
        let jar = CookieJar(cookies: [.init(name: "s", value: "v", expires: Self.now)])
        #expect(try JSONDecoder().decode(CookieJar.self, from: JSONEncoder().encode(jar)) == jar)
    }
}
