import Foundation
import Testing
@testable import WebAuthn

/// ML-DSA-44 verification against Project Wycheproof's vectors (C2SP/wycheproof,
/// `testvectors_v1/mldsa_44_verify_test.json` at commit dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
/// Apache License 2.0, kept unchanged in `Vectors/wycheproof-mldsa44-verify.json`): valid
/// signatures, boundary conditions and many invalid ones (modified signatures, bad hint encodings,
/// infinity-norm violations, wrong key and signature lengths, a context of 256 bytes).
@Suite("ML-DSA-44: Wycheproof")
struct MLDSA44WycheproofTests {
    struct File: Decodable {
        struct Group: Decodable {
            let publicKey: String
            let tests: [Case]
        }
        struct Case: Decodable {
            let tcId: Int
            let comment: String
            let msg: String
            let sig: String
            let ctx: String?
            let result: String
            let flags: [String]
        }
        let algorithm: String
        let numberOfTests: Int
        let testGroups: [Group]
    }

    static func vectors() throws -> File {
        let url = try #require(
            Bundle.module.url(forResource: "wycheproof-mldsa44-verify", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    @Test("Every Wycheproof ML-DSA-44 verification vector is accepted or refused as the vector says")
    func everyVector() throws {
        let file = try Self.vectors()
        #expect(file.algorithm == "ML-DSA-44")
        var checked = 0, valid = 0
        for group in file.testGroups {
            let publicKey = try #require(hexBytes(group.publicKey))
            for vector in group.tests {
                let message = try #require(hexBytes(vector.msg))
                let signature = try #require(hexBytes(vector.sig))
                let context = try #require(hexBytes(vector.ctx ?? ""))
                let expected = vector.result == "valid"
                #expect(
                    MLDSA44.isValidSignature(signature, for: message, context: context, publicKey: publicKey) == expected,
                    "tcId \(vector.tcId) (\(vector.comment), \(vector.flags))")
                checked += 1
                if expected { valid += 1 }
            }
        }
        #expect(checked == file.numberOfTests)
        #expect(valid > 0 && valid < checked, "both valid and invalid vectors were checked")
    }

    @Test("Through a COSE key, the vectors without a context verify exactly when valid, and a key of the wrong length is refused")
    func throughCOSEKeys() throws {
        for group in try Self.vectors().testGroups {
            let publicKey = try #require(hexBytes(group.publicKey))
            let cose = MLDSA44Tests.coseKey(publicKey: publicKey)
            guard publicKey.count == MLDSA44.publicKeyByteCount else {
                #expect(throws: WebAuthnError.self) { try COSEPublicKey(rawRepresentation: cose) }
                continue
            }
            guard let key = try? COSEPublicKey(rawRepresentation: cose) else {
                // A key of the right length that does not decode: every vector under it is invalid.
                #expect(group.tests.allSatisfy { $0.result == "invalid" })
                continue
            }
            for vector in group.tests where (vector.ctx ?? "").isEmpty {
                let message = try #require(hexBytes(vector.msg))
                let signature = try #require(hexBytes(vector.sig))
                if vector.result == "valid" {
                    #expect(throws: Never.self, "tcId \(vector.tcId)") { try key.verify(signature: signature, for: message) }
                } else {
                    #expect(throws: WebAuthnError.self, "tcId \(vector.tcId)") { try key.verify(signature: signature, for: message) }
                }
            }
        }
    }
}
