import Crypto

/// Cryptographically secure random bytes.
///
/// They come from swift-crypto's generator, the one its keys are made with (BoringSSL's
/// `RAND_bytes` on Linux: a DRBG seeded and reseeded from the kernel; the system's on Apple
/// platforms), in one call for any length. Drawing them a byte at a time through
/// `SystemRandomNumberGenerator` cost one system call per byte: a 32-byte challenge was 32
/// calls (docs/performance.md).
public func randomBytes(_ count: Int) -> [UInt8] {
    guard count > 0 else { return [] }
    return SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
}
