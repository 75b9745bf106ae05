import PasskeyClientCore
import Testing

/// The core's own JSON reader and writer (RFC 8259), which the boundary to the browser uses.
@Suite("JSON")
struct JSONTests {
    typealias J = Auth.JSON

    @Test("a value is read with its members in order and written back the same")
    func roundTrip() {
        let text = #"{"b":[1,-0.5,2e10,true,false,null],"a":{"s":"x\"y\\z\/ \n\t\u00e9\ud83d\ude00"},"e":{},"f":[]}"#
        let json = J(parsing: text)
        #expect(json?["b"] == .array([.number("1"), .number("-0.5"), .number("2e10"), .bool(true), .bool(false), .null]))
        #expect(json?["a"]?["s"]?.string == "x\"y\\z/ \n\té😀")
        #expect(json?.text == #"{"b":[1,-0.5,2e10,true,false,null],"a":{"s":"x\"y\\z/ \n\té😀"},"e":{},"f":[]}"#)
        #expect(J(parsing: json?.utf8 ?? []) == json)
    }

    @Test("control characters are escaped when written")
    func escapes() {
        #expect(J.string("a\u{1}b\rc").text == #""a\u0001b\rc""#)
    }

    @Test("whitespace around values is allowed")
    func whitespace() {
        #expect(J(parsing: " \n{ \"a\" : [ 1 , 2 ] }\t") == .object([("a", .array([.number("1"), .number("2")]))]))
    }

    @Test("anything that is not exactly one JSON value is refused", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1] x", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "\"open", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\udc00\"", "\"a\u{1}b\"", "'a'", "NaN",
    ])
    func refused(_ text: String) {
        #expect(J(parsing: text) == nil)
    }

    @Test("invalid UTF-8 inside a string is refused, not repaired")
    func invalidUTF8() {
        #expect(J(parsing: [34, 0xC3, 34]) == nil)
        #expect(J(parsing: [34, 0xFF, 34]) == nil)
    }

    @Test("nesting deeper than the limit is refused")
    func depth() {
        let deep = String(repeating: "[", count: J.maximumDepth + 1) + String(repeating: "]", count: J.maximumDepth + 1)
        let fits = String(repeating: "[", count: J.maximumDepth) + "1" + String(repeating: "]", count: J.maximumDepth)
        #expect(J(parsing: deep) == nil)
        #expect(J(parsing: fits) != nil)
    }

    @Test("integers are read only when they are integers that fit")
    func integers() {
        #expect(J.number("-7").int == -7)
        #expect(J.number("300000").int == 300000)
        #expect(J.number("1.5").int == nil)
        #expect(J.number("1e3").int == nil)
        #expect(J.number("1234567890123456789").int == nil)
        #expect(J.string("7").int == nil)
    }

    @Test("objects are equal only with the same members in the same order")
    func equality() {
        #expect(J.object([("a", .null), ("b", .null)]) != J.object([("b", .null), ("a", .null)]))
        #expect(J.object([("a", .null)]) != J.object([("a", .null), ("b", .null)]))
        #expect(J.number("1") != J.string("1"))
    }
}
