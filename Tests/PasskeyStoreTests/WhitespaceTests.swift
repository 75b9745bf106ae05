import Foundation
import Testing
@testable import PasskeyStore

/// The store trims usernames without Foundation's `trimmingCharacters(in:)`; it must trim exactly
/// what Foundation trims, or a username registered before would normalize differently now.
@Suite("Trimming white space as Foundation does")
struct WhitespaceTests {
    @Test("every Unicode scalar is white space exactly when Foundation's set holds it")
    func everyScalar() {
        var differing: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if scalar.isWhitespaceOrNewline != CharacterSet.whitespacesAndNewlines.contains(scalar) {
                differing.append(String(value, radix: 16))
            }
        }
        #expect(differing.isEmpty, "\(differing)")
    }

    @Test("the trimmed string is Foundation's", arguments: [
        "", " ", "\t\n\r \u{0B}\u{0C}", "frank", " frank ", "\u{3000}frank\u{2028}", "\u{200B}frank\u{200B}",
        "\u{85}fr ank\u{A0}", "\u{FEFF}frank\u{FEFF}", "\u{180E}frank", " \u{301}frank", "frank\u{301} ",
        "👩‍👩‍👧 ", " e\u{301}", "\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}x\u{202F}\u{205F}\u{1680}",
        " \r\n", "a b", "\u{200C}frank\u{200D}",
    ])
    func trimmed(text: String) {
        let expected = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let trimmed = text.trimmingWhitespaceAndNewlines()
        #expect(Array(trimmed.unicodeScalars) == Array(expected.unicodeScalars), "\(Array(text.unicodeScalars))")
    }

    @Test("a username normalizes as before: trimmed, lower-cased, composed")
    func normalize() {
        #expect(UserRecord.normalize(" \u{200B}Fr\u{41}nk\u{65}\u{301}\n") == "frank\u{E9}")
        #expect(UserRecord.normalize("\u{3000}") == "")
    }
}
