import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// Version 7 UUIDs (RFC 9562 §5.7), the audit events' IDs.
@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000.123456)

    static func bytes(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    @Test("The time in the first 48 bits, version 7, variant 10, the rest random")
    func layout() {
        let id = UUID.timeOrdered(at: Self.at)
        let bytes = Self.bytes(id)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_800_000_000_123)
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        #expect(id.uuidString.dropFirst(14).first == "7")
        let many = (0..<200).map { _ in UUID.timeOrdered(at: Self.at) }
        #expect(Set(many).count == 200)
    }

    @Test("Later IDs sort after earlier ones, as bytes")
    func order() {
        let earlier = (0..<50).map { _ in Self.bytes(UUID.timeOrdered(at: Self.at)) }
        let later = Self.bytes(UUID.timeOrdered(at: Self.at.addingTimeInterval(0.001)))
        #expect(earlier.allSatisfy { $0.lexicographicallyPrecedes(later) })
        #expect(Self.bytes(UUID.timeOrdered(at: Date(timeIntervalSince1970: 0))).prefix(6) == [0, 0, 0, 0, 0, 0])
    }

    @Test("Times outside the 48 bits are held to them, never a trap")
    func outOfRange() {
        #expect(UUID.milliseconds48(Date(timeIntervalSince1970: -5)) == 0)
        #expect(UUID.milliseconds48(Date.distantPast) == 0)
        #expect(UUID.milliseconds48(Date(timeIntervalSince1970: .nan)) == 0)
        #expect(UUID.milliseconds48(Date(timeIntervalSince1970: 1e15)) == 1 << 48 - 1)
        #expect(UUID.milliseconds48(Date(timeIntervalSince1970: .infinity)) == 1 << 48 - 1)
        #expect(UUID.milliseconds48(Date(timeIntervalSince1970: 1.0015)) == 1001)
        let far = Self.bytes(UUID.timeOrdered(at: Date(timeIntervalSince1970: 1e15)))
        #expect(far.prefix(6) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test("An audit event's ID is a version 7 UUID of its time unless one is given")
    func auditEventIDs() {
        let event = AuditEvent(userID: nil, kind: .signIn, at: Self.at)
        let bytes = Self.bytes(event.id)
        #expect(bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_800_000_000_123)
        #expect(bytes[6] >> 4 == 7)
        let given = UUID()
        #expect(AuditEvent(id: given, userID: nil, kind: .signIn, at: Self.at).id == given)
    }
}
