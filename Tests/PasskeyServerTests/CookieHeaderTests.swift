import HTTPTypes
import Hummingbird
import Testing

@testable import PasskeyServer

/// The server reads its two cookies from the `Cookie` fields' bytes; it must find exactly what a
/// cookie parser would, and nothing that only looks like it.
@Suite struct CookieHeaderTests {
    static func fields(_ values: String...) -> HTTPFields {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: .cookie, value: value)) }
        return fields
    }

    @Test func theNamedCookieIsFoundWhereverItIsInTheField() {
        let fields = Self.fields("a=1; passkeys_session=abc; b=2")
        #expect(CookieHeader.value(of: "passkeys_session", in: fields) == "abc")
        #expect(CookieHeader.value(of: "a", in: fields) == "1")
        #expect(CookieHeader.value(of: "b", in: fields) == "2")
        #expect(CookieHeader.value(of: "c", in: fields) == nil)
    }

    @Test func aNameThatOnlyBeginsOrEndsLikeAnotherIsNotIt() {
        let fields = Self.fields("passkeys_session_old=1; xpasskeys_session=2; passkeys_sessio=3")
        #expect(CookieHeader.value(of: "passkeys_session", in: fields) == nil)
        #expect(CookieHeader.value(of: "passkeys_session", in: Self.fields("passkeys_session_old=1; passkeys_session=4")) == "4")
        #expect(CookieHeader.value(of: "x", in: Self.fields("x")) == nil, "a name without a value")
        #expect(CookieHeader.value(of: "x", in: Self.fields("xy=1")) == nil)
    }

    @Test func spacesAndTabsBeforeANameAreSkippedAndTheValueIsKeptWhole() {
        let fields = Self.fields(";;  \ta=1 ;b==2=;c=")
        #expect(CookieHeader.value(of: "a", in: fields) == "1 ")
        #expect(CookieHeader.value(of: "b", in: fields) == "=2=")
        #expect(CookieHeader.value(of: "c", in: fields) == nil, "an empty value is no cookie")
    }

    @Test func twoCookiesWithOneNameAreNoneInOneFieldOrAcrossFields() {
        // Another host or path set the second one (a sibling subdomain tossing its own session in):
        // neither is trusted, whichever comes first.
        #expect(CookieHeader.value(of: "a", in: Self.fields("a=1; a=2")) == nil)
        #expect(CookieHeader.value(of: "a", in: Self.fields("b=0", "a=3", "a=4")) == nil)
        #expect(CookieHeader.value(of: "a", in: Self.fields("a=; a=2")) == nil, "an empty first one hides nothing")
        #expect(CookieHeader.value(of: "a", in: Self.fields("a=3", "b=4")) == "3")
        #expect(CookieHeader.value(of: "a", in: HTTPFields()) == nil)
        #expect(CookieHeader.value(of: "a", in: Self.fields("")) == nil)
    }

    @Test func itAgreesWithHummingbirdsParserOnWhatBrowsersSend() {
        for header in ["passkeys_ceremony=AbC-_; passkeys_session=xyz", "passkeys_session=1", "k=v; passkeys_ceremony="] {
            let fields = Self.fields(header)
            for name in ["passkeys_ceremony", "passkeys_session", "k"] {
                let theirs = Cookies(from: [header])[name]?.value
                #expect(CookieHeader.value(of: name, in: fields) == theirs, "\(header) \(name)")
            }
        }
    }

    // MARK: The cookies the server sets

    @Test func theServersCookiesCarryTheirAttributesInAFixedOrder() {
        let plain = CookieSettings(secure: false)
        #expect(plain.cookie(name: plain.sessionName, value: "abc", maxAge: 3600.9).fieldValue
            == "passkeys_session=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax")
        #expect(plain.expired(plain.ceremonyName).fieldValue
            == "passkeys_ceremony=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
        #expect(plain.cookie(name: plain.ceremonyName, value: "x", maxAge: -5).fieldValue.contains("; Max-Age=0;"), "never negative")

        let tls = CookieSettings(secure: true)
        #expect(tls.cookie(name: tls.sessionName, value: "abc", maxAge: 60).fieldValue
            == "__Host-passkeys_session=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax")

        // With a cookie domain, the session and ceremony cookies stay host-only; the forward-auth
        // cookie is the domain's, and a session's end forgets it and the older shared session cookie.
        let shared = CookieSettings(secure: true, sessionDomain: "example.com")
        #expect(shared.cookie(name: shared.sessionName, value: "abc", maxAge: 60).fieldValue
            == "__Host-passkeys_session=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax")
        #expect(shared.cookie(name: shared.ceremonyName, value: "abc", maxAge: 60).fieldValue
            == "__Host-passkeys_ceremony=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax")
        #expect(shared.forwardName == "__Secure-passkeys_forward")
        #expect(shared.expiredSession.map(\.fieldValue) == [
            "__Secure-passkeys_session=; Max-Age=0; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax",
            "__Host-passkeys_session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax",
            "__Secure-passkeys_forward=; Max-Age=0; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax",
        ])
        #expect(tls.forwardName == nil && tls.expiredSession.count == 1)
    }

    @Test func aResponseGetsOneSetCookieFieldPerCookie() {
        let settings = CookieSettings(secure: false)
        var response = Response(status: .ok)
        response.setCookie(settings.cookie(name: settings.sessionName, value: "abc", maxAge: 60))
        response.setCookie(settings.expired(settings.ceremonyName))
        #expect(response.headers[values: .setCookie] == [
            "passkeys_session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax",
            "passkeys_ceremony=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
        ])
    }
}
