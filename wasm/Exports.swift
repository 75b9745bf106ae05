// The functions the WebAssembly module exports (docs/client-core.md, "The boundary"), compiled
// only into the module: the core itself (Sources/PasskeyClientCore) stays a plain Swift library.
//
// A message crosses linear memory as UTF-8 JSON text. The shell asks for an input buffer of the
// message's length, writes the message there and calls `passkeys_send`, which returns the
// answer's length; the answer is at `passkeys_output()` until the next call.

nonisolated(unsafe) private var boundary = Auth.Boundary()
nonisolated(unsafe) private var security = Auth.Security.Boundary()
nonisolated(unsafe) private var consent = Auth.Consent.Boundary()
nonisolated(unsafe) private var input: UnsafeMutablePointer<UInt8>?
nonisolated(unsafe) private var inputCapacity = 0
nonisolated(unsafe) private var output: UnsafeMutablePointer<UInt8>?
nonisolated(unsafe) private var outputLength = 0

/// A buffer of at least `length` bytes for the next message; the same one until a longer message needs more.
@_cdecl("passkeys_input")
public func passkeysInput(_ length: Int32) -> UnsafeMutablePointer<UInt8>? {
    let needed = max(Int(length), 1)
    if needed > inputCapacity {
        input?.deallocate()
        input = UnsafeMutablePointer<UInt8>.allocate(capacity: needed)
        inputCapacity = needed
    }
    return input
}

/// Hands the core the `length` bytes of the input buffer and returns the length of its answer.
@_cdecl("passkeys_send")
public func passkeysSend(_ length: Int32) -> Int32 {
    guard let input, length >= 0, Int(length) <= inputCapacity else { return -1 }
    return answer(boundary.receive(Array(UnsafeBufferPointer(start: input, count: Int(length)))))
}

/// As `passkeys_send`, for the sessions and activity machine (`Auth.Security`).
@_cdecl("passkeys_security_send")
public func passkeysSecuritySend(_ length: Int32) -> Int32 {
    guard let input, length >= 0, Int(length) <= inputCapacity else { return -1 }
    return answer(security.receive(Array(UnsafeBufferPointer(start: input, count: Int(length)))))
}

/// As `passkeys_send`, for the consent page (`Auth.Consent`).
@_cdecl("passkeys_consent_send")
public func passkeysConsentSend(_ length: Int32) -> Int32 {
    guard let input, length >= 0, Int(length) <= inputCapacity else { return -1 }
    return answer(consent.receive(Array(UnsafeBufferPointer(start: input, count: Int(length)))))
}

/// Keeps `answer` where `passkeys_output` points until the next message, and returns its length.
private func answer(_ answer: [UInt8]) -> Int32 {
    output?.deallocate()
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(answer.count, 1))
    buffer.initialize(from: answer, count: answer.count)
    output = buffer
    outputLength = answer.count
    return Int32(outputLength)
}

/// Where the last answer is.
@_cdecl("passkeys_output")
public func passkeysOutput() -> UnsafeMutablePointer<UInt8>? {
    output
}

/// Starts again from the initial state (a test runs several flows in one instance).
@_cdecl("passkeys_reset")
public func passkeysReset() {
    boundary = Auth.Boundary()
    security = Auth.Security.Boundary()
    consent = Auth.Consent.Boundary()
}
