import Foundation
import Testing
@testable import PasskeyStore

/// Lists of strings (a passkey's transports, a client's redirect URIs, scopes) are kept as JSON
/// text written without `JSONEncoder`; any JSON reader must read back the same strings.
@Suite("JSON lists in columns")
struct ColumnJSONTests {
    @Test("A list of strings reads back the same, whatever the strings hold")
    func listsReadBack() throws {
        let lists: [[String]] = [
            [],
            ["internal", "hybrid"],
            ["https://app.example/callback?a=1&b=2", "http://127.0.0.1:8000/"],
            ["quote \" backslash \\ slash / tab \t newline \n nul \u{0} bell \u{7}", "é 日本 🙂", ""],
        ]
        for list in lists {
            let json = Column.json(list)
            #expect(try JSONDecoder().decode([String].self, from: Data(json.utf8)) == list, "\(json)")
        }
        #expect(Column.json(["internal", "hybrid"]) == #"["internal","hybrid"]"#)
    }
}
