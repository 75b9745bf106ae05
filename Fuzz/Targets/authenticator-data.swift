// Authenticator data (WebAuthn §6.1): flags, counter, attested credential data and extensions,
// and the credential public key inside it.
@testable import WebAuthn

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthenticatorData(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        guard let authenticatorData = try? AuthenticatorData(bytes: bytes) else { return }
        check(authenticatorData.rawRepresentation == bytes, "authenticator data does not keep its bytes")
        check(authenticatorData.rpIDHash.count == 32, "the RP ID hash is not 32 bytes")
        if let attested = authenticatorData.attestedCredentialData {
            check(authenticatorData.flags.contains(.attestedCredentialData), "attested credential data without the AT flag")
            _ = try? attested.publicKey()
        }
        if authenticatorData.extensions != nil {
            check(authenticatorData.flags.contains(.extensionData), "extensions without the ED flag")
        }
    }
}
