import Testing

@testable import PasskeyStore

/// The prepared-statement cache's key hashes a statement by its length and its two ends; texts
/// alike there must still be told apart.
@Suite("Statement cache keys")
struct StatementTextTests {
    typealias Key = SQLiteDirectConnection.StatementText

    /// Two statements of one length whose first and last 32 bytes are the same.
    private let alike = (
        "SELECT id FROM credentials WHERE user_id = ? AND /* " + String(repeating: "a", count: 80) + " */ AND sign_count > ? AND backed_up = ?",
        "SELECT id FROM credentials WHERE user_id = ? AND /* " + String(repeating: "b", count: 80) + " */ AND sign_count > ? AND backed_up = ?"
    )

    @Test("Texts alike at both ends hash alike and are still two keys")
    func alikeAtBothEnds() {
        let (first, second) = alike
        #expect(first.utf8.count == second.utf8.count && first != second)
        #expect(Key(text: first).hashValue == Key(text: second).hashValue, "only the ends are hashed")
        #expect(Key(text: first) != Key(text: second))
        var cache: [Key: Int] = [:]
        cache[Key(text: first)] = 1
        cache[Key(text: second)] = 2
        #expect(cache.count == 2)
        #expect(cache[Key(text: first)] == 1)
        #expect(cache[Key(text: second)] == 2)
    }

    @Test("A text is its own key; texts that differ at an end or in length hash apart")
    func differentTexts() {
        #expect(Key(text: alike.0) == Key(text: String(alike.0)))
        #expect(Key(text: "SELECT 1") != Key(text: "SELECT 2"))
        #expect(Key(text: "SELECT 1").hashValue != Key(text: "SELECT 2").hashValue)
        #expect(Key(text: alike.0).hashValue != Key(text: alike.0 + " ").hashValue)
        #expect(Key(text: "").hashValue == Key(text: "").hashValue)
    }
}
