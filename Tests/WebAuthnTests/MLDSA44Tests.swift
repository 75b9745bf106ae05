import Crypto
import Foundation
import PasskeyCBOR
import Testing
@testable import WebAuthn

/// ML-DSA-44 passkeys (FIPS 204, COSE algorithm -48, key type AKP): NIST's ACVP vectors, a real
/// registration and sign-in from webauthn.io, and the registration formats a new key can use.
@Suite("ML-DSA-44")
struct MLDSA44Tests {
    // MARK: Vectors

    struct KeyGenVectors: Decodable {
        struct Case: Decodable {
            let tcId: Int
            let seed: String
            let pk: String
        }
        let tests: [Case]
    }

    struct WebAuthnIOVector: Decodable {
        struct Registration: Decodable {
            let challenge: String
            let credentialID: String
            let attestationObject: String
            let clientDataJSON: String
        }
        struct Authentication: Decodable {
            let challenge: String
            let authenticatorData: String
            let clientDataJSON: String
            let signature: String
            let userHandle: String
            let storedSignCount: UInt32
        }
        let rpID: String
        let origin: String
        let registration: Registration
        let authentication: Authentication
    }

    static func resource<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static func bytes(hex: String) throws -> [UInt8] { try #require(hexBytes(hex)) }
    static func bytes(base64URL: String) throws -> [UInt8] { try #require(Base64URL.decode(base64URL)) }

    static func coseKey(publicKey: [UInt8], algorithm: Int = -48) -> [UInt8] {
        CBOREncoder.encode(.map(CBORMap([
            (key: CBOR(1), value: CBOR(7)),
            (key: CBOR(3), value: CBOR(algorithm)),
            (key: CBOR(-1), value: .bytes(publicKey)),
        ])))
    }

    // MARK: FIPS 204 through NIST's ACVP keyGen vectors

    @Test("Every ACVP ML-DSA-44 keyGen public key is accepted as a COSE key")
    func acvpPublicKeysParse() throws {
        let vectors = try Self.resource("acvp-mldsa44-keygen", as: KeyGenVectors.self)
        #expect(vectors.tests.count == 6)
        for vector in vectors.tests {
            let key = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: try Self.bytes(hex: vector.pk)))
            #expect(key.algorithm == .mldsa44, "tcId \(vector.tcId)")
        }
    }

    @Test("A signature from an ACVP keyGen seed verifies under the public key NIST derived from that seed")
    func acvpSeedSignsForItsPublicKey() throws {
        let vectors = try Self.resource("acvp-mldsa44-keygen", as: KeyGenVectors.self)
        let message = Array("authenticator data ‖ client data hash".utf8)
        for vector in vectors.tests {
            let publicKey = try Self.bytes(hex: vector.pk)
            let signer = MLDSA44.PrivateKey(seed: try Self.bytes(hex: vector.seed), publicKey: publicKey)
            let signature = try signer.signature(for: message)
            #expect(signature.count == MLDSA44.signatureByteCount)
            #expect(MLDSA44.isValidSignature(signature, for: message, publicKey: publicKey), "tcId \(vector.tcId)")
        }
    }

    @Test("A signature from one ACVP keyGen seed does not verify under another case's public key")
    func acvpSeedDoesNotSignForAnotherKey() throws {
        let vectors = try Self.resource("acvp-mldsa44-keygen", as: KeyGenVectors.self)
        let message = Array("message".utf8)
        let first = vectors.tests[0], second = vectors.tests[1]
        let signature = try MLDSA44.PrivateKey(seed: try Self.bytes(hex: first.seed), publicKey: try Self.bytes(hex: first.pk))
            .signature(for: message)
        #expect(!MLDSA44.isValidSignature(signature, for: message, publicKey: try Self.bytes(hex: second.pk)))
    }

