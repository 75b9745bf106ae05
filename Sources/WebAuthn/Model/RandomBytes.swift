#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cryptographically secure random bytes, in as few system calls as the kernel allows.
///
/// They come from `getentropy(3)`: the kernel's generator through `getrandom(2)` on Linux, the
/// system's on Apple platforms, up to 256 bytes a call. `SystemRandomNumberGenerator` (which
/// swift-crypto's keys and nonces also draw from on Linux) makes one system call per eight bytes:
/// a 32-byte challenge was four calls, and a sign-in some two dozen (docs/performance.md). Where
/// `getentropy` fails (a kernel without `getrandom`), the bytes come from
/// `SystemRandomNumberGenerator` instead.
public func randomBytes(_ count: Int) -> [UInt8] {
    guard count > 0 else { return [] }
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var filled = 0
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        while filled < count, let base = buffer.baseAddress {
            let chunk = min(count - filled, 256)
            guard getentropy(base + filled, chunk) == 0 else { break }
            filled += chunk
        }
        #endif
        var generator = SystemRandomNumberGenerator()
        while filled < count {
            buffer[filled] = UInt8.random(in: .min ... .max, using: &generator)
            filled += 1
        }
        initialized = count
    }
}
