import Foundation
import PasskeyStore
import Testing
import WebAuthn

@testable import PasskeyServer

/// Answers written with `JSONWriter` on the hot path say exactly what their `Encodable` form says.
@Suite struct WrittenJSONTests {
    @Test(arguments: [
        ("ada@example.com", "Ada Lovelace", true), ("quote\" back\\slash", "tab\tline\nfeed é 🙂", false), ("", "", false),
    ])
    func theSignedInAnswerIsWhatJSONEncoderWrites(username: String, displayName: String, verified: Bool) throws {
        let user = UserRecord(
            id: UserHandle(uncheckedBytes: Array(0..<32)), username: username, displayName: displayName,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), disabled: false, emailVerified: verified)
        let answer = AuthenticationController.SignedIn(user: UserJSON(user), rpId: "example.com")
        let written = answer.jsonBytes()
        try StrictJSON.validate(written)
        let encoded = try JSONEncoder().encode(answer)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        #expect(parsed == expected)
    }
}
