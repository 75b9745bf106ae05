// COSE keys (RFC 9052 §7, WebAuthn §5.8.5) and signature checks with them. The input is a
// COSE_Key followed by a signature, which is checked over a fixed message.
import PasskeyCBOR
@testable import WebAuthn

let message = Array("authenticator data and client data hash".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCOSEKey(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        guard let (_, end) = try? CBORDecoder().decodePrefix(bytes) else {
            _ = try? COSEPublicKey(rawRepresentation: bytes)
            return
        }
        guard let key = try? COSEPublicKey(rawRepresentation: Array(bytes[..<end])) else { return }
        check(key.rawRepresentation == Array(bytes[..<end]), "the key does not keep its bytes")
        _ = try? key.verify(signature: bytes[end...], for: message)
    }
}
