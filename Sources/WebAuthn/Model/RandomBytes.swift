#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if os(Linux)
import Synchronization
#endif

/// Cryptographically secure random bytes, in as few system calls as the kernel allows.
///
/// They come from `getentropy(3)`: the kernel's generator through `getrandom(2)` on Linux, the
/// system's on Apple platforms, up to 256 bytes a call. `SystemRandomNumberGenerator` (which
/// swift-crypto's keys and nonces also draw from on Linux) makes one system call per eight bytes:
/// a 32-byte challenge was four calls, and a sign-in some two dozen (docs/performance.md). On
/// Linux a request of up to 64 bytes is served from a page of 256 bytes drawn in one call
/// (``RandomPool``), each byte handed out once. Where `getentropy` fails (a kernel without
/// `getrandom`), the bytes come from `SystemRandomNumberGenerator` instead.
package func randomBytes(_ count: Int) -> [UInt8] {
    guard count > 0 else { return [] }
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var filled = 0
        #if os(Linux)
        if count <= RandomPool.largestDraw, let base = buffer.baseAddress,
            RandomPool.shared?.take(count, into: base) == true
        {
            filled = count
        }
        #endif
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

#if os(Linux)
/// The kernel's random bytes drawn 256 at a time and handed out once each: a sign-in asks for
/// random bytes six times (request IDs, the challenge, the ceremony's ID and nonce, the session's
/// token, the event's ID), each a system call of its own before (docs/performance.md, lever 32).
///
/// The bytes live in a page of their own that the kernel wipes in a forked child
/// (`MADV_WIPEONFORK`, Linux 4.14): a child finds the page empty and draws its own, so parent and
/// child never hand out the same bytes. A byte is zeroed as it is handed out. Where the page
/// cannot be set up so, there is no pool and every request is a system call.
final class RandomPool: @unchecked Sendable {  // the page is read and written under `lock` only
    /// Requests larger than this go to the kernel directly.
    static let largestDraw = 64
    /// How many bytes one draw takes from the kernel (`getentropy`'s largest).
    static let drawSize = 256

    /// The process's pool, `nil` where the page could not be set up.
    static let shared = RandomPool.wipedOnFork()

    /// The page: the count of bytes not yet handed out (a `UInt64`), then the bytes. A page the
    /// kernel wiped reads as empty.
    private let page: UnsafeMutableRawPointer
    private let ownsMapping: Bool
    private let lock = Mutex(())

    /// A pool over `page` (at least `8 + drawSize` bytes, zeroed), for tests: zeroing the page
    /// again is what a forked child sees.
    init(page: UnsafeMutableRawPointer) {
        self.page = page
        self.ownsMapping = false
    }

    private init(mapped page: UnsafeMutableRawPointer) {
        self.page = page
        self.ownsMapping = true
    }

    deinit {
        if ownsMapping { munmap(page, Int(getpagesize())) }
    }

    /// A page of its own, wiped in a forked child; `nil` where the kernel refuses either step.
    static func wipedOnFork() -> RandomPool? {
        let size = Int(getpagesize())
        guard size >= 8 + drawSize else { return nil }
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        // MADV_WIPEONFORK (18): Glibc's headers here do not name it.
        guard madvise(mapped, size, 18) == 0 else {
            munmap(mapped, size)
            return nil
        }
        return RandomPool(mapped: mapped)
    }

    /// Copies `count` (at most ``largestDraw``) unused bytes to `destination`, drawing a new 256
    /// when too few are left; `false` when the kernel gave none.
    func take(_ count: Int, into destination: UnsafeMutableRawPointer) -> Bool {
        guard count > 0, count <= Self.largestDraw else { return false }
        return lock.withLock { _ in
            let bytes = page + 8
            var left = Int(page.load(as: UInt64.self))
            if left < count || left > Self.drawSize {
                guard getentropy(bytes, Self.drawSize) == 0 else { return false }
                left = Self.drawSize
            }
            let start = bytes + (Self.drawSize - left)
            destination.copyMemory(from: start, byteCount: count)
            start.initializeMemory(as: UInt8.self, repeating: 0, count: count)
            page.storeBytes(of: UInt64(left - count), as: UInt64.self)
            return true
        }
    }
}
#endif