    @Test("A signature made with a context string verifies with that context only, and COSE uses none")
    func contextIsPartOfTheSignature() throws {
        let key = try MLDSA44.PrivateKey()
        let message = Array("message".utf8)
        let signature = try key.signature(for: message, context: Array("ctx".utf8))
        #expect(MLDSA44.isValidSignature(signature, for: message, context: Array("ctx".utf8), publicKey: key.publicKey))
        #expect(!MLDSA44.isValidSignature(signature, for: message, publicKey: key.publicKey))
        let cose = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: key.publicKey))
        #expect(throws: WebAuthnError(.badSignature, "")) { try cose.verify(signature: signature, for: message) }
    }

    // MARK: COSE keys

    @Test("An ML-DSA-44 signature verifies with its COSE key")
    func signatureVerifiesWithCOSEKey() throws {
        let key = try MLDSA44.PrivateKey()
        let cose = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: key.publicKey))
        let message = Array("authenticator data and client data hash".utf8)
        #expect(cose.algorithm == .mldsa44)
        #expect(throws: Never.self) { try cose.verify(signature: try key.signature(for: message), for: message) }
    }

    @Test("An ML-DSA-44 signature over other data is rejected with bad_signature")
    func tamperedMessageRejected() throws {
        let key = try MLDSA44.PrivateKey()
        let cose = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: key.publicKey))
        let signature = try key.signature(for: Array("one".utf8))
        #expect(throws: WebAuthnError(.badSignature, "")) { try cose.verify(signature: signature, for: Array("two".utf8)) }
    }

    @Test("An ML-DSA-44 signature one byte short is rejected with bad_signature")
    func truncatedSignatureRejected() throws {
        let key = try MLDSA44.PrivateKey()
        let cose = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: key.publicKey))
        let message = Array("message".utf8)
        let signature = try key.signature(for: message).dropLast()
        #expect(throws: WebAuthnError(.badSignature, "")) { try cose.verify(signature: Array(signature), for: message) }
    }

    @Test("An AKP key with -48 whose pub is not 1312 bytes is malformed", arguments: [0, 1311, 1313, 1952])
    func wrongLengthPublicKeyMalformed(length: Int) throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            _ = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: Array(repeating: 1, count: length)))
        }
    }

    @Test("An ML-DSA-44 public key claiming ML-DSA-65 is malformed")
    func keyClaimingAnotherParameterSetMalformed() throws {
        let key = try MLDSA44.PrivateKey()
        #expect(throws: WebAuthnError(.malformed, "")) {
            _ = try COSEPublicKey(rawRepresentation: Self.coseKey(publicKey: key.publicKey, algorithm: -49))
        }
    }

    // MARK: A real passkey (webauthn.io)

    static func webauthnIO() throws -> (RelyingParty, WebAuthnIOVector) {
        let vector = try resource("webauthnio-mldsa44", as: WebAuthnIOVector.self)
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: vector.rpID, relyingPartyName: "webauthn.io", allowedOrigins: [vector.origin]))
        return (relyingParty, vector)
    }

    static func registrationResponse(_ vector: WebAuthnIOVector) throws -> RegistrationResponseJSON {
        let json = """
            {"id": "\(vector.registration.credentialID)", "rawId": "\(vector.registration.credentialID)", "type": "public-key",
             "response": {"attestationObject": "\(vector.registration.attestationObject)", "clientDataJSON": "\(vector.registration.clientDataJSON)"},
             "clientExtensionResults": {}}
            """
        return try WireJSON.decode(RegistrationResponseJSON.self, from: Data(json.utf8))
    }

    static func registrationCeremony(_ vector: WebAuthnIOVector, algorithms: [COSEAlgorithmIdentifier] = [.mldsa44]) throws -> RegistrationCeremony {
        RegistrationCeremony(
            challenge: Challenge(uncheckedBytes: try bytes(base64URL: vector.registration.challenge)),
            userHandle: UserHandle(uncheckedBytes: try bytes(base64URL: vector.authentication.userHandle)),
            userVerification: .preferred, algorithms: algorithms)
    }

    @Test("webauthn.io's ML-DSA-44 registration (fmt none) is verified")
    func webauthnIORegistration() async throws {
        let (relyingParty, vector) = try Self.webauthnIO()
        let verified = try await relyingParty.finishRegistration(
            response: try Self.registrationResponse(vector), ceremony: try Self.registrationCeremony(vector))
        #expect(verified.publicKey.algorithm == .mldsa44)
        #expect(verified.format == .none)
        #expect(verified.credentialID.base64URL == vector.registration.credentialID)
    }

    @Test("webauthn.io's ML-DSA-44 registration is refused with unsupported_algorithm when -48 was not offered")
    func webauthnIORegistrationNotOffered() async throws {
        let (relyingParty, vector) = try Self.webauthnIO()
        await #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            _ = try await relyingParty.finishRegistration(
                response: try Self.registrationResponse(vector), ceremony: try Self.registrationCeremony(vector, algorithms: [.es256, .mldsa65]))
        }
    }

    static func authentication(_ vector: WebAuthnIOVector, signature: [UInt8]? = nil) throws -> AuthenticationResponseJSON {
        let credentialID = try CredentialID(bytes: try bytes(base64URL: vector.registration.credentialID))
        return AuthenticationResponseJSON(
            rawId: credentialID,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(try bytes(base64URL: vector.authentication.clientDataJSON)),
                authenticatorData: Base64URLData(try bytes(base64URL: vector.authentication.authenticatorData)),
                signature: Base64URLData(try signature ?? bytes(base64URL: vector.authentication.signature)),
                userHandle: UserHandle(uncheckedBytes: try bytes(base64URL: vector.authentication.userHandle))))
    }

    static func signIn(signature: [UInt8]? = nil) async throws -> VerifiedAuthentication {
        let (relyingParty, vector) = try webauthnIO()
        let registered = try await relyingParty.finishRegistration(
            response: try registrationResponse(vector), ceremony: try registrationCeremony(vector))
        let ceremony = AuthenticationCeremony(
            challenge: Challenge(uncheckedBytes: try bytes(base64URL: vector.authentication.challenge)),
            allowCredentials: [], userVerification: .preferred, userHandle: nil)
        let stored = StoredCredential(
            id: registered.credentialID, userHandle: UserHandle(uncheckedBytes: try bytes(base64URL: vector.authentication.userHandle)),
            publicKey: registered.publicKey.rawRepresentation, signCount: vector.authentication.storedSignCount,
            backupEligible: registered.backupEligible, backedUp: registered.backedUp)
        return try relyingParty.finishAuthentication(
            response: try authentication(vector, signature: signature), ceremony: ceremony, credential: stored)
    }

    @Test("webauthn.io's ML-DSA-44 sign-in is verified with the key its registration gave")
    func webauthnIOSignIn() async throws {
        let verified = try await Self.signIn()
        #expect(verified.newSignCount == 8)
    }

    @Test("webauthn.io's ML-DSA-44 sign-in with one bit of the signature flipped is rejected with bad_signature")
    func webauthnIOSignInTampered() async throws {
        let (_, vector) = try Self.webauthnIO()
        var signature = try Self.bytes(base64URL: vector.authentication.signature)
        signature[100] ^= 0x01
        await #expect(throws: WebAuthnError(.badSignature, "")) { _ = try await Self.signIn(signature: signature) }
    }

    // MARK: Registration formats for a new ML-DSA-44 key

    @Test("An ML-DSA-44 passkey registers with none attestation")
    func noneRegistration() async throws {
        let registration = TestRegistration(key: try .mldsa44())
        let verified = try await registration.finish()
        #expect(verified.publicKey.algorithm == .mldsa44)
        #expect(verified.format == .none)
    }

    @Test("An ML-DSA-44 passkey registers with packed self attestation signed by its own key")
    func packedSelfRegistration() async throws {
        let registration = TestRegistration.packedSelf(key: try .mldsa44())
        let verified = try await registration.finish()
        #expect(verified.format == .packed)
        #expect(verified.attestationType == .self)
    }

    @Test("ML-DSA-44 packed self attestation with a flipped signature bit is rejected with bad_signature")
    func packedSelfRegistrationTampered() async throws {
        let registration = TestRegistration.packedSelf(key: try .mldsa44()).with { $0.corruptAttestationSignature = true }
        await #expect(throws: WebAuthnError(.badSignature, "")) { _ = try await registration.finish() }
    }

    @Test("An ML-DSA-44 passkey signs in")
    func signIn() async throws {
        let key = try TestCredentialKey.mldsa44()
        let verified = try TestAuthentication(key: key).finish()
        #expect(verified.userVerified)
    }
}
