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

    @Test func randomUUIDsAreVersion4AndDistinct() {
        let ids = (0..<1000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let text = id.uuidString
            #expect(Array(text)[14] == "4", "version 4: \(text)")
            #expect("89AB".contains(Array(text)[19]), "variant 10: \(text)")
        }
    }

    @Test func loggedPathsKeepPrintableASCIIAndEscapeTheRest() {
        #expect(ServerServices.loggable("/api/authentication/options?x=1") == "/api/authentication/options?x=1")
        #expect(ServerServices.loggable("/a\nb") == "/a\\u{a}b")
        #expect(ServerServices.loggable("/a\u{7F}b\u{2028}") == "/a\\u{7f}b\\u{2028}")
        #expect(ServerServices.loggable("/é") == "/é")
        #expect(ServerServices.loggable(String(repeating: "a", count: 301)) == String(repeating: "a", count: 300) + "…")
        #expect(ServerServices.loggable(String(repeating: "a", count: 300)) == String(repeating: "a", count: 300))
    }

    @Test(arguments: [
        (Date(timeIntervalSince1970: 1_700_000_000.999), Date?.none, "Security Key", ["usb", "nfc"], true),
        (Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_800_000_123.5), "quote\" é\n🙂", [], false),
        (Date(timeIntervalSince1970: -86_401.25), Date(timeIntervalSince1970: 253_402_300_799), "", ["hybrid"], false),
    ])
    func theSignedUpAnswerIsWhatJSONEncoderWrites(
        createdAt: Date, lastUsedAt: Date?, name: String, transports: [String], known: Bool
    ) throws {
        let user = UserRecord(
            id: UserHandle(uncheckedBytes: Array(0..<16)), username: "ada@example.com", displayName: "Ada",
            createdAt: createdAt)
        var credential = CredentialRecord(
            id: CredentialID(uncheckedBytes: Array(0..<20)), userID: user.id, publicKey: [1, 2, 3], algorithm: -7,
            signCount: 0, aaguid: known ? AuthenticatorDirectory.bundled.keys.sorted { $0.uuidString < $1.uuidString }.first ?? .zero : .zero,
            attestationFormat: "none", transports: transports, backupEligible: known, backedUp: false, name: name,
            createdAt: createdAt, lastUsedAt: lastUsedAt)
        credential.backedUp = known
        if known { #expect(PasskeyJSON(credential, directory: AuthenticatorDirectory()).provider != nil) }
        let answer = RegistrationController.Created(
            user: UserJSON(user), passkey: PasskeyJSON(credential, directory: AuthenticatorDirectory()), rpId: "example.com")
        let written = answer.jsonBytes()
        try StrictJSON.validate(written)
        let encoded = try ServerServices.jsonEncoder().encode(answer)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        #expect(parsed == expected)
    }
}
