import Crypto
import Foundation
import PasskeyCBOR
import Testing
@testable import WebAuthn

/// ML-DSA passkeys (FIPS 204; COSE key type AKP, algorithms -49 and -50; -48 in MLDSA44Tests).
@Suite("Post-quantum keys")
struct PostQuantumTests {
    static func coseKey(algorithm: Int, publicKey: Data) -> [UInt8] {
        CBOREncoder.encode(.map(CBORMap([
            (key: CBOR(1), value: CBOR(7)),
            (key: CBOR(3), value: CBOR(algorithm)),
            (key: CBOR(-1), value: .bytes(Array(publicKey))),
        ])))
    }

    @Test("an ML-DSA-65 signature verifies with its COSE key")
    func mldsa65Verifies() throws {
        let privateKey = try MLDSA65.PrivateKey()
        let key = try COSEPublicKey(rawRepresentation: Self.coseKey(algorithm: -49, publicKey: privateKey.publicKey.rawRepresentation))
        let message = Array("authenticator data and client data hash".utf8)
        let signature = try privateKey.signature(for: message)
        #expect(key.algorithm == .mldsa65)
        #expect(throws: Never.self) { try key.verify(signature: signature, for: message) }
    }

    @Test("an ML-DSA-87 signature verifies with its COSE key")
    func mldsa87Verifies() throws {
        let privateKey = try MLDSA87.PrivateKey()
        let key = try COSEPublicKey(rawRepresentation: Self.coseKey(algorithm: -50, publicKey: privateKey.publicKey.rawRepresentation))
        let message = Array("message".utf8)
        #expect(throws: Never.self) { try key.verify(signature: try privateKey.signature(for: message), for: message) }
    }

    @Test("an ML-DSA signature over other data is rejected with bad_signature")
    func mldsaTamperedRejected() throws {
        let privateKey = try MLDSA65.PrivateKey()
        let key = try COSEPublicKey(rawRepresentation: Self.coseKey(algorithm: -49, publicKey: privateKey.publicKey.rawRepresentation))
        let signature = try privateKey.signature(for: Array("one".utf8))
        #expect(throws: WebAuthnError(.badSignature, "")) { try key.verify(signature: signature, for: Array("two".utf8)) }
    }

    @Test("an ML-DSA-65 key with the ML-DSA-87 algorithm is rejected")
    func mldsaWrongParameterSetRejected() throws {
        let privateKey = try MLDSA65.PrivateKey()
        #expect(throws: WebAuthnError(.malformed, "")) {
            _ = try COSEPublicKey(rawRepresentation: Self.coseKey(algorithm: -50, publicKey: privateKey.publicKey.rawRepresentation))
        }
    }

    @Test("an AKP key without pub is malformed")
    func akpWithoutPublicKeyMalformed() throws {
        let bytes = CBOREncoder.encode(.map(CBORMap([(key: CBOR(1), value: CBOR(7)), (key: CBOR(3), value: CBOR(-49))])))
        #expect(throws: WebAuthnError(.malformed, "")) { _ = try COSEPublicKey(rawRepresentation: bytes) }
    }

    @Test("a sign-in with an ML-DSA-65 passkey is verified end to end")
    func mldsaSignIn() throws {
        let privateKey = try MLDSA65.PrivateKey()
        let cose = Self.coseKey(algorithm: -49, publicKey: privateKey.publicKey.rawRepresentation)
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: ["https://example.com"]))
        let credentialID = try CredentialID(bytes: Array(repeating: 7, count: 16))
        let user = UserHandle.random()
        let (options, ceremony) = relyingParty.beginAuthentication(userHandle: user)
        let clientData = Array(#"{"type":"webauthn.get","challenge":"\#(options.challenge.base64URL)","origin":"https://example.com"}"#.utf8)
        var authData = Array(SHA256.hash(data: Array("example.com".utf8)))
        authData += [0x05, 0, 0, 0, 1]
        let signature = try privateKey.signature(for: authData + Array(SHA256.hash(data: clientData)))
        let response = AuthenticationResponseJSON(
            rawId: credentialID,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(clientData), authenticatorData: Base64URLData(authData),
                signature: Base64URLData(Array(signature)), userHandle: user))
        let stored = StoredCredential(
            id: credentialID, userHandle: user, publicKey: cose, signCount: 0, backupEligible: false, backedUp: false)
        let verified = try relyingParty.finishAuthentication(response: response, ceremony: ceremony, credential: stored)
        #expect(verified.newSignCount == 1)
        #expect(verified.userVerified)
    }
}
