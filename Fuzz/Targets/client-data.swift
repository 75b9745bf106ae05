// clientDataJSON (WebAuthn §5.8.1), parsed as the ceremonies parse it.
@testable import WebAuthn

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientData(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        _ = try? CollectedClientData(json: bytes)
    }
}
