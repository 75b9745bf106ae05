// Every attestation statement format (WebAuthn §8: packed, tpm, android-key, android-safetynet,
// fido-u2f, apple, none, compound) through the verifier that registration uses. The input is the 32-byte
// client data hash followed by the CBOR attestation object, so that seeds from real
// registrations reach the checks after their signatures.
import Foundation
@testable import WebAuthn

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAttestation(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        guard bytes.count > 32 else { return }
        let clientDataHash = Array(bytes[..<32])
        guard let object = try? AttestationObject(bytes: Array(bytes[32...])),
              let attested = object.authenticatorData.attestedCredentialData,
              let publicKey = try? attested.publicKey(),
              let credentialID = try? CredentialID(bytes: attested.credentialID.bytes) else { return }
        // A fixed clock, so that a run can be repeated; the built-in roots stay on.
        let policy = AttestationPolicy(verificationTime: Date(timeIntervalSince1970: 1_600_000_000))
        let input = AttestationInput(
            statement: object.statement, authenticatorData: object.authenticatorData,
            clientDataHash: clientDataHash, aaguid: attested.aaguid, credentialID: credentialID,
            credentialPublicKey: publicKey, trust: AttestationTrustEvaluator(policy: policy, aaguid: attested.aaguid))
        runBlocking {
            _ = try? await AttestationVerifier.verify(object, input: input)
        }
    }
}
