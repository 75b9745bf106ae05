import Foundation
import PasskeyStore
import Testing

@testable import PasskeyServer

/// Imported password hashes (known hashes made by libxcrypt, Python's hashlib and libargon2) and
/// the JSON Lines importer.
@Suite struct AccountImportTests {
    // MARK: Hashes

    @Test("Each accepted hash kind verifies its password and refuses another", arguments: [
        KnownHashes.bcrypt2a, KnownHashes.bcrypt2b, KnownHashes.bcrypt2y, KnownHashes.pbkdf2, KnownHashes.argon2id,
    ])
    func knownHashesVerify(_ encoded: String) throws {
        let hash = try PasswordHash(encoded)
        #expect(try hash.verify(KnownHashes.password))
        #expect(try !hash.verify("correct horse "))
        #expect(try !hash.verify(""))
    }

    @Test("bcrypt reads only the first 72 bytes of a password")
    func bcrypt72Bytes() throws {
        let hash = try PasswordHash(KnownHashes.bcryptLong)
        #expect(try hash.verify(String(repeating: "é", count: 36) + "anything after byte 72"))
        #expect(try !hash.verify(String(repeating: "é", count: 35) + "e"))
    }

    @Test("A password with a NUL byte never matches a bcrypt hash")
    func bcryptNul() throws {
        #expect(try !PasswordHash(KnownHashes.bcrypt2b).verify(KnownHashes.password + "\u{0}x"))
    }

    @Test("Refused formats are bad lines with a reason", arguments: [
        "$2x$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", KnownHashes.md5crypt,
        "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
        "$argon2i$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$aGFzaA", "plain text", "",
        "$2b$05$short", "$2b$05$abcdefghijklmnopqrstuu!NbAKRhpaujgo33bRWs.NLUTJO3lOy2",
        "pbkdf2_sha256$abc$salt$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=", "pbkdf2_sha256$10000$salt$notbase64!",
    ])
    func refusedFormats(_ encoded: String) {
        #expect(throws: PasswordHashError.self) { try PasswordHash(encoded) }
    }

    @Test("Costs past the limits are refused: bcrypt 15, PBKDF2 beyond 1.5 million, argon2 memory, passes, lanes", arguments: [
        "$2b$15$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
        "pbkdf2_sha256$1500001$seasalt1234$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=",
        "$argon2id$v=19$m=262144,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=1024,t=11,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=1024,t=2,p=9$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=131072,t=8,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
    ])
    func costLimits(_ encoded: String) {
        #expect(throws: PasswordHashError.self) { try PasswordHash(encoded) }
    }

    @Test("Hashes that could never verify, or would cost more than their limits say, are refused", arguments: [
        // A PBKDF2 hash longer than one SHA-256 block runs every iteration again per block.
        "pbkdf2_sha256$1500000$salt$" + Data(count: 512).base64EncodedString(),
        "pbkdf2_sha256$10000$salt$" + Data(count: 33).base64EncodedString(),
        "pbkdf2_sha256$+10000$seasalt1234$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=",
        "pbkdf2_sha256$10000$sea\u{0}salt$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=",
        "pbkdf2_sha256$10000$$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=",
        "$2b$+4$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
        "$2b$ 4$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
        "$argon2id$v=19$m=8,t=1,p=1,m=131072$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$t=2,m=1024,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=+1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=8,t=1,p=8$c29tZXNhbHRzb21lc2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=1024,t=2,p=1$!!!$!!!",
        "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA==$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$4BnlcpLz5MRq0Izs2E2zIqpIFISeK/m9DFKmAc7uq5Y",
        "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA",
    ])
    func neverVerifiableOrTooCostly(_ encoded: String) {
        #expect(throws: PasswordHashError.self) { try PasswordHash(encoded) }
    }

    @Test("Django's default of a million PBKDF2 iterations is accepted")
    func djangoDefaultIterations() throws {
        _ = try PasswordHash("pbkdf2_sha256$1000000$seasalt1234$7wou8Ph9+acLQNAaQYBTCiRD7iNfRooB4EnDl4uUOsQ=")
    }

    // MARK: JSON Lines

    @Test("Lines that end in CRLF, as a file written on Windows, are imported and numbered alike")
    func crlfLines() async throws {
        let store = MemoryPasskeyStore()
        let text = #"{"username": "a@example.com"}"# + "\r\n" + "not json\r\n"
            + #"{"username": "b@example.com", "passwordHash": "\#(KnownHashes.bcrypt2b)"}"# + "\r\n"
        let report = try await AccountImport(store: store).run(text)
        #expect(report.imported == 2 && report.withPassword == 1)
        #expect(report.failures.map(\.line) == [2])
        #expect(try await store.user(username: "b@example.com") != nil)
    }

    @Test("Good lines are imported, bad lines reported by number with nothing of them stored")
    func importReport() async throws {
        let store = MemoryPasskeyStore()
        let lines = [
            #"{"username": "grace@example.com", "displayName": "Grace", "passwordHash": "\#(KnownHashes.bcrypt2b)", "emailVerified": true}"#,
            #"{"username": "ada@example.com", "passwordhash": "\#(KnownHashes.bcrypt2b)"}"#,
            "",
            #"{"username": "md5@example.com", "passwordHash": "\#(KnownHashes.md5crypt)"}"#,
            #"{"username": "GRACE@example.com"}"#,
            "not json",
            #"{"username": "verified@example.com", "emailVerified": "yes"}"#,
            #"{"username": "plain@example.com"}"#,
            #"{"username": "dup@example.com", "username": "dup2@example.com"}"#,
        ]
        let report = try await AccountImport(store: store).run(lines.joined(separator: "\n"))
        #expect(report.imported == 2 && report.withPassword == 1 && report.blank == 1)
        #expect(report.failures.map(\.line) == [2, 4, 5, 6, 7, 9])
        #expect(report.failures[5].reason.contains("strict JSON"))
        #expect(report.failures[0].reason.contains("passwordhash"))
        #expect(report.failures[2].reason.contains("exists"))
        let grace = try #require(try await store.user(username: "grace@example.com"))
        #expect(grace.displayName == "Grace" && grace.emailVerified)
        #expect(try await store.passwordHash(userID: grace.id) == KnownHashes.bcrypt2b)
        #expect(try await store.user(username: "ada@example.com") == nil)
        #expect(try await store.user(username: "md5@example.com") == nil)
        #expect(try await store.user(username: "verified@example.com") == nil)
        #expect(try await store.user(username: "dup@example.com") == nil)
        #expect(try await store.user(username: "dup2@example.com") == nil)
        let plain = try #require(try await store.user(username: "plain@example.com"))
        #expect(try await store.passwordHash(userID: plain.id) == nil)
        #expect(try await store.auditEvents(userID: grace.id, limit: 5).map(\.kind) == ["account_imported"])
    }
}
