// The FIDO Metadata Service (MDS3) BLOB: the compact JWS around it (header, x5c certificates,
// signature) and its JSON payload. The same input is tried as both, since the payload parser
// must hold up on its own too.
import Foundation
@testable import WebAuthn

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetadataBLOB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        if let token = try? CompactJWS(String(decoding: bytes, as: UTF8.self), what: "metadata BLOB") {
            _ = try? token.verifySignature(what: "metadata BLOB")
            _ = try? MetadataBLOB.decodePayload(token.payload)
        }
        _ = try? MetadataBLOB.decodePayload(bytes)
    }
}
