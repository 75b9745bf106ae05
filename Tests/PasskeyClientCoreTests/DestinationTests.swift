import PasskeyClientCore
import Testing

/// Where a page goes after signing in (Destination.swift): a `?next=` is followed only to a path
/// on this site, as a browser would resolve it. The values are `next` as the page reads it from
/// its query (percent-decoded once); Tests/e2e/test_sign_in.py runs the same variants in a browser.
@Suite("The page after signing in")
struct DestinationTests {
    @Test("a path on this site is followed, as the browser would resolve it", arguments: [
        ("/.well-known/passkey-endpoints", "/.well-known/passkey-endpoints"),
        ("/account/../.well-known/passkey-endpoints", "/.well-known/passkey-endpoints"),
        ("/a/./b/%2e/c?x=1#y", "/a/b/c?x=1#y"),
        ("/a/b/..", "/a/"),
        ("/..", "/"),
        ("/", "/"),
        ("/..%2f/x", "/..%2f/x"),
        ("/a//b", "/a//b"),
        ("/x?next=//evil.example", "/x?next=//evil.example"),
    ])
    func followed(next: String, path: String) {
        #expect(Auth.Destination.afterSignIn(next: next, toAccount: false) == path)
    }

    @Test("a value that could lead elsewhere, or is no path, leads to the account page", arguments: [
        "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/..//evil.example/x",
        "/.//evil.example/x", "/%2e%2e//evil.example/x", "/%2E//evil.example/x", "/.%2E//evil.example/x",
        "/a/../..//evil.example/x", "/./\\/evil.example/x", "evil.example", "", "javascript:alert(1)",
        "/ /evil", "/caf\u{E9}", "ftp://evil.example/",
    ])
    func refused(next: String) {
        #expect(Auth.Destination.afterSignIn(next: next, toAccount: false) == "/account")
        #expect(Auth.Destination.safeRelativePath(next) == nil)
    }

    @Test("an absolute http(s) URL is the server's to judge, through /continue")
    func absolute() {
        #expect(Auth.Destination.afterSignIn(next: "https://evil.example/", toAccount: false)
            == "/continue?next=https%3A%2F%2Fevil.example%2F")
        #expect(Auth.Destination.afterSignIn(next: "HTTP://app.example/a b?c=d&e", toAccount: false)
            == "/continue?next=HTTP%3A%2F%2Fapp.example%2Fa%20b%3Fc%3Dd%26e")
    }

    @Test("without a next, or in a recovery session, the account page")
    func accountPage() {
        #expect(Auth.Destination.afterSignIn(next: nil, toAccount: false) == "/account")
        #expect(Auth.Destination.afterSignIn(next: nil, toAccount: true) == "/account")
        #expect(Auth.Destination.afterSignIn(next: "/elsewhere", toAccount: true, recovery: true) == "/account")
        #expect(Auth.Destination.afterSignIn(next: "https://app.example/", toAccount: true, recovery: true) == "/account")
    }

    @Test("a password account's first passkey: the account page, carrying a safe next on to after it")
    func accountPageOnTheWay() {
        #expect(Auth.Destination.afterSignIn(next: "/a/../oauth2/authorize?client_id=x&state=y", toAccount: true)
            == "/account?next=%2Foauth2%2Fauthorize%3Fclient_id%3Dx%26state%3Dy")
        #expect(Auth.Destination.afterSignIn(next: "https://app.example/", toAccount: true)
            == "/account?next=https%3A%2F%2Fapp.example%2F")
        // What it could not follow, it does not carry.
        #expect(Auth.Destination.afterSignIn(next: "//evil.example", toAccount: true) == "/account")
        #expect(Auth.Destination.afterSignIn(next: "/..//evil.example", toAccount: true) == "/account")
        // On the account page, once the passkey is made, the carried next leads on as any does.
        #expect(Auth.Destination.afterSignIn(next: "https://app.example/", toAccount: false) == "/continue?next=https%3A%2F%2Fapp.example%2F")
    }

    @Test("the view carries the destination once signed in, from the page's next")
    func throughTheBoundary() {
        typealias B = BoundaryTests
        var boundary = Auth.Boundary()
        #expect(B.send(&boundary, #"{"event":"page","next":"/a/../b"}"#).text == #"{"effects":[]}"#)
        var answer = B.send(&boundary, #"{"event":"refresh"}"#)
        #expect(answer["view"]?["destination"] == .null)
        answer = B.send(&boundary, B.http(answer, 1, 200, #"{"user":\#(B.user)}"#))
        answer = B.send(&boundary, B.http(answer, 2, 200, #"{"passkeys":[\#(B.passkey)]}"#))
        #expect(answer["view"]?["destination"]?.string == "/b")
        _ = B.send(&boundary, #"{"event":"page","next":"/..//evil.example"}"#)
        answer = B.send(&boundary, #"{"event":"refresh"}"#)
        answer = B.send(&boundary, B.http(answer, 3, 200, #"{"passkeys":[\#(B.passkey)]}"#))
        #expect(answer["view"]?["destination"]?.string == "/account")
        _ = B.send(&boundary, #"{"event":"page","next":null}"#)
        #expect(boundary.next == nil)
    }
}
