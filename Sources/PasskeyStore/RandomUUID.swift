import Foundation
import WebAuthn

extension UUID {
    /// A version 4 (random) UUID (RFC 9562 §5.4) from ``WebAuthn/randomBytes(_:)``.
    ///
    /// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for each one; every
    /// sign-in writes an audit event with its own ID.
    public static func random() -> UUID {
        var bytes = randomBytes(16)
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // variant 10
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7): the milliseconds since 1970 at `date` in its first 48
    /// bits, then 74 random bits. IDs made later sort after earlier ones, so a table keyed by them
    /// grows at its right end: a new row's index page is the one the rows before it were written
    /// to, not a random page of the whole index (the audit events: docs/performance.md, lever 28).
    public static func timeOrdered(at date: Date) -> UUID {
        let milliseconds = milliseconds48(date)
        var bytes = randomBytes(16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> UInt64(8 * (5 - index)))
        }
        bytes[6] = bytes[6] & 0x0F | 0x70  // version 7
        bytes[8] = bytes[8] & 0x3F | 0x80  // variant 10
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The whole milliseconds since 1970 at `date`, held to the 48 bits a version 7 UUID has for
    /// them: 0 before 1970, the largest value from about the year 10900 on, never a trap.
    public static func milliseconds48(_ date: Date) -> UInt64 {
        let largest: UInt64 = 1 << 48 - 1
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard milliseconds > 0 else { return 0 }  // NaN too
        guard milliseconds < Double(largest) else { return largest }
        return UInt64(milliseconds)
    }
}
